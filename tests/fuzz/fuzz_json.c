/* libFuzzer target: the JSON fast path.  Whatever the bytes, json_parse
 * must not crash, and what it accepts must parse again to the same compact
 * text, with a token tree that covers it exactly. */
#include <stdlib.h>

#include "json.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	static struct json_doc a, b;
	static int ready;
	char err[256];

	if (!ready) {
		json_doc_init(&a);
		json_doc_init(&b);
		ready = 1;
	}
	if (json_parse(&a, (const char *)data, size, err, sizeof err) < 0)
		return 0;
	if (json_parse(&b, a.text.p, a.text.len, err, sizeof err) < 0)
		abort();
	if (a.text.len != b.text.len || memcmp(a.text.p, b.text.p, a.text.len))
		abort();
	if (a.ntok == 0 || a.tok[0].end != a.ntok ||
	    a.tok[0].start != 0 || a.tok[0].len != a.text.len)
		abort();
	for (uint32_t i = 0; i < a.ntok; i++) {
		struct sbuf s = SBUF_INIT;
		if (a.tok[i].type == JSON_STRING) {
			json_unescape(json_tok_ptr(&a, i), a.tok[i].len, &s);
			if (utf8_valid_prefix(s.p ? s.p : "", s.len) != s.len)
				abort();
		}
		sbuf_free(&s);
	}
	return 0;
}
