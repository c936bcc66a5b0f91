// kafkajs-produce: sends the messages described on stdin, one NDJSON line
// each, with a plain (not idempotent) kafkajs producer, in one batch.
//   node kafka-produce.js none|gzip <messages.ndjson
// A line is {"topic","partition","key","value","headers":[{"key","value"}],
// "timestamp"}, with key, value and header values as base64 (or null).
'use strict';
const fs = require('fs');
const { CompressionTypes } = require('kafkajs');
const { kafka, unb64 } = require('./kafka-client');

const compression = { none: CompressionTypes.None,
	gzip: CompressionTypes.GZIP }[process.argv[2]];
if (compression === undefined)
	throw new Error('usage: kafka-produce.js none|gzip');

// kafkajs takes headers as an object; a repeated name becomes an array,
// so repeats must be adjacent for their order to survive.
function headers(list) {
	const h = {};
	for (const { key, value } of list) {
		if (key in h)
			h[key] = [].concat(h[key], unb64(value));
		else
			h[key] = unb64(value);
	}
	return h;
}

const byTopic = new Map();
for (const line of fs.readFileSync(0, 'utf8').split('\n')) {
	if (!line)
		continue;
	const m = JSON.parse(line);
	if (!byTopic.has(m.topic))
		byTopic.set(m.topic, []);
	byTopic.get(m.topic).push({
		partition: m.partition,
		key: unb64(m.key),
		value: unb64(m.value),
		headers: headers(m.headers || []),
		timestamp: m.timestamp == null ? undefined : String(m.timestamp),
	});
}

(async () => {
	const producer = kafka().producer({ idempotent: false,
		allowAutoTopicCreation: false });
	await producer.connect();
	await producer.sendBatch({ acks: -1, compression,
		topicMessages: [...byTopic].map(([topic, messages]) =>
			({ topic, messages })) });
	await producer.disconnect();
})().catch((e) => {
	process.stderr.write(`kafka-produce: ${e.stack}\n`);
	process.exit(1);
});
