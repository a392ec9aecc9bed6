// The SSRF guard. No test here sends a packet anywhere but 127.0.0.1: hostile answers come from
// an injected resolver, and a watched connector proves that nothing was opened for them.
import t from 'tap'
import { request, buildConnector } from 'undici'
import { createAddressPolicy, createGuardedAgent, isPublicAddress, AddressRefused, type Resolver } from '../../../src/webhooks/address-guard.js'
import { webhookReceiver } from '../../helpers/webhook-receiver.js'
import { altchaSubmission, buildTestApp, post } from '../../helpers/app.js'
import { adminKey, asAdmin } from '../../helpers/admin.js'
import { testDatabase } from '../../helpers/database.js'
import { startTestWorkers } from '../../helpers/workers.js'
import { eventually } from '../../helpers/wait.js'

const HOSTILE = [
  '127.0.0.1', '127.255.0.9', '10.0.0.8', '172.16.5.4', '172.31.255.255', '192.168.1.1', '169.254.169.254', '100.64.0.1',
  '0.0.0.0', '224.0.0.251', '255.255.255.255', '::1', '::', 'fe80::1', 'fc00::1', 'fd12:3456::1', 'ff02::1',
  '::ffff:127.0.0.1', '::ffff:169.254.169.254', '::ffff:10.1.2.3', '64:ff9b::a9fe:a9fe', '2002:a9fe:a9fe::1'
]
// Documentation and well-known public addresses: classified, never contacted.
const PUBLIC = ['93.184.215.14', '1.1.1.1', '8.8.8.8', '2606:4700:4700::1111', '2a00:1450:400f:80d::200e']

t.test('the address classes', async (t) => {
  for (const address of HOSTILE) t.equal(isPublicAddress(address), false, `${address} is not public`)
  for (const address of PUBLIC) t.equal(isPublicAddress(address), true, `${address} is public`)
  t.equal(isPublicAddress('not-an-address'), false)
})

/** A connector that must never be called: it fails the test and the connection alike. */
function watchedConnector () {
  const calls: string[] = []
  const connect: buildConnector.connector = (options, callback) => {
    calls.push(options.hostname)
    callback(new Error('the test refuses every connection'), null)
  }
  return { calls, connect }
}

t.test('every hostile address is refused before any connection is attempted', async (t) => {
  for (const address of HOSTILE) {
    const resolved: string[] = []
    const resolve: Resolver = async (hostname) => { resolved.push(hostname); return [{ address, family: address.includes(':') ? 6 : 4 }] }
    const { calls, connect } = watchedConnector()
    const agent = createGuardedAgent({ policy: createAddressPolicy([], resolve), connect, connectTimeoutMs: 1000 })
    await t.rejects(request('https://hooks.example.org/contact', { method: 'POST', body: '{}', dispatcher: agent }), AddressRefused, `${address} refused`)
    t.same(resolved, ['hooks.example.org'], 'the name was resolved once')
    t.same(calls, [], 'no connection was attempted')
    await agent.close()
  }
})

t.test('one hostile address among public ones is enough to refuse; an address literal in the URL is checked too', async (t) => {
  const { calls, connect } = watchedConnector()
  const resolve: Resolver = async () => [{ address: '93.184.215.14', family: 4 }, { address: '10.0.0.8', family: 4 }]
  const agent = createGuardedAgent({ policy: createAddressPolicy([], resolve), connect, connectTimeoutMs: 1000 })
  t.teardown(async () => { await agent.close() })
  await t.rejects(request('https://hooks.example.org/', { dispatcher: agent }), { name: 'AddressRefused', address: '10.0.0.8' })
  // Literals are checked without the resolver; loopback ones (unlisted here) keep the test on
  // 127.0.0.0/8 even if the guard failed, and the watched connector would still refuse.
  await t.rejects(request('https://127.0.0.2/latest/meta-data/', { dispatcher: agent }), { name: 'AddressRefused', address: '127.0.0.2' })
  await t.rejects(request('https://[::ffff:7f00:2]/', { dispatcher: agent }), { name: 'AddressRefused' })
  t.same(calls, [])
})

t.test('the connection goes to the address that was checked: a second answer of the resolver (DNS rebinding) is never asked for', async (t) => {
  const answers = ['93.184.215.14', '127.0.0.1']
  const resolve: Resolver = async () => [{ address: answers.shift() ?? '127.0.0.1', family: 4 }]
  const { calls, connect } = watchedConnector()
  const agent = createGuardedAgent({ policy: createAddressPolicy([], resolve), connect, connectTimeoutMs: 1000 })
  t.teardown(async () => { await agent.close() })
  await t.rejects(request('https://rebind.example.org/', { dispatcher: agent }), /the test refuses every connection/)
  t.same(calls, ['93.184.215.14'], 'the socket was asked for the checked address, not for the name')
  t.same(answers, ['127.0.0.1'], 'and the resolver was asked once')
})

t.test('a host in WEBHOOK_ALLOWED_HOSTS may resolve to loopback, and is reached there', async (t) => {
  const receiver = await webhookReceiver()
  t.teardown(receiver.close)
  const port = new URL(receiver.url).port
  const resolve: Resolver = async (hostname) => hostname === 'crm.internal' ? [{ address: '127.0.0.1', family: 4 }] : []
  const agent = createGuardedAgent({ policy: createAddressPolicy(['crm.internal'], resolve), connectTimeoutMs: 1000 })
  t.teardown(async () => { await agent.close() })
  const res = await request(`http://crm.internal:${port}/hooks`, { method: 'POST', body: '{}', dispatcher: agent })
  t.equal(res.statusCode, 204)
  await res.body.dump()
  t.equal(receiver.received[0]?.headers.host, `crm.internal:${port}`, 'the Host header keeps the name')
})

t.test('the URL rules: https, or http for a listed host; no credentials', async (t) => {
  const policy = createAddressPolicy(['crm.internal', '127.0.0.1'])
  t.equal(policy.problemWith('https://hooks.example.org/x'), null)
  t.equal(policy.problemWith('http://crm.internal:8080/x'), null)
  t.equal(policy.problemWith('http://127.0.0.1:9/x'), null)
  t.match(policy.problemWith('http://hooks.example.org/x'), /must be https/)
  t.match(policy.problemWith('https://a:b@hooks.example.org/x'), /credentials/)
  t.match(policy.problemWith('https://hooks.example.org/x#frag'), /fragment/)
  t.match(policy.problemWith('gopher://crm.internal/x'), /http or https/)
})

t.test('through the worker: a delivery to a name that resolves to the metadata address is logged as refused, and nothing is connected', async (t) => {
  const { calls, connect } = watchedConnector()
  const resolve: Resolver = async () => [{ address: '169.254.169.254', family: 4 }]
  const tuning = { webhookRetryMs: [50], webhookTimeoutMs: 500 }
  const { app, config } = await buildTestApp(t, {}, { tuning })
  await startTestWorkers(t, config, { tuning, webhookNetwork: { resolve, connect } })
  const created = await asAdmin(app, await adminKey(app), { method: 'POST', url: '/v1/admin/webhooks', payload: { url: 'https://metadata.example.org/hook', events: ['contact_request.received'] } })
  t.equal(created.statusCode, 201, 'the URL itself is acceptable: where it points is checked at each connection')
  await post(app, await altchaSubmission(app))
  const prisma = await testDatabase()
  const delivery = await eventually(async () => {
    const row = await prisma.webhookDelivery.findFirst({ include: { attemptLog: { orderBy: { at: 'asc' } } } })
    return row?.status === 'failed' ? row : undefined
  }, { what: 'the delivery to fail' })
  t.same(delivery.attemptLog.map((a) => a.errorKind), ['address_refused', 'address_refused'], 'both attempts refused')
  t.match(delivery.lastError, /address refused: metadata\.example\.org resolves to a non-public address/)
  t.same(calls, [], 'no connection was attempted')
})
