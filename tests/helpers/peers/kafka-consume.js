// kafkajs-consume: reads COUNT messages of TOPIC as a member of consumer
// group GROUP (from the beginning when the group has no committed offset),
// commits the offset after each one it writes, and writes each as one
// NDJSON line: {"topic","partition","offset","timestamp","key","value",
// "headers":[{"key","value"}]}, bytes as base64 (null for none).
//   node kafka-consume.js GROUP TOPIC COUNT
// Fails after 60 s without COUNT messages.
'use strict';
const { kafka, GROUP_OPTS, b64 } = require('./kafka-client');

const [group, topic, countArg] = process.argv.slice(2);
const count = Number(countArg);

function headers(h) {
	const out = [];
	for (const [key, v] of Object.entries(h || {}))
		for (const value of [].concat(v))
			out.push({ key, value: b64(value) });
	return out;
}

(async () => {
	const consumer = kafka().consumer({ groupId: group, ...GROUP_OPTS });
	let seen = 0;
	let finish;
	const done = new Promise((resolve) => (finish = resolve));
	const timer = setTimeout(() => {
		process.stderr.write(`kafka-consume: ${seen} of ${count} messages in 60 s\n`);
		process.exit(1);
	}, 60000);

	await consumer.connect();
	await consumer.subscribe({ topic, fromBeginning: true });
	if (count === 0)
		finish();
	await consumer.run({
		autoCommit: false,
		eachMessage: async ({ topic: t, partition, message: m }) => {
			if (seen >= count)
				return;
			process.stdout.write(JSON.stringify({ topic: t, partition,
				offset: Number(m.offset), timestamp: Number(m.timestamp),
				key: b64(m.key), value: b64(m.value),
				headers: headers(m.headers) }) + '\n');
			await consumer.commitOffsets([{ topic: t, partition,
				offset: String(Number(m.offset) + 1) }]);
			if (++seen === count)
				finish();
		},
	});
	await done;
	clearTimeout(timer);
	await consumer.disconnect();
})().catch((e) => {
	process.stderr.write(`kafka-consume: ${e.stack}\n`);
	process.exit(1);
});
