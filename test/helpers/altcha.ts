// Solves ALTCHA challenges as the browser widget would, so tests submit real solutions.
import { solveChallenge, type Challenge } from 'altcha-lib'
import { deriveKey } from 'altcha-lib/algorithms/pbkdf2'
import type { FastifyInstance } from 'fastify'

export async function solve (challenge: Challenge): Promise<string> {
  const solution = await solveChallenge({ challenge, deriveKey })
  if (solution === null) throw new Error('challenge not solved')
  return Buffer.from(JSON.stringify({ challenge, solution })).toString('base64')
}

/** Fetches a challenge from the API and solves it: the token a real form would post. */
export async function altchaToken (app: FastifyInstance): Promise<string> {
  const response = await app.inject({ method: 'GET', url: '/v1/captcha/challenge' })
  return await solve(response.json<Challenge>())
}
