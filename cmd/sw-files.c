/*
 * sw-files: a directory of files as a stream source (sw-files(1)).
 *
 * Each scan lists DIR, matches the entries against what is known of them
 * (common/files_state: inode, fingerprint, offset), and reads whatever is
 * new, file by file in modification-time order, with common/files_read.
 * Records are parsed with json.h; --source-field adds its member with
 * common/files_rec.  Without --follow there is one scan; with it, a scan
 * after every batch of inotify events on DIR.  The state is saved after
 * output is flushed: at the end of a run, whenever --follow goes idle (at
 * most once a second), and before a stop for bad input.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include "duration.h"
#include "files_read.h"
#include "files_rec.h"
#include "files_state.h"
#include "files_watch.h"
#include "num.h"
#include "timefmt.h"
#include "tool.h"
#include "xalloc.h"

enum {
	OPT_AFTER = TOOL_OPT_TOOL_BASE,
	OPT_FOLLOW,
	OPT_FOLLOW_SYMLINKS,
	OPT_LATEST_FIRST,
	OPT_MAX_AGE,
	OPT_MAX_FILES,
	OPT_PATTERN,
	OPT_SOURCE_FIELD,
	OPT_STATE,
};

enum after { AFTER_KEEP, AFTER_DELETE, AFTER_ARCHIVE };

/* How long a file that was renamed out of DIR (rotated away) is still
 * read while following: its writer may not have reopened yet (Fluent
 * Bit's rotate_wait).  While there are such files, DIR is also polled. */
#define ROTATE_WAIT_US 5000000
#define ROTATE_POLL_MS 500
#define KEEP_FDS_MAX 512
#define SAVE_INTERVAL_US 1000000

struct run {
	struct tool *t;
	const char *dir;
	const char *pattern;
	const char *state_path;
	struct sbuf lock_path; /* the state's lock file, not input either */
	int follow;
	int follow_symlinks; /* read links that leave DIR too */
	char *dir_real;      /* DIR, resolved: where links may point */
	int latest_first;
	uint64_t max_files;
	int64_t max_age_us; /* -1: no limit */
	enum after after;
	const char *archive_dir;
	const char *source_field;

	struct files_table tab;
	struct files_reader *rd;
	struct json_doc doc;
	struct sbuf path, rec, prefix;
	int dirty; /* the table changed since the state was saved */
	struct files_watch watch; /* with --follow (watch.fd >= 0) */
	int rescan; /* events came in while scanning */
	int64_t saved_us; /* following: when the state was last saved */
	size_t nkept; /* descriptors kept in table entries */
	uint64_t files_read;
	uint64_t files_failed;
	uint64_t files_after; /* archived or deleted */
	size_t files_pending; /* found by the last scan, not read yet */
};

/* A file with something to read in this scan. */
struct cand {
	size_t idx;
	struct stat st;
};

static void usage(int sub)
{
	(void)sub;
	fputs("Usage: sw-files DIR [--pattern GLOB] [--state FILE] [--follow] [--latest-first]\n"
	      "                [--max-files N] [--max-age DUR] [--after archive:DIR|delete|keep]\n"
	      "                [--source-field NAME] [options]\n"
	      "Writes the NDJSON records of the files in DIR, each record once, file by file\n"
	      "in order of modification time (then name).  .gz and .zst files are decompressed.\n"
	      "\n",
	      stdout);
}

static const struct tool_opt opts[] = {
	{ "pattern", required_argument, OPT_PATTERN, "GLOB",
	  "only names that match GLOB (default '*'; dot files never)", NULL },
	{ "state", required_argument, OPT_STATE, "FILE",
	  "remember what was written out; a later run writes only\nwhat is new (replaced atomically after output is flushed)", NULL },
	{ "follow", no_argument, OPT_FOLLOW, NULL,
	  "keep running: new files and appended lines (inotify),\nthrough rotation and truncation, like tail -F", NULL },
	{ "follow-symlinks", no_argument, OPT_FOLLOW_SYMLINKS, NULL,
	  "read symbolic links that point out of DIR too\n(never into /proc or /sys)", NULL },
	{ "latest-first", no_argument, OPT_LATEST_FIRST, NULL,
	  "newest files first", NULL },
	{ "max-files", required_argument, OPT_MAX_FILES, "N",
	  "read at most N files per run (per scan with --follow)", NULL },
	{ "max-age", required_argument, OPT_MAX_AGE, "DUR",
	  "skip files last modified more than DUR ago (e.g. 7d)", NULL },
	{ "after", required_argument, OPT_AFTER, "ACTION",
	  "once all records of a file are out and flushed:\nkeep (default), delete, or archive:DIR (move into DIR)", NULL },
	{ "source-field", required_argument, OPT_SOURCE_FIELD, "NAME",
	  "add {\"file\":PATH,\"line\":N} under NAME to each record\n(with -R: {\"value\":LINE,NAME:{...}})", NULL },
	{ NULL, 0, 0, NULL, NULL, NULL },
};

static const struct tool_cli cli = {
	.usage = usage,
	.groups = (const struct tool_optgroup[]){
		{ "Options:", opts, 0 },
		{ "Common options:", tool_opts_common, 0 },
		{ "", tool_opts_bad_input, 0 },
		{ "", tool_opts_input, 0 },
		{ NULL, NULL, 0 },
	},
	.tail = SW_EXIT_TABLE
		"A file that cannot be read is reported and skipped; the exit status is then 74.\n",
	.operands = "DIR",
};

static void stats_fields(struct tool *t, struct stats *s)
{
	struct run *r = t->ctx;

	stats_counter(s, "files", r->files_read, "Files read to their end");
	stats_counter(s, "files_failed", r->files_failed, "Files that could not be read");
	stats_counter(s, "files_after", r->files_after, "Files that grew after they were read");
	stats_gauge(s, "files_pending", (int64_t)r->files_pending, "Files found and not yet read to their end");
}

static void parse_after(struct run *r, const char *arg)
{
	if (strcmp(arg, "keep") == 0) {
		r->after = AFTER_KEEP;
	} else if (strcmp(arg, "delete") == 0) {
		r->after = AFTER_DELETE;
	} else if (strncmp(arg, "archive:", 8) == 0 && arg[8]) {
		r->after = AFTER_ARCHIVE;
		r->archive_dir = arg + 8;
	} else {
		tool_usage_error(r->t, "--after: '%s': expected keep, delete or archive:DIR",
				 arg);
	}
}

static void set_path(struct run *r, const char *name)
{
	sbuf_reset(&r->path);
	sbuf_puts(&r->path, r->dir);
	if (r->path.len && r->path.p[r->path.len - 1] != '/')
		sbuf_putc(&r->path, '/');
	sbuf_puts(&r->path, name);
}

static int64_t mtime_ns(const struct stat *st)
{
	return (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec;
}

static void save_state(struct run *r)
{
	char err[512];

	if (!r->state_path || !r->dirty)
		return;
	if (files_state_save(&r->tab, r->state_path, err, sizeof(err)) < 0)
		tool_die(r->t, SW_EXIT_IOERR, "--state: %s", err);
	r->dirty = 0;
}

/* A file could not be read: report it once until it changes. */
static void file_failed(struct run *r, struct files_entry *e,
			const struct stat *st, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void file_failed(struct run *r, struct files_entry *e,
			const struct stat *st, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	tool_error(r->t, "%s: %s", r->path.p, msg);
	r->files_failed++;
	e->failed = 1;
	e->fail_size = (uint64_t)st->st_size;
	e->fail_mtime_ns = mtime_ns(st);
}

static int failed_before(const struct files_entry *e, const struct stat *st)
{
	return e->failed && e->fail_size == (uint64_t)st->st_size &&
	       e->fail_mtime_ns == mtime_ns(st);
}

/* Takes e's fingerprint: of a plain file, the bytes written out (so that
 * mending a bad line after them is not taken for a new file); of a
 * compressed one, the start of its compressed bytes. */
static void remember_head(struct files_entry *e, int fd, enum files_kind kind)
{
	uint64_t len = kind == FILES_PLAIN ? e->offset : e->size;

	if (len > FILES_HEAD_MAX)
		len = FILES_HEAD_MAX;
	if (files_head_hash(fd, (uint32_t)len, &e->head, &e->head_len) < 0)
		e->head_len = 0;
}

/* Bad input in the file being read.  Under --on-error fail this ends the
 * run: read_file() stops before the line, so the state keeps what came
 * before it and the next run starts at this line. */
static void bad_line(struct run *r, const char *line, size_t len,
		     const char *reason)
{
	tool_bad_input(r->t, r->path.p, files_reader_lineno(r->rd), line, len,
		       "%s", reason);
}

/* Writes one record of file e. */
static void emit(struct run *r, const char *line, size_t len)
{
	struct tool *t = r->t;
	char err[256];

	t->records_in++;
	if (tool_parse_line(t, &r->doc, line, len, err, sizeof err) < 0) {
		bad_line(r, line, len, err);
		return;
	}
	if (!r->source_field) {
		out_put(&t->out, r->doc.text.p, r->doc.text.len);
	} else {
		sbuf_reset(&r->rec);
		if (t->raw_input) {
			sbuf_puts(&r->rec, "{\"value\":");
			sbuf_put(&r->rec, r->doc.text.p, r->doc.text.len);
			sbuf_putc(&r->rec, ',');
		} else if (files_rec_open_object(&r->doc, r->source_field,
						 strlen(r->source_field),
						 &r->rec) < 0) {
			bad_line(r, line, len,
				 "not an object: --source-field needs one");
			return;
		}
		sbuf_put(&r->rec, r->prefix.p, r->prefix.len);
		sbuf_put_u64(&r->rec, files_reader_lineno(r->rd));
		sbuf_puts(&r->rec, "}}");
		out_put(&t->out, r->rec.p, r->rec.len);
	}
	out_end(&t->out);
	if (t->out.err && tool_flush(t) < 0)
		return; /* the run ends, this record not written */
	t->records_out++;
	tool_tick(t);
}

/* Moves the file at r->path into the archive directory, never over a file
 * already there: "name", else "name.1", "name.2", ... */
static int archive(struct run *r, const char *name, char *err, size_t errlen)
{
	struct sbuf to = SBUF_INIT;
	int rc = -1;

	for (unsigned i = 0; i < 1000; i++) {
		sbuf_reset(&to);
		sbuf_printf(&to, "%s/%s", r->archive_dir, name);
		if (i)
			sbuf_printf(&to, ".%u", i);
		if (renameat2(AT_FDCWD, r->path.p, AT_FDCWD, to.p,
			      RENAME_NOREPLACE) == 0) {
			rc = 0;
			break;
		}
		if (errno != EEXIST) {
			snprintf(err, errlen, "archive to %s: %s", to.p,
				 strerror(errno));
			break;
		}
	}
	if (rc < 0 && errno == EEXIST)
		snprintf(err, errlen, "archive: too many files named %s", name);
	sbuf_free(&to);
	return rc;
}

/* All records of e are out: flush them, then apply --after, unless the
 * file is empty, changed since it was read or a writer still has it open
 * (seen by a lease, or by inotify), in which case it waits: following,
 * for the next scan (e->after_wait), else for the next run.  Returns 1
 * when the file is gone from DIR. */
static int after_file(struct run *r, struct files_entry *e)
{
	struct stat st;
	char err[512];
	int rc;

	if (r->follow && files_watch_read(&r->watch))
		r->rescan = 1;
	/* An empty file may be one a writer has just created. */
	if (files_watch_writing(&r->watch, e->name) ||
	    stat(r->path.p, &st) < 0 || st.st_size == 0 ||
	    files_entry_changed(e, &st) || files_open_for_writing(r->path.p)) {
		e->after_wait = r->follow;
		if (!r->follow)
			e->mtime_ns = -1; /* seen as changed by the next run */
		return 0;
	}
	e->after_wait = 0;
	if (tool_flush(r->t) < 0)
		return 0; /* not written out: the file stays */
	if (r->after == AFTER_DELETE) {
		rc = unlink(r->path.p);
		if (rc < 0)
			snprintf(err, sizeof(err), "delete: %s", strerror(errno));
	} else {
		rc = archive(r, e->name, err, sizeof(err));
	}
	if (rc < 0) {
		tool_error(r->t, "%s: %s", r->path.p, err);
		r->files_failed++;
		e->mtime_ns = -1; /* seen as changed: tried again next time */
		return 0;
	}
	r->files_after++;
	e->seen = 0; /* dropped from the table after this scan */
	r->dirty = 1;
	return 1;
}

/* Keeps fd, open on e, for the next read (want), or closes it.  Following,
 * a file stays open so that what is appended after it was renamed away
 * can still be read, up to KEEP_FDS_MAX files. */
static void keep_fd(struct run *r, struct files_entry *e, int fd, int want)
{
	if (fd < 0)
		return;
	if (want && e->fd == fd)
		return;
	if (want && r->nkept < KEEP_FDS_MAX) {
		e->fd = fd;
		r->nkept++;
		return;
	}
	if (e->fd == fd)
		r->nkept--;
	close(fd);
	e->fd = -1;
}

/* Checks that fd still holds what e was read from; else e starts over. */
static void check_same(struct run *r, struct files_entry *e, int fd)
{
	uint64_t h;
	uint32_t got;

	if (e->offset == 0 && e->head_len == 0)
		return;
	if (files_head_hash(fd, e->head_len, &h, &got) == 0 &&
	    got == e->head_len && h == e->head)
		return;
	tool_warn(r->t, "%s: replaced (its first bytes changed): reading it from the start",
		  r->path.p);
	files_entry_restart(e);
}

/* Files of the kernel's pseudo file systems are not data, and may be
 * secrets (/proc/self/environ): never read, even through a link. */
static int on_proc_or_sys(int fd)
{
	struct statfs fs;

	return fstatfs(fd, &fs) == 0 &&
	       (fs.f_type == PROC_SUPER_MAGIC || fs.f_type == SYSFS_MAGIC);
}

/* Reads what is new in e, which the scan found as seen_st (NULL for a
 * file that left DIR).  final: an unterminated last line is a record too
 * (nothing will complete it). */
static void read_file(struct run *r, struct files_entry *e,
		      const struct stat *seen_st, int final)
{
	struct tool *t = r->t;
	char err[512];
	const char *line;
	size_t len;
	struct stat st;
	enum files_kind kind = files_kind_of(e->name);
	enum files_rc rc = FILES_EOF;
	int fd = e->fd;

	if (fd < 0)
		fd = open(r->path.p, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0) {
		struct stat none = { 0 };
		file_failed(r, e, seen_st ? seen_st : &none, "%s",
			    strerror(errno));
		goto out;
	}
	if ((uint64_t)st.st_ino != e->ino)
		goto out; /* replaced since the scan: the next scan sees it */
	if (on_proc_or_sys(fd)) {
		file_failed(r, e, &st, "on /proc or /sys: never read");
		goto out;
	}
	check_same(r, e, fd);
	if (kind != FILES_PLAIN || !(r->state_path || r->follow))
		final = 1;
	if (files_reader_open(r->rd, fd, kind, e->offset, e->lines, final, err,
			      sizeof(err)) < 0) {
		file_failed(r, e, &st, "%s", err);
		goto out;
	}
	if (r->source_field) {
		sbuf_reset(&r->prefix);
		sbuf_put_jstr(&r->prefix, r->source_field,
			      strlen(r->source_field));
		sbuf_puts(&r->prefix, ":{\"file\":");
		json_put_text(&r->prefix, r->path.p, r->path.len);
		sbuf_puts(&r->prefix, ",\"line\":");
	}
	if (t->verbose)
		tool_info(t, "%s: reading from line %" PRIu64, r->path.p,
			  e->lines + 1);
	r->files_read++;
	r->dirty = 1;
	while (!tool_stopping(t)) {
		rc = files_reader_next(r->rd, &line, &len, err, sizeof(err));
		if (rc == FILES_LINE) {
			emit(r, line, len);
		} else if (rc == FILES_TOOLONG) {
			t->records_in++;
			t->line_truncated = 1;
			snprintf(err, sizeof(err),
				 "line longer than %zu bytes (--max-line)",
				 t->max_line);
			bad_line(r, line, len, err);
		} else {
			break;
		}
		/* The run ends (bad input under fail, output failed): the
		 * line is not passed, and neither is any after it. */
		if (tool_ended(t))
			break;
		e->offset = files_reader_offset(r->rd);
		e->lines = files_reader_lines(r->rd);
	}
	if (rc == FILES_ERR) {
		file_failed(r, e, &st, "%s", err);
		goto out;
	}
	e->failed = 0;
	remember_head(e, fd, kind);
	if (rc != FILES_EOF)
		goto out; /* stopped: the size stays unseen, the rest comes later */
	e->size = (uint64_t)st.st_size;
	e->mtime_ns = mtime_ns(&st);
	if (!tool_stop && files_reader_pending(r->rd) == 0 &&
	    r->after != AFTER_KEEP && after_file(r, e))
		final = 1;
out:
	keep_fd(r, e, fd, r->follow && kind == FILES_PLAIN && (e->seen || !final));
}

static int cand_cmp(const void *a, const void *b, void *arg)
{
	const struct cand *x = a, *y = b;
	const struct run *r = arg;
	int64_t mx = mtime_ns(&x->st), my = mtime_ns(&y->st);
	int d = mx != my ? (mx < my ? -1 : 1)
			 : strcmp(r->tab.v[x->idx].name, r->tab.v[y->idx].name);

	return r->latest_first ? -d : d;
}

/* Inode of path, or 0 when there is none: files sw-files writes itself
 * are never taken for input. */
static uint64_t ino_of(const char *path)
{
	struct stat st;

	return path && stat(path, &st) == 0 ? (uint64_t)st.st_ino : 0;
}

/* Whether r->path, which stat(2) found as st, is a symbolic link that
 * leads out of DIR (reported once, as a file that failed) without
 * --follow-symlinks: a link to /proc/self/environ or to another user's
 * files must not stream them. */
static int link_leaves(struct run *r, const char *name, const struct stat *st)
{
	struct stat lst;
	struct files_entry *e;
	char *real;
	size_t n = strlen(r->dir_real);
	int out;

	if (r->follow_symlinks || lstat(r->path.p, &lst) < 0 ||
	    !S_ISLNK(lst.st_mode))
		return 0;
	real = realpath(r->path.p, NULL);
	out = !real || strncmp(real, r->dir_real, n) != 0 ||
	      (real[n] != '/' && n > 1);
	if (out) {
		e = files_table_find(&r->tab, (uint64_t)st->st_ino);
		if (!e)
			e = files_table_add(&r->tab, name, (uint64_t)st->st_ino);
		e->seen = 1;
		if (!failed_before(e, st))
			file_failed(r, e, st,
				    "a symbolic link out of the directory, "
				    "not read (--follow-symlinks reads it)");
	}
	free(real);
	return out;
}

/* Matches one directory entry with the table.  Returns the index of an
 * entry with something to read, or -1. */
static int64_t match(struct run *r, const char *name, struct stat *st,
		     const uint64_t *own, int maybe_link)
{
	struct files_entry *e;
	struct stat lst;

	set_path(r, name);
	if (stat(r->path.p, st) < 0) {
		/* A dangling symlink, or a file gone since readdir. */
		int err = errno;
		if (lstat(r->path.p, &lst) < 0)
			return -1;
		e = files_table_find(&r->tab, (uint64_t)lst.st_ino);
		if (!e)
			e = files_table_add(&r->tab, name, (uint64_t)lst.st_ino);
		e->seen = 1;
		if (!failed_before(e, &lst))
			file_failed(r, e, &lst, "%s", strerror(err));
		return -1;
	}
	if (!S_ISREG(st->st_mode) || (uint64_t)st->st_ino == own[0] ||
	    (uint64_t)st->st_ino == own[1] || (uint64_t)st->st_ino == own[2])
		return -1;
	if (maybe_link && link_leaves(r, name, st))
		return -1;
	e = files_table_find(&r->tab, (uint64_t)st->st_ino);
	if (e && e->seen)
		return -1; /* another name (hard link) of a file seen already */
	if (r->max_age_us >= 0 &&
	    mtime_ns(st) / 1000 < timefmt_now() - r->max_age_us) {
		if (e)
			e->seen = 1;
		return -1;
	}
	if (!e) {
		e = files_table_add(&r->tab, name, (uint64_t)st->st_ino);
		r->dirty = 1;
	} else if (strcmp(e->name, name) != 0) {
		files_table_rename(e, name);
		r->dirty = 1;
	}
	e->seen = 1;
	e->gone_us = 0;
	if ((uint64_t)st->st_size < e->size ||
	    (files_kind_of(name) == FILES_PLAIN &&
	     (uint64_t)st->st_size < e->offset)) {
		tool_warn(r->t, "%s: truncated: reading it again from the start",
			  r->path.p);
		files_entry_restart(e);
	}
	if (!files_entry_changed(e, st) || failed_before(e, st))
		return -1;
	return e - r->tab.v;
}

/* Lists DIR and matches it with the table into *cands. */
static size_t list_dir(struct run *r, struct cand **cands, size_t *cap)
{
	uint64_t own[3] = { ino_of(r->state_path),
			    ino_of(r->t->dead_letter_path),
			    ino_of(r->lock_path.p) };
	struct dirent *de;
	size_t n = 0;
	DIR *d = opendir(r->dir);

	if (!d)
		tool_die(r->t, SW_EXIT_IOERR, "%s: %s", r->dir, strerror(errno));
	while ((errno = 0, de = readdir(d))) {
		struct stat st;
		if (fnmatch(r->pattern, de->d_name, FNM_PERIOD) != 0)
			continue;
		int64_t i = match(r, de->d_name, &st, own,
				  de->d_type == DT_LNK || de->d_type == DT_UNKNOWN);
		if (i < 0)
			continue;
		if (n == *cap) {
			*cap = *cap ? 2 * *cap : 64;
			*cands = xrealloc(*cands, *cap * sizeof(**cands));
		}
		(*cands)[n].idx = (size_t)i;
		(*cands)[n].st = st;
		n++;
	}
	int err = errno;
	closedir(d);
	if (err)
		tool_die(r->t, SW_EXIT_IOERR, "%s: %s", r->dir, strerror(err));
	return n;
}

/* Reads what was appended to files that left DIR (rotated away): they
 * are older than anything still in it.  Once ROTATE_WAIT_US is over, an
 * unterminated last line is a record too and the file is let go.
 * Returns whether some are still being waited for. */
static int read_gone(struct run *r)
{
	int64_t now = timefmt_now();
	int waiting = 0;

	for (size_t i = 0; i < r->tab.n && !tool_stopping(r->t); i++) {
		struct files_entry *e = &r->tab.v[i];
		if (e->seen || e->fd < 0)
			continue;
		if (!e->gone_us)
			e->gone_us = now;
		int final = now - e->gone_us >= ROTATE_WAIT_US;
		set_path(r, e->name);
		read_file(r, e, NULL, final);
		waiting |= e->fd >= 0;
	}
	return waiting;
}

/* One pass over DIR.  Returns SCAN_MORE when --max-files left files
 * unread, SCAN_WAITING when rotated files are still read. */
enum { SCAN_IDLE, SCAN_MORE, SCAN_WAITING };
static int scan(struct run *r)
{
	struct cand *c = NULL;
	size_t cap = 0, n, i;
	int more = SCAN_IDLE;

	for (i = 0; i < r->tab.n; i++)
		r->tab.v[i].seen = 0;
	n = list_dir(r, &c, &cap);
	r->files_pending = n;
	if (read_gone(r))
		more = SCAN_WAITING;
	if (n)
		qsort_r(c, n, sizeof(*c), cand_cmp, r);
	if (r->max_files && n > r->max_files) {
		n = (size_t)r->max_files;
		more = SCAN_MORE;
	}
	for (i = 0; i < n && !tool_stopping(r->t); i++) {
		set_path(r, r->tab.v[c[i].idx].name);
		read_file(r, &r->tab.v[c[i].idx], &c[i].st, 0);
		r->files_pending--;
	}
	for (i = 0; i < r->tab.n && !tool_stopping(r->t); i++) {
		struct files_entry *e = &r->tab.v[i];
		if (!e->seen || !e->after_wait ||
		    files_watch_writing(&r->watch, e->name))
			continue;
		set_path(r, e->name);
		if (after_file(r, e))
			keep_fd(r, e, e->fd, 0);
	}
	for (i = r->tab.n; i-- > 0;) {
		if (!r->tab.v[i].seen && r->tab.v[i].fd < 0) {
			files_table_remove(&r->tab, i);
			r->dirty = 1;
		}
	}
	free(c);
	return more;
}

/* Following, the state is saved when it goes idle, but not more often
 * than every SAVE_INTERVAL_US (a busy log would fsync all the time).
 * Returns how long the wait may be (timeout_ms, or less when a save is
 * due before). */
static int idle_save(struct run *r, int timeout_ms)
{
	int64_t now = timefmt_now(), due;

	if (!r->state_path || !r->dirty)
		return timeout_ms;
	due = r->saved_us + SAVE_INTERVAL_US - now;
	if (due <= 0) {
		save_state(r);
		r->saved_us = now;
		return timeout_ms;
	}
	if (timeout_ms < 0 || due / 1000 + 1 < timeout_ms)
		timeout_ms = (int)(due / 1000 + 1);
	return timeout_ms;
}

static int follow(struct run *r)
{
	char err[256];

	if (files_watch_open(&r->watch, r->dir, err, sizeof(err)) < 0)
		tool_die(r->t, SW_EXIT_IOERR, "%s: %s", r->dir, err);
	while (!tool_stopping(r->t) && !r->watch.dir_gone) {
		int more = scan(r);
		if (more == SCAN_MORE || r->rescan) {
			r->rescan = 0;
			continue;
		}
		/* Nothing is held back while waiting. */
		if (tool_stopping(r->t) || tool_flush(r->t) < 0)
			break;
		files_watch_wait(&r->watch,
				 tool_wait_ms(r->t, idle_save(r, more == SCAN_WAITING
								 ? ROTATE_POLL_MS : -1)),
				 r->t->out.fd, &tool_stop);
		/* A reader that went away ends the run quietly, now rather
		 * than at the next line written.  Everything was flushed
		 * before the wait, so the state holds only what was read. */
		if (out_reader_gone(&r->t->out)) {
			save_state(r);
			break;
		}
	}
	if (r->watch.dir_gone && !tool_stop) {
		tool_error(r->t, "%s: directory removed or moved", r->dir);
		return SW_EXIT_IOERR;
	}
	return SW_EXIT_OK;
}

/* Makes sure the archive directory exists and is not DIR itself. */
static void check_archive(struct run *r)
{
	struct stat a, d;

	if (mkdir(r->archive_dir, 0777) < 0 && errno != EEXIST)
		tool_die(r->t, SW_EXIT_IOERR, "--after: %s: %s", r->archive_dir,
			 strerror(errno));
	if (stat(r->archive_dir, &a) < 0 || !S_ISDIR(a.st_mode))
		tool_usage_error(r->t, "--after: %s: not a directory",
				 r->archive_dir);
	if (stat(r->dir, &d) == 0 && a.st_dev == d.st_dev &&
	    a.st_ino == d.st_ino)
		tool_usage_error(r->t, "--after: the archive directory cannot be %s itself",
				 r->dir);
}

static void parse_args(struct run *r, int argc, char **argv)
{
	struct tool *t = r->t;
	char err[256];
	int c;

	tool_cli(t, &cli);
	while ((c = tool_getopt(t, argc, argv)) != -1) {
		if (tool_option(t, c, optarg))
			continue;
		switch (c) {
		case OPT_AFTER:
			parse_after(r, optarg);
			break;
		case OPT_FOLLOW:
			r->follow = 1;
			break;
		case OPT_FOLLOW_SYMLINKS:
			r->follow_symlinks = 1;
			break;
		case OPT_LATEST_FIRST:
			r->latest_first = 1;
			break;
		case OPT_MAX_AGE:
			if (duration_parse(optarg, &r->max_age_us, err, sizeof(err)) < 0)
				tool_usage_error(t, "--max-age: %s", err);
			break;
		case OPT_MAX_FILES:
			if (num_parse_u64(optarg, 1, UINT64_MAX, &r->max_files) < 0)
				tool_usage_error(t, "--max-files: '%s': expected a count of 1 or more",
						 optarg);
			break;
		case OPT_PATTERN:
			r->pattern = optarg;
			break;
		case OPT_SOURCE_FIELD:
			if (!*optarg)
				tool_usage_error(t, "--source-field: the name is empty");
			r->source_field = optarg;
			break;
		case OPT_STATE:
			r->state_path = optarg;
			break;
		default:
			tool_usage_error(t, "unknown option");
		}
	}
	if (optind >= argc)
		tool_usage_error(t, "missing the directory to read");
	if (argc - optind > 1)
		tool_usage_error(t, "one directory only, got '%s' too", argv[optind + 1]);
	r->dir = argv[optind];
	if (t->raw_input && r->source_field && strcmp(r->source_field, "value") == 0)
		tool_usage_error(t, "--source-field: with -R the line is \"value\"; pick another name");
}

int main(int argc, char **argv)
{
	static char versions[128];
	struct tool t;
	struct run r = { 0 };
	struct stat st;
	char err[512];
	int code;

	tool_init(&t, "sw-files");
	snprintf(versions, sizeof(versions), "zlib %s\nlibzstd %s\n",
		 zlibVersion(), ZSTD_versionString());
	t.versions = versions;
	t.stats_fields = stats_fields;
	t.ctx = &r;
	r.t = &t;
	r.pattern = "*";
	r.max_age_us = -1;
	r.watch.fd = -1;
	parse_args(&r, argc, argv);
	if (stat(r.dir, &st) < 0)
		tool_die(&t, SW_EXIT_IOERR, "%s: %s", r.dir, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		tool_die(&t, SW_EXIT_IOERR, "%s: not a directory", r.dir);
	if (!(r.dir_real = realpath(r.dir, NULL)))
		tool_die(&t, SW_EXIT_IOERR, "%s: %s", r.dir, strerror(errno));
	if (r.after == AFTER_ARCHIVE)
		check_archive(&r);
	if (r.state_path) {
		int rc;

		tool_lock(&t, "--state", r.state_path);
		sbuf_printf(&r.lock_path, "%s.lock", r.state_path);
		rc = files_state_load(&r.tab, r.state_path, err, sizeof(err));
		if (rc < 0)
			tool_die(&t, rc == -1 ? SW_EXIT_IOERR : SW_EXIT_FAIL,
				 "--state: %s", err);
	}
	tool_start(&t);
	r.rd = files_reader_new(t.max_line, &tool_stop);
	json_doc_init(&r.doc);
	if (r.follow) {
		code = follow(&r);
	} else {
		scan(&r);
		code = SW_EXIT_OK;
	}
	/* What was written is remembered; after a write error, nothing
	 * more than before. */
	if (tool_flush(&t) == 0)
		save_state(&r);
	if (code == SW_EXIT_OK && r.files_failed)
		code = SW_EXIT_IOERR;
	files_reader_free(r.rd);
	files_table_free(&r.tab);
	json_doc_free(&r.doc);
	sbuf_free(&r.path);
	sbuf_free(&r.lock_path);
	free(r.dir_real);
	sbuf_free(&r.rec);
	sbuf_free(&r.prefix);
	files_watch_close(&r.watch);
	return tool_finish(&t, code);
}
