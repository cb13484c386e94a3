import { beforeEach, describe, expect, it } from 'vitest'
import { rawSql } from '../../db/client'
import { addSearchTerms, refreshSearchTerms } from '../../db/search'
import { correctionsFor, forgetVocabulary, trigramsOf } from '../../db/search-vocabulary'

/*
 * The typo vocabulary kept in memory must correct exactly as pg_trgm would in the database:
 * these tests compare it with Postgres's own trigrams, similarity and the SQL lookup it replaced.
 */

const WORDS = [
  'cardiology', 'cardiac', 'cardiologist', 'cardiothoracic', 'neurology', 'neurosurgery', 'journal',
  'journey', 'morbidity', 'mortality', 'singapore', 'singer', 'okafor', 'okonkwo',
  'petrova', 'paediatrics', 'pediatrics', 'echocardiography', 'sepsis', 'stroke', 'ultrasound',
]
const TYPOS = ['cardiolgy', 'nuerology', 'journla', 'merbidity', 'singapoe', 'okafr', 'pediatrcs', 'sepssi', 'strok', 'xqzv']

/** The lookup as it ran in SQL before the vocabulary moved into memory. */
async function correctionsInSql(tokens: string[]) {
  const rows = await rawSql()<{ token: string; term: string }[]>`
    select t.token, s.term
    from unnest(${tokens}::text[]) as t(token)
    cross join lateral (
      select st.term from search_terms st
      where st.term % t.token and abs(length(st.term) - length(t.token)) <= 3
      order by similarity(st.term, t.token) desc, st.term
      limit 3
    ) s
    where not exists (select 1 from search_terms x where x.term like t.token || '%')`
  const out = new Map<string, string[]>()
  for (const r of rows) out.set(r.token, [...(out.get(r.token) ?? []), r.term])
  return out
}

beforeEach(async () => {
  await rawSql()`delete from search_terms`
  forgetVocabulary()
})

describe('the typo vocabulary in memory', () => {
  // Letters outside ASCII depend on the database's locale in pg_trgm (C.UTF-8 splits words at
  // "á"); the vocabulary always counts them as letters, tested on their own below.
  it('makes the same trigrams as pg_trgm', async () => {
    for (const word of [...WORDS, ...TYPOS, 'Grand-Rounds', 'ab']) {
      const [{ grams }] = await rawSql()<{ grams: string[] }[]>`select show_trgm(${word}) as grams`
      expect([...trigramsOf(word)].sort(), word).toEqual([...grams].sort())
    }
  })

  it('corrects typos to the same words, in the same order, as the SQL lookup', async () => {
    await addSearchTerms([WORDS.join(' ')])
    const inSql = await correctionsInSql(TYPOS)
    const inMemory = await correctionsFor(TYPOS)
    expect(inSql.get('cardiolgy')?.[0]).toBe('cardiology')
    expect(inMemory).toEqual(inSql)
  })

  it('counts letters outside ASCII as letters, so "fernandez" finds "fernández"', async () => {
    expect(trigramsOf('Fernández')).toContain('nán')
    await addSearchTerms(['Fernández Petrova'])
    expect(await correctionsFor(['fernandez', 'petrva'])).toEqual(
      new Map([
        ['fernandez', ['fernández']],
        ['petrva', ['petrova']],
      ]),
    )
  })

  it('leaves alone a word that starts a known word, and words under four letters', async () => {
    await addSearchTerms(['cardiology journal'])
    const corrections = await correctionsFor(['cardio', 'jour', 'crd', 'cardiolgy'])
    expect([...corrections.keys()]).toEqual(['cardiolgy'])
  })

  it('knows words this node adds at once, and forgets words a rebuild dropped', async () => {
    await addSearchTerms(['cardiology'])
    expect(await correctionsFor(['okafr'])).toEqual(new Map())
    await addSearchTerms(['Okafor'])
    expect(await correctionsFor(['okafr'])).toEqual(new Map([['okafr', ['okafor']]]))
    // Nothing in the tables shows "okafor": the rebuild empties the vocabulary, and the copy follows.
    await refreshSearchTerms()
    expect(await correctionsFor(['okafr'])).toEqual(new Map())
  })
})
