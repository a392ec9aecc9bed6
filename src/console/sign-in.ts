// Sign-in with OpenID Connect (openid-client): the authorization code flow with PKCE, state and
// nonce, against the provider OIDC_ISSUER_URL names; roles from OIDC_ROLES_CLAIM mapped to admin
// scopes by OIDC_ROLE_SCOPES; a project manager matched to their contact by a verified e-mail.
import * as oidc from 'openid-client'
import type { Config } from '../config.js'
import type { ConsoleIdentity, PendingSignIn } from './sessions.js'

type OidcSettings = Pick<Config, 'OIDC_ISSUER_URL' | 'OIDC_CLIENT_ID' | 'OIDC_CLIENT_SECRET' | 'OIDC_ROLES_CLAIM' | 'OIDC_ROLE_SCOPES' | 'PUBLIC_BASE_URL'>

/** Plain http only to a provider on this machine (a test's, or a developer's). */
const isLoopback = (url: URL): boolean => ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname)

/** role=scope scope… pairs, as a map. */
export function roleScopes (pairs: readonly string[]): Map<string, string[]> {
  return new Map(pairs.map((pair) => {
    const [role = '', scopes = ''] = pair.split('=')
    return [role, scopes.split(' ').filter((s) => s !== '')]
  }))
}

// eslint-disable-next-line max-lines-per-function -- the flow's three steps (start, finish, sign-out), each a few calls
export function createSignIn (config: OidcSettings, findContact: (email: string) => Promise<string | null>) {
  const issuer = config.OIDC_ISSUER_URL
  const redirectUri = `${config.PUBLIC_BASE_URL}/console/callback`
  const scopesOf = roleScopes(config.OIDC_ROLE_SCOPES)
  let discovered: Promise<oidc.Configuration> | null = null

  /** The provider's metadata, read once (again after a failure). */
  async function provider (): Promise<oidc.Configuration> {
    if (issuer === undefined || config.OIDC_CLIENT_ID === undefined) throw new Error('OIDC_ISSUER_URL is not set')
    const url = new URL(issuer)
    discovered ??= oidc.discovery(url, config.OIDC_CLIENT_ID, config.OIDC_CLIENT_SECRET, undefined, {
      execute: url.protocol === 'http:' && isLoopback(url) ? [oidc.allowInsecureRequests] : []
    }).catch((err: unknown) => { discovered = null; throw err })
    return await discovered
  }

  return {
    configured: issuer !== undefined,

    /** Where to send the browser, and what to keep until it comes back. */
    async start (): Promise<{ url: string, pending: PendingSignIn }> {
      const pending = { codeVerifier: oidc.randomPKCECodeVerifier(), state: oidc.randomState(), nonce: oidc.randomNonce() }
      const url = oidc.buildAuthorizationUrl(await provider(), {
        redirect_uri: redirectUri,
        scope: 'openid email profile',
        code_challenge: await oidc.calculatePKCECodeChallenge(pending.codeVerifier),
        code_challenge_method: 'S256',
        state: pending.state,
        nonce: pending.nonce
      })
      return { url: url.href, pending }
    },

    /** The person the provider sent back, with their scopes and contact; throws on a bad or replayed answer. */
    async finish (callbackUrl: URL, pending: PendingSignIn): Promise<{ identity: ConsoleIdentity, idToken: string }> {
      const tokens = await oidc.authorizationCodeGrant(await provider(), callbackUrl, {
        pkceCodeVerifier: pending.codeVerifier, expectedState: pending.state, expectedNonce: pending.nonce
      })
      const claims: Record<string, unknown> & { sub: string } = tokens.claims() ?? { sub: '' }
      const roles = [claims[config.OIDC_ROLES_CLAIM]].flat().filter((r): r is string => typeof r === 'string')
      const email = typeof claims.email === 'string' ? claims.email.toLowerCase() : ''
      const verified = claims.email_verified === true && email !== ''
      return {
        identity: {
          actor: `console:${email}`,
          subject: claims.sub,
          email,
          name: typeof claims.name === 'string' ? claims.name : email,
          scopes: [...new Set(roles.flatMap((role) => scopesOf.get(role) ?? []))].sort(),
          contactId: verified ? await findContact(email) : null
        },
        idToken: tokens.id_token ?? ''
      }
    },

    /** The provider's sign-out, returning to the console's sign-in page; null when it has none. */
    async endSessionUrl (idToken: string): Promise<string | null> {
      const configuration = await provider()
      if (configuration.serverMetadata().end_session_endpoint === undefined) return null
      return oidc.buildEndSessionUrl(configuration, { id_token_hint: idToken, post_logout_redirect_uri: `${config.PUBLIC_BASE_URL}/console` }).href
    }
  }
}
export type SignIn = ReturnType<typeof createSignIn>
