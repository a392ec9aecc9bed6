// The console's pages: server-rendered HTML in the demo and withdrawal pages' style (GOV.UK
// patterns: a table, a summary list, a notification banner), no script, Swedish and English.
// Everything shown is escaped here.
import { escapeHtml as e, pageShell } from '../html.js'
import { FORMATS } from '../notifications/compose.js'
import type { RequestDetail } from '../repositories/requests.js'
import type { Locale } from '../schemas/common.js'
import type { ConsoleSession } from './sessions.js'

const TEXTS = {
  sv: {
    console: 'Kontaktkonsolen',
    signIn: { title: 'Logga in', body: 'Konsolen är för dig som hanterar förfrågningar från kontaktformulären. Logga in med ditt konto hos RISE.', button: 'Logga in' },
    expired: 'Du har loggats ut eftersom du inte har använt konsolen på ett tag. Logga in igen.',
    notConfigured: 'Inloggning är inte inställd (OIDC_ISSUER_URL).',
    noAccess: { title: 'Ingen behörighet', body: 'Ditt konto har ingen roll i konsolen och är inte en kontaktperson i katalogen.' },
    forbidden: { title: 'Ingen behörighet', body: 'Den här förfrågan är inte din. Försöket har loggats.' },
    notFound: { title: 'Förfrågan finns inte', body: 'Den kan ha raderats.' },
    csrf: { title: 'Formuläret har gått ut', body: 'Ladda om sidan och försök igen.' },
    link: {
      title: 'Logga in med engångslänk',
      body: 'Länken loggar in dig en gång, med de behörigheter den skapades med. Den gäller i några minuter.',
      button: 'Logga in',
      gone: { title: 'Länken gäller inte', body: 'Den kan ha gått ut eller redan ha använts. Be om en ny.' }
    },
    nav: { label: 'Konsolen', inbox: 'Inkorg', quarantine: 'Skräppost', directory: 'Katalog', subjects: 'Registrerades rättigheter', retention: 'Gallring', webhooks: 'Webhooks', keys: 'API-nycklar', audit: 'Granskningslogg' },
    keys: {
      title: 'API-nycklar',
      caption: 'Nycklar (bara deras början visas)',
      empty: 'Inga nycklar.',
      name: 'Vem eller vad nyckeln är till',
      scopes: 'Behörigheter',
      create: 'Skapa nyckel',
      revoke: 'Återkalla',
      revoked: 'Nyckeln är återkallad.',
      shown: 'Nyckeln visas bara nu: kopiera den och ge den till den som ska använda den.',
      created: 'Nyckeln är skapad',
      columns: { name: 'Namn', prefix: 'Början', scopes: 'Behörigheter', created: 'Skapad', used: 'Senast använd', revoke: 'Återkalla' },
      errors: { name: 'Ange ett namn på en rad', scopes: 'Välj minst en behörighet' }
    },
    webhooks: {
      title: 'Webhooks',
      caption: 'Mottagare',
      empty: 'Inga mottagare.',
      deliveries: 'Leveranser',
      none: 'Inga leveranser.',
      replay: 'Leverera igen',
      rotate: 'Byt hemlighet',
      rotated: (until: string) => `Den nya hemligheten visas bara nu. Den gamla signerar också till ${until}.`,
      replayed: 'Leveransen görs om.',
      columns: { origin: 'Adress', events: 'Händelser', enabled: 'På', deliveries: 'Leveranser' },
      deliveryColumns: { created: 'Skapad', event: 'Händelse', status: 'Status', attempts: 'Försök', replay: 'Leverera igen' }
    },
    directory: {
      title: 'Katalog',
      caption: 'Kontaktpersoner',
      edit: 'Ändra',
      saved: (name: string) => `${name} är ändrad.`,
      yes: 'ja',
      no: 'nej',
      none: 'ingen',
      columns: { name: 'Namn', title: 'Titel', active: 'Aktiv', delegate: 'Ersättare', retention: 'Lagring (dagar)', response: 'Svarstid (arbetsdagar)', edit: 'Ändra' },
      form: {
        active: 'Tar emot förfrågningar',
        standsIn: 'Ersättaren tar emot i stället',
        delegate: 'Ersättare',
        retention: 'Lagringstid i dagar (tom: standard)',
        response: 'Svarstid i arbetsdagar (tom: standard)',
        save: 'Spara',
        back: 'Till katalogen'
      },
      invalid: 'Ändringen bryter mot katalogens regler'
    },
    audit: {
      title: 'Granskningslogg',
      caption: 'Händelser, nyaste först (högst 200)',
      empty: 'Inga händelser.',
      action: 'Åtgärd, t.ex. console.requests.read',
      from: 'Från och med',
      to: 'Till och med',
      filter: 'Filtrera',
      columns: { at: 'När', actor: 'Vem', action: 'Åtgärd', target: 'Gällde', outcome: 'Utfall' }
    },
    quarantine: {
      title: 'Skräppost',
      body: 'Förfrågningar som spamfiltret höll kvar. Öppna en för att släppa den (den skickas då) eller bekräfta att den är skräppost.',
      caption: 'I karantänen, nyaste först',
      empty: 'Karantänen är tom.',
      columns: { received: 'Mottagen', to: 'Till', score: 'Poäng', reasons: 'Skäl', open: 'Förfrågan' }
    },
    retention: {
      title: 'Gallring',
      body: (days: number) => `Förfrågningar raderas när deras lagringstid är slut (${days} dagar om kontakten inte har en egen). En provkörning visar vad som skulle raderas utan att ändra något.`,
      dryRun: 'Provkör',
      run: 'Gallra nu',
      check: 'Det här skulle raderas',
      due: (n: number) => n === 1 ? 'En förfrågan' : `${n} förfrågningar`,
      runWarning: 'Gallringen raderar dem nu, med allt som hör till dem. Det går inte att ångra.',
      done: (n: number) => `Gallrat: ${n === 1 ? 'en förfrågan' : `${n} förfrågningar`}.`,
      caption: 'Körningar, nyaste först',
      empty: 'Ingen gallring har körts.',
      columns: { started: 'Startad', trigger: 'Av', dry: 'Prov', requests: 'Förfrågningar', error: 'Fel' },
      yes: 'ja',
      no: 'nej'
    },
    problem: 'Det finns ett problem',
    subjects: {
      title: 'Registrerades rättigheter',
      body: 'Exportera allt som finns om en e-postadress (rätt till tillgång), eller radera det (rätt till radering).',
      email: 'E-postadress',
      action: 'Vad vill du göra?',
      export: 'Exportera allt om adressen',
      erase: 'Radera allt om adressen',
      next: 'Fortsätt',
      errors: { email: 'Ange en e-postadress, till exempel anna@example.se', action: 'Välj vad du vill göra' },
      check: 'Kontrollera innan du fortsätter',
      count: (n: number) => n === 1 ? 'en förfrågan' : `${n} förfrågningar`,
      held: (n: number) => n === 0 ? 'ingen under rättsligt skydd' : `${n} under rättsligt skydd, som behålls`,
      exportWarning: 'Exporten är en JSON-fil med personuppgifter. Spara den säkert och ge den bara till den registrerade.',
      eraseWarning: 'Allt raderas nu, i databasen, i köerna och i e-postkopiorna. Det går inte att ångra.',
      doExport: 'Exportera',
      doErase: 'Radera allt',
      done: 'Raderat',
      doneBody: (erased: number, held: number) => `${erased === 1 ? 'En förfrågan' : `${erased} förfrågningar`} raderades${held === 0 ? '' : `; ${held} behålls under rättsligt skydd`}.`,
      labels: { email: 'Adress', action: 'Åtgärd', requests: 'Förfrågningar' }
    },
    signOut: 'Logga ut',
    signedInAs: (name: string) => `Inloggad som ${name}`,
    inbox: { title: 'Inkorg', empty: 'Inga förfrågningar.', filter: 'Filtrera', status: 'Status', any: 'Alla', from: 'Mottagen från och med', to: 'Mottagen till och med', next: 'Nästa sida', caption: 'Förfrågningar, nyaste först' },
    columns: { received: 'Mottagen', to: 'Till', status: 'Status', with: 'Hos', open: 'Förfrågan' },
    statuses: { received: 'Mottagen', taken: 'Tagen', answered: 'Besvarad', closed: 'Avslutad', quarantined: 'Skräppost' },
    open: 'Öppna',
    request: {
      title: (name: string) => `Förfrågan från ${name}`,
      labels: { name: 'Namn', email: 'E-post', phone: 'Telefon', organisation: 'Organisation', page: 'Sida', received: 'Mottagen', deleted: 'Raderas', status: 'Status', with: 'Hos', to: 'Till' },
      message: 'Meddelande',
      consent: 'Samtycke',
      consentText: (version: string, locale: string, at: string) => `Integritetsmeddelandet version ${version} (${locale}), godkänt ${at}:`,
      history: 'Historik',
      historyColumns: { at: 'När', what: 'Vad', who: 'Vem' },
      notifications: 'Aviseringar',
      notificationColumns: { status: 'Status', recipient: 'Mottagare', sent: 'Skickad' },
      actions: 'Hantera',
      take: 'Jag tar den',
      answer: 'Besvarad',
      pass: 'Skicka vidare',
      passTo: 'Skicka till',
      done: {
        take: 'Du har tagit förfrågan.',
        answer: 'Förfrågan är markerad som besvarad.',
        pass: 'Förfrågan är vidareskickad.',
        close: 'Förfrågan är avslutad.',
        reopen: 'Förfrågan är öppnad igen.',
        hold: 'Förfrågan har rättsligt skydd.',
        unhold: 'Det rättsliga skyddet är hävt.',
        restrict: 'Behandlingen är begränsad.',
        unrestrict: 'Begränsningen är hävd.',
        redrive: 'Aviseringen skickas igen.',
        release: 'Förfrågan är släppt ur karantänen och skickas nu.',
        spam: 'Förfrågan är markerad som skräppost.'
      },
      refused: 'Det gick inte: förfrågan har ändrats av någon annan, eller är avslutad.',
      refusedReason: 'Ange ett skäl för det rättsliga skyddet (minst tre tecken, ingen personuppgift).',
      refusedHeld: 'Förfrågan har rättsligt skydd och kan inte raderas förrän skyddet är hävt.',
      admin: 'Administrera',
      close: 'Avsluta',
      reopen: 'Öppna igen',
      release: 'Släpp ur karantänen',
      spam: 'Markera som skräppost',
      holdReason: 'Skäl för rättsligt skydd (t.ex. diarienummer)',
      hold: 'Sätt rättsligt skydd',
      unhold: 'Häv rättsligt skydd',
      heldFor: (reason: string) => `Rättsligt skydd: ${reason}`,
      restrict: 'Begränsa behandlingen',
      unrestrict: 'Häv begränsningen',
      redrive: 'Skicka aviseringen igen',
      withdraw: 'Radera förfrågan (samtycket återkallat)',
      withdrawTitle: 'Radera förfrågan?',
      withdrawBody: 'Förfrågan och allt i den raderas nu, i databasen, i köerna och i e-postkopiorna. Det går inte att ångra.',
      withdrawButton: 'Radera förfrågan',
      withdrawn: 'Förfrågan är raderad.',
      back: 'Till inkorgen'
    }
  },
  en: {
    console: 'Contact console',
    signIn: { title: 'Sign in', body: 'The console is for those who handle requests from the contact forms. Sign in with your RISE account.', button: 'Sign in' },
    expired: 'You were signed out because you had not used the console for a while. Sign in again.',
    notConfigured: 'Sign-in is not set up (OIDC_ISSUER_URL).',
    noAccess: { title: 'No access', body: 'Your account has no role in the console and is not a contact in the directory.' },
    forbidden: { title: 'No access', body: 'This request is not yours. The attempt has been logged.' },
    notFound: { title: 'No such request', body: 'It may have been erased.' },
    csrf: { title: 'The form has expired', body: 'Reload the page and try again.' },
    link: {
      title: 'Sign in with a one-time link',
      body: 'The link signs you in once, with the permissions it was made with. It is good for a few minutes.',
      button: 'Sign in',
      gone: { title: 'This link is not valid', body: 'It may have expired or been used already. Ask for a new one.' }
    },
    nav: { label: 'The console', inbox: 'Inbox', quarantine: 'Spam', directory: 'Directory', subjects: 'Data-subject rights', retention: 'Retention', webhooks: 'Webhooks', keys: 'API keys', audit: 'Audit log' },
    keys: {
      title: 'API keys',
      caption: 'Keys (their start only)',
      empty: 'No keys.',
      name: 'Whom or what the key is for',
      scopes: 'Permissions',
      create: 'Create the key',
      revoke: 'Revoke',
      revoked: 'The key is revoked.',
      shown: 'The key is shown only now: copy it and give it to whoever will use it.',
      created: 'The key is created',
      columns: { name: 'Name', prefix: 'Start', scopes: 'Permissions', created: 'Created', used: 'Last used', revoke: 'Revoke' },
      errors: { name: 'Give a name on one line', scopes: 'Choose at least one permission' }
    },
    webhooks: {
      title: 'Webhooks',
      caption: 'Receivers',
      empty: 'No receivers.',
      deliveries: 'Deliveries',
      none: 'No deliveries.',
      replay: 'Deliver again',
      rotate: 'Rotate the secret',
      rotated: (until: string) => `The new secret is shown only now. The old one signs too until ${until}.`,
      replayed: 'The delivery is made again.',
      columns: { origin: 'Address', events: 'Events', enabled: 'On', deliveries: 'Deliveries' },
      deliveryColumns: { created: 'Created', event: 'Event', status: 'Status', attempts: 'Attempts', replay: 'Deliver again' }
    },
    directory: {
      title: 'Directory',
      caption: 'Contacts',
      edit: 'Edit',
      saved: (name: string) => `${name} is changed.`,
      yes: 'yes',
      no: 'no',
      none: 'none',
      columns: { name: 'Name', title: 'Title', active: 'Active', delegate: 'Delegate', retention: 'Retention (days)', response: 'Response time (working days)', edit: 'Edit' },
      form: {
        active: 'Takes requests',
        standsIn: 'The delegate takes them instead',
        delegate: 'Delegate',
        retention: 'Retention in days (empty: the default)',
        response: 'Response time in working days (empty: the default)',
        save: 'Save',
        back: 'To the directory'
      },
      invalid: 'The change breaks the directory\'s rules'
    },
    audit: {
      title: 'Audit log',
      caption: 'Entries, newest first (at most 200)',
      empty: 'No entries.',
      action: 'Action, e.g. console.requests.read',
      from: 'From',
      to: 'Up to',
      filter: 'Filter',
      columns: { at: 'When', actor: 'Who', action: 'Action', target: 'About', outcome: 'Outcome' }
    },
    quarantine: {
      title: 'Spam',
      body: 'Requests the spam filter held. Open one to release it (it is then sent) or confirm it is spam.',
      caption: 'In the quarantine, newest first',
      empty: 'The quarantine is empty.',
      columns: { received: 'Received', to: 'To', score: 'Score', reasons: 'Reasons', open: 'Request' }
    },
    retention: {
      title: 'Retention',
      body: (days: number) => `Requests are deleted when their retention ends (${days} days unless their contact has its own). A dry run shows what would go and changes nothing.`,
      dryRun: 'Dry run',
      run: 'Purge now',
      check: 'This would be deleted',
      due: (n: number) => n === 1 ? 'One request' : `${n} requests`,
      runWarning: 'The purge deletes them now, with everything that belongs to them. This cannot be undone.',
      done: (n: number) => `Purged: ${n === 1 ? 'one request' : `${n} requests`}.`,
      caption: 'Runs, newest first',
      empty: 'No purge has run.',
      columns: { started: 'Started', trigger: 'By', dry: 'Dry', requests: 'Requests', error: 'Error' },
      yes: 'yes',
      no: 'no'
    },
    problem: 'There is a problem',
    subjects: {
      title: 'Data-subject rights',
      body: 'Export everything held about an e-mail address (right of access), or erase it (right to erasure).',
      email: 'E-mail address',
      action: 'What do you want to do?',
      export: 'Export everything about the address',
      erase: 'Erase everything about the address',
      next: 'Continue',
      errors: { email: 'Enter an e-mail address, like anna@example.se', action: 'Choose what you want to do' },
      check: 'Check before you continue',
      count: (n: number) => n === 1 ? 'one request' : `${n} requests`,
      held: (n: number) => n === 0 ? 'none under a legal hold' : `${n} under a legal hold, which are kept`,
      exportWarning: 'The export is a JSON file of personal data. Keep it safe and give it to the data subject only.',
      eraseWarning: 'Everything is erased now: in the database, the queues and the e-mail copies. This cannot be undone.',
      doExport: 'Export',
      doErase: 'Erase everything',
      done: 'Erased',
      doneBody: (erased: number, held: number) => `${erased === 1 ? 'One request was' : `${erased} requests were`} erased${held === 0 ? '' : `; ${held} kept under a legal hold`}.`,
      labels: { email: 'Address', action: 'Action', requests: 'Requests' }
    },
    signOut: 'Sign out',
    signedInAs: (name: string) => `Signed in as ${name}`,
    inbox: { title: 'Inbox', empty: 'No requests.', filter: 'Filter', status: 'Status', any: 'Any', from: 'Received from', to: 'Received up to', next: 'Next page', caption: 'Requests, newest first' },
    columns: { received: 'Received', to: 'To', status: 'Status', with: 'With', open: 'Request' },
    statuses: { received: 'Received', taken: 'Taken', answered: 'Answered', closed: 'Closed', quarantined: 'Spam' },
    open: 'Open',
    request: {
      title: (name: string) => `Request from ${name}`,
      labels: { name: 'Name', email: 'E-mail', phone: 'Phone', organisation: 'Organisation', page: 'Page', received: 'Received', deleted: 'Deleted on', status: 'Status', with: 'With', to: 'To' },
      message: 'Message',
      consent: 'Consent',
      consentText: (version: string, locale: string, at: string) => `Privacy notice version ${version} (${locale}), accepted ${at}:`,
      history: 'History',
      historyColumns: { at: 'When', what: 'What', who: 'Who' },
      notifications: 'Notifications',
      notificationColumns: { status: 'Status', recipient: 'Recipient', sent: 'Sent' },
      actions: 'Handle',
      take: 'I\'ll take it',
      answer: 'Answered',
      pass: 'Pass it on',
      passTo: 'Send to',
      done: {
        take: 'You have taken this request.',
        answer: 'The request is marked as answered.',
        pass: 'The request is passed on.',
        close: 'The request is closed.',
        reopen: 'The request is open again.',
        hold: 'The request is under a legal hold.',
        unhold: 'The legal hold is lifted.',
        restrict: 'Processing is restricted.',
        unrestrict: 'The restriction is lifted.',
        redrive: 'The notification is sent again.',
        release: 'The request is out of the quarantine and is being sent.',
        spam: 'The request is marked as spam.'
      },
      refused: 'That did not work: someone else changed the request, or it is closed.',
      refusedReason: 'Give a reason for the legal hold (three characters at least, no personal data).',
      refusedHeld: 'The request is under a legal hold and cannot be erased until the hold is lifted.',
      admin: 'Administer',
      close: 'Close',
      reopen: 'Reopen',
      release: 'Release from the quarantine',
      spam: 'Mark as spam',
      holdReason: 'Reason for the legal hold (e.g. a case number)',
      hold: 'Put under a legal hold',
      unhold: 'Lift the legal hold',
      heldFor: (reason: string) => `Legal hold: ${reason}`,
      restrict: 'Restrict processing',
      unrestrict: 'Lift the restriction',
      redrive: 'Send the notification again',
      withdraw: 'Erase the request (consent withdrawn)',
      withdrawTitle: 'Erase this request?',
      withdrawBody: 'The request and everything in it are erased now: in the database, the queues and the e-mail copies. This cannot be undone.',
      withdrawButton: 'Erase the request',
      withdrawn: 'The request is erased.',
      back: 'To the inbox'
    }
  }
} as const

export type ConsoleTexts = typeof TEXTS.sv | typeof TEXTS.en
export const textsFor = (locale: Locale): ConsoleTexts => TEXTS[locale]
export type Status = keyof typeof TEXTS.sv.statuses

/** The page around the content: the console's name, who is signed in and the sign-out button. */
export function layout (locale: Locale, title: string, body: string, session?: ConsoleSession): string {
  const t = TEXTS[locale]
  const account = session === undefined
    ? ''
    : `<form method="post" action="/console/sign-out" class="account"><span>${e(t.signedInAs(session.name))}</span>
        <input type="hidden" name="_csrf" value="${e(session.csrf)}"><button type="submit">${e(t.signOut)}</button></form>`
  const links = session === undefined
    ? []
    : [
        { href: '/console', label: t.nav.inbox, show: true },
        { href: '/console/quarantine', label: t.nav.quarantine, show: session.scopes.includes('requests:read') },
        { href: '/console/directory', label: t.nav.directory, show: session.scopes.includes('contacts:read') },
        { href: '/console/subjects', label: t.nav.subjects, show: session.scopes.some((s) => s.startsWith('subjects:')) },
        { href: '/console/retention', label: t.nav.retention, show: session.scopes.includes('retention:purge') },
        { href: '/console/webhooks', label: t.nav.webhooks, show: session.scopes.includes('webhooks:read') },
        { href: '/console/keys', label: t.nav.keys, show: session.scopes.includes('audit:read') && session.scopes.includes('requests:write') },
        { href: '/console/audit', label: t.nav.audit, show: session.scopes.includes('audit:read') }
      ].filter((l) => l.show)
  const nav = links.length <= 1 ? '' : `<nav aria-label="${e(t.nav.label)}"><ul>${links.map((l) => `<li><a href="${l.href}">${e(l.label)}</a></li>`).join('')}</ul></nav>`
  return pageShell({
    locale,
    title: `${title} – ${t.console}`,
    header: `<header><a class="brand" href="/console">RISE ${e(t.console)}</a>${account}</header>
    ${nav}`,
    main: body
  })
}

/** A page with a heading, a paragraph and perhaps a form: sign-in, refusals, expiry. */
export function messagePage (locale: Locale, title: string, paragraphs: string[], form = '', session?: ConsoleSession): string {
  return layout(locale, title, `      <h1>${e(title)}</h1>\n${paragraphs.map((p) => `      <p>${e(p)}</p>`).join('\n')}\n      ${form}`, session)
}

export function signInPage (locale: Locale, { expired, configured }: { expired: boolean, configured: boolean }): string {
  const t = TEXTS[locale]
  const banner = expired ? [t.expired] : []
  if (!configured) return messagePage(locale, t.signIn.title, [...banner, t.notConfigured])
  return messagePage(locale, t.signIn.title, [...banner, t.signIn.body], `<p><a class="button" href="/console/sign-in">${e(t.signIn.button)}</a></p>`)
}

export interface InboxRow { id: string, receivedAt: Date, contactName: string, status: Status, handlerName: string | null }

export interface InboxFilter { status?: Status, contactId?: string, from?: string, to?: string }
export interface InboxOptions {
  filter: InboxFilter
  next: string | null
  directory: Array<{ value: string, label: string }>
  banner: string | null
}

export function inboxPage (
  locale: Locale, session: ConsoleSession, rows: InboxRow[],
  { filter, next, directory, banner }: InboxOptions
): string {
  const t = TEXTS[locale]
  const when = FORMATS[locale].dateTime
  const select = (name: string, label: string, options: Array<{ value: string, label: string }>, chosen: string | undefined) =>
    `<p><label for="${name}">${e(label)}</label><br><select id="${name}" name="${name}"><option value="">${e(t.inbox.any)}</option>${options.map((o) =>
      `<option value="${e(o.value)}"${o.value === chosen ? ' selected' : ''}>${e(o.label)}</option>`).join('')}</select></p>`
  const date = (name: 'from' | 'to') => `<p><label for="${name}">${e(t.inbox[name])}</label><br><input type="date" id="${name}" name="${name}" value="${e(filter[name] ?? '')}"></p>`
  const table = rows.length === 0
    ? `<p>${e(t.inbox.empty)}</p>`
    : `<table tabindex="0">
        <caption>${e(t.inbox.caption)}</caption>
        <thead><tr><th scope="col">${e(t.columns.received)}</th><th scope="col">${e(t.columns.to)}</th><th scope="col">${e(t.columns.status)}</th><th scope="col">${e(t.columns.with)}</th><th scope="col">${e(t.columns.open)}</th></tr></thead>
        <tbody>
${rows.map((r) => `          <tr><td>${e(when.format(r.receivedAt))}</td><td>${e(r.contactName)}</td><td>${e(t.statuses[r.status])}</td><td>${e(r.handlerName ?? '')}</td><td><a href="/console/requests/${e(r.id)}">${e(t.open)}<span class="visually-hidden"> ${e(when.format(r.receivedAt))}</span></a></td></tr>`).join('\n')}
        </tbody>
      </table>`
  return layout(locale, t.inbox.title, `      ${banner === null ? '' : `<div class="banner" role="status"><p>${e(banner)}</p></div>`}
      <h1>${e(t.inbox.title)}</h1>
      <form method="get" action="/console" class="filters">
        ${select('status', t.inbox.status, Object.entries(t.statuses).map(([value, label]) => ({ value, label })), filter.status)}
        ${directory.length === 0 ? '' : select('contactId', t.columns.to, directory, filter.contactId)}
        ${date('from')}${date('to')}
        <p><button type="submit">${e(t.inbox.filter)}</button></p>
      </form>
      ${table}
      ${next === null ? '' : `<p><a href="${e(next)}">${e(t.inbox.next)}</a></p>`}`, session)
}

export interface RequestPageOptions {
  contactName: string
  handlerName: string | null
  /** Which handling actions this person may take here, and whom a pass may go to. */
  actions: { take: boolean, answer: boolean, pass: Array<{ value: string, label: string }> } | null
  banner: string | null
  /** Which admin changes this person may make here. */
  admin: { write: boolean, erase: boolean }
}

/** The admin's forms on a request's page: its status, a legal hold, a restriction, a re-drive, a spam decision, an erasure. */
function adminSection (locale: Locale, session: ConsoleSession, detail: RequestDetail, { write, erase }: RequestPageOptions['admin']): string {
  const r = TEXTS[locale].request
  if (!write && !erase) return ''
  const form = (change: string, label: string, extra = '') =>
    `<form method="post" action="/console/requests/${e(detail.id)}/change/${change}"><input type="hidden" name="_csrf" value="${e(session.csrf)}">${extra}<button type="submit">${e(label)}</button></form>`
  const quarantined = detail.status === 'quarantined'
  const parts = write
    ? [
        quarantined ? form('release', r.release) : form('spam', r.spam),
        quarantined ? '' : detail.status === 'closed' ? form('reopen', r.reopen) : form('close', r.close),
        detail.legalHoldReason === null
          ? form('hold', r.hold, `<p><label for="reason">${e(r.holdReason)}</label><br><input id="reason" name="reason" required minlength="3" maxlength="500"></p>`)
          : `<div><p>${e(r.heldFor(detail.legalHoldReason))}</p>${form('unhold', r.unhold)}</div>`,
        detail.restrictedAt === null ? form('restrict', r.restrict) : form('unrestrict', r.unrestrict),
        ...detail.notifications.filter((n) => n.status === 'failed').map((n) => form('redrive', r.redrive, `<input type="hidden" name="notificationId" value="${e(n.id)}">`))
      ]
    : []
  return `<h2>${e(r.admin)}</h2>
      <div class="actions">${parts.join('\n        ')}</div>
      ${erase ? `<p><a href="/console/requests/${e(detail.id)}/withdraw">${e(r.withdraw)}</a></p>` : ''}`
}

export function withdrawCheckPage (locale: Locale, session: ConsoleSession, id: string): string {
  const r = TEXTS[locale].request
  return layout(locale, r.withdrawTitle, `      <h1>${e(r.withdrawTitle)}</h1>
      <p class="warning"><strong>${e(r.withdrawBody)}</strong></p>
      <form method="post" action="/console/requests/${e(id)}/withdraw"><input type="hidden" name="_csrf" value="${e(session.csrf)}"><button type="submit" class="warning-button">${e(r.withdrawButton)}</button></form>
      <p><a href="/console/requests/${e(id)}">${e(r.back)}</a></p>`, session)
}

const row = (label: string, value: string | null): string => value === null || value === '' ? '' : `<div><dt>${e(label)}</dt><dd>${e(value)}</dd></div>`

export function requestPage (locale: Locale, session: ConsoleSession, detail: RequestDetail, options: RequestPageOptions): string {
  const t = TEXTS[locale]
  const r = t.request
  const when = FORMATS[locale].dateTime
  const csrf = `<input type="hidden" name="_csrf" value="${e(session.csrf)}">`
  const form = (action: string, label: string, extra = '') => `<form method="post" action="/console/requests/${e(detail.id)}/${action}">${csrf}${extra}<button type="submit">${e(label)}</button></form>`
  const { actions } = options
  const handling = actions === null
    ? ''
    : `<h2>${e(r.actions)}</h2>
      <div class="actions">
        ${actions.take ? form('take', r.take) : ''}
        ${actions.answer ? form('answer', r.answer) : ''}
        ${actions.pass.length === 0 ? '' : form('pass', r.pass, `<p><label for="to">${e(r.passTo)}</label><br><select id="to" name="to" required>${actions.pass.map((o) => `<option value="${e(o.value)}">${e(o.label)}</option>`).join('')}</select></p>`)}
      </div>`
  const consent = detail.consent === null
    ? ''
    : `<h2>${e(r.consent)}</h2>
      <p>${e(r.consentText(detail.consent.noticeVersion, detail.consent.noticeLocale, when.format(detail.consent.consentedAt)))}</p>
      <blockquote class="notice">${e(detail.consent.notice.text)}</blockquote>`
  return layout(locale, r.title(detail.name), `      <p><a href="/console">${e(r.back)}</a></p>
      ${options.banner === null ? '' : `<div class="banner" role="status"><p>${e(options.banner)}</p></div>`}
      <h1>${e(r.title(detail.name))}</h1>
      <dl class="summary">
        ${row(r.labels.name, detail.name)}${row(r.labels.email, detail.email)}${row(r.labels.phone, detail.phone)}${row(r.labels.organisation, detail.organisation)}
        ${row(r.labels.to, options.contactName)}${row(r.labels.page, detail.pageUrl)}${row(r.labels.received, when.format(detail.receivedAt))}
        ${row(r.labels.deleted, FORMATS[locale].date.format(detail.retainUntil))}${row(r.labels.status, t.statuses[detail.status])}${row(r.labels.with, options.handlerName)}
      </dl>
      <h2>${e(r.message)}</h2>
      <blockquote class="message">${e(detail.message)}</blockquote>
      ${handling}
      ${adminSection(locale, session, detail, options.admin)}
      ${consent}
      <h2>${e(r.history)}</h2>
      <table tabindex="0" aria-label="${e(r.history)}"><thead><tr><th scope="col">${e(r.historyColumns.at)}</th><th scope="col">${e(r.historyColumns.what)}</th><th scope="col">${e(r.historyColumns.who)}</th></tr></thead>
        <tbody>${detail.events.map((ev) => `<tr><td>${e(when.format(ev.at))}</td><td>${e(`${ev.kind}: ${ev.value}`)}</td><td>${e(ev.actor)}</td></tr>`).join('')}</tbody></table>
      <h2>${e(r.notifications)}</h2>
      <table tabindex="0" aria-label="${e(r.notifications)}"><thead><tr><th scope="col">${e(r.notificationColumns.status)}</th><th scope="col">${e(r.notificationColumns.recipient)}</th><th scope="col">${e(r.notificationColumns.sent)}</th></tr></thead>
        <tbody>${detail.notifications.map((n) => `<tr><td>${e(n.status)}</td><td>${e(n.recipient ?? '')}</td><td>${e(n.sentAt === null ? '' : when.format(n.sentAt))}</td></tr>`).join('')}</tbody></table>`, session)
}

/** GOV.UK's error summary: what is wrong, each a link to its field. */
const errorSummary = (locale: Locale, errors: Array<{ field: string, text: string }>): string => errors.length === 0
  ? ''
  : `<div class="error-summary" role="alert"><h2>${e(TEXTS[locale].problem)}</h2><ul>${errors.map((x) => `<li><a href="#${x.field}">${e(x.text)}</a></li>`).join('')}</ul></div>`

const hidden = (session: ConsoleSession) => `<input type="hidden" name="_csrf" value="${e(session.csrf)}">`

export function subjectFormPage (
  locale: Locale, session: ConsoleSession, { actions, email = '', errors = [] }: { actions: Array<'export' | 'erase'>, email?: string, errors?: Array<'email' | 'action'> }
): string {
  const t = TEXTS[locale].subjects
  const wrong = (field: 'email' | 'action') => errors.includes(field)
  const emailError = wrong('email') ? `<p id="email-error" class="error-message">${e(t.errors.email)}</p>` : ''
  const radios = actions.map((a, i) => `<div><input type="radio" id="action${i === 0 ? '' : `-${a}`}" name="action" value="${a}"${actions.length === 1 ? ' checked' : ''}> <label for="action${i === 0 ? '' : `-${a}`}">${e(t[a])}</label></div>`).join('')
  return layout(locale, t.title, `      ${errorSummary(locale, errors.map((field) => ({ field, text: t.errors[field] })))}
      <h1>${e(t.title)}</h1>
      <p>${e(t.body)}</p>
      <form method="post" action="/console/subjects/check" novalidate>${hidden(session)}
        <p><label for="email">${e(t.email)}</label><br>${emailError}<input type="email" id="email" name="email" autocomplete="off" spellcheck="false" value="${e(email)}"${wrong('email') ? ' aria-invalid="true" aria-describedby="email-error"' : ''}></p>
        <fieldset${wrong('action') ? ' aria-describedby="action-error"' : ''}><legend>${e(t.action)}</legend>${wrong('action') ? `<p id="action-error" class="error-message">${e(t.errors.action)}</p>` : ''}${radios}</fieldset>
        <p><button type="submit">${e(t.next)}</button></p>
      </form>`, session)
}

export function subjectCheckPage (
  locale: Locale, session: ConsoleSession, { email, action, requests, held }: { email: string, action: 'export' | 'erase', requests: number, held: number }
): string {
  const t = TEXTS[locale].subjects
  return layout(locale, t.check, `      <h1>${e(t.check)}</h1>
      <dl class="summary">
        <div><dt>${e(t.labels.email)}</dt><dd>${e(email)}</dd></div>
        <div><dt>${e(t.labels.action)}</dt><dd>${e(t[action])}</dd></div>
        <div><dt>${e(t.labels.requests)}</dt><dd>${e(`${t.count(requests)}, ${t.held(held)}`)}</dd></div>
      </dl>
      <p class="warning"><strong>${e(action === 'erase' ? t.eraseWarning : t.exportWarning)}</strong></p>
      <form method="post" action="/console/subjects/${action}">${hidden(session)}<input type="hidden" name="email" value="${e(email)}">
        <button type="submit"${action === 'erase' ? ' class="warning-button"' : ''}>${e(action === 'erase' ? t.doErase : t.doExport)}</button>
      </form>
      <p><a href="/console/subjects">${e(t.title)}</a></p>`, session)
}

export function subjectDonePage (locale: Locale, session: ConsoleSession, { erased, held }: { erased: number, held: number }): string {
  const t = TEXTS[locale].subjects
  return layout(locale, t.done, `      <div class="banner" role="status"><h1>${e(t.done)}</h1><p>${e(t.doneBody(erased, held))}</p></div>
      <p><a href="/console/subjects">${e(t.title)}</a></p>`, session)
}

/** A table of rows, or a sentence when there are none. Focusable: a wide one scrolls within itself, by keyboard too. */
function tableOf (caption: string, empty: string, headers: string[], rows: string[][]): string {
  if (rows.length === 0) return `<p>${e(empty)}</p>`
  return `<table tabindex="0"><caption>${e(caption)}</caption>
        <thead><tr>${headers.map((h) => `<th scope="col">${e(h)}</th>`).join('')}</tr></thead>
        <tbody>${rows.map((r) => `<tr>${r.map((cell) => `<td>${cell}</td>`).join('')}</tr>`).join('\n')}</tbody></table>`
}

export interface AuditRow { at: Date, actor: string, action: string, targetId: string | null, outcome: string }

export function auditPage (
  locale: Locale, session: ConsoleSession, rows: AuditRow[], filter: { action?: string, from?: string, to?: string }
): string {
  const t = TEXTS[locale].audit
  const when = FORMATS[locale].dateTime
  const input = (name: 'action' | 'from' | 'to', type: string) =>
    `<p><label for="${name}">${e(t[name])}</label><br><input type="${type}" id="${name}" name="${name}" value="${e(filter[name] ?? '')}"></p>`
  return layout(locale, t.title, `      <h1>${e(t.title)}</h1>
      <form method="get" action="/console/audit" class="filters">${input('action', 'text')}${input('from', 'date')}${input('to', 'date')}<p><button type="submit">${e(t.filter)}</button></p></form>
      ${tableOf(t.caption, t.empty, Object.values(t.columns), rows.map((r) => [e(when.format(r.at)), e(r.actor), e(r.action), e(r.targetId ?? ''), e(r.outcome)]))}`, session)
}

export interface QuarantineRow { id: string, receivedAt: Date, contactName: string, spamScore: number | null, spamReasons: string[] }

export function quarantinePage (locale: Locale, session: ConsoleSession, rows: QuarantineRow[]): string {
  const t = TEXTS[locale].quarantine
  const when = FORMATS[locale].dateTime
  return layout(locale, t.title, `      <h1>${e(t.title)}</h1>
      <p>${e(t.body)}</p>
      ${tableOf(t.caption, t.empty, Object.values(t.columns), rows.map((r) => [
        e(when.format(r.receivedAt)), e(r.contactName), e(r.spamScore === null ? '' : r.spamScore.toFixed(1)), e(r.spamReasons.join(', ')),
        `<a href="/console/requests/${e(r.id)}">${e(TEXTS[locale].open)}<span class="visually-hidden"> ${e(when.format(r.receivedAt))}</span></a>`
      ]))}`, session)
}

export interface PurgeRow { startedAt: Date, trigger: string, actor: string, dryRun: boolean, requests: number, error: string | null }

export function retentionPage (
  locale: Locale, session: ConsoleSession,
  { runs, retentionDays, due, purged }: { runs: PurgeRow[], retentionDays: number, due?: number, purged?: number }
): string {
  const t = TEXTS[locale].retention
  const when = FORMATS[locale].dateTime
  const csrf = `<input type="hidden" name="_csrf" value="${e(session.csrf)}">`
  const check = due === undefined
    ? ''
    : `<div class="banner" role="status"><h2>${e(t.check)}</h2><p>${e(t.due(due))}</p></div>
      ${due === 0 ? '' : `<p class="warning"><strong>${e(t.runWarning)}</strong></p><form method="post" action="/console/retention/run">${csrf}<button type="submit" class="warning-button">${e(t.run)}</button></form>`}`
  return layout(locale, t.title, `      ${purged === undefined ? '' : `<div class="banner" role="status"><p>${e(t.done(purged))}</p></div>`}
      <h1>${e(t.title)}</h1>
      <p>${e(t.body(retentionDays))}</p>
      <form method="post" action="/console/retention/dry-run">${csrf}<button type="submit">${e(t.dryRun)}</button></form>
      ${check}
      ${tableOf(t.caption, t.empty, Object.values(t.columns), runs.map((r) => [e(when.format(r.startedAt)), e(`${r.trigger} (${r.actor})`), e(r.dryRun ? t.yes : t.no), e(String(r.requests)), e(r.error ?? '')]))}`, session)
}

export interface DirectoryEntry {
  id: string
  name: string
  title: string
  active?: boolean
  delegateId?: string
  delegateStandsIn?: boolean
  retentionDays?: number
  responseDays?: number
}

export function directoryPage (
  locale: Locale, session: ConsoleSession, entries: DirectoryEntry[], { saved, editable }: { saved: string | null, editable: boolean }
): string {
  const t = TEXTS[locale].directory
  const names = new Map(entries.map((c) => [c.id, c.name]))
  const headers = Object.values(t.columns).slice(0, editable ? undefined : -1)
  return layout(locale, t.title, `      ${saved === null ? '' : `<div class="banner" role="status"><p>${e(t.saved(saved))}</p></div>`}
      <h1>${e(t.title)}</h1>
      ${tableOf(t.caption, '', headers, entries.map((c) => [
        e(c.name), e(c.title), e(c.active === false ? t.no : t.yes),
        e(c.delegateId === undefined ? t.none : names.get(c.delegateId) ?? c.delegateId),
        e(c.retentionDays === undefined ? '' : String(c.retentionDays)), e(c.responseDays === undefined ? '' : String(c.responseDays)),
        ...(editable ? [`<a href="/console/directory/${e(c.id)}">${e(t.edit)}<span class="visually-hidden"> ${e(c.name)}</span></a>`] : [])
      ]))}`, session)
}

export function contactFormPage (
  locale: Locale, session: ConsoleSession, contact: DirectoryEntry, others: DirectoryEntry[], problems: string[] = []
): string {
  const t = TEXTS[locale].directory
  const f = t.form
  const check = (name: string, label: string, on: boolean) => `<div><input type="checkbox" id="${name}" name="${name}" value="true"${on ? ' checked' : ''}> <label for="${name}">${e(label)}</label></div>`
  const number = (name: string, label: string, value: number | undefined, max: number) =>
    `<p><label for="${name}">${e(label)}</label><br><input type="number" inputmode="numeric" id="${name}" name="${name}" min="1" max="${max}" value="${value === undefined ? '' : value}"></p>`
  const summary = problems.length === 0 ? '' : `<div class="error-summary" role="alert"><h2>${e(t.invalid)}</h2><ul>${problems.map((p) => `<li>${e(p)}</li>`).join('')}</ul></div>`
  return layout(locale, contact.name, `      ${summary}
      <h1>${e(contact.name)}</h1>
      <form method="post" action="/console/directory/${e(contact.id)}"><input type="hidden" name="_csrf" value="${e(session.csrf)}">
        ${check('active', f.active, contact.active !== false)}
        <p><label for="delegateId">${e(f.delegate)}</label><br><select id="delegateId" name="delegateId"><option value="">${e(t.none)}</option>${others.map((o) =>
          `<option value="${e(o.id)}"${o.id === contact.delegateId ? ' selected' : ''}>${e(o.name)}</option>`).join('')}</select></p>
        ${check('delegateStandsIn', f.standsIn, contact.delegateStandsIn === true)}
        ${number('retentionDays', f.retention, contact.retentionDays, 3650)}
        ${number('responseDays', f.response, contact.responseDays, 30)}
        <p><button type="submit">${e(f.save)}</button></p>
      </form>
      <p><a href="/console/directory">${e(f.back)}</a></p>`, session)
}

export interface KeyRow {
  id: string
  name: string
  prefix: string
  scopes: string
  createdAt: Date
  lastUsedAt: Date | null
  revokedAt: Date | null
}

export function keysPage (
  locale: Locale, session: ConsoleSession, keys: KeyRow[],
  { scopes, created, revoked, errors = [] }: { scopes: readonly string[], created?: { name: string, key: string }, revoked?: boolean, errors?: Array<'name' | 'scopes'> }
): string {
  const t = TEXTS[locale].keys
  const when = FORMATS[locale].dateTime
  const csrf = `<input type="hidden" name="_csrf" value="${e(session.csrf)}">`
  const shown = created === undefined ? '' : `<div class="banner" role="status"><h2>${e(t.created)}</h2><p>${e(t.shown)}</p><p><code>${e(created.key)}</code></p></div>`
  const live = keys.filter((k) => k.revokedAt === null)
  return layout(locale, t.title, `      ${errorSummary(locale, errors.map((field) => ({ field, text: t.errors[field] })))}${shown}${revoked === true ? `<div class="banner" role="status"><p>${e(t.revoked)}</p></div>` : ''}
      <h1>${e(t.title)}</h1>
      ${tableOf(t.caption, t.empty, Object.values(t.columns), live.map((k) => [
        e(k.name), e(k.prefix), e(k.scopes), e(when.format(k.createdAt)), e(k.lastUsedAt === null ? '' : when.format(k.lastUsedAt)),
        `<form method="post" action="/console/keys/${e(k.id)}/revoke">${csrf}<button type="submit">${e(t.revoke)}<span class="visually-hidden"> ${e(k.name)}</span></button></form>`
      ]))}
      <h2>${e(t.create)}</h2>
      <form method="post" action="/console/keys">${csrf}
        <p><label for="name">${e(t.name)}</label><br><input id="name" name="name" maxlength="200"></p>
        <fieldset id="scopes"><legend>${e(t.scopes)}</legend>${scopes.map((s, i) => `<div><input type="checkbox" id="scope-${i}" name="scope" value="${e(s)}"> <label for="scope-${i}">${e(s)}</label></div>`).join('')}</fieldset>
        <p><button type="submit">${e(t.create)}</button></p>
      </form>`, session)
}

export interface EndpointRow { id: string, origin: string, events: string[], enabled: boolean }
export interface DeliveryRow { id: string, createdAt: Date, eventType: string, status: string, attempts: number }
export interface WebhooksView {
  deliveries: DeliveryRow[]
  of: string | null
  notice: string | null
  secret: string | null
  writable: boolean
}

export function webhooksPage (
  locale: Locale, session: ConsoleSession, endpoints: EndpointRow[],
  { deliveries, of, notice, secret, writable }: WebhooksView
): string {
  const t = TEXTS[locale].webhooks
  const when = FORMATS[locale].dateTime
  const csrf = `<input type="hidden" name="_csrf" value="${e(session.csrf)}">`
  const banner = notice === null ? '' : `<div class="banner" role="status"><p>${e(notice)}</p>${secret === null ? '' : `<p><code>${e(secret)}</code></p>`}</div>`
  const list = tableOf(t.caption, t.empty, Object.values(t.columns), endpoints.map((p) => [
    e(p.origin), e(p.events.join(', ')), e(p.enabled ? '✓' : '–'),
    `<a href="/console/webhooks?endpoint=${e(p.id)}">${e(t.deliveries)}<span class="visually-hidden"> ${e(p.origin)}</span></a>${writable
      ? ` <form method="post" action="/console/webhooks/${e(p.id)}/rotate">${csrf}<button type="submit">${e(t.rotate)}<span class="visually-hidden"> ${e(p.origin)}</span></button></form>`
      : ''}`
  ]))
  const log = of === null
    ? ''
    : `<h2>${e(t.deliveries)}</h2>${tableOf(t.deliveries, t.none, Object.values(t.deliveryColumns).slice(0, writable ? undefined : -1), deliveries.map((d) => [
        e(when.format(d.createdAt)), e(d.eventType), e(d.status), e(String(d.attempts)),
        ...(writable ? [`<form method="post" action="/console/webhooks/deliveries/${e(d.id)}/replay">${csrf}<input type="hidden" name="endpoint" value="${e(of)}"><button type="submit">${e(t.replay)}</button></form>`] : [])
      ]))}`
  return layout(locale, t.title, `      ${banner}
      <h1>${e(t.title)}</h1>
      ${list}
      ${log}`, session)
}
