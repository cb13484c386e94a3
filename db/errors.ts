/**
 * An error whose message is written for the person using Rounds. Routes and
 * socket handlers turn it into a 4xx or an error ack; anything else is a 500.
 */
export class PublicError extends Error {
  constructor(
    message: string,
    readonly status: 400 | 401 | 403 | 404 | 409 | 410 | 413 | 422 | 429 = 400,
    readonly field?: string,
  ) {
    super(message)
    this.name = 'PublicError'
  }
}

export function isUniqueViolation(error: unknown, constraint?: string) {
  const e = error as { code?: string; constraint_name?: string; cause?: unknown }
  if (e?.code === '23505') return constraint ? e.constraint_name === constraint : true
  if (e?.cause) return isUniqueViolation(e.cause, constraint)
  return false
}
