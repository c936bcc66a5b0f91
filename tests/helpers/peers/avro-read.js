// avro-read: avsc reads what sw wrote and prints each value in the
// specification's JSON encoding (type.toString), one per line.
//   node avro-read.js - container [READER]        a container on stdin
//   node avro-read.js SCHEMA raw|single-object|confluent [READER]
//       NDJSON lines {"v": base64 of a message} on stdin
// With READER, values are resolved to that schema with avsc's resolver
// (Type.createResolver).
'use strict';
const { avro, parse, readType, lines, program } = require('./avro-types');

// The datum of a message: what follows the framing's header.
const HEAD = { raw: 0, 'single-object': 10, confluent: 5 };

program(module, ([schemaFile, framing, readerFile], io) => {
	const reader = readerFile ? readType(readerFile) : null;

	function print(writer, buf) {
		const type = reader || writer;
		const resolver = reader ? reader.createResolver(writer) : undefined;
		io.out(type.toString(type.fromBuffer(buf, resolver)) + '\n');
	}

	if (framing === 'container') {
		// avsc decodes container blocks itself; each value is encoded
		// again for print() to resolve like a message (avsc's noDecode,
		// which would give the datums, calls _skip unbound for a
		// top-level array or map).
		return new Promise((resolve) => {
			const dec = new avro.streams.BlockDecoder({
				parseHook: (schema) => parse(schema) });
			let writer, failed = false;
			const fail = (e) => {
				if (!failed)
					io.err(`avro-read.js: ${e.stack}\n`);
				failed = true;
				resolve(1);
			};
			dec.on('metadata', (type) => (writer = type));
			dec.on('data', (v) => {
				try {
					print(writer, writer.toBuffer(v));
				} catch (e) {
					fail(e);
				}
			});
			dec.on('error', fail);
			dec.on('end', () => resolve(0));
			dec.end(io.input());
		});
	}
	const writer = readType(schemaFile);
	for (const l of lines(io.input())) {
		const msg = Buffer.from(JSON.parse(l).v, 'base64');
		if (framing === 'single-object' && (msg[0] !== 0xc3 || msg[1] !== 0x01))
			throw new Error('avro-read.js: not a single-object message');
		if (framing === 'confluent' && msg[0] !== 0)
			throw new Error('avro-read.js: not a confluent message');
		print(writer, msg.subarray(HEAD[framing]));
	}
	return 0;
});
