// Pseudonymous keys for client addresses: rate limits never see or store a raw IP.
import { createHmac } from 'node:crypto'
import { isIPv6 } from 'node:net'
import { Address6 } from 'ip-address'

/**
 * The part of an address that identifies one client: an IPv4 address, or an
 * IPv6 /64 (one customer's network, since every device in it has its own address).
 */
export function addressBucket (ip: string): string {
  if (!isIPv6(ip)) return ip
  const address = new Address6(ip)
  if (address.is4()) return address.to4().correctForm()
  return `${new Address6(`${address.correctForm()}/64`).startAddress().correctForm()}/64`
}

/**
 * HMAC-SHA-256 of the bucket under a key that changes every UTC day, so a key
 * cannot be linked to yesterday's and cannot be reversed without the secret.
 */
export function createClientKey (secret: string, now: () => Date = () => new Date()) {
  let day = ''
  let dayKey: Buffer = Buffer.alloc(0)
  return (ip: string): string => {
    const today = now().toISOString().slice(0, 10)
    if (today !== day) {
      day = today
      dayKey = createHmac('sha256', secret).update(`client-key:${today}`).digest()
    }
    return createHmac('sha256', dayKey).update(addressBucket(ip)).digest('base64url')
  }
}
