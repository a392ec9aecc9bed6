// The CAPTCHA side of the form: the self-hosted ALTCHA widget, or the response
// field another provider's widget (loaded by the site itself) writes into the form.
import type { AltchaWidgetElement } from 'altcha/types/generic'
import { load } from './assets.js'
import type { Locale } from './texts.js'

/** What the API's `captcha` field needs, or null when no solution could be had. */
export interface CaptchaAnswer { provider: string, token: string }

export interface Captcha {
  /** Where an error about the CAPTCHA takes focus. */
  readonly focusTarget: HTMLElement
  /** The solution, waiting for the widget to finish if it is still working. */
  answer: () => Promise<CaptchaAnswer | null>
  /** After a refusal: a solution is good for one request only. */
  reset: () => void
}

/** The standard response field each vendor's own widget adds to the form. */
const VENDOR_FIELDS: Record<string, string> = {
  hcaptcha: 'h-captcha-response',
  turnstile: 'cf-turnstile-response',
  recaptcha: 'g-recaptcha-response',
  friendlycaptcha: 'frc-captcha-response'
}

const PBKDF2 = ['PBKDF2/SHA-256', 'PBKDF2/SHA-384', 'PBKDF2/SHA-512']
const SHA = ['SHA-256', 'SHA-384', 'SHA-512']

/**
 * Loads the widget (its CSP-friendly "external" build), its stylesheet and
 * language (the form's), and says where its proof-of-work runs: in the widget's worker files
 * when they share the page's origin; a browser refuses a worker from another
 * origin, so there the service's in-page solver stands in for them.
 */
async function loadAltcha (assets: string, locale: Locale): Promise<void> {
  await Promise.all([load(`${assets}/altcha.css`), load(`${assets}/altcha.min.js`)])
  await load(`${assets}/altcha-${locale}.js`)
  if (new URL(assets, location.href).origin !== location.origin) {
    await load(`${assets}/solver.js`)
    return
  }
  for (const name of PBKDF2) $altcha.algorithms.set(name, () => new Worker(`${assets}/pbkdf2.js`))
  for (const name of SHA) $altcha.algorithms.set(name, () => new Worker(`${assets}/sha.js`))
}

/** The ALTCHA widget in `slot` (created there unless the page already has one). */
export async function altchaCaptcha (
  slot: HTMLElement, options: { assets: string, challengeUrl: string, locale: Locale }
): Promise<Captcha> {
  await loadAltcha(options.assets, options.locale)
  let widget = slot.querySelector('altcha-widget')
  if (widget === null) {
    widget = document.createElement('altcha-widget')
    slot.append(widget)
  }
  await customElements.whenDefined('altcha-widget')
  await widget.configure({
    challenge: options.challengeUrl,
    language: options.locale,
    // Solve while the person types: the answer is usually ready before they press send.
    auto: 'onfocus',
    minDuration: 0,
    hideFooter: true,
    credentials: 'omit'
  })
  return widgetCaptcha(widget)
}

function widgetCaptcha (widget: AltchaWidgetElement): Captcha {
  let payload: string | null = null
  const settled: Array<(token: string | null) => void> = []
  widget.addEventListener('statechange', (event) => {
    const { state, payload: value } = (event as CustomEvent<{ state: string, payload: string | null }>).detail
    payload = state === 'verified' ? value : null
    if (state === 'verifying') return
    for (const resolve of settled.splice(0)) resolve(payload)
  })
  return {
    // The widget renders its checkbox itself, and again after a reset: look it up when needed.
    get focusTarget () { return widget.querySelector<HTMLElement>('input[type="checkbox"]') ?? widget },
    async answer () {
      if (payload !== null) return { provider: 'altcha', token: payload }
      const token = await new Promise<string | null>((resolve) => {
        settled.push(resolve)
        if (widget.getState() !== 'verifying') widget.verify().catch(() => resolve(null))
      })
      return token === null ? null : { provider: 'altcha', token }
    },
    reset () {
      payload = null
      widget.reset()
    }
  }
}

/** Another provider: the site loads its widget; the form reads the field it fills in. */
export function vendorCaptcha (form: HTMLFormElement, provider: string): Captcha {
  const field = VENDOR_FIELDS[provider]
  if (field === undefined) throw new Error(`data-captcha-provider: unknown provider "${provider}"; use altcha or one of ${Object.keys(VENDOR_FIELDS).join(', ')}`)
  const input = () => form.querySelector<HTMLInputElement | HTMLTextAreaElement>(`[name="${field}"]`)
  return {
    get focusTarget () { return form.querySelector<HTMLElement>('[data-captcha], .h-captcha, .cf-turnstile, .g-recaptcha, .frc-captcha') ?? form },
    async answer () {
      const token = input()?.value ?? ''
      return token === '' ? null : { provider, token }
    },
    reset () {
      // The vendor's widget resets itself after its token is used; nothing of ours to clear.
    }
  }
}
