// Cross-cutting: how request parts are checked against their schemas. A body is JSON and must
// have the types its schema says: `"accepted": "true"` or `"organisation": null` is refused, not
// turned into true or "". Query strings, path parameters and headers are text by nature: their
// numbers and booleans are read from it (Fastify's default, for every part, coerces them all).
import { Ajv, type Options } from 'ajv'
import formats from 'ajv-formats'
import type { FastifySchemaCompiler } from 'fastify'

const COMMON: Options = {
  useDefaults: true,
  // Unknown fields are refused, not dropped, and every failing field is reported (bodies are small).
  removeAdditional: false,
  allErrors: true,
  addUsedSchema: false
}

function createAjv (coerceTypes: Options['coerceTypes']): Ajv {
  const ajv = new Ajv({ ...COMMON, coerceTypes })
  formats.default(ajv)
  return ajv
}

/** Fastify's validator compiler, with a strict instance for bodies and a coercing one for the rest. */
export function validatorCompiler (): FastifySchemaCompiler<unknown> {
  const body = createAjv(false)
  const text = createAjv('array')
  return ({ schema, httpPart }) => {
    const ajv = httpPart === 'body' ? body : text
    // A schema with an $id (shared by several routes) is compiled once per instance.
    const id = (schema as { $id?: string }).$id
    const known = id === undefined ? undefined : ajv.getSchema(id)
    return known ?? ajv.compile(schema as object)
  }
}
