#include "jqprog.h"

#include <jq.h>
#include <jv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

struct jqprog {
	jq_state *jq;
	char msg[256]; /* the first message libjq reported */
};

static void on_msg(void *ctx, jv msg)
{
	struct jqprog *p = ctx;

	if (!p->msg[0]) {
		jv s = jv_get_kind(msg) == JV_KIND_STRING ?
			       jv_copy(msg) :
			       jv_dump_string(jv_copy(msg), 0);
		snprintf(p->msg, sizeof p->msg, "%s", jv_string_value(s));
		jv_free(s);
	}
	jv_free(msg);
}

/* libjq aborts when memory runs out unless told otherwise: end the way
 * every other allocation does. */
static void on_nomem(void *ctx)
{
	(void)ctx;
	xalloc_die();
}

int jqprog_compile(struct jqprog **out, const char *program, char *err,
		   size_t errlen)
{
	struct jqprog *p = xcalloc(1, sizeof *p);

	p->jq = jq_init();
	if (!p->jq) {
		snprintf(err, errlen, "cannot initialise libjq");
		free(p);
		return -1;
	}
	/* jq_start() installs the state's handler for each run. */
	jq_set_nomem_handler(p->jq, on_nomem, NULL);
	jq_set_error_cb(p->jq, on_msg, p);
	if (!jq_compile(p->jq, program)) {
		snprintf(err, errlen, "jq program '%s': %s", program,
			 p->msg[0] ? p->msg : "does not compile");
		jqprog_free(p);
		return -1;
	}
	*out = p;
	return 0;
}

int jqprog_run(struct jqprog *p, const char *json, size_t n,
	       jqprog_emit_fn emit, void *ctx, char *err, size_t errlen)
{
	jv in = jv_parse_sized(json, (int)n);
	int rc = 0;

	if (!jv_is_valid(in)) {
		jv m = jv_invalid_get_msg(in);
		snprintf(err, errlen, "jq input: %s",
			 jv_get_kind(m) == JV_KIND_STRING ? jv_string_value(m) :
							    "invalid JSON");
		jv_free(m);
		return -1;
	}
	jq_start(p->jq, in, 0);
	for (;;) {
		jv v = jq_next(p->jq);
		if (!jv_is_valid(v)) {
			if (jv_invalid_has_msg(jv_copy(v))) {
				jv m = jv_invalid_get_msg(v);
				jv s = jv_get_kind(m) == JV_KIND_STRING ?
					       m :
					       jv_dump_string(m, 0);
				snprintf(err, errlen, "jq: error: %s",
					 jv_string_value(s));
				jv_free(s);
				rc = -1;
			} else {
				jv_free(v);
			}
			break;
		}
		jv s = jv_dump_string(v, 0);
		rc = emit(ctx, jv_string_value(s),
			  (size_t)jv_string_length_bytes(jv_copy(s)));
		jv_free(s);
		if (rc)
			break;
	}
	return rc;
}

void jqprog_free(struct jqprog *p)
{
	if (!p)
		return;
	jq_teardown(&p->jq);
	free(p);
}

const char *jqprog_version(void)
{
	return "libjq 1.6";
}
