/*
 * jpath: field paths such as .a, .a.b, .a[0], ."odd key", .a[-1].
 *
 * An option that names a field is compiled once with jpath_compile().  A
 * plain path is evaluated directly on a json_doc's tokens (the fast path);
 * anything else is compiled as a jq program and run through libjq, whose
 * first output is the value.  "NAME=PATH" gives the output name; otherwise
 * the name is the last path component (for a jq program, the program text).
 *
 * The jpath owns a scratch buffer for jq results: a value returned by
 * jpath_eval() stays valid until the next call on the same jpath or the
 * doc changes.
 */
#ifndef SW_JPATH_H
#define SW_JPATH_H

#include <stddef.h>
#include <stdint.h>

#include "json.h"

struct jpath;

/* A JSON value as compact text: type, and the bytes p[0..n), which are
 * followed by a byte that cannot continue a number (so strtod is safe). */
struct jval {
	enum json_type type;
	const char *p;
	size_t n;
};

#define JPATH_NAMED 0x1 /* accept the NAME=PATH form */

int jpath_compile(struct jpath **out, const char *expr, int flags, char *err,
		  size_t errlen);
void jpath_free(struct jpath *jp);

const char *jpath_name(const struct jpath *jp);
/* The expression as given (without NAME=). */
const char *jpath_expr(const struct jpath *jp);
int jpath_is_simple(const struct jpath *jp);

/* Number of steps of a plain path and step i: a key (key != NULL) or an
 * index.  For tools that write at a path (sw-enrich --flatten). */
size_t jpath_nsteps(const struct jpath *jp);
const char *jpath_step_key(const struct jpath *jp, size_t i, size_t *keylen,
			   int64_t *index);

/* The length of the first item of a comma-separated list of paths
 * (".a,.b,n=.c"): up to the first comma outside quotes, brackets, braces
 * and parentheses, so ."a,b" and {a,b} stay whole. */
size_t jpath_list_item(const char *s);

/* Evaluates jp on the value rooted at token 0 of d.
 * Returns 1 with *v set, 0 when the path is missing (an absent key, an index
 * out of range, a step into a non-container, or a jq program with no
 * output), -1 when a jq program fails (reason in err). */
int jpath_eval(struct jpath *jp, const struct json_doc *d, struct jval *v,
	       char *err, size_t errlen);

/* For a plain path: the token index of the value, or -1 when missing.
 * Each step remembers where its key was last found (json_obj_find), so a
 * jpath is not to be shared between threads. */
int64_t jpath_lookup(const struct jpath *jp, const struct json_doc *d);

#endif
