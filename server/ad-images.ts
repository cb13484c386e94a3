import { randomUUID } from 'node:crypto'
import { mkdir, rename, writeFile } from 'node:fs/promises'
import path from 'node:path'
import sharp from 'sharp'
import { PublicError } from '../db/errors'
import { PHOTO_MAX_BYTES, uploadsDir } from './uploads'

export const AD_IMAGE_MAX_BYTES = PHOTO_MAX_BYTES
const ACCEPTED_FORMATS = new Set(['jpeg', 'png', 'webp', 'gif', 'avif'])

/**
 * An ad's image: the bytes must decode as an image (a file named .png that is not one is
 * refused), then it is stored re-encoded as a 1200×628 WebP with its metadata stripped.
 */
export async function storeAdImage(bytes: Uint8Array): Promise<string> {
  if (bytes.byteLength === 0) throw new PublicError('Choose an image for the ad.', 400, 'image')
  if (bytes.byteLength > AD_IMAGE_MAX_BYTES) throw new PublicError('The image must be 5 MB or smaller.', 413, 'image')
  let format: string | undefined
  try {
    const meta = await sharp(bytes).metadata()
    format = meta.width && meta.height && meta.width * meta.height <= 50_000_000 ? meta.format : undefined
  } catch {
    format = undefined
  }
  if (!format || !ACCEPTED_FORMATS.has(format)) {
    throw new PublicError('That file is not an image we can use. Upload a JPEG, PNG, WebP or GIF.', 400, 'image')
  }
  const output = await sharp(bytes, { animated: false }).rotate().resize(1200, 628, { fit: 'cover' }).webp({ quality: 82 }).toBuffer()
  const name = `ad-${randomUUID()}.webp`
  await mkdir(uploadsDir(), { recursive: true })
  const partial = path.join(uploadsDir(), `.${name}.part`)
  await writeFile(partial, output)
  await rename(partial, path.join(uploadsDir(), name))
  return name
}
