import type { ReactNode } from 'react'
import { FieldErrors } from './forms'

export type Choice = { value: string; label: ReactNode; hint?: ReactNode }

/** A set of radio buttons with its legend and errors beside it. */
export function ChoiceGroup({
  legend,
  name,
  choices,
  defaultValue,
  errors,
  errorId,
}: {
  legend: ReactNode
  name: string
  choices: Choice[]
  defaultValue: string | undefined
  errors?: string[] | null
  errorId: string
}) {
  return (
    <fieldset aria-describedby={errors?.length ? errorId : undefined}>
      <legend className="text-sm font-medium text-slate-800">{legend}</legend>
      <div className="mt-2 space-y-2">
        {choices.map((c) => (
          <label key={c.value} className="flex items-start gap-2">
            <input type="radio" name={name} value={c.value} defaultChecked={defaultValue === c.value} className="mt-1" />
            <span>
              {c.label}
              {c.hint ? <span className="block text-sm text-slate-500">{c.hint}</span> : null}
            </span>
          </label>
        ))}
      </div>
      <FieldErrors id={errorId} errors={errors} />
    </fieldset>
  )
}
