#include "avro_infer.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "avro_schema.h"
#include "xalloc.h"

enum {
	K_NULL = 1 << 0,
	K_BOOL = 1 << 1,
	K_LONG = 1 << 2,
	K_DOUBLE = 1 << 3,
	K_STRING = 1 << 4,
	K_ARRAY = 1 << 5,
	K_OBJECT = 1 << 6,
};

struct inode;

struct ifield {
	char *name;
	struct inode *type;
};

struct inode {
	unsigned kinds;
	struct inode *items;    /* arrays */
	struct ifield *fields;  /* objects, in first-seen order */
	size_t nfields;
};

struct avro_infer {
	struct inode root;
	size_t records;
};

struct avro_infer *avro_infer_new(void)
{
	return xcalloc(1, sizeof(struct avro_infer));
}

static void node_free(struct inode *n)
{
	if (n->items) {
		node_free(n->items);
		free(n->items);
	}
	for (size_t i = 0; i < n->nfields; i++) {
		free(n->fields[i].name);
		node_free(n->fields[i].type);
		free(n->fields[i].type);
	}
	free(n->fields);
}

void avro_infer_free(struct avro_infer *a)
{
	if (!a)
		return;
	node_free(&a->root);
	free(a);
}

static void add_value(struct inode *n, const struct json_doc *d, uint32_t i,
		      struct sbuf *key)
{
	const struct json_tok *t = &d->tok[i];
	int64_t v;

	switch ((enum json_type)t->type) {
	case JSON_NULL:
		n->kinds |= K_NULL;
		break;
	case JSON_TRUE:
	case JSON_FALSE:
		n->kinds |= K_BOOL;
		break;
	case JSON_NUMBER:
		if ((t->flags & JSON_F_INT) &&
		    json_num_i64(json_tok_ptr(d, i), t->len, &v) == 0)
			n->kinds |= K_LONG;
		else
			n->kinds |= K_DOUBLE;
		break;
	case JSON_STRING:
		n->kinds |= K_STRING;
		break;
	case JSON_ARRAY:
		n->kinds |= K_ARRAY;
		if (!n->items)
			n->items = xcalloc(1, sizeof *n->items);
		JSON_ARR_FOREACH(d, i, e)
			add_value(n->items, d, e, key);
		break;
	case JSON_OBJECT:
		n->kinds |= K_OBJECT;
		JSON_OBJ_FOREACH(d, i, k) {
			struct inode *f = NULL;

			sbuf_reset(key);
			json_unescape(json_tok_ptr(d, k), d->tok[k].len, key);
			for (size_t j = 0; j < n->nfields && !f; j++)
				if (strcmp(n->fields[j].name, key->p) == 0)
					f = n->fields[j].type;
			if (!f) {
				n->fields = xrealloc(n->fields,
						     (n->nfields + 1) *
							     sizeof *n->fields);
				n->fields[n->nfields].name =
					xstrndup(key->p, key->len);
				f = n->fields[n->nfields++].type =
					xcalloc(1, sizeof *f);
			}
			add_value(f, d, k + 1, key);
		}
		break;
	}
}

int avro_infer_add(struct avro_infer *a, const struct json_doc *d, char *err,
		   size_t errlen)
{
	struct sbuf key = SBUF_INIT;

	if (d->tok[0].type != JSON_OBJECT) {
		snprintf(err, errlen, "not an object: --infer takes records");
		return -1;
	}
	add_value(&a->root, d, 0, &key);
	sbuf_free(&key);
	a->records++;
	return 0;
}

static int emit(const struct inode *n, int nullable, struct sbuf *name,
		struct sbuf *out, char *err, size_t errlen);

static int emit_record(const struct inode *n, struct sbuf *name,
		       struct sbuf *out, char *err, size_t errlen)
{
	size_t keep = name->len;

	sbuf_puts(out, "{\"type\":\"record\",\"name\":");
	sbuf_put_jstr(out, name->p, name->len);
	sbuf_puts(out, ",\"fields\":[");
	for (size_t i = 0; i < n->nfields; i++) {
		const char *fn = n->fields[i].name;

		if (!avro_valid_name(fn)) {
			struct sbuf p = SBUF_INIT;

			json_put_text(&p, fn, strlen(fn));
			snprintf(err, errlen, "field %s is not an Avro name "
					      "([A-Za-z_][A-Za-z0-9_]*)", p.p);
			sbuf_free(&p);
			return -1;
		}
		if (i)
			sbuf_putc(out, ',');
		sbuf_puts(out, "{\"name\":");
		sbuf_put_jstr(out, fn, strlen(fn));
		sbuf_puts(out, ",\"type\":");
		sbuf_printf(name, "_%s", fn);
		if (emit(n->fields[i].type, 1, name, out, err, errlen) < 0)
			return -1;
		name->len = keep;
		name->p[keep] = '\0';
		sbuf_puts(out, ",\"default\":null}");
	}
	sbuf_puts(out, "]}");
	return 0;
}

static int emit_one(const struct inode *n, unsigned kind, struct sbuf *name,
		    struct sbuf *out, char *err, size_t errlen)
{
	size_t keep = name->len;
	int rc = 0;

	switch (kind) {
	case K_BOOL: sbuf_puts(out, "\"boolean\""); break;
	case K_LONG: sbuf_puts(out, "\"long\""); break;
	case K_DOUBLE: sbuf_puts(out, "\"double\""); break;
	case K_STRING: sbuf_puts(out, "\"string\""); break;
	case K_ARRAY:
		sbuf_puts(out, "{\"type\":\"array\",\"items\":");
		sbuf_puts(name, "_item");
		if (n->items && n->items->kinds)
			rc = emit(n->items, n->items->kinds & K_NULL, name, out,
				  err, errlen);
		else
			sbuf_puts(out, "\"string\"");
		name->len = keep;
		name->p[keep] = '\0';
		sbuf_putc(out, '}');
		break;
	case K_OBJECT:
		rc = emit_record(n, name, out, err, errlen);
		break;
	}
	return rc;
}

static int emit(const struct inode *n, int nullable, struct sbuf *name,
		struct sbuf *out, char *err, size_t errlen)
{
	static const unsigned order[] = { K_BOOL, K_LONG, K_DOUBLE, K_STRING,
					  K_ARRAY, K_OBJECT };
	unsigned kinds = n->kinds & ~(unsigned)K_NULL;
	int count = 0;

	if (kinds & K_DOUBLE)
		kinds &= ~(unsigned)K_LONG;
	if (!kinds)
		kinds = K_STRING;
	for (size_t i = 0; i < sizeof order / sizeof *order; i++)
		count += !!(kinds & order[i]);
	if (nullable || count > 1)
		sbuf_putc(out, '[');
	if (nullable)
		sbuf_puts(out, "\"null\"");
	for (size_t i = 0, k = 0; i < sizeof order / sizeof *order; i++) {
		if (!(kinds & order[i]))
			continue;
		if (nullable || k++)
			sbuf_putc(out, ',');
		if (emit_one(n, order[i], name, out, err, errlen) < 0)
			return -1;
	}
	if (nullable || count > 1)
		sbuf_putc(out, ']');
	return 0;
}

int avro_infer_schema(struct avro_infer *a, struct sbuf *out, char *err,
		      size_t errlen)
{
	struct sbuf name = SBUF_INIT;
	int rc;

	if (!a->records) {
		snprintf(err, errlen, "no records to infer a schema from");
		return -1;
	}
	sbuf_puts(&name, "topLevelRecord");
	rc = emit_record(&a->root, &name, out, err, errlen);
	sbuf_free(&name);
	return rc;
}
