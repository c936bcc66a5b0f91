/* kafka_envelope: see kafka_envelope.h. */
#include "kafka_envelope.h"

#include <stdio.h>
#include <string.h>

#include "base64.h"
#include "valfmt.h"

static int put_headers(struct sbuf *b, const rd_kafka_message_t *m,
		       char *err, size_t errlen)
{
	rd_kafka_headers_t *hdrs = NULL;
	const char *name;
	const void *val;
	size_t size, i;

	sbuf_puts(b, ",\"headers\":[");
	if (rd_kafka_message_headers(m, &hdrs) == RD_KAFKA_RESP_ERR_NO_ERROR) {
		for (i = 0; !rd_kafka_header_get_all(hdrs, i, &name, &val,
						      &size);
		     i++) {
			size_t nlen = strlen(name);

			if (utf8_valid_prefix(name, nlen) < nlen) {
				snprintf(err, errlen,
					 "header %zu: name is not UTF-8", i);
				return -1;
			}
			sbuf_puts(b, i ? ",{\"key\":" : "{\"key\":");
			sbuf_put_jstr(b, name, nlen);
			sbuf_puts(b, ",\"value\":");
			if (!val) {
				sbuf_puts(b, "null}");
			} else if (utf8_valid_prefix(val, size) == size) {
				sbuf_put_jstr(b, val, size);
				sbuf_putc(b, '}');
			} else {
				sbuf_putc(b, '"');
				base64_encode(val, size, b);
				sbuf_puts(b, "\",\"encoding\":\"base64\"}");
			}
		}
	}
	sbuf_putc(b, ']');
	return 0;
}

static const char *ts_type_name(rd_kafka_timestamp_type_t t)
{
	switch (t) {
	case RD_KAFKA_TIMESTAMP_CREATE_TIME:
		return "create";
	case RD_KAFKA_TIMESTAMP_LOG_APPEND_TIME:
		return "log_append";
	default:
		return "none";
	}
}

int kafka_envelope_write(struct sbuf *b, const rd_kafka_message_t *m,
			 const struct kafka_envelope_opts *o,
			 struct json_doc *scratch, char *err, size_t errlen)
{
	size_t mark = b->len;
	const char *topic;
	rd_kafka_timestamp_type_t tstype;
	int64_t ts;
	int part = 0;

	if (o->value_only)
		goto value;
	topic = rd_kafka_topic_name(m->rkt);
	sbuf_put(b, "{\"topic\":", 9);
	sbuf_put_jstr(b, topic, strlen(topic));
	sbuf_put(b, ",\"partition\":", 13);
	sbuf_put_i64(b, m->partition);
	sbuf_put(b, ",\"offset\":", 10);
	sbuf_put_i64(b, m->offset);
	ts = rd_kafka_message_timestamp(m, &tstype);
	sbuf_put(b, ",\"timestamp\":", 13);
	if (tstype == RD_KAFKA_TIMESTAMP_NOT_AVAILABLE)
		sbuf_put(b, "null", 4);
	else
		sbuf_put_i64(b, ts);
	sbuf_put(b, ",\"timestamp_type\":\"", 19);
	sbuf_puts(b, ts_type_name(tstype));
	sbuf_put(b, "\",\"key\":", 8);
	part = KAFKA_ENV_KEY;
	if (valfmt_to_json(b, o->key_fmt, NULL, m->key, m->key_len, scratch,
			   err, errlen) < 0)
		goto fail;
	part = KAFKA_ENV_HEADER;
	if (put_headers(b, m, err, errlen) < 0)
		goto fail;
	sbuf_put(b, ",\"value\":", 9);
value:
	switch (valfmt_to_json(b, o->value_fmt, o->codec, m->payload, m->len,
			       scratch, err, errlen)) {
	case 0:
		break;
	case VALFMT_EUNAVAIL:
		part = KAFKA_ENV_UNAVAIL;
		goto fail;
	case VALFMT_EIO:
		part = KAFKA_ENV_IOERR;
		goto fail;
	default:
		part = KAFKA_ENV_VALUE;
		goto fail;
	}
	if (!o->value_only)
		sbuf_putc(b, '}');
	return 0;
fail:
	b->len = mark;
	if (b->p)
		b->p[mark] = '\0';
	return part;
}
