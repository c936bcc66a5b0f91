/*
 * file: whole small files — checkpoints, state files, schemas — read in one
 * go and replaced atomically.
 *
 * file_replace() is how every tool writes a file that must never be seen
 * half-written (checkpoints, window state, files state, registry entries):
 * the data goes to a temporary dot-file in the same directory, is synced,
 * renamed over the target, and the directory is synced, so after a crash
 * the file holds either the old or the new content.  file_read_all() is
 * how they, and schema files, are read back, whole and bounded.
 * file_lock() keeps two runs from sharing such a file.  Errors are
 * returned, with the path and reason in err ("PATH: reason"); nothing here
 * prints.
 */
#ifndef SW_FILE_H
#define SW_FILE_H

#include <stddef.h>
#include <sys/types.h>

#include "sbuf.h"

/* Appends the content of path to b.  A file larger than max bytes is
 * refused.  Returns 0, 1 when the file does not exist, or -1 with err. */
int file_read_all(const char *path, size_t max, struct sbuf *b, char *err,
		  size_t errlen);

/* Replaces path with data[0..n) atomically and durably: a temporary file
 * from mkstemp beside it, fsync, rename, fsync of the directory.  The file
 * keeps the mode of the one it replaces; a new file gets mode (less the
 * umask).  Returns 0, or -1 with err (the old file is then left as it
 * was). */
int file_replace(const char *path, const void *data, size_t n, mode_t mode,
		 char *err, size_t errlen);

/* Takes an exclusive lock for the run that owns path (a state file or a
 * checkpoint): flock on PATH.lock beside it, created 0600 and never
 * removed (removing it would let two runs lock two different files).  The
 * lock is held until the returned descriptor is closed or the process
 * ends.  Returns the descriptor; -2 when another process holds the lock,
 * -1 when the lock file cannot be opened (err says which, with the
 * holder's pid when known). */
int file_lock(const char *path, char *err, size_t errlen);

/* Writes all of p[0..n) to fd, retrying short writes and EINTR.  Returns
 * 0, or -1 with errno set. */
int file_write_all(int fd, const void *p, size_t n);

#endif
