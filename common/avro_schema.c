/* avro_schema: parsing, validation, canonical form, fingerprint. */
#include "avro_schema.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "file.h"
#include "json.h"
#include "xalloc.h"

struct parser {
	struct avro_schema *s;
	struct json_doc doc;
	struct avro_node **named; /* defined named types */
	size_t nnamed, capnamed;
	struct sbuf tmp;
	char *err;
	size_t errlen;
	int depth;
	int lenient; /* drop invalid defaults instead of refusing */
};

static const char *const type_names[] = {
	"null", "boolean", "int", "long", "float", "double", "bytes",
	"string", "record", "enum", "array", "map", "union", "fixed",
};

const char *avro_type_name(enum avro_type t)
{
	return type_names[t];
}

static void perr(struct parser *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void perr(struct parser *p, const char *fmt, ...)
{
	va_list ap;

	if (p->err[0])
		return; /* keep the innermost reason */
	va_start(ap, fmt);
	vsnprintf(p->err, p->errlen, fmt, ap);
	va_end(ap);
}

static struct avro_node *node_new(struct parser *p, enum avro_type t)
{
	struct avro_node *n = xcalloc(1, sizeof(*n));

	n->type = t;
	n->enum_default = -1;
	n->next = p->s->nodes;
	p->s->nodes = n;
	return n;
}

/* The unescaped text of string token i, as a new string. */
static char *tok_str(struct parser *p, uint32_t i)
{
	const struct json_tok *t = &p->doc.tok[i];

	sbuf_reset(&p->tmp);
	json_unescape(p->doc.text.p + t->start, t->len, &p->tmp);
	return xstrndup(p->tmp.p ? p->tmp.p : "", p->tmp.len);
}

static int tok_is(struct parser *p, uint32_t i, const char *s)
{
	return p->doc.tok[i].type == JSON_STRING &&
	       json_str_eq(&p->doc, i, s, strlen(s));
}

static int64_t obj_get(struct parser *p, uint32_t obj, const char *key)
{
	return json_obj_get(&p->doc, obj, key, strlen(key));
}

int avro_valid_name(const char *s)
{
	if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') ||
	      *s == '_'))
		return 0;
	for (s++; *s; s++)
		if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') ||
		      (*s >= '0' && *s <= '9') || *s == '_'))
			return 0;
	return 1;
}

static int valid_fullname(const char *s)
{
	char buf[1024];
	char *save = NULL, *part;

	if (strlen(s) >= sizeof(buf) || !*s || s[strlen(s) - 1] == '.')
		return 0;
	memcpy(buf, s, strlen(s) + 1);
	if (buf[0] == '.')
		return 0;
	for (part = strtok_r(buf, ".", &save); part;
	     part = strtok_r(NULL, ".", &save))
		if (!avro_valid_name(part))
			return 0;
	return !strstr(s, "..");
}

static char *make_fullname(const char *name, const char *ns)
{
	struct sbuf b = SBUF_INIT;

	if (strchr(name, '.') || !ns || !*ns)
		return xstrdup(name);
	sbuf_printf(&b, "%s.%s", ns, name);
	return b.p;
}

static struct avro_node *lookup(struct parser *p, const char *name,
				const char *ns)
{
	char *full = make_fullname(name, ns);
	struct avro_node *found = NULL;

	for (size_t i = 0; i < p->nnamed && !found; i++)
		if (strcmp(p->named[i]->fullname, full) == 0)
			found = p->named[i];
	/* A name without a dot may also mean a type in the null namespace. */
	for (size_t i = 0; i < p->nnamed && !found; i++)
		if (strcmp(p->named[i]->fullname, name) == 0)
			found = p->named[i];
	free(full);
	return found;
}

static int primitive(const char *s, enum avro_type *t)
{
	for (int i = AVRO_NULL; i <= AVRO_STRING; i++)
		if (strcmp(s, type_names[i]) == 0) {
			*t = i;
			return 1;
		}
	return 0;
}

static struct avro_node *parse_node(struct parser *p, uint32_t i,
				    const char *ns);

static int parse_aliases(struct parser *p, uint32_t obj, const char *ns,
			 char ***out, size_t *nout, int qualify)
{
	int64_t a = obj_get(p, obj, "aliases");

	if (a < 0)
		return 0;
	if (p->doc.tok[a].type != JSON_ARRAY) {
		perr(p, "\"aliases\" must be an array of names");
		return -1;
	}
	*out = xcalloc(p->doc.tok[a].count + 1, sizeof(char *));
	JSON_ARR_FOREACH(&p->doc, (uint32_t)a, e) {
		char *s;

		if (p->doc.tok[e].type != JSON_STRING) {
			perr(p, "\"aliases\" must be an array of names");
			return -1;
		}
		s = tok_str(p, e);
		if (qualify) {
			char *f = make_fullname(s, ns);
			free(s);
			s = f;
		}
		(*out)[(*nout)++] = s;
	}
	return 0;
}

static int define(struct parser *p, struct avro_node *n, uint32_t obj,
		  const char *ns, char **nsout)
{
	int64_t nm = obj_get(p, obj, "name"), nsp = obj_get(p, obj, "namespace");
	char *name, *space = NULL, *dot;

	if (nm < 0 || p->doc.tok[nm].type != JSON_STRING) {
		perr(p, "%s without a \"name\"", type_names[n->type]);
		return -1;
	}
	name = tok_str(p, nm);
	if (nsp >= 0) {
		if (p->doc.tok[nsp].type != JSON_STRING) {
			free(name);
			perr(p, "\"namespace\" must be a string");
			return -1;
		}
		space = tok_str(p, nsp);
	} else if (ns) {
		space = xstrdup(ns);
	}
	n->fullname = make_fullname(name, space);
	if (!valid_fullname(n->fullname)) {
		perr(p, "invalid name \"%s\"", n->fullname);
		free(name);
		free(space);
		return -1;
	}
	dot = strrchr(n->fullname, '.');
	n->name = xstrdup(dot ? dot + 1 : n->fullname);
	free(space);
	free(name);
	*nsout = dot ? xstrndup(n->fullname, (size_t)(dot - n->fullname))
		     : xstrdup("");
	if (lookup(p, n->fullname, NULL) ||
	    primitive(n->fullname, &(enum avro_type){0})) {
		perr(p, "type \"%s\" is defined twice", n->fullname);
		return -1;
	}
	if (p->nnamed == p->capnamed) {
		p->capnamed = p->capnamed ? 2 * p->capnamed : 16;
		p->named = xrealloc(p->named, p->capnamed * sizeof(*p->named));
	}
	p->named[p->nnamed++] = n;
	return parse_aliases(p, obj, *nsout, &n->aliases, &n->naliases, 1);
}

static int json_int_attr(struct parser *p, uint32_t obj, const char *key,
			 int *v)
{
	int64_t t = obj_get(p, obj, key), x;

	if (t < 0)
		return 0;
	if (p->doc.tok[t].type != JSON_NUMBER ||
	    json_num_i64(json_tok_ptr(&p->doc, t), p->doc.tok[t].len, &x) <
		    0 ||
	    x < 0 || x > INT32_MAX)
		return -1;
	*v = (int)x;
	return 1;
}

static void parse_logical(struct parser *p, struct avro_node *n, uint32_t obj)
{
	static const struct {
		const char *name;
		enum avro_logical lt;
		enum avro_type on;
	} lts[] = {
		{ "uuid", AVRO_LT_UUID, AVRO_STRING },
		{ "date", AVRO_LT_DATE, AVRO_INT },
		{ "time-millis", AVRO_LT_TIME_MILLIS, AVRO_INT },
		{ "time-micros", AVRO_LT_TIME_MICROS, AVRO_LONG },
		{ "timestamp-millis", AVRO_LT_TIMESTAMP_MILLIS, AVRO_LONG },
		{ "timestamp-micros", AVRO_LT_TIMESTAMP_MICROS, AVRO_LONG },
		{ "local-timestamp-millis", AVRO_LT_LOCAL_TIMESTAMP_MILLIS,
		  AVRO_LONG },
		{ "local-timestamp-micros", AVRO_LT_LOCAL_TIMESTAMP_MICROS,
		  AVRO_LONG },
	};
	int64_t lt = obj_get(p, obj, "logicalType");
	int prec = 0, scale = 0;

	if (lt < 0 || p->doc.tok[lt].type != JSON_STRING)
		return;
	for (size_t i = 0; i < sizeof(lts) / sizeof(lts[0]); i++)
		if (tok_is(p, lt, lts[i].name) && n->type == lts[i].on)
			n->logical = lts[i].lt;
	if (tok_is(p, lt, "uuid") && n->type == AVRO_FIXED && n->size == 16)
		n->logical = AVRO_LT_UUID;
	if (!tok_is(p, lt, "decimal") ||
	    (n->type != AVRO_BYTES && n->type != AVRO_FIXED))
		return;
	/* An invalid decimal is ignored: the underlying type stands. */
	if (json_int_attr(p, obj, "precision", &prec) != 1 || prec < 1 ||
	    json_int_attr(p, obj, "scale", &scale) < 0 || scale > prec)
		return;
	if (n->type == AVRO_FIXED && n->size < 64) {
		/* the largest precision size bytes can hold */
		double maxd = 0;
		for (size_t k = 0; k < n->size; k++)
			maxd = maxd * 256 + 255;
		maxd /= 2;
		int digits = 0;
		while (maxd >= 10) {
			maxd /= 10;
			digits++;
		}
		if (prec > digits + 1)
			return;
	}
	n->logical = AVRO_LT_DECIMAL;
	n->precision = prec;
	n->scale = scale;
}

static int parse_fields(struct parser *p, struct avro_node *n, uint32_t obj,
			const char *ns)
{
	int64_t f = obj_get(p, obj, "fields");

	if (f < 0 || p->doc.tok[f].type != JSON_ARRAY) {
		perr(p, "record %s: \"fields\" must be an array", n->fullname);
		return -1;
	}
	n->fields = xcalloc(p->doc.tok[f].count + 1, sizeof(*n->fields));
	JSON_ARR_FOREACH(&p->doc, (uint32_t)f, e) {
		struct avro_field *fd = &n->fields[n->nfields];
		int64_t nm, ty, df;
		char err[512];

		if (p->doc.tok[e].type != JSON_OBJECT) {
			perr(p, "record %s: a field must be an object",
			     n->fullname);
			return -1;
		}
		nm = obj_get(p, e, "name");
		ty = obj_get(p, e, "type");
		if (nm < 0 || p->doc.tok[nm].type != JSON_STRING) {
			perr(p, "record %s: a field without a \"name\"",
			     n->fullname);
			return -1;
		}
		fd->name = tok_str(p, nm);
		n->nfields++;
		if (!avro_valid_name(fd->name)) {
			perr(p, "record %s: invalid field name \"%s\"",
			     n->fullname, fd->name);
			return -1;
		}
		for (size_t k = 0; k + 1 < n->nfields; k++)
			if (strcmp(n->fields[k].name, fd->name) == 0) {
				perr(p, "record %s: field \"%s\" appears twice",
				     n->fullname, fd->name);
				return -1;
			}
		if (ty < 0) {
			perr(p, "field %s.%s has no \"type\"", n->fullname,
			     fd->name);
			return -1;
		}
		fd->type = parse_node(p, (uint32_t)ty, ns);
		if (!fd->type) {
			char inner[512];
			snprintf(inner, sizeof(inner), "%s", p->err);
			p->err[0] = '\0';
			perr(p, "field %s.%s: %s", n->fullname, fd->name,
			     inner);
			return -1;
		}
		if (parse_aliases(p, e, NULL, &fd->aliases, &fd->naliases,
				  0) < 0)
			return -1;
		df = obj_get(p, e, "default");
		if (df >= 0) {
			const char *dt = json_tok_ptr(&p->doc, df);
			size_t dn = p->doc.tok[df].len;

			int bad = avro_default_check(fd->type, dt, dn, err,
						     sizeof(err)) < 0;

			if (bad && p->lenient)
				continue;
			if (bad) {
				perr(p, "field %s.%s: invalid default %.*s: %s",
				     n->fullname, fd->name,
				     dn > 60 ? 60 : (int)dn, dt, err);
				return -1;
			}
			fd->def = xstrndup(dt, dn);
		}
	}
	return 0;
}

static int parse_symbols(struct parser *p, struct avro_node *n, uint32_t obj)
{
	int64_t s = obj_get(p, obj, "symbols"), d;

	if (s < 0 || p->doc.tok[s].type != JSON_ARRAY) {
		perr(p, "enum %s: \"symbols\" must be an array", n->fullname);
		return -1;
	}
	n->symbols = xcalloc(p->doc.tok[s].count + 1, sizeof(char *));
	JSON_ARR_FOREACH(&p->doc, (uint32_t)s, e) {
		char *sym;

		if (p->doc.tok[e].type != JSON_STRING) {
			perr(p, "enum %s: symbols must be strings",
			     n->fullname);
			return -1;
		}
		sym = tok_str(p, e);
		n->symbols[n->nsymbols++] = sym;
		if (!avro_valid_name(sym)) {
			perr(p, "enum %s: invalid symbol \"%s\"", n->fullname,
			     sym);
			return -1;
		}
		for (size_t k = 0; k + 1 < n->nsymbols; k++)
			if (strcmp(n->symbols[k], sym) == 0) {
				perr(p, "enum %s: symbol \"%s\" appears twice",
				     n->fullname, sym);
				return -1;
			}
	}
	d = obj_get(p, obj, "default");
	if (d >= 0) {
		char *def = p->doc.tok[d].type == JSON_STRING ? tok_str(p, d)
							      : NULL;
		for (size_t k = 0; def && k < n->nsymbols; k++)
			if (strcmp(n->symbols[k], def) == 0)
				n->enum_default = (int)k;
		free(def);
		if (n->enum_default < 0) {
			perr(p, "enum %s: the default is not one of its symbols",
			     n->fullname);
			return -1;
		}
	}
	return 0;
}

static struct avro_node *parse_object(struct parser *p, uint32_t i,
				      const char *ns)
{
	int64_t ty = obj_get(p, i, "type");
	struct avro_node *n = NULL;
	enum avro_type t;
	char *tname, *myns = NULL;

	if (ty < 0) {
		perr(p, "a schema object without \"type\"");
		return NULL;
	}
	if (p->doc.tok[ty].type != JSON_STRING) {
		/* {"type": {...}} or {"type": [...]}: the inner schema */
		return parse_node(p, (uint32_t)ty, ns);
	}
	tname = tok_str(p, ty);
	if (primitive(tname, &t)) {
		n = node_new(p, t);
		parse_logical(p, n, i);
	} else if (strcmp(tname, "record") == 0 ||
		   strcmp(tname, "error") == 0) {
		n = node_new(p, AVRO_RECORD);
		if (define(p, n, i, ns, &myns) < 0 ||
		    parse_fields(p, n, i, myns) < 0)
			n = NULL;
	} else if (strcmp(tname, "enum") == 0) {
		n = node_new(p, AVRO_ENUM);
		if (define(p, n, i, ns, &myns) < 0 ||
		    parse_symbols(p, n, i) < 0)
			n = NULL;
	} else if (strcmp(tname, "fixed") == 0) {
		int64_t sz = obj_get(p, i, "size"), v;

		n = node_new(p, AVRO_FIXED);
		if (define(p, n, i, ns, &myns) < 0) {
			n = NULL;
		} else if (sz < 0 || p->doc.tok[sz].type != JSON_NUMBER ||
			   json_num_i64(json_tok_ptr(&p->doc, sz),
					p->doc.tok[sz].len, &v) < 0 ||
			   v < 0 || v > (1 << 30)) {
			perr(p, "fixed %s: \"size\" must be a count of bytes",
			     n->fullname);
			n = NULL;
		} else {
			n->size = (size_t)v;
			parse_logical(p, n, i);
		}
	} else if (strcmp(tname, "array") == 0 || strcmp(tname, "map") == 0) {
		int arr = tname[0] == 'a';
		int64_t it = obj_get(p, i, arr ? "items" : "values");

		n = node_new(p, arr ? AVRO_ARRAY : AVRO_MAP);
		if (it < 0) {
			perr(p, "%s without \"%s\"", tname,
			     arr ? "items" : "values");
			n = NULL;
		} else if (!(n->items = parse_node(p, (uint32_t)it, ns))) {
			n = NULL;
		}
	} else {
		/* {"type": "SomeNamedType"} */
		n = parse_node(p, (uint32_t)ty, ns);
	}
	free(tname);
	free(myns);
	return n;
}

static struct avro_node *parse_union(struct parser *p, uint32_t i,
				     const char *ns)
{
	struct avro_node *n = node_new(p, AVRO_UNION);

	n->branches = xcalloc(p->doc.tok[i].count + 1, sizeof(*n->branches));
	JSON_ARR_FOREACH(&p->doc, i, e) {
		struct avro_node *b = parse_node(p, e, ns);

		if (!b)
			return NULL;
		if (b->type == AVRO_UNION) {
			perr(p, "a union may not contain a union");
			return NULL;
		}
		for (size_t k = 0; k < n->nbranches; k++)
			if (strcmp(avro_branch_name(n->branches[k]),
				   avro_branch_name(b)) == 0) {
				perr(p, "union has two branches of type %s",
				     avro_branch_name(b));
				return NULL;
			}
		n->branches[n->nbranches++] = b;
	}
	if (n->nbranches == 0) {
		perr(p, "empty union");
		return NULL;
	}
	return n;
}

static struct avro_node *parse_node(struct parser *p, uint32_t i,
				    const char *ns)
{
	struct avro_node *n = NULL;

	if (++p->depth > 200) {
		perr(p, "schema nested too deeply");
		return NULL;
	}
	switch (p->doc.tok[i].type) {
	case JSON_STRING: {
		char *s = tok_str(p, i);
		enum avro_type t;

		if (primitive(s, &t))
			n = node_new(p, t);
		else if (!(n = lookup(p, s, ns)))
			perr(p, "unknown type \"%s\"", s);
		free(s);
		break;
	}
	case JSON_OBJECT:
		n = parse_object(p, i, ns);
		break;
	case JSON_ARRAY:
		n = parse_union(p, i, ns);
		break;
	default:
		perr(p, "a schema must be a string, an object or an array");
		break;
	}
	p->depth--;
	return n;
}

/* --- canonical form ------------------------------------------------- */

struct canon {
	struct sbuf b;
	const struct avro_node **done;
	size_t ndone, cap;
};

static void canon_node(struct canon *c, const struct avro_node *n)
{
	if (n->type <= AVRO_STRING) {
		sbuf_printf(&c->b, "\"%s\"", type_names[n->type]);
		return;
	}
	if (n->fullname) {
		for (size_t i = 0; i < c->ndone; i++)
			if (c->done[i] == n) {
				sbuf_put_jstr(&c->b, n->fullname,
					      strlen(n->fullname));
				return;
			}
		if (c->ndone == c->cap) {
			c->cap = c->cap ? 2 * c->cap : 16;
			c->done = xrealloc(c->done, c->cap * sizeof(*c->done));
		}
		c->done[c->ndone++] = n;
		sbuf_puts(&c->b, "{\"name\":");
		sbuf_put_jstr(&c->b, n->fullname, strlen(n->fullname));
		sbuf_printf(&c->b, ",\"type\":\"%s\"", type_names[n->type]);
	}
	switch (n->type) {
	case AVRO_RECORD:
		sbuf_puts(&c->b, ",\"fields\":[");
		for (size_t i = 0; i < n->nfields; i++) {
			sbuf_puts(&c->b, i ? ",{\"name\":" : "{\"name\":");
			sbuf_put_jstr(&c->b, n->fields[i].name,
				      strlen(n->fields[i].name));
			sbuf_puts(&c->b, ",\"type\":");
			canon_node(c, n->fields[i].type);
			sbuf_putc(&c->b, '}');
		}
		sbuf_puts(&c->b, "]}");
		break;
	case AVRO_ENUM:
		sbuf_puts(&c->b, ",\"symbols\":[");
		for (size_t i = 0; i < n->nsymbols; i++) {
			if (i)
				sbuf_putc(&c->b, ',');
			sbuf_put_jstr(&c->b, n->symbols[i],
				      strlen(n->symbols[i]));
		}
		sbuf_puts(&c->b, "]}");
		break;
	case AVRO_FIXED:
		sbuf_printf(&c->b, ",\"size\":%zu}", n->size);
		break;
	case AVRO_ARRAY:
	case AVRO_MAP:
		sbuf_puts(&c->b, n->type == AVRO_ARRAY ?
				  "{\"type\":\"array\",\"items\":" :
				  "{\"type\":\"map\",\"values\":");
		canon_node(c, n->items);
		sbuf_putc(&c->b, '}');
		break;
	case AVRO_UNION:
		sbuf_putc(&c->b, '[');
		for (size_t i = 0; i < n->nbranches; i++) {
			if (i)
				sbuf_putc(&c->b, ',');
			canon_node(c, n->branches[i]);
		}
		sbuf_putc(&c->b, ']');
		break;
	default:
		break;
	}
}

static uint64_t crc_table[256];

static void crc_init(void)
{
	const uint64_t empty = 0xc15d213aa4d7a795ULL;

	for (int i = 0; i < 256; i++) {
		uint64_t fp = (uint64_t)i;
		for (int j = 0; j < 8; j++)
			fp = (fp >> 1) ^ (empty & -(fp & 1));
		crc_table[i] = fp;
	}
}

uint64_t avro_crc64(const void *p, size_t n)
{
	const unsigned char *s = p;
	uint64_t fp = 0xc15d213aa4d7a795ULL;

	if (!crc_table[1])
		crc_init();
	for (size_t i = 0; i < n; i++)
		fp = (fp >> 8) ^ crc_table[(fp ^ s[i]) & 0xff];
	return fp;
}

/* --- defaults ------------------------------------------------------- */

static int check_default(const struct avro_node *n, const struct json_doc *d,
			 uint32_t i, char *err, size_t errlen, int depth)
{
	const struct json_tok *t = &d->tok[i];
	const char *txt = json_tok_ptr(d, i);
	int64_t v;
	double dv;

	if (depth > 100) {
		snprintf(err, errlen, "nested too deeply");
		return -1;
	}
	switch (n->type) {
	case AVRO_NULL:
		if (t->type == JSON_NULL)
			return 0;
		break;
	case AVRO_BOOLEAN:
		if (t->type == JSON_TRUE || t->type == JSON_FALSE)
			return 0;
		break;
	case AVRO_INT:
	case AVRO_LONG:
		if (t->type == JSON_NUMBER &&
		    json_num_i64(txt, t->len, &v) == 0 &&
		    (n->type == AVRO_LONG || (v >= INT32_MIN && v <= INT32_MAX)))
			return 0;
		break;
	case AVRO_FLOAT:
	case AVRO_DOUBLE:
		if (t->type == JSON_NUMBER && json_num_double(txt, t->len, &dv) == 0)
			return 0;
		if (t->type == JSON_STRING &&
		    (json_str_eq(d, i, "NaN", 3) ||
		     json_str_eq(d, i, "Infinity", 8) ||
		     json_str_eq(d, i, "-Infinity", 9)))
			return 0;
		break;
	case AVRO_STRING:
		if (t->type == JSON_STRING)
			return 0;
		break;
	case AVRO_BYTES:
	case AVRO_FIXED: {
		struct sbuf u = SBUF_INIT;
		size_t chars = 0;
		int ok = t->type == JSON_STRING;

		if (ok) {
			/* code points U+0000..U+00FF, one per byte */
			json_unescape(txt, t->len, &u);
			for (size_t k = 0; k < u.len && ok; k++) {
				unsigned char c = (unsigned char)u.p[k];
				if (c >= 0x80) {
					if ((c != 0xc2 && c != 0xc3) ||
					    k + 1 >= u.len)
						ok = 0;
					k++;
				}
				chars++;
			}
		}
		sbuf_free(&u);
		if (ok && n->type == AVRO_FIXED && chars != n->size) {
			snprintf(err, errlen, "fixed %s needs %zu bytes",
				 n->fullname, n->size);
			return -1;
		}
		if (ok)
			return 0;
		break;
	}
	case AVRO_ENUM:
		if (t->type == JSON_STRING)
			for (size_t k = 0; k < n->nsymbols; k++)
				if (json_str_eq(d, i, n->symbols[k],
						strlen(n->symbols[k])))
					return 0;
		if (t->type == JSON_STRING) {
			snprintf(err, errlen, "not a symbol of enum %s",
				 n->fullname);
			return -1;
		}
		break;
	case AVRO_ARRAY:
		if (t->type != JSON_ARRAY)
			break;
		JSON_ARR_FOREACH(d, i, e)
			if (check_default(n->items, d, e, err, errlen,
					  depth + 1) < 0)
				return -1;
		return 0;
	case AVRO_MAP:
		if (t->type != JSON_OBJECT)
			break;
		JSON_OBJ_FOREACH(d, i, k)
			if (check_default(n->items, d, k + 1, err, errlen,
					  depth + 1) < 0)
				return -1;
		return 0;
	case AVRO_RECORD:
		if (t->type != JSON_OBJECT)
			break;
		for (size_t k = 0; k < n->nfields; k++) {
			const struct avro_field *f = &n->fields[k];
			int64_t m = json_obj_get(d, i, f->name,
						 strlen(f->name));
			if (m < 0) {
				if (f->def)
					continue;
				snprintf(err, errlen, "field \"%s\" missing",
					 f->name);
				return -1;
			}
			if (check_default(f->type, d, (uint32_t)m, err,
					  errlen, depth + 1) < 0)
				return -1;
		}
		return 0;
	case AVRO_UNION:
		if (check_default(n->branches[0], d, i, err, errlen,
				  depth + 1) == 0)
			return 0;
		snprintf(err, errlen,
			 "a union's default must match its first branch, %s",
			 avro_branch_name(n->branches[0]));
		return -1;
	}
	snprintf(err, errlen, "expected %s", avro_branch_name(n));
	return -1;
}

int avro_default_check(const struct avro_node *node, const char *text,
		       size_t n, char *err, size_t errlen)
{
	struct json_doc d;
	int rc;

	json_doc_init(&d);
	rc = json_parse(&d, text, n, err, errlen);
	if (rc == 0)
		rc = check_default(node, &d, 0, err, errlen, 0);
	json_doc_free(&d);
	return rc;
}

/* --- entry points --------------------------------------------------- */

const char *avro_branch_name(const struct avro_node *n)
{
	return n->fullname ? n->fullname : type_names[n->type];
}

void avro_node_describe(const struct avro_node *n, struct sbuf *b)
{
	if (n->type == AVRO_UNION) {
		for (size_t i = 0; i < n->nbranches; i++) {
			if (i)
				sbuf_puts(b, i + 1 == n->nbranches ? " or " : ", ");
			avro_node_describe(n->branches[i], b);
		}
		return;
	}
	sbuf_puts(b, type_names[n->type]);
	if (n->fullname) {
		sbuf_putc(b, ' ');
		sbuf_puts(b, n->fullname);
	}
}

struct avro_schema *avro_schema_parse(const char *in, size_t n, char *err,
				      size_t errlen)
{
	return avro_schema_parse_flags(in, n, 0, err, errlen);
}

struct avro_schema *avro_schema_parse_flags(const char *in, size_t n,
					    int flags, char *err,
					    size_t errlen)
{
	struct parser p = { 0 };
	struct canon c = { SBUF_INIT, NULL, 0, 0 };
	struct avro_schema *s = xcalloc(1, sizeof(*s));

	p.s = s;
	p.lenient = flags & AVRO_SCHEMA_LENIENT;
	p.err = err;
	p.errlen = errlen;
	err[0] = '\0';
	json_doc_init(&p.doc);
	if (json_parse(&p.doc, in, n, err, errlen) < 0)
		goto fail;
	s->root = parse_node(&p, 0, NULL);
	if (!s->root)
		goto fail;
	s->json = xstrndup(p.doc.text.p, p.doc.text.len);
	s->json_len = p.doc.text.len;
	canon_node(&c, s->root);
	s->canonical = c.b.p;
	s->canonical_len = c.b.len;
	s->fingerprint = avro_crc64(c.b.p, c.b.len);
	free(c.done);
	json_doc_free(&p.doc);
	sbuf_free(&p.tmp);
	free(p.named);
	return s;
fail:
	if (!err[0])
		snprintf(err, errlen, "invalid schema");
	json_doc_free(&p.doc);
	sbuf_free(&p.tmp);
	free(p.named);
	avro_schema_free(s);
	return NULL;
}

struct avro_schema *avro_schema_load(const char *path, char *err,
				     size_t errlen)
{
	struct sbuf b = SBUF_INIT;
	struct avro_schema *s = NULL;
	char why[512];
	int rc;

	rc = file_read_all(path, SIZE_MAX, &b, err, errlen);
	if (rc > 0)
		snprintf(err, errlen, "%s: %s", path, strerror(ENOENT));
	if (rc == 0) {
		s = avro_schema_parse(b.p ? b.p : "", b.len, why, sizeof why);
		if (!s)
			snprintf(err, errlen, "%s: %s", path, why);
	}
	sbuf_free(&b);
	return s;
}

static void free_strs(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void avro_schema_free(struct avro_schema *s)
{
	struct avro_node *n, *next;

	if (!s)
		return;
	for (n = s->nodes; n; n = next) {
		next = n->next;
		free(n->name);
		free(n->fullname);
		free_strs(n->aliases, n->naliases);
		for (size_t i = 0; i < n->nfields; i++) {
			free(n->fields[i].name);
			free(n->fields[i].def);
			free_strs(n->fields[i].aliases, n->fields[i].naliases);
		}
		free(n->fields);
		free_strs(n->symbols, n->nsymbols);
		free(n->branches);
		free(n);
	}
	free(s->json);
	free(s->canonical);
	free(s);
}

void avro_path_prepend(char *path, size_t cap, size_t *len, const char *s,
		       size_t n)
{
	if (*len + n >= cap)
		return;
	memmove(path + n, path, *len + 1);
	memcpy(path, s, n);
	*len += n;
}
