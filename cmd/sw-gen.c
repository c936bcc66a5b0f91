/*
 * sw-gen: realistic synthetic events to try pipelines with (sw-gen(1)).
 * The events themselves come from common/gen_events.c; this
 * file parses options, paces output for --rate and stops at --count.
 */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gen_events.h"
#include "num.h"
#include "sbuf.h"
#include "timefmt.h"
#include "tool.h"

enum {
	OPT_RATE = TOOL_OPT_TOOL_BASE,
	OPT_SEED,
	OPT_START,
};

static void usage(int sub)
{
	(void)sub;
	fputs("Usage: sw-gen web|sensor|tweets [--count N] [--rate N] [--seed S] [--start TIME]\n"
	      "Writes realistic synthetic events as NDJSON; the same seed gives the same output.\n"
	      "\n"
	      "Kinds:\n"
	      "  web      web actions: users going login -> cart -> done, with drop-off\n"
	      "           {\"name\",\"action\",\"sendtime\" (epoch ms)}\n"
	      "  sensor   SensorTag readings of 4 devices, each every 8 seconds\n"
	      "           {\"ambient\",\"bid\",\"humidity\",\"objecttemp\",\"rh\",\"time\" (epoch s)}\n"
	      "  tweets   tweets with hashtags\n"
	      "           {\"created_at\" (Twitter's format),\"id\",\"text\",\"user\":{\"screen_name\"}}\n"
	      "\n",
	      stdout);
}

static const struct tool_opt opts[] = {
	{ "count", required_argument, 'c', "N",
	  "write N events and exit (default: until the reader goes away)", NULL },
	{ "rate", required_argument, OPT_RATE, "N",
	  "at most N events per second (fractions allowed; default unlimited)",
	  NULL },
	{ "seed", required_argument, OPT_SEED, "S",
	  "seed of the generator, 0..2^64-1 (default 1)", NULL },
	{ "start", required_argument, OPT_START, "TIME",
	  "time of the first event: RFC 3339 or epoch number\n"
	  "(default web 2021-12-12T03:00:00Z, sensor 2017-08-02T00:00:00Z,\n"
	  "tweets 2021-04-15T12:50:00Z)", NULL },
	{ NULL, 0, 0, NULL, NULL, NULL },
};

static const struct tool_cli cli = {
	.usage = usage,
	.groups = (const struct tool_optgroup[]){
		{ "Options:", opts, 0 },
		{ "Common options:", tool_opts_common, 0 },
		{ NULL, NULL, 0 },
	},
	.tail = "Exit status:\n"
		"  0   success (also when the reader went away)\n"
		"  64  usage error\n"
		"  74  I/O error (cannot write output)\n"
		"The table shared by every tool is in sw(7).\n",
	.operand_values = TOOL_VALUES("web", "sensor", "tweets"),
};

static double parse_rate(struct tool *t, const char *s)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (end == s || *end || errno || !isfinite(v) || v <= 0 || v > 1e9)
		tool_usage_error(t, "--rate: not a rate above 0 (events per second): '%s'", s);
	return v;
}

/* Waits until event number i is due at rate events per second after t0;
 * output is flushed first, since a paced stream must not sit in a buffer. */
static void pace(struct tool *t, double rate, int64_t t0, uint64_t i)
{
	int64_t due = t0 + (int64_t)((double)i * 1e6 / rate);
	int64_t now = timefmt_mono_us();

	if (now >= due)
		return;
	if (tool_flush(t) < 0)
		return;
	while (!tool_stop && (now = timefmt_mono_us()) < due) {
		int64_t us = due - now;
		/* A report due before the event is written on time. */
		int ms = tool_wait_ms(t, us / 1000 < INT32_MAX ?
						 (int)(us / 1000) + 1 : INT32_MAX);
		if ((int64_t)ms * 1000 < us)
			us = (int64_t)ms * 1000;
		struct timespec ts = { (time_t)(us / 1000000),
				       (long)(us % 1000000) * 1000 };
		nanosleep(&ts, NULL);
	}
}

int main(int argc, char **argv)
{
	struct tool t;
	struct timefmt tf = TIMEFMT_INIT;
	enum gen_kind kind;
	uint64_t count = UINT64_MAX, seed = 1, i;
	double rate = 0;
	int64_t start = 0;
	int have_start = 0, c;
	char err[256];

	tool_init(&t, "sw-gen");
	tool_cli(&t, &cli);
	while ((c = tool_getopt(&t, argc, argv)) != -1) {
		if (tool_option(&t, c, optarg))
			continue;
		switch (c) {
		case 'c':
			if (num_parse_u64(optarg, 0, UINT64_MAX, &count))
				tool_usage_error(&t, "--count: not a count: '%s'", optarg);
			break;
		case OPT_RATE:
			rate = parse_rate(&t, optarg);
			break;
		case OPT_SEED:
			if (num_parse_u64(optarg, 0, UINT64_MAX, &seed))
				tool_usage_error(&t, "--seed: not a number from 0 to 2^64-1: '%s'", optarg);
			break;
		case OPT_START:
			if (timefmt_parse_string(&tf, optarg, strlen(optarg), &start, err, sizeof(err)))
				tool_usage_error(&t, "--start: %s", err);
			have_start = 1;
			break;
		default:
			tool_usage_error(&t, "unknown option");
		}
	}
	if (optind >= argc)
		tool_usage_error(&t, "missing the kind of events: web, sensor or tweets");
	if (argc - optind > 1)
		tool_usage_error(&t, "one kind of events only, got '%s' too", argv[optind + 1]);
	if (gen_kind_parse(argv[optind], &kind))
		tool_usage_error(&t, "unknown kind of events '%s' (web, sensor or tweets)", argv[optind]);
	if (!have_start)
		start = gen_default_start(kind);

	tool_start(&t);
	struct gen *g = gen_new(kind, seed, start);
	struct sbuf rec = SBUF_INIT;
	int64_t t0 = rate > 0 ? timefmt_mono_us() : 0;

	for (i = 0; i < count && !tool_stopping(&t); i++) {
		if (rate > 0)
			pace(&t, rate, t0, i);
		if (tool_ended(&t))
			break;
		sbuf_reset(&rec);
		gen_next(g, &rec);
		out_put(&t.out, rec.p, rec.len);
		out_end(&t.out);
		if (t.out.err && tool_flush(&t) < 0)
			break; /* quietly when the reader is gone */
		t.records_out++;
		tool_tick(&t);
	}
	sbuf_free(&rec);
	gen_free(g);
	return tool_finish(&t, SW_EXIT_OK);
}
