// Waiting for something that happens in the background (a batch write, a delivered e-mail), and a port to wait on.
import { createServer } from 'node:net'
import type { Queue } from 'bullmq'

/** Polls `check` until it returns a value other than undefined, or fails after `timeoutMs`. */
export async function eventually<T> (check: () => Promise<T | undefined>, { timeoutMs = 5000, intervalMs = 25, what = 'condition' } = {}): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await check()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, intervalMs))
  }
}

/**
 * Empties a test's queue when the test ends. The app's Redis client gives up on a command after
 * REDIS_COMMAND_TIMEOUT_MS (1 s); on a loaded CI machine (Chromium and parallel test files on two
 * cores) the test process can miss that deadline while Redis answered in milliseconds. Emptying a
 * queue can be repeated, so a timed-out attempt is tried again; any other error fails the test.
 */
export async function emptyQueue (queue: Pick<Queue, 'name' | 'obliterate'>): Promise<void> {
  await eventually(async () => await queue.obliterate({ force: true }).then(() => true, (err: unknown) => {
    if (err instanceof Error && err.message === 'Command timed out') return undefined
    throw err
  }), { timeoutMs: 10_000, what: `the ${queue.name} queue emptied` })
}

/** A loopback port nothing listens on right now. */
export async function freePort (): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise((resolve) => server.close(resolve))
  return port
}
