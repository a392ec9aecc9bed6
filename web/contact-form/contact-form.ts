// One contact form: validation, CAPTCHA, the JSON submission, errors as the GOV.UK
// error-summary pattern shows them, and the receipt. Constructed on one root element:
// a container it renders the standard form into, or a site's own <form> it enhances.
import { load } from './assets.js'
import { createApi, type Api, type Notice, type SubmitOutcome } from './api.js'
import { altchaCaptcha, vendorCaptcha, type Captcha, type CaptchaAnswer } from './captcha.js'
import { check, fieldOf, fieldsOf, type FieldName, type FormValues } from './checks.js'
import { h, noticeParagraphs, renderForm } from './render.js'
import { TEXTS, inWords, isLocale, type Locale, type Texts } from './texts.js'

export interface Environment {
  /** The service's origin, e.g. https://kontakt.ri.se. */
  origin: string
  /** Where the widget and the other assets of this build are served. */
  assets: string
}

interface Options {
  contactId: string
  locale: Locale
  captchaProvider: string
}

/** A message to show: at a field (linked from the summary), or for the whole form. */
interface Problem { field: FieldName | null, text: string }

const FIELDS: FieldName[] = ['name', 'email', 'phone', 'organisation', 'message', 'consent', 'captcha']
let instances = 0

function readOptions (root: HTMLElement): Options {
  const contactId = root.dataset.contactId
  if (contactId === undefined || !/^[a-z0-9]+(?:-[a-z0-9]+)*$/.test(contactId)) {
    throw new Error('data-contact-form: set data-contact-id to a contact id from GET /v1/contacts, e.g. data-contact-id="lotta-fransson"')
  }
  const lang = root.dataset.locale ?? root.closest('[lang]')?.getAttribute('lang')?.slice(0, 2)
  return { contactId, locale: isLocale(lang) ? lang : 'sv', captchaProvider: root.dataset.captchaProvider ?? 'altcha' }
}

export class ContactForm {
  readonly #root: HTMLElement
  readonly #options: Options
  readonly #t: Texts
  readonly #api: Api
  readonly #environment: Environment
  #form!: HTMLFormElement
  #summary!: HTMLElement
  #status!: HTMLElement
  /** The CAPTCHA while it loads: a submission waits for it. */
  #captchaLoading!: Promise<Captcha>
  /** The CAPTCHA once loaded, for the error display's look-ups. */
  #captcha: Captcha | null = null
  #notice!: Notice
  #contactName = ''
  #sending = false
  readonly #messages = new Map<FieldName, HTMLElement>()
  /** The last attempt's body and key: a retry of the same body reuses the key, so it is never stored twice. */
  #attempt: { body: string, key: string } | null = null

  constructor (root: HTMLElement, environment: Environment) {
    this.#root = root
    this.#options = readOptions(root)
    this.#t = TEXTS[this.#options.locale]
    this.#environment = environment
    this.#api = createApi(environment.origin)
  }

  /** Loads what the form needs (notice, contact, widget) and wires it up. */
  async init (): Promise<void> {
    try {
      const [notice, contact] = await Promise.all([this.#api.notice(this.#options.locale), this.#api.contact(this.#options.contactId)])
      this.#notice = notice
      this.#contactName = contact?.name ?? this.#options.contactId
      // Its rules name only our classes: a site's own form keeps its look, what we add gets ours.
      await load(`${this.#environment.assets}/contact-form.css`)
      this.#form = this.#root instanceof HTMLFormElement ? this.#root : this.#render()
      this.#prepare()
      // Listening before the widget is there: a quick click must never submit the form natively.
      this.#form.addEventListener('submit', (event) => {
        event.preventDefault()
        this.#submit().catch((err: unknown) => { console.error('contact form:', err) })
      })
      this.#captchaLoading = this.#options.captchaProvider === 'altcha'
        ? altchaCaptcha(this.#captchaSlot(), {
          assets: this.#environment.assets, challengeUrl: this.#api.challengeUrl, locale: this.#options.locale
        })
        : Promise.resolve(vendorCaptcha(this.#form, this.#options.captchaProvider))
      this.#captcha = await this.#captchaLoading
    } catch (err) {
      this.#root.append(h('p', { class: 'cf-load-failed', role: 'alert' }, this.#t.loadFailed))
      throw err
    }
  }

  #render (): HTMLFormElement {
    const form = renderForm(`cf${++instances}-${this.#options.contactId}`, this.#t, this.#notice)
    this.#root.append(form)
    return form
  }

  /** The summary, the live region and a message per field: added to a site's own markup only where missing. */
  #prepare (): void {
    const form = this.#form
    form.noValidate = true
    this.#summary = form.querySelector<HTMLElement>('.cf-summary') ?? this.#createSummary()
    this.#status = form.querySelector<HTMLElement>('[role="status"]') ?? form.appendChild(h('div', { class: 'cf-status', role: 'status' }))
    for (const name of FIELDS) {
      const control = name === 'captcha' ? this.#captchaSlot() : this.#control(name)
      if (control === null) continue
      if (control.id === '') control.id = `cf${++instances}-${name}`
      let message = form.querySelector<HTMLElement>(`#${CSS.escape(control.id)}-error`)
      if (message === null) {
        message = h('p', { class: 'cf-error', id: `${control.id}-error`, hidden: true })
        if (name === 'captcha') control.prepend(message)
        else (control.closest('.cf-checkbox') ?? control).before(message)
      }
      this.#messages.set(name, message)
    }
  }

  #createSummary (): HTMLElement {
    const titleId = `cf${++instances}-summary`
    const summary = h('div', { class: 'cf-summary', tabindex: '-1', 'aria-labelledby': titleId, hidden: true },
      h('h2', { class: 'cf-summary__title', id: titleId }, this.#t.summaryTitle),
      h('ul', { class: 'cf-summary__list' }))
    this.#form.prepend(summary)
    return summary
  }

  /** Where the widget and its message go: a site's own [data-captcha], or a new one before the submit button. */
  #captchaSlot (): HTMLElement {
    let slot = this.#form.querySelector<HTMLElement>('[data-captcha]')
    if (slot === null) {
      slot = h('div', { class: 'cf-field cf-field--captcha', 'data-captcha': true })
      const submit = this.#form.querySelector('[type="submit"]')
      if (submit === null) this.#form.append(slot)
      else submit.before(slot)
    }
    return slot
  }

  /** The control a field's errors point at. */
  #control (name: FieldName): HTMLElement | null {
    if (name === 'captcha') return this.#captcha?.focusTarget ?? null
    return this.#form.querySelector<HTMLElement>(`[name="${name}"]`) ?? (name === 'consent' ? this.#form.querySelector<HTMLElement>('[name="consent.accepted"]') : null)
  }

  #values (): FormValues {
    const value = (name: string) => (this.#form.querySelector<HTMLInputElement>(`[name="${name}"]`)?.value ?? '')
    const consent = this.#control('consent') as HTMLInputElement | null
    return { name: value('name'), email: value('email'), phone: value('phone'), organisation: value('organisation'), message: value('message'), consent: consent?.checked === true }
  }

  async #submit (): Promise<void> {
    if (this.#sending) return
    this.#clearErrors()
    const values = this.#values()
    const problems = check(values).map((e) => ({ field: e.field, text: this.#t[e.message] }))
    if (problems.length > 0) {
      this.#showProblems(problems)
      return
    }
    this.#setSending(true)
    try {
      const captcha = await (await this.#captchaLoading).answer()
      if (captcha === null) {
        this.#showProblems([{ field: 'captcha', text: this.#t.captchaFailed }])
        return
      }
      const body = JSON.stringify(this.#body(values, captcha))
      const key = this.#attempt?.body === body ? this.#attempt.key : crypto.randomUUID()
      this.#attempt = { body, key }
      await this.#settle(await this.#api.submit(body, key))
    } finally {
      this.#setSending(false)
    }
  }

  #body (values: FormValues, captcha: CaptchaAnswer) {
    const page = `${location.origin}${location.pathname}`
    return {
      contactId: this.#options.contactId,
      ...fieldsOf(values),
      locale: this.#options.locale,
      pageUrl: /^https?:\/\/\S+$/.test(page) && page.length <= 2048 ? page : undefined,
      consent: { accepted: values.consent, noticeVersion: this.#notice.version },
      captcha,
      website: this.#form.querySelector<HTMLInputElement>('[name="website"]')?.value ?? ''
    }
  }

  async #settle (outcome: SubmitOutcome): Promise<void> {
    if (outcome.kind === 'stored') {
      this.#showReceipt(outcome.receipt.id, outcome.receipt.retainUntil)
      return
    }
    if (outcome.kind === 'unreachable') {
      this.#showProblems([{ field: null, text: this.#t.tryAgain }])
      return
    }
    this.#showProblems(await this.#problemsOf(outcome))
  }

  /** A refusal as the person should read it, with what it takes to go on (a new solution, the new notice). */
  async #problemsOf ({ status, error, retryAfter }: Extract<SubmitOutcome, { kind: 'refused' }>): Promise<Problem[]> {
    const t = this.#t
    switch (error.code) {
      case 'VALIDATION_FAILED': {
        const fields = [...new Set((error.details ?? []).map((d) => fieldOf(d.path)))]
        return fields.map((field) => ({ field, text: field === null ? t.failed : this.#invalid(field) }))
      }
      case 'CAPTCHA_FAILED':
        this.#captcha?.reset()
        return [{ field: 'captcha', text: t.captchaFailed }]
      case 'CONSENT_REQUIRED':
        if ((error.details ?? []).some((d) => d.path === '/consent/noticeVersion')) {
          await this.#reloadNotice()
          return [{ field: 'consent', text: t.consentChanged }]
        }
        return [{ field: 'consent', text: t.consentMissing }]
      case 'UNKNOWN_CONTACT':
        return [{ field: null, text: t.unknownContact }]
      case 'RATE_LIMITED':
        return [{ field: null, text: t.rateLimited(inWords(retryAfter ?? 600, this.#options.locale)) }]
      default:
        return [{ field: null, text: status >= 500 || error.code === 'CONFLICT' ? t.tryAgain : t.failed }]
    }
  }

  /** What the server refused in a field, in the words the browser's own checks use where they fit. */
  #invalid (field: FieldName): string {
    const t = this.#t
    switch (field) {
      case 'email': return t.emailInvalid
      case 'phone': return t.phoneInvalid
      case 'consent': return t.consentMissing
      case 'captcha': return t.captchaFailed
      default: return t.fieldInvalid(t[field])
    }
  }

  /** The notice changed under the form: show the new one and ask again. */
  async #reloadNotice (): Promise<void> {
    this.#notice = await this.#api.notice(this.#options.locale)
    const [sentence = '', ...rest] = noticeParagraphs(this.#notice)
    const label = this.#form.querySelector('[data-notice-sentence]')
    label?.firstChild?.replaceWith(sentence)
    this.#form.querySelector('[data-notice-text]')?.replaceChildren(...rest.map((p) => h('p', {}, p)))
    const consent = this.#control('consent') as HTMLInputElement | null
    if (consent !== null) consent.checked = false
  }

  #setSending (sending: boolean): void {
    this.#sending = sending
    const submit = this.#form.querySelector<HTMLButtonElement>('[type="submit"]')
    if (submit !== null) submit.disabled = sending
    this.#status.textContent = sending ? this.#t.sending : ''
  }

  #clearErrors (): void {
    this.#summary.hidden = true
    this.#summary.querySelector('ul')?.replaceChildren()
    for (const [name, message] of this.#messages) {
      message.hidden = true
      message.replaceChildren()
      const control = this.#control(name)
      control?.removeAttribute('aria-invalid')
      if (control !== null) describe(control, message.id, false)
    }
  }

  /** Each field's message beside it, all of them in the summary, and focus on the summary. */
  #showProblems (problems: Problem[]): void {
    const list = this.#summary.querySelector('ul')
    for (const { field, text } of problems) {
      const control = field === null ? null : this.#control(field)
      if (control === null) {
        list?.append(h('li', {}, text))
        continue
      }
      const message = this.#messages.get(field as FieldName)
      if (message !== undefined) {
        message.replaceChildren(h('span', { class: 'cf-visually-hidden' }, `${this.#t.errorPrefix} `), text)
        message.hidden = false
        describe(control, message.id, true)
      }
      control.setAttribute('aria-invalid', 'true')
      const link = h('a', { href: `#${control.id}` }, text)
      link.addEventListener('click', (event) => {
        event.preventDefault()
        control.focus()
        control.scrollIntoView({ block: 'center' })
      })
      list?.append(h('li', {}, link))
    }
    this.#summary.hidden = false
    this.#summary.focus()
  }

  #showReceipt (id: string, retainUntil: string): void {
    const t = this.#t
    const date = new Intl.DateTimeFormat(t.dateLocale, { dateStyle: 'long', timeZone: 'Europe/Stockholm' }).format(new Date(retainUntil))
    const receipt = h('div', { class: 'cf-receipt', tabindex: '-1', lang: this.#options.locale },
      h('h2', { class: 'cf-receipt__title' }, t.receiptTitle(this.#contactName)),
      h('p', {}, t.receiptNext),
      h('p', {}, t.receiptDeletion(date)),
      h('p', { class: 'cf-receipt__id' }, t.receiptId(id)))
    this.#form.hidden = true
    this.#form.after(receipt)
    receipt.focus()
  }
}

/** Adds or removes one id in an element's aria-describedby, keeping the page's own. */
function describe (element: HTMLElement, id: string, on: boolean): void {
  const ids = new Set((element.getAttribute('aria-describedby') ?? '').split(/\s+/).filter((s) => s !== ''))
  if (on) ids.add(id)
  else ids.delete(id)
  if (ids.size === 0) element.removeAttribute('aria-describedby')
  else element.setAttribute('aria-describedby', [...ids].join(' '))
}
