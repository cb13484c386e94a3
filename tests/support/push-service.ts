import { createECDH, createPublicKey, createDecipheriv, hkdfSync, randomBytes, verify } from 'node:crypto'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createServer, globalAgent, type Server } from 'node:https'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'

/*
 * A stand-in for a browser's push service (RFC 8030) over real TLS, and the browser's side of a
 * subscription: its P-256 key pair and auth secret, and the RFC 8291 (aes128gcm) decryption a
 * browser does, written here from the RFC with Node's crypto so the test checks what web-push sent.
 */

export type PushRequest = { path: string; headers: Record<string, string | string[] | undefined>; body: Buffer }

/** A self-signed certificate for 127.0.0.1, trusted by this process's default HTTPS agent. */
function selfSignedCertificate() {
  const dir = mkdtempSync(path.join(tmpdir(), 'push-tls-'))
  try {
    const key = path.join(dir, 'key.pem')
    const cert = path.join(dir, 'cert.pem')
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
      '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', key, '-out', cert,
    ], { stdio: 'ignore' })
    return { key: readFileSync(key), cert: readFileSync(cert) }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

export function pushService() {
  const received: PushRequest[] = []
  /** Answers for the next requests, in order; then 201. */
  const answers: number[] = []
  let server: Server | undefined
  let origin = ''
  return {
    received,
    answers,
    get origin() {
      return origin
    },
    async start() {
      const tls = selfSignedCertificate()
      globalAgent.options.ca = tls.cert
      server = createServer({ key: tls.key, cert: tls.cert }, (req, res) => {
        const chunks: Buffer[] = []
        req.on('data', (chunk: Buffer) => chunks.push(chunk))
        req.on('end', () => {
          received.push({ path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) })
          const status = answers.shift() ?? 201
          if (status === 201) res.writeHead(201, { location: `${origin}/messages/${received.length}` })
          else res.writeHead(status)
          res.end(status === 201 ? '' : `status ${status}`)
        })
      })
      await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve))
      origin = `https://127.0.0.1:${(server.address() as AddressInfo).port}`
      return origin
    },
    async stop() {
      globalAgent.options.ca = undefined
      await new Promise<void>((resolve) => server?.close(() => resolve()) ?? resolve())
    },
  }
}

/** A browser's subscription: what it sends the server, and the private half it decrypts with. */
export function browserSubscription(endpoint: string) {
  const ecdh = createECDH('prime256v1')
  const publicKey = ecdh.generateKeys()
  const auth = randomBytes(16)
  return {
    json: { endpoint, keys: { p256dh: publicKey.toString('base64url'), auth: auth.toString('base64url') } },
    /** RFC 8291 §3 and RFC 8188: the plaintext of an aes128gcm push message body. */
    decrypt(body: Buffer) {
      const salt = body.subarray(0, 16)
      const idLength = body.readUInt8(20)
      const serverKey = body.subarray(21, 21 + idLength)
      const ciphertext = body.subarray(21 + idLength)
      const shared = ecdh.computeSecret(serverKey)
      const keyInfo = Buffer.concat([Buffer.from('WebPush: info\0'), publicKey, serverKey])
      const ikm = Buffer.from(hkdfSync('sha256', shared, auth, keyInfo, 32))
      const cek = Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: aes128gcm\0'), 16))
      const nonce = Buffer.from(hkdfSync('sha256', ikm, salt, Buffer.from('Content-Encoding: nonce\0'), 12))
      const decipher = createDecipheriv('aes-128-gcm', cek, nonce)
      decipher.setAuthTag(ciphertext.subarray(ciphertext.length - 16))
      const padded = Buffer.concat([decipher.update(ciphertext.subarray(0, ciphertext.length - 16)), decipher.final()])
      // The last record ends with the delimiter 0x02, then zero padding.
      const end = padded.lastIndexOf(2)
      return padded.subarray(0, end).toString('utf8')
    },
  }
}

/** RFC 8292: checks the `Authorization: vapid t=<JWT>, k=<key>` header; returns the JWT's claims. */
export function verifyVapid(header: string | undefined, expectedPublicKey: string) {
  const match = /^vapid t=([\w-]+\.[\w-]+\.[\w-]+), k=([\w-]+)$/.exec(header ?? '')
  if (!match) throw new Error(`Not a VAPID header: ${header}`)
  const [token, key] = [match[1], match[2]]
  if (key !== expectedPublicKey) throw new Error('The VAPID key is not the server’s.')
  const [head, claims, signature] = token.split('.')
  const point = Buffer.from(key, 'base64url')
  const publicKey = createPublicKey({
    key: { kty: 'EC', crv: 'P-256', x: point.subarray(1, 33).toString('base64url'), y: point.subarray(33, 65).toString('base64url') },
    format: 'jwk',
  })
  const valid = verify('sha256', Buffer.from(`${head}.${claims}`), { key: publicKey, dsaEncoding: 'ieee-p1363' }, Buffer.from(signature, 'base64url'))
  if (!valid) throw new Error('The VAPID signature does not verify.')
  return JSON.parse(Buffer.from(claims, 'base64url').toString('utf8')) as { aud: string; exp: number; sub: string }
}
