// Reads a Parquet file with an independent reader and prints its rows as
// NDJSON in a normalised form, so that a test can compare them with the
// records that were written:
//
//   node parquet-read.mjs duckdb|hyparquet FILE     rows
//   node parquet-read.mjs meta FILE                 DuckDB's parquet_metadata(),
//                                                   one line per column chunk
//   node parquet-read.mjs schema FILE               DuckDB's parquet_schema()
//   node parquet-read.mjs kv FILE                   DuckDB's parquet_kv_metadata()
//   node parquet-read.mjs serve                     many reads in one process:
//       a request is a line "MODE<TAB>FILE<TAB>PREFIX" on stdin; the rows
//       go to PREFIX.out, errors to PREFIX.err, and the exit status is
//       written on stdout, one line; ends at the end of stdin
//       (tests/helpers/parquet.bash starts it: node and DuckDB load once)
//
// The normalised form is sw's plain JSON for the Avro types: keys in schema
// order; integers exact; bytes and fixed as base64; decimals as strings
// with all their scale digits; uuids as text; dates "YYYY-MM-DD"; times
// "HH:MM:SS.fff" (".ffffff" when the microseconds are not whole
// milliseconds); timestamps the same after an RFC 3339 date, ending in "Z"
// when adjusted to UTC; maps as objects; NaN and infinities as strings.
// Needs NODE_PATH from npm_peers (tests/helpers/npm.bash).
import { readFileSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { pathToFileURL } from 'node:url'

const require = createRequire(process.env.NODE_PATH + '/')

const [mode, fileArg] = process.argv.slice(2)
if (!mode || (!fileArg && mode !== 'serve')) {
  console.error('usage: parquet-read.mjs duckdb|hyparquet|meta|schema|kv FILE | serve')
  process.exit(64)
}

// The file being read and where its lines go (serve changes both for each
// request).
let file = fileArg
let emit = (line) => console.log(line)

function pad(n, w) {
  return String(n).padStart(w, '0')
}

// micros since midnight or the epoch: fraction of 3 or 6 digits
function frac(us) {
  const r = Number(us % 1000000n)
  return r % 1000 === 0 ? '.' + pad(r / 1000, 3) : '.' + pad(r, 6)
}

function floorDiv(a, b) {
  const q = a / b
  return a % b !== 0n && (a < 0n) !== (b < 0n) ? q - 1n : q
}

function timestamp(us, utc) {
  us = BigInt(us)
  const secs = floorDiv(us, 1000000n)
  const iso = new Date(Number(secs) * 1000).toISOString().slice(0, 19)
  return iso + frac(us - secs * 1000000n) + (utc ? 'Z' : '')
}

function timeOfDay(us) {
  us = BigInt(us)
  const s = Number(us / 1000000n)
  return pad(Math.floor(s / 3600), 2) + ':' + pad(Math.floor(s / 60) % 60, 2) +
    ':' + pad(s % 60, 2) + frac(us)
}

function date(days) {
  return new Date(Number(days) * 86400000).toISOString().slice(0, 10)
}

function decimal(unscaled, scale) {
  const neg = unscaled < 0n
  let s = (neg ? -unscaled : unscaled).toString()
  if (scale > 0) {
    s = s.padStart(scale + 1, '0')
    s = s.slice(0, -scale) + '.' + s.slice(-scale)
  }
  return (neg ? '-' : '') + s
}

function unscaledOf(bytes) {
  let v = 0n
  for (const b of bytes) v = v * 256n + BigInt(b)
  if (bytes.length && bytes[0] & 0x80) v -= 1n << BigInt(8 * bytes.length)
  return v
}

function base64(bytes) {
  return Buffer.from(bytes).toString('base64')
}

function num(x) {
  if (typeof x === 'bigint') return x.toString()
  if (Number.isNaN(x)) return '"NaN"'
  if (x === Infinity) return '"Infinity"'
  if (x === -Infinity) return '"-Infinity"'
  return JSON.stringify(x)
}

function obj(pairs) {
  return '{' + pairs.map(([k, v]) => JSON.stringify(k) + ':' + v).join(',') + '}'
}

// ---- DuckDB: its own types drive the conversion
function duckValue(v) {
  if (v === null || v === undefined) return 'null'
  switch (typeof v) {
    case 'bigint':
    case 'number':
      return num(v)
    case 'boolean':
    case 'string':
      return JSON.stringify(v)
  }
  switch (v.constructor.name) {
    case 'DuckDBStructValue':
      return obj(Object.entries(v.entries).map(([k, x]) => [k, duckValue(x)]))
    case 'DuckDBListValue':
    case 'DuckDBArrayValue':
      return '[' + v.items.map(duckValue).join(',') + ']'
    case 'DuckDBMapValue':
      return obj(v.entries.map(e => [String(e.key), duckValue(e.value)]))
    case 'DuckDBBlobValue':
      return JSON.stringify(base64(v.bytes))
    case 'DuckDBDecimalValue':
      return JSON.stringify(decimal(v.value, v.scale))
    case 'DuckDBDateValue':
      return JSON.stringify(date(v.days))
    case 'DuckDBTimestampTZValue':
      return JSON.stringify(timestamp(v.micros, true))
    case 'DuckDBTimestampValue':
      return JSON.stringify(timestamp(v.micros, false))
    case 'DuckDBTimestampMillisecondsValue':
      return JSON.stringify(timestamp(BigInt(v.millis) * 1000n, false))
    case 'DuckDBTimeValue':
      return JSON.stringify(timeOfDay(v.micros))
    case 'DuckDBTimeTZValue':
      return JSON.stringify(timeOfDay(v.micros))
    case 'DuckDBUUIDValue':
      return JSON.stringify(v.toString())
  }
  throw new Error('duckdb: no normal form for ' + v.constructor.name)
}

async function duck(sql) {
  const { DuckDBInstance } = require('@duckdb/node-api')
  const inst = await DuckDBInstance.create(':memory:')
  const conn = await inst.connect()
  const reader = await conn.runAndReadAll(sql)
  return { names: reader.columnNames(), rows: reader.getRows() }
}

function quoted(path) {
  return "'" + path.replaceAll("'", "''") + "'"
}

async function readDuckdb() {
  const { names, rows } = await duck(`SELECT * FROM read_parquet(${quoted(file)})`)
  for (const r of rows)
    emit(obj(names.map((n, i) => [n, duckValue(r[i])])))
}

async function readMeta() {
  const { names, rows } = await duck(
    `SELECT row_group_id, path_in_schema, num_values, compression, encodings,
            stats_min_value, stats_max_value, stats_null_count, row_group_num_rows
       FROM parquet_metadata(${quoted(file)}) ORDER BY row_group_id, column_id`)
  for (const r of rows)
    emit(obj(names.map((n, i) => [n, duckValue(r[i])])))
}

async function readSchema() {
  const { names, rows } = await duck(
    `SELECT name, type, repetition_type, num_children, converted_type, scale,
            precision, logical_type
       FROM parquet_schema(${quoted(file)})`)
  for (const r of rows)
    emit(obj(names.map((n, i) => [n, duckValue(r[i])])))
}

async function readKv() {
  const { names, rows } = await duck(
    `SELECT decode(key) AS key, decode(value) AS value
       FROM parquet_kv_metadata(${quoted(file)})`)
  for (const r of rows)
    emit(obj(names.map((n, i) => [n, duckValue(r[i])])))
}

// ---- hyparquet: the footer's schema drives the conversion of raw values
function tree(schema) {
  let i = 0
  function node() {
    const e = schema[i++]
    const kids = []
    for (let k = 0; k < (e.num_children || 0); k++) kids.push(node())
    return { e, kids }
  }
  return node()
}

function hyValue(n, v) {
  if (v === null || v === undefined) return 'null'
  const e = n.e
  const lt = e.logical_type?.type
  if (n.kids.length) {
    if (e.converted_type === 'LIST' || lt === 'LIST') {
      const el = n.kids[0].kids.length === 1 ? n.kids[0].kids[0] : n.kids[0]
      return '[' + v.map(x => hyValue(el, x)).join(',') + ']'
    }
    if (e.converted_type === 'MAP' || lt === 'MAP') {
      const val = n.kids[0].kids[1]
      const entries = v instanceof Map ? [...v.entries()] : Object.entries(v)
      return obj(entries.map(([k, x]) => [String(k), hyValue(val, x)]))
    }
    return obj(n.kids.map(k => [k.e.name, hyValue(k, v[k.e.name])]))
  }
  if (n.decimalScale !== undefined)
    return JSON.stringify(decimal(typeof v === 'bigint' || typeof v === 'number'
      ? BigInt(v) : unscaledOf(v), n.decimalScale))
  if (v && v.tag === 'ts') return JSON.stringify(timestamp(v.us, e.logical_type ? e.logical_type.isAdjustedToUTC : true))
  if (v && v.tag === 'date') return JSON.stringify(date(v.days))
  if (lt === 'TIME')
    return JSON.stringify(timeOfDay(e.logical_type.unit === 'MILLIS' ? BigInt(v) * 1000n : BigInt(v)))
  if (lt === 'ENUM' || e.converted_type === 'ENUM')
    return JSON.stringify(new TextDecoder().decode(v))
  if (v instanceof Uint8Array) return JSON.stringify(base64(v))
  if (typeof v === 'string' || typeof v === 'boolean') return JSON.stringify(v)
  return num(v)
}

function importPeer(name) {
  return import(pathToFileURL(require.resolve(name)).href)
}

async function readHyparquet() {
  // ES modules: Debian 12's Node.js 18 cannot require() them
  const { parquetMetadata, parquetReadObjects } = await importPeer('hyparquet')
  const { compressors } = await importPeer('hyparquet-compressors')
  const buf = readFileSync(file)
  const ab = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength)
  const metadata = parquetMetadata(ab)
  const root = tree(metadata.schema)
  // hyparquet turns decimals into doubles, which loses digits: read their
  // bytes and scale them here
  ;(function strip(n) {
    if (n.e.converted_type === 'DECIMAL' || n.e.logical_type?.type === 'DECIMAL') {
      n.decimalScale = n.e.scale || 0
      delete n.e.converted_type
      delete n.e.logical_type
    }
    n.kids.forEach(strip)
  })(root)
  const rows = await parquetReadObjects({
    file: ab, metadata, compressors, utf8: false,
    parsers: {
      timestampFromMilliseconds: ms => ({ tag: 'ts', us: BigInt(ms) * 1000n }),
      timestampFromMicroseconds: us => ({ tag: 'ts', us: BigInt(us) }),
      dateFromDays: days => ({ tag: 'date', days }),
    },
  })
  for (const r of rows)
    emit(obj(root.kids.map(k => [k.e.name, hyValue(k, r[k.e.name])])))
}

const modes = { duckdb: readDuckdb, hyparquet: readHyparquet, meta: readMeta, schema: readSchema, kv: readKv }

// One request of serve: the same output and status as a run of its own.
async function serveOne(line) {
  const [m, f, prefix] = line.split('\t')
  const out = []
  let err = ''
  let status = 0
  file = f
  emit = (l) => out.push(l + '\n')
  if (!modes[m]) {
    err = 'parquet-read.mjs: unknown mode ' + m + '\n'
    status = 64
  } else {
    try {
      await modes[m]()
    } catch (e) {
      err = 'parquet-read.mjs: ' + (e && e.stack || e) + '\n'
      status = 1
    }
  }
  writeFileSync(prefix + '.out', out.join(''))
  writeFileSync(prefix + '.err', err)
  process.stdout.write(status + '\n')
}

if (mode === 'serve') {
  const { createInterface } = await import('node:readline')
  for await (const line of createInterface({ input: process.stdin }))
    await serveOne(line)
} else if (!modes[mode]) {
  console.error('parquet-read.mjs: unknown mode ' + mode)
  process.exit(64)
} else {
  modes[mode]().catch(err => {
    console.error('parquet-read.mjs: ' + (err && err.stack || err))
    process.exit(1)
  })
}
