/*
 * sw-mqtt: MQTT in and out (sw-mqtt(1)).
 *
 *   sw-mqtt sub -b HOST[:PORT] -t FILTER… [--qos N] [-c N] [--idle-exit DUR]
 *   … | sw-mqtt pub -b HOST[:PORT] (-t TOPIC | --topic-from PATH) [--qos N]
 *
 * The connection (TLS, credentials, sessions, reconnection) is
 * common/mqtt_client.c; messages become records in common/mqtt_msg.c.  This
 * file parses options and runs the two loops.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "duration.h"
#include "jpath.h"
#include "mqtt_client.h"
#include "mqtt_msg.h"
#include "num.h"
#include "secret.h"
#include "timefmt.h"
#include "tool.h"
#include "xalloc.h"

enum {
	OPT_CAFILE = TOOL_OPT_TOOL_BASE,
	OPT_CERT,
	OPT_CLIENT_ID,
	OPT_DRAIN_TIMEOUT,
	OPT_FIELD,
	OPT_IDLE_EXIT,
	OPT_KEY,
	OPT_PASSWORD_FILE,
	OPT_QOS,
	OPT_RETAIN,
	OPT_SESSION,
	OPT_TIMEOUT,
	OPT_TOPIC_FROM,
	OPT_USER,
	OPT_VALUE_FORMAT,
	OPT_VALUE_ONLY,
};

/* The values of --qos, in sub and pub. */
static const char *const qos_names[] = { "0", "1", "2", NULL };

static const struct tool_opt sub_opts[] = {
	{ "topic", required_argument, 't', "FILTER",
	  "subscribe to FILTER (+ and # wildcards; repeatable)", NULL },
	{ "qos", required_argument, OPT_QOS, NULL,
	  "subscription QoS (default 0; 1 with --session)", qos_names },
	{ "count", required_argument, 'c', "N", "exit after N messages", NULL },
	{ "idle-exit", required_argument, OPT_IDLE_EXIT, "DUR",
	  "exit when no message came for DUR (e.g. 10s)", NULL },
	{ "value-format", required_argument, OPT_VALUE_FORMAT, NULL,
	  "how to read the payload (default json)",
	  valfmt_names },
	{ "value-only", no_argument, OPT_VALUE_ONLY, NULL,
	  "write just the value, not the envelope", NULL },
	{ NULL, 0, 0, NULL, NULL, NULL },
};

static const struct tool_opt pub_opts[] = {
	{ "topic", required_argument, 't', "TOPIC",
	  "publish every record to TOPIC", NULL },
	{ "topic-from", required_argument, OPT_TOPIC_FROM, "PATH",
	  "the topic of each record from its string field PATH", NULL },
	{ "qos", required_argument, OPT_QOS, NULL,
	  "QoS of the messages (default 0)", qos_names },
	{ "retain", no_argument, OPT_RETAIN, NULL,
	  "ask the broker to retain the messages", NULL },
	{ "field", required_argument, OPT_FIELD, "PATH",
	  "send this field (a string's bytes) instead of the record", NULL },
	{ "drain-timeout", required_argument, OPT_DRAIN_TIMEOUT, "DUR",
	  "at the end, wait this long for acknowledgements (default 30s)",
	  NULL },
	{ NULL, 0, 0, NULL, NULL, NULL },
};

static const struct tool_opt conn_opts[] = {
	{ "brokers", required_argument, 'b', "HOST[:PORT]",
	  "the broker (default localhost:1883, :8883 with TLS)", NULL },
	{ "timeout", required_argument, OPT_TIMEOUT, "DUR",
	  "give up (exit 69) when no connection within DUR (default 10s)",
	  NULL },
	{ "client-id", required_argument, OPT_CLIENT_ID, "ID",
	  "client identifier (default: sw-mqtt-sub- or\n"
	  "sw-mqtt-pub- and 8 random hex digits)", NULL },
	{ "session", required_argument, OPT_SESSION, "NAME",
	  "persistent session: client id NAME, messages kept while away",
	  NULL },
	{ "user", required_argument, OPT_USER, "NAME",
	  "user name; the password from --password-file or $SW_MQTT_PASSWORD",
	  NULL },
	{ "password-file", required_argument, OPT_PASSWORD_FILE, "FILE",
	  "the password: the first line of FILE", NULL },
	{ "cafile", required_argument, OPT_CAFILE, "FILE",
	  "TLS, trusting the CA certificates in FILE", NULL },
	{ "cert", required_argument, OPT_CERT, "FILE",
	  "TLS client certificate (with --key)", NULL },
	{ "key", required_argument, OPT_KEY, "FILE", "private key of --cert",
	  NULL },
	{ NULL, 0, 0, NULL, NULL, NULL },
};

enum { SUB, PUB };

/* sub is SUB, PUB, or -1 for the help of both. */
static void usage(int sub)
{
	fputs("Usage:\n", stdout);
	if (sub != PUB)
		fputs("  sw-mqtt sub -b HOST[:PORT] -t FILTER [-t FILTER...] [--qos 0|1|2] [-c N]\n"
		      "             [--idle-exit DUR] [--value-format json|string|base64] [--value-only]\n",
		      stdout);
	if (sub != SUB)
		fputs("  ... | sw-mqtt pub -b HOST[:PORT] (-t TOPIC | --topic-from PATH) [--qos 0|1|2]\n"
		      "             [--retain] [--field PATH] [FILE...]\n",
		      stdout);
	fputs("MQTT to NDJSON (sub) and NDJSON to MQTT (pub).\n\n", stdout);
}

static const struct tool_cli cli = {
	.usage = usage,
	.groups = (const struct tool_optgroup[]){
		{ "Subscribe options (sub):", sub_opts, 1u << SUB },
		{ "Publish options (pub):", pub_opts, 1u << PUB },
		{ "Connection options:", conn_opts, 0 },
		{ "Common options:", tool_opts_common, 0 },
		{ "", tool_opts_bad_input, 0 },
		{ "", tool_opts_input, 1u << PUB },
		{ NULL, NULL, 0 },
	},
	.subs = TOOL_VALUES("sub", "pub"),
	.operands = "FILE",
	.operand_subs = 1u << PUB, /* sub takes no operands */
};

struct opts {
	int pub;
	const char *brokers;
	char **topics;
	int ntopics;
	int qos; /* -1: not given */
	uint64_t count;
	int64_t idle_us;
	enum valfmt vf;
	int value_only;
	const char *topic_from;
	const char *field;
	int retain;
	int64_t timeout_us;
	int64_t drain_us;
	const char *client_id;
	const char *session;
	const char *user;
	const char *password_file;
	const char *cafile;
	const char *cert;
	const char *key;
};

static int64_t parse_dur(struct tool *t, const char *flag, const char *s)
{
	char err[200];
	int64_t us;

	if (duration_parse(s, &us, err, sizeof err) < 0)
		tool_usage_error(t, "%s: %s", flag, err);
	return us;
}

/* Options given to the wrong subcommand are usage errors, not ignored. */
static void only_for(struct tool *t, const struct opts *o, int pub,
		     int given, const char *flag)
{
	if (given && o->pub != pub)
		tool_usage_error(t, "%s is for 'sw-mqtt %s'", flag,
				 pub ? "pub" : "sub");
}

static void parse_opts(struct tool *t, struct opts *o, int argc, char **argv)
{
	int c, raw = 0, maxline = 0;
	int64_t v;

	while ((c = tool_getopt(t, argc, argv)) != -1) {
		if (c == 'R')
			raw = 1;
		if (c == TOOL_OPT_MAX_LINE)
			maxline = 1;
		if (tool_option(t, c, optarg))
			continue;
		switch (c) {
		case 'b':
			o->brokers = optarg;
			break;
		case 't':
			o->topics = xrealloc(o->topics, sizeof(char *) * (size_t)(o->ntopics + 1));
			o->topics[o->ntopics++] = optarg;
			break;
		case 'c':
			if (num_parse_u64(optarg, 1, UINT64_MAX, &o->count))
				tool_usage_error(t, "--count: not a count above 0: '%s'", optarg);
			break;
		case OPT_QOS:
			if (num_parse_i64(optarg, 0, 2, &v))
				tool_usage_error(t, "--qos: '%s': expected 0, 1 or 2", optarg);
			o->qos = (int)v;
			break;
		case OPT_IDLE_EXIT:
			o->idle_us = parse_dur(t, "--idle-exit", optarg);
			if (o->idle_us == 0)
				tool_usage_error(t, "--idle-exit: must be above 0");
			break;
		case OPT_VALUE_FORMAT:
			if (valfmt_parse(optarg, NULL, &o->vf, NULL, 0))
				tool_usage_error(t, "--value-format: '%s': expected json, string or base64",
						 optarg);
			break;
		case OPT_VALUE_ONLY:
			o->value_only = 1;
			break;
		case OPT_TOPIC_FROM:
			o->topic_from = optarg;
			break;
		case OPT_FIELD:
			o->field = optarg;
			break;
		case OPT_RETAIN:
			o->retain = 1;
			break;
		case OPT_TIMEOUT:
			o->timeout_us = parse_dur(t, "--timeout", optarg);
			break;
		case OPT_DRAIN_TIMEOUT:
			o->drain_us = parse_dur(t, "--drain-timeout", optarg);
			break;
		case OPT_CLIENT_ID:
			o->client_id = optarg;
			break;
		case OPT_SESSION:
			o->session = optarg;
			break;
		case OPT_USER:
			o->user = optarg;
			break;
		case OPT_PASSWORD_FILE:
			o->password_file = optarg;
			break;
		case OPT_CAFILE:
			o->cafile = optarg;
			break;
		case OPT_CERT:
			o->cert = optarg;
			break;
		case OPT_KEY:
			o->key = optarg;
			break;
		default:
			fprintf(stderr, "Try 'sw-mqtt %s --help'.\n", o->pub ? "pub" : "sub");
			exit(SW_EXIT_USAGE);
		}
	}
	if (t->sub < 0)
		tool_usage_error(t, "missing a subcommand: sub or pub");
	only_for(t, o, 0, o->count != 0, "--count");
	only_for(t, o, 0, o->idle_us != 0, "--idle-exit");
	only_for(t, o, 0, o->value_only, "--value-only");
	only_for(t, o, 0, o->vf != VALFMT_JSON, "--value-format");
	only_for(t, o, 1, o->topic_from != NULL, "--topic-from");
	only_for(t, o, 1, o->field != NULL, "--field");
	only_for(t, o, 1, o->retain, "--retain");
	only_for(t, o, 1, o->drain_us != -1, "--drain-timeout");
	only_for(t, o, 1, raw, "--raw-input");
	only_for(t, o, 1, maxline, "--max-line");
	if (o->drain_us == -1)
		o->drain_us = 30000000;
	if (!o->pub && optind < argc)
		tool_usage_error(t, "sub takes no arguments: '%s'", argv[optind]);
	if (!o->pub && o->ntopics == 0)
		tool_usage_error(t, "sub needs at least one -t FILTER");
	for (int i = 0; !o->pub && i < o->ntopics; i++)
		if (mqtt_topic_check(o->topics[i], 1) < 0)
			tool_usage_error(t, "-t: '%s' is not a topic filter", o->topics[i]);
	if (o->pub && (o->ntopics != 0) == (o->topic_from != NULL))
		tool_usage_error(t, "pub needs one -t TOPIC or --topic-from PATH");
	if (o->pub && o->ntopics > 1)
		tool_usage_error(t, "pub publishes to one -t TOPIC (--topic-from for several)");
	if (o->session && o->client_id && strcmp(o->session, o->client_id) != 0)
		tool_usage_error(t, "--session NAME is the client id: give one of --session and --client-id");
	if (!o->cert != !o->key)
		tool_usage_error(t, "--cert and --key go together");
	if (o->password_file && !o->user)
		tool_usage_error(t, "--password-file needs --user");
	if (o->qos < 0)
		o->qos = o->session && !o->pub ? 1 : 0;
}

/* The password: the first line of --password-file, else
 * $SW_MQTT_PASSWORD.  Never from the command line. */
static char *read_password(struct tool *t, const struct opts *o)
{
	char err[512], *pw;

	if (!o->user)
		return NULL;
	if (!o->password_file)
		return secret_from_env("SW_MQTT_PASSWORD");
	if (secret_read_file(o->password_file, &pw, err, sizeof err) < 0)
		tool_usage_error(t, "--password-file: %s", err);
	return pw;
}

static void on_event(void *ctx, enum mqtt_event ev, const char *detail)
{
	struct tool *t = ctx;

	switch (ev) {
	case MQTT_EV_CONNECTED:
		tool_info(t, "connected (%s)", detail);
		break;
	case MQTT_EV_SUBSCRIBED:
		tool_info(t, "subscribed");
		break;
	case MQTT_EV_LOST:
		tool_warn(t, "connection lost: %s; reconnecting", detail);
		break;
	case MQTT_EV_RETRY:
		tool_info(t, "connection attempt failed: %s", detail);
		break;
	}
}

/* The connection of either subcommand: exits 69 when the broker cannot be
 * reached within --timeout, 1 when it refuses us. */
static struct mqtt_client *connect_broker(struct tool *t, const struct opts *o,
					  struct mqtt_conf *conf)
{
	struct mqtt_client *c;
	char err[300];
	int rc;

	c = mqtt_client_new(conf, err, sizeof err);
	if (!c)
		tool_usage_error(t, "%s", err);
	rc = mqtt_client_connect(c, (int)(o->timeout_us / 1000), err, sizeof err);
	switch (rc) {
	case MQTT_OK:
		return c;
	case MQTT_UNREACHABLE:
		mqtt_client_close(c);
		tool_die(t, SW_EXIT_UNAVAILABLE, "%s:%d: cannot connect within %.3gs: %s",
			 conf->host, conf->port, (double)o->timeout_us / 1e6, err);
	case MQTT_UNTRUSTED:
		mqtt_client_close(c);
		tool_die(t, SW_EXIT_UNAVAILABLE, "%s:%d: cannot connect: %s",
			 conf->host, conf->port, err);
	case MQTT_REFUSED:
		mqtt_client_close(c);
		tool_die(t, SW_EXIT_FAIL, "%s:%d: %s", conf->host, conf->port, err);
	default:
		/* Stopped by a signal before anything happened. */
		mqtt_client_close(c);
		exit(tool_finish(t, SW_EXIT_OK));
	}
}

/* --- sub ------------------------------------------------------------------ */

struct sub {
	struct tool *t;
	const struct opts *o;
	struct json_doc doc;
	struct sbuf rec;
	uint64_t n;
	int got;
	int done;
};

static void sub_message(void *ctx, const struct mqtt_message *m)
{
	struct sub *s = ctx;
	char err[300], src[300];

	/* Past --count, a message read in the same step is written anyway:
	 * libmosquitto acknowledged it before this call, so the broker will
	 * not send it again.  Once the run ends (bad input under --on-error
	 * fail, output failed) no more are written. */
	if (tool_ended(s->t))
		return;
	s->got = 1;
	s->n++;
	s->t->records_in++;
	sbuf_reset(&s->rec);
	if (mqtt_msg_format(&s->rec, &s->doc, m, timefmt_now() / 1000, s->o->vf,
			    s->o->value_only, err, sizeof err) < 0) {
		snprintf(src, sizeof src, "topic %s", m->topic);
		tool_bad_input(s->t, src, s->n, m->payload, m->len, "%s", err);
	} else {
		out_put(&s->t->out, s->rec.p, s->rec.len);
		out_end(&s->t->out);
		s->t->records_out++;
	}
	if (s->o->count && s->n >= s->o->count)
		s->done = 1;
	tool_tick(s->t);
}

static void event_sub(void *ctx, enum mqtt_event ev, const char *detail)
{
	on_event(((struct sub *)ctx)->t, ev, detail);
}

static struct mqtt_client *stats_client;

static void stats_reconnects(struct tool *t, struct stats *s)
{
	(void)t;
	stats_counter(s, "reconnects", mqtt_client_reconnects(stats_client),
		      "Connections to the broker made again after a loss");
}

static int run_sub(struct tool *t, const struct opts *o, struct mqtt_conf *conf)
{
	struct sub s = { .t = t, .o = o };
	struct mqtt_client *c;
	char err[300];
	int64_t last;

	json_doc_init(&s.doc);
	conf->on_message = sub_message;
	conf->on_event = event_sub;
	conf->ctx = &s;
	tool_start(t);
	c = connect_broker(t, o, conf);
	stats_client = c;
	t->stats_fields = stats_reconnects;
	last = timefmt_mono_us();
	while (!tool_stopping(t) && !s.done) {
		int wait_ms = 1000;

		/* Block only with nothing held back: a live source must not
		 * sit on records while it waits. */
		if (!s.got && tool_flush(t) < 0)
			break;
		if (s.got)
			wait_ms = 0;
		if (o->idle_us) {
			int64_t left = last + o->idle_us - timefmt_mono_us();
			if (left <= 0 && !s.got)
				break;
			if (left / 1000 < wait_ms)
				wait_ms = (int)(left > 0 ? (left + 999) / 1000 : 0);
		}
		s.got = 0;
		if (mqtt_client_run(c, tool_wait_ms(t, wait_ms), err,
				    sizeof err) == MQTT_REFUSED) {
			mqtt_client_close(c);
			tool_die(t, SW_EXIT_FAIL, "%s:%d: %s", conf->host, conf->port, err);
		}
		if (s.got)
			last = timefmt_mono_us();
		/* Ends the run, quietly when the reader went away. */
		if (t->out.err || out_reader_gone(&t->out))
			tool_flush(t);
	}
	/* Disconnect while stats_client is still wanted by --stats. */
	int code = tool_finish(t, SW_EXIT_OK);
	mqtt_client_close(c);
	json_doc_free(&s.doc);
	sbuf_free(&s.rec);
	return code;
}

/* --- pub ------------------------------------------------------------------ */

/* Messages handed over but not acknowledged, above which pub stops reading
 * input until acknowledgements come back: memory stays bounded. */
#define PUB_MAX_PENDING 1000

struct pub {
	struct tool *t;
	struct mqtt_client *c;
	const struct opts *o;
	struct jpath *topic_from;
	struct jpath *field;
	struct sbuf topic;
	struct sbuf payload;
};

static void pub_die_refused(struct pub *p, const char *err)
{
	tool_die(p->t, SW_EXIT_FAIL, "%s", err);
}

/* One step of network work; a refused reconnection ends the run. */
static void pub_run(struct pub *p, int wait_ms)
{
	char err[300];

	if (wait_ms)
		wait_ms = tool_wait_ms(p->t, wait_ms);
	if (mqtt_client_run(p->c, wait_ms, err, sizeof err) == MQTT_REFUSED)
		pub_die_refused(p, err);
}

/* Topic and payload of the current record; 0, or -1 after reporting it as
 * bad input. */
static int pub_prepare(struct pub *p, const struct json_doc *doc,
		       const char **topic, const char **payload, size_t *len)
{
	char err[300];
	struct jval v;
	int rc;

	*topic = p->o->ntopics ? p->o->topics[0] : NULL;
	if (p->topic_from) {
		rc = jpath_eval(p->topic_from, doc, &v, err, sizeof err);
		if (rc <= 0 || v.type != JSON_STRING) {
			tool_bad_record(p->t, "--topic-from %s: %s", p->o->topic_from,
					rc < 0 ? err : rc == 0 ? "missing" : "not a string");
			return -1;
		}
		sbuf_reset(&p->topic);
		json_unescape(v.p, v.n, &p->topic);
		if (strlen(p->topic.p) != p->topic.len) {
			tool_bad_record(p->t, "--topic-from %s: topic contains NUL", p->o->topic_from);
			return -1;
		}
		*topic = p->topic.p;
	}
	*payload = doc->text.p;
	*len = doc->text.len;
	if (p->field) {
		rc = jpath_eval(p->field, doc, &v, err, sizeof err);
		if (rc <= 0) {
			tool_bad_record(p->t, "--field %s: %s", p->o->field,
					rc < 0 ? err : "missing");
			return -1;
		}
		if (v.type == JSON_STRING) {
			sbuf_reset(&p->payload);
			json_unescape(v.p, v.n, &p->payload);
			*payload = p->payload.p;
			*len = p->payload.len;
		} else {
			*payload = v.p;
			*len = v.n;
		}
	}
	return 0;
}

static void stats_pub(struct tool *t, struct stats *s)
{
	struct pub *p = t->ctx;

	stats_gauge(s, "unacked", (int64_t)mqtt_client_unacked(p->c),
		    "QoS 1 and 2 messages in flight: sent, not yet acknowledged");
	stats_counter(s, "reconnects", mqtt_client_reconnects(p->c),
		      "Connections to the broker made again after a loss");
}

static int run_pub(struct tool *t, const struct opts *o, struct mqtt_conf *conf,
		   char **files, int nfiles)
{
	struct pub p = { .t = t, .o = o };
	struct json_doc doc;
	const char *topic, *payload;
	char err[300];
	size_t len;
	int rc, code = SW_EXIT_OK;

	if (o->topic_from &&
	    jpath_compile(&p.topic_from, o->topic_from, 0, err, sizeof err) < 0)
		tool_usage_error(t, "--topic-from: %s", err);
	if (o->field && jpath_compile(&p.field, o->field, 0, err, sizeof err) < 0)
		tool_usage_error(t, "--field: %s", err);
	if (o->ntopics && mqtt_topic_check(o->topics[0], 0) < 0)
		tool_usage_error(t, "-t: '%s' is not a topic to publish to (no + or #)",
				 o->topics[0]);
	json_doc_init(&doc);
	conf->on_event = on_event;
	conf->ctx = t;
	tool_open_input(t, files, nfiles);
	p.c = connect_broker(t, o, conf);
	t->ctx = &p;
	t->stats_fields = stats_pub;
	for (uint64_t i = 0;; i++) {
		/* Keep the connection up and the backlog bounded. */
		while (!tool_stopping(t) && (!mqtt_client_connected(p.c) ||
				      mqtt_client_unacked(p.c) >= PUB_MAX_PENDING))
			pub_run(&p, 100);
		/* Serve the network while the input is quiet (acks, pings). */
		while (!tool_stopping(t) && ndjson_wait(t->in, 200) == 0)
			pub_run(&p, 0);
		if (!tool_next_record(t, &doc))
			break;
		if (pub_prepare(&p, &doc, &topic, &payload, &len) < 0)
			continue;
		while ((rc = mqtt_client_publish(p.c, topic, payload, len, o->qos,
						 o->retain, err, sizeof err)) ==
		       MQTT_UNREACHABLE && !tool_stop)
			pub_run(&p, 100);
		if (rc == MQTT_ERR) {
			tool_bad_record(t, "%s", err);
			continue;
		}
		if (rc == MQTT_OK)
			t->records_out++;
		tool_tick(t);
		if ((i & 31) == 0 || mqtt_client_want_write(p.c))
			pub_run(&p, 0);
	}
	/* Deliver what is in flight, for --drain-timeout at most. */
	int64_t deadline = timefmt_mono_us() + o->drain_us;
	while ((mqtt_client_unacked(p.c) > 0 || mqtt_client_want_write(p.c)) &&
	       timefmt_mono_us() < deadline)
		pub_run(&p, 100);
	if (mqtt_client_unacked(p.c) > 0) {
		tool_error(t, "%llu of %llu messages not acknowledged by the broker",
			   (unsigned long long)mqtt_client_unacked(p.c),
			   (unsigned long long)t->records_out);
		code = SW_EXIT_TEMPFAIL;
	}
	code = tool_finish(t, code);
	mqtt_client_close(p.c);
	jpath_free(p.topic_from);
	jpath_free(p.field);
	sbuf_free(&p.topic);
	sbuf_free(&p.payload);
	json_doc_free(&doc);
	return code;
}

int main(int argc, char **argv)
{
	struct tool t;
	struct opts o = { .qos = -1, .timeout_us = 10000000, .drain_us = -1 };
	struct mqtt_conf conf = { 0 };
	char err[300], *host = NULL, *password;
	int code;

	tool_init(&t, "sw-mqtt");
	t.versions = mqtt_lib_version();
	tool_cli(&t, &cli);
	o.pub = tool_subcommand(&t, &argc, &argv) == PUB;
	parse_opts(&t, &o, argc, argv);

	if (mqtt_parse_broker(o.brokers ? o.brokers : "localhost",
			      o.cafile || o.cert ? MQTT_PORT_TLS : MQTT_PORT,
			      &host, &conf.port, err, sizeof err) < 0)
		tool_usage_error(&t, "--brokers: %s", err);
	password = read_password(&t, &o);
	conf.host = host;
	conf.client_id = o.session ? o.session : o.client_id;
	conf.client_id_prefix = o.pub ? "sw-mqtt-pub" : "sw-mqtt-sub";
	conf.clean_session = o.session == NULL;
	conf.user = o.user;
	conf.password = password;
	conf.cafile = o.cafile;
	conf.cert = o.cert;
	conf.key = o.key;
	conf.keepalive = 30;
	conf.filters = o.pub ? NULL : o.topics;
	conf.nfilters = o.pub ? 0 : o.ntopics;
	conf.qos = o.qos;
	conf.wait = tool_wait_step(&t);
	if (o.pub)
		code = run_pub(&t, &o, &conf, argv + optind, argc - optind);
	else
		code = run_sub(&t, &o, &conf);
	free(host);
	secret_free(password);
	free(o.topics);
	return code;
}
