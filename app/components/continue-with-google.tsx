/**
 * Starts signing in with Google. A plain link: the answer sends the browser on to Google, so
 * Remix's client-side navigation has nothing to do here.
 */
export function ContinueWithGoogle({ redirectTo }: { redirectTo?: string | null }) {
  const href = redirectTo && redirectTo !== '/' ? `/auth/google?redirectTo=${encodeURIComponent(redirectTo)}` : '/auth/google'
  return (
    <div className="mt-6 border-t border-slate-200 pt-6">
      <a
        href={href}
        className="flex w-full items-center justify-center gap-2 rounded-md border border-slate-300 bg-white px-4 py-2 font-semibold text-slate-800 hover:bg-slate-50"
      >
        Continue with Google
      </a>
    </div>
  )
}
