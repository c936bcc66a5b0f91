/*
 * window_state: sw-window's state file (--state), saved atomically and
 * loaded back.  Part of the window engine (window_int.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "file.h"
#include "window_int.h"

static void put_time(struct sbuf *b, int64_t t)
{
	if (t == INT64_MIN)
		sbuf_puts(b, "null");
	else
		sbuf_put_i64(b, t);
}

static void save_row(struct window *w, const struct wcell *c, struct sbuf *b)
{
	const char *k = c->key;
	uint32_t n;

	sbuf_puts(b, "{\"start\":");
	sbuf_put_i64(b, c->win->start);
	sbuf_puts(b, ",\"end\":");
	sbuf_put_i64(b, c->win->end);
	sbuf_puts(b, ",\"group\":[");
	for (size_t i = 0; i < w->spec.ngroups; i++) {
		memcpy(&n, k, sizeof n);
		if (i)
			sbuf_putc(b, ',');
		sbuf_put(b, k + sizeof n, n);
		k += sizeof n + n;
	}
	sbuf_puts(b, "],\"aggs\":[");
	for (size_t i = 0; i < w->spec.naggs; i++) {
		if (i)
			sbuf_putc(b, ',');
		wagg_save(w->spec.agg_kinds[i], &c->agg[i], b);
	}
	sbuf_puts(b, "]}\n");
}

int window_save(struct window *w, const char *path, char *err,
		size_t errlen)
{
	struct sbuf b = SBUF_INIT;
	int rc;

	window_collect_all(w);
	/* In output order, so that the same windows give the same file. */
	window_sort_rows((struct wcell **)w->out.p, w->out.n);
	sbuf_puts(&b, "{\"sw_window_state\":1,\"ident\":");
	sbuf_put_jstr(&b, w->spec.ident, strlen(w->spec.ident));
	sbuf_puts(&b, ",\"watermark\":");
	put_time(&b, w->wm);
	sbuf_puts(&b, ",\"max_event\":");
	put_time(&b, w->max_event);
	sbuf_printf(&b, ",\"seq\":%llu,\"rows\":%zu}\n",
		    (unsigned long long)w->seq, w->out.n);
	for (size_t i = 0; i < w->out.n; i++)
		save_row(w, w->out.p[i], &b);
	w->out.n = 0;

	rc = file_replace(path, b.p, b.len, 0600, err, errlen);
	sbuf_free(&b);
	return rc;
}

/* Reads an integer or null (minus infinity) member of object token 0. */
static int get_time(const struct json_doc *d, const char *key, int64_t *t)
{
	int64_t i = json_obj_get(d, 0, key, strlen(key));

	if (i < 0)
		return -1;
	if (d->tok[i].type == JSON_NULL) {
		*t = INT64_MIN;
		return 0;
	}
	if (d->tok[i].type != JSON_NUMBER)
		return -1;
	return json_num_i64(json_tok_ptr(d, (uint32_t)i), d->tok[i].len, t);
}

static int load_header(struct window *w, const struct json_doc *d,
		       int64_t *rows, enum window_state_err *why, char *err,
		       size_t errlen)
{
	int64_t v = -1, ident, seq;

	if (d->tok[0].type != JSON_OBJECT ||
	    get_time(d, "sw_window_state", &v) < 0 || v != 1) {
		snprintf(err, errlen, "not an sw-window state file");
		return -1;
	}
	ident = json_obj_get(d, 0, "ident", 5);
	if (ident < 0 || d->tok[ident].type != JSON_STRING ||
	    get_time(d, "watermark", &w->wm) < 0 ||
	    get_time(d, "max_event", &w->max_event) < 0 ||
	    get_time(d, "seq", &seq) < 0 || seq < 0 ||
	    get_time(d, "rows", rows) < 0 || *rows < 0) {
		snprintf(err, errlen, "bad header");
		return -1;
	}
	w->seq = (uint64_t)seq;
	if (!json_str_eq(d, (uint32_t)ident, w->spec.ident,
			 strlen(w->spec.ident))) {
		struct sbuf was = SBUF_INIT;
		json_unescape(json_tok_ptr(d, (uint32_t)ident),
			      d->tok[ident].len, &was);
		snprintf(err, errlen,
			 "written for other windows or aggregates (%s), not "
			 "these (%s)",
			 was.p ? was.p : "", w->spec.ident);
		sbuf_free(&was);
		*why = WINDOW_STATE_MISMATCH;
		return -1;
	}
	return 0;
}

/* Restores one row; returns 0 or -1 with a reason. */
static int load_row(struct window *w, const struct json_doc *d, char *err,
		    size_t errlen)
{
	const struct window_spec *s = &w->spec;
	int64_t start, end, grp, aggs;
	struct wcell *c;
	uint32_t n;

	if (d->tok[0].type != JSON_OBJECT || get_time(d, "start", &start) ||
	    get_time(d, "end", &end) || start == INT64_MIN ||
	    end == INT64_MIN || end <= start ||
	    (grp = json_obj_get(d, 0, "group", 5)) < 0 ||
	    d->tok[grp].type != JSON_ARRAY ||
	    d->tok[grp].count != s->ngroups ||
	    (aggs = json_obj_get(d, 0, "aggs", 4)) < 0 ||
	    d->tok[aggs].type != JSON_ARRAY ||
	    d->tok[aggs].count != s->naggs) {
		snprintf(err, errlen, "bad row");
		return -1;
	}
	sbuf_reset(&w->key);
	JSON_ARR_FOREACH(d, (uint32_t)grp, e)
	{
		n = d->tok[e].len;
		sbuf_put(&w->key, &n, sizeof n);
		sbuf_put(&w->key, json_tok_ptr(d, e), n);
	}
	uint64_t keyhash = wagg_hash(w->key.p, w->key.len, 0);
	if (s->kind == WINDOW_SLIDING) {
		struct wwin *win;
		if (end - start != s->size ||
		    window_floor_div(start - s->offset, s->slide) * s->slide !=
			    start - s->offset ||
		    window_find_cell(w, start, window_cell_hash(keyhash, start), &win)) {
			snprintf(err, errlen, "bad or repeated window");
			return -1;
		}
		c = window_sliding_cell(w, start, keyhash);
	} else {
		struct wgroup *g = window_group_get(w, keyhash);
		uint32_t i = window_sess_lower(g, start);
		if (i < g->n && g->sess[i]->start <= end) {
			snprintf(err, errlen, "overlapping sessions");
			return -1;
		}
		c = window_sess_insert(w, g, i, start, end)->cells[0];
	}
	uint32_t t = (uint32_t)aggs + 1;
	for (size_t i = 0; i < s->naggs; i++, t = d->tok[t].end)
		if (wagg_load(s->agg_kinds[i], &c->agg[i], d, t, err, errlen))
			return -1;
	return 0;
}

int window_load(struct window *w, const char *path,
		enum window_state_err *why, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	char *line = NULL, reason[256];
	size_t cap = 0;
	ssize_t len;
	int64_t rows = -1, lineno = 0;
	int rc = -1;

	*why = WINDOW_STATE_CORRUPT;
	if (!f) {
		if (errno == ENOENT)
			return 1;
		*why = WINDOW_STATE_IO;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	while ((len = getline(&line, &cap, f)) >= 0) {
		lineno++;
		if (json_parse(&w->doc, line, (size_t)len, reason,
			       sizeof reason) < 0)
			goto bad;
		if (lineno == 1) {
			if (load_header(w, &w->doc, &rows, why, reason,
					sizeof reason) < 0)
				goto bad;
			continue;
		}
		if (lineno - 1 > rows) {
			snprintf(reason, sizeof reason, "more rows than %lld",
				 (long long)rows);
			goto bad;
		}
		if (load_row(w, &w->doc, reason, sizeof reason) < 0)
			goto bad;
	}
	if (ferror(f)) {
		*why = WINDOW_STATE_IO;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (lineno == 0 || lineno - 1 != rows) {
		snprintf(err, errlen, "%s: truncated (%lld of %lld rows)",
			 path, (long long)(lineno ? lineno - 1 : 0),
			 (long long)rows);
		goto out;
	}
	rc = 0;
	goto out;
bad:
	snprintf(err, errlen, "%s: line %lld: %s", path, (long long)lineno,
		 reason);
out:
	free(line);
	fclose(f);
	return rc;
}
