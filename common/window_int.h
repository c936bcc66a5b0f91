/*
 * window_int: what the files of the window engine share (window_engine.c:
 * windows, rows and their life cycle; window_rows.c: sorting and writing
 * rows, with --top; window_state.c: state files).  Private to them: tools
 * use window_engine.h.  Ownership is described in window_engine.c.
 */
#ifndef SW_WINDOW_INT_H
#define SW_WINDOW_INT_H

#include <stddef.h>
#include <stdint.h>

#include "htab.h"
#include "json.h"
#include "sbuf.h"
#include "window_engine.h"

struct wcell {
	struct wwin *win; /* in the free list: the next free cell */
	uint64_t hash;    /* of (start, key): the row table */
	char *key;        /* group values: (u32 length, compact JSON)... */
	uint32_t keylen;
	uint8_t changed;  /* in the changed list (update mode) */
	uint8_t pooled;   /* a CELL_KEY-sized block, back to the free list */
	struct wagg agg[];
};

/* Most rows are made and freed at the pace of records: blocks with room
 * for keys this long are recycled instead. */
#define CELL_KEY 64

struct wgroup { /* the sessions of one group, disjoint, by start */
	uint64_t hash;
	uint32_t n, cap;
	struct wwin **sess;
	uint32_t keylen;
	char key[];
};

struct wwin {
	int64_t start, end;
	uint32_t refs;
	uint8_t dead;
	uint8_t mark; /* collected for emission */
	uint8_t indexed; /* its rows are in the row table (sliding) */
	struct wgroup *grp;
	struct wcell **cells; /* kept, with its cap, by a freed window */
	uint64_t *hashes;     /* cells[i]->hash, scanned without touching rows */
	uint32_t ncells, cap;
	struct wwin *next_free;
};

struct heap_ent {
	int64_t end;
	struct wwin *win;
};

struct vec { /* of pointers */
	void **p;
	size_t n, cap;
};

struct window {
	struct window_spec spec;
	window_emit_fn emit;
	void *ctx;
	int64_t wm, max_event;
	uint64_t seq;
	size_t rows;
	struct htab cells, wins, groups;
	struct heap_ent *heap;
	size_t nheap, capheap;
	struct vec changed; /* struct wcell * */
	struct vec out;     /* struct wcell *, rows of one emission */
	struct vec closing; /* struct wwin * */
	struct sbuf key, row, names, scratch;
	size_t *name_off; /* ngroups + naggs + 1 offsets into names */
	/* row begins with {"window":{...},"first name": of these bounds,
	 * prefix_len bytes (0: not yet). */
	int64_t fmt_start, fmt_end;
	size_t prefix_len;
	struct json_doc doc;
	struct wcell *free_cells; /* pooled blocks, through ->win */
	struct wwin *free_wins;
	struct chunk *chunks;     /* where pooled rows and windows are cut */
	size_t chunk_used;
	int closing_all; /* close_upto() is closing every window */
};

/* window_engine.c */
void window_collect_all(struct window *w);
struct wcell *window_sliding_cell(struct window *w, int64_t start,
				  uint64_t keyhash);
uint32_t window_sess_lower(const struct wgroup *g, int64_t t);
struct wwin *window_sess_insert(struct window *w, struct wgroup *g,
				uint32_t i, int64_t start, int64_t end);
struct wgroup *window_group_get(struct window *w, uint64_t keyhash);
int64_t window_floor_div(int64_t a, int64_t b);
struct wcell *window_find_cell(struct window *w, int64_t start, uint64_t h,
			       struct wwin **winp);
uint64_t window_cell_hash(uint64_t keyhash, int64_t start);

/* window_rows.c */
void window_sort_rows(struct wcell **rows, size_t n);
void window_flush_out(struct window *w);

#endif
