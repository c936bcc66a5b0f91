/*
 * sw-consume: Kafka to NDJSON (sw-consume(1); the envelope: sw(7)).
 *
 * One KafkaConsumer handle serves every mode: simple mode assigns the
 * partitions itself, group mode (-G) subscribes and assigns in the
 * rebalance callback; both resolve start offsets the same way (resume
 * file, then committed offset, then -o) and check them for data loss.
 * Messages come in batches from the consumer queue; each is written as an
 * envelope into the output buffer.  In group mode an offset is stored only
 * after the output holding its record has been written (store-after-write),
 * and librdkafka's auto-commit commits stored offsets every
 * --commit-interval; the last commit happens at exit.
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
#include "duration.h"
#include "kafka_cli.h"
#include "kafka_conf.h"
#include "kafka_envelope.h"
#include "kafka_offset.h"
#include "num.h"
#include "sbuf.h"
#include "tool.h"
#include "xalloc.h"

#define BATCH 4096
#define POLL_MS 100

enum {
	OPT_COMMIT_INTERVAL = TOOL_OPT_TOOL_BASE,
	OPT_ON_DATA_LOSS,
	OPT_RESUME,
	OPT_TIMEOUT,
	OPT_VALUE_ONLY,
};

/* Per assigned partition. */
struct part {
	char *topic;
	int32_t partition;
	int from_stored; /* started at a committed or resumed offset */
	int eof;         /* reached the end (-e) */
	int ended;       /* reached e@ (paused) */
	int64_t skip_before_ms; /* s@ by scanning: drop older messages */
	int64_t start;   /* the offset it was assigned at */
	int64_t reset_to; /* >= 0: restart here after the batch */
	uint64_t seen;
};

struct consume {
	struct tool t;
	struct kafka_opts ko;
	struct kafka_envelope_opts eo;
	struct avro_msg_opts ao; /* --value-format avro */
	struct avro_msg *avro;
	struct valfmt_codec codec; /* lent to eo */
	const char **topics;
	size_t ntopics;
	int32_t partition; /* -1: all */
	struct kafka_offspec start;
	int64_t end_ms;    /* -1: none */
	int exit_eof;
	uint64_t count;    /* 0: no limit */
	const char *group;
	int list;
	const char *resume_path;
	rd_kafka_topic_partition_list_t *resume;
	int64_t commit_interval_us;
	int loss_warn;
	int64_t timeout_us;

	rd_kafka_t *rk;
	struct part *parts;
	size_t nparts;
	size_t last; /* cache for find_part */
	struct json_doc scratch;
	struct sbuf rec;
	int done;
	int code;
	int resets; /* some part has reset_to set */
	uint64_t lost;
};

static void usage(int sub)
{
	(void)sub;
	fputs("Usage: sw-consume [-b BROKERS] -t TOPIC [-t TOPIC...] [options]\n"
	      "       sw-consume [-b BROKERS] -G GROUP TOPIC... [options]\n"
	      "       sw-consume [-b BROKERS] -L [-t TOPIC] [-G GROUP]\n"
	      "\n"
	      "Reads Kafka messages and writes one JSON envelope per message:\n"
	      "{\"topic\",\"partition\",\"offset\",\"timestamp\",\"timestamp_type\",\"key\",\n"
	      "\"headers\",\"value\"}.\n"
	      "\n",
	      stdout);
}

static const struct tool_opt opts[] = {
	{ "topic", required_argument, 't', "TOPIC",
	  "topic to read (repeatable; also as arguments)", NULL },
	{ "partition", required_argument, 'p', "N",
	  "only partition N (not with -G)", NULL },
	{ "offset", required_argument, 'o', "OFFSET",
	  "start: beginning (default), end, stored, N, -N (N\nbefore the end), s@MS or @TIME (first message at\nor after); stop: e@MS (before the first message at\nor after); with -G, for partitions without a\ncommitted offset", NULL },
	{ "exit", no_argument, 'e', NULL,
	  "exit once every assigned partition reached its end", NULL },
	{ "count", required_argument, 'c', "N",
	  "exit after N messages", NULL },
	{ "group", required_argument, 'G', "GROUP",
	  "consume as a member of consumer group GROUP;\noffsets of written records are committed", NULL },
	{ "commit-interval", required_argument, OPT_COMMIT_INTERVAL, "DUR",
	  "commit at least this often (default 5s)", NULL },
	{ "list", no_argument, 'L', NULL,
	  "list partitions: topic, partition, leader, low,\nhigh (with -G also committed and lag)", NULL },
	{ "resume", required_argument, OPT_RESUME, "FILE",
	  "start partitions named in checkpoint FILE\n({\"offsets\":{TOPIC:{PARTITION:OFFSET}}}) there", NULL },
	{ "on-data-loss", required_argument, OPT_ON_DATA_LOSS, NULL,
	  "a start offset below the earliest retained\none or past the end: exit 65 (default), or warn\nand go on from the earliest", TOOL_VALUES("fail", "warn") },
	{ "value-only", no_argument, OPT_VALUE_ONLY, NULL,
	  "write only the value", NULL },
	{ "timeout", required_argument, OPT_TIMEOUT, "DUR",
	  "give up when the cluster cannot be reached within\nDUR (default 10s): exit 69", NULL },
	{ NULL, 0, 0, NULL, NULL, NULL },
};

/* The Avro options of sw-consume's own, beside avro_valfmt_opts. */
static const struct tool_opt avro_opts[] = {
	{ "reader-schema", required_argument, AVRO_OPT_READER_SCHEMA, "FILE",
	  "resolve every Avro value to this schema", NULL },
	{ "framing", required_argument, AVRO_OPT_FRAMING, "FRAMING",
	  "auto (default: by the first bytes), raw,\nconfluent or single-object", AVRO_FRAMINGS_DECODE },
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
		{ NULL, NULL, 0 },
	},
	/* The operands are topics (-G GROUP TOPIC...): nothing to
	 * complete. */
};

/* ---- partitions ---- */

static struct part *find_part(struct consume *c, const char *topic,
			      int32_t partition)
{
	size_t i;

	if (c->last < c->nparts && c->parts[c->last].partition == partition &&
	    !strcmp(c->parts[c->last].topic, topic))
		return &c->parts[c->last];
	for (i = 0; i < c->nparts; i++) {
		if (c->parts[i].partition == partition &&
		    !strcmp(c->parts[i].topic, topic)) {
			c->last = i;
			return &c->parts[i];
		}
	}
	return NULL;
}

static void clear_parts(struct consume *c)
{
	size_t i;

	for (i = 0; i < c->nparts; i++)
		free(c->parts[i].topic);
	free(c->parts);
	c->parts = NULL;
	c->nparts = 0;
}

/* Whether every assigned partition is finished (-e or e@). */
static int all_finished(const struct consume *c)
{
	size_t i;

	if (c->nparts == 0)
		return 0;
	for (i = 0; i < c->nparts; i++) {
		const struct part *p = &c->parts[i];

		if (!p->ended && !(c->exit_eof && p->eof))
			return 0;
	}
	return 1;
}

/* ---- start offsets ---- */

static int timeout_ms(const struct consume *c)
{
	return (int)(c->timeout_us / 1000);
}

static void flush_and_commit(struct consume *c);

/* Resolves start offsets for the partitions in l (resume file, committed
 * offset in group mode, else -o), checks them for data loss and records
 * the partitions.  Returns 0, or -1 after reporting an error (c->code). */
static int prepare_assignment(struct consume *c,
			      rd_kafka_topic_partition_list_t *l)
{
	rd_kafka_topic_partition_list_t *committed = NULL, *spec, *check;
	struct kafka_start *st;
	struct sbuf report = SBUF_INIT;
	char err[512];
	int i, lost, rc = -1;

	if (c->group || c->start.kind == KAFKA_OFF_STORED) {
		rd_kafka_resp_err_t e;

		committed = rd_kafka_topic_partition_list_copy(l);
		e = kafka_committed(c->rk, committed, timeout_ms(c), &c->ko.wait);
		if (e == RD_KAFKA_RESP_ERR__INTR)
			goto out; /* a stop */
		if (e) {
			tool_error(&c->t, "committed offsets of group %s: %s",
				   c->group, rd_kafka_err2str(e));
			c->code = kafka_err_exit(e);
			goto out;
		}
	}
	spec = rd_kafka_topic_partition_list_copy(l);
	kafka_offspec_apply(c->rk, &c->start, spec, timeout_ms(c), &c->ko.wait);
	check = rd_kafka_topic_partition_list_new(l->cnt);
	st = xcalloc((size_t)l->cnt + 1, sizeof(*st));
	kafka_start_resolve(l, c->resume, committed, spec, st, check);
	rd_kafka_topic_partition_list_destroy(spec);
	clear_parts(c);
	c->parts = xcalloc((size_t)l->cnt + 1, sizeof(*c->parts));
	for (i = 0; i < l->cnt; i++) {
		struct part *pt = &c->parts[c->nparts++];

		pt->topic = xstrdup(l->elems[i].topic);
		pt->partition = l->elems[i].partition;
		pt->from_stored = st[i].from_stored;
		pt->skip_before_ms = st[i].scan ? c->start.v : -1;
		pt->start = st[i].offset;
		pt->reset_to = -1;
	}
	free(st);
	lost = kafka_check_loss(c->rk, check, timeout_ms(c), &c->ko.wait,
				&report, err, sizeof(err));
	if (lost < 0 && tool_stop) {
		/* nothing to say: the run ends */
	} else if (lost < 0) {
		tool_error(&c->t, "%s", err);
		c->code = SW_EXIT_UNAVAILABLE;
	} else if (lost > 0 && !c->loss_warn) {
		tool_error(&c->t,
			   "data loss: %s (use --on-data-loss warn to continue from the earliest)",
			   report.p);
		c->code = SW_EXIT_DATAERR;
		c->lost += (uint64_t)lost;
	} else {
		if (lost > 0) {
			tool_warn(&c->t,
				  "data loss: %s; continuing from the earliest",
				  report.p);
			c->lost += (uint64_t)lost;
		}
		/* Where the loss moved them to. */
		kafka_offsets_copy(l, check);
		for (i = 0; i < l->cnt; i++)
			c->parts[i].start = l->elems[i].offset;
		rc = 0;
	}
	rd_kafka_topic_partition_list_destroy(check);
out:
	if (committed)
		rd_kafka_topic_partition_list_destroy(committed);
	sbuf_free(&report);
	return rc;
}

static void rebalance_cb(rd_kafka_t *rk, rd_kafka_resp_err_t e,
			 rd_kafka_topic_partition_list_t *l, void *opaque)
{
	struct consume *c = opaque;

	if (e == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
		if (c->done || prepare_assignment(c, l) < 0) {
			c->done = 1;
			rd_kafka_assign(rk, NULL);
			return;
		}
		tool_info(&c->t, "assigned %d partition(s)", l->cnt);
		rd_kafka_assign(rk, l);
	} else {
		/* Everything written is stored already: commit it before the
		 * partitions go to another member, also when this member is
		 * done (at close): the final commit before the close may have
		 * met a rebalance, and what was written must not be read
		 * again by the next owner. */
		flush_and_commit(c);
		clear_parts(c);
		rd_kafka_assign(rk, NULL);
	}
}

/* ---- output and offsets ---- */

/* Stores the offsets of msgs[0..n) (all written), the last per partition
 * being enough. */
static void store_offsets(struct consume *c, rd_kafka_message_t **msgs,
			  size_t n)
{
	size_t i;

	if (!c->group)
		return;
	for (i = 0; i < n; i++) {
		rd_kafka_message_t *m = msgs[i];

		if (!m || m->err)
			continue;
		if (i + 1 < n && msgs[i + 1] && !msgs[i + 1]->err &&
		    msgs[i + 1]->rkt == m->rkt &&
		    msgs[i + 1]->partition == m->partition)
			continue;
		rd_kafka_offset_store(m->rkt, m->partition, m->offset);
	}
}

/* Writes out the buffer.  Returns 0, or -1 when output failed (c->done
 * is then set: a reader that went away ends the run quietly). */
static int flush_out(struct consume *c)
{
	if (tool_flush(&c->t) == 0)
		return 0;
	c->done = 1;
	return -1;
}

static void flush_and_commit(struct consume *c)
{
	rd_kafka_resp_err_t e;

	flush_out(c);
	if (!c->group)
		return;
	e = rd_kafka_commit(c->rk, NULL, 0);
	if (e && e != RD_KAFKA_RESP_ERR__NO_OFFSET)
		tool_warn(&c->t, "commit: %s", rd_kafka_err2str(e));
}

/* A message whose key, value or header cannot be written.  Under
 * --on-error fail it ends the run (c->done) before the message: what was
 * written before it is committed on the way out. */
static void bad_message(struct consume *c, const rd_kafka_message_t *m,
			int part, const char *why)
{
	const char *topic = rd_kafka_topic_name(m->rkt);
	char source[300];
	const char *what = part == KAFKA_ENV_KEY ? "key" :
			   part == KAFKA_ENV_VALUE ? "value" : "headers";
	int fmt = part == KAFKA_ENV_KEY ? c->eo.key_fmt : c->eo.value_fmt;
	const char *raw = part == KAFKA_ENV_KEY ? m->key : m->payload;
	size_t rawlen = part == KAFKA_ENV_KEY ? m->key_len : m->len;

	snprintf(source, sizeof(source), "%s/%d", topic, (int)m->partition);
	tool_bad_input(&c->t, source, (uint64_t)m->offset, raw ? raw : "",
		       raw ? rawlen : 0,
		       "%s: %s (topic %s, partition %d, offset %" PRId64 ")%s",
		       what, why, topic, (int)m->partition, m->offset,
		       part == KAFKA_ENV_HEADER ? "" :
		       fmt == VALFMT_JSON ?
			       part == KAFKA_ENV_KEY ?
			       "; try --key-format string" :
			       "; try --value-format string" :
			       "");
	if (tool_ended(&c->t))
		c->done = 1;
}

/* The schema registry an Avro value needs failed: not the message's
 * fault, so no skipping it; stop with what was written committed. */
static void registry_failed(struct consume *c, const rd_kafka_message_t *m,
			    int part, const char *why)
{
	tool_error(&c->t, "value: %s (topic %s, partition %d, offset %" PRId64
		   ")", why, rd_kafka_topic_name(m->rkt), (int)m->partition,
		   m->offset);
	c->code = part == KAFKA_ENV_UNAVAIL ? SW_EXIT_UNAVAILABLE :
					      SW_EXIT_IOERR;
	c->done = 1;
}

/* Out-of-range fetch (auto.offset.reset=error): retention deleted what we
 * were about to read, or an explicit offset lies outside the log. */
static void offset_reset(struct consume *c, rd_kafka_message_t *m)
{
	const char *topic = rd_kafka_topic_name(m->rkt);
	struct part *p = find_part(c, topic, m->partition);
	int64_t lo = 0, hi = 0, to;
	rd_kafka_resp_err_t e;

	e = kafka_watermarks(c->rk, topic, m->partition, &lo, &hi,
			     timeout_ms(c), &c->ko.wait);
	if (e == RD_KAFKA_RESP_ERR__INTR) { /* a stop */
		c->done = 1;
		return;
	}
	if (e) {
		tool_error(&c->t, "%s[%d]: %s", topic, (int)m->partition,
			   rd_kafka_err2str(e));
		c->code = SW_EXIT_UNAVAILABLE;
		c->done = 1;
		return;
	}
	if (kafka_out_of_range(m->offset, lo, hi,
			       p && (p->from_stored || p->seen), &to)) {
		struct sbuf what = SBUF_INIT;

		kafka_loss_text(&what, topic, m->partition, m->offset, lo, hi);
		c->lost++;
		if (!c->loss_warn) {
			tool_error(&c->t, "data loss: %s (use --on-data-loss warn "
					  "to continue from the earliest)", what.p);
			sbuf_free(&what);
			c->code = SW_EXIT_DATAERR;
			c->done = 1;
			return;
		}
		tool_warn(&c->t, "data loss: %s; continuing from the earliest",
			  what.p);
		sbuf_free(&what);
	} else {
		tool_info(&c->t, "%s[%d]: offset %" PRId64
			  " out of range %" PRId64 "-%" PRId64 ", using %" PRId64,
			  topic, (int)m->partition, m->offset, lo, hi, to);
	}
	/* The partition stopped fetching (auto.offset.reset=error) and
	 * cannot be seeked: it is assigned again after this batch. */
	if (p) {
		p->reset_to = to;
		c->resets = 1;
	}
}

/* Assigns again, every partition at its position and reset ones at their
 * new start. */
static void apply_resets(struct consume *c)
{
	rd_kafka_topic_partition_list_t *l = NULL;
	rd_kafka_resp_err_t e;
	int i;

	c->resets = 0;
	e = rd_kafka_assignment(c->rk, &l);
	if (!e)
		e = rd_kafka_position(c->rk, l);
	for (i = 0; !e && i < l->cnt; i++) {
		rd_kafka_topic_partition_t *t = &l->elems[i];
		struct part *p = find_part(c, t->topic, t->partition);

		if (!p)
			continue;
		if (p->reset_to >= 0) {
			t->offset = p->start = p->reset_to;
			p->reset_to = -1;
		} else if (t->offset < 0) {
			t->offset = p->start;
		}
	}
	if (!e)
		e = rd_kafka_assign(c->rk, l);
	if (e) {
		tool_error(&c->t, "assign: %s", rd_kafka_err2str(e));
		c->code = SW_EXIT_FAIL;
		c->done = 1;
	}
	if (l)
		rd_kafka_topic_partition_list_destroy(l);
}

static void pause_one(struct consume *c, const rd_kafka_message_t *m)
{
	rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(1);

	rd_kafka_topic_partition_list_add(l, rd_kafka_topic_name(m->rkt),
					  m->partition);
	rd_kafka_pause_partitions(c->rk, l);
	rd_kafka_topic_partition_list_destroy(l);
}

/* Handles an event that is not a record. */
static void event(struct consume *c, rd_kafka_message_t *m)
{
	struct part *p;

	switch (m->err) {
	case RD_KAFKA_RESP_ERR__PARTITION_EOF:
		p = find_part(c, rd_kafka_topic_name(m->rkt), m->partition);
		if (p)
			p->eof = 1;
		if (c->exit_eof && all_finished(c))
			c->done = 1;
		return;
	case RD_KAFKA_RESP_ERR__AUTO_OFFSET_RESET:
		offset_reset(c, m);
		return;
	case RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC:
	case RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART:
	case RD_KAFKA_RESP_ERR_TOPIC_AUTHORIZATION_FAILED:
	case RD_KAFKA_RESP_ERR_GROUP_AUTHORIZATION_FAILED:
		tool_error(&c->t, "%s", rd_kafka_message_errstr(m));
		c->code = SW_EXIT_FAIL;
		c->done = 1;
		return;
	default:
		if (rd_kafka_fatal_error(c->rk, NULL, 0)) {
			tool_error(&c->t, "fatal: %s", rd_kafka_message_errstr(m));
			c->code = SW_EXIT_FAIL;
			c->done = 1;
			return;
		}
		tool_info(&c->t, "%s", rd_kafka_message_errstr(m));
	}
}

/* Filters for s@ (scan) and e@.  Returns 1 when m is to be written, 0 when
 * it is skipped (older than s@: done with), -1 when it is at or after e@
 * (not consumed: its offset must not be committed). */
static int wanted(struct consume *c, rd_kafka_message_t *m)
{
	struct part *p;
	int64_t ts;

	if (c->end_ms < 0 && c->start.kind != KAFKA_OFF_TIME && !c->exit_eof)
		return 1;
	p = find_part(c, rd_kafka_topic_name(m->rkt), m->partition);
	if (!p)
		return 1;
	p->eof = 0;
	p->seen++;
	if (p->ended)
		return -1;
	ts = rd_kafka_message_timestamp(m, NULL);
	if (c->end_ms >= 0 && ts >= c->end_ms) {
		p->ended = 1;
		pause_one(c, m);
		if (all_finished(c))
			c->done = 1;
		return -1;
	}
	if (p->skip_before_ms >= 0) {
		if (ts < p->skip_before_ms)
			return 0;
		p->skip_before_ms = -1;
	}
	return 1;
}

/* Writes the records of msgs[0..n); stores offsets of what reached the
 * output. */
static void handle_batch(struct consume *c, rd_kafka_message_t **msgs,
			 size_t n)
{
	struct out *o = &c->t.out;
	size_t i, written = 0; /* msgs[0..written) are out and stored */
	char err[512];
	int part;

	for (i = 0; i < n && !c->done; i++) {
		rd_kafka_message_t *m = msgs[i];

		if (m->err) {
			event(c, m);
			continue;
		}
		c->t.records_in++;
		switch (wanted(c, m)) {
		case -1:
			rd_kafka_message_destroy(m);
			msgs[i] = NULL;
			continue;
		case 0:
			continue;
		}
		sbuf_reset(&c->rec);
		part = kafka_envelope_write(&c->rec, m, &c->eo, &c->scratch,
					    err, sizeof(err));
		if (part) {
			/* A message that ends the run is not stored: the
			 * offsets stored below stop before it. */
			if (part >= KAFKA_ENV_UNAVAIL)
				registry_failed(c, m, part, err);
			else
				bad_message(c, m, part, err);
			if (c->done)
				break;
			continue;
		}
		/* Flush before the buffer would spill, so that what is out
		 * is known exactly at record boundaries. */
		if (o->cap - o->len <= c->rec.len) {
			if (flush_out(c) < 0)
				break;
			store_offsets(c, msgs + written, i - written);
			written = i;
		}
		out_put(o, c->rec.p, c->rec.len);
		out_end(o);
		if (o->unbuffered) {
			if (o->err) {
				flush_out(c);
				break;
			}
			store_offsets(c, msgs + written, i + 1 - written);
			written = i + 1;
		}
		c->t.records_out++;
		tool_tick(&c->t);
		if (c->count && c->t.records_out >= c->count) {
			i++;
			c->done = 1;
			break;
		}
	}
	if (flush_out(c) == 0)
		store_offsets(c, msgs + written, i - written);
}

static void run(struct consume *c)
{
	rd_kafka_queue_t *q = rd_kafka_queue_get_consumer(c->rk);
	rd_kafka_message_t **msgs = xmalloc(BATCH * sizeof(*msgs));
	ssize_t n, i;

	while (!c->done && !tool_stop) {
		n = rd_kafka_consume_batch_queue(q, tool_wait_ms(&c->t, POLL_MS),
						 msgs, BATCH);
		if (n < 0) {
			tool_error(&c->t, "consume: %s",
				   rd_kafka_err2str(rd_kafka_last_error()));
			c->code = SW_EXIT_FAIL;
			break;
		}
		handle_batch(c, msgs, (size_t)n);
		for (i = 0; i < n; i++)
			if (msgs[i])
				rd_kafka_message_destroy(msgs[i]);
		/* An idle topic writes nothing, so a reader that went away
		 * would never be noticed by a write.  What is still buffered
		 * is dropped unwritten, and so is never committed. */
		if (n == 0 && out_reader_gone(&c->t.out))
			c->done = 1;
		if (c->resets && !c->done)
			apply_resets(c);
	}
	free(msgs);
	rd_kafka_queue_destroy(q);
}

/* ---- setup ---- */

static void log_cb(const rd_kafka_t *rk, int level, const char *fac,
		   const char *msg)
{
	struct consume *c = rd_kafka_opaque(rk);

	(void)level;
	tool_info(&c->t, "librdkafka: %s: %s", fac, msg);
}

static void error_cb(rd_kafka_t *rk, int e, const char *reason, void *opaque)
{
	struct consume *c = opaque;

	if (e == RD_KAFKA_RESP_ERR__FATAL) {
		char why[512];

		rd_kafka_fatal_error(rk, why, sizeof(why));
		tool_error(&c->t, "fatal: %s", why);
		c->code = SW_EXIT_FAIL;
		c->done = 1;
		return;
	}
	tool_info(&c->t, "%s", reason);
}

static void make_consumer(struct consume *c)
{
	char interval[32], err[512];
	const char *defaults[] = {
		"enable.auto.offset.store", "false",
		"enable.partition.eof", "true",
		"auto.offset.reset", "error",
		"auto.commit.interval.ms", interval,
		"enable.auto.commit", c->group ? "true" : "false",
		"queued.min.messages", "200000",
		"fetch.wait.max.ms", "100",
		/* A member that died is noticed in 10s, not Kafka's 45s. */
		"session.timeout.ms", "10000",
		"heartbeat.interval.ms", "1000",
		"log_level", c->t.verbose ? "7" : "0",
		"group.id", "sw-consume",
		NULL,
	};
	rd_kafka_conf_t *conf;

	snprintf(interval, sizeof(interval), "%" PRId64,
		 c->commit_interval_us / 1000 > 0 ? c->commit_interval_us / 1000 : 1);
	if (kafka_conf_new(&conf, &c->ko, defaults, err, sizeof(err)) < 0)
		tool_usage_error(&c->t, "%s", err);
	/* Simple mode needs a group.id too (assign() refuses without one),
	 * but never joins or commits. */
	if (c->group &&
	    rd_kafka_conf_set(conf, "group.id", c->group, err, sizeof(err)))
		tool_usage_error(&c->t, "-G: %s", err);
	rd_kafka_conf_set_opaque(conf, c);
	rd_kafka_conf_set_log_cb(conf, log_cb);
	rd_kafka_conf_set_error_cb(conf, error_cb);
	if (c->group)
		rd_kafka_conf_set_rebalance_cb(conf, rebalance_cb);
	c->rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof(err));
	if (!c->rk) {
		rd_kafka_conf_destroy(conf);
		tool_usage_error(&c->t, "%s", err);
	}
	rd_kafka_poll_set_consumer(c->rk);
}

/* Metadata of the whole cluster, or exit 69. */
static const struct rd_kafka_metadata *metadata(struct consume *c)
{
	const struct rd_kafka_metadata *md;
	char err[512];
	rd_kafka_resp_err_t e;

	e = kafka_metadata(c->rk, &c->ko, 1, timeout_ms(c), &md, err,
			   sizeof(err));
	if (e == RD_KAFKA_RESP_ERR__INTR)
		exit(tool_finish(&c->t, SW_EXIT_OK)); /* a stop */
	if (e)
		tool_die(&c->t, kafka_err_exit(e), "%s", err);
	return md;
}

static const struct rd_kafka_metadata_topic *
find_topic(const struct rd_kafka_metadata *md, const char *name)
{
	int i;

	for (i = 0; i < md->topic_cnt; i++)
		if (!strcmp(md->topics[i].topic, name))
			return &md->topics[i];
	return NULL;
}

static int cmp_topic(const void *a, const void *b)
{
	const struct rd_kafka_metadata_topic *x = a, *y = b;

	return strcmp(x->topic, y->topic);
}

static int cmp_part(const void *a, const void *b)
{
	const struct rd_kafka_metadata_partition *x = a, *y = b;

	return (x->id > y->id) - (x->id < y->id);
}

static int want_topic(const struct consume *c, const char *name)
{
	size_t i;

	if (c->ntopics == 0)
		return 1;
	for (i = 0; i < c->ntopics; i++)
		if (!strcmp(c->topics[i], name))
			return 1;
	return 0;
}

/* -L: one line per partition. */
static void list_partitions(struct consume *c)
{
	const struct rd_kafka_metadata *md = metadata(c);
	struct rd_kafka_metadata_topic *topics;
	rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(16);
	struct sbuf b = SBUF_INIT;
	size_t i;
	int j, k = 0;

	for (i = 0; i < c->ntopics; i++)
		if (!find_topic(md, c->topics[i]))
			tool_die(&c->t, SW_EXIT_FAIL, "%s: no such topic",
				 c->topics[i]);
	topics = xmalloc(((size_t)md->topic_cnt + 1) * sizeof(*topics));
	memcpy(topics, md->topics, (size_t)md->topic_cnt * sizeof(*topics));
	qsort(topics, (size_t)md->topic_cnt, sizeof(*topics), cmp_topic);
	for (j = 0; j < md->topic_cnt; j++) {
		if (!want_topic(c, topics[j].topic))
			continue;
		qsort(topics[j].partitions, (size_t)topics[j].partition_cnt,
		      sizeof(*topics[j].partitions), cmp_part);
		for (k = 0; k < topics[j].partition_cnt; k++)
			rd_kafka_topic_partition_list_add(
				l, topics[j].topic, topics[j].partitions[k].id);
	}
	if (c->group) {
		rd_kafka_resp_err_t e = kafka_committed(c->rk, l, timeout_ms(c),
							&c->ko.wait);
		if (e == RD_KAFKA_RESP_ERR__INTR)
			exit(tool_finish(&c->t, SW_EXIT_OK)); /* a stop */
		if (e)
			tool_die(&c->t, kafka_err_exit(e),
				 "committed offsets of group %s: %s", c->group,
				 rd_kafka_err2str(e));
	}
	for (j = 0, k = 0; j < l->cnt; j++) {
		rd_kafka_topic_partition_t *p = &l->elems[j];
		const struct rd_kafka_metadata_topic *mt = find_topic(md, p->topic);
		int64_t lo, hi;
		int32_t leader = -1;
		rd_kafka_resp_err_t e;
		int x;

		for (x = 0; x < mt->partition_cnt; x++)
			if (mt->partitions[x].id == p->partition)
				leader = mt->partitions[x].leader;
		e = kafka_watermarks(c->rk, p->topic, p->partition, &lo, &hi,
				     timeout_ms(c), &c->ko.wait);
		if (e == RD_KAFKA_RESP_ERR__INTR)
			exit(tool_finish(&c->t, SW_EXIT_OK)); /* a stop */
		if (e)
			tool_die(&c->t, kafka_err_exit(e), "%s[%d]: %s",
				 p->topic, (int)p->partition,
				 rd_kafka_err2str(e));
		sbuf_reset(&b);
		sbuf_puts(&b, "{\"topic\":");
		sbuf_put_jstr(&b, p->topic, strlen(p->topic));
		sbuf_printf(&b, ",\"partition\":%d,\"leader\":%d,\"low\":%" PRId64
			    ",\"high\":%" PRId64, (int)p->partition, (int)leader,
			    lo, hi);
		if (c->group) {
			if (p->offset >= 0)
				sbuf_printf(&b, ",\"committed\":%" PRId64
					    ",\"lag\":%" PRId64, p->offset,
					    hi - p->offset > 0 ? hi - p->offset : 0);
			else
				sbuf_puts(&b, ",\"committed\":null,\"lag\":null");
		}
		sbuf_putc(&b, '}');
		out_put(&c->t.out, b.p, b.len);
		out_end(&c->t.out);
		c->t.records_out++;
	}
	sbuf_free(&b);
	free(topics);
	rd_kafka_topic_partition_list_destroy(l);
	rd_kafka_metadata_destroy(md);
}

/* Simple mode: assign every partition of the topics (or -p). */
static void assign_all(struct consume *c)
{
	const struct rd_kafka_metadata *md = metadata(c);
	rd_kafka_topic_partition_list_t *l = rd_kafka_topic_partition_list_new(16);
	size_t i;
	int k;

	for (i = 0; i < c->ntopics; i++) {
		const struct rd_kafka_metadata_topic *mt =
			find_topic(md, c->topics[i]);
		int found = 0;

		if (!mt || mt->err == RD_KAFKA_RESP_ERR_UNKNOWN_TOPIC_OR_PART)
			tool_die(&c->t, SW_EXIT_FAIL, "%s: no such topic",
				 c->topics[i]);
		for (k = 0; k < mt->partition_cnt; k++) {
			if (c->partition >= 0 &&
			    mt->partitions[k].id != c->partition)
				continue;
			rd_kafka_topic_partition_list_add(l, mt->topic,
							  mt->partitions[k].id);
			found = 1;
		}
		if (!found)
			tool_die(&c->t, SW_EXIT_FAIL, "%s: no partition %d",
				 mt->topic, (int)c->partition);
	}
	rd_kafka_metadata_destroy(md);
	rd_kafka_topic_partition_list_sort(l, NULL, NULL);
	if (prepare_assignment(c, l) == 0) {
		rd_kafka_resp_err_t e = rd_kafka_assign(c->rk, l);

		if (e) {
			tool_error(&c->t, "assign: %s", rd_kafka_err2str(e));
			c->code = SW_EXIT_FAIL;
		}
	}
	if (c->code)
		c->done = 1;
	rd_kafka_topic_partition_list_destroy(l);
}

static void subscribe(struct consume *c)
{
	rd_kafka_topic_partition_list_t *l =
		rd_kafka_topic_partition_list_new((int)c->ntopics);
	rd_kafka_resp_err_t e;
	size_t i;

	rd_kafka_metadata_destroy(metadata(c));
	for (i = 0; i < c->ntopics; i++)
		rd_kafka_topic_partition_list_add(l, c->topics[i],
						  RD_KAFKA_PARTITION_UA);
	e = rd_kafka_subscribe(c->rk, l);
	rd_kafka_topic_partition_list_destroy(l);
	if (e)
		tool_die(&c->t, SW_EXIT_FAIL, "subscribe: %s",
			 rd_kafka_err2str(e));
}

static void add_topic(struct consume *c, const char *name)
{
	c->topics = xrealloc(c->topics, (c->ntopics + 1) * sizeof(*c->topics));
	c->topics[c->ntopics++] = name;
}

static int64_t parse_dur(struct consume *c, const char *opt, const char *s)
{
	char err[200];
	int64_t us;

	if (duration_parse(s, &us, err, sizeof(err)) < 0)
		tool_usage_error(&c->t, "%s: %s", opt, err);
	return us;
}

/* Lag of every assigned partition: the high watermark the last fetch
 * brought (no request to the cluster) less the position reached. */
static void lag_fields(struct consume *c, struct stats *s)
{
	rd_kafka_topic_partition_list_t *l;
	int64_t total = 0, lo, hi;
	size_t i;

	l = rd_kafka_topic_partition_list_new(c->nparts ? (int)c->nparts : 1);
	for (i = 0; i < c->nparts; i++)
		rd_kafka_topic_partition_list_add(l, c->parts[i].topic,
						  c->parts[i].partition);
	if (c->nparts && rd_kafka_position(c->rk, l) == 0) {
		for (i = 0; i < (size_t)l->cnt; i++) {
			rd_kafka_topic_partition_t *e = &l->elems[i];
			int64_t pos = e->offset;

			if (rd_kafka_get_watermark_offsets(c->rk, e->topic,
							   e->partition, &lo,
							   &hi) ||
			    hi < 0)
				continue;
			if (pos < 0)
				pos = c->parts[i].start >= 0 ? c->parts[i].start : lo;
			stats_part_gauge(s, e->topic, e->partition, "offset", pos,
					 "Next offset to read");
			stats_part_gauge(s, e->topic, e->partition,
					 "high_watermark", hi,
					 "Offset after the last message in the partition");
			stats_part_gauge(s, e->topic, e->partition, "lag",
					 hi > pos ? hi - pos : 0,
					 "Messages in the partition not read yet");
			total += hi > pos ? hi - pos : 0;
		}
	}
	rd_kafka_topic_partition_list_destroy(l);
	stats_gauge(s, "total_lag", total,
		    "Messages not read yet, over every assigned partition");
}

static void stats_fields(struct tool *t, struct stats *s)
{
	struct consume *c = t->ctx;

	stats_counter(s, "data_loss_partitions", c->lost,
		      "Partitions whose next offsets were no longer retained");
	if (c->rk)
		lag_fields(c, s);
}

static void parse_args(struct consume *c, int argc, char **argv)
{
	char err[512];
	int64_t v;
	int opt, nstart = 0, avro_opt = 0;

	tool_cli(&c->t, &cli);
	while ((opt = tool_getopt(&c->t, argc, argv)) != -1) {
		if (tool_option(&c->t, opt, optarg))
			continue;
		if (avro_valfmt_option(&c->t, &c->ao, AVRO_FRAMINGS_DECODE, opt,
				       optarg)) {
			avro_opt = 1;
			continue;
		}
		switch (kafka_cli_option(&c->t, &c->ko, &c->eo, opt, optarg)) {
		case 1:
			continue;
		case 2:
			rd_kafka_conf_properties_show(stdout);
			exit(SW_EXIT_OK);
		}
		switch (opt) {
		case 'c':
			if (num_parse_i64(optarg, 1, INT64_MAX, &v) < 0)
				tool_usage_error(&c->t, "--count: %s: expected a positive number",
						 optarg);
			c->count = (uint64_t)v;
			break;
		case 'e':
			c->exit_eof = 1;
			break;
		case 'G':
			c->group = optarg;
			break;
		case 'L':
			c->list = 1;
			break;
		case 'o': {
			int64_t end = -1;

			if (kafka_offspec_parse(optarg, &c->start, &end, err,
						sizeof(err)) < 0)
				tool_usage_error(&c->t, "--offset: %s", err);
			if (end >= 0)
				c->end_ms = end;
			else if (nstart++)
				tool_usage_error(&c->t, "--offset: only one start offset");
			break;
		}
		case 'p':
			if (num_parse_i64(optarg, 0, INT32_MAX, &v) < 0)
				tool_usage_error(&c->t, "--partition: %s: expected a partition number",
						 optarg);
			c->partition = (int32_t)v;
			break;
		case 't':
			add_topic(c, optarg);
			break;
		case OPT_COMMIT_INTERVAL:
			c->commit_interval_us = parse_dur(c, "--commit-interval",
							  optarg);
			break;
		case OPT_VALUE_ONLY:
			c->eo.value_only = 1;
			break;
		case OPT_ON_DATA_LOSS:
			if (!strcmp(optarg, "fail"))
				c->loss_warn = 0;
			else if (!strcmp(optarg, "warn"))
				c->loss_warn = 1;
			else
				tool_usage_error(&c->t, "--on-data-loss: %s: expected fail or warn",
						 optarg);
			break;
		case OPT_RESUME:
			c->resume_path = optarg;
			break;
		case OPT_TIMEOUT:
			c->timeout_us = parse_dur(c, "--timeout", optarg);
			if (c->timeout_us < 1000)
				tool_usage_error(&c->t, "--timeout: %s: at least 1ms",
						 optarg);
			break;
		default:
			tool_usage_error(&c->t, "unknown option");
		}
	}
	for (; optind < argc; optind++)
		add_topic(c, argv[optind]);
	if (avro_opt && c->eo.value_fmt != VALFMT_CODEC)
		tool_usage_error(&c->t, "--schema, --reader-schema, --registry, --framing and --json need --value-format avro");
	if (!c->list && c->ntopics == 0)
		tool_usage_error(&c->t, "no topic: give -t TOPIC");
	if (c->group && c->partition >= 0)
		tool_usage_error(&c->t, "--partition cannot be used with --group");
	if (!c->group && !c->list && c->start.kind == KAFKA_OFF_STORED)
		tool_usage_error(&c->t, "--offset stored needs --group");
	if (c->resume_path &&
	    kafka_resume_load(c->resume_path, &c->resume, err, sizeof(err)) < 0)
		tool_usage_error(&c->t, "--resume: %s", err);
}

/* The Avro decoding context, made before any message is read so that a
 * bad schema file is a usage error. */
int main(int argc, char **argv)
{
	static struct consume c;

	tool_init(&c.t, "sw-consume");
	c.t.versions = kafka_version_line();
	c.t.stats_fields = stats_fields;
	c.t.ctx = &c;
	c.partition = -1;
	c.end_ms = -1;
	c.start.kind = KAFKA_OFF_BEGINNING;
	c.eo.key_fmt = VALFMT_STRING;
	c.eo.value_fmt = VALFMT_JSON;
	c.commit_interval_us = 5000000;
	c.timeout_us = 10000000;
	c.ao = (struct avro_msg_opts)AVRO_MSG_OPTS_INIT;
	json_doc_init(&c.scratch);
	parse_args(&c, argc, argv);
	if (c.eo.value_fmt == VALFMT_CODEC && !c.list) {
		avro_valfmt_open(&c.t, &c.ao, 0, &c.avro, &c.codec);
		c.eo.codec = &c.codec;
	}
	tool_start(&c.t);
	c.ko.wait = tool_wait_step(&c.t);
	make_consumer(&c);

	if (c.list)
		list_partitions(&c);
	else if (c.group)
		subscribe(&c);
	else
		assign_all(&c);
	if (!c.list)
		run(&c);

	/* Everything written is stored: commit it, then leave the group. */
	if (!c.list)
		flush_and_commit(&c);
	tool_report_final(&c.t); /* with the lag, while it is known */
	rd_kafka_consumer_close(c.rk);
	rd_kafka_destroy(c.rk);
	c.rk = NULL;
	clear_parts(&c);
	if (c.resume)
		rd_kafka_topic_partition_list_destroy(c.resume);
	json_doc_free(&c.scratch);
	avro_msg_free(c.avro);
	sbuf_free(&c.rec);
	kafka_opts_free(&c.ko);
	free(c.topics);
	return tool_finish(&c.t, c.code);
}
