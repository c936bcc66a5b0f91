#include "bulk_req.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

const char *const bulk_op_names[] = {
	[BULK_OP_INDEX] = "index",   [BULK_OP_CREATE] = "create",
	[BULK_OP_UPDATE] = "update", [BULK_OP_UPSERT] = "upsert",
	[BULK_OP_DELETE] = "delete", NULL,
};

int bulk_op_parse(const char *s, enum bulk_op *op)
{
	for (size_t i = 0; bulk_op_names[i]; i++) {
		if (strcmp(s, bulk_op_names[i]) == 0) {
			*op = (enum bulk_op)i;
			return 0;
		}
	}
	return -1;
}

const char *bulk_op_action(enum bulk_op op)
{
	return op == BULK_OP_UPSERT ? "update" : bulk_op_names[op];
}

int bulk_key_check(const struct jval *v, char *err, size_t errlen)
{
	if (v->type == JSON_STRING) {
		if (v->n <= 2) {
			snprintf(err, errlen, "empty string");
			return -1;
		}
		if (v->n > 512 + 2) {
			snprintf(err, errlen, "longer than 512 bytes");
			return -1;
		}
		return 0;
	}
	if (v->type == JSON_NUMBER)
		return 0;
	snprintf(err, errlen, "not a string or a number: %.*s%s",
		 (int)(v->n > 40 ? 40 : v->n), v->p, v->n > 40 ? "..." : "");
	return -1;
}

static void put_key(struct sbuf *out, const char *name, const struct jval *v)
{
	sbuf_puts(out, name);
	if (v->type == JSON_STRING) {
		sbuf_put(out, v->p, v->n);
	} else {
		sbuf_putc(out, '"');
		sbuf_put(out, v->p, v->n);
		sbuf_putc(out, '"');
	}
}

void bulk_req_append(struct sbuf *out, enum bulk_op op, const char *index,
		     size_t index_len, const struct jval *id,
		     const struct jval *routing, const char *rec,
		     size_t rec_len, size_t *rec_off)
{
	sbuf_puts(out, "{\"");
	sbuf_puts(out, bulk_op_action(op));
	sbuf_puts(out, "\":{\"_index\":");
	sbuf_put_jstr(out, index, index_len);
	if (id)
		put_key(out, ",\"_id\":", id);
	if (routing)
		put_key(out, ",\"routing\":", routing);
	sbuf_put(out, "}}\n", 3);
	*rec_off = (size_t)-1;
	switch (op) {
	case BULK_OP_INDEX:
	case BULK_OP_CREATE:
		*rec_off = out->len;
		sbuf_put(out, rec, rec_len);
		break;
	case BULK_OP_UPDATE:
	case BULK_OP_UPSERT:
		sbuf_put(out, "{\"doc\":", 7);
		*rec_off = out->len;
		sbuf_put(out, rec, rec_len);
		if (op == BULK_OP_UPSERT)
			sbuf_puts(out, ",\"doc_as_upsert\":true");
		sbuf_putc(out, '}');
		break;
	case BULK_OP_DELETE:
		return;
	}
	sbuf_putc(out, '\n');
}

size_t bulk_index_name(const char *tmpl, int64_t t_us, char *buf, size_t len)
{
	int64_t s = t_us / 1000000;
	time_t tt;
	struct tm tm;

	if (t_us < 0 && t_us % 1000000)
		s--;
	tt = (time_t)s;
	if (!gmtime_r(&tt, &tm))
		return 0;
	/* The template is the user's --index: a format by design. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	return strftime(buf, len, tmpl, &tm);
#pragma GCC diagnostic pop
}

int bulk_index_check(const char *name, size_t n, char *err, size_t errlen)
{
	if (n == 0 || n > 255) {
		snprintf(err, errlen, "index name must be 1 to 255 bytes");
		return -1;
	}
	if ((n == 1 && name[0] == '.') ||
	    (n == 2 && name[0] == '.' && name[1] == '.')) {
		snprintf(err, errlen, "index name must not be '.' or '..'");
		return -1;
	}
	if (name[0] == '-' || name[0] == '_' || name[0] == '+') {
		snprintf(err, errlen,
			 "index name must not start with '-', '_' or '+'");
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)name[i];

		if (c >= 'A' && c <= 'Z') {
			snprintf(err, errlen, "index name must be lowercase: %.*s",
				 (int)n, name);
			return -1;
		}
		if (c <= ' ' || strchr("\\/*?\"<>|,#:", c)) {
			snprintf(err, errlen,
				 "index name must not contain '%c': %.*s",
				 c <= ' ' ? ' ' : c, (int)n, name);
			return -1;
		}
	}
	return 0;
}
