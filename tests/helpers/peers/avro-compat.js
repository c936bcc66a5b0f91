// avro-compat: whether avsc can resolve data written with WRITER to READER
// (Type.createResolver succeeds): prints {"compatible":true|false}.
//   node avro-compat.js WRITER READER
'use strict';
const { readType } = require('./avro-types');

const [writerFile, readerFile] = process.argv.slice(2);
const writer = readType(writerFile);
const reader = readType(readerFile);
let compatible = true;
try {
	reader.createResolver(writer);
} catch (e) {
	compatible = false;
	process.stderr.write(`avro-compat.js: ${e.message}\n`);
}
process.stdout.write(JSON.stringify({ compatible }) + '\n');
