// What the avsc peer scripts share: schema files parsed the way the tests
// need, and the specification's CRC-64-AVRO.
//
// Types are parsed with wrapUnions, so that a union value is {"branch": v}
// as in the specification's JSON encoding (type.toString and
// type.fromString), and with every logical type of the specification as an
// identity logical type: its values stay the underlying ones (a
// timestamp-millis is a long), but the logicalType attribute survives into
// the schema avsc writes into a container header, so that sw sees it.
'use strict';
const fs = require('fs');
const avro = require('avsc');

class Identity extends avro.types.LogicalType {
	_fromValue(v) { return v; }
	_toValue(v) { return v; }
	// Resolves from the same underlying type only (the test pairs change
	// no logical type).
	_resolve(writer) {
		const w = avro.Type.isType(writer, 'logical') ? writer.underlyingType : writer;
		if (w.typeName === this.underlyingType.typeName)
			return (v) => v;
		return undefined;
	}
	_export(schema) {
		for (const k of ['precision', 'scale'])
			if (this[k] !== undefined)
				schema[k] = this[k];
	}
}

// decimal keeps precision and scale for _export (and avro-same.js).
class Decimal extends Identity {
	constructor(schema, opts) {
		super(schema, opts);
		this.precision = schema.precision;
		this.scale = schema.scale || 0;
	}
}

const logicalTypes = { decimal: Decimal };
for (const n of ['uuid', 'date', 'time-millis', 'time-micros',
	'timestamp-millis', 'timestamp-micros', 'local-timestamp-millis',
	'local-timestamp-micros', 'duration'])
	logicalTypes[n] = Identity;

// A fresh registry of names for each schema.

function parse(schema) {
	return avro.Type.forSchema(schema, { wrapUnions: true, logicalTypes });
}

function readType(file) {
	return parse(JSON.parse(fs.readFileSync(file, 'utf8')));
}

// CRC-64-AVRO (the Rabin fingerprint of the specification's "Schema
// Fingerprints"), as 16 hex digits of the 64-bit value.
const EMPTY = 0xc15d213aa4d7a795n;
const TABLE = [];
for (let i = 0n; i < 256n; i++) {
	let fp = i;
	for (let j = 0; j < 8; j++)
		fp = (fp >> 1n) ^ (EMPTY & -(fp & 1n));
	TABLE.push(fp & 0xffffffffffffffffn);
}
function crc64avro(text) {
	let fp = EMPTY;
	for (const b of Buffer.from(text, 'utf8'))
		fp = (fp >> 8n) ^ TABLE[Number((fp ^ BigInt(b)) & 0xffn)];
	return fp.toString(16).padStart(16, '0');
}

// The non-empty lines of a file name, a descriptor or a Buffer.
function lines(src) {
	const text = Buffer.isBuffer(src) ? src.toString('utf8') : fs.readFileSync(src, 'utf8');
	return text.split('\n').filter((l) => l !== '');
}

// program(mod, main): the entry point of a peer script.  main(args, io)
// gets the arguments, and io.input() (standard input, read when asked, a
// Buffer), io.out(text) and io.err(text); it returns (or resolves to) the
// exit status.  Run as a program, the script reads its standard input and
// writes to its standard output and error; avro-serve.js calls main with
// files instead, many times in one process.  An exception is exit 1 with
// its stack on stderr, as node does.
function program(mod, main) {
	mod.exports.main = main;
	if (require.main !== mod)
		return;
	const io = {
		input: () => fs.readFileSync(0),
		out: (s) => process.stdout.write(s),
		err: (s) => process.stderr.write(s),
	};
	Promise.resolve().then(() => main(process.argv.slice(2), io)).then(
		(code) => { process.exitCode = code || 0; },
		(e) => { process.stderr.write(`${e.stack}\n`); process.exitCode = 1; });
}

module.exports = { avro, parse, readType, crc64avro, lines, program };
