/*
 * enrich_rec: one record under edit, for sw-enrich.
 *
 * A record starts from a parsed json_doc, which it borrows: the caller
 * keeps the doc unchanged until the record has been written.  An object
 * record is edited as a list of its top-level members whose keys and values
 * are spans, either tokens of the doc or text in the record's own scratch
 * buffer, so nothing is re-serialised until the record is written.  A
 * record whose original members are all untouched is written as the doc's
 * text with the new members spliced in before the closing brace.
 *
 * When an edit needs the tokens of a value that so far exists only as text
 * (a path into a value set by an earlier operation), the record re-parses
 * itself into a doc of its own ("materialises"); that is the slow path.
 *
 * Keys are passed as JSON text, quoted and escaped, as sbuf_put_jstr()
 * writes them; values as compact JSON text.  The record copies both.  The
 * record owns its buffers until enrich_rec_free().
 */
#ifndef SW_ENRICH_REC_H
#define SW_ENRICH_REC_H

#include <stddef.h>
#include <stdint.h>

#include "jpath.h"
#include "json.h"
#include "sbuf.h"

struct enrich_member;

struct enrich_rec {
	const struct json_doc *doc; /* the doc the spans point into */
	int is_object;
	int dirty;      /* an original member was replaced or removed */
	size_t norig;   /* members[0..norig) came with the doc, in order */
	uint64_t kmask; /* key_bit() of every original key */
	int kesc;       /* some original key has escapes */
	struct enrich_member *m;
	size_t n, cap;
	struct sbuf scratch; /* text of values set by operations */
	struct sbuf ser;     /* the record written out, for materialising */
	struct sbuf tmp;     /* unescaped keys, rebuilt values */
	struct json_doc own[2];
	int which;           /* own[which] is the one not in use */
};

void enrich_rec_init(struct enrich_rec *r);
void enrich_rec_free(struct enrich_rec *r);

/* Starts editing the record held by d. */
void enrich_rec_load(struct enrich_rec *r, const struct json_doc *d);

/* Sets top-level key (JSON text) to value v[0..n) (compact JSON text):
 * an existing member keeps its place, a new one goes last.  The record
 * must be an object. */
void enrich_rec_set(struct enrich_rec *r, const char *key, size_t klen,
		    const char *v, size_t n);

/* The current value of top-level key (JSON text), or NULL.  Valid until
 * the next edit. */
const char *enrich_rec_member(struct enrich_rec *r, const char *key,
			      size_t klen, size_t *n);

/* Evaluates jp on the record as it is now.  Returns 1 with *v (valid
 * until the next edit), 0 when missing, -1 with err (a jq error, or a
 * value too deep to re-read). */
int enrich_rec_get(struct enrich_rec *r, struct jpath *jp, struct jval *v,
		   char *err, size_t errlen);

/* Merges the object at plain path jp into the top level, after removing
 * jp from the record.  A missing path or null is left alone.  Returns 0,
 * or -1 with err when the value is not an object. */
int enrich_rec_flatten(struct enrich_rec *r, struct jpath *jp, char *err,
		       size_t errlen);

/* Appends the record as compact JSON text (no newline). */
void enrich_rec_write(struct enrich_rec *r, struct sbuf *out);


#endif
