/* libFuzzer target: Avro binary datums.  The first byte picks a schema and
 * a way of reading (plain or Avro JSON, a reader schema to resolve to, a
 * recursive schema, or a framed message through avro_msg with automatic
 * framing); the rest is the datum.  Whatever the bytes, decoding must not
 * crash or allocate without bound; a datum that decodes must give valid
 * JSON, and avro_skip() must find the same length that avro_read() used. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "avro_decode.h"
#include "avro_msg.h"
#include "json.h"

/* Undefined behaviour stops the run, as in the bats suite. */
const char *__ubsan_default_options(void);
const char *__ubsan_default_options(void)
{
	return "halt_on_error=1:print_stacktrace=1";
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

static const char S_all[] =
	"{\"type\":\"record\",\"name\":\"All\",\"namespace\":\"sw.test\",\"doc\":\"every Avr"
	"o type and logical type\",\"fields\":[{\"name\":\"n\",\"type\":\"null\"},{\"name"
	"\":\"b\",\"type\":\"boolean\"},{\"name\":\"i\",\"type\":\"int\"},{\"name\":\"l\",\"type\""
	":\"long\"},{\"name\":\"f\",\"type\":\"float\"},{\"name\":\"d\",\"type\":\"double\"},{\""
	"name\":\"by\",\"type\":\"bytes\"},{\"name\":\"s\",\"type\":\"string\"},{\"name\":\"rec"
	"\",\"type\":{\"type\":\"record\",\"name\":\"Inner\",\"fields\":[{\"name\":\"x\",\"type"
	"\":\"int\"},{\"name\":\"tags\",\"type\":{\"type\":\"array\",\"items\":\"string\"}}]}}"
	",{\"name\":\"e\",\"type\":{\"type\":\"enum\",\"name\":\"Color\",\"symbols\":[\"RED\",\""
	"GREEN\",\"BLUE\"]}},{\"name\":\"arr\",\"type\":{\"type\":\"array\",\"items\":\"Inner"
	"\"}},{\"name\":\"m\",\"type\":{\"type\":\"map\",\"values\":\"long\"}},{\"name\":\"u\",\""
	"type\":[\"null\",\"string\",\"long\",\"Inner\"]},{\"name\":\"fx\",\"type\":{\"type\":"
	"\"fixed\",\"name\":\"Four\",\"size\":4}},{\"name\":\"dec\",\"type\":{\"type\":\"bytes"
	"\",\"logicalType\":\"decimal\",\"precision\":9,\"scale\":2}},{\"name\":\"decf\",\""
	"type\":{\"type\":\"fixed\",\"name\":\"Dec8\",\"size\":8,\"logicalType\":\"decimal\""
	",\"precision\":18,\"scale\":4}},{\"name\":\"uid\",\"type\":{\"type\":\"string\",\"l"
	"ogicalType\":\"uuid\"}},{\"name\":\"day\",\"type\":{\"type\":\"int\",\"logicalType"
	"\":\"date\"}},{\"name\":\"tms\",\"type\":{\"type\":\"int\",\"logicalType\":\"time-mi"
	"llis\"}},{\"name\":\"tus\",\"type\":{\"type\":\"long\",\"logicalType\":\"time-micr"
	"os\"}},{\"name\":\"tsms\",\"type\":{\"type\":\"long\",\"logicalType\":\"timestamp-"
	"millis\"}},{\"name\":\"tsus\",\"type\":{\"type\":\"long\",\"logicalType\":\"timest"
	"amp-micros\"}},{\"name\":\"ltsms\",\"type\":{\"type\":\"long\",\"logicalType\":\"l"
	"ocal-timestamp-millis\"}},{\"name\":\"ltsus\",\"type\":{\"type\":\"long\",\"logi"
	"calType\":\"local-timestamp-micros\"}}]}"
;
static const char S_evo_writer[] =
	"{\"type\":\"record\",\"name\":\"Evo\",\"namespace\":\"sw.test\",\"fields\":[{\"name"
	"\":\"id\",\"type\":\"int\"},{\"name\":\"i2l\",\"type\":\"int\"},{\"name\":\"i2f\",\"type"
	"\":\"int\"},{\"name\":\"i2d\",\"type\":\"int\"},{\"name\":\"l2f\",\"type\":\"long\"},{\""
	"name\":\"l2d\",\"type\":\"long\"},{\"name\":\"f2d\",\"type\":\"float\"},{\"name\":\"s2"
	"b\",\"type\":\"string\"},{\"name\":\"b2s\",\"type\":\"bytes\"},{\"name\":\"gone\",\"ty"
	"pe\":{\"type\":\"record\",\"name\":\"Gone\",\"fields\":[{\"name\":\"a\",\"type\":{\"ty"
	"pe\":\"array\",\"items\":{\"type\":\"map\",\"values\":[\"null\",\"string\"]}}}]}},{"
	"\"name\":\"color\",\"type\":{\"type\":\"enum\",\"name\":\"Color\",\"symbols\":[\"RED\""
	",\"GREEN\",\"BLUE\",\"PURPLE\"]}},{\"name\":\"old_name\",\"type\":\"string\"},{\"na"
	"me\":\"u2u\",\"type\":[\"null\",\"int\",\"string\"]},{\"name\":\"u2one\",\"type\":[\"n"
	"ull\",\"long\"]},{\"name\":\"one2u\",\"type\":\"int\"},{\"name\":\"inner\",\"type\":{"
	"\"type\":\"record\",\"name\":\"OldInner\",\"namespace\":\"old.ns\",\"fields\":[{\"n"
	"ame\":\"z\",\"type\":\"long\"},{\"name\":\"y\",\"type\":\"string\"}]}}]}"
;
static const char S_evo_reader[] =
	"{\"type\":\"record\",\"name\":\"Evolved\",\"namespace\":\"sw.v2\",\"aliases\":[\"sw"
	".test.Evo\"],\"fields\":[{\"name\":\"inner\",\"type\":{\"type\":\"record\",\"name\""
	":\"NewInner\",\"aliases\":[\"old.ns.OldInner\"],\"fields\":[{\"name\":\"y\",\"typ"
	"e\":\"string\"},{\"name\":\"z\",\"type\":\"long\"},{\"name\":\"w\",\"type\":\"int\",\"de"
	"fault\":5}]}},{\"name\":\"id\",\"type\":\"long\"},{\"name\":\"i2l\",\"type\":\"long\""
	"},{\"name\":\"i2f\",\"type\":\"float\"},{\"name\":\"i2d\",\"type\":\"double\"},{\"nam"
	"e\":\"l2f\",\"type\":\"float\"},{\"name\":\"l2d\",\"type\":\"double\"},{\"name\":\"f2d"
	"\",\"type\":\"double\"},{\"name\":\"s2b\",\"type\":\"bytes\"},{\"name\":\"b2s\",\"type"
	"\":\"string\"},{\"name\":\"color\",\"type\":{\"type\":\"enum\",\"name\":\"Color\",\"sy"
	"mbols\":[\"BLUE\",\"GREEN\",\"RED\",\"OTHER\"],\"default\":\"OTHER\"}},{\"name\":\"n"
	"ew_name\",\"aliases\":[\"old_name\"],\"type\":\"string\"},{\"name\":\"u2u\",\"type"
	"\":[\"string\",\"long\",\"null\"]},{\"name\":\"u2one\",\"type\":\"long\"},{\"name\":\""
	"one2u\",\"type\":[\"null\",\"double\"]},{\"name\":\"d_rec\",\"type\":{\"type\":\"rec"
	"ord\",\"name\":\"Pt\",\"fields\":[{\"name\":\"x\",\"type\":\"int\"},{\"name\":\"y\",\"ty"
	"pe\":[\"null\",\"int\"],\"default\":null}]},\"default\":{\"x\":1}},{\"name\":\"d_u"
	"nion\",\"type\":[\"null\",\"string\"],\"default\":null},{\"name\":\"d_arr\",\"type"
	"\":{\"type\":\"array\",\"items\":\"int\"},\"default\":[1,2]},{\"name\":\"d_map\",\"t"
	"ype\":{\"type\":\"map\",\"values\":\"string\"},\"default\":{\"k\":\"v\"}},{\"name\":\""
	"d_bytes\",\"type\":\"bytes\",\"default\":\"ÿ\\u0000A\"},{\"name\":\"d_fixed\",\"ty"
	"pe\":{\"type\":\"fixed\",\"name\":\"Two\",\"size\":2},\"default\":\"ab\"},{\"name\":\""
	"d_enum\",\"type\":\"Color\",\"default\":\"RED\"},{\"name\":\"d_ts\",\"type\":{\"type"
	"\":\"long\",\"logicalType\":\"timestamp-millis\"},\"default\":1639277810000},"
	"{\"name\":\"d_float\",\"type\":\"float\",\"default\":1.5},{\"name\":\"d_bool\",\"ty"
	"pe\":\"boolean\",\"default\":true}]}"
;
static const char S_list[] =
	"{\"type\":\"record\",\"name\":\"L\",\"fields\":[{\"name\":\"v\","
	"\"type\":\"long\"},{\"name\":\"next\",\"type\":[\"null\",\"L\"]}]}";

#define NREADERS 6

static struct avro_schema *all, *evow, *evor, *list;
static struct avro_reader *rd[NREADERS];
static struct avro_msg *msg;
static struct json_doc doc;

static struct avro_schema *parse(const char *s)
{
	char err[512];
	struct avro_schema *sc = avro_schema_parse(s, strlen(s), err, sizeof err);

	if (!sc) {
		fprintf(stderr, "fuzz_avro_datum: schema: %s\n", err);
		abort();
	}
	return sc;
}

static void setup(void)
{
	char err[512], path[] = "/tmp/fuzz_avro_datum.XXXXXX";
	struct avro_msg_opts o = AVRO_MSG_OPTS_INIT;
	FILE *f;
	int fd;

	all = parse(S_all);
	evow = parse(S_evo_writer);
	evor = parse(S_evo_reader);
	list = parse(S_list);
	rd[0] = avro_reader_new(all->root, NULL, AVRO_JSON_PLAIN, err, sizeof err);
	rd[1] = avro_reader_new(all->root, NULL, AVRO_JSON_AVRO, err, sizeof err);
	rd[2] = avro_reader_new(evow->root, NULL, AVRO_JSON_PLAIN, err, sizeof err);
	rd[3] = avro_reader_new(evow->root, evor->root, AVRO_JSON_PLAIN, err,
				sizeof err);
	rd[4] = avro_reader_new(evow->root, evor->root, AVRO_JSON_AVRO, err,
				sizeof err);
	rd[5] = avro_reader_new(list->root, NULL, AVRO_JSON_PLAIN, err, sizeof err);
	for (int i = 0; i < NREADERS; i++)
		if (!rd[i])
			abort();
	/* avro_msg reads its schema from a file. */
	fd = mkstemp(path);
	if (fd < 0 || !(f = fdopen(fd, "w")))
		abort();
	fputs(S_all, f);
	fclose(f);
	o.schema = path;
	if (avro_msg_new(&msg, &o, 0, err, sizeof err) < 0) {
		fprintf(stderr, "fuzz_avro_datum: %s\n", err);
		abort();
	}
	unlink(path);
	json_doc_init(&doc);
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	static int ready;
	struct sbuf out = SBUF_INIT;
	char err[512];
	unsigned pick;
	int64_t used, skip;

	if (!ready) {
		setup();
		ready = 1;
	}
	if (size < 1)
		return 0;
	pick = data[0] % (NREADERS + 2);
	data++;
	size--;
	if (pick < NREADERS) {
		used = avro_read(rd[pick], data, size, &out, err, sizeof err);
		skip = avro_skip(rd[pick], data, size);
		if (used >= 0) {
			if ((size_t)used > size || skip != used)
				abort();
			if (json_parse(&doc, out.p ? out.p : "", out.len, err,
				       sizeof err) < 0) {
				fprintf(stderr, "invalid JSON out: %s\n", err);
				abort();
			}
		}
	} else {
		size_t u = 0;
		int rc;

		if (pick == NREADERS)
			rc = avro_msg_decode(msg, data, size, &out, err, sizeof err);
		else
			rc = avro_msg_decode_prefix(msg, data, size, &u, &out, err,
						    sizeof err);
		if (rc == 0) {
			if (u > size)
				abort();
			if (json_parse(&doc, out.p ? out.p : "", out.len, err,
				       sizeof err) < 0)
				abort();
		}
	}
	sbuf_free(&out);
	return 0;
}
