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

/**
 * Swagger UI's method badges and small print are white or grey on light colours (below WCAG AA's
 * 4.5:1): the same colours, darker. Served by the plugin beside its own stylesheet.
 */
const CONTRAST_CSS = `
.swagger-ui .opblock.opblock-get .opblock-summary-method { background: #1f5f99; }
.swagger-ui .opblock.opblock-post .opblock-summary-method { background: #17683e; }
.swagger-ui .opblock.opblock-put .opblock-summary-method { background: #8f4700; }
.swagger-ui .opblock.opblock-patch .opblock-summary-method { background: #0b6763; }
.swagger-ui .opblock.opblock-delete .opblock-summary-method { background: #a1221b; }
.swagger-ui .info .base-url, .swagger-ui .info__extdocs, .swagger-ui .info .url, .swagger-ui .version-stamp pre { color: #3b4151; background: #fff; }
.swagger-ui .info .title small { background: #4a5160; }
.swagger-ui .info .title small.version-stamp { background: #2f6b12; }
.swagger-ui .btn.authorize { color: #17683e; border-color: #17683e; }
.swagger-ui .btn.authorize svg { fill: #17683e; }
.swagger-ui .parameter__in, .swagger-ui .parameter__type, .swagger-ui .prop-format, .swagger-ui .parameter__deprecated { color: #4a5160; }
`

export default fp(async function docs (app) {
  await app.register(swaggerUi, {
    routePrefix: '/docs',
    staticCSP: DOCS_CSP,
    theme: { title: 'Contact-request intake: API reference', css: [{ filename: 'contrast.css', content: CONTRAST_CSS }] },
    // BaseLayout: without the top bar, whose "explore" box (an unlabelled input) and logo (an
    // image without text) would load other documents and say nothing to a screen reader.
    uiConfig: { layout: 'BaseLayout', deepLinking: false, defaultModelsExpandDepth: 0, tryItOutEnabled: false }
  })
}, { name: 'docs', fastify: '5.x', dependencies: ['@fastify/swagger'] })
