// The CLI as a process, as `npm run cli` starts it: its answer on stdout and its exit code. The
// commands themselves are tested in-process (test/integration/cli); this proves the entry wires them.
import t from 'tap'
import { once } from 'node:events'
import { sharedDatabase } from '../helpers/database.js'
import { CLI_ENV } from '../helpers/config.js'
import { forkEntry } from '../helpers/processes.js'

async function cli (args: string[]): Promise<{ code: number, stdout: string, stderr: string }> {
  const child = forkEntry('src/cli/index.ts', args, {
    env: { ...process.env, ...CLI_ENV },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc']
  })
  let stdout = ''
  let stderr = ''
  child.stdout?.on('data', (chunk: Buffer) => { stdout += chunk.toString() })
  child.stderr?.on('data', (chunk: Buffer) => { stderr += chunk.toString() })
  const [code] = await once(child, 'exit') as [number]
  return { code, stdout, stderr }
}

t.test('the process answers on stdout with exit code 0, and a mistake with the usage and exit code 64', async (t) => {
  await sharedDatabase()
  const listed = await cli(['keys', 'list'])
  t.equal(listed.code, 0, listed.stderr)
  t.same(JSON.parse(listed.stdout), [])
  const mistake = await cli(['keys', 'create'])
  t.equal(mistake.code, 64)
  t.match(mistake.stderr, /Usage: npm run cli/)
})
