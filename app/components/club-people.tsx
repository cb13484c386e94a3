import type { ReactNode } from 'react'
import type { ClubRole } from '#db/access/club-permissions'
import { RoleBadge, plural } from './club-badges'
import { HiddenPeopleNotice, ListPager, PeopleList, type PersonCard } from './people-list'

export type ClubPersonRow = PersonCard & { role?: ClubRole; since: string }

const day = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' })

export function formatDay(iso: string) {
  return day.format(new Date(iso))
}

/**
 * People of a club in the people-list kit: their role beside the name (but for plain members) and
 * "Cardiology · Member since 3 Mar 2026" under it, with room for admin controls.
 */
export function ClubPeopleList<T extends ClubPersonRow>({
  people,
  label,
  sinceLabel,
  rowTestId,
  actions,
}: {
  people: T[]
  label: string
  sinceLabel: string
  rowTestId: string
  actions?: (person: T) => ReactNode
}) {
  return (
    <PeopleList
      people={people}
      label={label}
      rowTestId={rowTestId}
      badge={(p) => (p.role && p.role !== 'member' ? <RoleBadge role={p.role} /> : null)}
      detail={(p) => `${p.speciality ? `${p.speciality} · ` : ''}${sinceLabel} ${formatDay(p.since)}`}
      actions={actions}
    />
  )
}

const pageText = {
  members: { title: 'Members', noun: 'member', nouns: 'members', since: 'Member since', row: 'member-row', none: 'This club has no members yet.' },
  followers: { title: 'Followers', noun: 'follower', nouns: 'followers', since: 'Following since', row: 'follower-row', none: 'Nobody follows this club yet.' },
} as const

/** A club's members or followers page: one page of people, the pager and how many are not listed. */
export function ClubPeoplePage({
  which,
  list,
  page,
  pageSize,
}: {
  which: keyof typeof pageText
  list: { people: ClubPersonRow[]; total: number; hiddenCount: number }
  page: number
  pageSize: number
}) {
  const text = pageText[which]
  const listed = list.total - list.hiddenCount
  return (
    <section aria-labelledby={which} className="rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
      <h2 id={which} className="text-xl font-semibold">
        {text.title} <span className="text-base font-normal text-slate-500">({list.total})</span>
      </h2>
      {list.people.length ? (
        <ClubPeopleList people={list.people} label={text.title} sinceLabel={text.since} rowTestId={text.row} />
      ) : (
        <p className="mt-3 text-slate-600">{list.total ? `No ${text.nouns} to show on this page.` : text.none}</p>
      )}
      <ListPager page={page} pageSize={pageSize} listed={listed} label={plural(listed, text.noun, text.nouns)} />
      <HiddenPeopleNotice count={list.hiddenCount} noun={text.noun} />
    </section>
  )
}
