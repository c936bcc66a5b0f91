#include "sinkf_log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "file.h"
#include "json.h"
#include "xalloc.h"

struct sinkf_tp *sinkf_offsets_at(struct sinkf_offsets *o, const char *topic,
				  size_t len, int32_t partition)
{
	struct sinkf_tp *e;

	if (o->last < o->n) {
		e = &o->v[o->last];
		if (e->partition == partition && strlen(e->topic) == len &&
		    memcmp(e->topic, topic, len) == 0)
			return e;
	}
	for (size_t i = 0; i < o->n; i++) {
		e = &o->v[i];
		if (e->partition == partition && strlen(e->topic) == len &&
		    memcmp(e->topic, topic, len) == 0) {
			o->last = i;
			return e;
		}
	}
	o->v = xrealloc(o->v, (o->n + 1) * sizeof *o->v);
	e = &o->v[o->n];
	e->topic = xstrndup(topic, len);
	e->partition = partition;
	e->next = -1;
	o->last = o->n++;
	return e;
}

void sinkf_offsets_merge(struct sinkf_offsets *o,
			 const struct sinkf_offsets *from)
{
	for (size_t i = 0; i < from->n; i++) {
		const struct sinkf_tp *f = &from->v[i];
		struct sinkf_tp *e = sinkf_offsets_at(o, f->topic,
						      strlen(f->topic),
						      f->partition);

		if (f->next > e->next)
			e->next = f->next;
	}
}

void sinkf_offsets_format(const struct sinkf_offsets *o, struct sbuf *b)
{
	sbuf_putc(b, '{');
	for (size_t i = 0; i < o->n; i++) {
		int seen = 0, first = 1;

		for (size_t j = 0; j < i && !seen; j++)
			seen = strcmp(o->v[j].topic, o->v[i].topic) == 0;
		if (seen)
			continue;
		if (b->p[b->len - 1] != '{')
			sbuf_putc(b, ',');
		sbuf_put_jstr(b, o->v[i].topic, strlen(o->v[i].topic));
		sbuf_puts(b, ":{");
		for (size_t j = i; j < o->n; j++) {
			if (strcmp(o->v[j].topic, o->v[i].topic) != 0 ||
			    o->v[j].next < 0)
				continue;
			if (!first)
				sbuf_putc(b, ',');
			first = 0;
			sbuf_printf(b, "\"%d\":", (int)o->v[j].partition);
			sbuf_put_i64(b, o->v[j].next);
		}
		sbuf_putc(b, '}');
	}
	sbuf_putc(b, '}');
}

void sinkf_offsets_free(struct sinkf_offsets *o)
{
	for (size_t i = 0; i < o->n; i++)
		free(o->v[i].topic);
	free(o->v);
	memset(o, 0, sizeof *o);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Takes one parsed log line into l.  Returns 0 or -1 (not a log line). */
static int take_line(struct sinkf_log *l, const struct json_doc *d)
{
	int64_t files, offs, part, v;
	struct sbuf s = SBUF_INIT;

	if (d->tok[0].type != JSON_OBJECT)
		return -1;
	files = json_obj_get(d, 0, "files", 5);
	offs = json_obj_get(d, 0, "offsets", 7);
	part = json_obj_get(d, 0, "part", 4);
	if (files < 0 || d->tok[files].type != JSON_ARRAY || offs < 0 ||
	    d->tok[offs].type != JSON_OBJECT || part < 0 ||
	    json_num_i64(json_tok_ptr(d, (uint32_t)part), d->tok[part].len,
			 &v) < 0 || v < 0)
		return -1;
	if ((uint64_t)v > l->last_part)
		l->last_part = (uint64_t)v;
	JSON_ARR_FOREACH(d, (uint32_t)files, f) {
		if (d->tok[f].type != JSON_STRING)
			goto bad;
		sbuf_reset(&s);
		json_unescape(json_tok_ptr(d, f), d->tok[f].len, &s);
		l->files = xrealloc(l->files, (l->nfiles + 1) * sizeof *l->files);
		l->files[l->nfiles++] = xstrndup(s.p, s.len);
	}
	JSON_OBJ_FOREACH(d, (uint32_t)offs, t) {
		if (d->tok[t + 1].type != JSON_OBJECT)
			goto bad;
		sbuf_reset(&s);
		json_unescape(json_tok_ptr(d, t), d->tok[t].len, &s);
		JSON_OBJ_FOREACH(d, t + 1, k) {
			struct sbuf pn = SBUF_INIT;
			int64_t pnum, off;
			int ok;

			json_unescape(json_tok_ptr(d, k), d->tok[k].len, &pn);
			ok = json_num_i64(pn.p, pn.len, &pnum) == 0 &&
			     pnum >= 0 && pnum <= INT32_MAX &&
			     json_num_i64(json_tok_ptr(d, k + 1),
					  d->tok[k + 1].len, &off) == 0 &&
			     off >= 0;
			sbuf_free(&pn);
			if (!ok)
				goto bad;
			struct sinkf_tp *e = sinkf_offsets_at(
				&l->offsets, s.p, s.len, (int32_t)pnum);
			if (off > e->next)
				e->next = off;
		}
	}
	sbuf_free(&s);
	l->commits++;
	return 0;
bad:
	sbuf_free(&s);
	return -1;
}

int sinkf_log_open(struct sinkf_log *l, const char *dir, char *err,
		   size_t errlen)
{
	struct sbuf path = SBUF_INIT, b = SBUF_INIT;
	struct json_doc d;
	char why[256];
	size_t pos = 0;
	int rc = -1;

	memset(l, 0, sizeof *l);
	json_doc_init(&d);
	sbuf_printf(&path, "%s/_sw_log", dir);
	l->fd = open(path.p, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (l->fd < 0) {
		snprintf(err, errlen, "%s: %s", path.p, strerror(errno));
		goto out;
	}
	for (;;) {
		ssize_t n;

		sbuf_grow(&b, 1 << 16);
		n = read(l->fd, b.p + b.len, b.cap - b.len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			snprintf(err, errlen, "%s: %s", path.p, strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		b.len += (size_t)n;
	}
	while (pos < b.len) {
		char *nl = memchr(b.p + pos, '\n', b.len - pos);
		size_t end = nl ? (size_t)(nl - b.p) : b.len;

		if (end > pos &&
		    (json_parse(&d, b.p + pos, end - pos, why, sizeof why) < 0 ||
		     take_line(l, &d) < 0)) {
			if (!nl)
				break; /* torn by a crash: cut off below */
			snprintf(err, errlen, "%s: line %llu is not a commit",
				 path.p, (unsigned long long)l->commits + 1);
			goto out;
		}
		if (!nl)
			break;
		pos = end + 1;
	}
	if (pos < b.len) {
		/* A line without its end was never committed. */
		l->truncated = b.len - pos;
		if (ftruncate(l->fd, (off_t)pos) < 0 || fsync(l->fd) < 0) {
			snprintf(err, errlen, "%s: %s", path.p, strerror(errno));
			goto out;
		}
	}
	if (l->nfiles)
		qsort(l->files, l->nfiles, sizeof *l->files, cmp_str);
	rc = 0;
out:
	json_doc_free(&d);
	sbuf_free(&path);
	sbuf_free(&b);
	return rc;
}

void sinkf_log_close(struct sinkf_log *l)
{
	if (l->fd >= 0)
		close(l->fd);
	for (size_t i = 0; i < l->nfiles; i++)
		free(l->files[i]);
	free(l->files);
	sinkf_offsets_free(&l->offsets);
	memset(l, 0, sizeof *l);
	l->fd = -1;
}

int sinkf_log_has(const struct sinkf_log *l, const char *path)
{
	return l->nfiles &&
	       bsearch(&path, l->files, l->nfiles, sizeof *l->files,
		       cmp_str) != NULL;
}

int sinkf_log_commit(struct sinkf_log *l, char *const *files, size_t n,
		     uint64_t last_part, uint64_t records, const struct sinkf_offsets *offsets,
		     char *err, size_t errlen)
{
	struct sbuf b = SBUF_INIT;
	struct stat st;
	int rc = -1, saved;

	if (last_part > l->last_part)
		l->last_part = last_part;
	sbuf_printf(&b, "{\"commit\":%llu,\"part\":%llu,\"files\":[",
		    (unsigned long long)l->commits + 1,
		    (unsigned long long)l->last_part);
	for (size_t i = 0; i < n; i++) {
		if (i)
			sbuf_putc(&b, ',');
		json_put_text(&b, files[i], strlen(files[i]));
	}
	sbuf_printf(&b, "],\"records\":%llu,\"offsets\":",
		    (unsigned long long)records);
	sinkf_offsets_format(offsets, &b);
	sbuf_puts(&b, "}\n");
	if (fstat(l->fd, &st) < 0)
		goto fail;
	if (file_write_all(l->fd, b.p, b.len) < 0 || fsync(l->fd) < 0) {
		saved = errno;
		/* Not committed: take back whatever part of it got in. */
		if (ftruncate(l->fd, st.st_size) == 0)
			(void)fsync(l->fd);
		errno = saved;
		goto fail;
	}
	sinkf_offsets_merge(&l->offsets, offsets);
	l->commits++;
	rc = 0;
	goto out;
fail:
	saved = errno;
	snprintf(err, errlen, "_sw_log: %s", strerror(saved));
	errno = saved;
out:
	sbuf_free(&b);
	return rc;
}
