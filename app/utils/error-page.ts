import { PublicError } from '#db/errors'

/**
 * Runs a data-layer call for a loader or action: a PublicError (such as "club not found", or a
 * staff page answered as missing) becomes the HTTP error page with its message and status;
 * anything else stays a 500.
 */
export async function orErrorPage<T>(work: Promise<T>): Promise<T> {
  try {
    return await work
  } catch (error) {
    if (error instanceof PublicError) throw new Response(error.message, { status: error.status })
    throw error
  }
}
