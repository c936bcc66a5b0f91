// The kafkajs client the peer scripts share: the bootstrap address from
// $KAFKA_BROKERS, its log on stderr (kafkajs logs to stdout by default,
// where the scripts write their data), short group timeouts for the mock
// (see KAFKA_GROUP_OPTS in tests/helpers/kafka.bash).
'use strict';
process.env.KAFKAJS_NO_PARTITIONER_WARNING = '1';
const { Kafka, logLevel } = require('kafkajs');

function kafka() {
	return new Kafka({
		clientId: 'sw-peer-test',
		brokers: process.env.KAFKA_BROKERS.split(','),
		logLevel: logLevel.WARN,
		logCreator: () => ({ namespace, level, log }) =>
			process.stderr.write(`kafkajs ${namespace}: ${log.message}\n`),
		retry: { retries: 10 },
	});
}

const GROUP_OPTS = { sessionTimeout: 6000, rebalanceTimeout: 6000,
	heartbeatInterval: 500 };

// Bytes as the scripts exchange them: base64 strings, null for none.
const b64 = (buf) => (buf == null ? null : Buffer.from(buf).toString('base64'));
const unb64 = (s) => (s == null ? null : Buffer.from(s, 'base64'));

module.exports = { kafka, GROUP_OPTS, b64, unb64 };
