/*
 * window_engine: event-time windows with a watermark.  See window_engine.h.
 *
 * Ownership: a window (struct wwin) is reference counted: one reference
 * while it is open, one per heap entry naming it and one per changed-row
 * entry naming one of its rows.  Closing a window releases what its rows
 * hold at once; the shells go when the last reference does, so a stale heap
 * entry or changed-row entry can always look at its window.  They go to
 * free lists in the engine (rows with short keys, windows with their row
 * arrays), reused for the next windows and freed with the engine.
 *
 * This file holds the windows, their rows and their life cycle; rows are
 * sorted and written by window_rows.c and state files are window_state.c
 * (what they share: window_int.h).
 */
#include "window_engine.h"

#include <stdlib.h>
#include <string.h>

#include "htab.h"
#include "window_int.h"
#include "xalloc.h"

/* ---- small containers ---- */

/* Pooled rows and windows are cut from chunks: rows made together lie
 * together, and freeing them all is one call a chunk. */
#define CHUNK_BYTES (256 * 1024)

struct chunk {
	struct chunk *next;
	max_align_t mem[];
};

static void *chunk_cut(struct window *w, size_t n)
{
	n = (n + _Alignof(max_align_t) - 1) & ~(_Alignof(max_align_t) - 1);
	if (!w->chunks || w->chunk_used + n > CHUNK_BYTES) {
		struct chunk *c = xmalloc(sizeof *c + CHUNK_BYTES);
		c->next = w->chunks;
		w->chunks = c;
		w->chunk_used = 0;
	}
	void *p = (char *)w->chunks->mem + w->chunk_used;
	w->chunk_used += n;
	return p;
}

static void vec_push(struct vec *v, void *p)
{
	if (v->n == v->cap) {
		v->cap = v->cap ? v->cap * 2 : 64;
		v->p = xrealloc(v->p, v->cap * sizeof *v->p);
	}
	v->p[v->n++] = p;
}

static void heap_push(struct window *w, int64_t end, struct wwin *win)
{
	size_t i = w->nheap++;

	if (w->nheap > w->capheap) {
		w->capheap = w->capheap ? w->capheap * 2 : 64;
		w->heap = xrealloc(w->heap, w->capheap * sizeof *w->heap);
	}
	win->refs++;
	while (i > 0 && w->heap[(i - 1) / 2].end > end) {
		w->heap[i] = w->heap[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	w->heap[i].end = end;
	w->heap[i].win = win;
}

static void sift_down(struct window *w, size_t i, struct heap_ent e)
{
	size_t c;

	while ((c = 2 * i + 1) < w->nheap) {
		if (c + 1 < w->nheap && w->heap[c + 1].end < w->heap[c].end)
			c++;
		if (w->heap[c].end >= e.end)
			break;
		w->heap[i] = w->heap[c];
		i = c;
	}
	w->heap[i] = e;
}

/* Removes the top entry; its reference passes to the caller. */
static struct heap_ent heap_pop(struct window *w)
{
	struct heap_ent top = w->heap[0], last = w->heap[--w->nheap];

	if (w->nheap)
		sift_down(w, 0, last);
	return top;
}

static int ent_live(const struct heap_ent *e)
{
	return !e->win->dead && e->win->end == e->end;
}

static void cell_release(struct window *w, struct wcell *c)
{
	if (!c->pooled) {
		free(c);
		return;
	}
	c->win = (struct wwin *)w->free_cells;
	w->free_cells = c;
}

/* The last reference returns the window and its rows to the free lists. */
static void unref(struct window *w, struct wwin *win)
{
	if (--win->refs)
		return;
	for (uint32_t i = 0; i < win->ncells; i++)
		cell_release(w, win->cells[i]);
	win->ncells = 0;
	win->next_free = w->free_wins;
	w->free_wins = win;
}

/* Sessions leave an entry behind each time they grow: drop those when
 * they outnumber the live ones, so that memory follows open windows. */
static void heap_compact(struct window *w)
{
	size_t n = 0;

	for (size_t i = 0; i < w->nheap; i++) {
		if (ent_live(&w->heap[i]))
			w->heap[n++] = w->heap[i];
		else
			unref(w, w->heap[i].win);
	}
	w->nheap = n;
	for (size_t i = n / 2; i-- > 0;)
		sift_down(w, i, w->heap[i]);
}

/* ---- windows and rows ---- */

static uint64_t mix64(uint64_t x)
{
	x ^= x >> 31;
	x *= 0x9E3779B97F4A7C15ull;
	x ^= x >> 29;
	return x;
}

uint64_t window_cell_hash(uint64_t keyhash, int64_t start)
{
	return keyhash ^ mix64((uint64_t)start);
}


static struct wwin *win_new(struct window *w, int64_t start, int64_t end)
{
	struct wwin *win = w->free_wins;

	if (win)
		w->free_wins = win->next_free;
	else
		win = memset(chunk_cut(w, sizeof *win), 0, sizeof *win);
	win->start = start;
	win->end = end;
	win->refs = 1;
	win->dead = 0;
	win->mark = 0;
	win->indexed = 0;
	win->grp = NULL;
	return win;
}

static struct wcell *cell_new(struct window *w, struct wwin *win,
			      const char *key, uint32_t keylen, uint64_t hash)
{
	struct wcell *c;
	size_t naggs = w->spec.naggs, head = sizeof *c + naggs * sizeof c->agg[0];
	uint8_t pooled = keylen < CELL_KEY;

	if (pooled && w->free_cells) {
		c = w->free_cells;
		w->free_cells = (struct wcell *)c->win;
	} else if (pooled) {
		c = chunk_cut(w, head + CELL_KEY);
	} else {
		c = xmalloc(head + keylen + 1);
	}
	c->pooled = pooled;
	c->win = win;
	c->hash = hash;
	c->key = (char *)&c->agg[naggs];
	memcpy(c->key, key, keylen);
	c->key[keylen] = '\0';
	c->keylen = keylen;
	c->changed = 0;
	for (size_t i = 0; i < naggs; i++)
		wagg_init(&c->agg[i]);
	if (win->ncells == win->cap) {
		win->cap = win->cap ? win->cap * 2 : 4;
		win->cells = xrealloc(win->cells,
				      win->cap * sizeof *win->cells);
		win->hashes = xrealloc(win->hashes,
				       win->cap * sizeof *win->hashes);
	}
	win->hashes[win->ncells] = hash;
	win->cells[win->ncells++] = c;
	w->rows++;
	return c;
}

struct cell_key {
	int64_t start;
	const char *key;
	uint32_t keylen;
};

static int cell_eq(const void *item, const void *key)
{
	const struct wcell *c = item;
	const struct cell_key *k = key;

	return c->win->start == k->start && c->keylen == k->keylen &&
	       memcmp(c->key, k->key, k->keylen) == 0;
}

static int win_eq(const void *item, const void *key)
{
	return ((const struct wwin *)item)->start == *(const int64_t *)key;
}

struct bytes {
	const char *p;
	uint32_t n;
};

static int group_eq(const void *item, const void *key)
{
	const struct wgroup *g = item;
	const struct bytes *k = key;

	return g->keylen == k->n && memcmp(g->key, k->p, k->n) == 0;
}

/* Windows with at most this many rows find them by a scan of their own
 * (the rows of the windows records are arriving for are in cache); past
 * it, the window's rows go into the row table. */
#define WIN_SCAN 16

/* The sliding window of start (NULL if none is open) and in it the row of
 * the group key in w->key, hash h (NULL if none). */
struct wcell *window_find_cell(struct window *w, int64_t start, uint64_t h,
			       struct wwin **winp)
{
	struct cell_key k = { start, w->key.p, (uint32_t)w->key.len };
	struct wwin *win = htab_find(&w->wins, mix64((uint64_t)start), win_eq,
				    &start);

	*winp = win;
	if (!win)
		return NULL;
	if (win->indexed)
		return htab_find(&w->cells, h, cell_eq, &k);
	for (uint32_t i = 0; i < win->ncells; i++) {
		struct wcell *c = win->cells[i];
		if (win->hashes[i] == h && c->keylen == k.keylen &&
		    memcmp(c->key, k.key, k.keylen) == 0)
			return c;
	}
	return NULL;
}

/* The row of sliding window start for the group key, created if new. */
struct wcell *window_sliding_cell(struct window *w, int64_t start,
				  uint64_t keyhash)
{
	uint64_t h = window_cell_hash(keyhash, start);
	struct wwin *win;
	struct wcell *c = window_find_cell(w, start, h, &win);

	if (c)
		return c;
	if (!win) {
		win = win_new(w, start, start + w->spec.size);
		htab_put(&w->wins, mix64((uint64_t)start), win);
		heap_push(w, win->end, win);
	}
	c = cell_new(w, win, w->key.p, (uint32_t)w->key.len, h);
	if (win->indexed) {
		htab_put(&w->cells, h, c);
	} else if (win->ncells > WIN_SCAN) {
		for (uint32_t i = 0; i < win->ncells; i++)
			htab_put(&w->cells, win->cells[i]->hash, win->cells[i]);
		win->indexed = 1;
	}
	return c;
}

/* Frees what an open window holds and closes it; the caller holds a
 * reference of its own (a popped heap entry) or the window is a merged
 * session. */
static void win_kill(struct window *w, struct wwin *win)
{
	for (uint32_t i = 0; i < win->ncells; i++) {
		struct wcell *c = win->cells[i];
		if (win->indexed && !w->closing_all)
			htab_del(&w->cells, c->hash, c);
		/* Only min, max, first, last and distinct hold memory; the
		 * block is initialised again when it is reused. */
		for (size_t a = 0; a < w->spec.naggs; a++)
			if (c->agg[a].v || c->agg[a].set)
				wagg_free(&c->agg[a]);
	}
	w->rows -= win->ncells;
	if (w->spec.kind == WINDOW_SLIDING) {
		if (!w->closing_all)
			htab_del(&w->wins, mix64((uint64_t)win->start), win);
	} else {
		struct wgroup *g = win->grp;
		uint32_t i = 0;
		while (g->sess[i] != win)
			i++;
		memmove(&g->sess[i], &g->sess[i + 1],
			(g->n - i - 1) * sizeof *g->sess);
		if (--g->n == 0) {
			htab_del(&w->groups, g->hash, g);
			free(g->sess);
			free(g);
		}
	}
	win->dead = 1;
	unref(w, win);
}

static void mark_changed(struct window *w, struct wcell *c)
{
	if (w->spec.mode != WINDOW_UPDATE || c->changed)
		return;
	c->changed = 1;
	c->win->refs++;
	vec_push(&w->changed, c);
}

static void add_values(struct window *w, struct wcell *c,
		       const struct jval *vals)
{
	for (size_t i = 0; i < w->spec.naggs; i++) {
		/* A count only counts: no call for it. */
		if (w->spec.agg_kinds[i] == WAGG_COUNT)
			c->agg[i].n++;
		else
			wagg_add(w->spec.agg_kinds[i], &c->agg[i], &vals[i],
				 w->seq);
	}
	mark_changed(w, c);
}

int64_t window_floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;

	if (a % b != 0 && (a < 0) != (b < 0))
		q--;
	return q;
}

static int add_sliding(struct window *w, int64_t t, uint64_t keyhash,
		       const struct jval *vals)
{
	const struct window_spec *s = &w->spec;
	int64_t start = s->offset + window_floor_div(t - s->offset, s->slide) * s->slide;
	int n = 0;

	/* Later starts first: their ends are later, so the first window the
	 * watermark has passed ends the walk. */
	for (; start > t - s->size; start -= s->slide) {
		if (s->mode != WINDOW_COMPLETE && start + s->size <= w->wm)
			break;
		add_values(w, window_sliding_cell(w, start, keyhash), vals);
		if (s->max_rows && w->rows > s->max_rows)
			return WINDOW_ADD_FULL;
		n++;
	}
	return n;
}

/* Index of the first session of g that ends at or after t. */
uint32_t window_sess_lower(const struct wgroup *g, int64_t t)
{
	uint32_t lo = 0, hi = g->n;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (g->sess[mid]->end < t)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

struct wgroup *window_group_get(struct window *w, uint64_t keyhash)
{
	struct bytes k = { w->key.p, (uint32_t)w->key.len };
	struct wgroup *g = htab_find(&w->groups, keyhash, group_eq, &k);

	if (g)
		return g;
	g = xcalloc(1, sizeof *g + k.n + 1);
	g->hash = keyhash;
	g->keylen = k.n;
	memcpy(g->key, k.p, k.n);
	htab_put(&w->groups, keyhash, g);
	return g;
}

/* A new session [start, end) at index i of g, with an empty row. */
struct wwin *window_sess_insert(struct window *w, struct wgroup *g,
				uint32_t i, int64_t start, int64_t end)
{
	struct wwin *win = win_new(w, start, end);

	win->grp = g;
	if (g->n == g->cap) {
		g->cap = g->cap ? g->cap * 2 : 2;
		g->sess = xrealloc(g->sess, g->cap * sizeof *g->sess);
	}
	memmove(&g->sess[i + 1], &g->sess[i], (g->n - i) * sizeof *g->sess);
	g->sess[i] = win;
	g->n++;
	cell_new(w, win, g->key, g->keylen, g->hash);
	heap_push(w, end, win);
	return win;
}

static int add_session(struct window *w, int64_t t, uint64_t keyhash,
		       const struct jval *vals)
{
	int64_t a = t, b = t + w->spec.gap;
	struct wgroup *g;
	struct wwin *win;
	uint32_t i, j;

	if (w->spec.mode != WINDOW_COMPLETE && b <= w->wm)
		return 0;
	g = window_group_get(w, keyhash);
	i = window_sess_lower(g, a);
	if (i == g->n || g->sess[i]->start > b) {
		win = window_sess_insert(w, g, i, a, b);
	} else {
		/* Sessions i..j-1 overlap or touch [a, b): they become one. */
		win = g->sess[i];
		for (j = i + 1; j < g->n && g->sess[j]->start <= b; j++)
			;
		if (g->sess[j - 1]->end > b)
			b = g->sess[j - 1]->end;
		while (j-- > i + 1) {
			struct wwin *o = g->sess[j];
			for (size_t k = 0; k < w->spec.naggs; k++)
				wagg_merge(w->spec.agg_kinds[k],
					   &win->cells[0]->agg[k],
					   &o->cells[0]->agg[k]);
			win_kill(w, o);
		}
		if (a < win->start)
			win->start = a;
		if (b > win->end) {
			win->end = b;
			heap_push(w, b, win);
			if (w->nheap > 2 * w->rows + 1024)
				heap_compact(w);
		}
	}
	add_values(w, win->cells[0], vals);
	if (w->spec.max_rows && w->rows > w->spec.max_rows)
		return WINDOW_ADD_FULL;
	return 1;
}

/* Encodes the group values into w->key. */
static void build_key(struct window *w, const struct jval *groups)
{
	sbuf_reset(&w->key);
	for (size_t i = 0; i < w->spec.ngroups; i++) {
		const char *p = groups[i].p ? groups[i].p : "null";
		uint32_t n = groups[i].p ? (uint32_t)groups[i].n : 4;
		sbuf_put_short(&w->key, (const char *)&n, sizeof n);
		sbuf_put_short(&w->key, p, n);
	}
}

int window_add(struct window *w, int64_t t, const struct jval *groups,
	       const struct jval *vals, size_t *bad, char *err,
	       size_t errlen)
{
	uint64_t keyhash;

	for (size_t i = 0; i < w->spec.naggs; i++) {
		if (wagg_check(w->spec.agg_kinds[i], &vals[i], err, errlen)) {
			*bad = i;
			return -1;
		}
	}
	if (t > w->max_event)
		w->max_event = t;
	w->seq++;
	build_key(w, groups);
	keyhash = wagg_hash(w->key.p, w->key.len, 0);
	if (w->spec.kind == WINDOW_SESSION)
		return add_session(w, t, keyhash, vals);
	return add_sliding(w, t, keyhash, vals);
}

static void collect_win(struct window *w, struct wwin *win)
{
	for (uint32_t i = 0; i < win->ncells; i++)
		vec_push(&w->out, win->cells[i]);
}

/* Every open window's rows (each has exactly one live heap entry). */
void window_collect_all(struct window *w)
{
	for (size_t i = 0; i < w->nheap; i++)
		if (ent_live(&w->heap[i]))
			collect_win(w, w->heap[i].win);
}

/* Update mode: the rows changed since the last step (with --top, every
 * row of a window with a changed row, since ranks need them all). */
static void emit_changed(struct window *w)
{
	struct wcell **ch = (struct wcell **)w->changed.p;
	size_t n = w->changed.n;

	for (size_t i = 0; i < n; i++) {
		struct wwin *win = ch[i]->win;
		ch[i]->changed = 0;
		if (win->dead)
			continue;
		if (w->spec.top_by < 0) {
			vec_push(&w->out, ch[i]);
		} else if (!win->mark) {
			win->mark = 1;
			collect_win(w, win);
		}
	}
	window_flush_out(w);
	for (size_t i = 0; i < n; i++) {
		ch[i]->win->mark = 0;
		unref(w, ch[i]->win);
	}
	w->changed.n = 0;
}

/* Drops pending changes without writing them. */
static void drop_changed(struct window *w)
{
	struct wcell **ch = (struct wcell **)w->changed.p;

	for (size_t i = 0; i < w->changed.n; i++) {
		ch[i]->changed = 0;
		unref(w, ch[i]->win);
	}
	w->changed.n = 0;
}

/* Closes every window that ends at or before limit, writing its rows
 * first when write is set. */
static void close_upto(struct window *w, int64_t limit, int write)
{
	struct wwin **cl;

	while (w->nheap && w->heap[0].end <= limit) {
		struct heap_ent e = heap_pop(w);
		if (!ent_live(&e)) {
			unref(w, e.win);
			continue;
		}
		vec_push(&w->closing, e.win);
		if (write)
			collect_win(w, e.win);
	}
	window_flush_out(w);
	/* A sliding window has one heap entry: none left, none stays open,
	 * and the tables are emptied at once rather than item by item. */
	w->closing_all = w->spec.kind == WINDOW_SLIDING && w->nheap == 0;
	cl = (struct wwin **)w->closing.p;
	for (size_t i = 0; i < w->closing.n; i++) {
		win_kill(w, cl[i]);
		unref(w, cl[i]);
	}
	w->closing.n = 0;
	if (w->closing_all) {
		htab_clear(&w->cells);
		htab_clear(&w->wins);
		w->closing_all = 0;
	}
}

void window_step(struct window *w)
{
	if (w->spec.mode == WINDOW_UPDATE)
		emit_changed(w);
	if (w->spec.mode == WINDOW_COMPLETE) {
		window_collect_all(w);
		window_flush_out(w);
	}
	if (w->max_event != INT64_MIN) {
		int64_t wm;
		if (__builtin_sub_overflow(w->max_event, w->spec.delay, &wm))
			wm = INT64_MIN;
		if (wm > w->wm)
			w->wm = wm;
	}
	if (w->spec.mode != WINDOW_COMPLETE)
		close_upto(w, w->wm, w->spec.mode == WINDOW_APPEND);
}

void window_finish(struct window *w)
{
	if (w->spec.mode == WINDOW_COMPLETE) {
		window_collect_all(w);
		window_flush_out(w);
		return;
	}
	/* The end of the stream is a watermark at infinity.  Append mode
	 * writes what it passes; update mode has written every row when a
	 * record changed it, and frees the windows without writing them
	 * again, as Spark's update mode evicts them. */
	drop_changed(w);
	w->wm = INT64_MAX;
	close_upto(w, INT64_MAX, w->spec.mode == WINDOW_APPEND);
}

int64_t window_watermark(const struct window *w)
{
	return w->wm;
}

size_t window_rows(const struct window *w)
{
	return w->rows;
}

size_t window_count(const struct window *w)
{
	return w->wins.n;
}

/* ---- life cycle ---- */

struct window *window_new(const struct window_spec *spec,
			  window_emit_fn emit, void *ctx)
{
	struct window *w = xcalloc(1, sizeof *w);
	size_t nn = spec->ngroups + spec->naggs;

	w->spec = *spec;
	w->emit = emit;
	w->ctx = ctx;
	w->wm = INT64_MIN;
	w->max_event = INT64_MIN;
	w->name_off = xmalloc((nn + 1) * sizeof *w->name_off);
	for (size_t i = 0; i < nn; i++) {
		const char *name = i < spec->ngroups
					   ? spec->group_names[i]
					   : spec->agg_names[i - spec->ngroups];
		w->name_off[i] = w->names.len;
		sbuf_putc(&w->names, ',');
		sbuf_put_jstr(&w->names, name, strlen(name));
		sbuf_putc(&w->names, ':');
	}
	w->name_off[nn] = w->names.len;
	/* Never NULL, even with no group: the key goes to memcpy/memcmp. */
	sbuf_grow(&w->key, 64);
	json_doc_init(&w->doc);
	return w;
}

void window_free(struct window *w)
{
	if (!w)
		return;
	drop_changed(w);
	while (w->nheap) {
		struct heap_ent e = heap_pop(w);
		if (ent_live(&e))
			win_kill(w, e.win);
		unref(w, e.win);
	}
	for (struct wwin *win = w->free_wins; win; win = win->next_free) {
		free(win->cells);
		free(win->hashes);
	}
	while (w->chunks) {
		struct chunk *c = w->chunks;
		w->chunks = c->next;
		free(c);
	}
	htab_free(&w->cells);
	htab_free(&w->wins);
	htab_free(&w->groups);
	free(w->heap);
	free(w->changed.p);
	free(w->out.p);
	free(w->closing.p);
	sbuf_free(&w->key);
	sbuf_free(&w->row);
	sbuf_free(&w->names);
	sbuf_free(&w->scratch);
	free(w->name_off);
	json_doc_free(&w->doc);
	free(w);
}

