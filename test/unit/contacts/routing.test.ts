// Who receives a request: the contact, their delegate, or the fallback inbox; and the router's cache.
import t from 'tap'
import { createContactRouter, routeRequest, type DirectoryContact, type RoutableContact } from '../../../src/contacts/routing.js'

const delegate = { id: 'sofia', email: 'sofia@ri.se', locale: 'en', active: true }
const contact = (over: Partial<RoutableContact> = {}): RoutableContact =>
  ({ id: 'lotta', email: 'lotta@ri.se', locale: 'sv', active: true, delegateStandsIn: false, delegate, ...over })

t.test('an active contact whose delegate does not stand in receives their own requests', async (t) => {
  t.same(routeRequest(contact(), 'fallback@ri.se'), { reason: 'direct', email: 'lotta@ri.se', locale: 'sv', contactId: 'lotta' })
})

t.test('an inactive contact\'s requests go to the active delegate, in the delegate\'s language', async (t) => {
  t.same(routeRequest(contact({ active: false }), 'fallback@ri.se'), { reason: 'delegate', email: 'sofia@ri.se', locale: 'en', contactId: 'sofia' })
})

t.test('a delegate who stands in takes the requests of an active contact', async (t) => {
  t.same(routeRequest(contact({ delegateStandsIn: true }), undefined), { reason: 'delegate', email: 'sofia@ri.se', locale: 'en', contactId: 'sofia' })
})

t.test('a delegate who stands in but is inactive leaves the requests with the active contact', async (t) => {
  t.same(routeRequest(contact({ delegateStandsIn: true, delegate: { ...delegate, active: false } }), 'fallback@ri.se'),
    { reason: 'direct', email: 'lotta@ri.se', locale: 'sv', contactId: 'lotta' })
  t.same(routeRequest(contact({ delegateStandsIn: true, delegate: null }), 'fallback@ri.se'),
    { reason: 'direct', email: 'lotta@ri.se', locale: 'sv', contactId: 'lotta' })
})

t.test('nobody to take it: the fallback inbox, in Swedish, with no contact; without one, nobody', async (t) => {
  const alone = contact({ active: false, delegate: { ...delegate, active: false } })
  t.same(routeRequest(alone, 'fallback@ri.se'), { reason: 'fallback', email: 'fallback@ri.se', locale: 'sv', contactId: null })
  t.equal(routeRequest(alone, undefined), null)
  t.equal(routeRequest(contact({ active: false, delegate: null }), undefined), null)
})

const directory = (contacts: DirectoryContact[]) => {
  let reads = 0
  return { load: async () => { reads++; return contacts }, reads: () => reads }
}
const entry = (over: Partial<DirectoryContact> = {}): DirectoryContact => ({ ...contact(), retentionDays: null, responseDays: null, ...over })

t.test('the router finds the route and the retention: the contact\'s override, or the default', async (t) => {
  const source = directory([entry(), entry({ id: 'kept', retentionDays: 30 })])
  const router = createContactRouter({ load: source.load, fallbackEmail: undefined, retentionDays: 180, cacheMs: 60_000 })
  t.match(await router.find('lotta'), { route: { reason: 'direct', contactId: 'lotta' }, retentionDays: 180 })
  t.match(await router.find('kept'), { retentionDays: 30 })
  t.equal(await router.find('nobody'), null, 'an unknown contact')
})

t.test('a contact nobody can take requests for is not found', async (t) => {
  const router = createContactRouter({ load: directory([entry({ active: false, delegate: null })]).load, fallbackEmail: undefined, retentionDays: 180, cacheMs: 60_000 })
  t.equal(await router.find('lotta'), null)
})

t.test('the directory is read once per cache period, once for concurrent callers, and again after forget()', async (t) => {
  const source = directory([entry()])
  const router = createContactRouter({ load: source.load, fallbackEmail: undefined, retentionDays: 180, cacheMs: 60_000 })
  await Promise.all([router.find('lotta'), router.find('lotta'), router.find('lotta')])
  t.equal(source.reads(), 1, 'concurrent callers share one read')
  await router.find('lotta')
  t.equal(source.reads(), 1, 'within the cache period')
  router.forget()
  await router.find('lotta')
  t.equal(source.reads(), 2, 'forget() reads again')
})

t.test('a cache period of 0 reads the directory at every look-up', async (t) => {
  const source = directory([entry()])
  const router = createContactRouter({ load: source.load, fallbackEmail: undefined, retentionDays: 180, cacheMs: 0 })
  await router.find('lotta')
  await new Promise((resolve) => setTimeout(resolve, 2))
  await router.find('lotta')
  t.equal(source.reads(), 2)
})

t.test('a failed read is not cached: the next look-up tries again', async (t) => {
  let fail = true
  const router = createContactRouter({ load: async () => { if (fail) throw new Error('down'); return [entry()] }, fallbackEmail: undefined, retentionDays: 180, cacheMs: 60_000 })
  await t.rejects(router.find('lotta'), /down/)
  fail = false
  t.match(await router.find('lotta'), { route: { contactId: 'lotta' } })
})
