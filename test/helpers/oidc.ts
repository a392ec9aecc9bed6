// A real OpenID provider for the console's tests: oidc-provider on a free loopback port, with a
// confidential client for the console, PKCE required, test users and the claims the console maps.
import Provider from 'oidc-provider'
import { freePort } from './wait.js'

interface TestLike { teardown: (fn: () => unknown) => void }

export interface TestUser { email: string, email_verified: boolean, name: string, groups: string[] }

export const CLIENT = { id: 'contact-console', secret: 'console-client-secret-0123456789' }

/** Starts the provider; `origin` is the console's (its redirect and post-sign-out addresses). */
export async function identityProvider (t: TestLike, origin: string, users: Record<string, TestUser>): Promise<{ issuer: string }> {
  const port = await freePort()
  const issuer = `http://127.0.0.1:${port}`
  const provider = new Provider(issuer, {
    clients: [{
      client_id: CLIENT.id,
      client_secret: CLIENT.secret,
      redirect_uris: [`${origin}/console/callback`],
      post_logout_redirect_uris: [`${origin}/console`],
      grant_types: ['authorization_code'],
      response_types: ['code']
    }],
    pkce: { required: () => true },
    // The console reads e-mail, its verification, the name and the groups from the ID token.
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name', 'groups'] },
    conformIdTokenClaims: false,
    features: { devInteractions: { enabled: true }, rpInitiatedLogout: { enabled: true } },
    cookies: { keys: ['test-provider-cookie-key-0123456789'] },
    async findAccount (_ctx, id) {
      const user = users[id]
      return user === undefined ? undefined : { accountId: id, claims: async () => ({ sub: id, ...user }) }
    }
  })
  const server = provider.listen(port, '127.0.0.1')
  t.teardown(async () => { await new Promise((resolve) => server.close(resolve)) })
  return { issuer }
}
