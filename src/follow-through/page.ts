// The pages behind a notification's action links: ask (a GET changes nothing: mail scanners open
// every link), say what was done, or say what happened instead and when. Plain HTML without
// script, the demo page's stylesheet, Swedish and English; nothing the person who wrote typed.
import { escapeHtml, plainPage } from '../html.js'
import { FORMATS } from '../notifications/compose.js'
import type { HandlingAction } from '../handling/links.js'
import type { Locale } from '../schemas/common.js'

/** A choice of the pass-on form: a handler and how it is named. */
export interface PassOption { value: string, label: string }

/** What the page says. */
export type HandlingPageView =
  | { kind: 'ask', action: HandlingAction, contactName: string, receivedAt: Date, formAction: string, options?: { suggested: PassOption[], colleagues: PassOption[] } }
  | { kind: 'done', action: HandlingAction, toName?: string, next?: { answer: string } }
  | { kind: 'already', what: 'taken' | 'passed' | 'answered' | 'closed', name?: string, at: Date | null }
  | { kind: 'held' }
  | { kind: 'same_handler', name: string }
  | { kind: 'unknown_handler' }
  | { kind: 'gone' }

const TEXTS = {
  sv: {
    ask: {
      take: { title: 'Ta förfrågan', body: 'Tar du den här förfrågan ser dina kollegor att du svarar, och påminnelserna går till dig.', button: 'Jag tar den' },
      answer: { title: 'Markera som besvarad', body: 'Har du svarat personen som skrev? Då får ingen fler påminnelser om förfrågan.', button: 'Besvarad' },
      pass: { title: 'Inte min – skicka vidare', body: 'Välj vem som ska få förfrågan. Hen får ett eget e-postmeddelande med länkarna, och du får inga fler påminnelser om den.', button: 'Skicka vidare' }
    },
    about: (contact: string, received: string) => `Förfrågan till ${contact}, mottagen ${received}.`,
    to: 'Skicka till',
    suggested: 'Ersättare och funktionsbrevlåda',
    colleagues: 'Kollegor',
    done: {
      take: { title: 'Du har tagit förfrågan', body: 'Påminnelser om den går nu till dig. Markera den som besvarad när du har svarat.' },
      answer: { title: 'Förfrågan är besvarad', body: 'Tack! Ingen får fler påminnelser om den.' },
      pass: { title: 'Förfrågan är vidareskickad', body: (to: string) => `${to} har fått den med egna länkar. Du behöver inte göra något mer.` }
    },
    answerButton: 'Markera som besvarad',
    already: {
      taken: (name: string, at: string) => `${name} tog förfrågan ${at}.`,
      passed: (name: string, at: string) => `Förfrågan skickades vidare till ${name} ${at}.`,
      answered: (_name: string, at: string) => `Förfrågan besvarades ${at}.`,
      closed: (_name: string, at: string) => `Förfrågan avslutades ${at}.`
    },
    alreadyTitle: 'Redan hanterad',
    held: { title: 'Förfrågan kan inte hanteras nu', body: 'Behandlingen av förfrågan är begränsad eller pausad. Fråga den som administrerar kontaktformulären.' },
    sameHandler: (name: string) => `Förfrågan är redan hos ${name}.`,
    unknownHandler: 'Den mottagaren finns inte längre i katalogen. Välj någon annan.',
    gone: { title: 'Länken gäller inte', body: 'Länken kan ha gått ut, vara ofullständig eller höra till en förfrågan som har raderats.' },
    fallback: 'funktionsbrevlådan'
  },
  en: {
    ask: {
      take: { title: 'Take this request', body: 'If you take it, your colleagues see that you are answering it, and its reminders go to you.', button: 'I\'ll take it' },
      answer: { title: 'Mark as answered', body: 'Have you answered the person who wrote? Then nobody gets further reminders about it.', button: 'Answered' },
      pass: { title: 'Not mine – pass it on', body: 'Choose who should get this request. They get an e-mail of their own with its links, and you get no further reminders about it.', button: 'Pass it on' }
    },
    about: (contact: string, received: string) => `A request to ${contact}, received on ${received}.`,
    to: 'Send to',
    suggested: 'Delegate and shared inbox',
    colleagues: 'Colleagues',
    done: {
      take: { title: 'You have taken this request', body: 'Its reminders now go to you. Mark it as answered once you have answered.' },
      answer: { title: 'The request is answered', body: 'Thank you! Nobody gets further reminders about it.' },
      pass: { title: 'The request is passed on', body: (to: string) => `${to} has it now, with links of their own. There is nothing more you need to do.` }
    },
    answerButton: 'Mark as answered',
    already: {
      taken: (name: string, at: string) => `${name} took this request on ${at}.`,
      passed: (name: string, at: string) => `This request was passed on to ${name} on ${at}.`,
      answered: (_name: string, at: string) => `This request was answered on ${at}.`,
      closed: (_name: string, at: string) => `This request was closed on ${at}.`
    },
    alreadyTitle: 'Already handled',
    held: { title: 'This request cannot be handled now', body: 'Processing of this request is restricted or on hold. Ask whoever administers the contact forms.' },
    sameHandler: (name: string) => `This request is already with ${name}.`,
    unknownHandler: 'That recipient is no longer in the directory. Choose someone else.',
    gone: { title: 'This link is not valid', body: 'It may have expired, be incomplete, or belong to a request that has been erased.' },
    fallback: 'the shared inbox'
  }
} as const

/** How a page names the shared inbox. */
export const fallbackName = (locale: Locale): string => TEXTS[locale].fallback

const optionsHtml = (options: PassOption[]): string =>
  options.map((o) => `<option value="${escapeHtml(o.value)}">${escapeHtml(o.label)}</option>`).join('')

function askForm (view: Extract<HandlingPageView, { kind: 'ask' }>, locale: Locale): string {
  const t = TEXTS[locale]
  const button = `<button type="submit">${escapeHtml(t.ask[view.action].button)}</button>`
  if (view.options === undefined) return `<form method="post" action="${escapeHtml(view.formAction)}">${button}</form>`
  const { suggested, colleagues } = view.options
  const groups = [
    suggested.length === 0 ? '' : `<optgroup label="${escapeHtml(t.suggested)}">${optionsHtml(suggested)}</optgroup>`,
    colleagues.length === 0 ? '' : `<optgroup label="${escapeHtml(t.colleagues)}">${optionsHtml(colleagues)}</optgroup>`
  ].join('')
  return `<form method="post" action="${escapeHtml(view.formAction)}">
        <p><label for="to">${escapeHtml(t.to)}</label><br><select id="to" name="to" required>${groups}</select></p>
        ${button}
      </form>`
}

function content (view: HandlingPageView, locale: Locale): { title: string, paragraphs: string[], form: string } {
  const t = TEXTS[locale]
  const at = (date: Date | null): string => date === null ? '' : FORMATS[locale].dateTime.format(date)
  switch (view.kind) {
    case 'ask':
      return {
        title: t.ask[view.action].title,
        paragraphs: [t.about(view.contactName, at(view.receivedAt)), t.ask[view.action].body],
        form: askForm(view, locale)
      }
    case 'done': {
      const done = t.done[view.action]
      const body = typeof done.body === 'function' ? done.body(view.toName ?? '') : done.body
      const form = view.next === undefined ? '' : `<form method="post" action="${escapeHtml(view.next.answer)}"><button type="submit">${escapeHtml(t.answerButton)}</button></form>`
      return { title: done.title, paragraphs: [body], form }
    }
    case 'already':
      return { title: t.alreadyTitle, paragraphs: [t.already[view.what](view.name ?? '', at(view.at))], form: '' }
    case 'held':
      return { title: t.held.title, paragraphs: [t.held.body], form: '' }
    case 'same_handler':
      return { title: t.alreadyTitle, paragraphs: [t.sameHandler(view.name)], form: '' }
    case 'unknown_handler':
      return { title: t.ask.pass.title, paragraphs: [t.unknownHandler], form: '' }
    case 'gone':
      return { title: t.gone.title, paragraphs: [t.gone.body], form: '' }
  }
}

export function handlingPage (view: HandlingPageView, locale: Locale): string {
  return plainPage({ locale, ...content(view, locale) })
}
