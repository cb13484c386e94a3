/** The fields of an app's registration, filled with its current values when editing. */
export function AppFields({ values, error }: { values?: Partial<Record<string, string>>; error?: { field: string; message: string } | null }) {
  const field = (name: string, label: string, hint: string, type = 'url', required = true) => (
    <label className="block">
      <span className="font-medium">{label}</span>
      <span className="block text-sm text-slate-500">{hint}</span>
      <input
        name={name}
        type={type}
        required={required}
        defaultValue={values?.[name] ?? ''}
        aria-invalid={error?.field === name || undefined}
        className="mt-1 w-full rounded-md border border-slate-300 px-3 py-2"
      />
      {error?.field === name ? <span className="text-sm text-red-700">{error.message}</span> : null}
    </label>
  )
  return (
    <div className="space-y-4">
      {field('name', 'Name', 'What doctors see on the consent screen.', 'text')}
      <label className="block">
        <span className="font-medium">Description</span>
        <span className="block text-sm text-slate-500">One or two sentences on what the app does with Rounds data.</span>
        <textarea name="description" required rows={3} defaultValue={values?.description ?? ''} className="mt-1 w-full rounded-md border border-slate-300 px-3 py-2" />
        {error?.field === 'description' ? <span className="text-sm text-red-700">{error.message}</span> : null}
      </label>
      {field('homepageUrl', 'Homepage', 'https://…')}
      {field('privacyUrl', 'Privacy policy', 'Where doctors read what you do with their data.')}
      {field('logoUrl', 'Logo (optional)', 'An https address of a square image.', 'url', false)}
      <label className="block">
        <span className="font-medium">Redirect URIs</span>
        <span className="block text-sm text-slate-500">One per line: https://…, or http://localhost:PORT/… while developing.</span>
        <textarea name="redirectUris" required rows={3} defaultValue={values?.redirectUris ?? ''} className="mt-1 w-full rounded-md border border-slate-300 px-3 py-2 font-mono text-sm" />
        {error?.field === 'redirectUris' ? <span className="text-sm text-red-700">{error.message}</span> : null}
      </label>
    </div>
  )
}

/** A client secret shown once, right after it was made. */
export function SecretOnce({ clientId, clientSecret }: { clientId: string; clientSecret: string }) {
  return (
    <div role="status" className="space-y-2 rounded-md border border-amber-300 bg-amber-50 p-4" data-testid="client-credentials">
      <p className="font-semibold">Copy the secret now: it is shown only once.</p>
      <p className="text-sm">
        Client id: <code data-testid="client-id" className="break-all">{clientId}</code>
      </p>
      <p className="text-sm">
        Client secret: <code data-testid="client-secret" className="break-all">{clientSecret}</code>
      </p>
    </div>
  )
}
