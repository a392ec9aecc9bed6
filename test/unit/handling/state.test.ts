// The handling decision: what each action does to a request as it is, and what it refuses.
import t from 'tap'
import { actorName, blocked, decide, type HandlingState } from '../../../src/handling/state.js'

const now = new Date('2026-12-03T10:14:00+01:00')
const earlier = new Date('2026-12-02T09:00:00+01:00')
const received: HandlingState = { status: 'received', handler: null, takenAt: null, handedAt: null, answeredAt: null, closedAt: null, restricted: false }
const lotta = { handler: 'contact:lotta-fransson' as const }
const sofia = { handler: 'contact:sofia-frolander' as const }

t.test('take: received becomes taken by whoever clicked; taking one\'s own again changes nothing', async (t) => {
  t.same(decide(received, { action: 'take', handler: lotta.handler }, lotta, now), { fields: { status: 'taken', handler: lotta.handler, takenAt: now }, event: { kind: 'status', value: 'taken' } })
  const taken = { ...received, status: 'taken' as const, handler: lotta.handler, takenAt: earlier }
  t.same(decide(taken, { action: 'take', handler: lotta.handler }, lotta, now), { unchanged: true })
})

t.test('another link on a taken request is told who took it and when; an admin may act all the same', async (t) => {
  const taken = { ...received, status: 'taken' as const, handler: lotta.handler, takenAt: earlier }
  t.same(decide(taken, { action: 'take', handler: sofia.handler }, sofia, now), { refused: 'taken', by: lotta.handler, at: earlier })
  t.same(decide(taken, { action: 'answer' }, sofia, now), { refused: 'taken', by: lotta.handler, at: earlier })
  t.match(decide(taken, { action: 'answer' }, { admin: 'key:ops' }, now), { fields: { status: 'answered', answeredAt: now }, firstAnswer: true })
})

t.test('answer: the first answer\'s time is kept; a second answer changes nothing', async (t) => {
  t.match(decide(received, { action: 'answer' }, lotta, now), { fields: { status: 'answered', answeredAt: now }, firstAnswer: true })
  const reopened = { ...received, answeredAt: earlier }
  t.match(decide(reopened, { action: 'answer' }, lotta, now), { fields: { answeredAt: earlier }, firstAnswer: false }, 'answered again after a reopening: the first time stays')
  t.same(decide({ ...received, status: 'answered', answeredAt: earlier }, { action: 'answer' }, lotta, now), { unchanged: true })
  t.same(decide({ ...received, status: 'answered', answeredAt: earlier }, { action: 'take', handler: lotta.handler }, lotta, now), { refused: 'answered', at: earlier })
})

t.test('pass: back to received with the new handler, its clock restarted, and a notification for them', async (t) => {
  t.same(decide(received, { action: 'pass', to: sofia.handler }, lotta, now), {
    fields: { status: 'received', handler: sofia.handler, handedAt: now, takenAt: null, followUpStage: 0 },
    event: { kind: 'handler', value: sofia.handler },
    notify: sofia.handler
  })
  t.same(decide(received, { action: 'pass', to: lotta.handler }, lotta, now), { refused: 'same_handler' }, 'not to oneself')
  const passed = { ...received, handler: sofia.handler, handedAt: earlier }
  t.same(decide(passed, { action: 'take', handler: lotta.handler }, lotta, now), { refused: 'passed', to: sofia.handler, at: earlier }, 'the previous holder is told where it went')
})

t.test('nothing is done to a closed, restricted or quarantined request', async (t) => {
  t.same(decide({ ...received, status: 'closed', closedAt: earlier }, { action: 'answer' }, lotta, now), { refused: 'closed', at: earlier })
  t.same(decide({ ...received, restricted: true }, { action: 'take', handler: lotta.handler }, { admin: 'key:ops' }, now), { refused: 'held' })
  t.same(decide({ ...received, status: 'quarantined' }, { action: 'answer' }, lotta, now), { refused: 'held' })
})

t.test('what a link\'s page says before its button is pressed, and how actors are named', async (t) => {
  const taken = { ...received, status: 'taken' as const, handler: lotta.handler, takenAt: earlier }
  t.same(blocked(taken, 'pass', sofia), { refused: 'taken', by: lotta.handler, at: earlier }, 'someone else took it')
  t.equal(blocked(taken, 'answer', lotta), null, 'the one who took it may go on')
  t.same(blocked({ ...received, status: 'answered', answeredAt: earlier }, 'answer', sofia), null, 'answered again: it says so after, not before')
  t.equal(actorName(lotta), 'contact:lotta-fransson')
  t.equal(actorName({ admin: 'key:ops' }), 'key:ops')
})
