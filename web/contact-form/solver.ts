// Stands in for the widget's proof-of-work workers on a page of another origin,
// where a browser refuses to start a worker from the service's origin. It speaks
// the workers' messages and runs altcha's own solver in the page: the key
// derivations are WebCrypto calls, asynchronous, so the page stays responsive.
import { pbkdf2, sha, solveChallenge } from 'altcha/lib'

type DeriveKey = Parameters<typeof solveChallenge>[0]['deriveKey']

class InPageSolver extends EventTarget {
  #controller: AbortController | null = null

  constructor (private readonly deriveKey: DeriveKey) {
    super()
  }

  postMessage (message: { type: string } & Omit<Parameters<typeof solveChallenge>[0], 'deriveKey' | 'controller'>): void {
    if (message.type === 'abort') {
      this.#controller?.abort()
      return
    }
    const controller = this.#controller = new AbortController()
    solveChallenge({ ...message, controller, deriveKey: this.deriveKey }).then(
      (solution) => { this.dispatchEvent(new MessageEvent('message', { data: solution })) },
      (err: unknown) => { this.dispatchEvent(new MessageEvent('message', { data: { error: String(err) } })) })
  }

  terminate (): void {
    this.#controller?.abort()
  }
}

const asWorker = (deriveKey: DeriveKey) => () => new InPageSolver(deriveKey) as unknown as Worker
for (const name of ['PBKDF2/SHA-256', 'PBKDF2/SHA-384', 'PBKDF2/SHA-512']) $altcha.algorithms.set(name, asWorker(pbkdf2.deriveKey))
for (const name of ['SHA-256', 'SHA-384', 'SHA-512']) $altcha.algorithms.set(name, asWorker(sha.deriveKey))
