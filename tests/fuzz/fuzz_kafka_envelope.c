/* libFuzzer target: the Kafka record envelope that sw-produce and the
 * sinks read, and message bytes to JSON and back.  The bytes as an envelope line must be
 * read or refused in every key/value format without touching memory
 * outside the spans handed out; the bytes as a message must turn into
 * JSON that parses and, as a string or base64, back into the same bytes. */
#include <stdlib.h>
#include <string.h>

#include "kafka_rec.h"

/* Undefined behaviour stops the run, as in the bats suite. */
const char *__ubsan_default_options(void);
const char *__ubsan_default_options(void)
{
	return "halt_on_error=1:print_stacktrace=1";
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

static void touch(struct sbuf *b, const void *p, size_t n)
{
	if (p)
		sbuf_put(b, p, n);
}

static void roundtrip(enum valfmt f, const unsigned char *data, size_t size,
		      struct json_doc *d, struct json_doc *scratch)
{
	struct sbuf j = SBUF_INIT, back = SBUF_INIT;
	char err[256];
	int is_null = 0;

	if (valfmt_to_json(&j, f, NULL, data, size, scratch, err, sizeof err) == 0) {
		if (json_parse(d, j.p ? j.p : "", j.len, err, sizeof err) < 0)
			abort();
		if (valfmt_from_json(d, 0, f, NULL, &back, &is_null, err,
					sizeof err) < 0)
			abort();
		if (f != VALFMT_JSON &&
		    (is_null || back.len != size ||
		     (size && memcmp(back.p, data, size))))
			abort();
	}
	sbuf_free(&j);
	sbuf_free(&back);
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	static struct kafka_reader r;
	static struct json_doc d, scratch;
	static int ready;
	static const enum valfmt fmts[] = { VALFMT_JSON, VALFMT_STRING,
					       VALFMT_BASE64 };
	struct kafka_envelope_opts o = { VALFMT_JSON, VALFMT_JSON, 0, NULL };
	struct kafka_rec rec;
	struct sbuf b = SBUF_INIT;
	char err[256];

	if (!ready) {
		kafka_reader_init(&r);
		json_doc_init(&d);
		json_doc_init(&scratch);
		ready = 1;
	}
	if (json_parse(&d, (const char *)data, size, err, sizeof err) == 0 &&
	    d.tok[0].type == JSON_OBJECT) {
		struct kafka_origin at;

		if (kafka_envelope_origin(&d, &b, &at)) {
			struct sbuf t = SBUF_INIT;

			touch(&t, at.topic, at.topic_len);
			sbuf_free(&t);
		}
		for (int k = 0; k < 3; k++)
			for (int v = 0; v < 3; v++) {
				o.key_fmt = fmts[k];
				o.value_fmt = fmts[v];
				memset(&rec, 0, sizeof rec);
				if (kafka_envelope_read(&r, &d, &o, &rec, err,
							sizeof err) < 0)
					continue;
				sbuf_reset(&b);
				if (rec.topic)
					touch(&b, rec.topic, strlen(rec.topic));
				touch(&b, rec.key, rec.key_len);
				touch(&b, rec.value, rec.value_len);
				for (size_t h = 0; h < rec.nhdrs; h++) {
					touch(&b, rec.hdrs[h].name,
					      rec.hdrs[h].name_len);
					touch(&b, rec.hdrs[h].value,
					      rec.hdrs[h].value_len);
				}
			}
	}
	sbuf_free(&b);
	for (int f = 0; f < 3; f++)
		roundtrip(fmts[f], data, size, &d, &scratch);
	return 0;
}
