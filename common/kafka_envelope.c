/* kafka_envelope: see kafka_envelope.h. */
#include "kafka_envelope.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base64.h"
#include "timefmt.h"
#include "valfmt.h"
#include "xalloc.h"

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

void kafka_reader_init(struct kafka_reader *r)
{
	memset(r, 0, sizeof(*r));
}

void kafka_reader_free(struct kafka_reader *r)
{
	sbuf_free(&r->topic);
	sbuf_free(&r->key);
	sbuf_free(&r->value);
	sbuf_free(&r->hbuf);
	free(r->hdrs);
	free(r->hoff);
	memset(r, 0, sizeof(*r));
}

static int read_headers(struct kafka_reader *r, const struct json_doc *d,
			uint32_t arr, struct kafka_rec *rec, char *err,
			size_t errlen)
{
	size_t n = 0, k;

	if (d->tok[arr].type == JSON_NULL)
		return 0;
	if (d->tok[arr].type != JSON_ARRAY) {
		snprintf(err, errlen, "headers: expected an array");
		return -1;
	}
	if (d->tok[arr].count * 4 > r->hcap) {
		r->hcap = d->tok[arr].count * 4;
		r->hdrs = xrealloc(r->hdrs, r->hcap * sizeof(*r->hdrs));
		r->hoff = xrealloc(r->hoff, r->hcap * sizeof(*r->hoff));
	}
	JSON_ARR_FOREACH(d, arr, e) {
		int64_t kt, vt, et;
		int b64 = 0, is_null = 0;
		size_t voff;

		if (d->tok[e].type != JSON_OBJECT ||
		    (kt = json_obj_get(d, e, "key", 3)) < 0 ||
		    d->tok[kt].type != JSON_STRING) {
			snprintf(err, errlen,
				 "headers[%zu]: expected {\"key\":STRING,\"value\":...}",
				 n);
			return -1;
		}
		et = json_obj_get(d, e, "encoding", 8);
		if (et >= 0) {
			if (!json_str_eq(d, (uint32_t)et, "base64", 6)) {
				snprintf(err, errlen,
					 "headers[%zu]: encoding: expected \"base64\"",
					 n);
				return -1;
			}
			b64 = 1;
		}
		r->hoff[4 * n] = r->hbuf.len;
		json_unescape(json_tok_ptr(d, (uint32_t)kt), d->tok[kt].len,
			      &r->hbuf);
		r->hoff[4 * n + 1] = r->hbuf.len;
		voff = r->hbuf.len;
		vt = json_obj_get(d, e, "value", 5);
		if (vt < 0 || d->tok[vt].type == JSON_NULL) {
			is_null = 1;
		} else if (d->tok[vt].type != JSON_STRING) {
			snprintf(err, errlen, "headers[%zu]: value: expected a string",
				 n);
			return -1;
		} else if (valfmt_from_json(d, (uint32_t)vt,
					    b64 ? VALFMT_BASE64 : VALFMT_STRING,
					    NULL, &r->hbuf, &is_null, err,
					    errlen) < 0) {
			char why[128];

			snprintf(why, sizeof(why), "%s", err);
			snprintf(err, errlen, "headers[%zu]: value: %s", n, why);
			return -1;
		}
		r->hoff[4 * n + 2] = is_null ? (size_t)-1 : voff;
		r->hoff[4 * n + 3] = r->hbuf.len;
		n++;
	}
	/* hbuf may have moved while growing: make pointers only now. */
	for (k = 0; k < n; k++) {
		struct kafka_hdr *h = &r->hdrs[k];

		h->name = r->hbuf.p + r->hoff[4 * k];
		h->name_len = r->hoff[4 * k + 1] - r->hoff[4 * k];
		h->value = r->hoff[4 * k + 2] == (size_t)-1 ?
				   NULL :
				   r->hbuf.p + r->hoff[4 * k + 2];
		h->value_len = h->value ? r->hoff[4 * k + 3] -
						  r->hoff[4 * k + 2] :
					  0;
	}
	rec->hdrs = r->hdrs;
	rec->nhdrs = n;
	return 0;
}

static int read_timestamp(const struct json_doc *d, uint32_t i, int64_t *ms,
			  char *err, size_t errlen)
{
	static const struct timefmt tf = TIMEFMT_INIT;
	int64_t us;

	if (d->tok[i].type == JSON_NULL)
		return 0;
	if (d->tok[i].type == JSON_NUMBER && (d->tok[i].flags & JSON_F_INT) &&
	    json_num_i64(json_tok_ptr(d, i), d->tok[i].len, ms) == 0 &&
	    *ms >= 0)
		return 0;
	if (d->tok[i].type == JSON_STRING &&
	    timefmt_parse_json(&tf, json_tok_ptr(d, i), d->tok[i].len, &us,
			       err, errlen) == 0 &&
	    us >= 0) {
		*ms = us / 1000;
		return 0;
	}
	snprintf(err, errlen,
		 "timestamp: expected epoch milliseconds or an RFC 3339 time");
	return -1;
}

int kafka_envelope_read(struct kafka_reader *r, const struct json_doc *d,
			const struct kafka_envelope_opts *o,
			struct kafka_rec *rec, char *err, size_t errlen)
{
	int64_t t, v;
	int is_null;
	char why[256];

	memset(rec, 0, sizeof(*rec));
	rec->partition = RD_KAFKA_PARTITION_UA;
	sbuf_reset(&r->topic);
	sbuf_reset(&r->key);
	sbuf_reset(&r->value);
	sbuf_reset(&r->hbuf);
	if (d->tok[0].type != JSON_OBJECT) {
		snprintf(err, errlen, "expected an envelope object");
		return -1;
	}
	if ((t = json_obj_get(d, 0, "topic", 5)) >= 0 &&
	    d->tok[t].type != JSON_NULL) {
		if (d->tok[t].type != JSON_STRING) {
			snprintf(err, errlen, "topic: expected a string");
			return -1;
		}
		json_unescape(json_tok_ptr(d, (uint32_t)t), d->tok[t].len,
			      &r->topic);
		if (r->topic.len == 0 || memchr(r->topic.p, 0, r->topic.len)) {
			snprintf(err, errlen, "topic: not a topic name");
			return -1;
		}
		rec->topic = r->topic.p;
	}
	if ((t = json_obj_get(d, 0, "partition", 9)) >= 0 &&
	    d->tok[t].type != JSON_NULL) {
		if (d->tok[t].type != JSON_NUMBER ||
		    json_num_i64(json_tok_ptr(d, (uint32_t)t), d->tok[t].len,
				 &v) < 0 ||
		    v < 0 || v > INT32_MAX) {
			snprintf(err, errlen,
				 "partition: expected a non-negative integer");
			return -1;
		}
		rec->partition = (int32_t)v;
	}
	if ((t = json_obj_get(d, 0, "timestamp", 9)) >= 0 &&
	    read_timestamp(d, (uint32_t)t, &rec->timestamp, err, errlen) < 0)
		return -1;
	if ((t = json_obj_get(d, 0, "key", 3)) >= 0) {
		if (valfmt_from_json(d, (uint32_t)t, o->key_fmt, NULL, &r->key,
				     &is_null, why, sizeof(why)) < 0) {
			snprintf(err, errlen, "key: %s", why);
			return -1;
		}
		if (!is_null) {
			rec->key = r->key.p ? r->key.p : "";
			rec->key_len = r->key.len;
		}
	}
	if ((t = json_obj_get(d, 0, "headers", 7)) >= 0 &&
	    read_headers(r, d, (uint32_t)t, rec, err, errlen) < 0)
		return -1;
	if ((t = json_obj_get(d, 0, "value", 5)) >= 0) {
		if (valfmt_from_json(d, (uint32_t)t, o->value_fmt, o->codec,
				     &r->value, &is_null, why,
				     sizeof(why)) < 0) {
			snprintf(err, errlen, "value: %s", why);
			return -1;
		}
		if (!is_null) {
			rec->value = r->value.p ? r->value.p : "";
			rec->value_len = r->value.len;
		}
	}
	return 0;
}
