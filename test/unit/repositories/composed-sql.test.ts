// Statements assembled from fragments in several files (the intake's STORE, the claims that apply
// the restriction, the webhook deliveries written with them) are checked in expanded, one file each
// in src/repositories/sql/, so a reader can read each whole and a review sees any change to it.
// UPDATE_SQL_SNAPSHOTS=1 rewrites the files after a deliberate change.
import t from 'tap'
import { readFile, writeFile } from 'node:fs/promises'
import { COMPOSED_STATEMENTS as requests } from '../../../src/repositories/requests.js'
import { COMPOSED_STATEMENTS as notifications } from '../../../src/repositories/notifications.js'
import { COMPOSED_STATEMENTS as receipts } from '../../../src/repositories/receipts.js'
import { COMPOSED_STATEMENTS as webhooks } from '../../../src/repositories/webhooks.js'
import { COMPOSED_STATEMENTS as handling } from '../../../src/repositories/handling.js'

const DIR = 'src/repositories/sql'
const statements: Record<string, string> = { ...requests, ...notifications, ...receipts, ...webhooks, ...handling }

/** The statement as a file holds it: no blank lines around it, no trailing spaces, its common indentation removed. */
function expanded (sql: string): string {
  const lines = sql.split('\n').map((line) => line.trimEnd())
  while (lines[0] === '') lines.shift()
  while (lines.at(-1) === '') lines.pop()
  const indent = Math.min(...lines.filter((l) => l !== '').map((l) => /^ */.exec(l)?.[0].length ?? 0))
  return `${lines.map((l) => l.slice(indent)).join('\n')}\n`
}

for (const [name, sql] of Object.entries(statements)) {
  t.test(`${name} reads as src/repositories/sql/${name}.sql`, async (t) => {
    const file = `${DIR}/${name}.sql`
    if (process.env.UPDATE_SQL_SNAPSHOTS === '1') await writeFile(file, expanded(sql))
    const stored = await readFile(file, 'utf8').catch(() => null)
    t.ok(stored !== null, `${file} exists (UPDATE_SQL_SNAPSHOTS=1 writes it)`)
    t.equal(expanded(sql), stored, 'the statement as composed is the one checked in')
  })
}
