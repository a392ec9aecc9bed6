// The pages behind a receipt's withdrawal link: ask, confirm, or say why not. Plain HTML, no
// script; the demo page's stylesheet; nothing the person typed is shown.
import { escapeHtml, plainPage } from '../html.js'
import { FORMATS } from '../notifications/compose.js'
import type { Locale } from '../schemas/common.js'

const TEXTS = {
  sv: {
    ask: {
      title: 'Dra tillbaka din förfrågan',
      body: (contact: string, received: string, deleted: string) => [
        `Du skickade en förfrågan till ${contact} ${received}. Den sparas till ${deleted} och raderas sedan automatiskt.`,
        'Om du drar tillbaka den raderas förfrågan och allt du skrev i den nu, hos oss och i våra system. Det går inte att ångra.'
      ],
      button: 'Radera min förfrågan'
    },
    done: { title: 'Din förfrågan är raderad', body: ['Förfrågan och dina personuppgifter i den är raderade. Du behöver inte göra något mer.'] },
    held: { title: 'Förfrågan sparas', body: ['Vi måste spara den här förfrågan av rättsliga skäl och kan därför inte radera den nu. Den raderas när skälet inte längre gäller.'] },
    gone: {
      title: 'Länken gäller inte',
      body: (contact: string) => [`Länken kan ha gått ut, redan ha använts eller vara ofullständig. Vill du att vi raderar dina uppgifter, skriv till ${contact}.`]
    },
  },
  en: {
    ask: {
      title: 'Withdraw your request',
      body: (contact: string, received: string, deleted: string) => [
        `You sent a request to ${contact} on ${received}. It is kept until ${deleted} and then deleted automatically.`,
        'If you withdraw it, the request and everything you wrote in it are erased now, from us and from our systems. This cannot be undone.'
      ],
      button: 'Erase my request'
    },
    done: { title: 'Your request is erased', body: ['The request and your personal data in it are erased. There is nothing more you need to do.'] },
    held: { title: 'The request is kept', body: ['We must keep this request for a legal reason, so we cannot erase it now. It is deleted once that reason no longer applies.'] },
    gone: {
      title: 'This link is not valid',
      body: (contact: string) => [`It may have expired, been used already, or be incomplete. If you want us to erase your data, write to ${contact}.`]
    },
  }
} as const

/** What the page says. */
export type WithdrawalView =
  | { kind: 'ask', contactName: string, receivedAt: Date, retainUntil: Date, action: string }
  | { kind: 'done' }
  | { kind: 'held' }
  | { kind: 'gone', controllerContact: string }

function content (view: WithdrawalView, locale: Locale): { title: string, paragraphs: readonly string[], form: string } {
  const t = TEXTS[locale]
  if (view.kind === 'ask') {
    const { date } = FORMATS[locale]
    return {
      title: t.ask.title,
      paragraphs: t.ask.body(view.contactName, date.format(view.receivedAt), date.format(view.retainUntil)),
      form: `<form method="post" action="${escapeHtml(view.action)}"><button type="submit">${t.ask.button}</button></form>`
    }
  }
  if (view.kind === 'gone') return { title: t.gone.title, paragraphs: t.gone.body(view.controllerContact), form: '' }
  return { title: t[view.kind].title, paragraphs: t[view.kind].body, form: '' }
}

export function withdrawalPage (view: WithdrawalView, locale: Locale): string {
  return plainPage({ locale, ...content(view, locale) })
}
