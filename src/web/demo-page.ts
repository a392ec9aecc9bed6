// The demo page: a project page's contact section, with one card and one form per
// project manager, built with the embed script exactly as a third-party site would.
import { escapeHtml } from '../html.js'
import type { PublicContact } from '../repositories/contacts.js'
import type { Locale } from '../schemas/common.js'

const TEXTS = {
  sv: {
    title: 'Kontakta oss',
    intro: 'Har du frågor om projektet? Kontakta någon av projektledarna.',
    contact: (firstName: string) => `Kontakta ${firstName}`,
    phone: 'Telefon',
    other: { href: '/en', label: 'In English', lang: 'en' }
  },
  en: {
    title: 'Contact us',
    intro: 'Questions about the project? Get in touch with one of the project managers.',
    contact: (firstName: string) => `Contact ${firstName}`,
    phone: 'Phone',
    other: { href: '/', label: 'På svenska', lang: 'sv' }
  }
} as const

function card (contact: PublicContact, locale: Locale): string {
  const t = TEXTS[locale]
  const firstName = contact.name.split(/\s+/)[0] ?? contact.name
  const phone = contact.phone === undefined
    ? ''
    : `<p>${t.phone}: <a href="tel:${escapeHtml(contact.phone.replace(/[^+0-9]/g, ''))}">${escapeHtml(contact.phone)}</a></p>`
  return `
      <li class="card">
        <h2>${escapeHtml(contact.name)}</h2>
        <p class="title">${escapeHtml(contact.title)}</p>
        ${phone}
        <details>
          <summary>${escapeHtml(t.contact(firstName))}</summary>
          <div data-contact-form data-contact-id="${escapeHtml(contact.id)}" data-locale="${locale}"></div>
        </details>
      </li>`
}

export function demoPage (contacts: PublicContact[], locale: Locale): string {
  const t = TEXTS[locale]
  return `<!doctype html>
<html lang="${locale}">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>${t.title}</title>
    <link rel="icon" href="/demo/favicon.svg" type="image/svg+xml">
    <link rel="stylesheet" href="/demo/demo.css">
    <script src="/embed/v1/contact-form.js" defer></script>
  </head>
  <body>
    <header>
      <span class="brand">RISE</span>
      <a href="${t.other.href}" hreflang="${t.other.lang}" lang="${t.other.lang}">${t.other.label}</a>
    </header>
    <main>
      <h1>${t.title}</h1>
      <p>${t.intro}</p>
      <ul class="cards">${contacts.map((c) => card(c, locale)).join('')}
      </ul>
    </main>
  </body>
</html>
`
}
