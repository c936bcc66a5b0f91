// mqtt-pub: MQTT.js publishes the messages on stdin, one NDJSON line each:
// {"topic","payload" (base64),"qos","retain"}, in order, waiting for every
// acknowledgement (QoS 1 and 2), then disconnects.
//   node mqtt-pub.js PORT <messages.ndjson
'use strict';
const fs = require('fs');
const mqtt = require('mqtt');

const port = Number(process.argv[2]);
const messages = fs.readFileSync(0, 'utf8').split('\n').filter((l) => l)
	.map((l) => JSON.parse(l));

(async () => {
	const client = await mqtt.connectAsync({ host: '127.0.0.1', port,
		protocolVersion: 4, reconnectPeriod: 0 });
	for (const m of messages)
		await client.publishAsync(m.topic, Buffer.from(m.payload, 'base64'),
			{ qos: m.qos, retain: m.retain });
	await client.endAsync();
})().catch((e) => {
	process.stderr.write(`mqtt-pub: ${e.stack}\n`);
	process.exit(1);
});
