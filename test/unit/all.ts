// The unit tier in one process, for the edit loop (`npm run test:unit`): every test/unit file is
// imported into one tap root, so the tier pays for one Node start instead of one per file.
// `npm test` still runs each file on its own, with coverage.
import { readdir } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'

const dir = 'test/unit'
const files = (await readdir(dir, { recursive: true })).filter((f) => f.endsWith('.test.ts')).sort()
for (const file of files) await import(pathToFileURL(resolve(join(dir, file))).href)
