/*
 * test_kafka_rec: the envelope readers of kafka_rec, which need no
 * librdkafka: the whole message sw-produce --envelope sends, and the
 * origin (topic, partition, offset) the sinks checkpoint.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "json.h"
#include "kafka_rec.h"
#include "sbuf.h"
#include "unit.h"

/* An envelope line, formats, and the message it describes as text:
 * "topic|partition|key|value|timestamp|h=v;h=v" (- for absent). */
struct envcase {
	const char *line;
	enum valfmt kf, vf;
	const char *want;
};

static const struct envcase envcases[] = {
	{ "{\"topic\":\"web\",\"partition\":3,\"key\":\"u1\",\"value\":{\"a\": 1},"
	  "\"timestamp\":1639277668791,\"headers\":[{\"key\":\"h\",\"value\":\"v\"}]}",
	  VALFMT_STRING, VALFMT_JSON,
	  "web|3|u1|{\"a\":1}|1639277668791|h=v" },
	{ "{\"value\":null,\"key\":null}", VALFMT_STRING, VALFMT_JSON,
	  "-|-|-|-|0|" },
	{ "{\"value\":\"x\\ny\"}", VALFMT_STRING, VALFMT_STRING,
	  "-|-|-|x\ny|0|" },
	{ "{\"value\":\"/wAB\",\"key\":\"AQ==\"}", VALFMT_BASE64,
	  VALFMT_BASE64, "-|-|\x01|\xff" "\\0\x01|0|" },
	{ "{\"key\":{\"id\":1},\"value\":2}", VALFMT_JSON, VALFMT_JSON,
	  "-|-|{\"id\":1}|2|0|" },
	{ "{\"timestamp\":\"2021-12-12T02:54:28.791Z\",\"value\":1}",
	  VALFMT_STRING, VALFMT_JSON, "-|-|-|1|1639277668791|" },
	{ "{\"headers\":[{\"key\":\"b\",\"value\":\"/w==\",\"encoding\":\"base64\"},"
	  "{\"key\":\"n\",\"value\":null}],\"value\":1}",
	  VALFMT_STRING, VALFMT_JSON, "-|-|-|1|0|b=\xff;n=(null)" },
	{ "{\"partition\":-1,\"value\":1}", VALFMT_STRING, VALFMT_JSON,
	  "ERR partition: expected a non-negative integer" },
	{ "{\"partition\":1.5,\"value\":1}", VALFMT_STRING, VALFMT_JSON,
	  "ERR partition: expected a non-negative integer" },
	{ "{\"topic\":7,\"value\":1}", VALFMT_STRING, VALFMT_JSON,
	  "ERR topic: expected a string" },
	{ "{\"value\":1}", VALFMT_STRING, VALFMT_STRING,
	  "ERR value: expected a JSON string for format string" },
	{ "{\"value\":\"!!\"}", VALFMT_STRING, VALFMT_BASE64,
	  "ERR value: not base64" },
	{ "{\"headers\":{\"a\":\"b\"}}", VALFMT_STRING, VALFMT_JSON,
	  "ERR headers: expected an array" },
	{ "{\"timestamp\":\"soon\"}", VALFMT_STRING, VALFMT_JSON,
	  "ERR timestamp: expected epoch milliseconds or an RFC 3339 time" },
	{ "[1]", VALFMT_STRING, VALFMT_JSON,
	  "ERR expected an envelope object" },
};

static void span(struct sbuf *b, const void *p, size_t n)
{
	size_t i;

	if (!p) {
		sbuf_putc(b, '-');
		return;
	}
	for (i = 0; i < n; i++) {
		if (((const char *)p)[i] == '\0')
			sbuf_puts(b, "\\0");
		else
			sbuf_putc(b, ((const char *)p)[i]);
	}
}

static void test_envelope_read(void)
{
	struct kafka_reader r;
	struct json_doc d;
	struct sbuf got = SBUF_INIT;
	char err[256];
	size_t i, k;

	kafka_reader_init(&r);
	json_doc_init(&d);
	for (i = 0; i < sizeof(envcases) / sizeof(envcases[0]); i++) {
		const struct envcase *c = &envcases[i];
		struct kafka_envelope_opts o = { c->kf, c->vf, 0, NULL };
		struct kafka_rec rec;

		sbuf_reset(&got);
		if (json_parse(&d, c->line, strlen(c->line), err, sizeof(err)) <
		    0) {
			unit_ok(0, "envelope %zu parses: %s", i, err);
			continue;
		}
		if (kafka_envelope_read(&r, &d, &o, &rec, err, sizeof(err)) < 0) {
			sbuf_printf(&got, "ERR %s", err);
		} else {
			sbuf_puts(&got, rec.topic ? rec.topic : "-");
			if (rec.partition == KAFKA_PARTITION_ANY)
				sbuf_puts(&got, "|-|");
			else
				sbuf_printf(&got, "|%d|", (int)rec.partition);
			span(&got, rec.key, rec.key_len);
			sbuf_putc(&got, '|');
			span(&got, rec.value, rec.value_len);
			sbuf_printf(&got, "|%lld|", (long long)rec.timestamp);
			for (k = 0; k < rec.nhdrs; k++) {
				if (k)
					sbuf_putc(&got, ';');
				sbuf_put(&got, rec.hdrs[k].name,
					 rec.hdrs[k].name_len);
				sbuf_putc(&got, '=');
				if (rec.hdrs[k].value)
					sbuf_put(&got, rec.hdrs[k].value,
						 rec.hdrs[k].value_len);
				else
					sbuf_puts(&got, "(null)");
			}
		}
		UNIT_STREQ(got.p, c->want, "envelope case %zu", i);
	}
	sbuf_free(&got);
	json_doc_free(&d);
	kafka_reader_free(&r);
}

/* An enveloped record and its origin as "topic|partition|offset", or "-"
 * when it has no usable one. */
static const struct {
	const char *line;
	const char *want;
} origincases[] = {
	{ "{\"topic\":\"web\",\"partition\":3,\"offset\":42,\"value\":1}",
	  "web|3|42" },
	{ "{\"value\":{\"topic\":\"x\"},\"offset\":0,\"partition\":0,"
	  "\"topic\":\"w\\u00e9b\"}", "w\xc3\xa9" "b|0|0" },
	{ "{\"topic\":\"a\",\"topic\":\"b\",\"partition\":1,\"offset\":2}",
	  "b|1|2" },
	{ "{\"to\\u0070ic\":\"e\",\"partition\":1,\"offset\":2}", "e|1|2" },
	{ "{\"topic\":\"\",\"partition\":0,\"offset\":0}", "|0|0" },
	{ "{\"topic\":\"web\",\"partition\":2147483647,"
	  "\"offset\":9223372036854775806}",
	  "web|2147483647|9223372036854775806" },
	{ "{\"topic\":\"web\",\"partition\":2147483648,\"offset\":0}", "-" },
	{ "{\"topic\":\"web\",\"partition\":0,"
	  "\"offset\":9223372036854775807}", "-" },
	{ "{\"topic\":\"web\",\"partition\":-1,\"offset\":0}", "-" },
	{ "{\"topic\":\"web\",\"partition\":0,\"offset\":1.5}", "-" },
	{ "{\"topic\":\"web\",\"partition\":\"0\",\"offset\":0}", "-" },
	{ "{\"topic\":\"web\",\"partition\":0,\"offset\":null}", "-" },
	{ "{\"topic\":null,\"partition\":0,\"offset\":0}", "-" },
	{ "{\"topic\":7,\"partition\":0,\"offset\":0}", "-" },
	{ "{\"partition\":0,\"offset\":0}", "-" },
	{ "{\"topic\":\"web\",\"offset\":0}", "-" },
	{ "{\"topic\":\"web\",\"partition\":0}", "-" },
	{ "{\"value\":{\"topic\":\"web\",\"partition\":0,\"offset\":0}}",
	  "-" },
	{ "[\"web\",0,0]", "-" },
	{ "{}", "-" },
};

static void test_envelope_origin(void)
{
	struct json_doc d;
	struct sbuf got = SBUF_INIT, scratch = SBUF_INIT;
	char err[256];
	size_t i;

	json_doc_init(&d);
	for (i = 0; i < sizeof(origincases) / sizeof(origincases[0]); i++) {
		struct kafka_origin o;

		sbuf_reset(&got);
		if (json_parse(&d, origincases[i].line,
			       strlen(origincases[i].line), err,
			       sizeof(err)) < 0) {
			unit_ok(0, "origin %zu parses: %s", i, err);
			continue;
		}
		if (!kafka_envelope_origin(&d, &scratch, &o)) {
			sbuf_putc(&got, '-');
		} else {
			sbuf_put(&got, o.topic, o.topic_len);
			sbuf_printf(&got, "|%d|%lld", (int)o.partition,
				    (long long)o.offset);
		}
		UNIT_STREQ(got.p, origincases[i].want, "origin case %zu", i);
	}
	sbuf_free(&got);
	sbuf_free(&scratch);
	json_doc_free(&d);
}

int main(void)
{
	test_envelope_read();
	test_envelope_origin();
	return unit_done();
}
