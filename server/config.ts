import { createHash } from 'node:crypto'
import { hostname } from 'node:os'
import { z } from 'zod'

const optionalUrl = (protocols: string[], example: string) =>
  z
    .string()
    .trim()
    .url(`must be a URL such as ${example}`)
    .refine((value) => protocols.some((p) => value.startsWith(p)), `must start with ${protocols.join(' or ')}`)
    .optional()

const emptyToUndefined = (value: unknown) => (value === '' ? undefined : value)

/** Whether `value` is base64url (no padding) of exactly `bytes` bytes. */
const isBase64Url = (value: string, bytes: number) => /^[A-Za-z0-9_-]+$/.test(value) && Buffer.from(value, 'base64url').length === bytes

const envSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    APP_ENV: z.enum(['local', 'production']).default('local'),
    PORT: z.coerce.number().int().min(1).max(65535).default(3000),
    HOST: z.string().default('0.0.0.0'),
    /** Names this server among several behind a load balancer; defaults to host name and port. */
    NODE_NAME: z.preprocess(emptyToUndefined, z.string().max(200, 'must be at most 200 characters').optional()),
    PUBLIC_URL: z.string().url('must be the address people open, such as https://rounds.example.org').optional(),
    DATABASE_URL: z.preprocess(emptyToUndefined, optionalUrl(['postgres://', 'postgresql://'], 'postgres://user:pass@host:5432/rounds')),
    EMBEDDED_PG_PORT: z.coerce.number().int().min(1024).max(65535).default(54329),
    DATA_DIR: z.string().default('.data'),
    REDIS_URL: z.preprocess(emptyToUndefined, optionalUrl(['redis://', 'rediss://'], 'redis://127.0.0.1:6379')),
    /** Starts every key and stream this deployment keeps in Redis, so several deployments can share one. */
    REDIS_PREFIX: z.preprocess(
      emptyToUndefined,
      z
        .string()
        .regex(/^[A-Za-z0-9:_-]{1,60}$/, 'must be 1 to 60 letters, digits, colons, dashes or underscores, such as rounds-staging')
        .default('rounds'),
    ),
    /** Calls a minute to /api/v1 (docs/apps.md): per app, all its members together; per member, all their apps together. */
    API_RATE_PER_APP: z.coerce.number().int().min(1).max(1_000_000).default(600),
    API_RATE_PER_MEMBER: z.coerce.number().int().min(1).max(1_000_000).default(120),
    SMTP_URL: z.preprocess(emptyToUndefined, optionalUrl(['smtp://', 'smtps://'], 'smtps://user:pass@smtp.example.org:465')),
    MAIL_FROM: z.string().default('Rounds <no-reply@rounds.local>'),
    SESSION_SECRET: z.preprocess(
      emptyToUndefined,
      z.string().min(32, 'must be at least 32 characters').optional(),
    ),
    /** Encrypts registration numbers at rest (AES-256-GCM): 32 random bytes, base64. Separate from SESSION_SECRET. */
    REGISTRATION_NUMBER_KEY: z.preprocess(
      emptyToUndefined,
      z
        .string()
        .trim()
        .refine((value) => /^[A-Za-z0-9+/]+={0,2}$/.test(value) && Buffer.from(value, 'base64').length === 32, 'must be 32 random bytes in base64, such as the output of `openssl rand -base64 32`')
        .optional(),
    ),
    MEILI_HOST: z.preprocess(emptyToUndefined, optionalUrl(['http://', 'https://'], 'http://127.0.0.1:7700')),
    MEILI_API_KEY: z.preprocess(emptyToUndefined, z.string().trim().min(16, 'must be at least 16 characters (a Meilisearch API key)').optional()),
    LIVEKIT_URL: z.preprocess(emptyToUndefined, optionalUrl(['ws://', 'wss://', 'http://', 'https://'], 'wss://livekit.example.org')),
    LIVEKIT_API_KEY: z.preprocess(emptyToUndefined, z.string().trim().min(1).optional()),
    LIVEKIT_API_SECRET: z.preprocess(emptyToUndefined, z.string().trim().min(32, 'must be at least 32 characters').optional()),
    /** Recordings go to this S3-compatible bucket when all of BUCKET, REGION, ACCESS_KEY and SECRET are set. */
    RECORDINGS_S3_BUCKET: z.preprocess(emptyToUndefined, z.string().trim().min(3, 'must be a bucket name').optional()),
    RECORDINGS_S3_REGION: z.preprocess(emptyToUndefined, z.string().trim().min(1).optional()),
    RECORDINGS_S3_ACCESS_KEY: z.preprocess(emptyToUndefined, z.string().trim().min(1).optional()),
    RECORDINGS_S3_SECRET: z.preprocess(emptyToUndefined, z.string().trim().min(1).optional()),
    /** For MinIO and other S3-compatible stores; AWS S3 needs none. */
    RECORDINGS_S3_ENDPOINT: z.preprocess(emptyToUndefined, optionalUrl(['http://', 'https://'], 'http://minio:9000')),
    /** Without S3: where egress writes recordings, inside the egress container. */
    EGRESS_OUTPUT_DIR: z.preprocess(emptyToUndefined, z.string().trim().startsWith('/', 'must be an absolute path such as /out').default('/out')),
    /** Without S3: the same directory as this server sees it (a shared volume); defaults to DATA_DIR/recordings. */
    RECORDINGS_DIR: z.preprocess(emptyToUndefined, z.string().trim().optional()),
    /** Sign in with Google: the OAuth client Google issued for this site; both or neither. */
    GOOGLE_CLIENT_ID: z.preprocess(emptyToUndefined, z.string().trim().min(1).optional()),
    GOOGLE_CLIENT_SECRET: z.preprocess(emptyToUndefined, z.string().trim().min(1).optional()),
    /**
     * For tests and self-hosted setups: another OpenID Connect issuer to use in Google's place,
     * found through its discovery document. Unset: Google's own endpoints.
     */
    GOOGLE_OIDC_ISSUER: z.preprocess(emptyToUndefined, optionalUrl(['http://', 'https://'], 'https://accounts.example.org')),
    /** Web push (VAPID, RFC 8292): all three or none. Locally a pair is made once and kept in DATA_DIR. */
    VAPID_PUBLIC_KEY: z.preprocess(
      emptyToUndefined,
      z.string().trim().refine((value) => isBase64Url(value, 65), 'must be an uncompressed P-256 public key in base64url (87 characters), such as the output of `npx web-push generate-vapid-keys`').optional(),
    ),
    VAPID_PRIVATE_KEY: z.preprocess(
      emptyToUndefined,
      z.string().trim().refine((value) => isBase64Url(value, 32), 'must be a P-256 private key in base64url (43 characters), such as the output of `npx web-push generate-vapid-keys`').optional(),
    ),
    /** Who push services may contact about this sender: mailto: or https:. */
    VAPID_SUBJECT: z.preprocess(emptyToUndefined, optionalUrl(['mailto:', 'https://'], 'mailto:ops@rounds.example.org')),
    /** SMS and WhatsApp: a provider taking a JSON POST (server/notifications/sms.ts), with a bearer token. */
    SMS_PROVIDER_URL: z.preprocess(emptyToUndefined, optionalUrl(['https://', 'http://'], 'https://sms.example.org/v1/messages')),
    SMS_PROVIDER_TOKEN: z.preprocess(emptyToUndefined, z.string().trim().min(8, 'must be at least 8 characters (the provider token)').optional()),
    /** Which of the provider's channels to offer: sms, whatsapp or both, comma-separated. */
    SMS_PROVIDER_CHANNELS: z.preprocess(
      emptyToUndefined,
      z
        .string()
        .trim()
        .regex(/^(sms|whatsapp)(,(sms|whatsapp))?$/, 'must be sms, whatsapp or sms,whatsapp')
        .default('sms')
        .transform((value) => [...new Set(value.split(','))] as ('sms' | 'whatsapp')[]),
    ),
    /** A MaxMind GeoLite2/GeoIP2 City database (.mmdb): sign-in notices then name an approximate place. */
    GEOIP_DB_PATH: z.preprocess(emptyToUndefined, z.string().trim().optional()),
    /** The grievance officer named on /privacy (DPDP Act 2023, s. 8(10); GDPR art. 37 data protection officer). */
    GRIEVANCE_OFFICER_NAME: z.preprocess(emptyToUndefined, z.string().trim().max(200).default('The Rounds Grievance Officer')),
    GRIEVANCE_OFFICER_EMAIL: z.preprocess(emptyToUndefined, z.string().trim().email('must be an email address').default('grievance@rounds.local')),
    SEED_DEMO_DATA: z
      .enum(['true', 'false', '1', '0'])
      .default('true')
      .transform((v) => v === 'true' || v === '1'),
  })
  .superRefine((env, ctx) => {
    if (env.APP_ENV !== 'production') return
    if (!env.SMTP_URL) ctx.addIssue({ code: 'custom', path: ['SMTP_URL'], message: 'is required when APP_ENV=production (there is no dev mailbox in production)' })
    if (!env.PUBLIC_URL?.startsWith('https://')) ctx.addIssue({ code: 'custom', path: ['PUBLIC_URL'], message: 'must be an https:// address when APP_ENV=production' })
    if (!env.SESSION_SECRET) ctx.addIssue({ code: 'custom', path: ['SESSION_SECRET'], message: 'is required when APP_ENV=production' })
    if (!env.REGISTRATION_NUMBER_KEY) ctx.addIssue({ code: 'custom', path: ['REGISTRATION_NUMBER_KEY'], message: 'is required when APP_ENV=production' })
  })
  .superRefine((env, ctx) => {
    // Search uses Meilisearch only with both; a half-configured one is a mistake worth stopping for.
    if (env.MEILI_HOST && !env.MEILI_API_KEY) ctx.addIssue({ code: 'custom', path: ['MEILI_API_KEY'], message: 'is required when MEILI_HOST is set' })
    if (env.MEILI_API_KEY && !env.MEILI_HOST) ctx.addIssue({ code: 'custom', path: ['MEILI_HOST'], message: 'is required when MEILI_API_KEY is set' })
  })
  .superRefine((env, ctx) => {
    // Live audio/video needs all three LiveKit settings; some but not all is a mistake worth stopping for.
    const names = ['LIVEKIT_URL', 'LIVEKIT_API_KEY', 'LIVEKIT_API_SECRET'] as const
    const missing = names.filter((name) => !env[name])
    if (missing.length === 0 || missing.length === names.length) return
    const given = names.filter((name) => env[name]).join(', ')
    for (const name of missing) ctx.addIssue({ code: 'custom', path: [name], message: `is required when ${given} is set (LiveKit needs all three)` })
  })
  .superRefine((env, ctx) => {
    // Google sign-in needs the client id and its secret; one without the other cannot sign anyone in.
    if (env.GOOGLE_CLIENT_ID && !env.GOOGLE_CLIENT_SECRET) ctx.addIssue({ code: 'custom', path: ['GOOGLE_CLIENT_SECRET'], message: 'is required when GOOGLE_CLIENT_ID is set' })
    if (env.GOOGLE_CLIENT_SECRET && !env.GOOGLE_CLIENT_ID) ctx.addIssue({ code: 'custom', path: ['GOOGLE_CLIENT_ID'], message: 'is required when GOOGLE_CLIENT_SECRET is set' })
    if (env.GOOGLE_OIDC_ISSUER && !env.GOOGLE_CLIENT_ID) ctx.addIssue({ code: 'custom', path: ['GOOGLE_CLIENT_ID'], message: 'is required when GOOGLE_OIDC_ISSUER is set' })
    if (env.APP_ENV === 'production' && env.GOOGLE_OIDC_ISSUER?.startsWith('http://')) {
      ctx.addIssue({ code: 'custom', path: ['GOOGLE_OIDC_ISSUER'], message: 'must be an https:// address when APP_ENV=production' })
    }
  })
  .superRefine((env, ctx) => {
    // Recordings to S3 need bucket, region and both keys; some but not all would lose recordings.
    const names = ['RECORDINGS_S3_BUCKET', 'RECORDINGS_S3_REGION', 'RECORDINGS_S3_ACCESS_KEY', 'RECORDINGS_S3_SECRET'] as const
    const missing = names.filter((name) => !env[name])
    if (missing.length === names.length) {
      if (env.RECORDINGS_S3_ENDPOINT) {
        ctx.addIssue({ code: 'custom', path: ['RECORDINGS_S3_BUCKET'], message: 'is required when RECORDINGS_S3_ENDPOINT is set (S3 needs bucket, region and keys)' })
      }
      return
    }
    if (missing.length === 0) return
    const given = names.filter((name) => env[name]).join(', ')
    for (const name of missing) ctx.addIssue({ code: 'custom', path: [name], message: `is required when ${given} is set (recordings to S3 need all four)` })
  })
  .superRefine((env, ctx) => {
    // Push needs the key pair and a contact; some but not all is a mistake worth stopping for.
    const names = ['VAPID_PUBLIC_KEY', 'VAPID_PRIVATE_KEY', 'VAPID_SUBJECT'] as const
    const missing = names.filter((name) => !env[name])
    if (missing.length === 0 || missing.length === names.length) return
    const given = names.filter((name) => env[name]).join(', ')
    for (const name of missing) ctx.addIssue({ code: 'custom', path: [name], message: `is required when ${given} is set (web push needs all three)` })
  })
  .superRefine((env, ctx) => {
    if (env.SMS_PROVIDER_URL && !env.SMS_PROVIDER_TOKEN) ctx.addIssue({ code: 'custom', path: ['SMS_PROVIDER_TOKEN'], message: 'is required when SMS_PROVIDER_URL is set' })
    if (env.SMS_PROVIDER_TOKEN && !env.SMS_PROVIDER_URL) ctx.addIssue({ code: 'custom', path: ['SMS_PROVIDER_URL'], message: 'is required when SMS_PROVIDER_TOKEN is set' })
    if (env.APP_ENV === 'production' && env.SMS_PROVIDER_URL?.startsWith('http://')) {
      ctx.addIssue({ code: 'custom', path: ['SMS_PROVIDER_URL'], message: 'must be an https:// address when APP_ENV=production' })
    }
  })

export type Config = z.infer<typeof envSchema> & {
  /** A short stable tag for this node, stamped on the live-room stays it opens. */
  nodeTag: string
  /** NODE_NAME, or the host name and port: names this node in the heartbeat table. */
  nodeName: string
  publicUrl: string
  isProduction: boolean
  devMailbox: boolean
  secureCookies: boolean
  secret: string
  /** The 32-byte key registration numbers are encrypted with. */
  registrationNumberKey: Buffer
}

export class ConfigError extends Error {}

export function parseConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const result = envSchema.safeParse(env)
  if (!result.success) {
    const lines = result.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`)
    throw new ConfigError(`Rounds cannot start: some environment variables are wrong.\n${lines.join('\n')}`)
  }
  const parsed = result.data
  const publicUrl = parsed.PUBLIC_URL ?? `http://localhost:${parsed.PORT}`
  const isProduction = parsed.APP_ENV === 'production'
  const nodeName = parsed.NODE_NAME ?? `${hostname()}:${parsed.PORT}`
  return {
    ...parsed,
    nodeTag: createHash('sha256').update(nodeName).digest('hex').slice(0, 12),
    nodeName,
    publicUrl,
    isProduction,
    devMailbox: !isProduction && !parsed.SMTP_URL,
    secureCookies: publicUrl.startsWith('https://'),
    // Locally a fixed secret keeps sessions and codes valid across restarts.
    secret: parsed.SESSION_SECRET ?? 'rounds-local-development-secret-not-for-production',
    // Locally a fixed key keeps the demo's numbers readable across restarts, like the secret above.
    registrationNumberKey: parsed.REGISTRATION_NUMBER_KEY
      ? Buffer.from(parsed.REGISTRATION_NUMBER_KEY, 'base64')
      : createHash('sha256').update('rounds-local-registration-number-key-not-for-production').digest(),
  }
}

let cached: Config | undefined
export function config(): Config {
  cached ??= parseConfig()
  return cached
}
