// HTML forms' bodies (application/x-www-form-urlencoded) for the pages this service renders: the
// fields by name, and all the values of a name sent more than once (ticked boxes). Registered in
// the plugin whose routes take forms, so the JSON API never parses one.
import type { FastifyInstance } from 'fastify'

export function acceptForms (app: FastifyInstance, bodyLimit: number): void {
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit }, (_request, body, done) => {
    const fields: Record<string, string | string[]> = {}
    for (const [name, value] of new URLSearchParams(body as string)) {
      const seen = fields[name]
      fields[name] = seen === undefined ? value : [seen, value].flat()
    }
    done(null, fields)
  })
}
