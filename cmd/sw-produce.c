/*
 * sw-produce: NDJSON to Kafka (sw-produce(1)).
 *
 * Each input record becomes one message: its compact JSON (or, per
 * --value-format, the bytes of a string, or the framed Avro datum) as the
 * value, or with --envelope the message a section-2 envelope describes.  Messages are handed to
 * librdkafka's idempotent producer; delivery reports count acknowledged and
 * failed messages (and write --report lines).  The exit status is 0 only
 * when every message was acknowledged.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <librdkafka/rdkafka.h>

#include "avro_msg.h"
#include "avro_valfmt.h"
#include "base64.h"
#include "duration.h"
#include "jpath.h"
#include "kafka_cli.h"
#include "kafka_conf.h"
#include "kafka_envelope.h"
#include "num.h"
#include "sbuf.h"
#include "tool.h"
#include "xalloc.h"

#define MAX_WARN 10
/* Messages handed to librdkafka in one rd_kafka_produce_batch() call:
 * enough that the per-call work (the topic lock, the clock) is spread
 * thin, few enough that the copies stay in cache. */
#define BATCH_MAX 256
#define NO_BYTES SIZE_MAX
/* Kafka's broker default for message.max.bytes, also ours: librdkafka's
 * client default (1000000) would refuse, here, records the broker takes. */
#define MAX_MESSAGE_BYTES "1048588"
/* What librdkafka adds to key and value when it checks a message against
 * message.max.bytes (RD_KAFKAP_MESSAGE_V2_MAX_OVERHEAD: the varints of a
 * v2 record). */
#define MESSAGE_OVERHEAD 36

enum {
	OPT_ENVELOPE = TOOL_OPT_TOOL_BASE,
	OPT_REPORT,
	OPT_TIMEOUT,
};

/* A message waiting in the batch: its bytes are in produce.bbytes, so that
 * the record they came from can be reused. */
struct slot {
	size_t val, val_len; /* offset, or NO_BYTES for a null value */
	size_t key, key_len; /* offset, or NO_BYTES for no key */
	int32_t partition;
	const char *source; /* where the line came from, for errors */
	uint64_t lineno;
};

struct produce {
	struct tool t;
	struct kafka_opts ko;
	struct kafka_envelope_opts eo;
	struct avro_msg_opts ao; /* --value-format avro */
	struct avro_msg *avro;
	struct valfmt_codec codec; /* lent to eo */
	const char *topic;
	int32_t partition;
	struct jpath *key;
	struct kafka_hdr *hdrs; /* -H */
	size_t nhdrs;
	const char *compression;
	int envelope;
	int report;
	int64_t timeout_us;
	int64_t max_bytes; /* message.max.bytes in effect */

	rd_kafka_t *rk;
	rd_kafka_topic_t *rkt; /* -t, looked up once rather than per message */
	struct kafka_reader reader;
	struct sbuf keybuf, valbuf, rep;
	struct json_doc scratch;
	rd_kafka_vu_t *vus;
	size_t vucap;
	struct slot slots[BATCH_MAX];
	rd_kafka_message_t bmsgs[BATCH_MAX];
	size_t nbat, bsent; /* in the batch; of those, handed over */
	struct sbuf bbytes;
	uint64_t attempted, produced, acked, failed;
	unsigned warned;
	rd_kafka_resp_err_t first_err;
	char first_reason[640];
	int fatal;
};

static void usage(int sub)
{
	(void)sub;
	fputs("Usage: ... | sw-produce [-b BROKERS] -t TOPIC [options] [FILE...]\n"
	      "       ... | sw-produce [-b BROKERS] --envelope [-t TOPIC] [options] [FILE...]\n"
	      "\n"
	      "Sends each input record to Kafka as one message, its compact JSON as the\n"
	      "value.  Exits 0 only when every message was acknowledged.  The producer\n"
	      "is idempotent unless -X enable.idempotence=false.\n"
	      "\n",
	      stdout);
}

static const struct tool_opt opts[] = {
	{ "topic", required_argument, 't', "TOPIC",
	  "topic to write to (with --envelope: overrides each\nrecord's topic, which is used when -t is absent)", NULL },
	{ "envelope", no_argument, OPT_ENVELOPE, NULL,
	  "records are envelopes as sw-consume writes them:\ntopic, partition, key, headers, timestamp, value", NULL },
	{ "key", required_argument, 'k', "PATH",
	  "message key from a field (jq program allowed)", NULL },
	{ "partition", required_argument, 'p', "N",
	  "send every message to partition N", NULL },
	{ "header", required_argument, 'H', "NAME=VALUE",
	  "add a header to every message (repeatable)", NULL },
	{ "compression", required_argument, 'z', NULL,
	  "message compression (default none)", kafka_compression_names },
	{ "report", no_argument, OPT_REPORT, NULL,
	  "write, per acknowledged message, its envelope\nwith the assigned partition and offset", NULL },
	{ "timeout", required_argument, OPT_TIMEOUT, "DUR",
	  "reach the cluster, and deliver each message,\nwithin DUR (default 30s)", NULL },
	{ NULL, 0, 0, NULL, NULL, NULL },
};

/* The Avro options of sw-produce's own, beside avro_valfmt_opts. */
static const struct tool_opt avro_opts[] = {
	{ "schema-id", required_argument, AVRO_OPT_SCHEMA_ID, "N",
	  "schema id for confluent framing (default: the\nid of --schema in the registry directory)", NULL },
	{ "framing", required_argument, AVRO_OPT_FRAMING, "FRAMING",
	  "raw, confluent or single-object (default:\nconfluent when a schema id is known, else raw)", AVRO_FRAMINGS_ENCODE },
	{ NULL, 0, 0, NULL, NULL, NULL },
};

static const struct tool_cli cli = {
	.usage = usage,
	.groups = (const struct tool_optgroup[]){
		{ "Options:", opts, 0 },
		{ "", kafka_cli_opts, 0 },
		{ "Avro values (--value-format avro):", avro_valfmt_opts, 0 },
		{ "", avro_opts, 0 },
		{ "Common options:", tool_opts_common, 0 },
		{ "", tool_opts_bad_input, 0 },
		{ "", tool_opts_input, 0 },
		{ NULL, NULL, 0 },
	},
	.operands = "FILE",
};

/* ---- delivery ---- */

static void note_failure(struct produce *p, rd_kafka_resp_err_t e,
			 const char *reason)
{
	p->failed++;
	if (!p->first_err) {
		p->first_err = e;
		snprintf(p->first_reason, sizeof(p->first_reason), "%s", reason);
	}
	if (p->warned < MAX_WARN) {
		p->warned++;
		tool_warn(&p->t, "message not delivered: %s", reason);
	}
}

static void dr_cb(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
	struct produce *p = opaque;
	char err[256];

	(void)rk;
	if (m->err) {
		note_failure(p, m->err, rd_kafka_err2str(m->err));
		return;
	}
	p->acked++;
	if (!p->report)
		return;
	sbuf_reset(&p->rep);
	if (kafka_envelope_write(&p->rep, m, &p->eo, &p->scratch, err,
				 sizeof(err))) {
		/* Only a key that is not valid for --key-format can get
		 * here: report what was sent as base64 instead. */
		struct kafka_envelope_opts o = p->eo;

		o.key_fmt = VALFMT_BASE64;
		o.value_fmt = VALFMT_BASE64;
		sbuf_reset(&p->rep);
		kafka_envelope_write(&p->rep, m, &o, &p->scratch, err,
				     sizeof(err));
	}
	out_put(&p->t.out, p->rep.p, p->rep.len);
	out_end(&p->t.out);
	p->t.records_out++;
}

static void error_cb(rd_kafka_t *rk, int e, const char *reason, void *opaque)
{
	struct produce *p = opaque;

	if (e == RD_KAFKA_RESP_ERR__FATAL) {
		char why[512];

		rd_kafka_fatal_error(rk, why, sizeof(why));
		tool_error(&p->t, "fatal: %s", why);
		p->fatal = 1;
		return;
	}
	tool_info(&p->t, "%s", reason);
}

static void log_cb(const rd_kafka_t *rk, int level, const char *fac,
		   const char *msg)
{
	struct produce *p = rd_kafka_opaque(rk);

	(void)level;
	tool_info(&p->t, "librdkafka: %s: %s", fac, msg);
}

/* ---- building messages ---- */

/* Key bytes from the -k path: a string as its text (or decoded base64),
 * anything else as its compact JSON. */
static int key_from_path(struct produce *p, const struct json_doc *d,
			 const void **key, size_t *len, char *err,
			 size_t errlen)
{
	struct jval v;
	int r = jpath_eval(p->key, d, &v, err, errlen);

	if (r < 0)
		return -1;
	if (r == 0 || v.type == JSON_NULL)
		return 0;
	if (v.type == JSON_STRING && p->eo.key_fmt == VALFMT_STRING &&
	    !memchr(v.p + 1, '\\', v.n - 2)) {
		/* The text between the quotes is the key: no copy, the
		 * message is built before d changes. */
		*key = v.p + 1;
		*len = v.n - 2;
		return 0;
	}
	sbuf_reset(&p->keybuf);
	if (v.type == JSON_STRING && p->eo.key_fmt != VALFMT_JSON) {
		json_unescape(v.p, v.n, &p->keybuf);
		if (p->eo.key_fmt == VALFMT_BASE64) {
			struct sbuf raw = SBUF_INIT;

			if (base64_decode(p->keybuf.p, p->keybuf.len, &raw) < 0) {
				sbuf_free(&raw);
				snprintf(err, errlen, "key: not base64");
				return -1;
			}
			sbuf_free(&p->keybuf);
			p->keybuf = raw;
		}
	} else {
		sbuf_put(&p->keybuf, v.p, v.n);
	}
	*key = p->keybuf.p ? p->keybuf.p : "";
	*len = p->keybuf.len;
	return 0;
}

/* Fills rec from a plain record (the value is the record). */
static int plain_record(struct produce *p, const struct json_doc *d,
			struct kafka_rec *rec, char *err, size_t errlen)
{
	int is_null;

	memset(rec, 0, sizeof(*rec));
	rec->partition = RD_KAFKA_PARTITION_UA;
	if (p->eo.value_fmt == VALFMT_JSON) {
		rec->value = d->text.p;
		rec->value_len = d->text.len;
		return 0;
	}
	sbuf_reset(&p->valbuf);
	if (valfmt_from_json(d, 0, p->eo.value_fmt, p->eo.codec, &p->valbuf,
			     &is_null, err, errlen) < 0)
		return -1;
	if (!is_null) {
		rec->value = p->valbuf.p ? p->valbuf.p : "";
		rec->value_len = p->valbuf.len;
	}
	return 0;
}

static rd_kafka_vu_t *vu(struct produce *p, size_t *n)
{
	if (*n == p->vucap) {
		p->vucap = p->vucap ? 2 * p->vucap : 16;
		p->vus = xrealloc(p->vus, p->vucap * sizeof(*p->vus));
	}
	return &p->vus[(*n)++];
}

static void add_header(struct produce *p, size_t *n, const struct kafka_hdr *h)
{
	rd_kafka_vu_t *u = vu(p, n);

	u->vtype = RD_KAFKA_VTYPE_HEADER;
	/* librdkafka wants a NUL-terminated name: names come from argv or
	 * from the reader's buffer, where the next byte is not part of the
	 * name, so copy. */
	u->u.header.name = xstrndup(h->name, h->name_len);
	u->u.header.val = h->value;
	u->u.header.size = h->value ? (ssize_t)h->value_len : -1;
}

/* Hands one message to librdkafka, waiting while its queue is full.
 * Returns 0, or the error. */
/* Waits a little for room in librdkafka's full queue, serving delivery
 * reports, with a report that is due on time.  Returns -1 when a stop was
 * asked: what is not handed over yet is not sent. */
static int wait_room(struct produce *p)
{
	if (!tool_stop)
		rd_kafka_poll(p->rk, tool_wait_ms(&p->t, 50));
	return tool_stop ? -1 : 0;
}

static rd_kafka_resp_err_t send_message(struct produce *p, const struct kafka_rec *rec)
{
	rd_kafka_error_t *error;
	rd_kafka_resp_err_t e = 0;
	size_t n = 0, i;
	rd_kafka_vu_t *u;

	u = vu(p, &n);
	if (p->rkt) {
		u->vtype = RD_KAFKA_VTYPE_RKT;
		u->u.rkt = p->rkt;
	} else {
		u->vtype = RD_KAFKA_VTYPE_TOPIC;
		u->u.cstr = p->topic ? p->topic : rec->topic;
	}
	u = vu(p, &n);
	u->vtype = RD_KAFKA_VTYPE_PARTITION;
	u->u.i32 = rec->partition != RD_KAFKA_PARTITION_UA ? rec->partition :
							     p->partition;
	u = vu(p, &n);
	u->vtype = RD_KAFKA_VTYPE_VALUE;
	u->u.mem.ptr = (void *)rec->value;
	u->u.mem.size = rec->value_len;
	u = vu(p, &n);
	u->vtype = RD_KAFKA_VTYPE_MSGFLAGS;
	u->u.i = RD_KAFKA_MSG_F_COPY;
	if (rec->key) {
		u = vu(p, &n);
		u->vtype = RD_KAFKA_VTYPE_KEY;
		u->u.mem.ptr = (void *)rec->key;
		u->u.mem.size = rec->key_len;
	}
	if (rec->timestamp > 0) {
		u = vu(p, &n);
		u->vtype = RD_KAFKA_VTYPE_TIMESTAMP;
		u->u.i64 = rec->timestamp;
	}
	for (i = 0; i < p->nhdrs; i++)
		add_header(p, &n, &p->hdrs[i]);
	for (i = 0; i < rec->nhdrs; i++)
		add_header(p, &n, &rec->hdrs[i]);
	for (;;) {
		error = rd_kafka_produceva(p->rk, p->vus, n);
		if (!error)
			break;
		e = rd_kafka_error_code(error);
		rd_kafka_error_destroy(error);
		if (e != RD_KAFKA_RESP_ERR__QUEUE_FULL || wait_room(p) < 0)
			break;
		e = 0;
	}
	for (i = 0; i < n; i++)
		if (p->vus[i].vtype == RD_KAFKA_VTYPE_HEADER)
			free((char *)p->vus[i].u.header.name);
	return e;
}

/* The messages most records become can go out in batches: one topic (-t),
 * no headers, librdkafka's timestamp.  Returns 1 if rec is one. */
static int batchable(const struct produce *p, const struct kafka_rec *rec)
{
	return p->rkt && !p->nhdrs && !rec->nhdrs && rec->timestamp <= 0;
}

static size_t keep_bytes(struct produce *p, const void *b, size_t len)
{
	size_t off = p->bbytes.len;

	if (!b)
		return NO_BYTES;
	sbuf_put(&p->bbytes, b, len);
	return off;
}

static const void *kept(const struct produce *p, size_t off)
{
	if (off == NO_BYTES)
		return NULL;
	/* Empty is not null: nothing kept yet may mean no buffer yet. */
	return p->bbytes.p ? p->bbytes.p + off : "";
}

static void fail_at(struct produce *p, const char *source, uint64_t lineno,
		    rd_kafka_resp_err_t e)
{
	char what[600];

	snprintf(what, sizeof(what), "%s:%llu: %s", source,
		 (unsigned long long)lineno, rd_kafka_err2str(e));
	note_failure(p, e, what);
}

/* Hands the batch to librdkafka, waiting while its queue is full.  Once
 * the queue is full every later message of the call is refused too, so
 * trying again from the first refused one keeps the order.  bsent makes
 * a call from the exit handler, should one come while waiting, go on
 * where this one was rather than send messages twice. */
static void batch_flush(struct produce *p)
{
	rd_kafka_message_t *m = p->bmsgs;
	size_t i, n = p->nbat;

	for (i = 0; i < n; i++) {
		const struct slot *s = &p->slots[i];

		memset(&m[i], 0, sizeof(m[i]));
		m[i].partition = s->partition;
		m[i].payload = (void *)kept(p, s->val);
		m[i].len = s->val == NO_BYTES ? 0 : s->val_len;
		m[i].key = (void *)kept(p, s->key);
		m[i].key_len = s->key == NO_BYTES ? 0 : s->key_len;
	}
	while (p->bsent < n) {
		rd_kafka_produce_batch(p->rkt, RD_KAFKA_PARTITION_UA,
				       RD_KAFKA_MSG_F_COPY |
					       RD_KAFKA_MSG_F_PARTITION,
				       m + p->bsent, (int)(n - p->bsent));
		for (i = p->bsent; i < n; i++) {
			if (m[i].err == RD_KAFKA_RESP_ERR__QUEUE_FULL)
				break;
			if (m[i].err)
				fail_at(p, p->slots[i].source,
					p->slots[i].lineno, m[i].err);
			else
				p->produced++;
		}
		p->bsent = i;
		if (p->bsent < n && wait_room(p) < 0)
			for (; p->bsent < n; p->bsent++)
				fail_at(p, p->slots[p->bsent].source,
					p->slots[p->bsent].lineno,
					RD_KAFKA_RESP_ERR__QUEUE_FULL);
	}
	p->nbat = p->bsent = 0;
	sbuf_reset(&p->bbytes);
	rd_kafka_poll(p->rk, 0);
}

/* Before the input would block, in the middle of a line too: what was
 * read before goes out rather than waiting for the line to end. */
static void batch_on_block(struct tool *t)
{
	batch_flush(t->ctx);
}

static void batch_add(struct produce *p, const struct kafka_rec *rec)
{
	struct slot *s = &p->slots[p->nbat++];

	s->val = keep_bytes(p, rec->value, rec->value_len);
	s->val_len = rec->value_len;
	s->key = keep_bytes(p, rec->key, rec->key_len);
	s->key_len = rec->key_len;
	s->partition = rec->partition != RD_KAFKA_PARTITION_UA ?
			       rec->partition : p->partition;
	s->source = ndjson_source(p->t.in);
	s->lineno = ndjson_lineno(p->t.in);
	if (p->nbat == BATCH_MAX)
		batch_flush(p);
}

/* A record too big for message.max.bytes is bad input: nothing was sent,
 * and no retry would send it. */
static void too_large(struct produce *p, const struct kafka_rec *rec)
{
	tool_bad_record(&p->t,
			"message of %zu bytes (key and value) is over the local limit of %" PRId64
			" (message.max.bytes, with %d bytes of framing); raise it with -X message.max.bytes=N, within the broker's own limit",
			rec->key_len + rec->value_len, p->max_bytes,
			MESSAGE_OVERHEAD);
}

static void produce_all(struct produce *p)
{
	struct json_doc d;
	struct kafka_rec rec;
	char err[512];
	rd_kafka_resp_err_t e;

	json_doc_init(&d);
	while (!p->fatal) {
		/* While the input is quiet, send what is batched and serve
		 * delivery reports, so that neither messages nor --report
		 * lines are held back. */
		if (ndjson_wait(p->t.in, 0) == 0) {
			batch_flush(p);
			while (ndjson_wait(p->t.in, 100) == 0) {
				rd_kafka_poll(p->rk, 0);
				tool_flush(&p->t);
			}
		}
		if (!tool_next_record(&p->t, &d))
			break;
		if (p->envelope ?
			    kafka_envelope_read(&p->reader, &d, &p->eo, &rec,
						err, sizeof(err)) < 0 :
			    plain_record(p, &d, &rec, err, sizeof(err)) < 0) {
			tool_bad_record(&p->t, "%s", err);
			continue;
		}
		if (!p->topic && !rec.topic) {
			tool_bad_record(&p->t, "no topic: the envelope has none and -t is not given");
			continue;
		}
		if (p->key &&
		    key_from_path(p, &d, &rec.key, &rec.key_len, err,
				  sizeof(err)) < 0) {
			tool_bad_record(&p->t, "--key: %s", err);
			continue;
		}
		if ((int64_t)(rec.key_len + rec.value_len) + MESSAGE_OVERHEAD >
		    p->max_bytes) {
			too_large(p, &rec);
			continue;
		}
		p->attempted++;
		tool_tick(&p->t);
		if (batchable(p, &rec)) {
			batch_add(p, &rec);
			continue;
		}
		batch_flush(p); /* keep the order */
		e = send_message(p, &rec);
		if (e == RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE) {
			/* the headers made it too big */
			p->attempted--;
			too_large(p, &rec);
			continue;
		}
		if (e) {
			fail_at(p, ndjson_source(p->t.in),
				ndjson_lineno(p->t.in), e);
			continue;
		}
		p->produced++;
		if ((p->produced & 1023) == 0)
			rd_kafka_poll(p->rk, 0);
	}
	json_doc_free(&d);
}

/* Waits for every message in flight; what is still queued after the
 * delivery timeout (and a grace period) counts as failed. */
static void drain(struct produce *p)
{
	int64_t waited = 0, limit = p->timeout_us / 1000 + 5000;

	batch_flush(p);

	while (rd_kafka_outq_len(p->rk) > 0 && waited < limit && !p->fatal) {
		int ms = tool_wait_ms(&p->t, 100); /* a report on time */

		rd_kafka_poll(p->rk, ms);
		waited += ms;
		tool_flush(&p->t);
	}
	rd_kafka_purge(p->rk, RD_KAFKA_PURGE_F_QUEUE | RD_KAFKA_PURGE_F_INFLIGHT);
	rd_kafka_poll(p->rk, 0);
	/* Purged messages come back through dr_cb as failures; anything
	 * that did not must still be counted. */
	if (p->acked + p->failed < p->attempted)
		p->failed = p->attempted - p->acked;
}

/* ---- setup ---- */

static void stats_fields(struct tool *t, struct stats *s)
{
	struct produce *p = t->ctx;

	stats_counter(s, "produced", p->produced, "Messages handed to librdkafka");
	stats_counter(s, "acked", p->acked, "Messages acknowledged by the brokers");
	stats_counter(s, "failed", p->failed, "Messages that could not be delivered");
	stats_gauge(s, "in_flight",
		    p->acked + p->failed < p->attempted ?
			    (int64_t)(p->attempted - p->acked - p->failed) : 0,
		    "Messages not yet acknowledged or failed");
}

static void make_producer(struct produce *p)
{
	char tmo[32], err[512];
	const char *defaults[] = {
		"enable.idempotence", "true",
		"linger.ms", "10",
		"log_level", p->t.verbose ? "7" : "0",
		"message.timeout.ms", tmo,
		"compression.codec", p->compression ? p->compression : "none",
		"message.max.bytes", MAX_MESSAGE_BYTES,
		/* Java's and kafkajs's partitioner: a key lands on the
		 * partition their producers send it to */
		"partitioner", "murmur2_random",
		NULL,
	};
	const struct rd_kafka_metadata *md;
	rd_kafka_conf_t *conf;
	rd_kafka_resp_err_t e;

	snprintf(tmo, sizeof(tmo), "%" PRId64, p->timeout_us / 1000);
	if (kafka_conf_new(&conf, &p->ko, defaults, err, sizeof(err)) < 0)
		tool_usage_error(&p->t, "%s", err);
	rd_kafka_conf_set_opaque(conf, p);
	rd_kafka_conf_set_dr_msg_cb(conf, dr_cb);
	rd_kafka_conf_set_error_cb(conf, error_cb);
	rd_kafka_conf_set_log_cb(conf, log_cb);
	{
		char v[32];
		size_t vn = sizeof(v);

		if (rd_kafka_conf_get(conf, "message.max.bytes", v, &vn) !=
			    RD_KAFKA_CONF_OK ||
		    num_parse_i64(v, 1, INT32_MAX, &p->max_bytes) < 0)
			p->max_bytes = INT32_MAX;
	}
	p->rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof(err));
	if (!p->rk) {
		rd_kafka_conf_destroy(conf);
		tool_usage_error(&p->t, "%s", err);
	}
	e = kafka_metadata(p->rk, &p->ko, 0, (int)(p->timeout_us / 1000), &md,
			   err, sizeof(err));
	if (e == RD_KAFKA_RESP_ERR__INTR)
		exit(tool_finish(&p->t, SW_EXIT_OK)); /* a stop: nothing read */
	if (e)
		tool_die(&p->t, kafka_err_exit(e), "%s", err);
	rd_kafka_metadata_destroy(md);
	if (p->topic)
		p->rkt = rd_kafka_topic_new(p->rk, p->topic, NULL);
}

static void add_static_header(struct produce *p, const char *arg)
{
	const char *eq = strchr(arg, '=');
	struct kafka_hdr *h;

	if (!eq || eq == arg)
		tool_usage_error(&p->t, "--header: %s: expected NAME=VALUE", arg);
	p->hdrs = xrealloc(p->hdrs, (p->nhdrs + 1) * sizeof(*p->hdrs));
	h = &p->hdrs[p->nhdrs++];
	h->name = arg;
	h->name_len = (size_t)(eq - arg);
	h->value = eq + 1;
	h->value_len = strlen(eq + 1);
}

static void parse_args(struct produce *p, int argc, char **argv)
{
	char err[512];
	int64_t v;
	int opt, avro_opt = 0;

	tool_cli(&p->t, &cli);
	while ((opt = tool_getopt(&p->t, argc, argv)) != -1) {
		if (tool_option(&p->t, opt, optarg))
			continue;
		if (avro_valfmt_option(&p->t, &p->ao, AVRO_FRAMINGS_ENCODE, opt,
				       optarg)) {
			avro_opt = 1;
			continue;
		}
		switch (kafka_cli_option(&p->t, &p->ko, &p->eo, opt, optarg)) {
		case 1:
			continue;
		case 2:
			rd_kafka_conf_properties_show(stdout);
			exit(SW_EXIT_OK);
		}
		switch (opt) {
		case 'H':
			add_static_header(p, optarg);
			break;
		case 'k':
			jpath_free(p->key);
			if (jpath_compile(&p->key, optarg, 0, err, sizeof(err)) < 0)
				tool_usage_error(&p->t, "--key: %s", err);
			break;
		case 'p':
			if (num_parse_i64(optarg, 0, INT32_MAX, &v) < 0)
				tool_usage_error(&p->t, "--partition: %s: expected a partition number",
						 optarg);
			p->partition = (int32_t)v;
			break;
		case 't':
			p->topic = optarg;
			break;
		case 'z':
			if (kafka_compression_check(optarg, err, sizeof(err)) < 0)
				tool_usage_error(&p->t, "--compression: %s", err);
			p->compression = optarg;
			break;
		case OPT_ENVELOPE:
			p->envelope = 1;
			break;
		case OPT_REPORT:
			p->report = 1;
			break;
		case OPT_TIMEOUT: {
			int64_t us;

			if (duration_parse(optarg, &us, err, sizeof(err)) < 0)
				tool_usage_error(&p->t, "--timeout: %s", err);
			if (us < 1000)
				tool_usage_error(&p->t, "--timeout: %s: at least 1ms",
						 optarg);
			p->timeout_us = us;
			break;
		}
		default:
			tool_usage_error(&p->t, "unknown option");
		}
	}
	if (!p->topic && !p->envelope)
		tool_usage_error(&p->t, "no topic: give -t TOPIC (or --envelope)");
	if (avro_opt && p->eo.value_fmt != VALFMT_CODEC)
		tool_usage_error(&p->t, "--schema, --registry, --schema-id, --framing and --json need --value-format avro");
}

/* The Avro encoding context, made before any input is read so that a bad
 * schema file is a usage error.  --report decodes with it too. */
int main(int argc, char **argv)
{
	static struct produce p;
	int code = SW_EXIT_OK;

	tool_init(&p.t, "sw-produce");
	p.t.versions = kafka_version_line();
	p.t.stats_fields = stats_fields;
	p.t.ctx = &p;
	p.t.on_block = batch_on_block;
	p.partition = RD_KAFKA_PARTITION_UA;
	p.eo.key_fmt = VALFMT_STRING;
	p.eo.value_fmt = VALFMT_JSON;
	p.timeout_us = 30000000;
	kafka_reader_init(&p.reader);
	p.ao = (struct avro_msg_opts)AVRO_MSG_OPTS_INIT;
	json_doc_init(&p.scratch);
	parse_args(&p, argc, argv);
	/* A plain JSON value is the record's compact text: no tokens. */
	p.t.text_only = !p.envelope && !p.key && p.eo.value_fmt == VALFMT_JSON;
	if (p.eo.value_fmt == VALFMT_CODEC) {
		avro_valfmt_open(&p.t, &p.ao, 1, &p.avro, &p.codec);
		p.eo.codec = &p.codec;
	}
	tool_open_input(&p.t, argv + optind, argc - optind);
	p.ko.wait = tool_wait_step(&p.t);
	make_producer(&p);

	/* Bad input under --on-error fail and output that failed end the
	 * loop: what was handed over before is still delivered. */
	produce_all(&p);
	drain(&p);
	if (p.failed) {
		tool_error(&p.t, "%" PRIu64 " of %" PRIu64
			   " messages not delivered (first error: %s)",
			   p.failed, p.attempted, p.first_reason);
		code = SW_EXIT_TEMPFAIL;
	} else if (p.fatal) {
		code = SW_EXIT_TEMPFAIL;
	}
	if (p.rkt)
		rd_kafka_topic_destroy(p.rkt);
	rd_kafka_destroy(p.rk);
	kafka_reader_free(&p.reader);
	json_doc_free(&p.scratch);
	jpath_free(p.key);
	avro_msg_free(p.avro);
	sbuf_free(&p.keybuf);
	sbuf_free(&p.valbuf);
	sbuf_free(&p.rep);
	sbuf_free(&p.bbytes);
	free(p.vus);
	free(p.hdrs);
	kafka_opts_free(&p.ko);
	return tool_finish(&p.t, code);
}
