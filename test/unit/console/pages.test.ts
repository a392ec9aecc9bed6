// The pages and mails of handling and the console as text, in both languages: each says what it
// should, and escapes whatever it shows (a name with markup stays text).
import t from 'tap'
import { handlingPage, type HandlingPageView } from '../../../src/follow-through/page.js'
import { composeDigest, type DigestItem } from '../../../src/follow-through/digest.js'
import * as pages from '../../../src/console/pages.js'
import type { ConsoleSession } from '../../../src/console/sessions.js'
import type { RequestDetail } from '../../../src/repositories/requests.js'

const at = new Date('2026-12-04T09:14:00Z')
const NASTY = '<script>alert(1)</script>'
const h1 = (html: string) => /<h1>([^<]*)<\/h1>/.exec(html)?.[1]

t.test('every handling page, in Swedish and English, with its heading, and nothing unescaped', async (t) => {
  const views: Array<[HandlingPageView, string, string]> = [
    [{ kind: 'ask', action: 'take', contactName: NASTY, receivedAt: at, formAction: '/handle/x/y' }, 'Ta förfrågan', 'Take this request'],
    [{ kind: 'ask', action: 'answer', contactName: 'Lotta', receivedAt: at, formAction: '/handle/x/y' }, 'Markera som besvarad', 'Mark as answered'],
    [{ kind: 'ask', action: 'pass', contactName: 'Lotta', receivedAt: at, formAction: '/handle/x/y', options: { suggested: [{ value: 'contact:sofia', label: NASTY }], colleagues: [{ value: 'contact:b', label: 'B' }] } }, 'Inte min – skicka vidare', 'Not mine – pass it on'],
    [{ kind: 'done', action: 'take', next: { answer: '/handle/x/z' } }, 'Du har tagit förfrågan', 'You have taken this request'],
    [{ kind: 'done', action: 'answer' }, 'Förfrågan är besvarad', 'The request is answered'],
    [{ kind: 'done', action: 'pass', toName: NASTY }, 'Förfrågan är vidareskickad', 'The request is passed on'],
    [{ kind: 'already', what: 'taken', name: NASTY, at }, 'Redan hanterad', 'Already handled'],
    [{ kind: 'already', what: 'passed', name: 'Sofia', at }, 'Redan hanterad', 'Already handled'],
    [{ kind: 'already', what: 'answered', at }, 'Redan hanterad', 'Already handled'],
    [{ kind: 'already', what: 'closed', at: null }, 'Redan hanterad', 'Already handled'],
    [{ kind: 'held' }, 'Förfrågan kan inte hanteras nu', 'This request cannot be handled now'],
    [{ kind: 'same_handler', name: 'Sofia' }, 'Redan hanterad', 'Already handled'],
    [{ kind: 'unknown_handler' }, 'Inte min – skicka vidare', 'Not mine – pass it on'],
    [{ kind: 'gone' }, 'Länken gäller inte', 'This link is not valid']
  ]
  for (const [view, sv, en] of views) {
    t.equal(h1(handlingPage(view, 'sv')), sv, `${view.kind} in Swedish`)
    const english = handlingPage(view, 'en')
    t.equal(h1(english), en, `${view.kind} in English`)
    t.notMatch(english, '<script>', `${view.kind}: escaped`)
  }
  t.match(handlingPage({ kind: 'already', what: 'taken', name: 'Sofia Frölander', at }, 'en'), /Sofia Frölander took this request on 4 December 2026 at 10:14\./)
})

t.test('a digest in English names why each request is in it; the team\'s copy has no links', async (t) => {
  const item = (stage: number, actions: DigestItem['actions']): DigestItem => ({
    followUpId: `f${stage}`,
    recipient: 'x@ri.se',
    locale: 'en',
    handler: actions === null ? null : 'contact:lotta',
    stage,
    requestId: `r${stage}`,
    name: NASTY,
    email: 'anna@example.se',
    excerpt: 'Hello\nthere',
    receivedAt: at,
    retainUntil: at,
    contactName: 'Lotta Fransson',
    handlerName: stage === 1 ? null : 'Sofia',
    actions
  })
  const links = { take: 'https://k/t', answer: 'https://k/a', pass: 'https://k/p' }
  const mail = composeDigest('x@ri.se', [item(1, links), item(2, links), item(3, links)], { from: 'K <no@ri.se>', digestId: 'digest-1' })
  t.equal(mail.subject, 'Reminder: 3 requests are waiting for an answer')
  t.match(mail.text, /Waiting for an answer\.[\s\S]*Sofia has not answered, and you are the delegate\.[\s\S]*Neither Sofia nor the delegate has answered\./)
  t.match(mail.text, /> Hello\n> there/)
  t.notMatch(String(mail.html), '<script>')
  const copy = composeDigest('team@ri.se', [item(2, null)], { from: 'K <no@ri.se>', digestId: 'digest-2' })
  t.match(copy.text, /^A copy for the team/)
  t.notMatch(copy.text, /https:\/\/k\//)
  t.equal(composeDigest('x@ri.se', [{ ...item(1, links), locale: 'sv' }], { from: 'K <no@ri.se>', digestId: 'd' }).subject, 'Påminnelse: en förfrågan väntar på svar')
})

const session: ConsoleSession = {
  actor: 'console:dana@ri.se',
  subject: 's',
  email: 'dana@ri.se',
  name: NASTY,
  scopes: ['requests:read', 'requests:write', 'subjects:export', 'subjects:erase', 'retention:purge', 'contacts:read', 'webhooks:read', 'webhooks:write', 'audit:read'],
  contactId: 'lotta-fransson',
  createdAt: 0,
  lastSeenAt: 0,
  csrf: 'token',
  idToken: ''
}
const detail = {
  id: '6f1c2d3e-4a5b-4c6d-8e7f-0a1b2c3d4e5f',
  contactId: 'lotta-fransson',
  name: NASTY,
  email: 'a@example.se',
  phone: null,
  organisation: NASTY,
  message: NASTY,
  locale: 'sv',
  pageUrl: null,
  status: 'taken',
  captchaProvider: 'altcha',
  captchaVerified: true,
  receivedAt: at,
  retainUntil: at,
  closedAt: null,
  legalHoldReason: 'Dnr 1',
  legalHoldAt: at,
  restrictedAt: at,
  spamScore: null,
  spamReasons: [],
  quarantinedAt: null,
  handler: 'contact:lotta-fransson',
  takenAt: at,
  answeredAt: null,
  followUpStage: 0,
  consent: { noticeVersion: 'v', noticeLocale: 'en', noticeSha256: 'x', method: 'checkbox', consentedAt: at, notice: { version: 'v', locale: 'en', text: NASTY, sha256: 'x', publishedAt: at } },
  receipt: null,
  notifications: [{ id: 'n', status: 'failed', recipient: 'l@ri.se', routeReason: 'direct', attempts: 8, lastError: 'x', smtpResponse: null, messageId: null, createdAt: at, queuedAt: null, lastAttemptAt: at, sentAt: null, failedAt: at }],
  events: [{ at, kind: 'status', value: 'taken', actor: NASTY }],
  webhooks: []
} as unknown as RequestDetail

const HEADINGS = {
  sv: ['Logga in', 'Logga in', 'No access', 'Inkorg', 'Inkorg', 'Förfrågan från &lt;script&gt;alert(1)&lt;/script&gt;', 'Radera förfrågan?', 'Registrerades rättigheter',
    'Kontrollera innan du fortsätter', 'Kontrollera innan du fortsätter', 'Raderat', 'Granskningslogg', 'Skräppost', 'Skräppost', 'Gallring', 'Gallring', 'Katalog', 'Anna', 'API-nycklar', 'Webhooks'],
  en: ['Sign in', 'Sign in', 'No access', 'Inbox', 'Inbox', 'Request from &lt;script&gt;alert(1)&lt;/script&gt;', 'Erase this request?', 'Data-subject rights',
    'Check before you continue', 'Check before you continue', 'Erased', 'Audit log', 'Spam', 'Spam', 'Retention', 'Retention', 'Directory', 'Anna', 'API keys', 'Webhooks']
} as const

/** Every console page, in one language, in its states: with data, empty, with errors, after an action. */
const everyPage = (locale: 'sv' | 'en'): string[] => [
  pages.signInPage(locale, { expired: true, configured: true }),
  pages.signInPage(locale, { expired: false, configured: false }),
  pages.messagePage(locale, 'No access', ['Your account…'], '', session),
  pages.inboxPage(locale, session, [], { filter: {}, next: null, directory: [], banner: null }),
  pages.inboxPage(locale, session, [{ id: 'i', receivedAt: at, contactName: NASTY, status: 'taken', handlerName: NASTY }], { filter: { status: 'taken' }, next: '/console?cursor=x', directory: [{ value: 'a', label: NASTY }], banner: NASTY }),
  pages.requestPage(locale, session, detail, { contactName: NASTY, handlerName: NASTY, actions: { take: false, answer: true, pass: [{ value: 'contact:b', label: NASTY }] }, banner: NASTY, admin: { write: true, erase: true } }),
  pages.withdrawCheckPage(locale, session, detail.id),
  pages.subjectFormPage(locale, session, { actions: ['export', 'erase'], email: NASTY, errors: ['email', 'action'] }),
  pages.subjectCheckPage(locale, session, { email: NASTY, action: 'erase', requests: 2, held: 1 }),
  pages.subjectCheckPage(locale, session, { email: 'a@b.se', action: 'export', requests: 1, held: 0 }),
  pages.subjectDonePage(locale, session, { erased: 1, held: 2 }),
  pages.auditPage(locale, session, [{ at, actor: NASTY, action: 'x', targetId: null, outcome: 'ok' }], { action: NASTY }),
  pages.quarantinePage(locale, session, [{ id: 'q', receivedAt: at, contactName: NASTY, spamScore: 1.5, spamReasons: ['honeypot'] }]),
  pages.quarantinePage(locale, session, []),
  pages.retentionPage(locale, session, { runs: [{ startedAt: at, trigger: 'console', actor: NASTY, dryRun: true, requests: 3, error: null }], retentionDays: 180, due: 3 }),
  pages.retentionPage(locale, session, { runs: [], retentionDays: 180, purged: 1 }),
  pages.directoryPage(locale, session, [{ id: 'a', name: NASTY, title: 'PM', active: false, delegateId: 'b', retentionDays: 30, responseDays: 5 }], { saved: NASTY, editable: true }),
  pages.contactFormPage(locale, session, { id: 'a', name: 'Anna', title: 'PM', delegateId: 'b' }, [{ id: 'b', name: NASTY, title: 'PM' }], [NASTY]),
  pages.keysPage(locale, session, [{ id: 'k', name: NASTY, prefix: 'cik_1', scopes: 'audit:read', createdAt: at, lastUsedAt: at, revokedAt: null }], { scopes: ['audit:read'], created: { name: 'x', key: 'cik_secret' }, revoked: true, errors: ['name', 'scopes'] }),
  pages.webhooksPage(locale, session, [{ id: 'w', origin: NASTY, events: ['contact_request.received'], enabled: false }], { deliveries: [{ id: 'd', createdAt: at, eventType: 'e', status: 'failed', attempts: 2 }], of: 'w', notice: NASTY, secret: 'whsec_x', writable: true })
]

t.test('every console page, in both languages and in its states: its heading, nothing unescaped', async (t) => {
  for (const locale of ['sv', 'en'] as const) {
    everyPage(locale).forEach((html, i) => {
      t.equal(h1(html), HEADINGS[locale][i], `${locale}: ${HEADINGS[locale][i] ?? i}`)
      t.notMatch(html, '<script>', `${locale} ${i}: escaped`)
      t.match(html, `<html lang="${locale}">`)
    })
  }
  const [signIn, notConfigured, , inbox, , , , , erase, , done] = everyPage('en')
  t.match(inbox, /<nav aria-label="The console">[\s\S]*Spam[\s\S]*Directory[\s\S]*Data-subject rights[\s\S]*Retention[\s\S]*Webhooks[\s\S]*API keys[\s\S]*Audit log/, 'the navigation follows the scopes')
  t.match(signIn, /You were signed out because you had not used the console for a while/)
  t.match(notConfigured, /Sign-in is not set up/)
  t.match(erase, /2 requests, 1 under a legal hold, which are kept/)
  t.match(done, /One request was erased; 2 kept under a legal hold\./)
  t.match(everyPage('sv')[10], /En förfrågan raderades; 2 behålls under rättsligt skydd\./)
})
