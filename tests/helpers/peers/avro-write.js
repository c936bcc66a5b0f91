// avro-write: avsc writes the values on stdin (one per line, in the
// specification's JSON encoding) with SCHEMA.
//   node avro-write.js SCHEMA container [null|deflate]   a container on stdout
//   node avro-write.js SCHEMA raw|single-object|confluent:ID
//       one NDJSON line {"v": base64 of the message} per value
'use strict';
const { avro, readType, crc64avro, lines } = require('./avro-types');

const [schemaFile, framing, codec] = process.argv.slice(2);
const type = readType(schemaFile);
const values = lines(0).map((l) => type.fromString(l));

function frame(datum) {
	if (framing === 'raw')
		return datum;
	if (framing === 'single-object') {
		// C3 01, then the fingerprint of the canonical form, little-endian.
		const fp = Buffer.from(crc64avro(JSON.stringify(type.schema())), 'hex');
		return Buffer.concat([Buffer.from([0xc3, 0x01]), fp.reverse(), datum]);
	}
	const m = /^confluent:(\d+)$/.exec(framing);
	if (!m)
		throw new Error(`avro-write.js: unknown framing ${framing}`);
	const head = Buffer.alloc(5);
	head.writeUInt32BE(Number(m[1]), 1);
	return Buffer.concat([head, datum]);
}

if (framing === 'container') {
	const enc = new avro.streams.BlockEncoder(type, { codec: codec || 'null' });
	enc.pipe(process.stdout);
	for (const v of values)
		enc.write(v);
	enc.end();
} else {
	for (const v of values)
		process.stdout.write(JSON.stringify(
			{ v: frame(type.toBuffer(v)).toString('base64') }) + '\n');
}
