// avro-fingerprint: for each SCHEMA, one line: avsc's Parsing Canonical
// Form (type.schema(), what its fingerprints hash), its CRC-64-AVRO, and
// avsc's own md5 and sha256 fingerprints of it.
//   node avro-fingerprint.js SCHEMA...
'use strict';
const { readType, crc64avro, program } = require('./avro-types');

program(module, (files, io) => {
	for (const file of files) {
		const type = readType(file);
		const canonical = JSON.stringify(type.schema());
		io.out(JSON.stringify({ canonical,
			crc64_avro: crc64avro(canonical),
			md5: type.fingerprint('md5').toString('hex'),
			sha256: type.fingerprint('sha256').toString('hex') }) + '\n');
	}
	return 0;
});
