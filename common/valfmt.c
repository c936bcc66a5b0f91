/* valfmt: see valfmt.h. */
#include "valfmt.h"

#include <stdio.h>
#include <string.h>

#include "base64.h"

const char *const valfmt_names[] = { VALFMT_NAMES, NULL };

int valfmt_parse(const char *s, const char *codec_name, enum valfmt *f,
		 char *err, size_t errlen)
{
	struct sbuf b = SBUF_INIT;

	for (size_t i = 0; valfmt_names[i]; i++) {
		if (strcmp(s, valfmt_names[i]) == 0) {
			*f = (enum valfmt)i;
			return 0;
		}
	}
	if (codec_name && strcmp(s, codec_name) == 0) {
		*f = VALFMT_CODEC;
		return 0;
	}
	sbuf_put_list(&b, valfmt_names, "|", "|");
	snprintf(err, errlen, "%s: expected %s%s%s", s, b.p,
		 codec_name ? "|" : "", codec_name ? codec_name : "");
	sbuf_free(&b);
	return -1;
}

int valfmt_to_json(struct sbuf *b, enum valfmt f, const struct valfmt_codec *c,
		   const void *p, size_t n, struct json_doc *scratch,
		   char *err, size_t errlen)
{
	size_t ok, mark = b->len;
	int rc;

	if (!p) {
		sbuf_put(b, "null", 4);
		return 0;
	}
	switch (f) {
	case VALFMT_JSON:
		if (json_compact(scratch, p, n, err, errlen) < 0)
			return VALFMT_EBAD;
		sbuf_put(b, scratch->text.p, scratch->text.len);
		return 0;
	case VALFMT_STRING:
		ok = utf8_valid_prefix(p, n);
		if (ok < n) {
			snprintf(err, errlen, "not UTF-8 (byte %zu)", ok + 1);
			return VALFMT_EBAD;
		}
		sbuf_put_jstr(b, p, n);
		return 0;
	case VALFMT_BASE64:
		sbuf_putc(b, '"');
		base64_encode(p, n, b);
		sbuf_putc(b, '"');
		return 0;
	case VALFMT_CODEC:
		break;
	}
	if (!c) {
		snprintf(err, errlen, "no codec for this format");
		return VALFMT_EBAD;
	}
	rc = c->decode(c->ctx, p, n, b, err, errlen);
	if (rc < 0) {
		b->len = mark;
		if (b->p)
			b->p[mark] = '\0';
	}
	return rc;
}

int valfmt_from_json(const struct json_doc *d, uint32_t i, enum valfmt f,
		     const struct valfmt_codec *c, struct sbuf *out,
		     int *is_null, char *err, size_t errlen)
{
	const struct json_tok *t = &d->tok[i];
	const char *p = json_tok_ptr(d, i);
	struct sbuf tmp = SBUF_INIT;
	int rc = 0;

	*is_null = t->type == JSON_NULL;
	if (*is_null)
		return 0;
	switch (f) {
	case VALFMT_JSON:
		sbuf_put(out, p, t->len);
		return 0;
	case VALFMT_CODEC:
		if (!c) {
			snprintf(err, errlen, "no codec for this format");
			return VALFMT_EBAD;
		}
		return c->encode(c->ctx, d, i, out, err, errlen);
	case VALFMT_STRING:
	case VALFMT_BASE64:
		break;
	}
	if (t->type != JSON_STRING) {
		snprintf(err, errlen, "expected a JSON string for format %s",
			 valfmt_names[f]);
		return VALFMT_EBAD;
	}
	if (f == VALFMT_STRING) {
		json_unescape(p, t->len, out);
		return 0;
	}
	json_unescape(p, t->len, &tmp);
	if (base64_decode(tmp.p ? tmp.p : "", tmp.len, out) < 0) {
		snprintf(err, errlen, "not base64");
		rc = VALFMT_EBAD;
	}
	sbuf_free(&tmp);
	return rc;
}
