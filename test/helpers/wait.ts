// Waiting for something that happens in the background (a batch write, a delivered e-mail).

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
