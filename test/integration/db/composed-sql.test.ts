// The expanded statements in src/repositories/sql/ are real SQL for this schema: PostgreSQL parses
// and plans each one (PREPARE) against the migrated test database, and forgets it again.
import t from 'tap'
import { readdir, readFile } from 'node:fs/promises'
import { sharedDatabase } from '../../helpers/database.js'

const DIR = 'src/repositories/sql'

t.test('every checked-in statement prepares against the migrated schema', async (t) => {
  const { pool } = await sharedDatabase()
  const files = (await readdir(DIR)).filter((f) => f.endsWith('.sql')).sort()
  t.ok(files.length >= 9, `${files.length} statements`)
  const client = await pool.connect()
  try {
    for (const [n, file] of files.entries()) {
      const sql = await readFile(`${DIR}/${file}`, 'utf8')
      await client.query(`PREPARE composed_${n} AS ${sql}`)
      await client.query(`DEALLOCATE composed_${n}`)
      t.pass(`${file} prepares`)
    }
  } finally {
    client.release()
  }
})
