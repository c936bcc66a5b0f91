/*
 * sw-kafka-mock: librdkafka's in-memory mock cluster as a program, for
 * trying the tools and for tests (contract section 10).
 *
 * It prints the bootstrap address as the first line on stdout and then
 * reads commands, one per line, from stdin (fault injection for tests);
 * each command is answered with one line, "ok" or "error: REASON".  It runs
 * until SIGINT/SIGTERM, or until stdin closes when stdin is a pipe, FIFO,
 * socket or terminal (a regular file or /dev/null is read and then the
 * cluster keeps running until a signal).
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include "kafka_conf.h"
#include "num.h"
#include "sbuf.h"
#include "tool.h"
#include "xalloc.h"

#define MAX_LINE 4096

struct topic_arg {
	const char *name;
	int partitions;
};

static void usage(void)
{
	printf("Usage: sw-kafka-mock [--brokers N] [--topic NAME[:PARTITIONS]]...\n"
	       "\n"
	       "Starts an in-memory Kafka cluster (librdkafka's mock cluster, the real\n"
	       "protocol) on loopback, prints its bootstrap address as the first line on\n"
	       "stdout and runs until SIGINT/SIGTERM or until stdin closes.  Nothing is\n"
	       "kept on disk.  Each partition keeps only about the newest 5 MB (and at\n"
	       "most 100000 produce batches): older messages are deleted, as retention\n"
	       "would.  Topics that do not exist are created on first use with 4\n"
	       "partitions.\n"
	       "\n"
	       "Options:\n"
	       "  -b, --brokers N        number of brokers (default 1)\n"
	       "  -t, --topic NAME[:PARTITIONS]  create a topic (default 1 partition);\n"
	       "                         repeatable\n"
	       "\n"
	       "Commands on stdin, one per line, each answered with \"ok\" or \"error: ...\":\n"
	       "  topic NAME[:PARTITIONS]      create a topic\n"
	       "  broker ID down|up            take a broker down or bring it back\n"
	       "  broker ID rtt MS             delay a broker's responses\n"
	       "  leader TOPIC PARTITION ID    move a partition's leader\n"
	       "  error API ERR...             fail the next requests of API (Produce,\n"
	       "                               Fetch, Metadata, OffsetCommit, ... or a\n"
	       "                               number) with these errors, in order\n"
	       "  topic-error TOPIC ERR        report ERR for TOPIC in metadata\n"
	       "  (ERR: a Kafka error name such as NOT_LEADER_FOR_PARTITION, or a code)\n"
	       "\n"
	       "Common options:\n"
	       "  -h, --help             show this help and exit\n"
	       "      --version          show versions and exit\n"
	       "  -q, --quiet            no warnings\n"
	       "  -v, --verbose          more diagnostics (librdkafka's log)\n"
	       "      --stats            one JSON line of counters on stderr at exit\n"
	       "                         (records: commands; errors: failed commands)\n"
	       TOOL_USAGE_STATS
	       "\n" SW_EXIT_TABLE);
}

static int parse_topic(const char *s, struct topic_arg *ta)
{
	const char *colon = strrchr(s, ':');
	int64_t n = 1;

	if (colon) {
		if (num_parse_i64(colon + 1, 1, 100000, &n) < 0)
			return -1;
	}
	if ((colon ? (size_t)(colon - s) : strlen(s)) == 0)
		return -1;
	ta->name = s;
	ta->partitions = (int)n;
	return 0;
}

static int create_topic(rd_kafka_mock_cluster_t *mc, const char *spec,
			int brokers, char *err, size_t errlen)
{
	struct topic_arg ta;
	char *name;
	rd_kafka_resp_err_t e;
	size_t len;

	if (parse_topic(spec, &ta) < 0) {
		snprintf(err, errlen, "%s: expected NAME[:PARTITIONS]", spec);
		return -1;
	}
	len = strchr(spec, ':') ? (size_t)(strrchr(spec, ':') - spec)
				: strlen(spec);
	name = xstrndup(spec, len);
	e = rd_kafka_mock_topic_create(mc, name, ta.partitions,
				       brokers < 3 ? brokers : 3);
	if (e)
		snprintf(err, errlen, "%s: %s", name, rd_kafka_err2str(e));
	free(name);
	return e ? -1 : 0;
}

/* A Kafka error by name (as rd_kafka_err2name gives it) or number. */
static int parse_err(const char *s, rd_kafka_resp_err_t *e)
{
	const struct rd_kafka_err_desc *d;
	size_t n, i;
	int64_t v;

	if (num_parse_i64(s, -200, 1000, &v) == 0) {
		*e = (rd_kafka_resp_err_t)v;
		return 0;
	}
	if (!strncmp(s, "RD_KAFKA_RESP_ERR_", 18))
		s += 18;
	rd_kafka_get_err_descs(&d, &n);
	for (i = 0; i < n; i++) {
		if (d[i].name && !strcmp(d[i].name, s)) {
			*e = d[i].code;
			return 0;
		}
	}
	return -1;
}

static const struct {
	const char *name;
	int16_t key;
} apis[] = {
	{ "Produce", 0 },	    { "Fetch", 1 },
	{ "ListOffsets", 2 },	    { "Metadata", 3 },
	{ "OffsetCommit", 8 },	    { "OffsetFetch", 9 },
	{ "FindCoordinator", 10 },  { "JoinGroup", 11 },
	{ "Heartbeat", 12 },	    { "LeaveGroup", 13 },
	{ "SyncGroup", 14 },	    { "ApiVersions", 18 },
	{ "InitProducerId", 22 },
};

static int parse_api(const char *s, int16_t *key)
{
	int64_t v;
	size_t i;

	for (i = 0; i < sizeof(apis) / sizeof(apis[0]); i++) {
		if (!strcasecmp(apis[i].name, s)) {
			*key = apis[i].key;
			return 0;
		}
	}
	if (num_parse_i64(s, 0, 100, &v) < 0)
		return -1;
	*key = (int16_t)v;
	return 0;
}

static int parse_id(const char *s, int32_t *id)
{
	int64_t v;

	if (num_parse_i64(s, 0, 100000, &v) < 0)
		return -1;
	*id = (int32_t)v;
	return 0;
}

#define MAX_WORDS 34

static int command(rd_kafka_mock_cluster_t *mc, int brokers, char *line,
		   char *err, size_t errlen)
{
	char *w[MAX_WORDS], *save = NULL, *p;
	int n = 0;
	int32_t id, part;
	rd_kafka_resp_err_t e = 0;

	for (p = strtok_r(line, " \t\r\n", &save); p && n < MAX_WORDS;
	     p = strtok_r(NULL, " \t\r\n", &save))
		w[n++] = p;
	if (n == 0 || w[0][0] == '#')
		return 1; /* nothing to answer */

	if (!strcmp(w[0], "topic") && n == 2)
		return create_topic(mc, w[1], brokers, err, errlen);
	if (!strcmp(w[0], "broker") && n >= 3) {
		if (parse_id(w[1], &id) < 0)
			goto bad;
		if (!strcmp(w[2], "down") && n == 3)
			e = rd_kafka_mock_broker_set_down(mc, id);
		else if (!strcmp(w[2], "up") && n == 3)
			e = rd_kafka_mock_broker_set_up(mc, id);
		else if (!strcmp(w[2], "rtt") && n == 4) {
			int32_t ms;

			if (parse_id(w[3], &ms) < 0)
				goto bad;
			e = rd_kafka_mock_broker_set_rtt(mc, id, ms);
		} else
			goto bad;
	} else if (!strcmp(w[0], "leader") && n == 4) {
		if (parse_id(w[2], &part) < 0 || parse_id(w[3], &id) < 0)
			goto bad;
		e = rd_kafka_mock_partition_set_leader(mc, w[1], part, id);
	} else if (!strcmp(w[0], "error") && n >= 3) {
		rd_kafka_resp_err_t errs[MAX_WORDS];
		int16_t api;
		int i;

		if (parse_api(w[1], &api) < 0) {
			snprintf(err, errlen, "%s: unknown API", w[1]);
			return -1;
		}
		for (i = 2; i < n; i++) {
			if (parse_err(w[i], &errs[i - 2]) < 0) {
				snprintf(err, errlen, "%s: unknown error", w[i]);
				return -1;
			}
		}
		rd_kafka_mock_push_request_errors_array(mc, api, (size_t)(n - 2),
							errs);
	} else if (!strcmp(w[0], "topic-error") && n == 3) {
		if (parse_err(w[2], &e) < 0) {
			snprintf(err, errlen, "%s: unknown error", w[2]);
			return -1;
		}
		rd_kafka_mock_topic_set_error(mc, w[1], e);
		e = 0;
	} else {
		goto bad;
	}
	if (e) {
		snprintf(err, errlen, "%s", rd_kafka_err2str(e));
		return -1;
	}
	return 0;
bad:
	snprintf(err, errlen, "%s: unknown command or bad arguments", w[0]);
	return -1;
}

static void reply(struct tool *t, const char *s, const char *err)
{
	out_put(&t->out, s, strlen(s));
	if (err)
		out_put(&t->out, err, strlen(err));
	out_end(&t->out);
	tool_flush(t);
}

/* Whether end of stdin means "stop": true for pipes, FIFOs, sockets and
 * terminals, false for /dev/null and regular files. */
static int stdin_is_control(void)
{
	struct stat st;

	if (isatty(0))
		return 1;
	if (fstat(0, &st) < 0)
		return 0;
	return S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode);
}

/* Reads commands until stdin ends (or a stop).  Returns 1 when end of
 * stdin should stop the cluster. */
static int serve(struct tool *t, rd_kafka_mock_cluster_t *mc, int brokers)
{
	struct sbuf in = SBUF_INIT;
	int control = stdin_is_control(), rc = 0;
	char buf[4096], err[512];

	while (!tool_stop) {
		struct pollfd pfd = { .fd = 0, .events = POLLIN };
		ssize_t r;
		char *nl;

		if (poll(&pfd, 1, tool_wait_ms(t, 200)) <= 0)
			continue;
		r = read(0, buf, sizeof(buf));
		if (r < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (r <= 0) {
			rc = control;
			break;
		}
		sbuf_put(&in, buf, (size_t)r);
		while ((nl = memchr(in.p, '\n', in.len))) {
			size_t n = (size_t)(nl - in.p) + 1;
			int c;

			*nl = '\0';
			c = command(mc, brokers, in.p, err, sizeof(err));
			t->records_in++;
			t->records_out += c == 0;
			t->errors += c < 0;
			if (c == 0)
				reply(t, "ok", NULL);
			else if (c < 0)
				reply(t, "error: ", err);
			memmove(in.p, in.p + n, in.len - n);
			in.len -= n;
		}
		if (in.len > MAX_LINE)
			in.len = 0;
	}
	sbuf_free(&in);
	return rc;
}

static void stats_fields(struct tool *t, struct stats *s)
{
	stats_gauge(s, "brokers", *(const int64_t *)t->ctx,
		    "Brokers in the cluster");
}

static void log_cb(const rd_kafka_t *rk, int level, const char *fac,
		   const char *msg)
{
	struct tool *t = rd_kafka_opaque(rk);

	(void)level;
	tool_info(t, "librdkafka: %s: %s", fac, msg);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "brokers", required_argument, NULL, 'b' },
		{ "help", no_argument, NULL, 'h' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "stats", no_argument, NULL, TOOL_OPT_STATS },
		TOOL_LONGOPTS_STATS,
		{ "topic", required_argument, NULL, 't' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "version", no_argument, NULL, TOOL_OPT_VERSION },
		{ NULL, 0, NULL, 0 },
	};
	static struct tool t;
	const char **topics = NULL;
	size_t ntopics = 0, i;
	int64_t brokers = 1;
	rd_kafka_conf_t *conf;
	rd_kafka_t *rk = NULL;
	rd_kafka_mock_cluster_t *mc = NULL;
	char err[512];
	const char *boot;
	int c, code = SW_EXIT_OK;

	tool_init(&t, "sw-kafka-mock");
	t.stats_fields = stats_fields;
	t.ctx = &brokers;
	t.versions = kafka_version_line();
	while ((c = tool_getopt(&t, argc, argv, "b:hqt:v", longopts)) != -1) {
		struct topic_arg ta;

		switch (c) {
		case 'b':
			if (num_parse_i64(optarg, 1, 64, &brokers) < 0)
				tool_usage_error(&t, "--brokers: %s: expected a number from 1 to 64",
						 optarg);
			break;
		case 'h':
			usage();
			return SW_EXIT_OK;
		case 't':
			if (parse_topic(optarg, &ta) < 0)
				tool_usage_error(&t, "--topic: %s: expected NAME[:PARTITIONS]",
						 optarg);
			topics = xrealloc(topics, (ntopics + 1) * sizeof(*topics));
			topics[ntopics++] = optarg;
			break;
		case 'q':
		case 'v':
		case TOOL_OPT_VERSION:
		case TOOL_OPT_STATS:
		case TOOL_OPT_STATS_EVERY:
		case TOOL_OPT_STATS_FILE:
		case TOOL_OPT_STATS_FORMAT:
			tool_option(&t, c, optarg);
			break;
		default:
			tool_usage_error(&t, "unknown option");
		}
	}
	if (optind < argc)
		tool_usage_error(&t, "unexpected argument: %s", argv[optind]);
	tool_start(&t);

	conf = rd_kafka_conf_new();
	rd_kafka_conf_set_opaque(conf, &t);
	rd_kafka_conf_set_log_cb(conf, log_cb);
	rd_kafka_conf_set(conf, "log_level", t.verbose ? "7" : "3", NULL, 0);
	rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof(err));
	if (!rk) {
		rd_kafka_conf_destroy(conf);
		tool_die(&t, SW_EXIT_FAIL, "librdkafka: %s", err);
	}
	conf = NULL;
	mc = rd_kafka_mock_cluster_new(rk, (int)brokers);
	if (!mc) {
		code = SW_EXIT_FAIL;
		tool_error(&t, "cannot start the mock cluster");
		goto out;
	}
	for (i = 0; i < ntopics; i++) {
		if (create_topic(mc, topics[i], (int)brokers, err, sizeof(err))) {
			code = SW_EXIT_FAIL;
			tool_error(&t, "--topic %s", err);
			goto out;
		}
	}
	boot = rd_kafka_mock_cluster_bootstraps(mc);
	out_put(&t.out, boot, strlen(boot));
	out_end(&t.out);
	tool_flush(&t);
	tool_info(&t, "cluster of %d broker(s) at %s", (int)brokers, boot);
	if (!serve(&t, mc, (int)brokers)) {
		while (!tool_stop)
			poll(NULL, 0, tool_wait_ms(&t, 200));
	}
out:
	if (mc)
		rd_kafka_mock_cluster_destroy(mc);
	rd_kafka_destroy(rk);
	free(topics);
	return tool_finish(&t, code);
}
