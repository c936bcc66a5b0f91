/*
 * window_rows: the rows a step writes, sorted (by window, then group) and
 * rendered as JSON, all of them or the top N of each window by the --by
 * aggregate.  Part of the window engine (window_int.h).
 */
#include <stdlib.h>
#include <string.h>

#include "window_int.h"
#include "xalloc.h"

static int cmp_keys(const struct wcell *a, const struct wcell *b)
{
	const char *p = a->key, *q = b->key;
	const char *pe = p + a->keylen;
	uint32_t m, n;
	int c;

	while (p < pe) {
		memcpy(&m, p, sizeof m);
		memcpy(&n, q, sizeof n);
		p += sizeof m;
		q += sizeof n;
		if ((c = wagg_cmp_json(p, m, q, n)) != 0)
			return c;
		p += m;
		q += n;
	}
	return 0;
}

static int cmp_rows(const void *x, const void *y)
{
	const struct wcell *a = *(struct wcell *const *)x;
	const struct wcell *b = *(struct wcell *const *)y;

	if (a->win->start != b->win->start)
		return a->win->start < b->win->start ? -1 : 1;
	if (a->win->end != b->win->end)
		return a->win->end < b->win->end ? -1 : 1;
	return cmp_keys(a, b);
}

static int cmp_cells(const void *x, const void *y)
{
	return cmp_keys(*(struct wcell *const *)x, *(struct wcell *const *)y);
}

/* Insertion sort: rows of one step are often a handful (one window's
 * groups), where it costs less than qsort's set-up. */
static void sort_small(struct wcell **rows, size_t n,
		       int (*cmp)(const void *, const void *))
{
	for (size_t i = 1; i < n; i++) {
		struct wcell *c = rows[i];
		size_t j = i;
		for (; j > 0 && cmp(&rows[j - 1], &c) > 0; j--)
			rows[j] = rows[j - 1];
		rows[j] = c;
	}
}

static void sort_by(struct wcell **rows, size_t n,
		    int (*cmp)(const void *, const void *))
{
	if (n > 16)
		qsort(rows, n, sizeof *rows, cmp);
	else
		sort_small(rows, n, cmp);
}

/* Rows come window by window, and windows mostly in order already (closed
 * by end): then only each window's rows need sorting, by group. */
void window_sort_rows(struct wcell **rows, size_t n)
{
	size_t i, j;

	for (i = 1; i < n; i++) {
		const struct wwin *a = rows[i - 1]->win, *b = rows[i]->win;
		if (a != b && (a->start > b->start ||
			       (a->start == b->start && a->end >= b->end)))
			break;
	}
	if (i < n) {
		sort_by(rows, n, cmp_rows);
		return;
	}
	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && rows[j]->win == rows[i]->win; j++)
			;
		sort_by(rows + i, j - i, cmp_cells);
	}
}

/* The part of every row of window win before the first value: the rows
 * of one window are written together, so it stays in w->row for them. */
static void put_prefix(struct window *w, const struct wwin *win)
{
	struct sbuf *r = &w->row;

	sbuf_reset(r);
	sbuf_puts(r, "{\"window\":{\"start\":");
	timefmt_format(w->spec.tf, win->start, r);
	sbuf_puts(r, ",\"end\":");
	timefmt_format(w->spec.tf, win->end, r);
	sbuf_putc(r, '}');
	sbuf_put(r, w->names.p, w->name_off[1] - w->name_off[0]);
	w->fmt_start = win->start;
	w->fmt_end = win->end;
	w->prefix_len = r->len;
}

static void put_row(struct window *w, const struct wcell *c)
{
	const struct window_spec *s = &w->spec;
	struct sbuf *r = &w->row;
	const char *k = c->key;
	uint32_t n;

	if (w->prefix_len == 0 || c->win->start != w->fmt_start ||
	    c->win->end != w->fmt_end)
		put_prefix(w, c->win);
	r->len = w->prefix_len;
	for (size_t i = 0; i < s->ngroups; i++) {
		if (i)
			sbuf_put_short(r, w->names.p + w->name_off[i],
				  w->name_off[i + 1] - w->name_off[i]);
		memcpy(&n, k, sizeof n);
		sbuf_put_short(r, k + sizeof n, n);
		k += sizeof n + n;
	}
	for (size_t i = 0; i < s->naggs; i++) {
		size_t j = s->ngroups + i;
		if (j)
			sbuf_put_short(r, w->names.p + w->name_off[j],
				  w->name_off[j + 1] - w->name_off[j]);
		wagg_put(s->agg_kinds[i], &c->agg[i], r);
	}
	sbuf_putc(r, '}');
	w->emit(w->ctx, r->p, r->len);
}

struct ranked {
	const struct wcell *c;
	size_t off, len, idx;
};

static int cmp_ranked(const void *x, const void *y, void *arg)
{
	const struct ranked *a = x, *b = y;
	const char *text = arg;
	int c = wagg_cmp_json(text + b->off, b->len, text + a->off, a->len);

	if (c)
		return c;
	return a->idx < b->idx ? -1 : a->idx > b->idx;
}

/* Writes rows[0..n) of one window: the top N by the --by aggregate,
 * greatest first, ties in group order. */
static void put_top(struct window *w, struct wcell **rows, size_t n)
{
	int by = w->spec.top_by;
	struct ranked *r = xmalloc(n * sizeof *r);

	sbuf_reset(&w->scratch);
	for (size_t i = 0; i < n; i++) {
		r[i].c = rows[i];
		r[i].idx = i;
		r[i].off = w->scratch.len;
		wagg_put(w->spec.agg_kinds[by], &rows[i]->agg[by], &w->scratch);
		r[i].len = w->scratch.len - r[i].off;
	}
	qsort_r(r, n, sizeof *r, cmp_ranked, w->scratch.p);
	for (size_t i = 0; i < n && i < w->spec.top; i++)
		put_row(w, r[i].c);
	free(r);
}

/* Sorts and writes the rows collected in w->out. */
void window_flush_out(struct window *w)
{
	struct wcell **rows = (struct wcell **)w->out.p;
	size_t n = w->out.n, i, j;

	window_sort_rows(rows, n);
	for (i = 0; i < n; i = j) {
		if (w->spec.top_by < 0) {
			put_row(w, rows[i]);
			j = i + 1;
			continue;
		}
		for (j = i + 1; j < n && rows[j]->win->start == rows[i]->win->start &&
				rows[j]->win->end == rows[i]->win->end;
		     j++)
			;
		put_top(w, rows + i, j - i);
	}
	w->out.n = 0;
}
