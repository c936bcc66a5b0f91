// avro-write: avsc writes the values on stdin (one per line, in the
// specification's JSON encoding) with SCHEMA, in every form the tests read,
// into DIR (made if missing):
//   null.avro, deflate.avro    containers with those codecs
//   raw, single-object, confluent
//       one NDJSON line {"v": base64 of the message} per value; the
//       confluent messages carry schema id 7
//   node avro-write.js SCHEMA DIR
'use strict';
const fs = require('fs');
const path = require('path');
const { avro, readType, crc64avro, lines, program } = require('./avro-types');

// A container of VALUES in CODEC, as a Buffer.
function container(type, codec, values) {
	return new Promise((resolve, reject) => {
		const enc = new avro.streams.BlockEncoder(type, { codec });
		const chunks = [];
		enc.on('data', (c) => chunks.push(c));
		enc.on('end', () => resolve(Buffer.concat(chunks)));
		enc.on('error', reject);
		for (const v of values)
			enc.write(v);
		enc.end();
	});
}

program(module, async ([schemaFile, dir], io) => {
	const type = readType(schemaFile);
	const values = lines(io.input()).map((l) => type.fromString(l));
	fs.mkdirSync(dir, { recursive: true });

	const head = {
		raw: Buffer.alloc(0),
		// C3 01, then the fingerprint of the canonical form, little-endian.
		'single-object': Buffer.concat([Buffer.from([0xc3, 0x01]),
			Buffer.from(crc64avro(JSON.stringify(type.schema())), 'hex').reverse()]),
		// A zero byte, then the schema id, big-endian.
		confluent: Buffer.from([0, 0, 0, 0, 7]),
	};
	for (const [framing, h] of Object.entries(head))
		fs.writeFileSync(path.join(dir, framing), values.map((v) => JSON.stringify(
			{ v: Buffer.concat([h, type.toBuffer(v)]).toString('base64') }) + '\n').join(''));

	for (const codec of ['null', 'deflate'])
		fs.writeFileSync(path.join(dir, `${codec}.avro`),
			await container(type, codec, values));
	return 0;
});
