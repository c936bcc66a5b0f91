/*
 * jqprog: user jq programs, run with libjq.
 *
 * This is the slow path, used only where the user wrote something that is
 * not a plain field path (--jq, --where, or a path option given a jq
 * program).  A program is compiled once and run on one JSON text at a time;
 * each output is handed to the emit callback as compact JSON text that is
 * valid only during the call.
 */
#ifndef SW_JQPROG_H
#define SW_JQPROG_H

#include <stddef.h>

struct jqprog;

typedef int (*jqprog_emit_fn)(void *ctx, const char *json, size_t n);

/* Returns 0, or -1 with the compiler's first message in err. */
int jqprog_compile(struct jqprog **out, const char *program, char *err,
		   size_t errlen);
/* Runs the program on json[0..n) (valid JSON).  emit returning non-zero
 * stops the run.  Returns 0, the non-zero value emit returned, or -1 with a
 * runtime error (jq's "error(...)" message) in err. */
int jqprog_run(struct jqprog *p, const char *json, size_t n,
	       jqprog_emit_fn emit, void *ctx, char *err, size_t errlen);
void jqprog_free(struct jqprog *p);

/* "jq 1.6" or similar, for --version. */
const char *jqprog_version(void);

#endif
