import { writeFileSync } from 'node:fs'

/*
 * A small MaxMind DB file (the MMDB format, version 2.0) for tests: real City records for a few
 * IPv4 networks, read by the same `maxmind` reader as a GeoLite2 or GeoIP2 City database. It lets
 * the approximate place of a sign-in or an app's last use be tested without MaxMind's own files,
 * which cannot be downloaded on this machine. Format: https://maxmind.github.io/MaxMind-DB/
 */

type Value = string | number | bigint | Value[] | { [key: string]: Value }

function control(type: number, size: number): number[] {
  if (size >= 29) throw new Error('mmdb: values this large are not needed by the tests')
  return type <= 7 ? [(type << 5) | size] : [size, type - 7]
}

function unsigned(type: number, value: number | bigint): number[] {
  const bytes: number[] = []
  for (let v = BigInt(value); v > 0n; v >>= 8n) bytes.unshift(Number(v & 0xffn))
  return [...control(type, bytes.length), ...bytes]
}

function encode(value: Value): number[] {
  if (typeof value === 'string') {
    const bytes = [...Buffer.from(value, 'utf8')]
    return [...control(2, bytes.length), ...bytes]
  }
  if (typeof value === 'bigint') return unsigned(9, value)
  if (typeof value === 'number') return unsigned(value > 0xffff ? 6 : 5, value)
  if (Array.isArray(value)) return [...control(11, value.length), ...value.flatMap(encode)]
  const entries = Object.entries(value)
  return [...control(7, entries.length), ...entries.flatMap(([k, v]) => [...encode(k), ...encode(v)])]
}

export type Place = { network: string; city?: string; country: string; isoCode: string }

/** Writes a City database answering for each network (`a.b.c.d/prefix`, IPv4), and returns its path. */
export function writeCityDatabase(file: string, places: Place[]): string {
  // The search tree: one node per bit along each network's path; records are 24 bits.
  const nodes: [number | null, number | null][] = [[null, null]]
  const data: number[] = []
  const leaves: { node: number; bit: number; offset: number }[] = []
  for (const place of places) {
    const [address, prefixText] = place.network.split('/')
    const prefix = Number(prefixText)
    const bits = address.split('.').reduce((n, part) => (n << 8) | Number(part), 0) >>> 0
    const offset = data.length
    const record: Value = {
      city: place.city ? { names: { en: place.city } } : {},
      country: { iso_code: place.isoCode, names: { en: place.country } },
    }
    if (!place.city) delete (record as Record<string, Value>).city
    data.push(...encode(record))
    let node = 0
    for (let i = 0; i < prefix; i++) {
      const bit = (bits >>> (31 - i)) & 1
      if (i === prefix - 1) {
        leaves.push({ node, bit, offset })
        break
      }
      let next = nodes[node][bit]
      if (next === null) {
        next = nodes.length
        nodes.push([null, null])
        nodes[node][bit] = next
      }
      node = next
    }
  }
  const nodeCount = nodes.length
  const tree = Buffer.alloc(nodeCount * 6)
  const put = (at: number, value: number) => tree.writeUIntBE(value, at, 3)
  nodes.forEach(([left, right], i) => {
    put(i * 6, left ?? nodeCount)
    put(i * 6 + 3, right ?? nodeCount)
  })
  for (const leaf of leaves) put(leaf.node * 6 + leaf.bit * 3, nodeCount + 16 + leaf.offset)
  const metadata = encode({
    node_count: nodeCount,
    record_size: 24,
    ip_version: 4,
    database_type: 'GeoLite2-City',
    languages: ['en'],
    binary_format_major_version: 2,
    binary_format_minor_version: 0,
    build_epoch: BigInt(Math.floor(Date.now() / 1000)),
    description: { en: 'Rounds test places' },
  })
  writeFileSync(
    file,
    Buffer.concat([tree, Buffer.alloc(16), Buffer.from(data), Buffer.from([0xab, 0xcd, 0xef]), Buffer.from('MaxMind.com'), Buffer.from(metadata)]),
  )
  return file
}
