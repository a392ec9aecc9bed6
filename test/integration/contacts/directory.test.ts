// The contact directory file, its rules, its loading, and who receives a request.
import t from 'tap'
import { DirectoryError, parseDirectory, readDirectoryFile } from '../../../src/contacts/directory.js'
import { routeRequest, type RoutableContact } from '../../../src/contacts/routing.js'
import { publishNotices, readNoticeFiles } from '../../../src/notices/catalog.js'
import { loadTestReferenceData, resetData, testDatabase, testRepositories } from '../../helpers/database.js'

const entry = (id: string, extra: Record<string, unknown> = {}) => ({ id, name: id, title: 'Projektledare', email: `${id}@example.org`, ...extra })

t.test('the shipped directory has the two project managers from the page', async (t) => {
  const entries = await readDirectoryFile('data/contacts.json')
  t.match(entries, [
    { id: 'lotta-fransson', name: 'Lotta Fransson', title: 'Projektledare', phone: '+46 72 451 19 36', email: /@example\.org$/ },
    { id: 'sofia-frolander', name: 'Sofia Frölander', title: 'Projektledare', phone: '+46 10 228 42 92', email: /@example\.org$/ }
  ])
})

t.test('a directory with mistakes is refused, naming each', async (t) => {
  const err = t.throws(() => parseDirectory({
    contacts: [
      entry('a', { delegateId: 'b' }),
      entry('b', { delegateId: 'a' }),
      entry('c', { delegateId: 'c' }),
      entry('d', { delegateId: 'nobody' }),
      entry('f'),
      entry('f'),
      entry('e', { delegateStandsIn: true })
    ]
  })) as DirectoryError
  t.type(err, DirectoryError)
  t.match(err.message, /f: listed twice/)
  t.match(err.message, /a: delegation cycle with b/)
  t.match(err.message, /c: cannot delegate to itself/)
  t.match(err.message, /d: delegate nobody is not in the directory/)
  t.match(err.message, /e: delegateStandsIn needs a delegateId/)
})

t.test('a directory that does not fit the schema is refused', async (t) => {
  t.throws(() => parseDirectory({ contacts: [{ id: 'Not A Slug', name: 'x', title: 'x', email: 'x' }] }), DirectoryError)
  t.throws(() => parseDirectory({ contacts: [entry('a', { extra: true })] }), DirectoryError)
})

t.test('loading a directory updates contacts and deactivates the ones no longer listed', async (t) => {
  const prisma = await testDatabase()
  await resetData(prisma)
  const result = await (await testRepositories()).contacts.sync(parseDirectory({ contacts: [entry('lotta-fransson', { name: 'Lotta F.', retentionDays: 90 })] }))
  t.same(result, { upserted: 1, deactivated: 1 })
  t.match(await prisma.contact.findUnique({ where: { id: 'lotta-fransson' } }), { name: 'Lotta F.', retentionDays: 90, delegateId: null, active: true })
  t.match(await prisma.contact.findUnique({ where: { id: 'sofia-frolander' } }), { active: false })
  await resetData(prisma)
})

t.test('with CONTACTS_FILE empty, loading leaves the directory as the admin API keeps it', async (t) => {
  const prisma = await testDatabase()
  await resetData(prisma)
  await prisma.contact.update({ where: { id: 'lotta-fransson' }, data: { active: false } })
  await loadTestReferenceData({ CONTACTS_FILE: '', PRIVACY_NOTICES_DIR: 'data/privacy-notices' })
  t.equal((await prisma.contact.findUniqueOrThrow({ where: { id: 'lotta-fransson' } })).active, false, 'the change survives a restart')
  await loadTestReferenceData()
  t.equal((await prisma.contact.findUniqueOrThrow({ where: { id: 'lotta-fransson' } })).active, true, 'while a file is named, the file wins')
})

t.test('a changed notice text cannot be published under an existing version', async (t) => {
  const prisma = await testDatabase()
  await resetData(prisma)
  const [first] = await readNoticeFiles('data/privacy-notices')
  t.ok(first)
  if (first === undefined) return
  const { notices } = await testRepositories()
  t.same(await publishNotices(notices, [first]), { published: 0 }, 'the same text again is a no-op')
  await t.rejects(publishNotices(notices, [{ ...first, text: `${first.text} edited`, sha256: 'f'.repeat(64) }]), /publish a new version/)
})

const contact = (extra: Partial<RoutableContact> = {}): RoutableContact => ({
  id: 'lotta-fransson', email: 'lotta@example.org', locale: 'sv', active: true, delegateStandsIn: false, delegate: null, ...extra
})
const delegate = { id: 'sofia-frolander', email: 'sofia@example.org', locale: 'en', active: true }

t.test('routing: an active contact receives their own requests', async (t) => {
  t.same(routeRequest(contact({ delegate }), undefined), { reason: 'direct', email: 'lotta@example.org', locale: 'sv', contactId: 'lotta-fransson' })
})

t.test('routing: an inactive contact\'s delegate receives them', async (t) => {
  t.match(routeRequest(contact({ active: false, delegate }), undefined), { reason: 'delegate', email: 'sofia@example.org', locale: 'en' })
})

t.test('routing: a delegate standing in receives them while the contact is active', async (t) => {
  t.match(routeRequest(contact({ delegateStandsIn: true, delegate }), undefined), { reason: 'delegate', contactId: 'sofia-frolander' })
  t.match(routeRequest(contact({ delegateStandsIn: true, delegate: { ...delegate, active: false } }), undefined), { reason: 'direct' }, 'unless the delegate is gone too')
})

t.test('routing: nobody to take it goes to the fallback inbox, or nowhere', async (t) => {
  t.match(routeRequest(contact({ active: false, delegate: { ...delegate, active: false } }), 'kontakt@example.org'), { reason: 'fallback', email: 'kontakt@example.org', contactId: null })
  t.equal(routeRequest(contact({ active: false }), undefined), null)
})
