#include "jpath.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jqprog.h"
#include "xalloc.h"

struct jstep {
	char *key; /* NULL for an index step */
	size_t keylen;
	int64_t index;
	uint32_t hint; /* member number where key was found last */
};

struct jpath {
	char *name;
	char *expr;
	struct jstep *steps;
	size_t nsteps;
	struct jqprog *jq; /* non-NULL when expr is not a plain path */
	struct sbuf scratch;
};

static int ident_start(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static int ident_char(int c)
{
	return ident_start(c) || (c >= '0' && c <= '9');
}

static void add_step(struct jpath *jp, const char *key, size_t keylen,
		     int64_t index)
{
	jp->steps = xrealloc(jp->steps, (jp->nsteps + 1) * sizeof *jp->steps);
	struct jstep *s = &jp->steps[jp->nsteps++];
	s->key = key ? xstrndup(key, keylen) : NULL;
	s->keylen = keylen;
	s->index = index;
	s->hint = 0;
}

/* A quoted key at *p (JSON string syntax).  Returns 0 and advances. */
static int quoted_key(struct jpath *jp, const char **p)
{
	struct json_doc d;
	const char *s = *p, *e = s + 1;
	char err[128];

	while (*e && *e != '"')
		e += (*e == '\\' && e[1]) ? 2 : 1;
	if (*e != '"')
		return -1;
	json_doc_init(&d);
	if (json_parse(&d, s, (size_t)(e + 1 - s), err, sizeof err) < 0) {
		json_doc_free(&d);
		return -1;
	}
	struct sbuf k = SBUF_INIT;
	json_unescape(d.text.p, d.text.len, &k);
	add_step(jp, k.p ? k.p : "", k.len, 0);
	sbuf_free(&k);
	json_doc_free(&d);
	*p = e + 1;
	return 0;
}

static int index_step(struct jpath *jp, const char **p)
{
	const char *s = *p + 1; /* past '[' */
	char *end;

	if (*s == '"') {
		if (quoted_key(jp, &s) < 0 || *s != ']')
			return -1;
		*p = s + 1;
		return 0;
	}
	if (!(*s == '-' || (*s >= '0' && *s <= '9')))
		return -1;
	long long v = strtoll(s, &end, 10);
	if (end == s || *end != ']')
		return -1;
	add_step(jp, NULL, 0, v);
	*p = end + 1;
	return 0;
}

/* Parses a plain path.  Returns 0, or -1 when expr is something else. */
static int parse_plain(struct jpath *jp, const char *p)
{
	if (*p != '.')
		return -1;
	if (p[1] == '\0')
		return 0; /* "." : the whole value */
	while (*p) {
		if (*p == '[') {
			if (index_step(jp, &p) < 0)
				return -1;
			continue;
		}
		if (*p != '.')
			return -1;
		p++;
		if (*p == '[') {
			if (index_step(jp, &p) < 0)
				return -1;
		} else if (*p == '"') {
			if (quoted_key(jp, &p) < 0)
				return -1;
		} else if (ident_start((unsigned char)*p)) {
			const char *s = p;
			while (ident_char((unsigned char)*p))
				p++;
			add_step(jp, s, (size_t)(p - s), 0);
		} else {
			return -1;
		}
	}
	return 0;
}

static void clear_steps(struct jpath *jp)
{
	for (size_t i = 0; i < jp->nsteps; i++)
		free(jp->steps[i].key);
	free(jp->steps);
	jp->steps = NULL;
	jp->nsteps = 0;
}

int jpath_compile(struct jpath **out, const char *expr, int flags, char *err,
		  size_t errlen)
{
	struct jpath *jp = xcalloc(1, sizeof *jp);
	const char *eq = NULL;

	if (flags & JPATH_NAMED) {
		const char *s = expr;
		while (ident_char((unsigned char)*s) || *s == '-')
			s++;
		if (s > expr && ident_start((unsigned char)*expr) && *s == '=' &&
		    s[1] != '=')
			eq = s;
	}
	jp->expr = xstrdup(eq ? eq + 1 : expr);
	if (parse_plain(jp, jp->expr) < 0) {
		clear_steps(jp);
		if (jqprog_compile(&jp->jq, jp->expr, err, errlen) < 0) {
			jpath_free(jp);
			return -1;
		}
	}
	if (eq) {
		jp->name = xstrndup(expr, (size_t)(eq - expr));
	} else {
		const char *name = jp->expr;
		for (size_t i = jp->nsteps; i-- > 0;) {
			if (jp->steps[i].key) {
				name = jp->steps[i].key;
				break;
			}
		}
		jp->name = xstrdup(name);
	}
	if (!*jp->name) {
		snprintf(err, errlen, "'%s': empty output name", expr);
		jpath_free(jp);
		return -1;
	}
	*out = jp;
	return 0;
}

void jpath_free(struct jpath *jp)
{
	if (!jp)
		return;
	clear_steps(jp);
	jqprog_free(jp->jq);
	sbuf_free(&jp->scratch);
	free(jp->name);
	free(jp->expr);
	free(jp);
}

const char *jpath_name(const struct jpath *jp)
{
	return jp->name;
}

const char *jpath_expr(const struct jpath *jp)
{
	return jp->expr;
}

int jpath_is_simple(const struct jpath *jp)
{
	return jp->jq == NULL;
}

size_t jpath_nsteps(const struct jpath *jp)
{
	return jp->nsteps;
}

const char *jpath_step_key(const struct jpath *jp, size_t i, size_t *keylen,
			   int64_t *index)
{
	*keylen = jp->steps[i].keylen;
	*index = jp->steps[i].index;
	return jp->steps[i].key;
}

int64_t jpath_lookup(const struct jpath *jp, const struct json_doc *d)
{
	int64_t t = 0;

	if (d->ntok == 0)
		return -1;
	for (size_t i = 0; i < jp->nsteps && t >= 0; i++) {
		struct jstep *s = &jp->steps[i]; /* the hint is a cache */
		t = s->key ? json_obj_find(d, (uint32_t)t, s->key, s->keylen,
					   &s->hint) :
			     json_arr_get(d, (uint32_t)t, s->index);
	}
	return t;
}

size_t jpath_list_item(const char *s)
{
	size_t i, depth = 0;
	int quoted = 0;

	for (i = 0; s[i]; i++) {
		char c = s[i];

		if (quoted) {
			if (c == '\\' && s[i + 1])
				i++;
			else if (c == '"')
				quoted = 0;
		} else if (c == '"') {
			quoted = 1;
		} else if (c == '[' || c == '{' || c == '(') {
			depth++;
		} else if ((c == ']' || c == '}' || c == ')') && depth) {
			depth--;
		} else if (c == ',' && !depth) {
			break;
		}
	}
	return i;
}

static enum json_type type_of(const char *p)
{
	switch (*p) {
	case '{': return JSON_OBJECT;
	case '[': return JSON_ARRAY;
	case '"': return JSON_STRING;
	case 't': return JSON_TRUE;
	case 'f': return JSON_FALSE;
	case 'n': return JSON_NULL;
	default: return JSON_NUMBER;
	}
}

static int keep_first(void *ctx, const char *json, size_t n)
{
	struct sbuf *b = ctx;

	sbuf_put(b, json, n);
	return 1;
}

int jpath_eval(struct jpath *jp, const struct json_doc *d, struct jval *v,
	       char *err, size_t errlen)
{
	if (!jp->jq) {
		int64_t t = jpath_lookup(jp, d);
		if (t < 0)
			return 0;
		v->type = (enum json_type)d->tok[t].type;
		v->p = json_tok_ptr(d, (uint32_t)t);
		v->n = d->tok[t].len;
		return 1;
	}
	sbuf_reset(&jp->scratch);
	int rc = jqprog_run(jp->jq, d->text.p, d->text.len, keep_first,
			    &jp->scratch, err, errlen);
	if (rc < 0)
		return -1;
	if (rc == 0)
		return 0;
	v->type = type_of(jp->scratch.p);
	v->p = jp->scratch.p;
	v->n = jp->scratch.len;
	return 1;
}
