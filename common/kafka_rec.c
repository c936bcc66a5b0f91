/* kafka_rec: see kafka_rec.h. */
#include "kafka_rec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "timefmt.h"
#include "xalloc.h"

/* The envelope fields a reader looks at; the origin's come first. */
enum field {
	F_TOPIC,
	F_PARTITION,
	F_OFFSET,
	F_ORIGIN,          /* the fields of kafka_envelope_origin() */
	F_TIMESTAMP = F_ORIGIN,
	F_KEY,
	F_HEADERS,
	F_VALUE,
	F_ALL,
};

static const struct {
	const char *name;
	uint32_t len;
} fields[F_ALL] = {
	[F_TOPIC] = { "topic", 5 },
	[F_PARTITION] = { "partition", 9 },
	[F_OFFSET] = { "offset", 6 },
	[F_TIMESTAMP] = { "timestamp", 9 },
	[F_KEY] = { "key", 3 },
	[F_HEADERS] = { "headers", 7 },
	[F_VALUE] = { "value", 5 },
};

/* Is member key k the name of field f? */
static int is_field(const struct json_doc *d, uint32_t k, enum field f)
{
	const struct json_tok *t = &d->tok[k];
	const char *s = json_tok_ptr(d, k) + 1;

	if (t->flags & JSON_F_ESCAPED)
		return json_str_eq(d, k, fields[f].name, fields[f].len);
	/* Per record in the sinks: most keys differ in length or first
	 * byte, and are passed over without a call. */
	return t->len == fields[f].len + 2 && s[0] == fields[f].name[0] &&
	       memcmp(s, fields[f].name, fields[f].len) == 0;
}

/* One pass over the members of the object at token 0: at[f] is the value
 * token of each field f below nf, or -1.  Of duplicate keys the last
 * counts, as with json_obj_get(). */
static void locate(const struct json_doc *d, enum field nf, int64_t *at)
{
	enum field f;

	for (f = 0; f < nf; f++)
		at[f] = -1;
	JSON_OBJ_FOREACH(d, 0, k) {
		for (f = 0; f < nf; f++) {
			if (is_field(d, k, f)) {
				at[f] = k + 1;
				break;
			}
		}
	}
}

/* Token i as an integer in [0, max]: 0, or -1 when it is not one. */
static int read_count(const struct json_doc *d, int64_t i, int64_t max,
		      int64_t *v)
{
	return d->tok[i].type == JSON_NUMBER &&
			       json_num_i64(json_tok_ptr(d, (uint32_t)i),
					    d->tok[i].len, v) == 0 &&
			       *v >= 0 && *v <= max ?
		       0 :
		       -1;
}

int kafka_envelope_origin(const struct json_doc *d, struct sbuf *scratch,
			  struct kafka_origin *o)
{
	int64_t at[F_ORIGIN], part, t;

	if (d->tok[0].type != JSON_OBJECT)
		return 0;
	locate(d, F_ORIGIN, at);
	t = at[F_TOPIC];
	if (t < 0 || at[F_PARTITION] < 0 || at[F_OFFSET] < 0 ||
	    d->tok[t].type != JSON_STRING ||
	    read_count(d, at[F_PARTITION], INT32_MAX, &part) < 0 ||
	    read_count(d, at[F_OFFSET], INT64_MAX - 1, &o->offset) < 0)
		return 0;
	if (d->tok[t].flags & JSON_F_ESCAPED) {
		sbuf_reset(scratch);
		json_unescape(json_tok_ptr(d, (uint32_t)t), d->tok[t].len,
			      scratch);
		o->topic = scratch->p;
		o->topic_len = scratch->len;
	} else {
		o->topic = json_tok_ptr(d, (uint32_t)t) + 1;
		o->topic_len = d->tok[t].len - 2;
	}
	o->partition = (int32_t)part;
	return 1;
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
	int64_t at[F_ALL], t, v;
	int is_null;
	char why[256];

	memset(rec, 0, sizeof(*rec));
	rec->partition = KAFKA_PARTITION_ANY;
	sbuf_reset(&r->topic);
	sbuf_reset(&r->key);
	sbuf_reset(&r->value);
	sbuf_reset(&r->hbuf);
	if (d->tok[0].type != JSON_OBJECT) {
		snprintf(err, errlen, "expected an envelope object");
		return -1;
	}
	locate(d, F_ALL, at);
	if ((t = at[F_TOPIC]) >= 0 &&
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
	if ((t = at[F_PARTITION]) >= 0 && d->tok[t].type != JSON_NULL) {
		if (read_count(d, t, INT32_MAX, &v) < 0) {
			snprintf(err, errlen,
				 "partition: expected a non-negative integer");
			return -1;
		}
		rec->partition = (int32_t)v;
	}
	if ((t = at[F_TIMESTAMP]) >= 0 &&
	    read_timestamp(d, (uint32_t)t, &rec->timestamp, err, errlen) < 0)
		return -1;
	if ((t = at[F_KEY]) >= 0) {
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
	if ((t = at[F_HEADERS]) >= 0 &&
	    read_headers(r, d, (uint32_t)t, rec, err, errlen) < 0)
		return -1;
	if ((t = at[F_VALUE]) >= 0) {
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
