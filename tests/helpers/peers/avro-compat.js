// avro-compat: whether avsc can resolve data written with WRITER to READER
// (Type.createResolver succeeds): prints {"compatible":true|false}.
//   node avro-compat.js WRITER READER
'use strict';
const { readType, program } = require('./avro-types');

program(module, ([writerFile, readerFile], io) => {
	const writer = readType(writerFile);
	const reader = readType(readerFile);
	let compatible = true;
	try {
		reader.createResolver(writer);
	} catch (e) {
		compatible = false;
		io.err(`avro-compat.js: ${e.message}\n`);
	}
	io.out(JSON.stringify({ compatible }) + '\n');
	return 0;
});
