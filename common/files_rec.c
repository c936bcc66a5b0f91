#include "files_rec.h"

int files_rec_open_object(const struct json_doc *d, const char *key,
			  size_t keylen, struct sbuf *out)
{
	const char *t = d->text.p;
	size_t close = d->text.len - 1; /* the root's '}' */
	int64_t v;

	if (d->ntok == 0 || d->tok[0].type != JSON_OBJECT)
		return -1;
	v = json_obj_get(d, 0, key, keylen);
	if (v < 0) {
		sbuf_put(out, t, close);
		if (d->tok[0].count)
			sbuf_putc(out, ',');
		return 0;
	}
	/* Compact text: members are separated by exactly one ','. */
	sbuf_putc(out, '{');
	JSON_OBJ_FOREACH(d, 0, k) {
		uint32_t next = d->tok[k + 1].end;
		size_t from = d->tok[k].start;
		size_t to = next < d->tok[0].end ? d->tok[next].start : close;
		if ((int64_t)k != v - 1)
			sbuf_put(out, t + from, to - from);
	}
	if (out->p[out->len - 1] != ',' && out->p[out->len - 1] != '{')
		sbuf_putc(out, ',');
	return 0;
}
