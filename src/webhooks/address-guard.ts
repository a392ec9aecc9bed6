// The SSRF guard: a webhook reaches public addresses only, unless its host is one the operator
// listed (WEBHOOK_ALLOWED_HOSTS). The host is resolved once, every address is checked before any
// connection is attempted, and the connection goes to the address that was checked: a second
// resolution, which DNS rebinding would answer differently, never happens.
import { lookup } from 'node:dns/promises'
import { BlockList, isIP } from 'node:net'
import { Agent, buildConnector } from 'undici'

export interface ResolvedAddress { address: string, family: number }
/** Every address a host name stands for; the system's resolver unless a test injects one. */
export type Resolver = (hostname: string) => Promise<ResolvedAddress[]>

export const systemResolver: Resolver = async (hostname) => await lookup(hostname, { all: true, verbatim: true })

/** The delivery may not go where its host name points. */
export class AddressRefused extends Error {
  readonly kind = 'address_refused'
  constructor (readonly hostname: string, readonly address: string) {
    super(`${hostname} resolves to ${address}, which is not a public address; list the host in WEBHOOK_ALLOWED_HOSTS to allow it`)
    this.name = 'AddressRefused'
  }
}

// Everything that is not the public Internet (IANA special-purpose registries). IPv4-mapped IPv6
// addresses are matched against the IPv4 ranges by BlockList itself; NAT64 and 6to4 embed IPv4
// addresses that could be private, and are refused whole.
const NOT_PUBLIC = new BlockList()
for (const [network, prefix] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.0.2.0', 24], ['192.88.99.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['198.51.100.0', 24],
  ['203.0.113.0', 24], ['224.0.0.0', 4], ['240.0.0.0', 4]
] as const) NOT_PUBLIC.addSubnet(network, prefix, 'ipv4')
for (const [network, prefix] of [
  ['::', 128], ['::1', 128], ['64:ff9b::', 96], ['64:ff9b:1::', 48], ['100::', 64], ['2001:db8::', 32], ['2002::', 16],
  ['fc00::', 7], ['fe80::', 10], ['fec0::', 10], ['ff00::', 8]
] as const) NOT_PUBLIC.addSubnet(network, prefix, 'ipv6')

/** Whether a webhook may reach this address without its host being listed. */
export function isPublicAddress (address: string): boolean {
  const family = isIP(address)
  if (family === 0) return false
  return !NOT_PUBLIC.check(address, family === 4 ? 'ipv4' : 'ipv6')
}

const unbracket = (hostname: string): string => hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase()

/** A policy over WEBHOOK_ALLOWED_HOSTS: which URLs an endpoint may have, and where a delivery may connect. */
export function createAddressPolicy (allowedHosts: string[], resolve: Resolver = systemResolver) {
  const allowed = new Set(allowedHosts.map(unbracket))

  return {
    /** Why this URL cannot be an endpoint's, or null: https only (http for a listed host), no credentials. */
    problemWith (url: string): string | null {
      let parsed: URL
      try {
        parsed = new URL(url)
      } catch {
        return 'must be an absolute URL'
      }
      if (parsed.username !== '' || parsed.password !== '') return 'must not carry credentials'
      if (parsed.hash !== '') return 'must not have a fragment'
      const listed = allowed.has(unbracket(parsed.hostname))
      if (parsed.protocol === 'https:' || (parsed.protocol === 'http:' && listed)) return null
      return listed ? 'must be http or https' : 'must be https (http only for a host in WEBHOOK_ALLOWED_HOSTS)'
    },

    /** The address to connect to: the first the host resolves to, once every one is checked. */
    async pin (hostname: string): Promise<string> {
      const host = unbracket(hostname)
      const addresses = isIP(host) === 0 ? await resolve(host) : [{ address: host, family: isIP(host) }]
      const [first] = addresses
      if (first === undefined) throw new AddressRefused(host, 'nothing')
      if (!allowed.has(host)) {
        const refused = addresses.find((a) => !isPublicAddress(a.address))
        if (refused !== undefined) throw new AddressRefused(host, refused.address)
      }
      return first.address
    }
  }
}
export type AddressPolicy = ReturnType<typeof createAddressPolicy>

export interface GuardedAgentOptions {
  policy: AddressPolicy
  /** Opens the socket to the pinned address; undici's own connector unless a test watches it. */
  connect?: buildConnector.connector
  connectTimeoutMs: number
  /** Connections kept per origin. */
  connections?: number
}

/** An undici Agent whose every connection goes through the policy's pin(). */
export function createGuardedAgent ({ policy, connect, connectTimeoutMs, connections }: GuardedAgentOptions): Agent {
  const open = connect ?? buildConnector({ timeout: connectTimeoutMs })
  return new Agent({
    connections,
    connect (options, callback) {
      policy.pin(options.hostname).then(
        // The host name stays in `host`, which TLS takes its server name (SNI, certificate check) from.
        (address) => { open({ ...options, hostname: address }, callback) },
        (err: Error) => { callback(err, null) }
      )
    }
  })
}
