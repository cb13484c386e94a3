import { describe, expect, it } from 'vitest'
import { ConfigError, parseConfig } from '../../server/config'

// NODE_ENV is typed as always set in process.env; these are partial environments.
const parse = (env: Record<string, string>) => parseConfig(env as NodeJS.ProcessEnv)

function configError(env: Record<string, string>): ConfigError {
  try {
    parse(env)
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError)
    return error as ConfigError
  }
  throw new Error(`parseConfig accepted ${JSON.stringify(env)}`)
}

const PRODUCTION = {
  APP_ENV: 'production',
  PUBLIC_URL: 'https://rounds.example.org',
  SMTP_URL: 'smtps://user:pass@smtp.example.org:465',
  SESSION_SECRET: 's'.repeat(32),
  REGISTRATION_NUMBER_KEY: Buffer.alloc(32, 7).toString('base64'),
}

describe('parseConfig', () => {
  it('runs locally with no settings at all', () => {
    const config = parse({})
    expect(config).toMatchObject({
      NODE_ENV: 'development',
      APP_ENV: 'local',
      PORT: 3000,
      HOST: '0.0.0.0',
      DATA_DIR: '.data',
      EMBEDDED_PG_PORT: 54329,
      SEED_DEMO_DATA: true,
      publicUrl: 'http://localhost:3000',
      isProduction: false,
      devMailbox: true,
      secureCookies: false,
    })
    expect(config.DATABASE_URL).toBeUndefined()
    expect(config.secret.length).toBeGreaterThanOrEqual(32)
  })

  it('reads numbers, flags and an empty DATABASE_URL as unset', () => {
    const config = parse({ PORT: '8080', SEED_DEMO_DATA: '0', DATABASE_URL: '', SMTP_URL: 'smtp://localhost:1025' })
    expect(config).toMatchObject({ PORT: 8080, SEED_DEMO_DATA: false, publicUrl: 'http://localhost:8080', devMailbox: false })
    expect(config.DATABASE_URL).toBeUndefined()
  })

  it.each(['abc', '0', '70000', '80.5', '-1'])('refuses PORT=%s, naming PORT', (port) => {
    const error = configError({ PORT: port })
    expect(error.message).toMatch(/^\s+PORT: /m)
    expect(error.message).not.toMatch(/^\s+(SMTP_URL|DATABASE_URL):/m)
  })

  it('refuses production without mail, an https address or a session secret, listing each', () => {
    const error = configError({ APP_ENV: 'production' })
    expect(error.message).toContain('Rounds cannot start')
    expect(error.message).toMatch(/^\s+SMTP_URL: is required when APP_ENV=production/m)
    expect(error.message).toMatch(/^\s+PUBLIC_URL: must be an https:\/\/ address/m)
    expect(error.message).toMatch(/^\s+SESSION_SECRET: is required when APP_ENV=production/m)
  })

  it.each([
    ['PUBLIC_URL', { PUBLIC_URL: 'http://rounds.example.org' }],
    ['SESSION_SECRET', { SESSION_SECRET: 'too-short' }],
    ['SMTP_URL', { SMTP_URL: 'https://mail.example.org' }],
  ])('refuses production with a bad %s alone', (name, override) => {
    const error = configError({ ...PRODUCTION, ...override })
    const named = error.message.split('\n').filter((line) => /^\s+\w+:/.test(line)).map((line) => line.trim().split(':')[0])
    expect(named).toEqual([name])
  })

  it('refuses production without a registration number key, and a key that is not 32 bytes of base64 anywhere', () => {
    const { REGISTRATION_NUMBER_KEY: _key, ...withoutKey } = PRODUCTION
    expect(configError(withoutKey).message).toMatch(/^\s+REGISTRATION_NUMBER_KEY: is required when APP_ENV=production/m)
    for (const bad of ['short', Buffer.alloc(16).toString('base64'), 'not base64 at all!'.repeat(3)]) {
      expect(configError({ REGISTRATION_NUMBER_KEY: bad }).message).toMatch(/^\s+REGISTRATION_NUMBER_KEY: must be 32 random bytes/m)
    }
    expect(parse({ REGISTRATION_NUMBER_KEY: PRODUCTION.REGISTRATION_NUMBER_KEY }).registrationNumberKey).toEqual(Buffer.alloc(32, 7))
    expect(parse({}).registrationNumberKey).toHaveLength(32)
  })

  it('accepts a complete production configuration with secure cookies and no dev mailbox', () => {
    const config = parse(PRODUCTION)
    expect(config).toMatchObject({ isProduction: true, devMailbox: false, secureCookies: true, secret: 's'.repeat(32) })
  })

  it.each(['mysql://root@db:3306/rounds', 'sqlite:///tmp/rounds.db', 'not a url'])('refuses DATABASE_URL=%s', (url) => {
    const error = configError({ DATABASE_URL: url })
    expect(error.message).toMatch(/^\s+DATABASE_URL: must/m)
    expect(error.message).not.toContain('root@db')
  })

  it('accepts both postgres URL spellings', () => {
    expect(parse({ DATABASE_URL: 'postgres://u:p@db:5432/rounds' }).DATABASE_URL).toBe('postgres://u:p@db:5432/rounds')
    expect(parse({ DATABASE_URL: 'postgresql://db/rounds' }).DATABASE_URL).toBe('postgresql://db/rounds')
  })

  it('starts Redis keys with rounds unless REDIS_PREFIX names another, and refuses one with spaces or braces', () => {
    expect(parse({}).REDIS_PREFIX).toBe('rounds')
    expect(parse({ REDIS_PREFIX: 'rounds-staging' }).REDIS_PREFIX).toBe('rounds-staging')
    for (const bad of ['two words', '{slot}', 'x'.repeat(61)]) {
      expect(configError({ REDIS_PREFIX: bad }).message).toContain('REDIS_PREFIX')
    }
  })
})

describe('parseConfig: LiveKit', () => {
  const LIVEKIT = { LIVEKIT_URL: 'wss://livekit.example.org', LIVEKIT_API_KEY: 'APIroundsTest', LIVEKIT_API_SECRET: 'x'.repeat(32) }
  const namedIn = (error: ConfigError) =>
    error.message.split('\n').filter((line) => /^\s+\w+:/.test(line)).map((line) => line.trim().split(':')[0])

  it('accepts all three or none', () => {
    expect(parse(LIVEKIT)).toMatchObject(LIVEKIT)
    const none = parse({})
    expect(none.LIVEKIT_URL).toBeUndefined()
    expect(none.LIVEKIT_API_KEY).toBeUndefined()
    expect(none.LIVEKIT_API_SECRET).toBeUndefined()
  })

  it.each(['ws://127.0.0.1:7880', 'wss://lk.example.org', 'http://127.0.0.1:7880', 'https://lk.example.org'])('accepts LIVEKIT_URL=%s', (url) => {
    expect(parse({ ...LIVEKIT, LIVEKIT_URL: url }).LIVEKIT_URL).toBe(url)
  })

  it.each([
    [['LIVEKIT_API_KEY', 'LIVEKIT_API_SECRET'], { LIVEKIT_URL: LIVEKIT.LIVEKIT_URL }],
    [['LIVEKIT_URL'], { LIVEKIT_API_KEY: LIVEKIT.LIVEKIT_API_KEY, LIVEKIT_API_SECRET: LIVEKIT.LIVEKIT_API_SECRET }],
    [['LIVEKIT_URL', 'LIVEKIT_API_SECRET'], { LIVEKIT_API_KEY: LIVEKIT.LIVEKIT_API_KEY }],
    [['LIVEKIT_API_SECRET'], { LIVEKIT_URL: LIVEKIT.LIVEKIT_URL, LIVEKIT_API_KEY: LIVEKIT.LIVEKIT_API_KEY, LIVEKIT_API_SECRET: '' }],
  ])('names exactly the missing %j when only some are set', (missing, env) => {
    const error = configError(env)
    expect(namedIn(error)).toEqual(missing)
    expect(error.message).toContain('LiveKit needs all three')
  })

  it('refuses a short secret and a non-LiveKit URL without echoing the secret', () => {
    const error = configError({ ...LIVEKIT, LIVEKIT_API_SECRET: 'short-secret-value', LIVEKIT_URL: 'ftp://lk.example.org' })
    expect(namedIn(error).sort()).toEqual(['LIVEKIT_API_SECRET', 'LIVEKIT_URL'])
    expect(error.message).toMatch(/^\s+LIVEKIT_API_SECRET: must be at least 32 characters/m)
    expect(error.message).not.toContain('short-secret-value')
  })
})
