// Builds the browser side into dist/web: the embed script (the one stable URL sites
// include), and beside it a folder named after its content with everything the
// script loads (stylesheets, the ALTCHA widget and its workers), cacheable for good.
// Fails when the embed script is over its size budget.
import { createHash } from 'node:crypto'
import { copyFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import { gzipSync } from 'node:zlib'
import { fileURLToPath } from 'node:url'
import * as esbuild from 'esbuild'

const BUDGET_GZIP_BYTES = 12 * 1024
const root = fileURLToPath(new URL('..', import.meta.url))
const out = `${root}dist/web`
const altcha = `${root}node_modules/altcha/dist`

const bundle = async (entry, format) => {
  const { outputFiles: [file] } = await esbuild.build({
    entryPoints: [`${root}web/contact-form/${entry}`],
    bundle: true,
    minify: true,
    format,
    target: ['es2022'],
    legalComments: 'none',
    write: false,
    define: { ASSETS_DIRECTORY: JSON.stringify(globalThis.assetsDirectory ?? '') }
  })
  return file.contents
}

const scoped = async (file) =>
  (await esbuild.build({ entryPoints: [file], bundle: true, minify: true, format: 'iife', write: false })).outputFiles[0].contents

// Everything the entry script loads, by the name it asks for.
const assets = {
  'contact-form.css': (await esbuild.build({ entryPoints: [`${root}web/contact-form/contact-form.css`], bundle: true, minify: true, write: false })).outputFiles[0].contents,
  'altcha.min.js': await readFile(`${altcha}/external/altcha.min.js`),
  'altcha.css': await readFile(`${altcha}/external/altcha.css`),
  // Each language file declares top-level names of its own: scoped, two can share a page.
  'altcha-sv.js': await scoped(`${altcha}/i18n/sv.js`),
  'altcha-en.js': await scoped(`${altcha}/i18n/en.js`),
  'pbkdf2.js': await readFile(`${altcha}/workers/pbkdf2.js`),
  'sha.js': await readFile(`${altcha}/workers/sha.js`),
  'solver.js': await bundle('solver.ts', 'iife')
}
const hash = createHash('sha256')
for (const [name, content] of Object.entries(assets)) hash.update(name).update(content)
const directory = hash.digest('hex').slice(0, 12)
globalThis.assetsDirectory = `./${directory}/`
const entry = await bundle('index.ts', 'iife')

await rm(out, { recursive: true, force: true })
await mkdir(`${out}/embed/${directory}`, { recursive: true })
await mkdir(`${out}/demo`, { recursive: true })
for (const [name, content] of Object.entries(assets)) await writeFile(`${out}/embed/${directory}/${name}`, content)
await writeFile(`${out}/embed/contact-form.js`, entry)
// The stylesheet at a stable address too, for sites that style their own form with it.
await writeFile(`${out}/embed/contact-form.css`, assets['contact-form.css'])
for (const name of ['demo.css', 'favicon.svg']) await copyFile(`${root}web/demo/${name}`, `${out}/demo/${name}`)

const gzip = gzipSync(entry, { level: 9 }).length
const report = { entryBytes: entry.length, entryGzipBytes: gzip, budgetGzipBytes: BUDGET_GZIP_BYTES, assets: directory }
await writeFile(`${out}/embed/build.json`, JSON.stringify(report, null, 2))
process.stdout.write(`web: contact-form.js ${entry.length} B, ${gzip} B gzip (budget ${BUDGET_GZIP_BYTES}); assets in embed/${directory}/\n`)
if (gzip > BUDGET_GZIP_BYTES) {
  process.stderr.write(`web: contact-form.js is over its budget of ${BUDGET_GZIP_BYTES} B gzip\n`)
  process.exit(1)
}
