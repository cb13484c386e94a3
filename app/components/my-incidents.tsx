import { LocalTime } from '~/utils/time-zone'

export type MyIncidentView = {
  id: string
  title: string
  whatHappened: string
  foundAt: string
  affected: string[]
  whatWeDid: string
  whatYouCanDo: string
  notifiedAt: string
}

/** The privacy centre's "incidents that concern you": every notice of a personal-data incident the person was sent. */
export function MyIncidents({ incidents }: { incidents: MyIncidentView[] }) {
  if (!incidents.length) return null
  return (
    <section id="incidents" aria-labelledby="incidents-title" className="rounded-xl border border-red-200 bg-white p-6 shadow-sm" data-testid="my-incidents">
      <h2 id="incidents-title" className="text-lg font-semibold">
        Incidents that concern you
      </h2>
      <p className="mt-1 text-sm text-slate-600">Personal-data incidents that affected your data, and what we told you about each.</p>
      <ol className="mt-3 space-y-4">
        {incidents.map((i) => (
          <li key={i.id} className="rounded-md border border-slate-200 p-4" data-testid="my-incident">
            <h3 className="font-semibold">{i.title}</h3>
            <p className="text-xs text-slate-500">
              Found <LocalTime at={i.foundAt} style="dateTime" /> · told you <LocalTime at={i.notifiedAt} style="dateTime" />
            </p>
            <dl className="mt-2 space-y-2 text-sm">
              <div>
                <dt className="font-medium">What happened</dt>
                <dd className="whitespace-pre-line text-slate-700">{i.whatHappened}</dd>
              </div>
              <div>
                <dt className="font-medium">What was affected</dt>
                <dd className="text-slate-700">{i.affected.join(', ')}</dd>
              </div>
              <div>
                <dt className="font-medium">What we did</dt>
                <dd className="whitespace-pre-line text-slate-700">{i.whatWeDid}</dd>
              </div>
              <div>
                <dt className="font-medium">What you can do</dt>
                <dd className="whitespace-pre-line text-slate-700">{i.whatYouCanDo}</dd>
              </div>
            </dl>
          </li>
        ))}
      </ol>
    </section>
  )
}
