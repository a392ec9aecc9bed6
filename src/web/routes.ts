// The website side: the embed script and its assets, and the demo page that uses them.
import { existsSync } from 'node:fs'
import { dirname, resolve } from 'node:path'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
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

export interface WebRoutesOptions {
  contacts: ContactRepository
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
    app.get(url, { schema: { hide: true }, helmet: pageSecurity }, async (_request, reply) => {
      const page = demoPage(await contacts.listActive(), locale)
      return await reply.header('cache-control', 'no-cache').type('text/html; charset=utf-8').send(page)
    })
  }
}

export default webRoutes
