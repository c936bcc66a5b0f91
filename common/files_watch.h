/*
 * files_watch: what happens in a directory while sw-files follows it.
 *
 * An inotify watch on the directory says when to look again (any event:
 * new files, appended lines, renames, deletions) and keeps track of which
 * names a writer has open: a name is "being written" from its creation or
 * modification until the writer closes it, it is renamed in, or it goes
 * away.  files_open_for_writing() asks the kernel the same of one file at
 * any time, with a read lease, which also sees writers that were there
 * before the watch.
 *
 * The watch owns its descriptor and its copies of the names.
 */
#ifndef SW_FILES_WATCH_H
#define SW_FILES_WATCH_H

#include <signal.h>
#include <stddef.h>

struct files_watch {
	int fd;
	int dir_gone; /* the directory itself was removed or moved */
	char **writing;
	size_t n, cap;
};

/* Starts watching dir.  Returns 0, or -1 with err. */
int files_watch_open(struct files_watch *w, const char *dir, char *err,
		     size_t errlen);
void files_watch_close(struct files_watch *w);

/* Reads the events there are, without waiting.  Returns how many. */
size_t files_watch_read(struct files_watch *w);
/* Waits until there are events, *stop is set by a signal handler (SIGINT
 * or SIGTERM), timeout_ms passed (-1: no timeout), or out_fd (when >= 0:
 * the output) reports an error or hang-up, its reader gone; then reads
 * the events.  The signals are let in only while waiting, so a stop that
 * arrives just before cannot be missed. */
void files_watch_wait(struct files_watch *w, int timeout_ms, int out_fd,
		      volatile sig_atomic_t *stop);

/* Whether a writer has name open, as far as the events tell. */
int files_watch_writing(const struct files_watch *w, const char *name);

/* Whether some process has path open for writing (a read lease cannot be
 * had).  Where leases are not allowed (another user's file, without
 * CAP_LEASE) or not supported, the answer is 0. */
int files_open_for_writing(const char *path);

#endif
