/* libFuzzer target: Avro schema text, as it comes from a container file's
 * header or a registry.  Whatever the bytes, parsing must not crash; a
 * schema that parses must have a canonical form that parses again to the
 * same fingerprint, compile into a reader (alone and resolved against
 * itself), and be compatible with itself. */
#include <stdlib.h>
#include <string.h>

#include "avro_decode.h"
#include "avro_schema.h"

/* Undefined behaviour stops the run, as in the bats suite. */
const char *__ubsan_default_options(void);
const char *__ubsan_default_options(void)
{
	return "halt_on_error=1:print_stacktrace=1";
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	struct avro_schema *s, *c;
	struct avro_reader *rd;
	struct sbuf why = SBUF_INIT;
	char err[512];

	s = avro_schema_parse((const char *)data, size, err, sizeof err);
	if (!s)
		return 0;
	c = avro_schema_parse(s->canonical, s->canonical_len, err, sizeof err);
	if (!c || c->fingerprint != s->fingerprint ||
	    c->canonical_len != s->canonical_len ||
	    memcmp(c->canonical, s->canonical, s->canonical_len))
		abort();
	rd = avro_reader_new(s->root, NULL, AVRO_JSON_PLAIN, err, sizeof err);
	avro_reader_free(rd);
	rd = avro_reader_new(s->root, c->root, AVRO_JSON_AVRO, err, sizeof err);
	avro_reader_free(rd);
	if (avro_compat(s->root, s->root, &why) != 0)
		abort();
	sbuf_free(&why);
	avro_schema_free(c);
	avro_schema_free(s);
	return 0;
}
