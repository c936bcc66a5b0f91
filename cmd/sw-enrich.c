/*
 * sw-enrich: add what downstream needs (sw-enrich(1)).
 *
 * Options build a pipeline of operations (common/enrich_ops.h) in the order
 * given; each input record goes through it and whatever comes out is
 * written.  A record is all or nothing: its outputs are collected first,
 * so a record that turns out bad half-way leaves no partial output.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "enrich_ops.h"
#include "jqprog.h"
#include "timefmt.h"
#include "tool.h"

enum {
	OPT_FLATTEN = TOOL_OPT_TOOL_BASE,
	OPT_HOSTNAME,
	OPT_JQ,
	OPT_LAG,
	OPT_PROCESSED_AT,
	OPT_SET,
	OPT_SINCE,
	OPT_STAGE,
	OPT_TIME,
	OPT_TIME_FORMAT,
	OPT_TIME_OUT,
	OPT_TIME_OUTPUT,
	OPT_TIME_UNIT,
	OPT_TZ,
	OPT_UUID,
	OPT_UUID_TIME,
	OPT_WHERE,
};

static const struct option longopts[] = {
	{ "dead-letter", required_argument, NULL, TOOL_OPT_DEAD_LETTER },
	{ "flatten", required_argument, NULL, OPT_FLATTEN },
	{ "help", no_argument, NULL, 'h' },
	{ "hostname", optional_argument, NULL, OPT_HOSTNAME },
	{ "jq", required_argument, NULL, OPT_JQ },
	{ "lag", optional_argument, NULL, OPT_LAG },
	{ "max-line", required_argument, NULL, TOOL_OPT_MAX_LINE },
	{ "on-error", required_argument, NULL, TOOL_OPT_ON_ERROR },
	{ "processed-at", optional_argument, NULL, OPT_PROCESSED_AT },
	{ "progress", no_argument, NULL, TOOL_OPT_PROGRESS },
	{ "quiet", no_argument, NULL, 'q' },
	{ "raw-input", no_argument, NULL, 'R' },
	{ "set", required_argument, NULL, OPT_SET },
	{ "since", required_argument, NULL, OPT_SINCE },
	{ "stage", required_argument, NULL, OPT_STAGE },
	{ "stats", no_argument, NULL, TOOL_OPT_STATS },
	TOOL_LONGOPTS_STATS,
	{ "time", required_argument, NULL, OPT_TIME },
	{ "time-format", required_argument, NULL, OPT_TIME_FORMAT },
	{ "time-out", required_argument, NULL, OPT_TIME_OUT },
	{ "time-output", required_argument, NULL, OPT_TIME_OUTPUT },
	{ "time-unit", required_argument, NULL, OPT_TIME_UNIT },
	{ "tz", required_argument, NULL, OPT_TZ },
	{ "unbuffered", no_argument, NULL, 'u' },
	{ "uuid", optional_argument, NULL, OPT_UUID },
	{ "uuid-time", optional_argument, NULL, OPT_UUID_TIME },
	{ "verbose", no_argument, NULL, 'v' },
	{ "version", no_argument, NULL, TOOL_OPT_VERSION },
	{ "where", required_argument, NULL, OPT_WHERE },
	{ NULL, 0, NULL, 0 },
};

static void usage(void)
{
	fputs("Usage: sw-enrich [OPERATION...] [OPTION...] [FILE...]\n"
	      "Add fields to each JSON record; operations apply in the order given.\n"
	      "\n"
	      "Operations:\n"
	      "      --uuid[=FIELD]         random (version 4) UUID (default field uuid)\n"
	      "      --uuid-time[=FIELD]    time-based (version 1) UUID; with --uuid,\n"
	      "                             makes those version 1 instead\n"
	      "      --processed-at[=FIELD] time this tool handled the record\n"
	      "                             (default field processed_at)\n"
	      "      --set FIELD=VALUE      VALUE as JSON when it parses, else a string\n"
	      "      --hostname[=FIELD]     this host's name (default field hostname)\n"
	      "      --stage NAME           append {\"stage\":NAME,\"at\":TIME} to _trace\n"
	      "      --lag[=FIELD]          milliseconds from the time at --since to now\n"
	      "                             (default field lag_ms)\n"
	      "      --since PATH           the event time --lag measures from\n"
	      "      --time PATH            read a timestamp and write it normalised\n"
	      "      --time-out FIELD       where --time writes (default: PATH's name)\n"
	      "      --flatten PATH         merge the object at PATH into the top level\n"
	      "      --jq PROGRAM           any jq program; zero or more outputs each\n"
	      "      --where PROGRAM        keep records for which PROGRAM is true\n"
	      "\n"
	      "Time options:\n"
	      "      --time-format FMT      strptime(3) format for time strings (%z, %f)\n"
	      "      --time-unit UNIT       s, ms, us, ns or auto (default) for numbers\n"
	      "      --time-output FORMAT   rfc3339 (default) or epoch_ms\n"
	      "      --tz ZONE              IANA zone for output and zone-less input\n"
	      "\n"
	      "Input options:\n"
	      TOOL_USAGE_INPUT
	      "\n"
	      TOOL_USAGE_COMMON
	      "\n"
	      SW_EXIT_TABLE,
	      stdout);
}

struct collect {
	struct sbuf buf;
	uint64_t n;
};

static void collect(void *ctx, struct enrich_rec *r)
{
	struct collect *c = ctx;

	enrich_rec_write(r, &c->buf);
	sbuf_putc(&c->buf, '\n');
	c->n++;
}

static void stats_fields(struct tool *t, struct stats *s)
{
	stats_counter(s, "filtered", enrich_filtered(t->ctx),
		      "Records dropped by --filter");
}

static void add_operation(struct tool *t, struct enrich *e, int c,
			  const char *arg)
{
	char err[512];
	int rc = -1;

	switch (c) {
	case OPT_UUID: rc = enrich_add_uuid(e, arg, err, sizeof(err)); break;
	case OPT_UUID_TIME: rc = enrich_add_uuid_time(e, arg, err, sizeof(err)); break;
	case OPT_PROCESSED_AT: rc = enrich_add_processed_at(e, arg, err, sizeof(err)); break;
	case OPT_SET: rc = enrich_add_set(e, arg, err, sizeof(err)); break;
	case OPT_HOSTNAME: rc = enrich_add_hostname(e, arg, err, sizeof(err)); break;
	case OPT_STAGE: rc = enrich_add_stage(e, arg, err, sizeof(err)); break;
	case OPT_LAG: rc = enrich_add_lag(e, arg, err, sizeof(err)); break;
	case OPT_SINCE: rc = enrich_set_since(e, arg, err, sizeof(err)); break;
	case OPT_TIME: rc = enrich_add_time(e, arg, err, sizeof(err)); break;
	case OPT_TIME_OUT: rc = enrich_set_time_out(e, arg, err, sizeof(err)); break;
	case OPT_FLATTEN: rc = enrich_add_flatten(e, arg, err, sizeof(err)); break;
	case OPT_JQ: rc = enrich_add_jq(e, arg, err, sizeof(err)); break;
	case OPT_WHERE: rc = enrich_add_where(e, arg, err, sizeof(err)); break;
	case OPT_TIME_FORMAT: rc = enrich_set_time_format(e, arg, err, sizeof(err)); break;
	case OPT_TIME_UNIT: rc = enrich_set_time_unit(e, arg, err, sizeof(err)); break;
	case OPT_TIME_OUTPUT: rc = enrich_set_time_output(e, arg, err, sizeof(err)); break;
	case OPT_TZ: rc = enrich_set_tz(e, arg, err, sizeof(err)); break;
	default:
		tool_usage_error(t, "unknown option");
	}
	if (rc < 0)
		tool_usage_error(t, "%s", err);
}

int main(int argc, char **argv)
{
	struct tool t;
	struct enrich *e = enrich_new();
	struct json_doc doc;
	struct collect out = { SBUF_INIT, 0 };
	char versions[128], err[512];
	int c, code;

	tool_init(&t, "sw-enrich");
	snprintf(versions, sizeof(versions), "%s\n", jqprog_version());
	t.versions = versions;
	t.stats_fields = stats_fields;
	t.ctx = e;
	while ((c = tool_getopt(&t, argc, argv, "hquvR", longopts)) != -1) {
		if (tool_option(&t, c, optarg))
			continue;
		if (c == 'h') {
			usage();
			exit(fflush(stdout) == 0 ? SW_EXIT_OK : SW_EXIT_IOERR);
		}
		add_operation(&t, e, c, optarg);
	}
	if (enrich_ready(e, err, sizeof(err)) < 0)
		tool_usage_error(&t, "%s", err);

	json_doc_init(&doc);
	tool_open_input(&t, argv + optind, argc - optind);
	while (tool_next_record(&t, &doc) > 0) {
		sbuf_reset(&out.buf);
		out.n = 0;
		if (enrich_run(e, &doc, timefmt_now(), collect, &out, err,
			       sizeof(err)) < 0) {
			tool_bad_record(&t, "%s", err);
			continue;
		}
		if (out.n) {
			out_put(&t.out, out.buf.p, out.buf.len - 1);
			out_end(&t.out);
			t.records_out += out.n;
		}
		tool_tick(&t);
	}
	code = tool_finish(&t, SW_EXIT_OK);
	json_doc_free(&doc);
	sbuf_free(&out.buf);
	enrich_free(e);
	return code;
}
