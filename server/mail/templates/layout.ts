/*
 * The frame every Rounds mail shares, as an HTML part and a plain-text part made from the same
 * content: a heading, short paragraphs, one button, and a footer. Plain TypeScript, no template
 * library (docs/decisions/021-notification-email.md): mail clients want tables and inline
 * styles, and every value is escaped here, once.
 */

export type MailContent = {
  subject: string
  /** The line mail clients show after the subject in the inbox. */
  preheader: string
  heading: string
  paragraphs: string[]
  action?: { label: string; url: string }
  /** Lines under a rule at the end: why the mail came, how to stop it. */
  footer: string[]
  /** A link in the footer (unsubscribe), shown with its label in HTML and as a URL in text. */
  footerLink?: { label: string; url: string }
}

export type RenderedMail = { subject: string; html: string; text: string }

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }

export function escapeHtml(value: string) {
  return value.replace(/[&<>"']/g, (c) => ESCAPES[c])
}

const BRAND = '#0f766e'

export function renderMail(content: MailContent): RenderedMail {
  const paragraphs = content.paragraphs
    .map((p) => `<p style="margin:0 0 16px;font-size:16px;line-height:24px;color:#0f172a">${escapeHtml(p)}</p>`)
    .join('\n')
  const button = content.action
    ? `<p style="margin:24px 0"><a href="${escapeHtml(content.action.url)}" style="display:inline-block;background:${BRAND};color:#ffffff;text-decoration:none;font-weight:600;padding:12px 20px;border-radius:6px">${escapeHtml(content.action.label)}</a></p>`
    : ''
  const footerLines = content.footer.map((line) => `<p style="margin:0 0 8px">${escapeHtml(line)}</p>`).join('\n')
  const footerLink = content.footerLink
    ? `<p style="margin:0 0 8px"><a href="${escapeHtml(content.footerLink.url)}" style="color:#475569">${escapeHtml(content.footerLink.label)}</a></p>`
    : ''
  const html = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(content.subject)}</title></head>
<body style="margin:0;padding:0;background:#f1f5f9;font-family:-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif">
<span style="display:none;max-height:0;overflow:hidden">${escapeHtml(content.preheader)}</span>
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="background:#f1f5f9;padding:24px 0">
<tr><td align="center">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="max-width:560px;background:#ffffff;border-radius:8px;padding:32px">
<tr><td>
<p style="margin:0 0 24px;font-size:14px;font-weight:700;color:${BRAND};letter-spacing:0.04em">ROUNDS</p>
<h1 style="margin:0 0 16px;font-size:22px;line-height:28px;color:#0f172a">${escapeHtml(content.heading)}</h1>
${paragraphs}
${button}
<hr style="border:none;border-top:1px solid #e2e8f0;margin:24px 0">
<div style="font-size:13px;line-height:20px;color:#64748b">
${footerLines}
${footerLink}
</div>
</td></tr>
</table>
</td></tr>
</table>
</body>
</html>`
  const text = [
    content.heading,
    '',
    ...content.paragraphs.flatMap((p) => [p, '']),
    ...(content.action ? [`${content.action.label}: ${content.action.url}`, ''] : []),
    '--',
    ...content.footer,
    ...(content.footerLink ? [`${content.footerLink.label}: ${content.footerLink.url}`] : []),
  ].join('\n')
  return { subject: content.subject, html, text }
}
