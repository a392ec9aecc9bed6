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

t.test('every console page in English: its heading, the navigation its scopes allow, nothing unescaped', async (t) => {
  const rendered: Array<[string, string]> = [
    [pages.signInPage('en', { expired: true, configured: true }), 'Sign in'],
    [pages.signInPage('en', { expired: false, configured: false }), 'Sign in'],
    [pages.messagePage('en', 'No access', ['Your account…'], '', session), 'No access'],
    [pages.inboxPage('en', session, [], { filter: {}, next: null, directory: [], banner: null }), 'Inbox'],
    [pages.inboxPage('en', session, [{ id: 'i', receivedAt: at, contactName: NASTY, status: 'taken', handlerName: NASTY }], { filter: { status: 'taken' }, next: '/console?cursor=x', directory: [{ value: 'a', label: NASTY }], banner: NASTY }), 'Inbox'],
    [pages.requestPage('en', session, detail, { contactName: NASTY, handlerName: NASTY, actions: { take: false, answer: true, pass: [{ value: 'contact:b', label: NASTY }] }, banner: NASTY, admin: { write: true, erase: true } }), `Request from ${'&lt;script&gt;alert(1)&lt;/script&gt;'}`],
    [pages.withdrawCheckPage('en', session, detail.id), 'Erase this request?'],
    [pages.subjectFormPage('en', session, { actions: ['export', 'erase'], email: NASTY, errors: ['email', 'action'] }), 'Data-subject rights'],
    [pages.subjectCheckPage('en', session, { email: NASTY, action: 'erase', requests: 2, held: 1 }), 'Check before you continue'],
    [pages.subjectCheckPage('en', session, { email: 'a@b.se', action: 'export', requests: 1, held: 0 }), 'Check before you continue'],
    [pages.subjectDonePage('en', session, { erased: 1, held: 2 }), 'Erased'],
    [pages.auditPage('en', session, [{ at, actor: NASTY, action: 'x', targetId: null, outcome: 'ok' }], { action: NASTY }), 'Audit log'],
    [pages.quarantinePage('en', session, [{ id: 'q', receivedAt: at, contactName: NASTY, spamScore: 1.5, spamReasons: ['honeypot'] }]), 'Spam'],
    [pages.quarantinePage('en', session, []), 'Spam'],
    [pages.retentionPage('en', session, { runs: [{ startedAt: at, trigger: 'console', actor: NASTY, dryRun: true, requests: 3, error: null }], retentionDays: 180, due: 3 }), 'Retention'],
    [pages.retentionPage('en', session, { runs: [], retentionDays: 180, purged: 1 }), 'Retention'],
    [pages.directoryPage('en', session, [{ id: 'a', name: NASTY, title: 'PM', active: false, delegateId: 'b', retentionDays: 30, responseDays: 5 }], { saved: NASTY, editable: true }), 'Directory'],
    [pages.contactFormPage('en', session, { id: 'a', name: 'Anna', title: 'PM', delegateId: 'b' }, [{ id: 'b', name: NASTY, title: 'PM' }], [NASTY]), 'Anna'],
    [pages.keysPage('en', session, [{ id: 'k', name: NASTY, prefix: 'cik_1', scopes: 'audit:read', createdAt: at, lastUsedAt: at, revokedAt: null }], { scopes: ['audit:read'], created: { name: 'x', key: 'cik_secret' }, revoked: true, errors: ['name', 'scopes'] }), 'API keys'],
    [pages.webhooksPage('en', session, [{ id: 'w', origin: NASTY, events: ['contact_request.received'], enabled: false }], { deliveries: [{ id: 'd', createdAt: at, eventType: 'e', status: 'failed', attempts: 2 }], of: 'w', notice: NASTY, secret: 'whsec_x', writable: true }), 'Webhooks']
  ]
  for (const [html, heading] of rendered) {
    t.equal(h1(html), heading, heading)
    t.notMatch(html, '<script>', `${heading}: escaped`)
    t.match(html, '<html lang="en">')
  }
  t.match(rendered[3]?.[0], /<nav aria-label="The console">[\s\S]*Spam[\s\S]*Directory[\s\S]*Data-subject rights[\s\S]*Retention[\s\S]*Webhooks[\s\S]*API keys[\s\S]*Audit log/, 'the navigation follows the scopes')
  t.match(rendered[0]?.[0], /You were signed out because you had not used the console for a while/)
  t.match(rendered[1]?.[0], /Sign-in is not set up/)
  t.match(rendered[10]?.[0], /One request was erased; 2 kept under a legal hold\./)
})
