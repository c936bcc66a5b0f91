/*
 * window_engine: event-time windows with a watermark, after Spark
 * Structured Streaming's window(), session_window(), withWatermark() and
 * output modes (sw-window(1)).  This is sw-window's whole logic;
 * cmd/sw-window.c only reads records, extracts fields and writes rows.
 *
 * The engine assigns each record (an event time, its group values and one
 * value per aggregate, all as compact JSON text) to every window that
 * contains it, keeps one row of aggregate state per window and group, and
 * at each emission step advances the watermark and hands finished rows to
 * the caller's emit callback as compact JSON text.  Windows whose end is at
 * or before the watermark are freed (except in complete mode), so memory is
 * bounded by the watermark.
 *
 * Windows: sliding ones ([start, start + size) for every start = offset +
 * k * slide; tumbling is slide == size) are kept in a table by start and a
 * heap by end; the rows in a hash table keyed by (start, group key).  A
 * session window is per group and grows as records join it; stale heap
 * entries of sessions that grew or merged are skipped lazily.
 *
 * The engine owns everything it allocates; the spec's strings and the
 * timefmt must outlive it.  It never prints and never exits.
 */
#ifndef SW_WINDOW_ENGINE_H
#define SW_WINDOW_ENGINE_H

#include <stddef.h>
#include <stdint.h>

#include "jpath.h"
#include "sbuf.h"
#include "timefmt.h"
#include "window_agg.h"

enum window_kind { WINDOW_SLIDING, WINDOW_SESSION };
enum window_mode { WINDOW_APPEND, WINDOW_UPDATE, WINDOW_COMPLETE };

struct window_spec {
	enum window_kind kind;
	int64_t size, slide, offset; /* sliding, microseconds */
	int64_t gap;                 /* session, microseconds */
	int64_t delay;               /* watermark delay (>= 0) */
	enum window_mode mode;
	size_t ngroups;
	const char *const *group_names;
	size_t naggs;
	const enum wagg_kind *agg_kinds;
	const char *const *agg_names;
	size_t top;    /* --top N, 0: all rows */
	int top_by;    /* aggregate index ranked by --top, -1: none */
	const struct timefmt *tf; /* window bounds on output */
	/* What a state file must have been written with to be loaded: the
	 * window spec, group paths and aggregates as the tool sees them. */
	const char *ident;
	/* Rows held at most (0: no limit): window_add() stops at the row
	 * past it, before making more. */
	uint64_t max_rows;
};

/* Called for each row, compact JSON without a line end. */
typedef void (*window_emit_fn)(void *ctx, const char *row, size_t n);

struct window;

struct window *window_new(const struct window_spec *spec,
			  window_emit_fn emit, void *ctx);
void window_free(struct window *w);

/* Checks the values first (see wagg_check; on failure returns -1 with the
 * index of the bad aggregate in *bad and a reason in err, having changed
 * nothing), then adds the record at event time t (microseconds) with
 * groups[0..ngroups) and vals[0..naggs) (p == NULL: missing) to every
 * window that contains it and is still open.  Returns how many windows took
 * it: 0 means the record is late; WINDOW_ADD_FULL that the rows passed
 * spec.max_rows on the way (the record is partly added: the caller
 * stops). */
#define WINDOW_ADD_FULL (-2)
int window_add(struct window *w, int64_t t, const struct jval *groups,
	       const struct jval *vals, size_t *bad, char *err,
	       size_t errlen);

/* An emission step.  update: every row changed since the last step;
 * complete: the whole table; then the watermark advances to the greatest
 * event time seen minus the delay, and windows it passed are freed
 * (append: and written). */
void window_step(struct window *w);

/* End of the stream: the watermark becomes infinite and every open window
 * is written (complete: the whole table) and freed. */
void window_finish(struct window *w);

/* Current watermark (INT64_MIN before any record), open rows and open
 * windows. */
int64_t window_watermark(const struct window *w);
size_t window_rows(const struct window *w);
size_t window_count(const struct window *w);

/* State files (NDJSON, replaced atomically: temp file, fsync, rename).
 * window_save writes the watermark and every open row.  window_load, on a
 * fresh engine, returns 0 when loaded, 1 when the file does not exist, or
 * -1 with a reason in err: WINDOW_STATE_IO (cannot read),
 * WINDOW_STATE_CORRUPT (not a state file, truncated) or
 * WINDOW_STATE_MISMATCH (written with another spec) in *why. */
enum window_state_err { WINDOW_STATE_IO = 1, WINDOW_STATE_CORRUPT,
			WINDOW_STATE_MISMATCH };
int window_save(struct window *w, const char *path, char *err,
		size_t errlen);
int window_load(struct window *w, const char *path,
		enum window_state_err *why, char *err, size_t errlen);

#endif
