/*
 * bulk_ckpt: which Kafka offsets a sink may report as done.
 *
 * Records that carry envelope fields (topic, partition, offset) are
 * registered in the order they are read; each gets a reference that the
 * sink marks done once the record is acknowledged or dead-lettered, in any
 * order.  Per partition the checkpoint is the lowest offset still pending,
 * or, with nothing pending, the offset after the highest seen: the offset
 * a consumer resumes from without losing a record
 * ({"offsets":{"web":{"0":43,"1":17}}}, as sw-consume --resume reads it).
 *
 * Partitions named in an earlier checkpoint file (bulk_ckpt_load) keep
 * their offsets until records of theirs are seen, so a restart that has
 * not reached every partition yet does not forget any.  The tracker owns
 * its topic names and pending lists; bulk_ckpt_free() releases them.
 */
#ifndef SW_BULK_CKPT_H
#define SW_BULK_CKPT_H

#include <stddef.h>
#include <stdint.h>

#include "sbuf.h"

struct bulk_ckpt;

struct bulk_ckpt_ref {
	int32_t part; /* -1: the record has no envelope */
	uint64_t seq;
};

struct bulk_ckpt *bulk_ckpt_new(void);
void bulk_ckpt_free(struct bulk_ckpt *c);

/* Reads a checkpoint file written earlier.  A missing file is not an
 * error.  Returns 0, or -1 with a reason in err. */
int bulk_ckpt_load(struct bulk_ckpt *c, const char *path, char *err,
		   size_t errlen);

/* Registers a pending record of topic[0..topic_len) (unescaped). */
void bulk_ckpt_add(struct bulk_ckpt *c, const char *topic, size_t topic_len,
		   int32_t partition, int64_t offset, struct bulk_ckpt_ref *ref);
/* Marks a record acknowledged or dead-lettered.  No-op for part -1. */
void bulk_ckpt_done(struct bulk_ckpt *c, const struct bulk_ckpt_ref *ref);

/* Calls fn for every partition with its checkpoint offset, in the order
 * bulk_ckpt_format() writes them. */
void bulk_ckpt_each(struct bulk_ckpt *c,
		    void (*fn)(void *ctx, const char *topic, int32_t partition,
			       int64_t offset),
		    void *ctx);
/* Appends {"offsets":{…}} (topics and partitions in first-seen order). */
void bulk_ckpt_format(struct bulk_ckpt *c, struct sbuf *out);
/* Writes the checkpoint to path atomically (a temporary file in the same
 * directory, then rename).  Returns 0, or -1 with a reason in err. */
int bulk_ckpt_write(struct bulk_ckpt *c, const char *path, char *err,
		    size_t errlen);

#endif
