/* avro_valfmt: see avro_valfmt.h. */
#include "avro_valfmt.h"

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
