// The standard form, rendered into a container that asks for it: name, e-mail,
// phone, organisation, message, consent, CAPTCHA, submit. Semantic HTML first;
// behaviour comes from ContactForm, as it does for a site's own markup.
import type { Notice } from './api.js'
import type { Texts } from './texts.js'

type Attributes = Record<string, string | boolean>

/** createElement with attributes and children; text is always text, never markup. */
export function h (tag: string, attributes: Attributes = {}, ...children: Array<Node | string>): HTMLElement {
  const element = document.createElement(tag)
  for (const [name, value] of Object.entries(attributes)) {
    if (value === true) element.setAttribute(name, '')
    else if (value !== false) element.setAttribute(name, value)
  }
  element.append(...children)
  return element
}

const marker = () => h('span', { class: 'cf-required', 'aria-hidden': 'true' }, ' *')

function field (id: string, label: string, control: HTMLElement, required: boolean): HTMLElement {
  control.id = id
  if (required) control.setAttribute('required', '')
  return h('div', { class: 'cf-field' },
    h('label', { class: 'cf-label', for: id }, label, ...(required ? [marker()] : [])),
    control)
}

/** The notice's paragraphs; its first sentence is the consent checkbox's label. */
export function noticeParagraphs (notice: Notice): string[] {
  return notice.text.split(/\n\s*\n/).map((p) => p.trim()).filter((p) => p !== '')
}

export function renderForm (idPrefix: string, t: Texts, notice: Notice): HTMLFormElement {
  const id = (name: string) => `${idPrefix}-${name}`
  const [shortSentence = '', ...rest] = noticeParagraphs(notice)
  const form = h('form', { class: 'cf', method: 'post', novalidate: true, lang: notice.locale }) as HTMLFormElement
  form.append(
    h('p', { class: 'cf-required-note' }, h('span', { 'aria-hidden': 'true' }, '* '), t.required),
    field(id('name'), t.name, h('input', { name: 'name', type: 'text', autocomplete: 'name', maxlength: '200' }), true),
    field(id('email'), t.email, h('input', { name: 'email', type: 'email', autocomplete: 'email', spellcheck: 'false' }), true),
    field(id('phone'), t.phone, h('input', { name: 'phone', type: 'tel', autocomplete: 'tel' }), false),
    field(id('organisation'), t.organisation, h('input', { name: 'organisation', type: 'text', autocomplete: 'organization' }), false),
    field(id('message'), t.message, h('textarea', { name: 'message', rows: '6' }), true),
    h('div', { class: 'cf-field cf-field--consent' },
      h('div', { class: 'cf-checkbox' },
        h('input', { id: id('consent'), name: 'consent', type: 'checkbox', required: true }),
        h('label', { for: id('consent'), 'data-notice-sentence': true }, shortSentence, marker())),
      h('details', { class: 'cf-notice' },
        h('summary', {}, t.noticeMore),
        h('div', { 'data-notice-text': true }, ...rest.map((p) => h('p', {}, p))))),
    // Only robots fill this in: hidden from everyone else, out of the tab order.
    h('div', { class: 'cf-honeypot', hidden: true, 'aria-hidden': 'true' },
      h('label', { for: id('website') }, t.website),
      h('input', { id: id('website'), name: 'website', type: 'text', tabindex: '-1', autocomplete: 'off' })),
    h('div', { class: 'cf-field cf-field--captcha', 'data-captcha': true }),
    h('button', { class: 'cf-submit', type: 'submit' }, t.submit)
  )
  return form
}
