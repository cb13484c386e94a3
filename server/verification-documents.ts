import { randomUUID } from 'node:crypto'
import { mkdir, readFile, rename, rm, unlink, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { PublicError } from '../db/errors'
import { config } from './config'

/*
 * Registration documents (a certificate or council ID) a doctor uploads to be verified. They live
 * in a private directory, one folder per person, outside anything served: only the staff-only
 * resource route reads them, and they are deleted once a verifier decides, or on erasure.
 */

export const DOCUMENT_MAX_BYTES = 5 * 1024 * 1024

export type DocumentType = 'application/pdf' | 'image/jpeg' | 'image/png' | 'image/webp'

const EXTENSIONS: Record<DocumentType, string> = {
  'application/pdf': 'pdf',
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'image/webp': 'webp',
}

export function verificationDocumentsDir() {
  return path.resolve(config().DATA_DIR, 'verification')
}

const startsWith = (bytes: Uint8Array, prefix: number[], at = 0) => prefix.every((b, i) => bytes[at + i] === b)

/** What the bytes are, by their first bytes (not the name or the type the browser claimed). */
export function sniffDocumentType(bytes: Uint8Array): DocumentType | null {
  if (startsWith(bytes, [0x25, 0x50, 0x44, 0x46, 0x2d])) return 'application/pdf' // %PDF-
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'image/jpeg'
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png'
  if (startsWith(bytes, [0x52, 0x49, 0x46, 0x46]) && startsWith(bytes, [0x57, 0x45, 0x42, 0x50], 8)) return 'image/webp'
  return null
}

/** Refuses an empty, too large or unknown file with a sentence for the doctor; returns its type. */
export function checkDocument(bytes: Uint8Array): DocumentType {
  if (bytes.byteLength === 0) throw new PublicError('Upload your registration certificate or council ID.', 400, 'document')
  if (bytes.byteLength > DOCUMENT_MAX_BYTES) throw new PublicError('The document must be 5 MB or smaller.', 413, 'document')
  const type = sniffDocumentType(bytes)
  if (!type) throw new PublicError('That file is not a PDF or a photo we can read. Upload a PDF, JPEG, PNG or WebP.', 400, 'document')
  return type
}

const userDir = (userId: string) => {
  if (!/^[A-Za-z0-9_-]+$/.test(userId)) throw new Error('Unexpected user id')
  return path.join(verificationDocumentsDir(), userId)
}

const filePath = (userId: string, name: string) => {
  if (!/^[0-9a-f-]+\.(pdf|jpg|png|webp)$/.test(name)) throw new Error('Unexpected document name')
  return path.join(userDir(userId), name)
}

export async function storeDocument(userId: string, bytes: Uint8Array, type: DocumentType): Promise<string> {
  const name = `${randomUUID()}.${EXTENSIONS[type]}`
  await mkdir(userDir(userId), { recursive: true, mode: 0o700 })
  // Written under a temporary name and renamed, so a crash mid-write never leaves half a document.
  const partial = path.join(userDir(userId), `.${name}.part`)
  try {
    await writeFile(partial, bytes, { mode: 0o600 })
    await rename(partial, filePath(userId, name))
  } catch (error) {
    await unlink(partial).catch(() => {})
    throw error
  }
  return name
}

export async function readDocument(userId: string, name: string) {
  return readFile(filePath(userId, name))
}

export async function deleteDocument(userId: string, name: string | null) {
  if (!name) return
  await rm(filePath(userId, name), { force: true })
}

/** Every document of a person: on erasure, after the rows are gone. */
export async function deleteAllDocuments(userId: string) {
  await rm(userDir(userId), { recursive: true, force: true })
}
