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

static const struct tool_opt operations[] = {
	{ "uuid", optional_argument, OPT_UUID, "FIELD",
	  "random (version 4) UUID (default field uuid)", NULL },
	{ "uuid-time", optional_argument, OPT_UUID_TIME, "FIELD",
	  "time-based (version 1) UUID; with --uuid,\nmakes those version 1 instead",
	  NULL },
	{ "processed-at", optional_argument, OPT_PROCESSED_AT, "FIELD",
	  "time this tool handled the record\n(default field processed_at)", NULL },
	{ "set", required_argument, OPT_SET, "FIELD=VALUE",
	  "VALUE as JSON when it parses, else a string", NULL },
	{ "hostname", optional_argument, OPT_HOSTNAME, "FIELD",
	  "this host's name (default field hostname)", NULL },
	{ "stage", required_argument, OPT_STAGE, "NAME",
	  "append {\"stage\":NAME,\"at\":TIME} to _trace", NULL },
	{ "lag", optional_argument, OPT_LAG, "FIELD",
	  "milliseconds from the time at --since to now\n(default field lag_ms)",
	  NULL },
	{ "since", required_argument, OPT_SINCE, "PATH",
	  "the event time --lag measures from", NULL },
	{ "time", required_argument, OPT_TIME, "PATH",
	  "read a timestamp and write it normalised", NULL },
	{ "time-out", required_argument, OPT_TIME_OUT, "FIELD",
	  "where --time writes (default: PATH's name)", NULL },
	{ "flatten", required_argument, OPT_FLATTEN, "PATH",
	  "merge the object at PATH into the top level", NULL },
	{ "jq", required_argument, OPT_JQ, "PROGRAM",
	  "any jq program; zero or more outputs each", NULL },
	{ "where", required_argument, OPT_WHERE, "PROGRAM",
	  "keep records for which PROGRAM is true", NULL },
	{ NULL, 0, 0, NULL, NULL, NULL },
};

static const struct tool_opt time_opts[] = {
	{ "time-format", required_argument, OPT_TIME_FORMAT, "FMT",
	  "strptime(3) format for time strings (%z, %f)", NULL },
	{ "time-unit", required_argument, OPT_TIME_UNIT, NULL,
	  "unit of epoch numbers (default auto)", timefmt_unit_names },
	{ "time-output", required_argument, OPT_TIME_OUTPUT, NULL,
	  "form of times written (default rfc3339)", timefmt_output_names },
	{ "tz", required_argument, OPT_TZ, "ZONE",
	  "IANA zone for output and zone-less input", NULL },
	{ NULL, 0, 0, NULL, NULL, NULL },
};

static void usage(int sub)
{
	(void)sub;
	fputs("Usage: sw-enrich [OPERATION...] [OPTION...] [FILE...]\n"
	      "Add fields to each JSON record; operations apply in the order given.\n"
	      "\n",
	      stdout);
}

static const struct tool_cli cli = {
	.usage = usage,
	.groups = (const struct tool_optgroup[]){
		{ "Operations:", operations, 0 },
		{ "Time options:", time_opts, 0 },
		{ "Input options:", tool_opts_input, 0 },
		{ "Common options:", tool_opts_common, 0 },
		{ "", tool_opts_bad_input, 0 },
		{ NULL, NULL, 0 },
	},
	.operands = "FILE",
};

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
	tool_cli(&t, &cli);
	while ((c = tool_getopt(&t, argc, argv)) != -1) {
		if (tool_option(&t, c, optarg))
			continue;
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
