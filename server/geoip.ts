import maxmind, { type CityResponse, type Reader } from 'maxmind'
import { config } from './config'

/*
 * The approximate place of an address, for a new-device sign-in notice and a connected app's last
 * use: only with a MaxMind City database at GEOIP_DB_PATH (GeoLite2 or GeoIP2), read locally, never
 * a web service. Without one, no place is named anywhere.
 */

let geoip: { path: string; reader: Promise<Reader<CityResponse> | null> } | undefined

function geoipReader(dbPath: string) {
  if (geoip?.path !== dbPath) {
    geoip = {
      path: dbPath,
      reader: maxmind.open<CityResponse>(dbPath).catch((error: unknown) => {
        console.error(`[rounds] GEOIP_DB_PATH ${dbPath} could not be opened; no place is named.`, error)
        return null
      }),
    }
  }
  return geoip.reader
}

/** "Leeds, United Kingdom", "United Kingdom", or null (no database, a private address, not found). */
export async function approximatePlace(ipAddress: string | null | undefined): Promise<string | null> {
  const dbPath = config().GEOIP_DB_PATH
  if (!dbPath || !ipAddress) return null
  const ip = ipAddress.replace(/^::ffff:/, '')
  if (!maxmind.validate(ip)) return null
  const reader = await geoipReader(dbPath)
  let found: CityResponse | null | undefined
  try {
    found = reader?.get(ip)
  } catch {
    // An IPv6 address asked of an IPv4-only database, for one.
    return null
  }
  const city = found?.city?.names.en
  const country = found?.country?.names.en
  return [city, country].filter(Boolean).join(', ') || null
}
