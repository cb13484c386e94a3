import { Link } from '@remix-run/react'
import type { ReactNode } from 'react'
import type { QuizKind } from '#db/quizzes/draft'
import type { ChallengeEntry, DraftQuizEntry, PastQuizEntry, TalkQuizResult } from '#db/quizzes/listings'
import { LocalTime } from '~/utils/time-zone'

/* Quizzes, polls and surveys in lists: open challenges, past ones, and those run in a talk. */

export const quizKindLabel = { quiz: 'Quiz', poll: 'Poll', survey: 'Survey' } as const

const kindTag = 'rounded bg-slate-100 px-1.5 py-0.5 text-xs font-medium text-slate-700'

function Progress({ entry }: { entry: ChallengeEntry }) {
  if (entry.answered) {
    return (
      <span className="rounded bg-emerald-50 px-1.5 py-0.5 text-xs font-semibold text-emerald-800 ring-1 ring-emerald-200" data-testid="challenge-answered">
        Answered
      </span>
    )
  }
  if (entry.answeredCount > 0) {
    return (
      <span className="text-xs font-medium text-amber-800">
        {entry.answeredCount} of {entry.questionCount} answered
      </span>
    )
  }
  return null
}

/** One quiz in a list: its title (a link, or text), its kind, a line about it and, on the right, what to do or how it stands. */
function QuizItem({ title, href, kind, testId, aside, children }: { title: string; href?: string; kind: QuizKind; testId: string; aside: ReactNode; children: ReactNode }) {
  return (
    <li className="flex flex-wrap items-start justify-between gap-x-4 gap-y-1 py-3" data-testid={testId}>
      <div className="min-w-0">
        <p className="flex flex-wrap items-center gap-2">
          {href ? (
            <Link to={href} className="break-words font-semibold text-brand-700 hover:underline">
              {title}
            </Link>
          ) : (
            <span className="break-words font-medium text-slate-900">{title}</span>
          )}
          <span className={kindTag}>{quizKindLabel[kind]}</span>
        </p>
        <p className="text-sm text-slate-600">{children}</p>
      </div>
      {aside}
    </li>
  )
}

/** Open challenges: title, kind, deadline, and whether the viewer has answered; `showClub` names each one's club. */
export function ChallengeList({ entries, showClub = false }: { entries: ChallengeEntry[]; showClub?: boolean }) {
  return (
    <ul className="divide-y divide-slate-100" data-testid="challenge-list">
      {entries.map((entry) => (
        <QuizItem key={entry.id} title={entry.title} href={`/q/${entry.id}`} kind={entry.kind} testId="challenge" aside={<Progress entry={entry} />}>
          {showClub ? (
            <>
              <Link to={`/c/${entry.club.slug}`} className="underline">
                {entry.club.name}
              </Link>
              {' · '}
            </>
          ) : null}
          {entry.questionCount} {entry.questionCount === 1 ? 'question' : 'questions'}
          {' · '}
          {entry.deadline ? (
            <>
              Closes <LocalTime at={entry.deadline} />
            </>
          ) : (
            'No deadline'
          )}
        </QuizItem>
      ))}
    </ul>
  )
}

/** The one action beside a listed quiz; its accessible name names the quiz too. */
function AsideLink({ to, label, title }: { to: string; label: string; title: string }) {
  return (
    <Link to={to} className="shrink-0 text-sm font-semibold text-brand-700 underline">
      {label}
      <span className="sr-only"> {title}</span>
    </Link>
  )
}

/** Quizzes still being written, each linking to its editor. */
export function DraftQuizList({ entries }: { entries: DraftQuizEntry[] }) {
  return (
    <ul className="divide-y divide-slate-100" data-testid="draft-quiz-list">
      {entries.map((entry) => (
        <QuizItem key={entry.id} title={entry.title} kind={entry.kind} testId="draft-quiz" aside={<AsideLink to={`/q/${entry.id}/edit`} label="Go on writing" title={entry.title} />}>
          Draft · {entry.questionCount} {entry.questionCount === 1 ? 'question' : 'questions'}
          {entry.talk ? (
            <>
              {' · for '}
              <Link to={`/t/${entry.talk.id}`} className="underline">
                {entry.talk.title}
              </Link>
            </>
          ) : null}
        </QuizItem>
      ))}
    </ul>
  )
}

/** Quizzes that have closed, each linking to its results. */
export function PastQuizList({ entries }: { entries: PastQuizEntry[] }) {
  return (
    <ul className="divide-y divide-slate-100" data-testid="past-quiz-list">
      {entries.map((entry) => (
        <QuizItem key={entry.id} title={entry.title} kind={entry.kind} testId="past-quiz" aside={<AsideLink to={`/q/${entry.id}`} label="See results" title={entry.title} />}>
          {entry.talk ? (
            <>
              In{' '}
              <Link to={`/t/${entry.talk.id}`} className="underline">
                {entry.talk.title}
              </Link>
              {entry.endedAt ? ' · ' : null}
            </>
          ) : null}
          {entry.endedAt ? (
            <>
              Closed <LocalTime at={entry.endedAt} style="day" />
            </>
          ) : null}
        </QuizItem>
      ))}
    </ul>
  )
}

/** The quizzes and polls a talk ran, with their results and, for their creators, the answers as CSV. */
export function TalkQuizResults({ quizzes }: { quizzes: TalkQuizResult[] }) {
  if (quizzes.length === 0) return null
  return (
    <section aria-labelledby="talk-quizzes" className="rounded-xl border border-slate-200 bg-white p-6 shadow-sm">
      <h2 id="talk-quizzes" className="text-lg font-semibold">
        Quizzes and polls in this talk
      </h2>
      <ul className="mt-2 divide-y divide-slate-100" data-testid="talk-quizzes">
        {quizzes.map((quiz) => (
          <li key={quiz.id} className="flex flex-wrap items-center justify-between gap-x-4 gap-y-1 py-3" data-testid="talk-quiz">
            <p className="flex min-w-0 flex-wrap items-center gap-2">
              <span className="break-words font-medium">{quiz.title}</span>
              <span className={kindTag}>{quizKindLabel[quiz.kind]}</span>
              {quiz.status === 'open' ? <span className="text-xs text-slate-500">(still open)</span> : null}
            </p>
            <p className="flex flex-wrap gap-3 text-sm">
              <Link to={`/q/${quiz.id}`} className="font-semibold text-brand-700 underline">
                See results
              </Link>
              {quiz.mayExport ? (
                <a href={`/q/${quiz.id}.csv`} download className="font-semibold text-brand-700 underline" data-testid="quiz-csv">
                  Download CSV
                </a>
              ) : null}
            </p>
          </li>
        ))}
      </ul>
    </section>
  )
}
