/* avro_valfmt: see avro_valfmt.h. */
#include "avro_valfmt.h"

#include <string.h>

#include "num.h"
#include "sbuf.h"

const char *const avro_valfmt_names[] = { VALFMT_NAMES, AVRO_VALFMT_NAME,
					  NULL };

const struct tool_opt avro_valfmt_opts[] = {
	{ "schema", required_argument, AVRO_OPT_SCHEMA, "FILE",
	  "Avro schema the values are written with", NULL },
	{ "registry", required_argument, AVRO_OPT_REGISTRY, "DIR|URL",
	  "Avro schemas by id: a directory (sw-avro\nregister) or a Confluent Schema Registry",
	  NULL },
	{ "registry-user", required_argument, AVRO_OPT_REGISTRY_USER, "NAME",
	  "basic auth for a registry URL; the password\nfrom $SW_REGISTRY_PASSWORD or:",
	  NULL },
	{ "registry-password-file", required_argument,
	  AVRO_OPT_REGISTRY_PASSWORD_FILE, "FILE", "the first line of FILE",
	  NULL },
	{ "json", required_argument, AVRO_OPT_JSON, NULL,
	  "JSON form of Avro values (default plain)", avro_json_names },
	{ NULL, 0, 0, NULL, NULL, NULL },
};

static void framing(struct tool *t, struct avro_msg_opts *o,
		    const char *const *framings, const char *arg)
{
	struct sbuf b = SBUF_INIT;
	size_t i;

	for (i = 0; framings[i]; i++)
		if (strcmp(arg, framings[i]) == 0) {
			avro_framing_parse(arg, &o->framing);
			return;
		}
	sbuf_put_list(&b, framings, ", ", " or ");
	tool_usage_error(t, "--framing: %s: expected %s", arg, b.p);
}

int avro_valfmt_option(struct tool *t, struct avro_msg_opts *o,
		       const char *const *framings, int c, const char *arg)
{
	int64_t v;

	switch (c) {
	case AVRO_OPT_SCHEMA:
		o->schema = arg;
		return 1;
	case AVRO_OPT_READER_SCHEMA:
		o->reader_schema = arg;
		return 1;
	case AVRO_OPT_REGISTRY:
		o->registry = arg;
		return 1;
	case AVRO_OPT_REGISTRY_USER:
		o->registry_user = arg;
		return 1;
	case AVRO_OPT_REGISTRY_PASSWORD_FILE:
		o->registry_password_file = arg;
		return 1;
	case AVRO_OPT_SCHEMA_ID:
		if (num_parse_i64(arg, 0, UINT32_MAX, &v) < 0)
			tool_usage_error(t, "--schema-id: %s: expected an id from 0 to 4294967295",
					 arg);
		o->schema_id = v;
		return 1;
	case AVRO_OPT_FRAMING:
		framing(t, o, framings, arg);
		return 1;
	case AVRO_OPT_JSON:
		if (avro_json_parse(arg, &o->json) < 0)
			tool_usage_error(t, "--json: %s: expected %s or %s", arg,
					 avro_json_names[AVRO_JSON_PLAIN],
					 avro_json_names[AVRO_JSON_AVRO]);
		return 1;
	}
	return 0;
}

static int valfmt_code(int rc)
{
	switch (rc) {
	case 0:
		return 0;
	case AVRO_MSG_EUNAVAIL:
		return VALFMT_EUNAVAIL;
	case AVRO_MSG_EIO:
		return VALFMT_EIO;
	default:
		return VALFMT_EBAD;
	}
}

static int codec_decode(void *ctx, const void *p, size_t n, struct sbuf *out,
		  char *err, size_t errlen)
{
	return valfmt_code(avro_msg_decode(ctx, p, n, out, err, errlen));
}

static int codec_encode(void *ctx, const struct json_doc *d, uint32_t i,
		  struct sbuf *out, char *err, size_t errlen)
{
	return valfmt_code(avro_msg_encode(ctx, d, i, out, err, errlen));
}

void avro_valfmt_open(struct tool *t, const struct avro_msg_opts *o,
		      int encode, struct avro_msg **m,
		      struct valfmt_codec *codec)
{
	char err[1024];
	int rc = avro_msg_new(m, o, encode, err, sizeof(err));

	if (rc == AVRO_MSG_EUSAGE)
		tool_usage_error(t, "%s", err);
	if (rc < 0)
		tool_die(t, avro_msg_exit_code(rc), "%s", err);
	codec->ctx = *m;
	codec->decode = codec_decode;
	codec->encode = codec_encode;
}
