#include "files_state.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "file.h"
#include "htab.h"
#include "json.h"
#include "sbuf.h"
#include "xalloc.h"

/* About 200 bytes per known file: a million files fit well below this. */
#define FILES_STATE_MAX_BYTES (256u << 20)

void files_table_free(struct files_table *t)
{
	while (t->n)
		files_table_remove(t, t->n - 1);
	free(t->v);
	htab_free(&t->hash);
	memset(t, 0, sizeof(*t));
}

static uint64_t ino_hash(uint64_t ino)
{
	ino ^= ino >> 33;
	ino *= 0xff51afd7ed558ccdULL;
	ino ^= ino >> 33;
	return ino;
}

/* The hash holds index + 1 of each entry (never NULL). */
struct ino_key {
	const struct files_table *t;
	uint64_t ino;
};

static int ino_eq(const void *item, const void *key)
{
	const struct ino_key *k = key;

	return k->t->v[(uintptr_t)item - 1].ino == k->ino;
}

static void hash_insert(struct files_table *t, size_t i)
{
	htab_put(&t->hash, ino_hash(t->v[i].ino), (void *)(uintptr_t)(i + 1));
}

/* Removal moves an entry to another index: the hash is then rebuilt on
 * the next lookup, not once per removal. */
static void hash_rebuild(struct files_table *t)
{
	htab_clear(&t->hash);
	for (size_t i = 0; i < t->n; i++)
		hash_insert(t, i);
	t->hstale = 0;
}

struct files_entry *files_table_find(struct files_table *t, uint64_t ino)
{
	struct ino_key k = { t, ino };
	void *i;

	if (t->hstale)
		hash_rebuild(t);
	i = htab_find(&t->hash, ino_hash(ino), ino_eq, &k);
	return i ? &t->v[(uintptr_t)i - 1] : NULL;
}

struct files_entry *files_table_add(struct files_table *t, const char *name,
				    uint64_t ino)
{
	if (t->n == t->cap) {
		t->cap = t->cap ? 2 * t->cap : 16;
		t->v = xrealloc(t->v, t->cap * sizeof(*t->v));
	}
	struct files_entry *e = &t->v[t->n++];
	memset(e, 0, sizeof(*e));
	e->name = xstrdup(name);
	e->ino = ino;
	e->fd = -1;
	e->mtime_ns = -1;
	if (!t->hstale)
		hash_insert(t, t->n - 1);
	return e;
}

void files_table_rename(struct files_entry *e, const char *name)
{
	if (strcmp(e->name, name) == 0)
		return;
	free(e->name);
	e->name = xstrdup(name);
}

void files_table_remove(struct files_table *t, size_t i)
{
	struct files_entry *e = &t->v[i];

	if (e->fd >= 0)
		close(e->fd);
	free(e->name);
	if (i != t->n - 1)
		*e = t->v[t->n - 1];
	t->n--;
	t->hstale = 1;
}

void files_entry_restart(struct files_entry *e)
{
	e->offset = 0;
	e->lines = 0;
	e->head_len = 0;
	e->head = 0;
	e->size = 0;
	e->mtime_ns = -1;
}

int files_entry_changed(const struct files_entry *e, const struct stat *st)
{
	int64_t m = (int64_t)st->st_mtim.tv_sec * 1000000000 +
		    st->st_mtim.tv_nsec;

	return (uint64_t)st->st_size != e->size || m != e->mtime_ns;
}

int files_head_hash(int fd, uint32_t len, uint64_t *hash, uint32_t *got)
{
	char buf[FILES_HEAD_MAX];
	uint64_t h = 1469598103934665603ULL;
	ssize_t n;

	if (len > sizeof(buf))
		len = sizeof(buf);
	do
		n = pread(fd, buf, len, 0);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -1;
	for (ssize_t i = 0; i < n; i++) {
		h ^= (unsigned char)buf[i];
		h *= 1099511628211ULL;
	}
	*hash = h;
	*got = (uint32_t)n;
	return 0;
}

static int get_u64(const struct json_doc *d, uint32_t obj, const char *key,
		   uint64_t *v)
{
	int64_t i = json_obj_get(d, obj, key, strlen(key));
	int64_t x;

	if (i < 0 || d->tok[i].type != JSON_NUMBER ||
	    json_num_i64(json_tok_ptr(d, (uint32_t)i), d->tok[i].len, &x) < 0)
		return -1;
	*v = (uint64_t)x;
	return 0;
}

/* Reads one element of "files". */
static int load_entry(struct files_table *t, const struct json_doc *d,
		      uint32_t obj, struct sbuf *name)
{
	uint64_t ino, size, mtime, offset, lines, head_len;
	int64_t k, h;

	if (d->tok[obj].type != JSON_OBJECT)
		return -1;
	k = json_obj_get(d, obj, "name", 4);
	h = json_obj_get(d, obj, "head", 4);
	if (k < 0 ||
	    d->tok[k].type != JSON_STRING || h < 0 ||
	    d->tok[h].type != JSON_STRING || d->tok[h].len != 18 ||
	    get_u64(d, obj, "ino", &ino) || get_u64(d, obj, "size", &size) ||
	    get_u64(d, obj, "mtime_ns", &mtime) ||
	    get_u64(d, obj, "offset", &offset) ||
	    get_u64(d, obj, "lines", &lines) ||
	    get_u64(d, obj, "head_len", &head_len) ||
	    head_len > FILES_HEAD_MAX)
		return -1;
	char hex[17], *end;
	memcpy(hex, json_tok_ptr(d, (uint32_t)h) + 1, 16);
	hex[16] = '\0';
	errno = 0;
	uint64_t head = strtoull(hex, &end, 16);
	if (*end || errno)
		return -1;
	sbuf_reset(name);
	json_unescape(json_tok_ptr(d, (uint32_t)k), d->tok[k].len, name);
	struct files_entry *e = files_table_add(t, name->p, ino);
	e->size = size;
	e->mtime_ns = (int64_t)mtime;
	e->offset = offset;
	e->lines = lines;
	e->head_len = (uint32_t)head_len;
	e->head = head;
	return 0;
}

int files_state_load(struct files_table *t, const char *path, char *err,
		     size_t errlen)
{
	struct sbuf text = SBUF_INIT, name = SBUF_INIT;
	struct json_doc d;
	char jerr[128];
	int64_t files;
	int rc = -1, r;

	json_doc_init(&d);
	r = file_read_all(path, FILES_STATE_MAX_BYTES, &text, err, errlen);
	if (r > 0)
		return 0;
	if (r < 0)
		goto out;
	rc = -2;
	if (json_parse(&d, text.p ? text.p : "", text.len, jerr,
		       sizeof(jerr)) < 0) {
		snprintf(err, errlen, "%s: not a state file: %s", path, jerr);
		goto out;
	}
	files = d.tok[0].type == JSON_OBJECT ? json_obj_get(&d, 0, "files", 5)
					       : -1;
	if (files < 0 || d.tok[files].type != JSON_ARRAY) {
		snprintf(err, errlen, "%s: not a state file: no \"files\" array",
			 path);
		goto out;
	}
	JSON_ARR_FOREACH(&d, (uint32_t)files, e) {
		if (load_entry(t, &d, e, &name) < 0) {
			snprintf(err, errlen,
				 "%s: not a state file: bad entry in \"files\"",
				 path);
			goto out;
		}
	}
	rc = 0;
out:
	json_doc_free(&d);
	sbuf_free(&text);
	sbuf_free(&name);
	return rc;
}

static void put_entry(struct sbuf *b, const struct files_entry *e)
{
	sbuf_puts(b, "{\"name\":");
	json_put_text(b, e->name, strlen(e->name));
	sbuf_printf(b,
		    ",\"ino\":%" PRIu64 ",\"size\":%" PRIu64
		    ",\"mtime_ns\":%" PRId64 ",\"offset\":%" PRIu64
		    ",\"lines\":%" PRIu64 ",\"head_len\":%" PRIu32
		    ",\"head\":\"%016" PRIx64 "\"}",
		    e->ino, e->size, e->mtime_ns, e->offset, e->lines,
		    e->head_len, e->head);
}

int files_state_save(const struct files_table *t, const char *path,
		     char *err, size_t errlen)
{
	struct sbuf b = SBUF_INIT;
	int rc = -1;

	sbuf_puts(&b, "{\"version\":1,\"files\":[");
	for (size_t i = 0; i < t->n; i++) {
		if (i)
			sbuf_putc(&b, ',');
		sbuf_puts(&b, "\n");
		put_entry(&b, &t->v[i]);
	}
	sbuf_puts(&b, "\n]}\n");
	if (file_replace(path, b.p, b.len, 0600, err, errlen) < 0)
		goto out;
	rc = 0;
out:
	sbuf_free(&b);
	return rc;
}
