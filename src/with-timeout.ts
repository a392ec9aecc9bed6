// Bounds the wait for a call that takes no AbortSignal (an ioredis command, a Prisma query).

/** Resolves or rejects like `promise`, or rejects after `ms`; the call itself is not cancelled. */
export async function withTimeout<T> (promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => { reject(new Error(`timed out after ${ms} ms`)) }, ms)
  })
  try {
    return await Promise.race([promise, timeout])
  } finally {
    clearTimeout(timer)
  }
}
