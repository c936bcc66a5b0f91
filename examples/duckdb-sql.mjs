// Runs one SQL statement in an in-memory DuckDB (@duckdb/node-api from
// npm, on NODE_PATH) and prints the result: a text table, or with --json
// one JSON object per row (BigInts as numbers when they fit, dates and
// timestamps as text).
//
//   node examples/duckdb-sql.mjs [--json] "SELECT ..."
import { createRequire } from 'node:module'

const require = createRequire(process.env.NODE_PATH + '/')
const { DuckDBInstance } = require('@duckdb/node-api')

const args = process.argv.slice(2)
const json = args[0] === '--json'
const sql = json ? args[1] : args[0]
if (!sql) {
  console.error('usage: duckdb-sql.mjs [--json] SQL')
  process.exit(64)
}

function plain(v) {
  if (typeof v === 'bigint')
    return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString()
  if (v !== null && typeof v === 'object')
    return v.toString()
  return v
}

const inst = await DuckDBInstance.create(':memory:')
const conn = await inst.connect()
const reader = await conn.runAndReadAll(sql)
const names = reader.columnNames()
const rows = reader.getRows().map(r => r.map(plain))
if (json) {
  for (const r of rows)
    console.log(JSON.stringify(Object.fromEntries(names.map((n, i) => [n, r[i]]))))
} else {
  const cells = [names, ...rows.map(r => r.map(v => (v === null ? 'NULL' : String(v))))]
  const w = names.map((_, i) => Math.max(...cells.map(r => r[i].length)))
  const line = r => r.map((c, i) => c.padEnd(w[i])).join(' | ').trimEnd()
  console.log(line(cells[0]))
  console.log(w.map(n => '-'.repeat(n)).join('-+-'))
  for (const r of cells.slice(1))
    console.log(line(r))
}
