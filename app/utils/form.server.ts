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

const plain = (message: string, status: number) =>
  new Response(message, { status, headers: { 'Content-Type': 'text/plain; charset=utf-8' } })

export function hasNul(value: string) {
  return value.includes('\0')
}

/** Reads a form that takes no files. A part over its limit is a 413 Response. */
export async function readForm(request: Request): Promise<FormData> {
  const form = await readUploadForm(request, {})
  if (form instanceof FormPartTooLargeError) throw plain('That is far more text than this form can hold.', 413)
  return form
}

/**
 * Reads a form with file fields (`files`: each field's most bytes). A part over its limit is
 * returned as a FormPartTooLargeError, so the page can show the message beside its field.
 * Files sent in other fields are dropped, as if the field were empty.
 */
export async function readUploadForm(request: Request, files: Record<string, number>): Promise<FormData | FormPartTooLargeError> {
  const contentType = request.headers.get('content-type')
  const type = mediaType(contentType)
  if (!FORM_TYPES.has(type)) throw plain(NOT_A_FORM, 415)
  if (type === 'application/x-www-form-urlencoded') return readUrlEncoded(request)
  if (!hasBoundary(contentType)) throw plain(UNREADABLE_FORM, 400)
  try {
    return await readMultipart(request, files)
  } catch (error) {
    if (error instanceof FormPartTooLargeError) return error
    throw error
  }
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
    if (limit === undefined) {
      // A file where the form takes text: read past it (the body limit bounds it) and drop it.
      for await (const chunk of data) void chunk
      return undefined
    }
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
  // The parser cancels the body when it stops early, and cancelling destroys the connection the
  // answer has to go out on; the rest of the body (at most the body limit) is read and dropped.
  const body = request.body ? drainOnCancel(request.body) : null
  const parsing = new Request(request.url, { method: request.method, headers: request.headers, body, duplex: 'half' } as RequestInit)
  try {
    return await unstable_parseMultipartFormData(parsing, handler)
  } catch (error) {
    if (error instanceof Response || error instanceof FormPartTooLargeError) throw error
    throw plain(UNREADABLE_FORM, 400)
  }
}

function drainOnCancel(source: ReadableStream<Uint8Array>): ReadableStream<Uint8Array> {
  const reader = source.getReader()
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const { done, value } = await reader.read()
      if (done) controller.close()
      else controller.enqueue(value)
    },
    cancel() {
      void (async () => {
        while (!(await reader.read()).done) {
          // dropped
        }
      })().catch(() => {})
    },
  })
}
