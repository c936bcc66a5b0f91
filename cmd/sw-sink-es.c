/*
 * sw-sink-es: NDJSON to Elasticsearch through the _bulk API
 * (sw-sink-es(1)).
 *
 * Records are read without blocking while requests are in flight, turned
 * into _bulk items and gathered into batches by count, bytes and age
 * (bulk_batch), and sent by up to --workers libcurl easy handles on one
 * multi handle.  What an answer means is bulk_batch's to say: per
 * document, acknowledged, retried after a backoff (bulk_backoff), or
 * rejected for good (dead-letter or exit 75).  Every record is held until
 * one of those ends, which is what the checkpoint (bulk_ckpt) reports.
 * This file holds the options, the transport and the loop.
 */
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "bulk_backoff.h"
#include "bulk_batch.h"
#include "bulk_ckpt.h"
#include "bulk_req.h"
#include "bulk_resp.h"
#include "duration.h"
#include "jpath.h"
#include "kafka_rec.h"
#include "num.h"
#include "secret.h"
#include "timefmt.h"
#include "tool.h"
#include "xalloc.h"

#define MAX_SHOWN 10     /* rejected items reported one by one */
#define MAX_BURST 4096   /* records read before libcurl gets a turn */
#define POLL_CAP_MS 100  /* bounds the wait should a signal slip past poll */
/* A _bulk reply is held whole; what a server sends beyond this is refused
 * (as the schema registry client does) rather than read into memory.
 * Elasticsearch's replies run to a few hundred bytes an item, errors
 * included. */
#define REPLY_BASE ((size_t)16 << 20)
#define REPLY_PER_DOC 4096

enum {
	OPT_API_KEY_FILE = TOOL_OPT_TOOL_BASE,
	OPT_BATCH_BYTES,
	OPT_BATCH_DOCS,
	OPT_CACERT,
	OPT_CHECKPOINT,
	OPT_DRAIN_TIMEOUT,
	OPT_FLUSH_INTERVAL,
	OPT_GZIP,
	OPT_ID,
	OPT_INDEX,
	OPT_INSECURE,
	OPT_MAX_BACKOFF,
	OPT_OP,
	OPT_PASSWORD_FILE,
	OPT_PIPELINE,
	OPT_RETRIES,
	OPT_ROUTING,
	OPT_TEE,
	OPT_TIME,
	OPT_TIME_FORMAT,
	OPT_TIME_UNIT,
	OPT_TIMEOUT,
	OPT_URL,
	OPT_USER,
	OPT_WORKERS,
};

static void usage(int sub)
{
	(void)sub;
	fputs("Usage: sw-sink-es --url URL --index INDEX [options] [FILE...]\n"
	      "Send NDJSON records to Elasticsearch with the _bulk API.\n"
	      "\n",
	      stdout);
}

static const struct tool_opt doc_opts[] = {
	{ "url", required_argument, OPT_URL, "URL",
	  "Elasticsearch base URL (http:// or https://)", NULL },
	{ "index", required_argument, OPT_INDEX, "INDEX",
	  "target index; strftime fields (web-%Y.%m.%d) are\nfilled in UTC from --time, else processing time", NULL },
	{ "time", required_argument, OPT_TIME, "PATH",
	  "event time for the index name", NULL },
	{ "time-unit", required_argument, OPT_TIME_UNIT, NULL,
	  "unit of epoch numbers (default auto)", timefmt_unit_names },
	{ "time-format", required_argument, OPT_TIME_FORMAT, "FMT",
	  "strptime(3) format for string times", NULL },
	{ "id", required_argument, OPT_ID, "PATH",
	  "document _id (makes retries idempotent)", NULL },
	{ "op", required_argument, OPT_OP, NULL,
	  "bulk action (default index; delete needs --id)", bulk_op_names },
	{ "routing", required_argument, OPT_ROUTING, "PATH",
	  "routing value", NULL },
	{ "pipeline", required_argument, OPT_PIPELINE, "NAME",
	  "ingest pipeline", NULL },
	{ NULL, 0, 0, NULL, NULL, NULL },
};

static const struct tool_opt batch_opts[] = {
	{ "batch-docs", required_argument, OPT_BATCH_DOCS, "N",
	  "documents per request (default 1000)", NULL },
	{ "batch-bytes", required_argument, OPT_BATCH_BYTES, "SIZE",
	  "bytes per request (default 5MB; a bigger\ndocument is sent alone)", NULL },
	{ "flush-interval", required_argument, OPT_FLUSH_INTERVAL, "DUR",
	  "send what is held after DUR (default 1s)", NULL },
	{ "workers", required_argument, OPT_WORKERS, "N",
	  "requests in flight (default 2)", NULL },
	{ "gzip", no_argument, OPT_GZIP, NULL,
	  "compress requests (Content-Encoding: gzip)", NULL },
	{ NULL, 0, 0, NULL, NULL, NULL },
};

static const struct tool_opt delivery_opts[] = {
	{ "retries", required_argument, OPT_RETRIES, "N",
	  "retries per request and per item (default 8)", NULL },
	{ "max-backoff", required_argument, OPT_MAX_BACKOFF, "DUR",
	  "longest wait between retries (default 30s)", NULL },
	{ "timeout", required_argument, OPT_TIMEOUT, "DUR",
	  "longest time for one request (default 60s)", NULL },
	{ "drain-timeout", required_argument, OPT_DRAIN_TIMEOUT, "DUR",
	  "time to deliver what is held at the end of input\nor on SIGTERM (default 30s)", NULL },
	{ "checkpoint", required_argument, OPT_CHECKPOINT, "FILE",
	  "after each acknowledged batch, write the Kafka\noffsets to resume from (for sw-consume)", NULL },
	{ "tee", no_argument, OPT_TEE, NULL,
	  "write every acknowledged record to stdout", NULL },
	{ "dead-letter", required_argument, TOOL_OPT_DEAD_LETTER, "FILE",
	  "also receives documents Elasticsearch rejects", NULL },
	{ NULL, 0, 0, NULL, NULL, NULL },
};

static const struct tool_opt security_opts[] = {
	{ "user", required_argument, OPT_USER, "NAME",
	  "basic auth; password from $SW_ES_PASSWORD or", NULL },
	{ "password-file", required_argument, OPT_PASSWORD_FILE, "FILE",
	  "the first line of FILE", NULL },
	{ "api-key-file", required_argument, OPT_API_KEY_FILE, "FILE",
	  "Authorization: ApiKey with the key in FILE", NULL },
	{ "cacert", required_argument, OPT_CACERT, "FILE",
	  "CA certificates to verify the server with", NULL },
	{ "insecure", no_argument, OPT_INSECURE, NULL,
	  "do not verify the server's certificate", NULL },
	{ NULL, 0, 0, NULL, NULL, NULL },
};

static const struct tool_cli cli = {
	.usage = usage,
	.groups = (const struct tool_optgroup[]){
		{ "Documents:", doc_opts, 0 },
		{ "Batching:", batch_opts, 0 },
		{ "Delivery:", delivery_opts, 0 },
		{ "Security (secrets never on the command line):", security_opts, 0 },
		{ "Common options:", tool_opts_common, 0 },
		{ "", tool_opts_bad_input, 0 },
		{ "", tool_opts_input, 0 },
		{ NULL, NULL, 0 },
	},
	.tail = SW_EXIT_TABLE
		"  69 here: a request could not reach Elasticsearch in 1 + --retries attempts\n"
		"  75 here: documents rejected without --dead-letter, or still refused after\n"
		"           --retries, or still held when --drain-timeout ran out\n",
	.operands = "FILE",
};

struct xfer {
	CURL *h;
	struct bulk_batch *b;
	struct sbuf resp;
	size_t resp_cap;
	int too_big; /* the reply passed resp_cap */
	struct sbuf gz;
	char errbuf[CURL_ERROR_SIZE];
};

struct sink {
	struct tool t;
	/* options */
	const char *url;
	const char *index;
	int index_dynamic;
	struct jpath *time_path, *id_path, *routing_path;
	struct timefmt tf;
	enum bulk_op op;
	const char *pipeline;
	uint64_t batch_docs, batch_bytes, workers, retries;
	int64_t flush_us, max_backoff_us, timeout_us, drain_us;
	const char *checkpoint;
	const char *user, *password_file, *api_key_file, *cacert;
	int insecure, gzip, tee;
	/* state */
	char *bulk_url;
	char *password;
	struct curl_slist *headers;
	CURLM *multi;
	struct xfer *xfers;
	unsigned inflight;
	struct bulk_batch *cur;
	int64_t cur_first;
	struct bulk_queue queue;
	struct bulk_backoff backoff;
	struct bulk_resp resp;
	struct json_doc errdoc;
	struct bulk_ckpt *ckpt;
	int ckpt_dirty;
	struct sbuf scratch, dl;
	char index_buf[256];
	size_t index_len;
	int64_t index_sec;
	/* outcome */
	uint64_t indexed, retried, dead_lettered, requests, rejected, failed;
	int unreachable, refused;
	unsigned shown;
};

static void stats_fields(struct tool *t, struct stats *st)
{
	struct sink *s = t->ctx;

	stats_counter(st, "indexed", s->indexed, "Documents acknowledged by Elasticsearch");
	stats_counter(st, "retried", s->retried, "Documents sent again");
	stats_counter(st, "dead_lettered", s->dead_lettered, "Documents written to --dead-letter");
	stats_counter(st, "requests", s->requests, "Bulk requests sent");
	stats_counter(st, "failed", s->failed + s->rejected, "Documents not indexed");
	stats_gauge(st, "in_flight", (int64_t)s->inflight, "Bulk requests awaiting an answer");
	if (s->ckpt)
		bulk_ckpt_stats(s->ckpt, st,
				"Offset a consumer resumes from: every record before it is acknowledged");
}

/*
 * Options.
 */

static int64_t parse_dur(struct sink *s, const char *flag, const char *arg,
			 int64_t min_us)
{
	char err[128];
	int64_t us;

	if (duration_parse(arg, &us, err, sizeof err) < 0)
		tool_usage_error(&s->t, "%s: %s", flag, err);
	if (us < min_us)
		tool_usage_error(&s->t, "%s: '%s': must be at least %lldms", flag,
				 arg, (long long)(min_us / 1000));
	return us;
}

static uint64_t parse_count(struct sink *s, const char *flag, const char *arg,
			    uint64_t min, uint64_t max)
{
	uint64_t v;

	if (num_parse_u64(arg, min, max, &v) < 0)
		tool_usage_error(&s->t, "%s: '%s': expected a number from %llu to %llu",
				 flag, arg, (unsigned long long)min,
				 (unsigned long long)max);
	return v;
}

static struct jpath *parse_path(struct sink *s, const char *flag,
				const char *arg)
{
	struct jpath *jp;
	char err[256];

	if (jpath_compile(&jp, arg, 0, err, sizeof err) < 0)
		tool_usage_error(&s->t, "%s: %s", flag, err);
	return jp;
}

/* The first line of a secret file.  The file's name may be shown; its
 * content never is. */
static char *read_secret(struct sink *s, const char *flag, const char *path)
{
	char err[512], *v;

	if (secret_read_file(path, &v, err, sizeof err) < 0)
		tool_usage_error(&s->t, "%s: %s", flag, err);
	return v;
}

static void check_url(struct sink *s)
{
	const char *p = s->url, *host, *end;
	struct sbuf b = SBUF_INIT;
	size_t n;

	if (strncmp(p, "http://", 7) == 0)
		host = p + 7;
	else if (strncmp(p, "https://", 8) == 0)
		host = p + 8;
	else
		tool_usage_error(&s->t, "--url: '%s': expected http://HOST[:PORT] "
					"or https://…", p);
	end = host + strcspn(host, "/?#");
	if (memchr(host, '@', (size_t)(end - host)))
		tool_usage_error(&s->t, "--url: credentials in the URL are not "
					"accepted: use --user with $SW_ES_PASSWORD "
					"or --password-file");
	if (end == host || strchr(p, '?') || strchr(p, '#'))
		tool_usage_error(&s->t, "--url: '%s': expected a base URL without "
					"query", p);
	n = strlen(p);
	while (n && p[n - 1] == '/')
		n--;
	sbuf_put(&b, p, n);
	sbuf_puts(&b, "/_bulk");
	if (s->pipeline) {
		char *esc = curl_easy_escape(NULL, s->pipeline, 0);

		sbuf_printf(&b, "?pipeline=%s", esc);
		curl_free(esc);
	}
	s->bulk_url = b.p;
}

static void check_index(struct sink *s)
{
	char err[300];

	s->index_dynamic = strchr(s->index, '%') != NULL;
	s->index_len = bulk_index_name(s->index, timefmt_now(), s->index_buf,
				       sizeof s->index_buf);
	if (!s->index_len)
		tool_usage_error(&s->t, "--index: '%s': empty or too long", s->index);
	if (bulk_index_check(s->index_buf, s->index_len, err, sizeof err) < 0)
		tool_usage_error(&s->t, "--index: %s", err);
	s->index_sec = INT64_MIN;
	if (!s->index_dynamic) {
		/* Taken literally: "%" cannot be in an index name anyway. */
		s->index_len = strlen(s->index);
		memcpy(s->index_buf, s->index, s->index_len);
	}
}

static void parse_options(struct sink *s, int argc, char **argv)
{
	uint64_t v;
	int c;

	tool_cli(&s->t, &cli);
	while ((c = tool_getopt(&s->t, argc, argv)) != -1) {
		if (tool_option(&s->t, c, optarg))
			continue;
		switch (c) {
		case OPT_API_KEY_FILE:
			s->api_key_file = optarg;
			break;
		case OPT_BATCH_BYTES:
			if (num_parse_size(optarg, 1, 1u << 30, &v) < 0)
				tool_usage_error(&s->t, "--batch-bytes: '%s': expected a size from 1 to 1GiB",
						 optarg);
			s->batch_bytes = v;
			break;
		case OPT_BATCH_DOCS:
			s->batch_docs = parse_count(s, "--batch-docs", optarg, 1,
						    1000000);
			break;
		case OPT_CACERT:
			s->cacert = optarg;
			break;
		case OPT_CHECKPOINT:
			s->checkpoint = optarg;
			break;
		case OPT_DRAIN_TIMEOUT:
			s->drain_us = parse_dur(s, "--drain-timeout", optarg, 0);
			break;
		case OPT_FLUSH_INTERVAL:
			s->flush_us = parse_dur(s, "--flush-interval", optarg, 1000);
			break;
		case OPT_GZIP:
			s->gzip = 1;
			break;
		case OPT_ID:
			s->id_path = parse_path(s, "--id", optarg);
			break;
		case OPT_INDEX:
			s->index = optarg;
			break;
		case OPT_INSECURE:
			s->insecure = 1;
			break;
		case OPT_MAX_BACKOFF:
			s->max_backoff_us = parse_dur(s, "--max-backoff", optarg, 1000);
			break;
		case OPT_OP:
			if (bulk_op_parse(optarg, &s->op) < 0)
				tool_usage_error(&s->t, "--op: '%s': expected index, create, update, upsert or delete",
						 optarg);
			break;
		case OPT_PASSWORD_FILE:
			s->password_file = optarg;
			break;
		case OPT_PIPELINE:
			if (!*optarg)
				tool_usage_error(&s->t, "--pipeline: empty name");
			s->pipeline = optarg;
			break;
		case OPT_RETRIES:
			s->retries = parse_count(s, "--retries", optarg, 0, 1000);
			break;
		case OPT_ROUTING:
			s->routing_path = parse_path(s, "--routing", optarg);
			break;
		case OPT_TEE:
			s->tee = 1;
			break;
		case OPT_TIME:
			s->time_path = parse_path(s, "--time", optarg);
			break;
		case OPT_TIME_FORMAT:
			s->tf.format = optarg;
			break;
		case OPT_TIME_UNIT:
			if (timefmt_parse_unit(optarg, &s->tf.unit) < 0)
				tool_usage_error(&s->t, "--time-unit: '%s': expected s, ms, us, ns or auto",
						 optarg);
			break;
		case OPT_TIMEOUT:
			s->timeout_us = parse_dur(s, "--timeout", optarg, 1000);
			break;
		case OPT_URL:
			s->url = optarg;
			break;
		case OPT_USER:
			if (!*optarg || strchr(optarg, ':'))
				tool_usage_error(&s->t, "--user: give a name only; the password goes in $SW_ES_PASSWORD or --password-file");
			s->user = optarg;
			break;
		case OPT_WORKERS:
			s->workers = parse_count(s, "--workers", optarg, 1, 64);
			break;
		default:
			tool_usage_error(&s->t, "unknown option");
		}
	}
}

static void check_options(struct sink *s)
{
	if (!s->url)
		tool_usage_error(&s->t, "--url is required");
	if (!s->index)
		tool_usage_error(&s->t, "--index is required");
	if (s->op == BULK_OP_DELETE && !s->id_path)
		tool_usage_error(&s->t, "--op delete needs --id");
	if ((s->op == BULK_OP_UPDATE || s->op == BULK_OP_UPSERT) && !s->id_path)
		tool_usage_error(&s->t, "--op %s needs --id",
				 s->op == BULK_OP_UPDATE ? "update" : "upsert");
	if ((s->tf.format || s->tf.unit != TIME_UNIT_AUTO) && !s->time_path)
		tool_usage_error(&s->t, "--time-format and --time-unit need --time");
	if (s->time_path && !strchr(s->index, '%'))
		tool_usage_error(&s->t, "--time is only used for strftime fields in --index");
	if (s->password_file && !s->user)
		tool_usage_error(&s->t, "--password-file needs --user");
	if (s->user && s->api_key_file)
		tool_usage_error(&s->t, "--user and --api-key-file exclude each other");
	if (s->cacert && access(s->cacert, R_OK) < 0)
		tool_usage_error(&s->t, "--cacert: %s: %s", s->cacert, strerror(errno));
	check_url(s);
	check_index(s);
	if (s->user) {
		if (s->password_file)
			s->password = read_secret(s, "--password-file", s->password_file);
		else
			s->password = secret_from_env("SW_ES_PASSWORD");
		if (!s->password || !*s->password)
			tool_usage_error(&s->t, "--user needs $SW_ES_PASSWORD or --password-file");
	}
	if (s->api_key_file) {
		char *key = read_secret(s, "--api-key-file", s->api_key_file);
		struct sbuf h = SBUF_INIT;

		sbuf_printf(&h, "Authorization: ApiKey %s", key);
		s->headers = curl_slist_append(s->headers, h.p);
		explicit_bzero(h.p, h.len);
		sbuf_free(&h);
		secret_free(key);
	}
}

/*
 * Batches.
 */

static void close_current(struct sink *s)
{
	if (!s->cur || !s->cur->n)
		return;
	bulk_queue_push(&s->queue, s->cur, 0);
	s->cur = NULL;
}

/* Reading stops while this many batches wait: Elasticsearch is the
 * bottleneck then, and memory stays bounded. */
static int can_accept(const struct sink *s)
{
	return s->queue.n < s->workers;
}

/*
 * Records in.
 */

static int eval_key(struct sink *s, struct jpath *jp, const char *flag,
		    const struct json_doc *d, struct jval *v)
{
	char err[256];
	int r = jpath_eval(jp, d, v, err, sizeof err);

	if (r < 0) {
		tool_bad_record(&s->t, "%s: %s", flag, err);
		return -1;
	}
	if (r == 0 || v->type == JSON_NULL) {
		tool_bad_record(&s->t, "%s %s: missing", flag, jpath_expr(jp));
		return -1;
	}
	if (bulk_key_check(v, err, sizeof err) < 0) {
		tool_bad_record(&s->t, "%s %s: %s", flag, jpath_expr(jp), err);
		return -1;
	}
	return 0;
}

static int index_for(struct sink *s, const struct json_doc *d)
{
	int64_t us, sec;
	char err[256];

	if (!s->index_dynamic)
		return 0;
	if (s->time_path) {
		struct jval v;
		int r = jpath_eval(s->time_path, d, &v, err, sizeof err);

		if (r <= 0 || v.type == JSON_NULL) {
			tool_bad_record(&s->t, "--time %s: %s",
					jpath_expr(s->time_path),
					r < 0 ? err : "missing");
			return -1;
		}
		if (timefmt_parse_json(&s->tf, v.p, v.n, &us, err, sizeof err) < 0) {
			tool_bad_record(&s->t, "--time %s: %s",
					jpath_expr(s->time_path), err);
			return -1;
		}
	} else {
		us = timefmt_now();
	}
	sec = us / 1000000 - (us < 0 && us % 1000000);
	if (sec == s->index_sec)
		return 0;
	s->index_len = bulk_index_name(s->index, us, s->index_buf,
				       sizeof s->index_buf);
	if (!s->index_len ||
	    bulk_index_check(s->index_buf, s->index_len, err, sizeof err) < 0) {
		s->index_sec = INT64_MIN;
		tool_bad_record(&s->t, "--index: %s",
				s->index_len ? err : "name too long");
		return -1;
	}
	s->index_sec = sec;
	return 0;
}

/* The envelope of a Kafka record: topic, partition and offset at the top. */
static void track(struct sink *s, const struct json_doc *d,
		  struct bulk_batch_item *it)
{
	struct kafka_origin o;

	it->ck.part = -1;
	if (s->ckpt && kafka_envelope_origin(d, &s->scratch, &o))
		bulk_ckpt_add(s->ckpt, o.topic, o.topic_len, o.partition,
			      o.offset, &it->ck);
}

static void add_record(struct sink *s, const struct json_doc *d)
{
	struct jval id, routing;
	struct bulk_batch_item *it;
	struct bulk_batch *next;
	struct bulk_doc doc = {
		.op = s->op,
		.id = s->id_path ? &id : NULL,
		.routing = s->routing_path ? &routing : NULL,
		.text = d->text.p,
		.text_len = d->text.len,
	};

	if (s->op != BULK_OP_DELETE && d->tok[0].type != JSON_OBJECT) {
		tool_bad_record(&s->t, "not an object: Elasticsearch "
				       "documents are objects");
		return;
	}
	if (s->id_path && eval_key(s, s->id_path, "--id", d, &id) < 0)
		return;
	if (s->routing_path &&
	    eval_key(s, s->routing_path, "--routing", d, &routing) < 0)
		return;
	if (index_for(s, d) < 0)
		return;
	if (!s->cur)
		s->cur = bulk_batch_new(s->op == BULK_OP_DELETE);
	doc.index = s->index_buf;
	doc.index_len = s->index_len;
	doc.source = ndjson_source(s->t.in);
	doc.line = ndjson_lineno(s->t.in);
	it = bulk_batch_add(s->cur, &doc, s->batch_bytes, &next);
	if (next) {
		close_current(s);
		s->cur = next;
	}
	if (s->cur->n == 1)
		s->cur_first = timefmt_mono_us();
	track(s, d, it);
	if (bulk_batch_full(s->cur, s->batch_docs, s->batch_bytes))
		close_current(s);
}

/* Reads one line without ever blocking on a line already known to be
 * there (tool_next_record() would go on to the next one after a bad line).
 * Returns 1 with a record in d, 0 when the line was bad, -1 at the end. */
static int read_record(struct sink *s, struct json_doc *d)
{
	char err[256];

	switch (tool_read_one(&s->t, d, err, sizeof err)) {
	case TOOL_READ_RECORD:
		return 1;
	case TOOL_READ_BAD:
		tool_bad_record(&s->t, "%s", err);
		return 0;
	case TOOL_READ_AGAIN:
		return 0;
	case TOOL_READ_ERROR:
		tool_error(&s->t, "%s", err);
		tool_end(&s->t, SW_EXIT_IOERR);
		return -1;
	case TOOL_READ_EOF:
		break;
	}
	return -1;
}

/*
 * Outcomes.
 */

static void ack(struct sink *s, const struct bulk_batch *b,
		const struct bulk_batch_item *it)
{
	s->indexed++;
	s->t.records_out++;
	if (s->ckpt)
		bulk_ckpt_done(s->ckpt, &it->ck);
	if (s->tee) {
		out_put(&s->t.out, bulk_batch_rec(b, it), it->rec_len);
		out_end(&s->t.out);
	}
}

/* An item Elasticsearch refused for good; type and reason are quoted JSON
 * strings. */
static void reject(struct sink *s, const struct bulk_batch *b,
		   const struct bulk_batch_item *it, long status,
		   const char *type, size_t type_len, const char *reason,
		   size_t reason_len)
{
	struct sbuf msg = SBUF_INIT;

	bulk_reject_text(&msg, type, type_len, reason, reason_len);
	if (!s->t.dead_letter) {
		s->rejected++;
		if (s->shown++ < MAX_SHOWN)
			tool_error(&s->t, "%s:%llu: rejected by Elasticsearch (%ld): %s",
				   it->source, (unsigned long long)it->line,
				   status, msg.p);
		sbuf_free(&msg);
		return;
	}
	bulk_dead_letter(&s->dl, b, it, status, msg.p, msg.len, type,
			 type_len, reason, reason_len);
	s->dead_lettered++;
	if (s->ckpt)
		bulk_ckpt_done(s->ckpt, &it->ck);
	tool_info(&s->t, "%s:%llu: dead-lettered (%ld): %s", it->source,
		  (unsigned long long)it->line, status, msg.p);
	sbuf_free(&msg);
}

/* Dead-letter lines reach the file before the checkpoint passes them. */
static void write_dead_letters(struct sink *s)
{
	FILE *f = s->t.dead_letter;

	if (!s->dl.len)
		return;
	if (fwrite(s->dl.p, 1, s->dl.len, f) != s->dl.len || fflush(f) != 0)
		tool_die(&s->t, SW_EXIT_IOERR, "--dead-letter: %s: %s",
			 s->t.dead_letter_path, strerror(errno));
	sbuf_reset(&s->dl);
}

static void write_checkpoint(struct sink *s)
{
	char err[512];

	if (!s->ckpt || !s->ckpt_dirty)
		return;
	s->ckpt_dirty = 0;
	if (bulk_ckpt_write(s->ckpt, s->checkpoint, err, sizeof err) < 0)
		tool_die(&s->t, SW_EXIT_IOERR, "--checkpoint: %s", err);
}

static void give_up(struct sink *s, struct bulk_batch *b, const char *why)
{
	s->failed += b->n;
	if (b->unreachable)
		s->unreachable = 1;
	tool_error(&s->t, "%s: %u record%s not delivered after %u attempt%s: %s",
		   s->url, b->n, b->n == 1 ? "" : "s", b->attempts,
		   b->attempts == 1 ? "" : "s", why);
	bulk_batch_free(b);
}

static void retry_later(struct sink *s, struct bulk_batch *b, int unreachable,
			const char *why)
{
	int64_t delay;

	if (!bulk_batch_retry(b, unreachable, s->retries)) {
		give_up(s, b, why);
		return;
	}
	delay = bulk_backoff_delay(&s->backoff, b->attempts);
	s->retried += b->n;
	tool_info(&s->t, "%s: %s; %u record%s again in %lldms (retry %u of %llu)",
		  s->url, why, b->n, b->n == 1 ? "" : "s",
		  (long long)(delay / 1000), b->attempts,
		  (unsigned long long)s->retries);
	bulk_queue_push(&s->queue, b, timefmt_mono_us() + delay);
}

static void on_items(struct sink *s, struct bulk_batch *b, struct xfer *x)
{
	struct bulk_batch *rb = NULL;
	struct sbuf why = SBUF_INIT;
	struct bulk_item it;
	char err[256];

	if (bulk_resp_parse(&s->resp, x->resp.p, x->resp.len, b->n, err,
			    sizeof err) < 0) {
		retry_later(s, b, 0, err);
		return;
	}
	for (uint32_t i = 0; i < b->n; i++) {
		switch (bulk_batch_judge(b, i, &s->resp, &it, &rb, &why)) {
		case BULK_ACK:
			ack(s, b, &b->items[i]);
			break;
		case BULK_REJECT:
			reject(s, b, &b->items[i], it.status, it.type,
			       it.type_len, it.reason, it.reason_len);
			break;
		default:
			break; /* in rb */
		}
	}
	if (rb)
		retry_later(s, rb, 0, why.p);
	sbuf_free(&why);
	bulk_batch_free(b);
	s->ckpt_dirty = 1;
}

static void split(struct sink *s, struct bulk_batch *b)
{
	static const char type[] = "\"request_entity_too_large\"";
	struct bulk_batch *half[2];

	if (bulk_batch_halves(b, half) < 0) {
		struct sbuf reason = SBUF_INIT, text = SBUF_INIT;

		sbuf_printf(&text, "HTTP 413: a request of this one document "
				   "(%zu bytes) is larger than the server accepts",
			    b->body.len);
		sbuf_put_jstr(&reason, text.p, text.len);
		reject(s, b, &b->items[0], 413, type, sizeof type - 1, reason.p,
		       reason.len);
		sbuf_free(&reason);
		sbuf_free(&text);
		bulk_batch_free(b);
		s->ckpt_dirty = 1;
		return;
	}
	tool_info(&s->t, "%s: HTTP 413 for %u documents: sending halves",
		  s->url, b->n);
	bulk_queue_push(&s->queue, half[0], 0);
	bulk_queue_push(&s->queue, half[1], 0);
	bulk_batch_free(b);
}

/* A request refused as a whole (401, 403, 400…): no later request will do
 * better, so the sink stops. */
static void refused(struct sink *s, struct bulk_batch *b, long status,
		    struct xfer *x)
{
	struct sbuf msg = SBUF_INIT;
	struct bulk_item e;

	if (bulk_error_body(&s->errdoc, x->resp.p, x->resp.len, &e) == 0) {
		if (e.type)
			json_unescape(e.type, e.type_len, &msg);
		if (e.type && e.reason)
			sbuf_puts(&msg, ": ");
		if (e.reason)
			json_unescape(e.reason, e.reason_len, &msg);
	}
	tool_error(&s->t, "%s: HTTP %ld%s%s", s->url, status, msg.len ? ": " : "",
		   msg.len ? msg.p : "");
	sbuf_free(&msg);
	s->refused = 1;
	s->failed += b->n;
	bulk_batch_free(b);
}

/* Transport failures that no retry can cure: the server cannot be reached
 * as configured. */
static int permanent(CURLcode rc)
{
	switch (rc) {
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_UNSUPPORTED_PROTOCOL:
	case CURLE_URL_MALFORMAT:
		return 1;
	default:
		return 0;
	}
}

static void on_done(struct sink *s, struct xfer *x, CURLcode rc)
{
	struct bulk_batch *b = x->b;
	long status = 0;
	char why[CURL_ERROR_SIZE + 64];

	x->b = NULL;
	s->inflight--;
	if (rc == CURLE_OK)
		curl_easy_getinfo(x->h, CURLINFO_RESPONSE_CODE, &status);
	else if (x->too_big)
		snprintf(why, sizeof why, "reply larger than %zu bytes",
			 x->resp_cap);
	else
		snprintf(why, sizeof why, "%s",
			 x->errbuf[0] ? x->errbuf : curl_easy_strerror(rc));
	switch (bulk_request_outcome(rc != CURLE_OK, x->too_big, permanent(rc),
				     status)) {
	case BULK_OUT_ITEMS:
		on_items(s, b, x);
		break;
	case BULK_OUT_RETRY:
		if (rc == CURLE_OK)
			snprintf(why, sizeof why, "HTTP %ld", status);
		retry_later(s, b, 0, why);
		break;
	case BULK_OUT_UNREACHABLE:
		retry_later(s, b, 1, why);
		break;
	case BULK_OUT_GIVE_UP:
		b->attempts++;
		b->unreachable = 1;
		give_up(s, b, why);
		break;
	case BULK_OUT_SPLIT:
		split(s, b);
		break;
	case BULK_OUT_REFUSED:
		refused(s, b, status, x);
		break;
	}
}

/*
 * Requests.
 */

static size_t on_body(char *p, size_t size, size_t n, void *ctx)
{
	struct xfer *x = ctx;

	if (size * n > x->resp_cap - x->resp.len) {
		x->too_big = 1;
		return 0; /* libcurl ends the transfer with a write error */
	}
	sbuf_put(&x->resp, p, size * n);
	return size * n;
}

static void gzip_body(struct sbuf *out, const char *p, size_t n)
{
	z_stream z;

	memset(&z, 0, sizeof z);
	/* Level 1: the network is rarely slower than deflate at 9. */
	if (deflateInit2(&z, 1, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		xalloc_die(); /* Z_MEM_ERROR: the parameters are valid */
	sbuf_reset(out);
	sbuf_grow(out, deflateBound(&z, n));
	z.next_in = (Bytef *)(uintptr_t)p;
	z.avail_in = (uInt)n;
	z.next_out = (Bytef *)out->p;
	z.avail_out = (uInt)(out->cap - 1);
	/* deflateBound() bytes of room: one call always finishes. */
	if (deflate(&z, Z_FINISH) != Z_STREAM_END)
		xalloc_die();
	out->len = z.total_out;
	deflateEnd(&z);
}

static void setup_curl(struct sink *s)
{
	long connect_ms = s->timeout_us / 1000 < 10000 ? s->timeout_us / 1000 : 10000;

	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		tool_die(&s->t, SW_EXIT_SOFTWARE, "cannot initialise libcurl");
	s->multi = curl_multi_init();
	curl_multi_setopt(s->multi, CURLMOPT_MAX_HOST_CONNECTIONS, (long)s->workers);
	s->headers = curl_slist_append(s->headers,
				       "Content-Type: application/x-ndjson");
	/* Elasticsearch answers at once; waiting for 100-continue only adds
	 * a round trip to every large request. */
	s->headers = curl_slist_append(s->headers, "Expect:");
	if (s->gzip)
		s->headers = curl_slist_append(s->headers, "Content-Encoding: gzip");
	s->xfers = xcalloc(s->workers, sizeof *s->xfers);
	for (unsigned i = 0; i < s->workers; i++) {
		struct xfer *x = &s->xfers[i];
		CURL *h = curl_easy_init();

		if (!h)
			tool_die(&s->t, SW_EXIT_SOFTWARE, "cannot initialise libcurl");
		x->h = h;
		curl_easy_setopt(h, CURLOPT_URL, s->bulk_url);
		curl_easy_setopt(h, CURLOPT_HTTPHEADER, s->headers);
		curl_easy_setopt(h, CURLOPT_POST, 1L);
		curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
		curl_easy_setopt(h, CURLOPT_WRITEDATA, x);
		x->resp_cap = REPLY_BASE + s->batch_docs * REPLY_PER_DOC;
		curl_easy_setopt(h, CURLOPT_ERRORBUFFER, x->errbuf);
		curl_easy_setopt(h, CURLOPT_PRIVATE, x);
		curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
		curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, connect_ms);
		curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)(s->timeout_us / 1000));
		curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
		curl_easy_setopt(h, CURLOPT_USERAGENT, "sw-sink-es/" SW_VERSION);
		curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
		if (s->user) {
			curl_easy_setopt(h, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
			curl_easy_setopt(h, CURLOPT_USERNAME, s->user);
			curl_easy_setopt(h, CURLOPT_PASSWORD, s->password);
		}
		if (s->cacert)
			curl_easy_setopt(h, CURLOPT_CAINFO, s->cacert);
		if (s->insecure) {
			curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
			curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
		}
	}
}

static void start_transfers(struct sink *s, int64_t now)
{
	while (s->inflight < s->workers) {
		struct bulk_batch *b = bulk_queue_take(&s->queue, now);
		struct xfer *x = s->xfers;
		const char *body;
		size_t len;

		if (!b)
			return;
		while (x->b)
			x++;
		x->b = b;
		x->errbuf[0] = '\0';
		x->too_big = 0;
		sbuf_reset(&x->resp);
		body = b->body.p;
		len = b->body.len;
		if (s->gzip) {
			gzip_body(&x->gz, body, len);
			body = x->gz.p;
			len = x->gz.len;
		}
		curl_easy_setopt(x->h, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(x->h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
		curl_multi_add_handle(s->multi, x->h);
		s->inflight++;
		s->requests++;
	}
}

static void pump(struct sink *s)
{
	CURLMsg *m;
	int running, left;

	curl_multi_perform(s->multi, &running);
	while ((m = curl_multi_info_read(s->multi, &left))) {
		struct xfer *x;
		CURLcode rc;

		if (m->msg != CURLMSG_DONE)
			continue;
		rc = m->data.result;
		curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&x);
		curl_multi_remove_handle(s->multi, x->h);
		on_done(s, x, rc);
	}
	if (s->t.dead_letter)
		write_dead_letters(s);
	write_checkpoint(s);
	if (s->tee)
		tool_flush(&s->t);
}

/* Everything still held is not delivered: at the drain deadline, or when
 * the sink must stop. */
static void abandon(struct sink *s, const char *why)
{
	uint64_t n = 0;
	int unreachable = 0;

	close_current(s);
	for (unsigned i = 0; i < s->workers; i++) {
		struct xfer *x = &s->xfers[i];

		if (!x->b)
			continue;
		curl_multi_remove_handle(s->multi, x->h);
		n += x->b->n;
		unreachable |= x->b->unreachable;
		bulk_batch_free(x->b);
		x->b = NULL;
	}
	s->inflight = 0;
	for (struct bulk_batch *b; (b = bulk_queue_pop(&s->queue));) {
		n += b->n;
		unreachable |= b->unreachable;
		bulk_batch_free(b);
	}
	if (!n)
		return;
	s->failed += n;
	if (unreachable)
		s->unreachable = 1;
	if (why)
		tool_error(&s->t, "%llu record%s not delivered: %s",
			   (unsigned long long)n, n == 1 ? "" : "s", why);
}

/*
 * The loop.
 */

static int64_t wait_us(struct sink *s, int want_input, int more,
		       int64_t deadline, int64_t now, struct curl_waitfd *wfd,
		       unsigned *nfd)
{
	int64_t t = POLL_CAP_MS * 1000;

	*nfd = 0;
	if (s->cur && s->cur->n && s->cur_first + s->flush_us - now < t)
		t = s->cur_first + s->flush_us - now;
	if (s->inflight < s->workers) {
		int64_t due = bulk_queue_next_due(&s->queue);

		if (due != INT64_MAX && due - now < t)
			t = due - now;
	}
	if (deadline && deadline - now < t)
		t = deadline - now;
	if (want_input) {
		if (more || strcmp(ndjson_source(s->t.in), "stdin") != 0) {
			t = 0; /* a file never makes us wait */
		} else {
			wfd->fd = 0;
			wfd->events = CURL_WAIT_POLLIN;
			wfd->revents = 0;
			*nfd = 1;
		}
	}
	return t < 0 ? 0 : t;
}

static void run(struct sink *s)
{
	struct json_doc doc;
	int reading = 1;
	int64_t deadline = 0;

	json_doc_init(&doc);
	for (;;) {
		int64_t now, t;
		struct curl_waitfd wfd;
		unsigned nfd;
		int n = 0, more = 0;

		while (reading && can_accept(s) && !tool_stopping(&s->t)) {
			int r;

			if (n == MAX_BURST) {
				more = 1;
				break;
			}
			if (ndjson_wait(s->t.in, 0) != 1)
				break;
			r = read_record(s, &doc);
			if (r < 0) {
				reading = 0;
				break;
			}
			if (r > 0)
				add_record(s, &doc);
			n++;
			tool_tick(&s->t);
		}
		/* Bad input under --on-error fail and output that failed
		 * end the reading too: what is held is still delivered. */
		if (reading && tool_stopping(&s->t))
			reading = 0;
		now = timefmt_mono_us();
		if (!reading && !deadline) {
			close_current(s);
			deadline = now + s->drain_us;
			if (!deadline)
				deadline = 1;
		}
		if (s->cur && s->cur->n && now - s->cur_first >= s->flush_us)
			close_current(s);
		if (s->unreachable || s->refused) {
			abandon(s, "the sink stops");
			break;
		}
		if (!reading && !s->queue.n && !s->inflight)
			break;
		if (deadline && now >= deadline) {
			abandon(s, "--drain-timeout ran out");
			break;
		}
		start_transfers(s, now);
		t = wait_us(s, reading && can_accept(s) && !tool_stop, more,
			    deadline, now, &wfd, &nfd);
		curl_multi_poll(s->multi, nfd ? &wfd : NULL, nfd,
				tool_wait_ms(&s->t, (int)((t + 999) / 1000)), NULL);
		pump(s);
	}
	json_doc_free(&doc);
	write_checkpoint(s);
}

static void cleanup(struct sink *s)
{
	for (unsigned i = 0; i < s->workers && s->xfers; i++) {
		curl_multi_remove_handle(s->multi, s->xfers[i].h);
		curl_easy_cleanup(s->xfers[i].h);
		sbuf_free(&s->xfers[i].resp);
		sbuf_free(&s->xfers[i].gz);
	}
	free(s->xfers);
	curl_multi_cleanup(s->multi);
	curl_slist_free_all(s->headers);
	curl_global_cleanup();
	secret_free(s->password);
	free(s->bulk_url);
	jpath_free(s->time_path);
	jpath_free(s->id_path);
	jpath_free(s->routing_path);
	bulk_resp_free(&s->resp);
	json_doc_free(&s->errdoc);
	bulk_ckpt_free(s->ckpt);
	s->ckpt = NULL;
	sbuf_free(&s->scratch);
	sbuf_free(&s->dl);
}

static int exit_code(struct sink *s)
{
	if (s->rejected)
		tool_error(&s->t, "%llu record%s rejected by Elasticsearch and not "
				  "delivered (no --dead-letter)",
			   (unsigned long long)s->rejected,
			   s->rejected == 1 ? "" : "s");
	/* tool_finish() adds what tool_end() recorded (65, 74). */
	return bulk_exit_code(s->unreachable, s->failed, s->rejected);
}

static const char *versions(void)
{
	static char buf[256];
	const curl_version_info_data *v = curl_version_info(CURLVERSION_NOW);

	snprintf(buf, sizeof buf, "libcurl %s%s%s\nzlib %s\n", v->version,
		 v->ssl_version ? " " : "", v->ssl_version ? v->ssl_version : "",
		 zlibVersion());
	return buf;
}

int main(int argc, char **argv)
{
	static struct sink s;
	char err[512];
	int code;

	tool_init(&s.t, "sw-sink-es");
	s.t.versions = versions();
	s.t.stats_fields = stats_fields;
	s.t.ctx = &s;
	s.batch_docs = 1000;
	s.batch_bytes = 5u << 20;
	s.flush_us = 1000000;
	s.workers = 2;
	s.retries = 8;
	s.max_backoff_us = 30000000;
	s.timeout_us = 60000000;
	s.drain_us = 30000000;
	s.tf = (struct timefmt)TIMEFMT_INIT;
	parse_options(&s, argc, argv);
	check_options(&s);
	if (s.checkpoint) {
		s.ckpt = bulk_ckpt_new();
		tool_lock(&s.t, "--checkpoint", s.checkpoint);
		if (bulk_ckpt_load(s.ckpt, s.checkpoint, err, sizeof err) < 0)
			tool_usage_error(&s.t, "--checkpoint: %s", err);
	}
	bulk_backoff_init(&s.backoff, s.max_backoff_us, 0);
	bulk_resp_init(&s.resp);
	json_doc_init(&s.errdoc);
	tool_open_input(&s.t, argv + optind, argc - optind);
	setup_curl(&s);
	run(&s);
	code = exit_code(&s);
	tool_report_final(&s.t); /* with the checkpoint, before it goes */
	cleanup(&s);
	return tool_finish(&s.t, code);
}
