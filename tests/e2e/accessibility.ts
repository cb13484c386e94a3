import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import type { Page } from 'playwright-core'

/*
 * axe-core in the page (WCAG 2.x A and AA rules), on every page an e2e test opens: each time a
 * page finishes loading a path this test file has not checked yet, its serious and critical
 * violations are collected, and the test fails on them after it ends (tests/e2e/support.ts).
 * Paths are checked once per file, with ids folded ("/t/:id"), so a suite that opens the same
 * page a hundred times pays for one check.
 */

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8')

type AxeResult = { violations: { id: string; impact: string | null; help: string; nodes: { target: unknown[] }[] }[] }

/** A path with its ids folded, so one kind of page is one check. */
export function pageKind(url: string) {
  const { pathname } = new URL(url)
  return pathname
    .split('/')
    .map((part) => (/^[0-9a-f-]{20,}$/i.test(part) || /\d/.test(part) ? ':id' : part))
    .join('/')
}

/** The serious and critical violations on the page as it is now, one line each. */
export async function seriousViolations(page: Page): Promise<string[]> {
  const result = (await page.evaluate(async (source) => {
    const w = window as unknown as { axe?: { run: (context: Document, options: object) => Promise<unknown> } }
    if (!w.axe) new Function(source)()
    return w.axe!.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] }, resultTypes: ['violations'] })
  }, axeSource)) as AxeResult
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.impact} ${v.id} (${v.help}) at ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}${v.nodes.length > 3 ? ` and ${v.nodes.length - 3} more` : ''}`)
}

/**
 * Watches a page: each new kind of Rounds page it loads is checked once; findings go to `found`.
 * Pages of other origins (the stand-ins for an OpenID provider or a third-party app) are not Rounds'.
 */
export function watchAccessibility(page: Page, origin: string, checked: Set<string>, found: string[], pending: Set<Promise<unknown>>) {
  page.on('load', () => {
    let kind: string
    try {
      kind = pageKind(page.url())
    } catch {
      return
    }
    if (!page.url().startsWith(`${origin}/`) || checked.has(kind)) return
    checked.add(kind)
    // A check that has not answered in 20 s (a page stuck in a dialog, say) is given up, not awaited.
    const check = Promise.race([
      seriousViolations(page),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error('axe did not answer')), 20_000).unref()),
    ])
      .then((violations) => {
        for (const v of violations) found.push(`${kind}: ${v}`)
      })
      // The page moved on (or closed) while it was checked: the next load of this kind checks it.
      .catch(() => checked.delete(kind))
    pending.add(check)
    void check.finally(() => pending.delete(check))
  })
}
