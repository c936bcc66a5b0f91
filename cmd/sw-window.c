/*
 * sw-window: event-time windows with watermarks (sw-window(1)).
 *
 * Per record: the event time, the group values and one value per aggregate
 * are taken with jpath (plain paths straight from json.h tokens) and given
 * to common/window_engine, which holds the windows, the watermark and the
 * aggregate state and hands back finished rows.  This file reads options,
 * decides when emission steps happen (every record, every N records, or
 * every DUR of processing time and whenever input pauses), writes late
 * records to --late-file, and loads and saves --state.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "duration.h"
#include "jpath.h"
#include "jqprog.h"
#include "num.h"
#include "timefmt.h"
#include "tool.h"
#include "window_engine.h"
#include "xalloc.h"

enum {
	OPT_AVG = TOOL_OPT_TOOL_BASE,
	OPT_BY,
	OPT_COUNT,
	OPT_DISTINCT,
	OPT_EMIT_EVERY,
	OPT_FIRST,
	OPT_GROUP_BY,
	OPT_LAST,
	OPT_LATE_FILE,
	OPT_MAX_ROWS,
	OPT_MAX,
	OPT_MIN,
	OPT_MODE,
	OPT_OFFSET,
	OPT_PROCESSING_TIME,
	OPT_SESSION,
	OPT_SIZE,
	OPT_SLIDE,
	OPT_STATE,
	OPT_SUM,
	OPT_TIME,
	OPT_TIME_FORMAT,
	OPT_TIME_OUTPUT,
	OPT_TIME_UNIT,
	OPT_TOP,
	OPT_TUMBLE,
	OPT_TZ,
	OPT_WATERMARK,
};

struct run {
	struct tool *t;
	struct timefmt tf;
	struct jpath *time;
	int processing_time;
	int64_t tumble, size, slide, gap, offset, delay; /* -1: not given */
	enum window_mode mode;
	const char *top_by;
	uint64_t top;
	uint64_t max_rows; /* open window-and-group rows held at most; 0: no limit */

	size_t ngroups, naggs;
	struct jpath **groups;
	const char **group_names;
	struct jpath **aggs; /* NULL for count */
	enum wagg_kind *kinds;
	const char **agg_names;
	struct jval *gv, *av;

	uint64_t every_n;  /* records per step; 0: none by count */
	int64_t every_us;  /* processing time per step */
	int64_t deadline;
	uint64_t pending;  /* records since the last step */

	const char *late_path;
	FILE *late_file;
	uint64_t late;
	const char *state_path;
	struct sbuf ident;
	struct window *w;
};

static void usage(int sub)
{
	(void)sub;
	fputs("Usage: sw-window --time PATH (--tumble DUR | --size DUR --slide DUR | --session GAP)\n"
	      "                 [--offset DUR] [--watermark DUR] [--group-by [NAME=]PATH]...\n"
	      "                 [--count[=NAME]] [--sum [NAME=]PATH] [--avg ...] [--min ...]\n"
	      "                 [--max ...] [--first ...] [--last ...] [--distinct ...]\n"
	      "                 [--mode append|update|complete] [--emit-every N|DUR]\n"
	      "                 [--top N --by NAME] [--late-file FILE] [--max-rows N]\n"
	      "                 [--state FILE] [FILE...]\n"
	      "Aggregates NDJSON records over event-time windows with a watermark, as Spark\n"
	      "Structured Streaming's window(), session_window() and withWatermark() do.\n"
	      "Writes one row per window and group: {\"window\":{\"start\":...,\"end\":...},\n"
	      "group fields..., aggregates...}.\n"
	      "\n",
	      stdout);
}

static const struct tool_opt time_opts[] = {
	{ "time", required_argument, OPT_TIME, "PATH",
	  "event time of each record (epoch number, RFC 3339, ...)", NULL },
	{ "time-unit", required_argument, OPT_TIME_UNIT, NULL,
	  "unit of epoch numbers (default auto)", timefmt_unit_names },
	{ "time-format", required_argument, OPT_TIME_FORMAT, "FMT",
	  "strptime(3) format for time strings, e.g. Twitter's\n'%a %b %d %H:%M:%S %z %Y'", NULL },
	{ "tz", required_argument, OPT_TZ, "ZONE",
	  "zone of zone-less time strings and of window bounds on\noutput (IANA name, default UTC)", NULL },
	{ "time-output", required_argument, OPT_TIME_OUTPUT, NULL,
	  "form of window bounds (default rfc3339)", timefmt_output_names },
	{ "processing-time", no_argument, OPT_PROCESSING_TIME, NULL,
	  "window by arrival time instead of --time", NULL },
	{ NULL, 0, 0, NULL, NULL, NULL },
};

static const struct tool_opt window_opts[] = {
	{ "tumble", required_argument, OPT_TUMBLE, "DUR",
	  "tumbling windows of DUR (--size DUR --slide DUR)", NULL },
	{ "size", required_argument, OPT_SIZE, "DUR",
	  "window length (alone: tumbling)", NULL },
	{ "slide", required_argument, OPT_SLIDE, "DUR",
	  "distance between window starts (<= --size)", NULL },
	{ "session", required_argument, OPT_SESSION, "GAP",
	  "per group, a session ends GAP after its last record", NULL },
	{ "offset", required_argument, OPT_OFFSET, "DUR",
	  "shift window starts from the epoch (|DUR| < slide)", NULL },
	{ "watermark", required_argument, OPT_WATERMARK, "DUR",
	  "lateness allowed: watermark = max event time - DUR\n(default 0s)", NULL },
	{ NULL, 0, 0, NULL, NULL, NULL },
};

static const struct tool_opt agg_opts[] = {
	{ "group-by", required_argument, OPT_GROUP_BY, "[NAME=]PATH",
	  "group by this field (repeatable)", NULL },
	{ "count", optional_argument, OPT_COUNT, "NAME",
	  "records (the default when no aggregate is given)", NULL },
	{ "sum", required_argument, OPT_SUM, "[NAME=]PATH",
	  "sum (integer while every value is), name sum_X", NULL },
	{ "avg", required_argument, OPT_AVG, "[NAME=]PATH",
	  "average, name avg_X", NULL },
	{ "min", required_argument, OPT_MIN, "[NAME=]PATH",
	  "least value (jq's order), name min_X", NULL },
	{ "max", required_argument, OPT_MAX, "[NAME=]PATH",
	  "greatest value (jq's order), name max_X", NULL },
	{ "first", required_argument, OPT_FIRST, "[NAME=]PATH",
	  "first value to arrive, name first_X", NULL },
	{ "last", required_argument, OPT_LAST, "[NAME=]PATH",
	  "last value to arrive, name last_X", NULL },
	{ "distinct", required_argument, OPT_DISTINCT, "[NAME=]PATH",
	  "exact number of distinct values, name distinct_X", NULL },
	{ NULL, 0, 0, NULL, NULL, NULL },
};

static const struct tool_opt output_opts[] = {
	{ "mode", required_argument, OPT_MODE, "M",
	  "append (default): each window once, when the watermark\npasses its end; update: changed rows after each step;\ncomplete: the whole table at each --emit-every and at end", TOOL_VALUES("append", "update", "complete") },
	{ "emit-every", required_argument, OPT_EMIT_EVERY, "N|DUR",
	  "an emission step every N records, or every DUR of\nprocessing time and whenever input pauses (default: 1)", NULL },
	{ "top", required_argument, OPT_TOP, "N",
	  "per window, only the N rows greatest by --by", NULL },
	{ "by", required_argument, OPT_BY, "NAME",
	  "the aggregate --top ranks by", NULL },
	{ "late-file", required_argument, OPT_LATE_FILE, "FILE",
	  "append late records to FILE", NULL },
	{ "max-rows", required_argument, OPT_MAX_ROWS, "N",
	  "hold at most N open window-and-group rows (default\n10000000; 0: no limit); more is an error (65)", NULL },
	{ "state", required_argument, OPT_STATE, "FILE",
	  "at exit save open windows and the watermark to FILE\ninstead of writing them; load them at start", NULL },
	{ NULL, 0, 0, NULL, NULL, NULL },
};

static const struct tool_cli cli = {
	.usage = usage,
	.groups = (const struct tool_optgroup[]){
		{ "Time:", time_opts, 0 },
		{ "Windows:", window_opts, 0 },
		{ "Groups and aggregates (output names: the last path component, or NAME;\n"
		  "an aggregate option takes a comma-separated list too: --avg .a,.b):",
		  agg_opts, 0 },
		{ "Output:", output_opts, 0 },
		{ "Common options:", tool_opts_common, 0 },
		{ "", tool_opts_bad_input, 0 },
		{ "", tool_opts_input, 0 },
		{ NULL, NULL, 0 },
	},
	.tail = SW_EXIT_TABLE
		"A corrupt state file exits 65; one written with other windows or aggregates, 64.\n",
	.operands = "FILE",
};

static void stats_fields(struct tool *t, struct stats *s)
{
	struct run *r = t->ctx;

	stats_counter(s, "late", r->late, "Records dropped as later than the watermark");
	stats_gauge(s, "open_rows", r->w ? (int64_t)window_rows(r->w) : 0,
		    "Rows of windows not yet emitted");
	stats_gauge(s, "open_windows", r->w ? (int64_t)window_count(r->w) : 0,
		    "Windows not yet emitted");
	/* Before any record and after the end there is none to show. */
	int64_t wm = r->w ? window_watermark(r->w) : INT64_MIN;
	stats_time(s, "watermark", wm == INT64_MIN || wm == INT64_MAX ? -1 :
			   wm / 1000, "Event time up to which windows are complete");
}

static int64_t parse_dur(struct run *r, const char *opt, const char *arg,
			 int sign)
{
	char err[256];
	int64_t us;

	if ((sign ? duration_parse_signed(arg, &us, err, sizeof err)
		  : duration_parse(arg, &us, err, sizeof err)) < 0)
		tool_usage_error(r->t, "--%s: %s", opt, err);
	return us;
}

static struct jpath *compile(struct run *r, const char *opt, const char *arg,
			     int flags)
{
	char err[256];
	struct jpath *jp;

	if (jpath_compile(&jp, arg, flags, err, sizeof err) < 0)
		tool_usage_error(r->t, "--%s: %s", opt, err);
	return jp;
}

static void add_agg(struct run *r, enum wagg_kind k, const char *arg)
{
	struct jpath *jp = NULL;
	char *name;

	if (k == WAGG_COUNT) {
		name = xstrdup(arg ? arg : "count");
	} else {
		jp = compile(r, wagg_kind_name(k), arg, JPATH_NAMED);
		if (strcmp(jpath_expr(jp), arg) != 0) { /* NAME= given */
			name = xstrdup(jpath_name(jp));
		} else {
			struct sbuf b = SBUF_INIT;
			sbuf_printf(&b, "%s_%s", wagg_kind_name(k),
				    jpath_name(jp));
			name = b.p;
		}
	}
	if (!*name)
		tool_usage_error(r->t, "--%s: empty output name",
				 wagg_kind_name(k));
	r->aggs = xrealloc(r->aggs, (r->naggs + 1) * sizeof *r->aggs);
	r->kinds = xrealloc(r->kinds, (r->naggs + 1) * sizeof *r->kinds);
	r->agg_names = xrealloc(r->agg_names,
				(r->naggs + 1) * sizeof *r->agg_names);
	r->aggs[r->naggs] = jp;
	r->kinds[r->naggs] = k;
	r->agg_names[r->naggs] = name;
	r->naggs++;
}

/* --avg .ambient,.rh: one aggregate per item of the list. */
static void add_agg_list(struct run *r, enum wagg_kind k, const char *arg)
{
	for (;;) {
		size_t n = jpath_list_item(arg);
		char *item = xstrndup(arg, n);

		add_agg(r, k, item);
		free(item);
		if (!arg[n])
			break;
		arg += n + 1;
	}
}

static void add_group(struct run *r, const char *arg)
{
	struct jpath *jp = compile(r, "group-by", arg, JPATH_NAMED);

	r->groups = xrealloc(r->groups, (r->ngroups + 1) * sizeof *r->groups);
	r->group_names = xrealloc(r->group_names,
				  (r->ngroups + 1) * sizeof *r->group_names);
	r->groups[r->ngroups] = jp;
	r->group_names[r->ngroups] = jpath_name(jp);
	r->ngroups++;
}

static void parse_emit_every(struct run *r, const char *arg)
{
	if (arg[strspn(arg, "0123456789")] == '\0') {
		if (num_parse_u64(arg, 1, UINT64_MAX, &r->every_n) < 0)
			tool_usage_error(r->t, "--emit-every: '%s': expected a record count of at least 1 or a duration",
					 arg);
		return;
	}
	r->every_n = 0;
	r->every_us = parse_dur(r, "emit-every", arg, 0);
	if (r->every_us <= 0)
		tool_usage_error(r->t, "--emit-every: '%s': must be longer than 0", arg);
}

static enum wagg_kind agg_option_kind(struct tool *t, int c)
{
	switch (c) {
	case OPT_SUM: return WAGG_SUM;
	case OPT_AVG: return WAGG_AVG;
	case OPT_MIN: return WAGG_MIN;
	case OPT_MAX: return WAGG_MAX;
	case OPT_FIRST: return WAGG_FIRST;
	case OPT_LAST: return WAGG_LAST;
	case OPT_DISTINCT: return WAGG_DISTINCT;
	}
	/* An option sent here that is no aggregate: a bug, not bad input. */
	tool_die(t, SW_EXIT_SOFTWARE, "internal error: option %d is not an aggregate",
		 c);
}

static void parse_option(struct run *r, int c, const char *arg)
{
	struct tool *t = r->t;
	char err[256];

	switch (c) {
	case OPT_TIME:
		r->time = compile(r, "time", arg, 0);
		break;
	case OPT_TIME_UNIT:
		if (timefmt_parse_unit(arg, &r->tf.unit) < 0)
			tool_usage_error(t, "--time-unit: '%s': expected auto, s, ms, us or ns", arg);
		break;
	case OPT_TIME_FORMAT:
		r->tf.format = arg;
		break;
	case OPT_TIME_OUTPUT:
		if (timefmt_parse_output(arg, &r->tf.output) < 0)
			tool_usage_error(t, "--time-output: '%s': expected rfc3339 or epoch_ms", arg);
		break;
	case OPT_TZ:
		if (timefmt_set_zone(&r->tf, arg, err, sizeof err) < 0)
			tool_usage_error(t, "--tz: %s", err);
		break;
	case OPT_PROCESSING_TIME:
		r->processing_time = 1;
		break;
	case OPT_TUMBLE:
		r->tumble = parse_dur(r, "tumble", arg, 0);
		break;
	case OPT_SIZE:
		r->size = parse_dur(r, "size", arg, 0);
		break;
	case OPT_SLIDE:
		r->slide = parse_dur(r, "slide", arg, 0);
		break;
	case OPT_SESSION:
		r->gap = parse_dur(r, "session", arg, 0);
		break;
	case OPT_OFFSET:
		r->offset = parse_dur(r, "offset", arg, 1);
		break;
	case OPT_WATERMARK:
		r->delay = parse_dur(r, "watermark", arg, 0);
		break;
	case OPT_GROUP_BY:
		add_group(r, arg);
		break;
	case OPT_COUNT:
		add_agg(r, WAGG_COUNT, arg);
		break;
	case OPT_SUM:
	case OPT_AVG:
	case OPT_MIN:
	case OPT_MAX:
	case OPT_FIRST:
	case OPT_LAST:
	case OPT_DISTINCT:
		add_agg_list(r, agg_option_kind(t, c), arg);
		break;
	case OPT_MODE:
		if (strcmp(arg, "append") == 0)
			r->mode = WINDOW_APPEND;
		else if (strcmp(arg, "update") == 0)
			r->mode = WINDOW_UPDATE;
		else if (strcmp(arg, "complete") == 0)
			r->mode = WINDOW_COMPLETE;
		else
			tool_usage_error(t, "--mode: '%s': expected append, update or complete", arg);
		break;
	case OPT_EMIT_EVERY:
		parse_emit_every(r, arg);
		break;
	case OPT_TOP:
		if (num_parse_u64(arg, 1, SIZE_MAX, &r->top) < 0)
			tool_usage_error(t, "--top: '%s': expected a number of at least 1", arg);
		break;
	case OPT_BY:
		r->top_by = arg;
		break;
	case OPT_LATE_FILE:
		r->late_path = arg;
		break;
	case OPT_MAX_ROWS:
		if (num_parse_u64(arg, 0, UINT64_MAX, &r->max_rows) < 0)
			tool_usage_error(t, "--max-rows: '%s': expected a number", arg);
		break;
	case OPT_STATE:
		r->state_path = arg;
		break;
	default:
		tool_usage_error(t, "unknown option");
	}
}

/* Fills the window part of spec from --tumble, --size/--slide, --session
 * and --offset, refusing combinations that make no sense. */
static void window_shape(struct run *r, struct window_spec *s)
{
	struct tool *t = r->t;
	int shapes = (r->tumble >= 0) + (r->size >= 0 || r->slide >= 0) +
		     (r->gap >= 0);

	if (shapes != 1)
		tool_usage_error(t, "give one of --tumble, --size/--slide or --session");
	if (r->gap >= 0) {
		if (r->gap == 0)
			tool_usage_error(t, "--session: the gap must be longer than 0");
		if (r->offset)
			tool_usage_error(t, "--offset: not with --session");
		s->kind = WINDOW_SESSION;
		s->gap = r->gap;
		return;
	}
	if (r->tumble >= 0) {
		r->size = r->slide = r->tumble;
	} else if (r->size < 0) {
		tool_usage_error(t, "--slide: needs --size");
	} else if (r->slide < 0) {
		r->slide = r->size;
	}
	if (r->size == 0 || r->slide == 0)
		tool_usage_error(t, "window size and slide must be longer than 0");
	if (r->slide > r->size)
		tool_usage_error(t, "--slide: must not be longer than --size");
	if (r->offset <= -r->slide || r->offset >= r->slide)
		tool_usage_error(t, "--offset: must be shorter than the slide");
	/* Each record opens a row in every window it falls into: more than
	 * --max-rows of them could never be held. */
	if (r->max_rows &&
	    (uint64_t)((r->size - 1) / r->slide + 1) > r->max_rows)
		tool_usage_error(t, "--size/--slide: a record falls into %" PRId64
				    " windows, more than --max-rows %llu",
				 (r->size - 1) / r->slide + 1,
				 (unsigned long long)r->max_rows);
	s->kind = WINDOW_SLIDING;
	s->size = r->size;
	s->slide = r->slide;
	s->offset = r->offset;
}

static void check_names(struct run *r, struct window_spec *s)
{
	size_t n = r->ngroups + r->naggs;

	for (size_t i = 0; i < n; i++) {
		const char *a = i < r->ngroups ? r->group_names[i]
					       : r->agg_names[i - r->ngroups];
		if (strcmp(a, "window") == 0)
			tool_usage_error(r->t, "output name 'window' is taken by the window itself");
		for (size_t j = i + 1; j < n; j++) {
			const char *b = j < r->ngroups
						? r->group_names[j]
						: r->agg_names[j - r->ngroups];
			if (strcmp(a, b) == 0)
				tool_usage_error(r->t, "output name '%s' given twice (use NAME=PATH)", a);
		}
	}
	s->top_by = -1;
	if (!r->top_by != !r->top)
		tool_usage_error(r->t, "--top and --by go together");
	if (!r->top_by)
		return;
	for (size_t i = 0; i < r->naggs; i++)
		if (strcmp(r->agg_names[i], r->top_by) == 0)
			s->top_by = (int)i;
	if (s->top_by < 0)
		tool_usage_error(r->t, "--by: '%s': not the name of an aggregate", r->top_by);
	s->top = (size_t)r->top;
}

/* What a state file must match: everything that shapes the rows. */
static void build_ident(struct run *r, const struct window_spec *s)
{
	struct sbuf *b = &r->ident;

	if (s->kind == WINDOW_SESSION)
		sbuf_printf(b, "session gap=%" PRId64, s->gap);
	else
		sbuf_printf(b, "sliding size=%" PRId64 " slide=%" PRId64
			       " offset=%" PRId64,
			    s->size, s->slide, s->offset);
	sbuf_printf(b, " watermark=%" PRId64 " mode=%s time=%s", s->delay,
		    r->mode == WINDOW_APPEND   ? "append"
		    : r->mode == WINDOW_UPDATE ? "update"
					       : "complete",
		    r->processing_time ? "(processing)" : jpath_expr(r->time));
	for (size_t i = 0; i < r->ngroups; i++)
		sbuf_printf(b, " group:%s=%s", r->group_names[i],
			    jpath_expr(r->groups[i]));
	for (size_t i = 0; i < r->naggs; i++)
		sbuf_printf(b, " %s:%s=%s", wagg_kind_name(r->kinds[i]),
			    r->agg_names[i],
			    r->aggs[i] ? jpath_expr(r->aggs[i]) : "");
}

static void emit_row(void *ctx, const char *row, size_t n)
{
	struct tool *t = ctx;

	out_put(&t->out, row, n);
	out_end(&t->out);
	t->records_out++;
}

static void setup(struct run *r)
{
	struct window_spec s;

	memset(&s, 0, sizeof s);
	if (!r->time == !r->processing_time)
		tool_usage_error(r->t, "give --time PATH or --processing-time");
	window_shape(r, &s);
	/* Steps: per record by default; complete mode writes the whole
	 * table per step, so without --emit-every only at the end. */
	if (r->every_n == (uint64_t)-1)
		r->every_n = r->mode == WINDOW_COMPLETE ? 0 : 1;
	if (r->naggs == 0)
		add_agg(r, WAGG_COUNT, NULL);
	check_names(r, &s);
	s.delay = r->delay;
	s.mode = r->mode;
	s.ngroups = r->ngroups;
	s.group_names = r->group_names;
	s.naggs = r->naggs;
	s.agg_kinds = r->kinds;
	s.agg_names = r->agg_names;
	s.tf = &r->tf;
	build_ident(r, &s);
	s.ident = r->ident.p;
	s.max_rows = r->max_rows;
	r->gv = xcalloc(r->ngroups + 1, sizeof *r->gv);
	r->av = xcalloc(r->naggs, sizeof *r->av);
	r->w = window_new(&s, emit_row, r->t);
}

static void load_state(struct run *r)
{
	enum window_state_err why;
	char err[512];

	if (window_load(r->w, r->state_path, &why, err, sizeof err) >= 0)
		return;
	tool_die(r->t,
		 why == WINDOW_STATE_IO		? SW_EXIT_IOERR
		 : why == WINDOW_STATE_MISMATCH ? SW_EXIT_USAGE
						: SW_EXIT_DATAERR,
		 "--state: %s", err);
}

static void step(struct run *r)
{
	window_step(r->w);
	r->pending = 0;
	if (r->t->out.err)
		tool_flush(r->t);
}

/* With --emit-every DUR: steps when DUR has passed and when the input
 * pauses, while waiting for the next record. */
static void wait_input(struct run *r)
{
	for (;;) {
		int64_t now = timefmt_now();
		if (now >= r->deadline) {
			step(r);
			r->deadline = now + r->every_us;
		}
		if (r->pending && ndjson_wait(r->t->in, 0) == 0) {
			step(r);
			continue;
		}
		int64_t ms = (r->deadline - now + 999) / 1000;
		int rc = ndjson_wait(r->t->in, ms > INT32_MAX ? INT32_MAX : (int)ms);
		if (rc > 0 || (rc < 0 && tool_stop))
			return;
	}
}

static void late_record(struct run *r, const struct json_doc *doc)
{
	r->late++;
	if (r->late_file) {
		fwrite(doc->text.p, 1, doc->text.len, r->late_file);
		putc('\n', r->late_file);
	}
}

static void too_many_rows(struct run *r) __attribute__((noreturn));

/* Takes the fields of one record and adds it to its windows. */
static void add_record(struct run *r, const struct json_doc *doc)
{
	struct tool *t = r->t;
	char err[256];
	struct jval v;
	int64_t ts;
	size_t bad;
	int rc;

	if (r->processing_time) {
		ts = timefmt_now();
	} else {
		rc = jpath_eval(r->time, doc, &v, err, sizeof err);
		if (rc <= 0 || v.type == JSON_NULL) {
			tool_bad_record(t, "%s: %s", jpath_expr(r->time),
					rc < 0 ? err : "missing");
			return;
		}
		if (timefmt_parse_json(&r->tf, v.p, v.n, &ts, err,
				       sizeof err) < 0) {
			tool_bad_record(t, "%s: %s", jpath_expr(r->time), err);
			return;
		}
	}
	for (size_t i = 0; i < r->ngroups + r->naggs; i++) {
		struct jpath *jp = i < r->ngroups ? r->groups[i]
						  : r->aggs[i - r->ngroups];
		struct jval *out = i < r->ngroups ? &r->gv[i]
						  : &r->av[i - r->ngroups];
		out->p = NULL;
		if (!jp)
			continue;
		rc = jpath_eval(jp, doc, out, err, sizeof err);
		if (rc < 0) {
			tool_bad_record(t, "%s: %s", jpath_expr(jp), err);
			return;
		}
		if (rc == 0)
			out->p = NULL;
	}
	rc = window_add(r->w, ts, r->gv, r->av, &bad, err, sizeof err);
	if (rc == WINDOW_ADD_FULL)
		too_many_rows(r);
	else if (rc < 0)
		tool_bad_record(t, "%s: %s", jpath_expr(r->aggs[bad]), err);
	else if (rc == 0)
		late_record(r, doc);
}

/* Memory is bounded by the watermark, but a wide watermark or many groups
 * can still hold more than the machine has: stop clearly. */
static void too_many_rows(struct run *r)
{
	struct tool *t = r->t;

	tool_die(t, SW_EXIT_DATAERR,
			 "%s:%llu: more than %llu open window-and-group rows "
			 "(--max-rows); a smaller --watermark or fewer groups "
			 "hold fewer",
			 ndjson_source(t->in),
			 (unsigned long long)ndjson_lineno(t->in),
			 (unsigned long long)r->max_rows);
}

static void finish(struct run *r)
{
	char err[512];

	/* A run that ends on an error (bad input under --on-error fail,
	 * output that failed) writes no more rows and leaves the state as it
	 * found it. */
	if (tool_ended(r->t))
		return;
	/* A last step for records not stepped yet, so that the rows of the
	 * end of the stream do not depend on when the input paused. */
	if (r->pending && r->mode != WINDOW_COMPLETE)
		step(r);
	if (!r->state_path || r->mode == WINDOW_COMPLETE)
		window_finish(r->w);
	if (!r->state_path || tool_flush(r->t) < 0)
		return;
	if (window_save(r->w, r->state_path, err, sizeof err) < 0)
		tool_die(r->t, SW_EXIT_IOERR, "--state: %s", err);
}

static void run_free(struct run *r)
{
	window_free(r->w);
	jpath_free(r->time);
	for (size_t i = 0; i < r->ngroups; i++)
		jpath_free(r->groups[i]);
	for (size_t i = 0; i < r->naggs; i++) {
		jpath_free(r->aggs[i]);
		free((char *)r->agg_names[i]);
	}
	free(r->groups);
	free(r->group_names);
	free(r->aggs);
	free(r->kinds);
	free(r->agg_names);
	free(r->gv);
	free(r->av);
	sbuf_free(&r->ident);
}

int main(int argc, char **argv)
{
	static char versions[128];
	struct tool t;
	struct run r;
	struct json_doc doc;
	int c, code = SW_EXIT_OK;

	tool_init(&t, "sw-window");
	snprintf(versions, sizeof versions, "%s\n", jqprog_version());
	t.versions = versions;
	memset(&r, 0, sizeof r);
	r.t = &t;
	r.tf = (struct timefmt)TIMEFMT_INIT;
	r.tumble = r.size = r.slide = r.gap = -1;
	r.max_rows = 10000000;
	r.every_n = (uint64_t)-1; /* until setup() knows the mode */
	tool_cli(&t, &cli);
	while ((c = tool_getopt(&t, argc, argv)) != -1) {
		if (!tool_option(&t, c, optarg))
			parse_option(&r, c, optarg);
	}
	setup(&r);
	t.ctx = &r;
	t.stats_fields = stats_fields;
	if (r.late_path && !(r.late_file = fopen(r.late_path, "ae")))
		tool_die(&t, SW_EXIT_IOERR, "--late-file: %s: %m", r.late_path);
	if (r.state_path) {
		tool_lock(&t, "--state", r.state_path);
		load_state(&r);
	}
	tool_open_input(&t, argv + optind, argc - optind);
	json_doc_init(&doc);
	r.deadline = timefmt_now() + r.every_us;
	for (;;) {
		if (r.every_us)
			wait_input(&r);
		if (!tool_next_record(&t, &doc))
			break;
		add_record(&r, &doc);
		if (tool_ended(&t))
			break;
		tool_tick(&t);
		if (++r.pending == r.every_n)
			step(&r);
	}
	finish(&r);
	if (r.late_file && fclose(r.late_file) != 0) {
		tool_error(&t, "--late-file: %s: %m", r.late_path);
		code = SW_EXIT_IOERR;
	}
	code = tool_finish(&t, code);
	json_doc_free(&doc);
	run_free(&r);
	return code;
}
