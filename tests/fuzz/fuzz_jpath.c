/* libFuzzer target: field paths.  The first line is a path expression,
 * the rest a JSON document; compiling and evaluating must never crash.
 * jq programs are not run here (libjq has its own fuzzing): only plain
 * paths are evaluated. */
#include <stdlib.h>

#include "jpath.h"
#include "json.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	static struct json_doc d;
	static int ready;
	const char *nl = memchr(data, '\n', size);
	char err[256], *expr;
	struct jpath *jp;
	struct jval v;

	if (!ready) {
		json_doc_init(&d);
		ready = 1;
	}
	if (!nl || memchr(data, '\0', (size_t)(nl - (const char *)data)))
		return 0;
	expr = strndup((const char *)data, (size_t)(nl - (const char *)data));
	if (expr[0] == '.' && !strpbrk(expr, " |(){}$@?;,+*/-=<>!") &&
	    jpath_compile(&jp, expr, JPATH_NAMED, err, sizeof err) == 0) {
		size_t rest = size - (size_t)(nl + 1 - (const char *)data);
		if (jpath_is_simple(jp) &&
		    json_parse(&d, nl + 1, rest, err, sizeof err) == 0 &&
		    jpath_eval(jp, &d, &v, err, sizeof err) == 1 &&
		    (v.p < d.text.p || v.p + v.n > d.text.p + d.text.len))
			abort();
		jpath_free(jp);
	}
	free(expr);
	return 0;
}
