/*
 * tool: the run-time every sw program shares (sw(7)).
 *
 * This is the one module that prints and exits, and only cmd/ uses it.  It
 * owns the common flags and --help, diagnostics in the form
 * "sw-TOOL: context: reason", the bad-input policy (--on-error,
 * --dead-letter), signals, buffered stdout, and the reports: --stats at
 * exit, --stats-every (sw(7), PROGRESS REPORTS) and --progress.
 *
 * Reports are timed here, never by a tool: tool_tick() on the record path
 * looks at the clock only every so many records (adapted to the rate), and
 * every place a tool waits bounds its wait by tool_wait_ms(), which also
 * writes a report that is due (stdout is flushed first: the records a
 * report counts come before it); a module of common/ that waits (a read
 * from a pipe, a Kafka or MQTT client) takes tool_wait_step() in its
 * options and waits in those steps (wait.h).  A tool adds its own
 * figures by setting t->stats_fields (and t->ctx): a callback that adds
 * them to the report with stats.h's stats_counter(), stats_gauge(),
 * stats_part_gauge()...; the same figures go to --stats, --stats-every,
 * Prometheus and --progress.
 *
 * Errors end the loop; the run-time does not exit.  Bad input under
 * --on-error fail, a read error and a write error (and a reader that went
 * away) are printed once and recorded with tool_end(): from then on
 * tool_next_record() and tool_read_one() return the end of input, and the
 * tool shuts down on its normal path, the one SIGTERM takes too (deliver
 * what it holds, commit what was written, save its state).
 * tool_finish() returns the worse of the tool's code and the recorded one.
 * A tool that goes on with a record after a bad-input call checks
 * tool_ended() first.  Only usage errors, tool_die() and tool_lock() exit.
 *
 * A tool describes its options once, in struct tool_opt tables (below);
 * getopt's tables, --help and the completions are made from them
 * (common/tool_cli.c).  A tool's main() looks like:
 *
 *	static const struct tool_cli cli = { usage, groups, ... };
 *	struct tool t;
 *	tool_init(&t, "sw-enrich");
 *	tool_cli(&t, &cli);
 *	while ((c = tool_getopt(&t, argc, argv)) != -1) {
 *		if (tool_option(&t, c, optarg))
 *			continue;
 *		switch (c) { ...the tool's own options... }
 *	}
 *	tool_open_input(&t, argv + optind, argc - optind);
 *	while (tool_next_record(&t, &doc) > 0) {
 *		...
 *		out_put(&t.out, ...); out_end(&t.out); t.records_out++;
 *	}
 *	return tool_finish(&t, SW_EXIT_OK);
 */
#ifndef SW_TOOL_H
#define SW_TOOL_H

#include <getopt.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>

#include "exitcode.h"
#include "json.h"
#include "ndjson.h"
#include "out.h"
#include "sbuf.h"
#include "stats.h"
#include "version.h"
#include "wait.h"

/* Option codes for long options without a short form, shared by all tools
 * so that tool_option() can recognise them. */
enum tool_optcode {
	TOOL_OPT_VERSION = 0x1000,
	TOOL_OPT_STATS,
	TOOL_OPT_PROGRESS,
	TOOL_OPT_ON_ERROR,
	TOOL_OPT_DEAD_LETTER,
	TOOL_OPT_MAX_LINE,
	TOOL_OPT_STATS_EVERY,
	TOOL_OPT_STATS_FILE,
	TOOL_OPT_STATS_FORMAT,
	TOOL_OPT_COMPLETION,
	TOOL_OPT_TOOL_BASE = 0x1100, /* a tool numbers its own from here */
	/* Option groups that common/ modules share between tools number
	 * theirs from here: kafka_cli.h, avro_valfmt.h. */
	TOOL_OPT_KAFKA_BASE = 0x1200,
	TOOL_OPT_AVRO_BASE = 0x1240,
};

/*
 * One option, the one place it is described: getopt's table, the options
 * part of --help and the shell completions are all made from it.
 *
 * code is what tool_getopt() returns: a character for an option with a
 * short form (-c), else a code from TOOL_OPT_TOOL_BASE up.  metavar names
 * the value in --help ("FILE", "DUR"); without one, the values are shown
 * ("fail|skip").  The shells complete a value from values when given,
 * else by metavar: one ending in FILE completes file names, one starting
 * with DIR directories, ZONE time zones.  help is one or more lines; an
 * option without help is hidden.  A table ends with an entry whose name
 * is NULL.
 */
struct tool_opt {
	const char *name;
	int has_arg; /* no_argument, required_argument, optional_argument */
	int code;
	const char *metavar;
	const char *help;
	const char *const *values; /* NULL-terminated, or NULL */
};

/* A values list written in place: TOOL_VALUES("fail", "skip"). */
#define TOOL_VALUES(...) ((const char *const[]){ __VA_ARGS__, NULL })

/* A titled group of a tool's options, as --help shows it.  subs: the
 * subcommands it is for, bit i for cli.subs[i] (0: every one). */
struct tool_optgroup {
	const char *title; /* "Options:"; NULL ends the list */
	const struct tool_opt *opts;
	unsigned subs;
};

/* The options every tool has, the bad-input policy (--on-error,
 * --dead-letter) of tools that may meet bad input, and the options of
 * tools that read NDJSON. */
extern const struct tool_opt tool_opts_common[];
extern const struct tool_opt tool_opts_bad_input[];
extern const struct tool_opt tool_opts_input[];

/* A tool's command line. */
struct tool_cli {
	/* The head of --help (synopsis and prose), written by hand; sub is
	 * the subcommand asked about, -1 for the help of them all. */
	void (*usage)(int sub);
	const struct tool_optgroup *groups;
	const char *tail;          /* after the options; NULL: SW_EXIT_TABLE */
	const char *const *subs;   /* subcommand names, NULL-terminated */
	/* What the operands are, for the completions: "FILE" or "DIR"
	 * (NULL: nothing to complete), or one of operand_values. */
	const char *operands;
	const char *const *operand_values;
	/* With subs: bit i when subs[i] takes those operands (0: every
	 * one); the others complete none. */
	unsigned operand_subs;
};

enum tool_on_error { TOOL_ON_ERROR_FAIL, TOOL_ON_ERROR_SKIP };
enum tool_stats_format { TOOL_STATS_JSON, TOOL_STATS_PROMETHEUS };
/* Their names, in enum order, NULL-terminated: the values of --on-error
 * and --stats-format. */
extern const char *const tool_on_error_names[];
extern const char *const tool_stats_format_names[];

/* Counters at one moment, for the rates over an interval. */
struct tool_mark {
	int64_t us;
	uint64_t in, out;
};

/* Set by SIGINT/SIGTERM: stop reading, finish, flush, exit 0.  A second
 * signal exits at once. */
extern volatile sig_atomic_t tool_stop;

struct tool {
	const char *name;
	const struct tool_cli *cli;
	int sub; /* the subcommand (tool_subcommand), -1: none */
	struct option *longopts; /* made from cli by tool_getopt() */
	char *shortopts;
	const char *versions; /* extra "--version" lines, e.g. "librdkafka 2.0.2\n" */
	/* The tool's own figures: adds them to s with stats_counter() and
	 * the like.  Called for every report, outside the record path. */
	void (*stats_fields)(struct tool *t, struct stats *s);
	void *ctx; /* the tool's, for stats_fields and on_block */
	int quiet;
	int verbose;
	int stats;
	int progress;
	int raw_input;
	int text_only; /* records are passed on whole: compact text, no tokens */
	/* Called before the input would block, before output is flushed:
	 * a tool sends there what it holds back (sw-produce's batch). */
	void (*on_block)(struct tool *t);
	size_t max_line;
	enum tool_on_error on_error;
	const char *dead_letter_path;
	FILE *dead_letter;
	uint64_t records_in;
	uint64_t records_out;
	uint64_t errors;
	unsigned warned;
	/* Set by tool_end(): the loop must end.  end_code is the worst exit
	 * code recorded (0 for a reader that went away). */
	int ended;
	int end_code;
	int out_failed; /* a write error was said (once) */
	int64_t start_us;
	/* Reports: what is due when, and how often tool_tick() looks. */
	int64_t stats_every_us; /* 0: no --stats-every */
	const char *stats_path;
	enum tool_stats_format stats_format;
	int stats_fd;
	int stats_failing; /* a write failed: warned once */
	int64_t report_due_us, progress_due_us;
	struct tool_mark report_mark, progress_mark, tick_mark;
	uint64_t ticks, tick_at;
	struct stats report;
	int final_done;		 /* the reports of the exit are made */
	struct sbuf final_stats; /* the --stats line, until it is printed */
	struct out out;
	struct ndjson_in *in;
	const char *line; /* raw text of the current record */
	size_t line_len;
	/* line is the head of a line over --max-line: a dead letter keeps at
	 * most 64 KiB of it and says "truncated":true.  Cleared once the bad
	 * record is handled. */
	int line_truncated;
};

void tool_init(struct tool *t, const char *name);
/* The command line is cli's (set once, before tool_getopt()). */
void tool_cli(struct tool *t, const struct tool_cli *cli);
/* For a tool with subcommands: the one named by argv[1], which is then
 * taken off (*argc, *argv), or -1 when argv[1] is an option or missing.
 * An unknown name is a usage error. */
int tool_subcommand(struct tool *t, int *argc, char ***argv);
/* getopt_long() over the options of the cli's tables, which reports its
 * own errors the house way: an unknown option or a missing value is a
 * usage error naming it (exit 64), and only whole long names are taken.
 * -h/--help (the help of the subcommand) and the hidden
 * --completion=bash|zsh are handled here: they print and exit, 0, or 74
 * when stdout cannot be written. */
int tool_getopt(struct tool *t, int argc, char *const *argv);
/* Handles a common option.  Returns 1 when c was one (exiting for
 * --version or a bad value), 0 when it is the tool's to handle. */
int tool_option(struct tool *t, int c, const char *arg);
/* Installs the signal handlers and opens dead-letter output; call after
 * option parsing.  files[0..n) are the input sources (none: stdin). */
void tool_open_input(struct tool *t, char *const *files, int n);
/* The same for tools that take no NDJSON input. */
void tool_start(struct tool *t);

/* Reads the next record into doc (parsing it, or making it a string with
 * -R).  Returns 1, or 0 at end of input, when a stop was requested or when
 * the loop must end (tool_ended()).  Bad records are handled by the policy
 * and never returned; a read error is printed and ends the loop with 74. */
int tool_next_record(struct tool *t, struct json_doc *doc);

/* One line of tool_next_record(), for a tool that handles what it finds
 * itself: a record in doc, a bad line (the reason in err; t->line is the
 * line), nothing this time (a signal), the end (also once the loop must
 * end), or a read error (err). */
enum tool_read {
	TOOL_READ_RECORD,
	TOOL_READ_BAD,
	TOOL_READ_AGAIN,
	TOOL_READ_EOF,
	TOOL_READ_ERROR,
};
enum tool_read tool_read_one(struct tool *t, struct json_doc *doc, char *err,
			     size_t errlen);

/* Makes line[0..len) a record in doc as the options say: with -R a JSON
 * string of the line (which must be valid UTF-8), else the parsed line
 * (compact text only when t->text_only).  For a tool that reads its lines
 * itself (sw-files).  Returns 0, or -1 with the reason in err. */
int tool_parse_line(const struct tool *t, struct json_doc *doc,
		    const char *line, size_t len, char *err, size_t errlen);

/* A record the tool cannot use: applies --on-error to the current input
 * line (t->line).  Under fail this flushes output, prints
 * "sw-TOOL: SOURCE:LINE: reason" and ends the loop with 65
 * (tool_end()): the tool must not use the record, nor any after it.
 * Under skip it warns (at most 10 times) and appends to the dead-letter
 * file.  Once the loop is ending it does nothing. */
void tool_bad_record(struct tool *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Same for a record that came from elsewhere (a Kafka message, an MQTT
 * message): source and line are given, raw is what goes to the dead-letter
 * file as "input". */
void tool_bad_input(struct tool *t, const char *source, uint64_t line,
		    const char *raw, size_t rawlen, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

/* Diagnostics, one line on stderr each, "sw-TOOL: " first. */
void tool_error(struct tool *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void tool_warn(struct tool *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void tool_info(struct tool *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Usage error: the message, "Try 'sw-TOOL --help'.", exit 64. */
void tool_usage_error(struct tool *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3), noreturn));
/* Flushes output (quietly), prints the message and exits with code. */
void tool_die(struct tool *t, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4), noreturn));
/* Locks the state file or checkpoint path that option opt names for this
 * run (file_lock), or exits: 1 when another run holds it, 74 when the lock
 * file cannot be made. */
void tool_lock(struct tool *t, const char *opt, const char *path);

/* Ends the loop (see above) with code, kept if worse than one recorded
 * before; the tool has printed why. */
void tool_end(struct tool *t, int code);
static inline int tool_ended(const struct tool *t)
{
	return t->ended;
}
/* The loop must end: a signal came, or tool_end(). */
static inline int tool_stopping(const struct tool *t)
{
	return tool_stop || t->ended;
}
/* The worse of two exit codes: 0, then 65, 74, 75, 69, 1, 70, 64. */
int tool_worse(int a, int b);

/* Writes t->out.  Returns 0, or -1 when output failed: the loop then
 * ends, quietly (0) if the reader went away, else with "write error" and
 * 74. */
int tool_flush(struct tool *t);
void tool_tick_due(struct tool *t);
/* Call once per record: writes a report or redraws --progress when due,
 * looking at the clock only every so many calls. */
static inline void tool_tick(struct tool *t)
{
	if (++t->ticks >= t->tick_at)
		tool_tick_due(t);
}
/* Call where the tool is about to wait up to ms (-1: no limit): writes
 * what is due and returns how long to wait at most so that the next
 * report comes out on time (ms itself when none is due sooner). */
int tool_wait_ms(struct tool *t, int ms);
/* How a module waits for this tool (wait.h): each step bounded by
 * tool_wait_ms(), output flushed (after on_block) before a read blocks,
 * and tool_stop ends the wait. */
struct wait_step tool_wait_step(struct tool *t);
/* Makes the reports of the exit now, while what the tool reports is
 * still there (before it closes its connections): writes the
 * --stats-every report, and keeps the --stats line that tool_finish
 * prints; tool_finish then makes none. */
void tool_report_final(struct tool *t);
/* Flushes, closes output (checking for errors), prints --stats, and
 * returns the exit code to return from main: the worse of code, the one
 * recorded by tool_end() and 74 when output failed. */
int tool_finish(struct tool *t, int code);

#endif
