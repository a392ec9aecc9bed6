// Submits one contact request to an API at $1 as the form would: a real ALTCHA challenge, solved here.
// Prints the receipt's id. Used by scripts/image/test.sh against the API container.
import { solveChallenge } from 'altcha-lib'
import { deriveKey } from 'altcha-lib/algorithms/pbkdf2'

const [base, message] = process.argv.slice(2)
const challenge = await (await fetch(`${base}/v1/captcha/challenge`)).json()
const solution = await solveChallenge({ challenge, deriveKey })
const notice = await (await fetch(`${base}/v1/privacy-notice?locale=sv`)).json()
const res = await fetch(`${base}/v1/contact-requests`, {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({
    contactId: 'lotta-fransson',
    name: 'Anna Andersson',
    email: 'anna.andersson@example.se',
    message,
    locale: 'sv',
    consent: { accepted: true, noticeVersion: notice.version },
    captcha: { provider: 'altcha', token: Buffer.from(JSON.stringify({ challenge, solution })).toString('base64') }
  })
})
const body = await res.json()
if (res.status !== 202) {
  process.stderr.write(`submission answered ${res.status}: ${JSON.stringify(body)}\n`)
  process.exit(1)
}
process.stdout.write(`${body.id}\n`)
