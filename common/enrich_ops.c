/*
 * enrich_ops: sw-enrich's operations.  See enrich_ops.h.
 *
 * Every operation but --jq and --where edits an object record in place
 * through enrich_rec, so the common operations never leave the token fast
 * path.  --jq and --where hand the record's text to libjq (the slow path
 * the user asked for); a --jq output is parsed back into the doc of that
 * operation's level and the rest of the pipeline runs on it.
 */
#include "enrich_ops.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "enrich_uuid.h"
#include "jpath.h"
#include "jqprog.h"
#include "sbuf.h"
#include "timefmt.h"
#include "xalloc.h"

enum op_kind {
	OP_UUID,
	OP_PROCESSED_AT,
	OP_SET, /* --set and --hostname: a fixed value */
	OP_STAGE,
	OP_LAG,
	OP_TIME,
	OP_FLATTEN,
	OP_JQ,
	OP_WHERE,
};

struct op {
	enum op_kind kind;
	const char *opt;  /* the option, for messages */
	char *key;        /* output field as JSON text */
	size_t klen;
	char *value;      /* OP_SET: JSON text; OP_STAGE: the name as JSON */
	size_t vlen;
	int version;      /* OP_UUID: 4 or 1 */
	int implicit;     /* OP_UUID: --uuid-time standing in for --uuid */
	struct jpath *path;
	struct jqprog *prog;
};

/* What a --jq operation's outputs live in while the rest runs on them. */
struct level {
	struct json_doc doc;
	struct enrich_rec rec;
	struct sbuf in;
};

struct enrich {
	struct op *ops;
	size_t nops;
	struct level *lv; /* one per operation, used by --jq ones */
	struct enrich_rec base;
	struct timefmt tin, tout;
	struct uuidgen *ug;
	int uuid_time;      /* --uuid-time without a field was given */
	int pending_since;  /* --since given before any --lag */
	struct jpath *since;
	char *time_out;     /* --time-out given before any --time */
	uint64_t filtered;
	/* per run */
	int64_t now;
	int64_t now_ms;   /* the millisecond now_text shows */
	int have_now;
	struct sbuf now_text;
	struct sbuf tmp;
	struct sbuf jqin;
	enrich_emit_fn emit;
	void *ctx;
	int failed;
	char err[512];
};

struct enrich *enrich_new(void)
{
	struct enrich *e = xcalloc(1, sizeof(*e));

	e->tin = (struct timefmt)TIMEFMT_INIT;
	e->tout = (struct timefmt)TIMEFMT_INIT;
	e->ug = xmalloc(sizeof(*e->ug));
	uuidgen_init(e->ug);
	enrich_rec_init(&e->base);
	return e;
}

void enrich_free(struct enrich *e)
{
	if (!e)
		return;
	for (size_t i = 0; i < e->nops; i++) {
		struct op *o = &e->ops[i];

		free(o->key);
		free(o->value);
		jpath_free(o->path);
		jqprog_free(o->prog);
		if (e->lv) {
			json_doc_free(&e->lv[i].doc);
			enrich_rec_free(&e->lv[i].rec);
			sbuf_free(&e->lv[i].in);
		}
	}
	free(e->ops);
	free(e->lv);
	enrich_rec_free(&e->base);
	jpath_free(e->since);
	free(e->time_out);
	free((char *)e->tin.format);
	free(e->ug);
	sbuf_free(&e->now_text);
	sbuf_free(&e->tmp);
	sbuf_free(&e->jqin);
	free(e);
}

/* A field name as JSON text.  Names must be UTF-8 and not empty. */
static char *make_key(const char *field, size_t *klen, const char *opt,
		      char *err, size_t errlen)
{
	size_t n = strlen(field);
	struct sbuf b = SBUF_INIT;

	if (n == 0 || utf8_valid_prefix(field, n) != n) {
		snprintf(err, errlen, "%s: field name must be non-empty UTF-8",
			 opt);
		return NULL;
	}
	sbuf_put_jstr(&b, field, n);
	*klen = b.len;
	return b.p;
}

static struct op *add_op(struct enrich *e, enum op_kind kind, const char *opt)
{
	struct op *o;

	e->ops = xrealloc(e->ops, (e->nops + 1) * sizeof(*e->ops));
	o = &e->ops[e->nops++];
	memset(o, 0, sizeof(*o));
	o->kind = kind;
	o->opt = opt;
	return o;
}

/* Adds an operation that writes field (or dflt). */
static struct op *add_field_op(struct enrich *e, enum op_kind kind,
			       const char *opt, const char *field,
			       const char *dflt, char *err, size_t errlen)
{
	size_t klen;
	char *key = make_key(field ? field : dflt, &klen, opt, err, errlen);
	struct op *o;

	if (!key)
		return NULL;
	o = add_op(e, kind, opt);
	o->key = key;
	o->klen = klen;
	return o;
}

int enrich_add_uuid(struct enrich *e, const char *field, char *err,
		    size_t errlen)
{
	struct op *o = add_field_op(e, OP_UUID, "--uuid", field, "uuid", err,
				    errlen);

	if (!o)
		return -1;
	o->version = 4;
	return 0;
}

int enrich_add_uuid_time(struct enrich *e, const char *field, char *err,
			 size_t errlen)
{
	struct op *o = add_field_op(e, OP_UUID, "--uuid-time", field, "uuid",
				    err, errlen);

	if (!o)
		return -1;
	o->version = 1;
	if (!field) {
		o->implicit = 1;
		e->uuid_time = 1;
	}
	return 0;
}

int enrich_add_processed_at(struct enrich *e, const char *field, char *err,
			    size_t errlen)
{
	return add_field_op(e, OP_PROCESSED_AT, "--processed-at", field,
			    "processed_at", err, errlen) ? 0 : -1;
}

/* VALUE as JSON when it parses, else as a string. */
static char *json_or_string(const char *v, size_t *n)
{
	struct json_doc d;
	struct sbuf b = SBUF_INIT;
	char err[128];
	size_t len = strlen(v);

	json_doc_init(&d);
	if (json_parse(&d, v, len, err, sizeof(err)) == 0)
		sbuf_put(&b, d.text.p, d.text.len);
	else
		sbuf_put_jstr(&b, v, len);
	json_doc_free(&d);
	*n = b.len;
	return b.p;
}

int enrich_add_set(struct enrich *e, const char *assignment, char *err,
		   size_t errlen)
{
	const char *eq = strchr(assignment, '=');
	char *field;
	struct op *o;

	if (!eq || eq == assignment) {
		snprintf(err, errlen, "--set: '%s': expected FIELD=VALUE",
			 assignment);
		return -1;
	}
	if (utf8_valid_prefix(eq + 1, strlen(eq + 1)) != strlen(eq + 1)) {
		snprintf(err, errlen, "--set: value is not UTF-8");
		return -1;
	}
	field = xstrndup(assignment, (size_t)(eq - assignment));
	o = add_field_op(e, OP_SET, "--set", field, NULL, err, errlen);
	free(field);
	if (!o)
		return -1;
	o->value = json_or_string(eq + 1, &o->vlen);
	return 0;
}

int enrich_add_hostname(struct enrich *e, const char *field, char *err,
			size_t errlen)
{
	char host[256];
	struct sbuf b = SBUF_INIT;
	struct op *o;
	size_t n;

	if (gethostname(host, sizeof(host)) < 0) {
		snprintf(err, errlen, "--hostname: cannot get the host name");
		return -1;
	}
	host[sizeof(host) - 1] = '\0';
	n = strlen(host);
	if (utf8_valid_prefix(host, n) != n) {
		snprintf(err, errlen, "--hostname: host name is not UTF-8");
		return -1;
	}
	o = add_field_op(e, OP_SET, "--hostname", field, "hostname", err,
			 errlen);
	if (!o)
		return -1;
	sbuf_put_jstr(&b, host, n);
	o->value = b.p;
	o->vlen = b.len;
	return 0;
}

int enrich_add_stage(struct enrich *e, const char *name, char *err,
		     size_t errlen)
{
	struct sbuf b = SBUF_INIT;
	size_t n = strlen(name);
	struct op *o;

	if (utf8_valid_prefix(name, n) != n) {
		snprintf(err, errlen, "--stage: name is not UTF-8");
		return -1;
	}
	o = add_field_op(e, OP_STAGE, "--stage", "_trace", NULL, err, errlen);
	if (!o)
		return -1;
	sbuf_put_jstr(&b, name, n);
	o->value = b.p;
	o->vlen = b.len;
	return 0;
}

static int compile_path(struct jpath **jp, const char *opt, const char *path,
			char *err, size_t errlen)
{
	char why[256];

	if (jpath_compile(jp, path, 0, why, sizeof(why)) < 0) {
		snprintf(err, errlen, "%s: %s", opt, why);
		return -1;
	}
	return 0;
}

int enrich_add_lag(struct enrich *e, const char *field, char *err,
		   size_t errlen)
{
	struct op *o = add_field_op(e, OP_LAG, "--lag", field, "lag_ms", err,
				    errlen);

	if (!o)
		return -1;
	if (e->pending_since) {
		o->path = e->since;
		e->since = NULL;
		e->pending_since = 0;
	}
	return 0;
}

static struct op *last_op(struct enrich *e, enum op_kind kind)
{
	for (size_t i = e->nops; i-- > 0;)
		if (e->ops[i].kind == kind)
			return &e->ops[i];
	return NULL;
}

int enrich_set_since(struct enrich *e, const char *path, char *err,
		     size_t errlen)
{
	struct op *o = last_op(e, OP_LAG);
	struct jpath *jp;

	if (compile_path(&jp, "--since", path, err, errlen) < 0)
		return -1;
	if (o && !o->path) {
		o->path = jp;
		return 0;
	}
	if (o || e->pending_since) {
		jpath_free(jp);
		snprintf(err, errlen, "--since: every --lag takes one --since");
		return -1;
	}
	e->since = jp;
	e->pending_since = 1;
	return 0;
}

int enrich_add_time(struct enrich *e, const char *path, char *err,
		    size_t errlen)
{
	struct jpath *jp;
	struct op *o;

	if (compile_path(&jp, "--time", path, err, errlen) < 0)
		return -1;
	o = add_op(e, OP_TIME, "--time");
	o->path = jp;
	if (e->time_out) {
		o->key = make_key(e->time_out, &o->klen, "--time-out", err,
				  errlen);
		free(e->time_out);
		e->time_out = NULL;
		if (!o->key)
			return -1;
	}
	return 0;
}

int enrich_set_time_out(struct enrich *e, const char *field, char *err,
			size_t errlen)
{
	struct op *o = last_op(e, OP_TIME);

	if (o && !o->key) {
		o->key = make_key(field, &o->klen, "--time-out", err, errlen);
		return o->key ? 0 : -1;
	}
	if (o || e->time_out) {
		snprintf(err, errlen, "--time-out: every --time takes one --time-out");
		return -1;
	}
	e->time_out = xstrdup(field);
	return 0;
}

int enrich_add_flatten(struct enrich *e, const char *path, char *err,
		       size_t errlen)
{
	struct jpath *jp;
	size_t kl;
	int64_t idx;

	if (compile_path(&jp, "--flatten", path, err, errlen) < 0)
		return -1;
	if (!jpath_is_simple(jp) || jpath_nsteps(jp) == 0 ||
	    !jpath_step_key(jp, 0, &kl, &idx)) {
		jpath_free(jp);
		snprintf(err, errlen,
			 "--flatten: '%s': expected a field path such as .value",
			 path);
		return -1;
	}
	add_op(e, OP_FLATTEN, "--flatten")->path = jp;
	return 0;
}

static int add_program(struct enrich *e, enum op_kind kind, const char *opt,
		       const char *program, char *err, size_t errlen)
{
	struct jqprog *p;
	char why[384];

	if (jqprog_compile(&p, program, why, sizeof(why)) < 0) {
		snprintf(err, errlen, "%s: %s", opt, why);
		return -1;
	}
	add_op(e, kind, opt)->prog = p;
	return 0;
}

int enrich_add_jq(struct enrich *e, const char *program, char *err,
		  size_t errlen)
{
	return add_program(e, OP_JQ, "--jq", program, err, errlen);
}

int enrich_add_where(struct enrich *e, const char *program, char *err,
		     size_t errlen)
{
	return add_program(e, OP_WHERE, "--where", program, err, errlen);
}

int enrich_set_time_format(struct enrich *e, const char *format, char *err,
			   size_t errlen)
{
	if (!*format) {
		snprintf(err, errlen, "--time-format: empty format");
		return -1;
	}
	free((char *)e->tin.format);
	e->tin.format = xstrdup(format);
	return 0;
}

/* The message for a value not in names, into err; -1.  The values come
 * from the table that parses them, as in --help. */
static int not_one_of(char *err, size_t errlen, const char *opt,
		      const char *arg, const char *const *names)
{
	struct sbuf b = SBUF_INIT;

	sbuf_put_not_one_of(&b, opt, arg, names);
	snprintf(err, errlen, "%s", b.p);
	sbuf_free(&b);
	return -1;
}

int enrich_set_time_unit(struct enrich *e, const char *unit, char *err,
			 size_t errlen)
{
	if (timefmt_parse_unit(unit, &e->tin.unit) < 0)
		return not_one_of(err, errlen, "--time-unit", unit,
				  timefmt_unit_names);
	return 0;
}

int enrich_set_time_output(struct enrich *e, const char *output, char *err,
			   size_t errlen)
{
	if (timefmt_parse_output(output, &e->tout.output) < 0)
		return not_one_of(err, errlen, "--time-output", output,
				  timefmt_output_names);
	return 0;
}

int enrich_set_tz(struct enrich *e, const char *zone, char *err,
		  size_t errlen)
{
	char why[256];

	if (timefmt_set_zone(&e->tin, zone, why, sizeof(why)) < 0) {
		snprintf(err, errlen, "--tz: %s", why);
		return -1;
	}
	e->tout.zone = e->tin.zone;
	return 0;
}

int enrich_ready(struct enrich *e, char *err, size_t errlen)
{
	int explicit_uuid = 0;
	size_t j = 0;

	if (e->pending_since) {
		snprintf(err, errlen, "--since needs a --lag");
		return -1;
	}
	if (e->time_out) {
		snprintf(err, errlen, "--time-out needs a --time");
		return -1;
	}
	for (size_t i = 0; i < e->nops; i++) {
		struct op *o = &e->ops[i];

		if (o->kind == OP_UUID && !o->implicit && o->version == 4)
			explicit_uuid = 1;
		if (o->kind == OP_LAG && !o->path) {
			snprintf(err, errlen, "--lag needs --since PATH");
			return -1;
		}
		if (o->kind == OP_TIME && !o->key) {
			if (!jpath_is_simple(o->path) ||
			    jpath_nsteps(o->path) == 0) {
				snprintf(err, errlen,
					 "--time %s needs --time-out FIELD",
					 jpath_expr(o->path));
				return -1;
			}
			o->key = make_key(jpath_name(o->path), &o->klen,
					  "--time", err, errlen);
			if (!o->key)
				return -1;
		}
	}
	/* --uuid-time alone is the operation; with --uuid it changes those
	 * to version 1 instead. */
	if (e->uuid_time && explicit_uuid) {
		for (size_t i = 0; i < e->nops; i++) {
			struct op *o = &e->ops[i];

			if (o->kind == OP_UUID && o->implicit) {
				free(o->key);
				continue;
			}
			if (o->kind == OP_UUID)
				o->version = 1;
			e->ops[j++] = *o;
		}
		e->nops = j;
	}
	e->lv = xcalloc(e->nops ? e->nops : 1, sizeof(*e->lv));
	for (size_t i = 0; i < e->nops; i++) {
		json_doc_init(&e->lv[i].doc);
		enrich_rec_init(&e->lv[i].rec);
	}
	return 0;
}

uint64_t enrich_filtered(const struct enrich *e)
{
	return e->filtered;
}

static int fail(struct enrich *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static int fail(struct enrich *e, const char *fmt, ...)
{
	va_list ap;

	if (!e->failed) {
		va_start(ap, fmt);
		vsnprintf(e->err, sizeof(e->err), fmt, ap);
		va_end(ap);
		e->failed = 1;
	}
	return -1;
}

/* Processing time as written: formatted again only when its millisecond
 * changes, which at a million records a second is once in a thousand. */
static const struct sbuf *now_text(struct enrich *e)
{
	int64_t ms = e->now / 1000;

	if (!e->have_now || ms != e->now_ms) {
		sbuf_reset(&e->now_text);
		timefmt_format(&e->tout, e->now, &e->now_text);
		e->have_now = 1;
		e->now_ms = ms;
	}
	return &e->now_text;
}

static int op_uuid(struct enrich *e, struct enrich_rec *r, const struct op *o)
{
	unsigned char u[16];
	char text[38], why[128];
	int rc = o->version == 1 ? uuidgen_v1(e->ug, u, why, sizeof(why)) :
				   uuidgen_v4(e->ug, u, why, sizeof(why));

	if (rc < 0)
		return fail(e, "%s: %s", o->opt, why);
	text[0] = '"';
	uuid_format(u, text + 1);
	text[37] = '"';
	enrich_rec_set(r, o->key, o->klen, text, sizeof(text));
	return 0;
}

static int op_stage(struct enrich *e, struct enrich_rec *r, const struct op *o)
{
	const struct sbuf *at = now_text(e);
	size_t n;
	const char *cur = enrich_rec_member(r, o->key, o->klen, &n);
	struct sbuf *b = &e->tmp;

	sbuf_reset(b);
	if (cur && cur[0] != '[')
		return fail(e, "_trace: not an array");
	if (cur && n > 2) {
		sbuf_put(b, cur, n - 1);
		sbuf_putc(b, ',');
	} else {
		sbuf_putc(b, '[');
	}
	sbuf_puts(b, "{\"stage\":");
	sbuf_put(b, o->value, o->vlen);
	sbuf_puts(b, ",\"at\":");
	sbuf_put(b, at->p, at->len);
	sbuf_puts(b, "}]");
	enrich_rec_set(r, o->key, o->klen, b->p, b->len);
	return 0;
}

/* The time at o's path, in microseconds. */
static int read_time(struct enrich *e, struct enrich_rec *r,
		     const struct op *o, int64_t *us)
{
	struct jval v;
	char why[384];
	int rc = enrich_rec_get(r, o->path, &v, why, sizeof(why));

	if (rc < 0)
		return fail(e, "%s: %s", jpath_expr(o->path), why);
	if (rc == 0)
		return fail(e, "%s: missing", jpath_expr(o->path));
	if (timefmt_parse_json(&e->tin, v.p, v.n, us, why, sizeof(why)) < 0)
		return fail(e, "%s: %s", jpath_expr(o->path), why);
	return 0;
}

static int run(struct enrich *e, struct enrich_rec *r, size_t i);

struct jq_ctx {
	struct enrich *e;
	size_t i;
};

static int jq_output(void *ctx, const char *json, size_t n)
{
	struct jq_ctx *c = ctx;
	struct level *lv = &c->e->lv[c->i];
	char why[256];

	if (json_parse(&lv->doc, json, n, why, sizeof(why)) < 0) {
		fail(c->e, "--jq output: %s", why);
		return 1;
	}
	enrich_rec_load(&lv->rec, &lv->doc);
	return run(c->e, &lv->rec, c->i + 1) < 0 ? 1 : 0;
}

static int op_jq(struct enrich *e, struct enrich_rec *r, size_t i)
{
	struct level *lv = &e->lv[i];
	struct jq_ctx c = { e, i };
	char why[384];
	int rc;

	sbuf_reset(&lv->in);
	enrich_rec_write(r, &lv->in);
	rc = jqprog_run(e->ops[i].prog, lv->in.p, lv->in.len, jq_output, &c,
			why, sizeof(why));
	if (e->failed)
		return -1;
	if (rc < 0)
		return fail(e, "--jq: %s", why);
	return 0;
}

static int first_output(void *ctx, const char *json, size_t n)
{
	int *truthy = ctx;

	*truthy = !(n == 4 && memcmp(json, "null", 4) == 0) &&
		  !(n == 5 && memcmp(json, "false", 5) == 0);
	return 1;
}

/* 1: keep, 0: drop, -1: error. */
static int op_where(struct enrich *e, struct enrich_rec *r, const struct op *o)
{
	char why[384];
	int truthy = 0, rc;

	sbuf_reset(&e->jqin);
	enrich_rec_write(r, &e->jqin);
	rc = jqprog_run(o->prog, e->jqin.p, e->jqin.len, first_output, &truthy,
			why, sizeof(why));
	if (rc < 0)
		return fail(e, "--where: %s", why);
	return truthy;
}

static int needs_object(struct enrich *e, struct enrich_rec *r,
			const struct op *o)
{
	if (r->is_object)
		return 0;
	return fail(e, "%s: record is not an object (%s)", o->opt,
		    json_type_name((enum json_type)r->doc->tok[0].type));
}

static int run(struct enrich *e, struct enrich_rec *r, size_t i)
{
	for (; i < e->nops; i++) {
		const struct op *o = &e->ops[i];
		const struct sbuf *t;
		int64_t us;
		int rc;
		char why[384];

		if (o->kind != OP_JQ && o->kind != OP_WHERE &&
		    needs_object(e, r, o) < 0)
			return -1;
		switch (o->kind) {
		case OP_UUID:
			if (op_uuid(e, r, o) < 0)
				return -1;
			break;
		case OP_PROCESSED_AT:
			t = now_text(e);
			enrich_rec_set(r, o->key, o->klen, t->p, t->len);
			break;
		case OP_SET:
			enrich_rec_set(r, o->key, o->klen, o->value, o->vlen);
			break;
		case OP_STAGE:
			if (op_stage(e, r, o) < 0)
				return -1;
			break;
		case OP_LAG:
			if (read_time(e, r, o, &us) < 0)
				return -1;
			sbuf_reset(&e->tmp);
			us = e->now - us;
			/* whole milliseconds, rounded towards the past */
			sbuf_put_i64(&e->tmp, us >= 0 ? us / 1000 :
						        -((-us + 999) / 1000));
			enrich_rec_set(r, o->key, o->klen, e->tmp.p, e->tmp.len);
			break;
		case OP_TIME:
			if (read_time(e, r, o, &us) < 0)
				return -1;
			sbuf_reset(&e->tmp);
			timefmt_format(&e->tout, us, &e->tmp);
			enrich_rec_set(r, o->key, o->klen, e->tmp.p, e->tmp.len);
			break;
		case OP_FLATTEN:
			if (enrich_rec_flatten(r, o->path, why, sizeof(why)) < 0)
				return fail(e, "--flatten %s", why);
			break;
		case OP_JQ:
			return op_jq(e, r, i);
		case OP_WHERE:
			rc = op_where(e, r, o);
			if (rc < 0)
				return -1;
			if (rc == 0) {
				e->filtered++;
				return 0;
			}
			break;
		}
	}
	e->emit(e->ctx, r);
	return 0;
}

int enrich_run(struct enrich *e, const struct json_doc *d, int64_t now_us,
	       enrich_emit_fn emit, void *ctx, char *err, size_t errlen)
{
	e->now = now_us;
	e->emit = emit;
	e->ctx = ctx;
	e->failed = 0;
	enrich_rec_load(&e->base, d);
	if (run(e, &e->base, 0) < 0) {
		snprintf(err, errlen, "%s", e->err);
		return -1;
	}
	return 0;
}
