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

function lines(fd) {
	return fs.readFileSync(fd, 'utf8').split('\n').filter((l) => l !== '');
}

module.exports = { avro, parse, readType, crc64avro, lines };
