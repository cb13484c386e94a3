import type { MetaDescriptor } from '@remix-run/node'
import { noindex } from './robots'

export type ShareCard = { title: string; description: string; url: string; type?: 'website' | 'profile' | 'article' }

/**
 * Open Graph and Twitter card tags. Pages pass null for anything private, and
 * get generic Rounds tags that reveal nothing about it, and `noindex`.
 */
export function shareMeta(card: ShareCard | null, fallbackTitle = 'Rounds'): MetaDescriptor[] {
  const c = card ?? {
    title: fallbackTitle,
    description: 'Clubs, live talks, case discussions and quizzes for doctors.',
    url: '',
    type: 'website' as const,
  }
  const description = c.description.length > 200 ? `${c.description.slice(0, 197)}…` : c.description
  const tags: MetaDescriptor[] = [
    { title: c.title === 'Rounds' ? 'Rounds' : `${c.title} — Rounds` },
    { name: 'description', content: description },
    { property: 'og:site_name', content: 'Rounds' },
    { property: 'og:title', content: c.title },
    { property: 'og:description', content: description },
    { property: 'og:type', content: c.type ?? 'website' },
    { name: 'twitter:card', content: 'summary' },
    { name: 'twitter:title', content: c.title },
    { name: 'twitter:description', content: description },
  ]
  if (c.url) tags.push({ property: 'og:url', content: c.url })
  if (!card) tags.push(noindex)
  return tags
}
