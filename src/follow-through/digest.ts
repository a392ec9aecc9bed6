// The day's digest to one person: every request still waiting for them, each with its action
// links. One message however many requests; never one with nothing in it.
import type Mail from 'nodemailer/lib/mailer/index.js'
import { escapeHtml } from '../html.js'
import { actionLinks, FORMATS, oneLine, senderDomain, TIME_ZONE } from '../notifications/compose.js'
import type { DigestLine } from '../repositories/handling.js'

/** A digest line with the links of its recipient (none for the team's copy). */
export type DigestItem = DigestLine & { actions: Record<'take' | 'answer' | 'pass', string> | null }

const TEXTS = {
  sv: {
    subject: (n: number) => n === 1 ? 'Påminnelse: en förfrågan väntar på svar' : `Påminnelse: ${n} förfrågningar väntar på svar`,
    intro: 'De här förfrågningarna via kontaktformuläret har inte fått svar inom svarstiden. Markera dem som besvarade när du har svarat.',
    why: {
      1: (i: DigestItem) => `Väntar på svar${i.handlerName === null ? '' : ` från ${i.handlerName}`}.`,
      2: (i: DigestItem) => `${i.handlerName ?? i.contactName} har inte svarat, och du är ersättare.`,
      3: (i: DigestItem) => `${i.handlerName ?? i.contactName} och ersättaren har inte svarat.`
    },
    copy: 'Kopia till teamet: ingen har svarat på förfrågningarna nedan inom svarstiden.',
    labels: { from: 'Från', to: 'Till', received: 'Mottagen', id: 'Ärende-id' },
    outro: 'Du får det här meddelandet högst en gång per arbetsdag, och bara när något väntar.'
  },
  en: {
    subject: (n: number) => n === 1 ? 'Reminder: a request is waiting for an answer' : `Reminder: ${n} requests are waiting for an answer`,
    intro: 'These requests from the contact form have not been answered within their response time. Mark them as answered once you have answered.',
    why: {
      1: (i: DigestItem) => `Waiting for an answer${i.handlerName === null ? '' : ` from ${i.handlerName}`}.`,
      2: (i: DigestItem) => `${i.handlerName ?? i.contactName} has not answered, and you are the delegate.`,
      3: (i: DigestItem) => `Neither ${i.handlerName ?? i.contactName} nor the delegate has answered.`
    },
    copy: 'A copy for the team: nobody has answered the requests below within their response time.',
    labels: { from: 'From', to: 'To', received: 'Received', id: 'Request id' },
    outro: 'You get this message at most once a working day, and only when something is waiting.'
  }
} as const

export interface DigestOptions {
  from: string
  /** The message's id: stable for one recipient's digest of one slot, so a resent one is recognisable. */
  digestId: string
}

/** One request of a digest, as text and as HTML. */
function section (item: DigestItem, language: keyof typeof TEXTS): { text: string, html: string } {
  const t = TEXTS[language]
  const why = t.why[item.stage as 1 | 2 | 3](item)
  const rows: Array<[string, string]> = [
    [t.labels.from, `${oneLine(item.name)} <${item.email}>`],
    [t.labels.to, item.contactName],
    [t.labels.received, `${FORMATS[language].dateTime.format(item.receivedAt)} (${TIME_ZONE})`],
    [t.labels.id, item.requestId]
  ]
  const links = item.actions === null ? null : actionLinks(language, item.actions)
  return {
    text: [why, ...rows.map(([l, v]) => `${l}: ${v}`), `> ${item.excerpt.replace(/\n/g, '\n> ')}`, ...(links?.text ?? [])].join('\n'),
    html: [
      `<p><strong>${escapeHtml(why)}</strong></p>`,
      `<table>${rows.map(([l, v]) => `<tr><th align="left">${escapeHtml(l)}</th><td>${escapeHtml(v)}</td></tr>`).join('')}</table>`,
      `<blockquote style="white-space: pre-wrap">${escapeHtml(item.excerpt)}</blockquote>`,
      links?.html ?? ''
    ].join('\n')
  }
}

export function composeDigest (recipient: string, items: DigestItem[], options: DigestOptions): Mail.Options & { messageId: string } {
  const language = items[0]?.locale === 'en' ? 'en' : 'sv'
  const t = TEXTS[language]
  const isCopy = items.every((i) => i.actions === null)
  const sections = items.map((item) => section(item, language))
  const intro = isCopy ? t.copy : t.intro
  return {
    from: options.from,
    to: recipient,
    subject: t.subject(items.length),
    text: [intro, '', ...sections.map((s) => s.text).join('\n\n---\n\n').split('\n'), '', t.outro].join('\n'),
    html: [
      '<!doctype html><html><body style="font-family: sans-serif">',
      `<p>${escapeHtml(intro)}</p>`,
      sections.map((s) => s.html).join('\n<hr>\n'),
      `<p>${escapeHtml(t.outro)}</p>`,
      '</body></html>'
    ].join('\n'),
    messageId: `<${options.digestId}@${senderDomain(options.from)}>`,
    headers: { 'Auto-Submitted': 'auto-generated' }
  }
}
