/*
 * files_state: what sw-files knows about the files of its directory, and
 * the --state file that carries it from one run to the next.
 *
 * A file is known by its inode and a fingerprint of its first bytes (so a
 * renamed file is still the same file, and an inode the file system reused
 * for new content is not); its name is only where it is now.  For each file
 * the table keeps how far it was written out: a byte offset and a line
 * count in its (decompressed) stream, and the size and modification time it
 * had then, which tell whether anything can have changed since.
 *
 * The table owns its entries and their names.  files_state_save() writes
 * a temporary file beside the state file, fsyncs it and renames it over the
 * old one, so a crash leaves either the old state or the new one.
 */
#ifndef SW_FILES_STATE_H
#define SW_FILES_STATE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

#include "htab.h"

#define FILES_HEAD_MAX 1024 /* bytes the fingerprint covers at most */

struct files_entry {
	char *name;        /* in the directory */
	uint64_t ino;
	uint64_t size;     /* on disk, when last read */
	int64_t mtime_ns;  /* when last read */
	uint64_t offset;   /* stream bytes written out (or skipped as bad) */
	uint64_t lines;    /* lines up to offset */
	uint32_t head_len; /* bytes of the fingerprint */
	uint64_t head;     /* FNV-1a of the first head_len bytes */
	int seen;          /* found by the current scan */
	int failed;        /* reading failed; retried once it changes: */
	uint64_t fail_size;     /* ...from this size */
	int64_t fail_mtime_ns;  /* ...or this time */
	int fd;            /* kept open while following, else -1 */
	int64_t gone_us;   /* following: when it left the directory, or 0 */
	int after_wait;    /* following: --after waits for its writer */
};

struct files_table {
	struct files_entry *v;
	size_t n, cap;
	struct htab hash; /* index + 1 into v, by inode */
	int hstale;       /* hash must be rebuilt before use */
};

void files_table_free(struct files_table *t);

/* The entry for inode ino, or NULL. */
struct files_entry *files_table_find(struct files_table *t, uint64_t ino);
/* Adds a fresh entry (offset 0) for name and ino.  Pointers into the table
 * are invalidated by this and by files_table_remove(). */
struct files_entry *files_table_add(struct files_table *t, const char *name,
				    uint64_t ino);
void files_table_rename(struct files_entry *e, const char *name);
/* Removes v[i] (closing its descriptor) by moving the last entry there. */
void files_table_remove(struct files_table *t, size_t i);

/* Forgets how far e was read: it is read again from its start. */
void files_entry_restart(struct files_entry *e);
/* Whether e, read when the file had st's size and time, may have more. */
int files_entry_changed(const struct files_entry *e, const struct stat *st);

/* FNV-1a of the first len bytes of fd (fewer when the file is shorter:
 * *got says how many).  Returns 0, or -1 with errno. */
int files_head_hash(int fd, uint32_t len, uint64_t *hash, uint32_t *got);

/* Loads path into an empty table.  A missing file is an empty state.
 * Returns 0; -1 when it cannot be read; -2 when it is not a state file
 * (err names the file and says why in both cases). */
int files_state_load(struct files_table *t, const char *path, char *err,
		     size_t errlen);
/* Replaces path atomically with the table's entries.  Returns 0 or -1. */
int files_state_save(const struct files_table *t, const char *path,
		     char *err, size_t errlen);

#endif
