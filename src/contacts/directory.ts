// The contact directory file: its schema and its rules (src/repositories/contacts.ts stores it).
import { readFile } from 'node:fs/promises'
import { Type, type Static } from '@sinclair/typebox'
import { Value } from '@sinclair/typebox/value'
import { ContactId, Email, Line, LocaleSchema, Phone } from '../schemas/common.js'

export const ResponseDays = Type.Integer({ minimum: 1, maximum: 30, description: 'working days (Swedish calendar)' })

export const ContactEntrySchema = Type.Object({
  id: ContactId,
  name: Line(200, { required: true }),
  title: Line(200, { required: true }),
  email: Email,
  phone: Type.Optional(Phone),
  locale: Type.Optional(LocaleSchema),
  active: Type.Optional(Type.Boolean()),
  delegateId: Type.Optional(ContactId),
  /** The delegate takes this contact's requests even while the contact is active. */
  delegateStandsIn: Type.Optional(Type.Boolean()),
  retentionDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 3650 })),
  /** Working days a request may wait for an answer before its handler is reminded (HANDLING_RESPONSE_DAYS when absent). */
  responseDays: Type.Optional(ResponseDays)
}, { additionalProperties: false })
export type ContactEntry = Static<typeof ContactEntrySchema>

export const ContactFileSchema = Type.Object({
  contacts: Type.Array(ContactEntrySchema, { minItems: 1 })
}, { additionalProperties: false })

export class DirectoryError extends Error {
  constructor (readonly problems: string[]) {
    super(`Invalid contact directory:\n  ${problems.join('\n  ')}`)
    this.name = 'DirectoryError'
  }
}

/** Checks the rules the schema cannot express: unique ids, known delegates, no delegation cycles. */
export function checkDirectory (entries: ContactEntry[]): string[] {
  const problems: string[] = []
  const byId = new Map<string, ContactEntry>()
  for (const entry of entries) {
    if (byId.has(entry.id)) problems.push(`${entry.id}: listed twice`)
    byId.set(entry.id, entry)
  }
  for (const entry of entries) {
    if (entry.delegateId === undefined) {
      if (entry.delegateStandsIn === true) problems.push(`${entry.id}: delegateStandsIn needs a delegateId`)
      continue
    }
    if (entry.delegateId === entry.id) problems.push(`${entry.id}: cannot delegate to itself`)
    else if (!byId.has(entry.delegateId)) problems.push(`${entry.id}: delegate ${entry.delegateId} is not in the directory`)
    else if (byId.get(entry.delegateId)?.delegateId === entry.id) problems.push(`${entry.id}: delegation cycle with ${entry.delegateId}`)
  }
  return problems
}

export function parseDirectory (json: unknown): ContactEntry[] {
  if (!Value.Check(ContactFileSchema, json)) {
    throw new DirectoryError([...Value.Errors(ContactFileSchema, json)].map((e) => `${e.path || '/'}: ${e.message}`))
  }
  const problems = checkDirectory(json.contacts)
  if (problems.length > 0) throw new DirectoryError(problems)
  return json.contacts
}

export async function readDirectoryFile (path: string): Promise<ContactEntry[]> {
  let json: unknown
  try {
    json = JSON.parse(await readFile(path, 'utf8'))
  } catch (err) {
    throw new DirectoryError([`${path}: ${(err as Error).message}`])
  }
  return parseDirectory(json)
}
