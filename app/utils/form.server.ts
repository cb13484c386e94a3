import { unstable_parseMultipartFormData, type UploadHandler } from '@remix-run/node'
import {
  FORM_TYPES,
  NOT_A_FORM,
  UNREADABLE_FORM,
  UNUSUAL_CHARACTER,
  hasBoundary,
  mediaType,
} from '#server/http/bad-input'

/*
 * The one way an action reads its form. A body that is not a form, a form that cannot be read
 * and a NUL character (Postgres cannot store it in text) end here as a 4xx Response with a
 * sentence for the person, instead of an exception inside the action.
 *
 * Multipart bodies are read as a stream: a file stops being read at its limit, so an oversized
 * upload is refused after its limit's worth of bytes, not after all of them.
 */

/** The longest text field any form has (a club description, a quiz question) is far below this. */
export const MAX_TEXT_FIELD_BYTES = 100 * 1024

/** A part of a multipart form passed its limit: nothing of the form was used. */
export class FormPartTooLargeError extends Error {
  constructor(
    readonly field: string,
    readonly isFile: boolean,
  ) {
    super(`The form field ${field} is too large.`)
  }
}

export type ReadFormOptions = {
  /** File fields this form takes, with the most bytes each may hold. Other files are refused. */
  files?: Record<string, number>
}

const plain = (message: string, status: number) =>
  new Response(message, { status, headers: { 'Content-Type': 'text/plain; charset=utf-8' } })

export function hasNul(value: string) {
  return value.includes('\0')
}

export async function readForm(request: Request, options: ReadFormOptions = {}): Promise<FormData> {
  const contentType = request.headers.get('content-type')
  const type = mediaType(contentType)
  if (!FORM_TYPES.has(type)) throw plain(NOT_A_FORM, 415)
  if (type === 'application/x-www-form-urlencoded') return readUrlEncoded(request)
  if (!hasBoundary(contentType)) throw plain(UNREADABLE_FORM, 400)
  return readMultipart(request, options.files ?? {})
}

async function readUrlEncoded(request: Request) {
  let body: string
  try {
    body = await request.text()
  } catch {
    throw plain(UNREADABLE_FORM, 400)
  }
  const formData = new FormData()
  for (const [name, value] of new URLSearchParams(body)) {
    if (hasNul(name) || hasNul(value)) throw plain(UNUSUAL_CHARACTER, 400)
    formData.append(name, value)
  }
  return formData
}

async function readMultipart(request: Request, files: Record<string, number>) {
  const handler: UploadHandler = async ({ name, filename, contentType, data }) => {
    if (hasNul(name)) throw plain(UNUSUAL_CHARACTER, 400)
    const isFile = typeof filename === 'string'
    const limit = isFile ? files[name] : MAX_TEXT_FIELD_BYTES
    // A file where the form has none: no page sends one.
    if (limit === undefined) throw plain(UNREADABLE_FORM, 400)
    const chunks: Uint8Array[] = []
    let size = 0
    for await (const chunk of data) {
      size += chunk.byteLength
      if (size > limit) throw new FormPartTooLargeError(name, isFile)
      chunks.push(chunk)
    }
    if (isFile) {
      // Browsers send an empty part for a file input left empty.
      if (size === 0 && filename === '') return undefined
      return new File([Buffer.concat(chunks)], filename, { type: contentType })
    }
    const text = new TextDecoder().decode(Buffer.concat(chunks))
    if (hasNul(text)) throw plain(UNUSUAL_CHARACTER, 400)
    return text
  }
  try {
    return await unstable_parseMultipartFormData(request, handler)
  } catch (error) {
    if (error instanceof Response || error instanceof FormPartTooLargeError) throw error
    throw plain(UNREADABLE_FORM, 400)
  }
}
