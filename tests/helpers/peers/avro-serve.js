// avro-serve: runs the avro-*.js peer scripts in one node process, one
// request after another, so that a test starts node and avsc once instead
// of once per schema and form (tests/62-avro-peers.bats, through
// tests/helpers/peers/batch.bash).  A request is one line on stdin,
// fields separated by tabs:
//   SCRIPT  IN  OUT  ARG...
// It runs SCRIPT.js's main with the ARGs, the file IN as its standard
// input (when it reads any; IN may be empty), and writes its standard
// output to the file OUT and its standard error to OUT.err; then the exit
// status, one line on stdout.  Relative paths are from the working
// directory.  Ends at the end of stdin.
//   node avro-serve.js <requests >statuses
'use strict';
const fs = require('fs');
const readline = require('readline');

const SCRIPTS = ['avro-compat', 'avro-fingerprint', 'avro-read', 'avro-same', 'avro-write'];

async function serve(line) {
	const [script, input, output, ...args] = line.split('\t');
	const out = [], err = [];
	const io = {
		input: () => fs.readFileSync(input),
		out: (s) => out.push(s),
		err: (s) => err.push(s),
	};
	let code;
	try {
		if (!SCRIPTS.includes(script))
			throw new Error(`avro-serve.js: no peer script ${script}`);
		code = (await require(`./${script}`).main(args, io)) || 0;
	} catch (e) {
		err.push(`${e.stack}\n`);
		code = 1;
	}
	fs.writeFileSync(output, out.join(''));
	fs.writeFileSync(`${output}.err`, err.join(''));
	process.stdout.write(`${code}\n`);
}

(async () => {
	for await (const line of readline.createInterface({ input: process.stdin }))
		await serve(line);
})();
