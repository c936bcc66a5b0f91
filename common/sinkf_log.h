/*
 * sinkf_log: the commit log of a sw-sink-files directory (DIR/_sw_log) and
 * the Kafka offsets it holds.
 *
 * One JSON line per commit, appended and fsynced after the files it names
 * were synced, renamed and their directories synced, so a line is the
 * commit point:
 *
 *   {"commit":3,"part":7,"files":["dt=2021-12-12/part-000007-<uuid>.avro"],
 *    "records":120,"offsets":{"web":{"0":1043,"1":977}}}
 *
 * "offsets" is where a consumer resumes after this commit: per topic and
 * partition, the offset after the last record that the directory holds,
 * accumulated over every commit (the form of sw-sink-es --checkpoint).  A
 * commit always covers every file open at the time, so what the log
 * claims per partition is a prefix of the partition.
 *
 * sinkf_log_open() reads the log, cuts off a torn last line (a crash in
 * the middle of an append) and keeps the file open for appending.  The
 * sinkf_log owns the names of committed files (for the clean-up of files
 * that a crash left renamed but uncommitted) and the offsets.
 * Nothing here prints; errors come back in err.
 */
#ifndef SW_SINKF_LOG_H
#define SW_SINKF_LOG_H

#include <stddef.h>
#include <stdint.h>

#include "sbuf.h"

/* Per topic and partition: an offset (the next one to consume). */
struct sinkf_tp {
	char *topic;
	int32_t partition;
	int64_t next;
};

struct sinkf_offsets {
	struct sinkf_tp *v;
	size_t n;
	size_t last; /* lookup cache */
};

/* The entry of topic[0..len), partition; a new one has next -1. */
struct sinkf_tp *sinkf_offsets_at(struct sinkf_offsets *o, const char *topic,
				  size_t len, int32_t partition);
/* Raises each entry of o to from's where from's is higher. */
void sinkf_offsets_merge(struct sinkf_offsets *o,
			 const struct sinkf_offsets *from);
/* Appends {"topic":{"partition":next}}. */
void sinkf_offsets_format(const struct sinkf_offsets *o, struct sbuf *b);
void sinkf_offsets_free(struct sinkf_offsets *o);

struct sinkf_log {
	int fd;
	uint64_t commits;     /* lines in the log */
	uint64_t last_part;   /* highest part number named */
	char **files;         /* committed files, sorted */
	size_t nfiles;
	struct sinkf_offsets offsets;
	uint64_t truncated;   /* bytes of a torn line cut off at open */
};

/* Opens (creating) dir/_sw_log.  Returns 0, or -1 with err. */
int sinkf_log_open(struct sinkf_log *l, const char *dir, char *err,
		   size_t errlen);
void sinkf_log_close(struct sinkf_log *l);

/* Whether path (relative to DIR) is named by a commit. */
int sinkf_log_has(const struct sinkf_log *l, const char *path);

/* Appends one commit of files[0..n) (paths relative to DIR; last_part the
 * highest part number used so far) holding records records, with offsets the cumulative offsets after it, and syncs
 * it.  On failure the log is cut back to what it was and -1 returned with
 * err (errno kept).  On success the offsets and names are the log's. */
int sinkf_log_commit(struct sinkf_log *l, char *const *files, size_t n,
		     uint64_t last_part, uint64_t records, const struct sinkf_offsets *offsets,
		     char *err, size_t errlen);

#endif
