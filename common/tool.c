#include "tool.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "base64.h"
#include "duration.h"
#include "file.h"
#include "num.h"
#include "timefmt.h"
#include "xalloc.h"

#define TOOL_MAX_WARNINGS 10
#define TOOL_HEAD_MAX 65536 /* bytes of a too-long line a dead letter keeps */
#define PROGRESS_EVERY_US 1000000
/* tool_tick() looks at the clock about this many times per interval, and
 * at least every TICK_MAX records. */
#define TICKS_PER_INTERVAL 8
#define TICK_MAX 1024

volatile sig_atomic_t tool_stop;

static void on_signal(int sig)
{
	if (tool_stop)
		_exit(128 + sig);
	tool_stop = sig;
}

void tool_init(struct tool *t, const char *name)
{
	memset(t, 0, sizeof *t);
	t->name = name;
	t->sub = -1;
	xalloc_set_name(name);
	t->max_line = NDJSON_MAX_LINE_DEFAULT;
	t->start_us = timefmt_mono_us();
	t->stats_fd = -1;
	t->tick_at = UINT64_MAX;
	stats_init(&t->report);
	out_init(&t->out, 1, 0);
}

static void __attribute__((format(printf, 2, 0)))
vmsg(struct tool *t, const char *fmt, va_list ap)
{
	char buf[4096];
	struct sbuf line = SBUF_INIT;

	vsnprintf(buf, sizeof buf, fmt, ap);
	/* One line each, and no terminal control from a file name or a
	 * reason: the one place every diagnostic passes. */
	sbuf_puts(&line, t->name);
	sbuf_puts(&line, ": ");
	sbuf_put_printable(&line, buf, strlen(buf));
	sbuf_putc(&line, '\n');
	if (t->progress)
		(void)!write(2, "\r\033[K", 4);
	(void)!write(2, line.p, line.len);
	sbuf_free(&line);
}

void tool_error(struct tool *t, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(t, fmt, ap);
	va_end(ap);
}

void tool_warn(struct tool *t, const char *fmt, ...)
{
	va_list ap;

	if (t->quiet)
		return;
	va_start(ap, fmt);
	vmsg(t, fmt, ap);
	va_end(ap);
}

void tool_info(struct tool *t, const char *fmt, ...)
{
	va_list ap;

	if (!t->verbose)
		return;
	va_start(ap, fmt);
	vmsg(t, fmt, ap);
	va_end(ap);
}

void tool_usage_error(struct tool *t, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(t, fmt, ap);
	va_end(ap);
	fprintf(stderr, "Try '%s --help'.\n", t->name);
	exit(SW_EXIT_USAGE);
}

void tool_die(struct tool *t, int code, const char *fmt, ...)
{
	va_list ap;

	out_flush(&t->out);
	va_start(ap, fmt);
	vmsg(t, fmt, ap);
	va_end(ap);
	exit(tool_finish(t, code));
}

void tool_lock(struct tool *t, const char *opt, const char *path)
{
	char err[512];
	int rc = file_lock(path, err, sizeof err);

	/* The descriptor stays open, and the lock held, until exit. */
	if (rc < 0)
		tool_die(t, rc == -2 ? SW_EXIT_FAIL : SW_EXIT_IOERR, "%s: %s",
			 opt, err);
}

/* The index of arg in names (an option's values), or a usage error:
 * "--on-error: 'x': expected fail or skip". */
static int one_of(struct tool *t, const char *opt, const char *const *names,
		  const char *arg)
{
	struct sbuf b = SBUF_INIT;
	int i;

	for (i = 0; names[i]; i++)
		if (strcmp(arg, names[i]) == 0)
			return i;
	sbuf_put_not_one_of(&b, opt, arg, names);
	tool_usage_error(t, "%s", b.p);
}

int tool_option(struct tool *t, int c, const char *arg)
{
	uint64_t v;

	switch (c) {
	case 'q':
		t->quiet = 1;
		return 1;
	case 'v':
		t->verbose++;
		return 1;
	case 'u':
		t->out.unbuffered = 1;
		return 1;
	case 'R':
		t->raw_input = 1;
		return 1;
	case TOOL_OPT_STATS:
		t->stats = 1;
		return 1;
	case TOOL_OPT_PROGRESS:
		t->progress = isatty(2);
		return 1;
	case TOOL_OPT_STATS_EVERY: {
		char err[200];
		int64_t us;
		if (duration_parse(arg, &us, err, sizeof err) < 0)
			tool_usage_error(t, "--stats-every: %s", err);
		if (us < 1000)
			tool_usage_error(t, "--stats-every: '%s': expected at least 1ms",
					 arg);
		t->stats_every_us = us;
		return 1;
	}
	case TOOL_OPT_STATS_FILE:
		t->stats_path = arg;
		return 1;
	case TOOL_OPT_STATS_FORMAT:
		t->stats_format = (enum tool_stats_format)one_of(
			t, "--stats-format", tool_stats_format_names, arg);
		return 1;
	case TOOL_OPT_ON_ERROR:
		t->on_error = (enum tool_on_error)one_of(t, "--on-error",
							 tool_on_error_names, arg);
		return 1;
	case TOOL_OPT_DEAD_LETTER:
		t->dead_letter_path = arg;
		return 1;
	case TOOL_OPT_MAX_LINE:
		if (num_parse_size(arg, 1, UINT32_MAX - 2, &v) < 0)
			tool_usage_error(t, "--max-line: '%s': expected a size in bytes (1 to 4G)",
					 arg);
		t->max_line = (size_t)v;
		return 1;
	case TOOL_OPT_VERSION:
		printf("%s %s\n%s", t->name, SW_VERSION,
		       t->versions ? t->versions : "");
		exit(fflush(stdout) == 0 && !ferror(stdout) ? SW_EXIT_OK :
							      SW_EXIT_IOERR);
	}
	return 0;
}

/* ---- reports: --stats, --stats-every, --progress ---- */

static int write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static double per_second(uint64_t now, uint64_t then, int64_t us)
{
	if (us <= 0)
		return 0;
	return round((double)(now - then) * 1e7 / (double)us) / 10;
}

/* The figures of a report: the common counters, the rates since mark
 * (none when mark is NULL: --stats), then the tool's own.  Returns the
 * index of the tool's first figure. */
static size_t add_fields(struct tool *t, struct stats *s, int64_t now,
			 const struct tool_mark *mark)
{
	size_t from;

	stats_counter(s, "records_in", t->records_in, "Records read");
	stats_counter(s, "records_out", t->records_out, "Records written");
	stats_counter(s, "errors", t->errors, "Bad records");
	stats_gauge_f(s, "seconds", round((double)(now - t->start_us) / 1e3) / 1e3,
		      "Seconds since the start");
	if (mark) {
		stats_gauge_f(s, "records_in_per_s",
			      per_second(t->records_in, mark->in, now - mark->us),
			      "Records read per second over the last interval");
		stats_gauge_f(s, "records_out_per_s",
			      per_second(t->records_out, mark->out, now - mark->us),
			      "Records written per second over the last interval");
	}
	from = s->n;
	if (t->stats_fields)
		t->stats_fields(t, s);
	return from;
}

static void set_mark(struct tool *t, struct tool_mark *m, int64_t now)
{
	m->us = now;
	m->in = t->records_in;
	m->out = t->records_out;
}

/* A --stats-every report.  Returns 0, or -1 with err. */
static int write_report(struct tool *t, int64_t now, char *err, size_t errlen)
{
	struct stats *s = &t->report;
	struct sbuf b = SBUF_INIT;
	int rc = 0;

	stats_reset(s);
	stats_time(s, "time", timefmt_now() / 1000, "When this report was made");
	add_fields(t, s, now, &t->report_mark);
	set_mark(t, &t->report_mark, now);
	if (t->stats_format == TOOL_STATS_PROMETHEUS) {
		stats_prometheus(s, t->name, &b);
		rc = file_replace(t->stats_path, b.p, b.len, 0644, err, errlen);
	} else {
		sbuf_puts(&b, "{\"tool\":");
		json_put_text(&b, t->name, strlen(t->name));
		stats_json(s, &b);
		sbuf_puts(&b, "}\n");
		if (t->stats_fd < 0 && t->progress)
			(void)!write(2, "\r\033[K", 4);
		if (write_all(t->stats_fd >= 0 ? t->stats_fd : 2, b.p, b.len) < 0) {
			snprintf(err, errlen, "%s: %s",
				 t->stats_path ? t->stats_path : "stderr",
				 strerror(errno));
			rc = -1;
		}
	}
	sbuf_free(&b);
	return rc;
}

/* A report that cannot be written is said once (and again after one
 * could be): the records go on. */
static void report(struct tool *t, int64_t now)
{
	char err[512];

	if (write_report(t, now, err, sizeof err) == 0) {
		t->stats_failing = 0;
		return;
	}
	if (!t->stats_failing)
		tool_error(t, "--stats-file: %s", err);
	t->stats_failing = 1;
}

static void progress(struct tool *t, int64_t now)
{
	struct stats *s = &t->report;
	struct sbuf b = SBUF_INIT;
	struct winsize ws;
	size_t from;

	stats_reset(s);
	from = add_fields(t, s, now, &t->progress_mark);
	sbuf_printf(&b, "\r\033[K%s: %llu in (%.0f/s), %llu out (%.0f/s), %llu errors",
		    t->name, (unsigned long long)t->records_in,
		    per_second(t->records_in, t->progress_mark.in,
			       now - t->progress_mark.us),
		    (unsigned long long)t->records_out,
		    per_second(t->records_out, t->progress_mark.out,
			       now - t->progress_mark.us),
		    (unsigned long long)t->errors);
	set_mark(t, &t->progress_mark, now);
	stats_line(s, from, &b);
	/* One line: what does not fit the terminal is cut. */
	if (ioctl(2, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 1 &&
	    b.len - 4 > (size_t)ws.ws_col - 1)
		b.len = 4 + (size_t)ws.ws_col - 1;
	(void)!write(2, b.p, b.len);
	sbuf_free(&b);
}

static void run_due(struct tool *t, int64_t now)
{
	if (t->report_due_us && now >= t->report_due_us) {
		/* The records a report counts are written before it. */
		tool_flush(t);
		report(t, now);
		t->report_due_us += t->stats_every_us;
		if (t->report_due_us <= now)
			t->report_due_us = now + t->stats_every_us;
	}
	if (t->progress_due_us && now >= t->progress_due_us) {
		progress(t, now);
		t->progress_due_us = now + PROGRESS_EVERY_US;
	}
}

static void reports_start(struct tool *t)
{
	char err[512];
	int64_t now = timefmt_mono_us();

	if (t->stats_format == TOOL_STATS_PROMETHEUS && !t->stats_path)
		tool_usage_error(t, "--stats-format prometheus needs --stats-file");
	if ((t->stats_path || t->stats_format != TOOL_STATS_JSON) &&
	    !t->stats_every_us)
		tool_usage_error(t, "--stats-file and --stats-format need --stats-every");
	set_mark(t, &t->report_mark, now);
	set_mark(t, &t->progress_mark, now);
	t->tick_mark.us = now;
	t->tick_mark.in = t->ticks;
	if (t->progress)
		t->progress_due_us = now + PROGRESS_EVERY_US;
	if (!t->stats_every_us)
		goto out;
	if (t->stats_path && t->stats_format == TOOL_STATS_JSON) {
		t->stats_fd = open(t->stats_path,
				   O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
		if (t->stats_fd < 0) {
			int e = errno;
			t->stats_every_us = 0;
			tool_die(t, SW_EXIT_IOERR, "--stats-file: %s: %s",
				 t->stats_path, strerror(e));
		}
	}
	/* The textfile collector finds the file from the start. */
	if (t->stats_format == TOOL_STATS_PROMETHEUS &&
	    write_report(t, now, err, sizeof err) < 0) {
		t->stats_every_us = 0;
		tool_die(t, SW_EXIT_IOERR, "--stats-file: %s", err);
	}
	t->report_due_us = now + t->stats_every_us;
out:
	if (t->report_due_us || t->progress_due_us)
		t->tick_at = t->ticks + 1;
}

void tool_tick_due(struct tool *t)
{
	int64_t now = timefmt_mono_us(), period = PROGRESS_EVERY_US;
	double step;

	run_due(t, now);
	if (t->report_due_us && (!t->progress_due_us || t->stats_every_us < period))
		period = t->stats_every_us;
	/* Look again after about period / TICKS_PER_INTERVAL at the rate
	 * since the last look. */
	step = now > t->tick_mark.us ?
		       (double)(t->ticks - t->tick_mark.in) * (double)period /
			       TICKS_PER_INTERVAL / (double)(now - t->tick_mark.us) :
		       TICK_MAX;
	if (step > TICK_MAX)
		step = TICK_MAX;
	if (step < 1)
		step = 1;
	t->tick_mark.us = now;
	t->tick_mark.in = t->ticks;
	t->tick_at = t->ticks + (uint64_t)step;
}

int tool_wait_ms(struct tool *t, int ms)
{
	int64_t now, next, left;

	if (!t->report_due_us && !t->progress_due_us)
		return ms;
	now = timefmt_mono_us();
	run_due(t, now);
	next = t->report_due_us;
	if (!next || (t->progress_due_us && t->progress_due_us < next))
		next = t->progress_due_us;
	left = (next - now + 999) / 1000;
	if (left < 0)
		left = 0;
	if (left > INT_MAX)
		left = INT_MAX;
	return ms < 0 || left < ms ? (int)left : ms;
}

/* The reports of the exit, made once: the --stats-every report written,
 * the --stats line kept for tool_finish to print in its place. */
static void final_report(struct tool *t)
{
	struct stats *s = &t->report;
	int64_t now;

	if (t->final_done)
		return;
	t->final_done = 1;
	now = timefmt_mono_us();
	if (t->report_due_us)
		report(t, now);
	t->report_due_us = 0;
	if (!t->stats)
		return;
	stats_reset(s);
	add_fields(t, s, now, NULL);
	sbuf_puts(&t->final_stats, "{\"tool\":");
	json_put_text(&t->final_stats, t->name, strlen(t->name));
	stats_json(s, &t->final_stats);
	sbuf_puts(&t->final_stats, "}\n");
}

void tool_report_final(struct tool *t)
{
	final_report(t);
}

static int before_block(void *ctx)
{
	struct tool *t = ctx;

	if (t->on_block)
		t->on_block(t);
	tool_flush(t);
	return t->ended ? -1 : 0;
}

void tool_start(struct tool *t)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: a blocking read must return so the tool can stop. */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (t->dead_letter_path) {
		t->on_error = TOOL_ON_ERROR_SKIP;
		t->dead_letter = fopen(t->dead_letter_path, "ae");
		if (!t->dead_letter)
			tool_die(t, SW_EXIT_IOERR, "--dead-letter: %s: %s",
				 t->dead_letter_path, strerror(errno));
	}
	reports_start(t);
}

static int bound(void *ctx, int ms)
{
	return tool_wait_ms(ctx, ms);
}

struct wait_step tool_wait_step(struct tool *t)
{
	return (struct wait_step){ bound, before_block, t, &tool_stop };
}

void tool_open_input(struct tool *t, char *const *files, int n)
{
	struct ndjson_opts o = { t->max_line, tool_wait_step(t) };

	tool_start(t);
	t->in = ndjson_open(files, n, &o);
}

int tool_parse_line(const struct tool *t, struct json_doc *doc,
		    const char *line, size_t len, char *err, size_t errlen)
{
	size_t ok;

	if (!t->raw_input)
		return (t->text_only ? json_compact : json_parse)(doc, line,
								  len, err,
								  errlen);
	ok = utf8_valid_prefix(line, len);
	if (ok < len) {
		snprintf(err, errlen, "invalid UTF-8 at byte %zu", ok + 1);
		return -1;
	}
	json_doc_set_string(doc, line, len);
	return 0;
}

enum tool_read tool_read_one(struct tool *t, struct json_doc *doc, char *err,
			     size_t errlen)
{
	const char *line;
	size_t len;

	if (t->ended)
		return TOOL_READ_EOF;
	switch (ndjson_next(t->in, &line, &len, err, errlen)) {
	case NDJSON_LINE:
		t->records_in++;
		t->line = line;
		t->line_len = len;
		if (tool_parse_line(t, doc, line, len, err, errlen) < 0)
			return TOOL_READ_BAD;
		return TOOL_READ_RECORD;
	case NDJSON_TOOLONG:
		t->records_in++;
		t->line = line;
		t->line_len = len;
		t->line_truncated = 1;
		snprintf(err, errlen, "line longer than %zu bytes (--max-line)",
			 t->max_line);
		return TOOL_READ_BAD;
	case NDJSON_INTR:
		return TOOL_READ_AGAIN;
	case NDJSON_ERR:
		return TOOL_READ_ERROR;
	case NDJSON_EOF:
		break;
	}
	return TOOL_READ_EOF;
}

int tool_next_record(struct tool *t, struct json_doc *doc)
{
	char err[256];

	while (!tool_stop && !t->ended) {
		switch (tool_read_one(t, doc, err, sizeof err)) {
		case TOOL_READ_RECORD:
			return 1;
		case TOOL_READ_BAD:
			tool_bad_record(t, "%s", err);
			continue;
		case TOOL_READ_AGAIN:
			continue;
		case TOOL_READ_ERROR:
			tool_error(t, "%s", err);
			tool_end(t, SW_EXIT_IOERR);
			return 0;
		case TOOL_READ_EOF:
			return 0;
		}
	}
	return 0;
}

/* The head of a line cut at --max-line that a dead-letter line keeps: at
 * most TOOL_HEAD_MAX bytes, less a character the cut split in two. */
static size_t head_len(const char *raw, size_t rawlen)
{
	size_t n = rawlen < TOOL_HEAD_MAX ? rawlen : TOOL_HEAD_MAX, i = n, k = 0;
	unsigned char c;

	while (i > 0 && k < 3 && ((unsigned char)raw[i - 1] & 0xc0) == 0x80) {
		i--;
		k++;
	}
	if (i == 0)
		return n;
	c = (unsigned char)raw[i - 1];
	if (c >= 0xc0 && k + 1 < (size_t)(c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2))
		return i - 1;
	return n;
}

static void dead_letter(struct tool *t, const char *reason, const char *source,
			uint64_t line, const char *raw, size_t rawlen,
			int truncated)
{
	struct sbuf b = SBUF_INIT;
	size_t ok;

	if (truncated)
		rawlen = head_len(raw, rawlen);
	ok = utf8_valid_prefix(raw, rawlen);

	sbuf_puts(&b, "{\"error\":");
	json_put_text(&b, reason, strlen(reason));
	sbuf_puts(&b, ",\"source\":");
	json_put_text(&b, source, strlen(source));
	sbuf_puts(&b, ",\"line\":");
	sbuf_put_u64(&b, line);
	if (ok == rawlen) {
		sbuf_puts(&b, ",\"input\":");
		sbuf_put_jstr(&b, raw, rawlen);
	} else {
		/* Not text: keep every byte, as base64. */
		sbuf_puts(&b, ",\"input\":null,\"input_base64\":\"");
		base64_encode(raw, rawlen, &b);
		sbuf_putc(&b, '"');
	}
	if (truncated)
		sbuf_puts(&b, ",\"truncated\":true");
	sbuf_puts(&b, "}\n");
	if (fwrite(b.p, 1, b.len, t->dead_letter) != b.len ||
	    fflush(t->dead_letter) != 0) {
		int e = errno;
		sbuf_free(&b);
		tool_die(t, SW_EXIT_IOERR, "--dead-letter: %s: %s",
			 t->dead_letter_path, strerror(e));
	}
	sbuf_free(&b);
}

static void __attribute__((format(printf, 6, 0)))
vbad(struct tool *t, const char *source, uint64_t line,
		 const char *raw, size_t rawlen, const char *fmt, va_list ap)
{
	char reason[1024];
	int truncated = t->line_truncated;

	t->line_truncated = 0;
	if (t->ended)
		return; /* the loop is ending: no more records are judged */
	vsnprintf(reason, sizeof reason, fmt, ap);
	t->errors++;
	if (t->on_error == TOOL_ON_ERROR_FAIL) {
		tool_flush(t);
		tool_error(t, "%s:%llu: %s", source, (unsigned long long)line,
			   reason);
		tool_end(t, SW_EXIT_DATAERR);
		return;
	}
	if (t->warned < TOOL_MAX_WARNINGS) {
		t->warned++;
		tool_warn(t, "%s:%llu: %s", source, (unsigned long long)line,
			  reason);
	}
	if (t->dead_letter)
		dead_letter(t, reason, source, line, raw, rawlen, truncated);
}

void tool_bad_record(struct tool *t, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vbad(t, ndjson_source(t->in), ndjson_lineno(t->in), t->line,
	     t->line_len, fmt, ap);
	va_end(ap);
}

void tool_bad_input(struct tool *t, const char *source, uint64_t line,
		    const char *raw, size_t rawlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vbad(t, source, line, raw, rawlen, fmt, ap);
	va_end(ap);
}

/* How bad an exit code is: of two failures the exit status tells the
 * worse.  Bad input is the least (what came before it was handled), then
 * an I/O error, records not delivered, a service out of reach, and
 * failures of the tool itself. */
static int severity(int code)
{
	static const int order[] = {
		SW_EXIT_OK,	  SW_EXIT_DATAERR,     SW_EXIT_IOERR,
		SW_EXIT_TEMPFAIL, SW_EXIT_UNAVAILABLE, SW_EXIT_FAIL,
		SW_EXIT_SOFTWARE, SW_EXIT_USAGE,
	};

	for (size_t i = 0; i < sizeof order / sizeof order[0]; i++)
		if (order[i] == code)
			return (int)i;
	return (int)(sizeof order / sizeof order[0]);
}

int tool_worse(int a, int b)
{
	return severity(b) > severity(a) ? b : a;
}

void tool_end(struct tool *t, int code)
{
	t->ended = 1;
	t->end_code = tool_worse(t->end_code, code);
}

int tool_flush(struct tool *t)
{
	if (out_flush(&t->out) == 0)
		return 0;
	if (t->out_failed)
		return -1;
	t->out_failed = 1;
	if (t->out.err == EPIPE) {
		tool_end(t, SW_EXIT_OK); /* the reader went away: not an error */
		return -1;
	}
	tool_error(t, "write error: %s", strerror(t->out.err));
	tool_end(t, SW_EXIT_IOERR);
	return -1;
}

int tool_finish(struct tool *t, int code)
{
	code = tool_worse(code, t->end_code);
	if (tool_flush(t) < 0 && t->out.err != EPIPE)
		code = tool_worse(code, SW_EXIT_IOERR);
	if (t->out.err != EPIPE && close(t->out.fd) < 0 && errno != EINTR &&
	    code == SW_EXIT_OK) {
		tool_error(t, "write error: %s", strerror(errno));
		code = SW_EXIT_IOERR;
	}
	if (t->dead_letter && fclose(t->dead_letter) != 0) {
		tool_error(t, "--dead-letter: %s: %s", t->dead_letter_path,
			   strerror(errno));
		code = SW_EXIT_IOERR;
	}
	t->dead_letter = NULL;
	if (t->progress)
		(void)!write(2, "\r\033[K", 4);
	t->progress = 0;
	if (t->on_error == TOOL_ON_ERROR_SKIP && t->errors > t->warned &&
	    !t->quiet)
		tool_error(t, "%llu bad records skipped (%u shown)",
			   (unsigned long long)t->errors, t->warned);
	final_report(t);
	if (t->final_stats.len)
		(void)!write(2, t->final_stats.p, t->final_stats.len);
	sbuf_free(&t->final_stats);
	stats_free(&t->report);
	if (t->stats_fd >= 0)
		close(t->stats_fd);
	t->stats_fd = -1;
	t->report_due_us = t->progress_due_us = 0;
	t->tick_at = UINT64_MAX;
	ndjson_close(t->in);
	t->in = NULL;
	out_free(&t->out);
	return code;
}
