/* kafka_offset: see kafka_offset.h. */
#include "kafka_offset.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "file.h"
#include "json.h"
#include "num.h"
#include "timefmt.h"

int kafka_offspec_parse(const char *s, struct kafka_offspec *start,
			int64_t *end_ms, char *err, size_t errlen)
{
	static const struct timefmt tf = TIMEFMT_INIT;
	int64_t v, us;
	char why[200];

	if (!strcmp(s, "beginning") || !strcmp(s, "earliest")) {
		start->kind = KAFKA_OFF_BEGINNING;
		return 0;
	}
	if (!strcmp(s, "end") || !strcmp(s, "latest")) {
		start->kind = KAFKA_OFF_END;
		return 0;
	}
	if (!strcmp(s, "stored")) {
		start->kind = KAFKA_OFF_STORED;
		return 0;
	}
	if (s[0] == '-' && num_parse_i64(s + 1, 1, INT64_MAX / 2, &v) == 0) {
		start->kind = KAFKA_OFF_TAIL;
		start->v = v;
		return 0;
	}
	if (num_parse_i64(s, 0, INT64_MAX / 2, &v) == 0) {
		start->kind = KAFKA_OFF_ABS;
		start->v = v;
		return 0;
	}
	if ((s[0] == 's' || s[0] == 'e') && s[1] == '@') {
		if (num_parse_i64(s + 2, 0, INT64_MAX / 2, &v) < 0) {
			snprintf(err, errlen, "%s: expected epoch milliseconds after %c@",
				 s, s[0]);
			return -1;
		}
		if (s[0] == 'e') {
			*end_ms = v;
		} else {
			start->kind = KAFKA_OFF_TIME;
			start->v = v;
		}
		return 0;
	}
	if (s[0] == '@') {
		if (timefmt_parse_string(&tf, s + 1, strlen(s + 1), &us, why,
					 sizeof(why)) < 0) {
			snprintf(err, errlen, "%s: %s", s, why);
			return -1;
		}
		start->kind = KAFKA_OFF_TIME;
		start->v = us / 1000 - (us % 1000 < 0);
		return 0;
	}
	snprintf(err, errlen,
		 "%s: expected beginning, end, stored, N, -N, s@MS, @TIME or e@MS",
		 s);
	return -1;
}

int64_t kafka_offspec_offset(const struct kafka_offspec *s)
{
	switch (s->kind) {
	case KAFKA_OFF_END:
		return RD_KAFKA_OFFSET_END;
	case KAFKA_OFF_ABS:
	case KAFKA_OFF_TIME:
		return s->v;
	case KAFKA_OFF_TAIL:
		return RD_KAFKA_OFFSET_TAIL(s->v);
	case KAFKA_OFF_BEGINNING:
	case KAFKA_OFF_STORED:
		break;
	}
	return RD_KAFKA_OFFSET_BEGINNING;
}

void kafka_offspec_apply(rd_kafka_t *rk, const struct kafka_offspec *s,
			 rd_kafka_topic_partition_list_t *l, int timeout_ms,
			 const struct wait_step *w)
{
	int i;

	for (i = 0; i < l->cnt; i++)
		l->elems[i].offset = kafka_offspec_offset(s);
	if (s->kind != KAFKA_OFF_TIME || l->cnt == 0)
		return;
	if (kafka_offsets_for_times(rk, l, timeout_ms, w) != 0) {
		for (i = 0; i < l->cnt; i++)
			l->elems[i].offset = -1;
	}
	for (i = 0; i < l->cnt; i++) {
		/* -1: no answer (brokers without a time index, such as the
		 * mock) or nothing that late: scan from the start. */
		if (l->elems[i].err || l->elems[i].offset < 0) {
			l->elems[i].offset = RD_KAFKA_OFFSET_BEGINNING;
			l->elems[i].opaque = (void *)1;
		}
	}
}

void kafka_start_resolve(rd_kafka_topic_partition_list_t *l,
			 const rd_kafka_topic_partition_list_t *resume,
			 const rd_kafka_topic_partition_list_t *committed,
			 const rd_kafka_topic_partition_list_t *spec,
			 struct kafka_start *out,
			 rd_kafka_topic_partition_list_t *check)
{
	for (int i = 0; i < l->cnt; i++) {
		rd_kafka_topic_partition_t *p = &l->elems[i], *r = NULL;
		int64_t off = -1;

		if (resume)
			r = rd_kafka_topic_partition_list_find(
				(rd_kafka_topic_partition_list_t *)resume,
				p->topic, p->partition);
		if (r)
			off = r->offset;
		if (off < 0 && committed && committed->elems[i].offset >= 0)
			off = committed->elems[i].offset;
		out[i].from_stored = off >= 0;
		out[i].scan = 0;
		if (off >= 0) {
			rd_kafka_topic_partition_list_add(check, p->topic,
							  p->partition)
				->offset = off;
		} else {
			off = spec->elems[i].offset;
			out[i].scan = spec->elems[i].opaque != NULL;
		}
		p->offset = out[i].offset = off;
	}
}

void kafka_offsets_copy(rd_kafka_topic_partition_list_t *to,
			const rd_kafka_topic_partition_list_t *from)
{
	for (int i = 0; i < from->cnt; i++) {
		const rd_kafka_topic_partition_t *e = &from->elems[i];
		rd_kafka_topic_partition_t *t =
			rd_kafka_topic_partition_list_find(to, e->topic,
							   e->partition);

		if (t)
			t->offset = e->offset;
	}
}

int kafka_out_of_range(int64_t offset, int64_t lo, int64_t hi, int read,
		       int64_t *to)
{
	*to = offset >= hi ? hi : lo;
	if (offset > hi || (offset < lo && read)) {
		*to = lo;
		return 1;
	}
	return 0;
}

/* A checkpoint is small; a huge file is not one (and is not read into
 * memory): the same bound as sw-sink-es --checkpoint. */
#define KAFKA_RESUME_MAX_BYTES (64u << 20)

static int load_topic(const struct json_doc *d, uint32_t obj,
		      const char *topic, rd_kafka_topic_partition_list_t *l,
		      char *err, size_t errlen)
{
	struct sbuf key = SBUF_INIT;
	int rc = 0;

	JSON_OBJ_FOREACH(d, obj, k) {
		int64_t part, off;

		sbuf_reset(&key);
		json_unescape(json_tok_ptr(d, k), d->tok[k].len, &key);
		if (num_parse_i64(key.p ? key.p : "", 0, INT32_MAX, &part) < 0 ||
		    d->tok[k + 1].type != JSON_NUMBER ||
		    json_num_i64(json_tok_ptr(d, k + 1), d->tok[k + 1].len,
				 &off) < 0 ||
		    off < 0) {
			snprintf(err, errlen,
				 "offsets.%s: expected \"PARTITION\": OFFSET pairs",
				 topic);
			rc = -1;
			break;
		}
		rd_kafka_topic_partition_list_add(l, topic, (int32_t)part)
			->offset = off;
	}
	sbuf_free(&key);
	return rc;
}

int kafka_resume_load(const char *path, rd_kafka_topic_partition_list_t **out,
		      char *err, size_t errlen)
{
	struct sbuf text = SBUF_INIT, topic = SBUF_INIT;
	struct json_doc d;
	rd_kafka_topic_partition_list_t *l = NULL;
	char why[200];
	int64_t offs;
	int rc;

	*out = NULL;
	json_doc_init(&d);
	rc = file_read_all(path, KAFKA_RESUME_MAX_BYTES, &text, err, errlen);
	if (rc == 1) {
		rc = 0;
		goto out;
	}
	if (rc < 0) {
		if (!*err)
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto out;
	}
	rc = -1;
	if (json_parse(&d, text.p ? text.p : "", text.len, why, sizeof(why)) <
	    0) {
		snprintf(err, errlen, "%s: %s", path, why);
		goto out;
	}
	if (d.tok[0].type != JSON_OBJECT ||
	    (offs = json_obj_get(&d, 0, "offsets", 7)) < 0 ||
	    d.tok[offs].type != JSON_OBJECT) {
		snprintf(err, errlen, "%s: expected {\"offsets\":{TOPIC:{PARTITION:OFFSET}}}",
			 path);
		goto out;
	}
	l = rd_kafka_topic_partition_list_new(8);
	JSON_OBJ_FOREACH(&d, (uint32_t)offs, k) {
		sbuf_reset(&topic);
		json_unescape(json_tok_ptr(&d, k), d.tok[k].len, &topic);
		if (d.tok[k + 1].type != JSON_OBJECT) {
			snprintf(err, errlen, "%s: offsets.%s: expected an object",
				 path, topic.p ? topic.p : "");
			goto out;
		}
		if (load_topic(&d, k + 1, topic.p ? topic.p : "", l, why,
			       sizeof(why)) < 0) {
			snprintf(err, errlen, "%s: %s", path, why);
			goto out;
		}
	}
	*out = l;
	l = NULL;
	rc = 0;
out:
	if (l)
		rd_kafka_topic_partition_list_destroy(l);
	json_doc_free(&d);
	sbuf_free(&text);
	sbuf_free(&topic);
	return rc;
}

void kafka_loss_text(struct sbuf *b, const char *topic, int32_t partition,
		     int64_t offset, int64_t lo, int64_t hi)
{
	if (offset < lo)
		sbuf_printf(b, "%s[%d] offsets %lld-%lld no longer retained",
			    topic, (int)partition, (long long)offset,
			    (long long)lo - 1);
	else
		sbuf_printf(b, "%s[%d] offset %lld is past the end (%lld): "
			       "the partition was recreated or truncated",
			    topic, (int)partition, (long long)offset,
			    (long long)hi);
}

/* The error of a call that timed out at the end of its wait: __INTR when
 * a stop ended it. */
static rd_kafka_resp_err_t timed_out(const struct wait_step *w)
{
	return wait_stopped(w) ? RD_KAFKA_RESP_ERR__INTR :
				 RD_KAFKA_RESP_ERR__TIMED_OUT;
}

/* fn(rk, list, ms) in w's steps while it times out. */
static rd_kafka_resp_err_t
list_in_steps(rd_kafka_resp_err_t (*fn)(rd_kafka_t *,
					rd_kafka_topic_partition_list_t *, int),
	      rd_kafka_t *rk, rd_kafka_topic_partition_list_t *list,
	      int timeout_ms, const struct wait_step *w)
{
	int left = timeout_ms, ms;
	rd_kafka_resp_err_t e;

	while ((ms = wait_next(w, &left)) >= 0)
		if ((e = fn(rk, list, ms)) != RD_KAFKA_RESP_ERR__TIMED_OUT)
			return e;
	return timed_out(w);
}

rd_kafka_resp_err_t kafka_committed(rd_kafka_t *rk,
				    rd_kafka_topic_partition_list_t *list,
				    int timeout_ms, const struct wait_step *w)
{
	return list_in_steps(rd_kafka_committed, rk, list, timeout_ms, w);
}

rd_kafka_resp_err_t kafka_watermarks(rd_kafka_t *rk, const char *topic,
				     int32_t partition, int64_t *lo,
				     int64_t *hi, int timeout_ms,
				     const struct wait_step *w)
{
	int left = timeout_ms, ms;
	rd_kafka_resp_err_t e;

	while ((ms = wait_next(w, &left)) >= 0)
		if ((e = rd_kafka_query_watermark_offsets(rk, topic, partition,
							  lo, hi, ms)) !=
		    RD_KAFKA_RESP_ERR__TIMED_OUT)
			return e;
	return timed_out(w);
}

rd_kafka_resp_err_t kafka_offsets_for_times(rd_kafka_t *rk,
					    rd_kafka_topic_partition_list_t *list,
					    int timeout_ms,
					    const struct wait_step *w)
{
	return list_in_steps(rd_kafka_offsets_for_times, rk, list, timeout_ms,
			     w);
}

int kafka_check_loss(rd_kafka_t *rk, rd_kafka_topic_partition_list_t *list,
		     int timeout_ms, const struct wait_step *w,
		     struct sbuf *report, char *err, size_t errlen)
{
	int i, lost = 0;

	for (i = 0; i < list->cnt; i++) {
		rd_kafka_topic_partition_t *p = &list->elems[i];
		int64_t lo, hi;
		rd_kafka_resp_err_t e;

		if (p->offset < 0)
			continue;
		e = kafka_watermarks(rk, p->topic, p->partition, &lo, &hi,
				     timeout_ms, w);
		if (e) {
			snprintf(err, errlen, "%s[%d]: watermarks: %s", p->topic,
				 (int)p->partition, rd_kafka_err2str(e));
			return -1;
		}
		if (p->offset >= lo && p->offset <= hi)
			continue;
		sbuf_puts(report, lost ? ", " : "");
		kafka_loss_text(report, p->topic, p->partition, p->offset, lo, hi);
		p->offset = lo;
		lost++;
	}
	return lost;
}
