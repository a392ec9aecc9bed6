// The embed script: one <script src=".../embed/v1/contact-form.js"> turns every
// [data-contact-form] on the page into a working contact form.
import { ContactForm } from './contact-form.js'

/** Where this build's assets live, beside the entry; set by the build (web/build.mjs). */
declare const ASSETS_DIRECTORY: string

const script = document.currentScript as HTMLScriptElement | null
if (script === null) throw new Error('contact-form.js must be loaded with a classic <script src>, not as a module or inline')
// The API is wherever this script came from, so a page on another origin posts to the service.
const here = new URL(script.src)
const environment = {
  origin: here.origin,
  assets: new URL(ASSETS_DIRECTORY, here).href.replace(/\/$/, '')
}

function start (): void {
  for (const root of document.querySelectorAll<HTMLElement>('[data-contact-form]')) {
    if (root.dataset.contactFormReady !== undefined) continue
    root.dataset.contactFormReady = ''
    new ContactForm(root, environment).init().catch((err: unknown) => { console.error('contact form:', err) })
  }
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start)
else start()
