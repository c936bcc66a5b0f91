/*
 * enrich_ops: sw-enrich's operations (sw-enrich(1), OPERATIONS), applied
 * to each record in command-line order.
 *
 * The tool builds a pipeline with the enrich_add_*() and enrich_set_*()
 * calls while it parses its options, in the order given, checks it with
 * enrich_ready(), then hands every input record to enrich_run().  That
 * calls emit for each record that comes out: none when --where drops it,
 * several when a --jq program emits several.  The pipeline copies every
 * string it is given and owns its paths, programs and buffers until
 * enrich_free().
 *
 * Modifiers bind to operations as the man page says: --since to the
 * nearest --lag before it (or the next one when none is before it),
 * --time-out likewise to --time; --time-format, --time-unit, --time-output
 * and --tz hold for every time read or written.
 *
 * All functions that can fail return 0, or -1 with a reason in err.
 */
#ifndef SW_ENRICH_OPS_H
#define SW_ENRICH_OPS_H

#include <stddef.h>
#include <stdint.h>

#include "enrich_rec.h"
#include "json.h"

struct enrich;

/* Receives a finished record; it is valid only during the call. */
typedef void (*enrich_emit_fn)(void *ctx, struct enrich_rec *r);

struct enrich *enrich_new(void);
void enrich_free(struct enrich *e);

/* field NULL: the default name. */
int enrich_add_uuid(struct enrich *e, const char *field, char *err,
		    size_t errlen);
int enrich_add_uuid_time(struct enrich *e, const char *field, char *err,
			 size_t errlen);
int enrich_add_processed_at(struct enrich *e, const char *field, char *err,
			    size_t errlen);
int enrich_add_set(struct enrich *e, const char *assignment, char *err,
		   size_t errlen);
int enrich_add_hostname(struct enrich *e, const char *field, char *err,
			size_t errlen);
int enrich_add_stage(struct enrich *e, const char *name, char *err,
		     size_t errlen);
int enrich_add_lag(struct enrich *e, const char *field, char *err,
		   size_t errlen);
int enrich_set_since(struct enrich *e, const char *path, char *err,
		     size_t errlen);
int enrich_add_time(struct enrich *e, const char *path, char *err,
		    size_t errlen);
int enrich_set_time_out(struct enrich *e, const char *field, char *err,
			size_t errlen);
int enrich_add_flatten(struct enrich *e, const char *path, char *err,
		       size_t errlen);
int enrich_add_jq(struct enrich *e, const char *program, char *err,
		  size_t errlen);
int enrich_add_where(struct enrich *e, const char *program, char *err,
		     size_t errlen);

int enrich_set_time_format(struct enrich *e, const char *format, char *err,
			   size_t errlen);
int enrich_set_time_unit(struct enrich *e, const char *unit, char *err,
			 size_t errlen);
int enrich_set_time_output(struct enrich *e, const char *output, char *err,
			   size_t errlen);
int enrich_set_tz(struct enrich *e, const char *zone, char *err,
		  size_t errlen);

/* Checks that every operation has what it needs. */
int enrich_ready(struct enrich *e, char *err, size_t errlen);

/* Runs the pipeline on the record in d, handled at time now_us.  Returns
 * 0, or -1 with the reason the record is bad input; then nothing of it
 * should be kept, even records already emitted. */
int enrich_run(struct enrich *e, const struct json_doc *d, int64_t now_us,
	       enrich_emit_fn emit, void *ctx, char *err, size_t errlen);

/* Records dropped by --where so far. */
uint64_t enrich_filtered(const struct enrich *e);

#endif
