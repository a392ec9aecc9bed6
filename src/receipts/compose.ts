// The receipt e-mail to the person who wrote: who has their request, until when it is kept, and
// how to withdraw it. Nothing they typed appears in it (a robot could use it to carry spam to
// whatever address it put in the form): only directory data, dates, the id and the link.
import type Mail from 'nodemailer/lib/mailer/index.js'
import { escapeHtml } from '../html.js'
import { FORMATS, TIME_ZONE, senderDomain } from '../notifications/compose.js'
import type { ReceiptData } from '../repositories/receipts.js'

const TEXTS = {
  sv: {
    subject: 'Vi har tagit emot din förfrågan',
    greeting: (contact: string) => `Tack för ditt meddelande. Det har kommit fram till ${contact}, som återkommer till dig.`,
    expect: (days: number) => `Du kan räkna med svar inom ${days} ${days === 1 ? 'arbetsdag' : 'arbetsdagar'}.`,
    received: 'Mottaget',
    id: 'Ärende-id',
    deleted: 'Raderas',
    retention: (date: string) => `Förfrågan och dina personuppgifter i den raderas automatiskt ${date}.`,
    withdraw: 'Vill du dra tillbaka förfrågan och få dina uppgifter raderade redan nu? Öppna länken och bekräfta:',
    ignore: 'Har du inte skickat något via vårt kontaktformulär kan du bortse från det här meddelandet.'
  },
  en: {
    subject: 'We have received your request',
    greeting: (contact: string) => `Thank you for your message. It has reached ${contact}, who will get back to you.`,
    expect: (days: number) => `You can expect an answer within ${days} working ${days === 1 ? 'day' : 'days'}.`,
    received: 'Received',
    id: 'Request id',
    deleted: 'Deleted on',
    retention: (date: string) => `The request and your personal data in it will be deleted automatically on ${date}.`,
    withdraw: 'Want to withdraw the request and have your data erased now? Open the link and confirm:',
    ignore: 'If you have not sent anything through our contact form, you can ignore this message.'
  }
} as const

export interface ReceiptOptions {
  from: string
  /** The response time of a contact without its own (HANDLING_RESPONSE_DAYS). */
  responseDays: number
  /** The withdrawal link for this request. */
  withdrawUrl: string
}

/** Builds the receipt; `Auto-Submitted: auto-replied` tells mail systems not to answer it. */
export function composeReceipt (
  receipt: ReceiptData, { from, withdrawUrl, responseDays }: ReceiptOptions
): Mail.Options & { messageId: string } {
  const language = receipt.locale === 'en' ? 'en' : 'sv'
  const t = TEXTS[language]
  const { dateTime, date } = FORMATS[language]
  const contact = `${receipt.contactName}, ${receipt.contactTitle.toLowerCase()}`
  const deleted = date.format(receipt.retainUntil)
  const rows: Array<[string, string]> = [
    [t.received, `${dateTime.format(receipt.receivedAt)} (${TIME_ZONE})`],
    [t.id, receipt.requestId],
    [t.deleted, deleted]
  ]
  const greeting = `${t.greeting(contact)} ${t.expect(receipt.responseDays ?? responseDays)}`
  const text = [greeting, '', ...rows.map(([label, value]) => `${label}: ${value}`), '', t.retention(deleted), '', t.withdraw, withdrawUrl, '', t.ignore].join('\n')
  const html = [
    '<!doctype html><html><body style="font-family: sans-serif">',
    `<p>${escapeHtml(greeting)}</p>`,
    '<table>',
    ...rows.map(([label, value]) => `<tr><th align="left">${escapeHtml(label)}</th><td>${escapeHtml(value)}</td></tr>`),
    '</table>',
    `<p>${escapeHtml(t.retention(deleted))}</p>`,
    `<p>${escapeHtml(t.withdraw)}<br><a href="${escapeHtml(withdrawUrl)}">${escapeHtml(withdrawUrl)}</a></p>`,
    `<p>${escapeHtml(t.ignore)}</p>`,
    '</body></html>'
  ].join('\n')
  return {
    from,
    to: receipt.email,
    subject: t.subject,
    text,
    html,
    messageId: `<${receipt.id}@${senderDomain(from)}>`,
    headers: { 'Auto-Submitted': 'auto-replied', 'X-Contact-Request-Id': receipt.requestId }
  }
}
