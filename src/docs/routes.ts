// The API reference at /docs: Swagger UI over the OpenAPI document, every asset served from this
// service (nothing from a CDN), under a Content-Security-Policy of its own. DOCS_ENABLED=false leaves it out.
import fp from 'fastify-plugin'
import swaggerUi from '@fastify/swagger-ui'

/**
 * The one <style> element Swagger UI's bundle (5.x, from @fastify/swagger-ui 6.1) inserts, allowed by
 * its hash rather than by 'unsafe-inline'. A Swagger UI upgrade that changes it fails
 * test/browser-docs.test.ts, whose report names the new hash.
 */
const SWAGGER_UI_INLINE_STYLE = "'sha256-RL3ie0nH+Lzz2YNqQN83mnU0J1ot4QL7b99vMdIX99w='"

/**
 * Swagger UI's page loads its own scripts and styles, fetches the document and draws a few icons
 * from data: URIs; it needs nothing from elsewhere, and nothing inline but that style.
 */
export const DOCS_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  `style-src 'self' ${SWAGGER_UI_INLINE_STYLE}`,
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'"
].join('; ')

export default fp(async function docs (app) {
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    staticCSP: DOCS_CSP,
    theme: { title: 'Contact-request intake: API reference' },
    uiConfig: { deepLinking: true, defaultModelsExpandDepth: 0, tryItOutEnabled: false }
  })
}, { name: 'docs', fastify: '5.x', dependencies: ['@fastify/swagger'] })
