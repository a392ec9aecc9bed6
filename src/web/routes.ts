// The website side: the embed script and its assets, and the demo page that uses them.
import { existsSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from '@sinclair/typebox'
import fastifyStatic from '@fastify/static'
import { demoPage } from './demo-page.js'
import { pageSecurityFor } from './page-security.js'
import type { ContactRepository } from '../repositories/contacts.js'

/** Built by `npm run build` (web/build.mjs); paths are relative to the working directory, like data/. */
const WEB_BUILD_DIR = 'dist/web'

/** The embed's entry: the one address sites include, so a fix must reach them soon. */
const ENTRY_CACHE = 'public, max-age=300'
/** Everything else sits in a folder named after its content: it never changes at its address. */
const ASSET_CACHE = 'public, max-age=31536000, immutable'

/**
 * The demo page shows the directory's first contacts by name, or the ones `?contacts=a,b` names:
 * a demo, not a directory, so it does not grow with an institute's thousands of contacts.
 */
const DEMO_CONTACTS = 12
const DemoQuery = Type.Object({
  contacts: Type.Optional(Type.String({ maxLength: 64 * DEMO_CONTACTS, pattern: '^[a-z0-9,-]*$', description: 'contact ids, comma-separated' }))
})

export interface WebRoutesOptions {
  contacts: Pick<ContactRepository, 'listActive'>
}

const webRoutes: FastifyPluginAsyncTypebox<WebRoutesOptions> = async (app, { contacts }) => {
  const root = resolve(WEB_BUILD_DIR)
  if (!existsSync(`${root}/embed/contact-form.js`)) {
    app.log.warn({ dir: WEB_BUILD_DIR }, 'the embed script is not built (npm run build): /embed/v1/ and the demo page\'s assets answer 404')
  }

  await app.register(fastifyStatic, {
    root: `${root}/embed`,
    prefix: '/embed/v1/',
    decorateReply: false,
    cacheControl: false,
    index: false,
    allowedPath: (path) => path !== '/build.json',
    setHeaders (reply, path) {
      // The entry files sit at the top; everything in the content-named folder below them is immutable.
      reply.header('cache-control', dirname(path) === `${root}/embed` ? ENTRY_CACHE : ASSET_CACHE)
      // Pages on other origins load these: helmet's default (same-origin) would block them.
      reply.header('cross-origin-resource-policy', 'cross-origin')
    }
  })
  await app.register(fastifyStatic, { root: `${root}/demo`, prefix: '/demo/', decorateReply: false, index: false, maxAge: '1h' })

  const pageSecurity = pageSecurityFor(app.config.FRAME_ANCESTORS)
  for (const [url, locale] of [['/', 'sv'], ['/en', 'en']] as const) {
    app.get(url, { schema: { hide: true, querystring: DemoQuery }, helmet: pageSecurity }, async (request, reply) => {
      const ids = request.query.contacts?.split(',').filter((id) => id !== '') ?? []
      const shown = await contacts.listActive(ids.length === 0 ? { limit: DEMO_CONTACTS } : { ids, limit: DEMO_CONTACTS })
      return await reply.header('cache-control', 'no-cache').type('text/html; charset=utf-8').send(demoPage(shown, locale))
    })
  }
}

export default webRoutes
