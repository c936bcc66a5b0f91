/* Unit tests for common/mqtt_msg.c and the broker address parser of
 * common/mqtt_client.c. */
#include <stdlib.h>
#include <string.h>

#include "mqtt_client.h"
#include "mqtt_msg.h"
#include "unit.h"

static void test_broker(void)
{
	static const struct {
		const char *in;
		int tls;
		const char *host; /* NULL: an error */
		int port;
	} cases[] = {
		{ "localhost", 0, "localhost", 1883 },
		{ "localhost", 1, "localhost", 8883 },
		{ "broker:1884", 0, "broker", 1884 },
		{ "10.0.0.1:8883", 0, "10.0.0.1", 8883 },
		{ "[::1]:1883", 0, "::1", 1883 },
		{ "[::1]", 1, "::1", 8883 },
		{ "::1", 0, "::1", 1883 },
		{ "host:", 0, NULL, 0 },
		{ "host:0", 0, NULL, 0 },
		{ "host:65536", 0, NULL, 0 },
		{ "host:12x", 0, NULL, 0 },
		{ ":1883", 0, NULL, 0 },
		{ "[::1", 0, NULL, 0 },
		{ "[]:1", 0, NULL, 0 },
		{ "", 0, NULL, 0 },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *host = NULL, err[200] = "";
		int port = 0;
		int rc = mqtt_parse_broker(cases[i].in, cases[i].tls ? MQTT_PORT_TLS : MQTT_PORT,
					   &host, &port, err, sizeof err);
		if (cases[i].host)
			unit_ok(rc == 0 && strcmp(host, cases[i].host) == 0 &&
					port == cases[i].port,
				"broker '%s' -> %s port %d", cases[i].in, cases[i].host,
				cases[i].port);
		else
			unit_ok(rc < 0 && strstr(err, "expected HOST[:PORT]"),
				"broker '%s' refused (%s)", cases[i].in, err);
		free(host);
	}
}

static void test_format(void)
{
	static const struct {
		const char *topic;
		const char *payload;
		size_t len;
		int qos, retain;
		enum valfmt vf;
		int value_only;
		const char *want; /* NULL: an error containing err */
		const char *err;
	} cases[] = {
		{ "a/b", "{ \"x\" : [1, 2] }", 16, 1, 0, VALFMT_JSON, 0,
		  "{\"topic\":\"a/b\",\"qos\":1,\"retain\":false,\"timestamp\":1639277668791,\"value\":{\"x\":[1,2]}}", NULL },
		{ "a/b", "42", 2, 2, 1, VALFMT_JSON, 1, "42", NULL },
		{ "t", "", 0, 0, 1, VALFMT_JSON, 0,
		  "{\"topic\":\"t\",\"qos\":0,\"retain\":true,\"timestamp\":1639277668791,\"value\":null}", NULL },
		{ "t", "", 0, 0, 0, VALFMT_STRING, 1, "null", NULL },
		{ "t", "{'a': 1}", 8, 0, 0, VALFMT_JSON, 0, NULL,
		  "value is not JSON (" },
		{ "t", "{'a': 1}", 8, 0, 0, VALFMT_JSON, 0, NULL,
		  "try --value-format string" },
		{ "t", "{'a': \"1\"}\n", 11, 0, 0, VALFMT_STRING, 1,
		  "\"{'a': \\\"1\\\"}\\n\"", NULL },
		{ "t", "\xff\x01", 2, 0, 0, VALFMT_STRING, 1, NULL,
		  "not UTF-8 (byte 1); try --value-format base64" },
		{ "t", "\xff\x01", 2, 0, 0, VALFMT_BASE64, 1, "\"/wE=\"", NULL },
		{ "caf\xc3\xa9/\"q\"", "1", 1, 0, 0, VALFMT_JSON, 0,
		  "{\"topic\":\"caf\xc3\xa9/\\\"q\\\"\",\"qos\":0,\"retain\":false,\"timestamp\":1639277668791,\"value\":1}", NULL },
	};
	struct sbuf b = SBUF_INIT;
	struct json_doc doc;

	json_doc_init(&doc);
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct mqtt_message m = { cases[i].topic, cases[i].payload, cases[i].len,
					  cases[i].qos, cases[i].retain };
		char err[300] = "";

		sbuf_reset(&b);
		sbuf_puts(&b, "KEEP");
		int rc = mqtt_msg_format(&b, &doc, &m, 1639277668791, cases[i].vf,
					 cases[i].value_only, err, sizeof err);
		if (cases[i].want) {
			UNIT_STREQ(rc == 0 ? b.p + 4 : err, cases[i].want, "format case %zu", i);
		} else {
			unit_ok(rc < 0 && strstr(err, cases[i].err) && strcmp(b.p, "KEEP") == 0,
				"format case %zu refused: %s", i, err);
		}
	}
	json_doc_free(&doc);
	sbuf_free(&b);

	enum valfmt f;
	unit_ok(valfmt_parse("base64", NULL, &f, NULL, 0) == 0 && f == VALFMT_BASE64,
		"value format base64");
	unit_ok(valfmt_parse("avro", NULL, &f, NULL, 0) < 0, "value format avro refused");
	unit_ok(mqtt_topic_check("a/+/b", 1) == 0 && mqtt_topic_check("a/+/b", 0) < 0 &&
			mqtt_topic_check("a/#/b", 1) < 0 && mqtt_topic_check("a/b", 0) == 0,
		"topic checks");
}

int main(void)
{
	test_broker();
	test_format();
	return unit_done();
}
