import { useEffect, useRef, type ReactNode } from 'react'

/**
 * A field's or a form's errors, announced as an alert. The alert wraps the list, so the list keeps
 * its role. `focus`: each new set of errors takes keyboard focus (a form-wide error, such as a
 * refused sign-in, where the person would otherwise have to hunt for it).
 */
export function FieldErrors({ id, errors, focus = false }: { id: string; errors?: string[] | null; focus?: boolean }) {
  const box = useRef<HTMLDivElement>(null)
  const key = errors?.join('\n') ?? ''
  useEffect(() => {
    if (focus && key) box.current?.focus()
  }, [focus, key])
  if (!errors?.length) return null
  return (
    <div id={id} ref={box} role="alert" tabIndex={focus ? -1 : undefined} className="mt-1 text-sm text-red-700 focus:outline-none">
      <ul className="space-y-0.5">
        {errors.map((e) => (
          <li key={e}>{e}</li>
        ))}
      </ul>
    </div>
  )
}

export const inputClass =
  'mt-1 block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-slate-900 shadow-sm aria-[invalid=true]:border-red-600'

export function Field({
  label,
  hint,
  errors,
  errorId,
  children,
}: {
  label: ReactNode
  hint?: ReactNode
  errors?: string[] | null
  errorId: string
  children: ReactNode
}) {
  return (
    <div>
      <label className="block text-sm font-medium text-slate-800">
        {label}
        {children}
      </label>
      {hint ? <p className="mt-1 text-xs text-slate-500">{hint}</p> : null}
      <FieldErrors id={errorId} errors={errors} />
    </div>
  )
}

export function SubmitButton({ children, pending }: { children: ReactNode; pending?: boolean }) {
  return (
    <button
      type="submit"
      disabled={pending}
      className="rounded-md bg-brand-600 px-4 py-2 font-semibold text-white hover:bg-brand-700 disabled:opacity-60"
    >
      {children}
    </button>
  )
}

export function FormCard({ title, intro, children }: { title: string; intro?: ReactNode; children: ReactNode }) {
  return (
    <section className="mx-auto max-w-md rounded-xl border border-slate-200 bg-white p-6 shadow-sm sm:p-8">
      <h1 className="text-2xl font-semibold">{title}</h1>
      {intro ? <div className="mt-2 text-slate-600">{intro}</div> : null}
      <div className="mt-6">{children}</div>
    </section>
  )
}
