// At most one receipt per address per window: a robot that solves the CAPTCHA must not be able
// to make the form mail a victim again and again. Counted in Redis under a keyed hash of the
// address, never the address itself.
import { keyedHash, normaliseAddress } from '../privacy/pseudonyms.js'
import type { RedisClient } from '../redis/connect.js'

export interface ReceiptWindowOptions {
  redis: RedisClient
  pseudonymKey: string
  /** Key prefix (QUEUE_PREFIX), so deployments sharing a Redis count apart. */
  prefix: string
  /** 0: no limit. */
  hours: number
}

export function createReceiptWindow ({ redis, pseudonymKey, prefix, hours }: ReceiptWindowOptions) {
  const keyOf = (email: string) => `${prefix}:receipt-window:${keyedHash(pseudonymKey, 'receipt', normaliseAddress(email))}`
  return {
    /**
     * Claims the window for this receipt; false when another receipt to the same address holds it.
     * A retry of the same receipt finds its own claim and may go on.
     */
    async claim (email: string, receiptId: string): Promise<boolean> {
      if (hours === 0) return true
      const key = keyOf(email)
      if (await redis.set(key, receiptId, 'PX', hours * 3_600_000, 'NX') === 'OK') return true
      return await redis.get(key) === receiptId
    }
  }
}
export type ReceiptWindow = ReturnType<typeof createReceiptWindow>
