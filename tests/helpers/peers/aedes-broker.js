// aedes-broker: an aedes MQTT broker (in-memory persistence) on
// 127.0.0.1:PORT; writes "listening" on stdout once it accepts
// connections, and runs until SIGTERM or SIGINT, which disconnect every
// client and stop it.
//   node aedes-broker.js PORT
'use strict';
const net = require('net');
const { pathToFileURL } = require('url');

(async () => {
	// aedes is an ES module: Debian 12's Node.js 18 cannot require() it.
	const { Aedes } = await import(pathToFileURL(require.resolve('aedes')).href);
	const broker = await Aedes.createBroker();
	const server = net.createServer(broker.handle);
	// The clients go first: server.close alone would wait for them.
	const stop = () => broker.close(() => process.exit(0));
	process.on('SIGTERM', stop);
	process.on('SIGINT', stop);
	server.listen(Number(process.argv[2]), '127.0.0.1', () =>
		process.stdout.write('listening\n'));
})().catch((e) => {
	process.stderr.write(`aedes-broker: ${e.stack}\n`);
	process.exit(1);
});
