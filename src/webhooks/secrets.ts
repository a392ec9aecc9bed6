// Webhook signing secrets: made here, shown once, kept only sealed (AES-256-GCM under
// WEBHOOK_SECRET_KEY, bound to their endpoint so a sealed secret cannot be moved to another row).
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'
import { conflict } from '../errors.js'

/** A Standard Webhooks secret: "whsec_" and the base64 of 32 random bytes. */
export const newSigningSecret = (): string => `whsec_${randomBytes(32).toString('base64')}`

const VERSION = 'v1'
const IV_BYTES = 12
const TAG_BYTES = 16

export const webhooksNotConfigured = () =>
  conflict('Webhooks need WEBHOOK_SECRET_KEY (64 hex digits, e.g. `openssl rand -hex 32`) in the configuration of the API and the worker.')

/** Seals and opens signing secrets; without a key, nothing can be sealed or opened. */
export function createSecretBox (keyHex: string | undefined) {
  const key = keyHex === undefined ? null : Buffer.from(keyHex, 'hex')
  const need = (): Buffer => {
    if (key === null) throw webhooksNotConfigured()
    return key
  }
  return {
    configured: key !== null,

    /** "v1:" and base64url of IV, tag and ciphertext. */
    seal (secret: string, endpointId: string): string {
      const iv = randomBytes(IV_BYTES)
      const cipher = createCipheriv('aes-256-gcm', need(), iv).setAAD(Buffer.from(endpointId))
      const sealed = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()])
      return `${VERSION}:${Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString('base64url')}`
    },

    /** Throws when the value was not sealed for this endpoint under this key. */
    open (sealed: string, endpointId: string): string {
      const [version, body = ''] = sealed.split(':')
      if (version !== VERSION) throw new Error(`unknown sealed-secret version ${String(version)}`)
      const bytes = Buffer.from(body, 'base64url')
      const decipher = createDecipheriv('aes-256-gcm', need(), bytes.subarray(0, IV_BYTES)).setAAD(Buffer.from(endpointId))
      decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES))
      return Buffer.concat([decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8')
    }
  }
}
export type SecretBox = ReturnType<typeof createSecretBox>
