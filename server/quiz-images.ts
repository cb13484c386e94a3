import { readFile, unlink } from 'node:fs/promises'
import path from 'node:path'
import sharp from 'sharp'
import { config } from './config'
import { requirePhoto, writeWebpFile } from './uploads'

/*
 * A quiz question's image. Stored outside the public uploads folder: only the quiz's image route
 * (/q/:id/images/:name) reads it, after the quiz's own access check (db/quizzes/editing.ts).
 */

export { PHOTO_MAX_BYTES as QUIZ_IMAGE_MAX_BYTES } from './uploads'

const NAME = /^[0-9a-f-]{36}\.webp$/

export const isQuizImageName = (name: unknown): name is string => typeof name === 'string' && NAME.test(name)

export function quizImagesDir() {
  return path.resolve(config().DATA_DIR, 'quiz-images')
}

/** Checks the bytes are an image, then stores it re-encoded as WebP (at most 1200×900, metadata stripped). */
export async function storeQuizImage(bytes: Uint8Array): Promise<string> {
  await requirePhoto(bytes, { field: 'image', noun: 'image' })
  const output = await sharp(bytes, { animated: false })
    .rotate()
    .resize(1200, 900, { fit: 'inside', withoutEnlargement: true })
    .webp({ quality: 82 })
    .toBuffer()
  return writeWebpFile(quizImagesDir(), output)
}

export async function readQuizImage(name: string) {
  if (!isQuizImageName(name)) throw new Error('Unexpected quiz image name')
  return readFile(path.join(quizImagesDir(), name))
}

export async function deleteQuizImage(name: string | null) {
  if (!isQuizImageName(name)) return
  await unlink(path.join(quizImagesDir(), name)).catch(() => {})
}
