// schema.prisma and the migrated database must agree, since migrations are written by hand.
import t from 'tap'
import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import pg from 'pg'
import { testDatabase } from '../../helpers/database.js'
import { TEST_DATABASE_URL } from '../../helpers/config.js'
import { DATA_TABLES, REFERENCE_TABLES } from '../../../src/db/tables.js'

interface DmmfField {
  name: string
  dbName?: string | null
  kind: 'scalar' | 'enum' | 'object'
  isList: boolean
  isRequired: boolean
  hasDefaultValue: boolean
  default?: unknown
  type: string
  nativeType: [string, string[]] | null
  relationFromFields?: string[]
  relationToFields?: string[]
  relationOnDelete?: string
}
interface DmmfModel { name: string, dbName: string | null, fields: DmmfField[] }
interface DmmfIndex { model: string, type: 'id' | 'unique' | 'normal', fields: Array<{ name: string }> }
interface Datamodel { models: DmmfModel[], enums: Array<{ name: string, dbName: string | null, values: Array<{ name: string }> }>, indexes: DmmfIndex[] }

const require = createRequire(import.meta.url)
const { get_dmmf: getDmmf } = require('@prisma/prisma-schema-wasm') as { get_dmmf: (params: string) => string }
const schema = await readFile('prisma/schema.prisma', 'utf8')
const datamodel = (JSON.parse(getDmmf(JSON.stringify({ prismaSchema: [['schema.prisma', schema]] }))) as { datamodel: Datamodel }).datamodel

await testDatabase()
const db = new pg.Client({ connectionString: TEST_DATABASE_URL })
await db.connect()
t.teardown(async () => { await db.end() })

const tableOf = (model: DmmfModel) => model.dbName ?? model.name
const columnOf = (model: DmmfModel, fieldName: string) => {
  const field = model.fields.find((f) => f.name === fieldName)
  return field?.dbName ?? fieldName
}
const enumDbName = (name: string) => datamodel.enums.find((e) => e.name === name)?.dbName ?? name

/** The PostgreSQL type Prisma Migrate would create for a field. */
function expectedType (field: DmmfField): string {
  if (field.isList) return `${expectedType({ ...field, isList: false })}[]`
  if (field.kind === 'enum') return enumDbName(field.type)
  if (field.nativeType !== null) {
    const [name, args] = field.nativeType
    return ({ Uuid: 'uuid', Char: `character(${args[0]})`, Timestamptz: `timestamp(${args[0] ?? 6}) with time zone`, Date: 'date', Real: 'real' } as Record<string, string>)[name] ?? name
  }
  return ({ String: 'text', Int: 'integer', Boolean: 'boolean', DateTime: 'timestamp(3) without time zone', BigInt: 'bigint', Float: 'double precision', Json: 'jsonb' } as Record<string, string>)[field.type] ?? field.type
}

function expectedDefault (field: DmmfField): string | null {
  if (!field.hasDefaultValue) return null
  const value = field.default
  if (typeof value === 'object' && value !== null && (value as { name?: string }).name === 'now') return 'CURRENT_TIMESTAMP'
  if (Array.isArray(value) && value.length === 0) return `ARRAY[]::${expectedType(field)}`
  if (typeof value === 'string') return field.kind === 'enum' ? `'${value}'::${enumDbName(field.type)}` : `'${value}'::text`
  return String(value)
}

const { rows: columns } = await db.query<{ table_name: string, column_name: string, type: string, not_null: boolean, default: string | null }>(`
  SELECT c.relname AS table_name, a.attname AS column_name, format_type(a.atttypid, a.atttypmod) AS type,
         a.attnotnull AS not_null, pg_get_expr(d.adbin, d.adrelid) AS default
    FROM pg_attribute a
    JOIN pg_class c ON c.oid = a.attrelid AND c.relkind = 'r'
    JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
    LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
   WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relname <> '_prisma_migrations'`)

const { rows: indexes } = await db.query<{ table_name: string, columns: string[], is_unique: boolean, is_primary: boolean }>(`
  SELECT t.relname AS table_name, i.indisunique AS is_unique, i.indisprimary AS is_primary,
         array_agg(a.attname::text ORDER BY k.ord) AS columns
    FROM pg_index i
    JOIN pg_class t ON t.oid = i.indrelid
    JOIN pg_namespace n ON n.oid = t.relnamespace AND n.nspname = 'public'
    CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
    JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
   WHERE t.relname <> '_prisma_migrations'
   GROUP BY t.relname, i.indexrelid, i.indisunique, i.indisprimary`)

const { rows: foreignKeys } = await db.query<{ table_name: string, columns: string[], ref_table: string, ref_columns: string[], on_delete: string }>(`
  SELECT c.conrelid::regclass::text AS table_name, c.confrelid::regclass::text AS ref_table,
         array(SELECT attname::text FROM unnest(c.conkey) WITH ORDINALITY k(n, o) JOIN pg_attribute ON attrelid = c.conrelid AND attnum = k.n ORDER BY o) AS columns,
         array(SELECT attname::text FROM unnest(c.confkey) WITH ORDINALITY k(n, o) JOIN pg_attribute ON attrelid = c.confrelid AND attnum = k.n ORDER BY o) AS ref_columns,
         CASE c.confdeltype WHEN 'a' THEN 'NoAction' WHEN 'r' THEN 'Restrict' WHEN 'c' THEN 'Cascade' WHEN 'n' THEN 'SetNull' WHEN 'd' THEN 'SetDefault' END AS on_delete
    FROM pg_constraint c WHERE c.contype = 'f'`)

const { rows: enumRows } = await db.query<{ name: string, values: string[] }>(`
  SELECT t.typname::text AS name, array_agg(e.enumlabel::text ORDER BY e.enumsortorder) AS values
    FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid GROUP BY t.typname`)

t.test('every table in the database is a model, and every model a table', async (t) => {
  t.same([...new Set(columns.map((c) => c.table_name))].sort(), datamodel.models.map(tableOf).sort())
})

for (const model of datamodel.models) {
  t.test(`${model.name}: columns agree in name, type, nullability and default`, async (t) => {
    const scalars = model.fields.filter((f) => f.kind !== 'object')
    const actual = columns.filter((c) => c.table_name === tableOf(model))
    t.same(actual.map((c) => c.column_name).sort(), scalars.map((f) => f.dbName ?? f.name).sort(), 'the same columns')
    for (const field of scalars) {
      const column = actual.find((c) => c.column_name === (field.dbName ?? field.name))
      if (column === undefined) continue
      t.equal(column.type, expectedType(field), `${field.name}: type`)
      t.equal(column.not_null, field.isRequired, `${field.name}: ${field.isRequired ? 'NOT NULL' : 'nullable'}`)
      t.equal(column.default, expectedDefault(field), `${field.name}: default`)
    }
  })

  t.test(`${model.name}: primary key, unique constraints and indexes agree`, async (t) => {
    const table = tableOf(model)
    const describe = (cols: string[], kind: string) => `${kind}(${cols.join(',')})`
    const expected = datamodel.indexes.filter((i) => i.model === model.name)
      .map((i) => describe(i.fields.map((f) => columnOf(model, f.name)), i.type === 'id' ? 'primary' : i.type === 'unique' ? 'unique' : 'index'))
    const actual = indexes.filter((i) => i.table_name === table)
      .map((i) => describe(i.columns, i.is_primary ? 'primary' : i.is_unique ? 'unique' : 'index'))
    t.same(actual.sort(), expected.sort())
  })

  t.test(`${model.name}: foreign keys agree, with their delete rules`, async (t) => {
    const expected = model.fields.filter((f) => f.kind === 'object' && (f.relationFromFields?.length ?? 0) > 0).map((f) => {
      const target = datamodel.models.find((m) => m.name === f.type) as DmmfModel
      return `${(f.relationFromFields ?? []).map((n) => columnOf(model, n)).join(',')} -> ${tableOf(target)}(${(f.relationToFields ?? []).map((n) => columnOf(target, n)).join(',')}) ON DELETE ${f.relationOnDelete ?? 'default'}`
    })
    const actual = foreignKeys.filter((k) => k.table_name === tableOf(model))
      .map((k) => `${k.columns.join(',')} -> ${k.ref_table}(${k.ref_columns.join(',')}) ON DELETE ${k.on_delete}`)
    t.same(actual.sort(), expected.sort())
  })
}

t.test('enums agree, value for value', async (t) => {
  t.same(
    enumRows.map((e) => ({ name: e.name, values: e.values })).sort((a, b) => a.name.localeCompare(b.name)),
    datamodel.enums.map((e) => ({ name: e.dbName ?? e.name, values: e.values.map((v) => v.name) })).sort((a, b) => a.name.localeCompare(b.name))
  )
})

t.test('the one list of tables names every table the migrations create, each once', async (t) => {
  const { rows } = await db.query<{ name: string }>("SELECT table_name AS name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name <> '_prisma_migrations'")
  const listed = [...DATA_TABLES, ...REFERENCE_TABLES]
  t.equal(new Set(listed).size, listed.length, 'no table in two groups')
  t.same([...listed].sort(), rows.map((r) => r.name).sort())
})
