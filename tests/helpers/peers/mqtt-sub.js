// mqtt-sub: MQTT.js subscribes to FILTER at QOS, writes "subscribed" on
// stderr once the broker granted it, then writes each of COUNT messages as
// one NDJSON line {"topic","payload" (base64),"qos","retain"} and exits.
//   node mqtt-sub.js PORT FILTER QOS COUNT
// Fails after 30 s without COUNT messages.
'use strict';
const mqtt = require('mqtt');

const [port, filter, qos, count] = process.argv.slice(2).map(
	(a, i) => (i === 1 ? a : Number(a)));
let seen = 0;

setTimeout(() => {
	process.stderr.write(`mqtt-sub: ${seen} of ${count} messages in 30 s\n`);
	process.exit(1);
}, 30000).unref();

(async () => {
	const client = await mqtt.connectAsync({ host: '127.0.0.1', port,
		protocolVersion: 4, reconnectPeriod: 0 });
	client.on('message', (topic, payload, packet) => {
		if (seen >= count)
			return;
		process.stdout.write(JSON.stringify({ topic,
			payload: payload.toString('base64'), qos: packet.qos,
			retain: packet.retain }) + '\n');
		if (++seen === count)
			client.end(false, {}, () => process.exit(0));
	});
	const granted = await client.subscribeAsync(filter, { qos });
	if (granted[0].qos !== qos)
		throw new Error(`granted QoS ${granted[0].qos}, not ${qos}`);
	process.stderr.write('subscribed\n');
})().catch((e) => {
	process.stderr.write(`mqtt-sub: ${e.stack}\n`);
	process.exit(1);
});
