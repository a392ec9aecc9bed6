// The notification e-mail: who gets it, what it says, in the recipient's language.
import type Mail from 'nodemailer/lib/mailer/index.js'
import type { Route } from '../contacts/routing.js'
import { escapeHtml } from '../html.js'
import type { RequestForMail } from '../repositories/notifications.js'

const TEXTS = {
  sv: {
    subject: (name: string) => `Kontaktförfrågan från ${name}`,
    intro: (r: RequestForMail, route: Route, passedOn: boolean) => passedOn
      ? `En förfrågan till ${r.contactName} har skickats vidare till dig.`
      : route.reason === 'direct'
        ? 'Du har fått en ny förfrågan via kontaktformuläret.'
        : `Du får den här förfrågan i stället för ${r.contactName}${route.reason === 'fallback' ? ', som inte kan ta emot förfrågningar just nu' : ''}.`,
    actions: {
      heading: 'Hantera förfrågan (inloggning behövs inte):',
      take: 'Jag tar den',
      answer: 'Besvarad',
      pass: 'Inte min – skicka vidare',
      hint: 'Markera den som besvarad när du har svarat, så får ingen påminnelser om den.'
    },
    labels: { name: 'Namn', email: 'E-post', phone: 'Telefon', organisation: 'Organisation', page: 'Sida', received: 'Mottagen', id: 'Ärende-id', purge: 'Raderas' },
    reply: 'Svara på det här meddelandet för att svara avsändaren.',
    purge: (date: string) => `Förfrågan och personuppgifterna i den raderas automatiskt ${date}.`,
    locale: 'sv-SE'
  },
  en: {
    subject: (name: string) => `Contact request from ${name}`,
    intro: (r: RequestForMail, route: Route, passedOn: boolean) => passedOn
      ? `A request to ${r.contactName} has been passed on to you.`
      : route.reason === 'direct'
        ? 'You have a new request from the contact form.'
        : `You receive this request in place of ${r.contactName}${route.reason === 'fallback' ? ', who cannot take requests at the moment' : ''}.`,
    actions: {
      heading: 'Handle this request (no login needed):',
      take: 'I\'ll take it',
      answer: 'Answered',
      pass: 'Not mine – pass it on',
      hint: 'Mark it as answered once you have answered, and nobody gets reminders about it.'
    },
    labels: { name: 'Name', email: 'E-mail', phone: 'Phone', organisation: 'Organisation', page: 'Page', received: 'Received', id: 'Request id', purge: 'Deleted on' },
    reply: 'Reply to this message to answer the sender.',
    purge: (date: string) => `The request and the personal data in it will be deleted automatically on ${date}.`,
    locale: 'en-GB'
  }
} as const

export const TIME_ZONE = 'Europe/Stockholm'

/** Formatters are costly to build; one pair per language serves every message (receipts too). */
export const FORMATS = Object.fromEntries(Object.entries(TEXTS).map(([key, t]) => [key, {
  dateTime: new Intl.DateTimeFormat(t.locale, { dateStyle: 'long', timeStyle: 'short', timeZone: TIME_ZONE }),
  date: new Intl.DateTimeFormat(t.locale, { dateStyle: 'long', timeZone: TIME_ZONE })
}])) as Record<keyof typeof TEXTS, { dateTime: Intl.DateTimeFormat, date: Intl.DateTimeFormat }>

/** Header values must be one line: a name with CR/LF must not add headers. */
export const oneLine = (value: string): string => value.replace(/[\r\n\u2028\u2029]+/g, ' ').trim()

/** The domain of the sender's address: message ids are made in it. */
export const senderDomain = (from: string): string => /@([^>\s]+)>?\s*$/.exec(from)?.[1] ?? 'contact-intake.invalid'

export interface ComposeOptions {
  from: string
  notificationId: string
  /** The recipient's action links (src/handling/links.ts), by action. */
  actions?: Record<'take' | 'answer' | 'pass', string>
  /** The request was passed on to this recipient. */
  passedOn?: boolean
}

/** The action links as lines of text and as HTML, in a message's language. */
export function actionLinks (language: keyof typeof TEXTS, actions: Record<'take' | 'answer' | 'pass', string>): { text: string[], html: string } {
  const t = TEXTS[language].actions
  const keys = ['take', 'answer', 'pass'] as const
  return {
    text: [t.heading, ...keys.map((k) => `- ${t[k]}: ${actions[k]}`), t.hint],
    html: `<p>${escapeHtml(t.heading)}</p><p>${keys.map((k) => `<a href="${escapeHtml(actions[k])}">${escapeHtml(t[k])}</a>`).join(' · ')}</p><p>${escapeHtml(t.hint)}</p>`
  }
}

/** Builds the message. All text from the form is escaped in HTML and kept to one line in headers. */
// eslint-disable-next-line max-lines-per-function -- one message: its plain-text and HTML bodies side by side
export function composeNotification (request: RequestForMail, route: Route, options: ComposeOptions): Mail.Options & { messageId: string } {
  const language = route.locale === 'en' ? 'en' : 'sv'
  const t = TEXTS[language]
  const { dateTime, date } = FORMATS[language]
  const name = oneLine(request.name)
  const rows: Array<[string, string]> = [
    [t.labels.name, name],
    [t.labels.email, request.email],
    ...(request.phone === null ? [] : [[t.labels.phone, request.phone] as [string, string]]),
    ...(request.organisation === null || request.organisation === '' ? [] : [[t.labels.organisation, request.organisation] as [string, string]]),
    ...(request.pageUrl === null ? [] : [[t.labels.page, request.pageUrl] as [string, string]]),
    [t.labels.received, `${dateTime.format(request.receivedAt)} (${TIME_ZONE})`],
    [t.labels.id, request.id],
    [t.labels.purge, date.format(request.retainUntil)]
  ]
  const intro = t.intro(request, route, options.passedOn === true)
  const links = options.actions === undefined ? null : actionLinks(language, options.actions)
  const text = [
    intro,
    '',
    request.message,
    '',
    ...rows.map(([label, value]) => `${label}: ${value}`),
    '',
    ...(links === null ? [] : [...links.text, '']),
    t.reply,
    t.purge(date.format(request.retainUntil))
  ].join('\n')
  const html = [
    '<!doctype html><html><body style="font-family: sans-serif">',
    `<p>${escapeHtml(intro)}</p>`,
    `<blockquote style="white-space: pre-wrap">${escapeHtml(request.message)}</blockquote>`,
    '<table>',
    ...rows.map(([label, value]) => `<tr><th align="left">${escapeHtml(label)}</th><td>${escapeHtml(value)}</td></tr>`),
    '</table>',
    ...(links === null ? [] : [links.html]),
    `<p>${escapeHtml(t.reply)}<br>${escapeHtml(t.purge(date.format(request.retainUntil)))}</p>`,
    '</body></html>'
  ].join('\n')
  const domain = senderDomain(options.from)
  return {
    from: options.from,
    to: route.email,
    replyTo: { name, address: request.email },
    subject: t.subject(name),
    text,
    html,
    // Stable per notification: a retried duplicate carries the same id and is recognisable.
    messageId: `<${options.notificationId}@${domain}>`,
    headers: { 'Auto-Submitted': 'auto-generated', 'X-Contact-Request-Id': request.id }
  }
}
