// The admin command line: `npm run cli -- <command>`.
import { runCli } from './run.js'

process.exitCode = await runCli(process.argv.slice(2), { env: process.env, stdout: process.stdout, stderr: process.stderr })
