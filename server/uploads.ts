import { randomUUID } from 'node:crypto'
import { mkdir, rename, unlink, writeFile } from 'node:fs/promises'
import path from 'node:path'
import sharp from 'sharp'
import { PublicError } from '../db/errors'
import { config } from './config'

export const PHOTO_MAX_BYTES = 5 * 1024 * 1024
const ACCEPTED_FORMATS = new Set(['jpeg', 'png', 'webp', 'gif', 'avif', 'heif'])

export function uploadsDir() {
  return path.resolve(config().DATA_DIR, 'uploads')
}

/**
 * Checks that the bytes are a photo (not just named like one), then stores a
 * square 512 px WebP with metadata stripped. Returns the stored file name.
 */
export async function storeProfilePhoto(bytes: Uint8Array): Promise<string> {
  await requirePhoto(bytes, { field: 'photo', noun: 'photo' })
  return storeWebp(bytes, 512, 512)
}

/** A club's cover: the same checks as a profile photo, stored as a wide 1200×400 WebP. */
export async function storeClubCover(bytes: Uint8Array): Promise<string> {
  await requirePhoto(bytes, { field: 'cover', noun: 'cover image' })
  return storeWebp(bytes, 1200, 400)
}

export async function requirePhoto(bytes: Uint8Array, { field, noun }: { field: string; noun: string }) {
  if (bytes.byteLength === 0) throw new PublicError(`Choose a ${noun} to upload.`, 400, field)
  if (bytes.byteLength > PHOTO_MAX_BYTES) {
    throw new PublicError(`The ${noun} must be 5 MB or smaller.`, 413, field)
  }
  let format: string | undefined
  try {
    const meta = await sharp(bytes).metadata()
    format = meta.format
    if (!meta.width || !meta.height || meta.width * meta.height > 50_000_000) format = undefined
  } catch {
    format = undefined
  }
  if (!format || !ACCEPTED_FORMATS.has(format)) {
    throw new PublicError('That file is not a photo we can use. Upload a JPEG, PNG, WebP or GIF.', 400, field)
  }
}

async function storeWebp(bytes: Uint8Array, width: number, height: number) {
  const output = await sharp(bytes, { animated: false })
    .rotate()
    .resize(width, height, { fit: 'cover' })
    .webp({ quality: 82 })
    .toBuffer()
  return writeWebpFile(uploadsDir(), output)
}

/**
 * Writes a WebP under a new random name in `dir` and returns the name. Written under a temporary
 * name and renamed, so a crash mid-write never leaves a served half file.
 */
export async function writeWebpFile(dir: string, output: Buffer): Promise<string> {
  const name = `${randomUUID()}.webp`
  await mkdir(dir, { recursive: true })
  const partial = path.join(dir, `.${name}.part`)
  try {
    await writeFile(partial, output)
    await rename(partial, path.join(dir, name))
  } catch (error) {
    await unlink(partial).catch(() => {})
    throw error
  }
  return name
}

export async function deleteUpload(name: string | null) {
  if (!name || name.includes('/') || name.includes('..')) return
  await unlink(path.join(uploadsDir(), name)).catch(() => {})
}
