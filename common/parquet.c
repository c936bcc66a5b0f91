/* parquet: the writer: schema mapping, record shredding, column chunks,
 * footer.  See parquet.h. */
#include "parquet.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <snappy-c.h>
#include <zlib.h>

#include "avro_codec.h"
#include "avro_plain.h"
#include "base64.h"
#include "parquet_enc.h"
#include "parquet_thrift.h"
#include "sbuf.h"
#include "version.h"
#include "xalloc.h"

#define PQ_ROW_GROUP_ROWS 131072
#define PQ_PAGE_BYTES (1u << 20)
#define PQ_DICT_BYTES (1u << 20)
#define PQ_MAX_LEVEL 255

/* parquet.thrift's enums */
enum { PT_BOOLEAN, PT_INT32, PT_INT64, PT_INT96, PT_FLOAT, PT_DOUBLE,
       PT_BYTE_ARRAY, PT_FLBA };
enum { REP_REQUIRED, REP_OPTIONAL, REP_REPEATED };
enum { CT_UTF8 = 0, CT_MAP = 1, CT_LIST = 3, CT_ENUM = 4, CT_DECIMAL = 5,
       CT_DATE = 6, CT_TIME_MILLIS = 7, CT_TIME_MICROS = 8,
       CT_TIMESTAMP_MILLIS = 9, CT_TIMESTAMP_MICROS = 10 };
enum { LT_STRING = 1, LT_MAP = 2, LT_LIST = 3, LT_ENUM = 4, LT_DECIMAL = 5,
       LT_DATE = 6, LT_TIME = 7, LT_TIMESTAMP = 8, LT_UUID = 14 };
enum { ENC_PLAIN = 0, ENC_RLE = 3, ENC_RLE_DICTIONARY = 8 };
enum { PAGE_DATA = 0, PAGE_DICTIONARY = 2 };

enum pn_kind { PN_LEAF, PN_RECORD, PN_LIST, PN_MAP };

/* A node of the Parquet schema, with what shredding needs. */
struct pnode {
	enum pn_kind kind;
	const struct avro_node *an;  /* the type (a nullable union's branch) */
	const struct avro_field *field; /* as a record's member, or NULL */
	size_t namelen;              /* strlen(field->name) */
	int optional;
	uint8_t def;                 /* definition level when present */
	uint8_t rep;                 /* list, map: their elements' level */
	uint32_t col0, ncol;         /* the leaf columns below */
	struct pnode **kids;         /* record: fields; list: element;
					map: key, value */
	size_t nkids;
	uint32_t hint;               /* json_obj_find's member hint */
	struct json_doc *defdoc;     /* the field's parsed default */
};

struct pq_col {
	int ptype;
	int32_t tlen;                /* FIXED_LEN_BYTE_ARRAY length */
	int sign;                    /* byte arrays ordered as signed */
	uint8_t max_def, max_rep;
	char **path;
	size_t npath;
	uint8_t *def, *rep;
	size_t nlev, caplev;
	struct sbuf vals;            /* PLAIN values (booleans one byte) */
	uint32_t nvals;
};

struct mark {
	size_t nlev, vlen;
	uint32_t nvals;
};

struct pq_writer {
	struct pq_opts o;
	size_t page_bytes, dict_bytes;
	struct pnode *top;
	struct pnode **nodes;        /* every pnode, for freeing */
	size_t nnodes;
	struct pq_col *cols;
	size_t ncols;
	struct sbuf schema;          /* the SchemaElements, serialized */
	uint32_t nschema;
	struct mark *marks;
	struct sbuf str;             /* unescaped string scratch */
	struct sbuf tmp;             /* value scratch (bytes, decimals) */
	/* the file */
	uint64_t off;                /* bytes written */
	uint64_t rows;               /* rows in the file */
	uint32_t rg_rows;            /* rows buffered */
	struct sbuf kv;              /* KeyValues for the footer, serialized */
	uint32_t nkv;
	struct sbuf rgs;             /* RowGroups written, serialized */
	uint32_t nrgs;
	int begun;
	pq_write_fn put_fn;          /* during pq_flush */
	void *put_ctx;
	uint64_t rg_usize, rg_csize; /* the row group being written */
	/* flush scratch */
	struct sbuf out, page, comp, cc;
	uint32_t *idx;
	size_t capidx;
	struct pq_dict dict;
	z_stream *zs;
};

/* ---- schema ----------------------------------------------------------- */

struct build {
	struct pq_writer *w;
	char path[512];
	char *err;
	size_t errlen;
	const struct avro_node *stack[64];
	int depth;
	const char *names[64];       /* path_in_schema under construction */
};

struct elem {
	const char *name;
	int type;                    /* -1: a group */
	int32_t tlen;
	int rep;                     /* -1: the root */
	int nkids;
	int ct;                      /* converted type, or -1 */
	int scale, precision;
	int lt;                      /* logical type, or 0 */
	int unit;                    /* time, timestamp: 1 millis, 2 micros */
	int utc;
};

static void put_elem(struct pq_writer *w, const struct elem *e)
{
	struct tc_writer t;

	tc_init(&t, &w->schema);
	tc_struct_begin(&t, 0);
	if (e->type >= 0)
		tc_i32(&t, 1, e->type);
	if (e->type == PT_FLBA)
		tc_i32(&t, 2, e->tlen);
	if (e->rep >= 0)
		tc_i32(&t, 3, e->rep);
	tc_string(&t, 4, e->name);
	if (e->type < 0)
		tc_i32(&t, 5, e->nkids);
	if (e->ct >= 0)
		tc_i32(&t, 6, e->ct);
	if (e->lt == LT_DECIMAL) {
		tc_i32(&t, 7, e->scale);
		tc_i32(&t, 8, e->precision);
	}
	if (e->lt) {
		tc_struct_begin(&t, 10);
		if (e->lt == LT_DECIMAL) {
			tc_struct_begin(&t, LT_DECIMAL);
			tc_i32(&t, 1, e->scale);
			tc_i32(&t, 2, e->precision);
			tc_struct_end(&t);
		} else if (e->lt == LT_TIME || e->lt == LT_TIMESTAMP) {
			tc_struct_begin(&t, (int16_t)e->lt);
			tc_bool(&t, 1, e->utc);
			tc_struct_begin(&t, 2);
			tc_empty(&t, (int16_t)e->unit);
			tc_struct_end(&t);
			tc_struct_end(&t);
		} else {
			tc_empty(&t, (int16_t)e->lt);
		}
		tc_struct_end(&t);
	}
	tc_struct_end(&t);
	w->nschema++;
}

static int berr(struct build *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static int berr(struct build *b, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(b->err, b->errlen, "%s: %s", b->path[0] ? b->path : ".", msg);
	return -1;
}

static struct pnode *new_node(struct pq_writer *w, enum pn_kind k)
{
	struct pnode *p = xcalloc(1, sizeof(*p));

	p->kind = k;
	w->nodes = xrealloc(w->nodes, (w->nnodes + 1) * sizeof(*w->nodes));
	w->nodes[w->nnodes++] = p;
	return p;
}

/* The type a field of type t holds and whether it may be null: ["null", T]
 * and [T, "null"] are an optional T. */
static int unwrap(struct build *b, const struct avro_node *t,
		  const struct avro_node **out, int *optional)
{
	const struct avro_node *x = NULL;

	*optional = 0;
	if (t->type == AVRO_NULL)
		return berr(b, "type null has no Parquet column "
			    "(parquet-avro refuses it too)");
	if (t->type != AVRO_UNION) {
		*out = t;
		return 0;
	}
	for (size_t k = 0; k < t->nbranches; k++) {
		if (t->branches[k]->type == AVRO_NULL) {
			*optional = 1;
		} else if (x) {
			struct sbuf d = SBUF_INIT;
			avro_node_describe(t, &d);
			berr(b, "%s: a union of several types other than null "
			     "has no Parquet equivalent (parquet-avro writes "
			     "a group of optional member0, member1, ...; sw "
			     "writes only [\"null\", T])", d.p);
			sbuf_free(&d);
			return -1;
		} else {
			x = t->branches[k];
		}
	}
	if (!x)
		return berr(b, "a union of only null has no Parquet column");
	*out = x;
	return 0;
}

static struct pnode *build_node(struct build *b, const char *name,
				const struct avro_node *t, int rep_type,
				uint8_t pdef, uint8_t prep, int npath);

/* The physical type of a leaf, with the annotations that come with the
 * Avro type itself (string, enum, uuid). */
static void leaf_type(const struct avro_node *t, struct elem *e)
{
	e->type = -1;
	switch (t->type) {
	case AVRO_BOOLEAN:
		e->type = PT_BOOLEAN;
		break;
	case AVRO_INT:
		e->type = PT_INT32;
		break;
	case AVRO_LONG:
		e->type = PT_INT64;
		break;
	case AVRO_FLOAT:
		e->type = PT_FLOAT;
		break;
	case AVRO_DOUBLE:
		e->type = PT_DOUBLE;
		break;
	case AVRO_STRING:
		e->type = PT_BYTE_ARRAY;
		e->ct = CT_UTF8;
		e->lt = LT_STRING;
		if (t->logical == AVRO_LT_UUID) {
			e->type = PT_FLBA;
			e->tlen = 16;
			e->ct = -1;
			e->lt = LT_UUID;
		}
		break;
	case AVRO_ENUM:
		e->type = PT_BYTE_ARRAY;
		e->ct = CT_ENUM;
		e->lt = LT_ENUM;
		break;
	case AVRO_BYTES:
		e->type = PT_BYTE_ARRAY;
		break;
	case AVRO_FIXED:
		e->type = PT_FLBA;
		e->tlen = (int32_t)t->size;
		if (t->logical == AVRO_LT_UUID && t->size == 16)
			e->lt = LT_UUID;
		break;
	default:
		break;
	}
}

/* The annotations of Avro's logical types; decimals order as signed. */
static void leaf_logical(const struct avro_node *t, struct elem *e, int *sign)
{
	*sign = 0;
	switch (t->logical) {
	case AVRO_LT_DECIMAL:
		e->ct = CT_DECIMAL;
		e->lt = LT_DECIMAL;
		e->scale = t->scale;
		e->precision = t->precision;
		*sign = 1;
		break;
	case AVRO_LT_DATE:
		e->ct = CT_DATE;
		e->lt = LT_DATE;
		break;
	case AVRO_LT_TIME_MILLIS:
	case AVRO_LT_TIME_MICROS:
		e->lt = LT_TIME;
		e->utc = 1;
		e->unit = t->logical == AVRO_LT_TIME_MILLIS ? 1 : 2;
		e->ct = e->unit == 1 ? CT_TIME_MILLIS : CT_TIME_MICROS;
		break;
	case AVRO_LT_TIMESTAMP_MILLIS:
	case AVRO_LT_TIMESTAMP_MICROS:
	case AVRO_LT_LOCAL_TIMESTAMP_MILLIS:
	case AVRO_LT_LOCAL_TIMESTAMP_MICROS:
		e->lt = LT_TIMESTAMP;
		e->utc = t->logical == AVRO_LT_TIMESTAMP_MILLIS ||
			 t->logical == AVRO_LT_TIMESTAMP_MICROS;
		e->unit = t->logical == AVRO_LT_TIMESTAMP_MILLIS ||
			  t->logical == AVRO_LT_LOCAL_TIMESTAMP_MILLIS ? 1 : 2;
		/* LogicalTypes.md: local timestamps carry the legacy
		 * annotation too */
		e->ct = e->unit == 1 ? CT_TIMESTAMP_MILLIS :
				       CT_TIMESTAMP_MICROS;
		break;
	default:
		break;
	}
}

static struct pnode *build_leaf(struct build *b, const char *name,
				const struct avro_node *t, int rep_type,
				uint8_t def, uint8_t rep, int npath)
{
	struct pq_writer *w = b->w;
	struct elem e = { name, -1, 0, rep_type, 0, -1, 0, 0, 0, 0, 0 };
	struct pnode *p;
	struct pq_col *c;

	if (t->type == AVRO_NULL || t->type == AVRO_UNION) {
		berr(b, "a union inside a union has no Parquet column");
		return NULL;
	}
	p = new_node(w, PN_LEAF);
	p->an = t;
	p->def = def;
	p->col0 = (uint32_t)w->ncols;
	p->ncol = 1;
	w->cols = xrealloc(w->cols, (w->ncols + 1) * sizeof(*w->cols));
	c = &w->cols[w->ncols++];
	memset(c, 0, sizeof(*c));
	c->max_def = def;
	c->max_rep = rep;
	leaf_type(t, &e);
	leaf_logical(t, &e, &c->sign);
	c->ptype = e.type;
	c->tlen = e.tlen;
	c->npath = (size_t)npath + 1;
	c->path = xcalloc(c->npath, sizeof(*c->path));
	for (int k = 0; k < npath; k++)
		c->path[k] = xstrdup(b->names[k]);
	c->path[npath] = xstrdup(name);
	put_elem(w, &e);
	return p;
}

static int build_record(struct build *b, struct pnode *p,
			const struct avro_node *t, int npath)
{
	size_t plen = strlen(b->path);

	if (t->nfields == 0)
		return berr(b, "record %s has no fields, and Parquet has no "
			    "empty groups", t->fullname);
	p->nkids = t->nfields;
	p->kids = xcalloc(t->nfields, sizeof(*p->kids));
	for (size_t k = 0; k < t->nfields; k++) {
		const struct avro_field *f = &t->fields[k];
		const struct avro_node *ft;
		int opt;
		struct pnode *kid;

		snprintf(b->path + plen, sizeof(b->path) - plen, ".%s",
			 f->name);
		if (unwrap(b, f->type, &ft, &opt) < 0)
			return -1;
		kid = build_node(b, f->name, ft,
				 opt ? REP_OPTIONAL : REP_REQUIRED,
				 (uint8_t)(p->def + opt), p->rep, npath);
		if (!kid)
			return -1;
		kid->optional = opt;
		kid->field = f;
		kid->namelen = strlen(f->name);
		if (f->def) {
			char err[256];
			kid->defdoc = xcalloc(1, sizeof(*kid->defdoc));
			json_doc_init(kid->defdoc);
			/* defaults were checked when the schema was parsed */
			if (json_parse(kid->defdoc, f->def, strlen(f->def),
				       err, sizeof(err)) < 0)
				return berr(b, "default: %s", err);
		}
		p->kids[k] = kid;
	}
	b->path[plen] = '\0';
	return 0;
}

/* LIST and MAP: group NAME (LIST|MAP) { repeated group list|key_value {
 * element | key, value } } */
static int build_repeated(struct build *b, struct pnode *p,
			  const struct avro_node *t, int npath)
{
	struct pq_writer *w = b->w;
	int map = t->type == AVRO_MAP;
	struct elem e = { map ? "key_value" : "list", -1, 0, REP_REPEATED,
			  map ? 2 : 1, -1, 0, 0, 0, 0, 0 };
	const struct avro_node *it;
	uint8_t def = (uint8_t)(p->def + 1);
	int opt;
	struct pnode *kid;
	size_t plen = strlen(b->path);

	if (npath + 2 >= (int)(sizeof(b->names) / sizeof(b->names[0])))
		return berr(b, "nested too deeply for Parquet");
	if ((int)p->rep + 1 > PQ_MAX_LEVEL || def + 1 > PQ_MAX_LEVEL)
		return berr(b, "nested too deeply for Parquet");
	p->rep = (uint8_t)(p->rep + 1);
	put_elem(w, &e);
	b->names[npath] = e.name;
	snprintf(b->path + plen, sizeof(b->path) - plen, map ? "{}" : "[]");
	if (unwrap(b, t->items, &it, &opt) < 0)
		return -1;
	p->nkids = map ? 2 : 1;
	p->kids = xcalloc(p->nkids, sizeof(*p->kids));
	if (map) {
		static const struct avro_node key = { .type = AVRO_STRING };
		kid = build_leaf(b, "key", &key, REP_REQUIRED, def, p->rep,
				 npath + 1);
		if (!kid)
			return -1;
		p->kids[0] = kid;
	}
	kid = build_node(b, map ? "value" : "element", it,
			 opt ? REP_OPTIONAL : REP_REQUIRED,
			 (uint8_t)(def + opt), p->rep, npath + 1);
	if (!kid)
		return -1;
	kid->optional = opt;
	p->kids[map ? 1 : 0] = kid;
	b->path[plen] = '\0';
	return 0;
}

static struct pnode *build_node(struct build *b, const char *name,
				const struct avro_node *t, int rep_type,
				uint8_t def, uint8_t rep, int npath)
{
	struct pq_writer *w = b->w;
	struct elem e = { name, -1, 0, rep_type, 0, -1, 0, 0, 0, 0, 0 };
	struct pnode *p;
	int rc;

	if (def > PQ_MAX_LEVEL - 2) {
		berr(b, "nested too deeply for Parquet");
		return NULL;
	}
	if (t->type != AVRO_RECORD && t->type != AVRO_ARRAY &&
	    t->type != AVRO_MAP)
		return build_leaf(b, name, t, rep_type, def, rep, npath);
	for (int k = 0; k < b->depth; k++)
		if (b->stack[k] == t) {
			berr(b, "record %s is recursive, which Parquet "
			     "cannot hold", t->fullname);
			return NULL;
		}
	if (b->depth == (int)(sizeof(b->stack) / sizeof(b->stack[0])) ||
	    npath + 1 >= (int)(sizeof(b->names) / sizeof(b->names[0]))) {
		berr(b, "nested too deeply for Parquet");
		return NULL;
	}
	p = new_node(w, t->type == AVRO_RECORD ? PN_RECORD :
			t->type == AVRO_ARRAY ? PN_LIST : PN_MAP);
	p->an = t;
	p->def = def;
	p->rep = rep;
	p->col0 = (uint32_t)w->ncols;
	if (t->type == AVRO_RECORD) {
		e.nkids = (int)t->nfields;
	} else {
		e.nkids = 1;
		e.ct = t->type == AVRO_MAP ? CT_MAP : CT_LIST;
		e.lt = t->type == AVRO_MAP ? LT_MAP : LT_LIST;
	}
	put_elem(w, &e);
	b->stack[b->depth++] = t;
	b->names[npath] = name;
	if (t->type == AVRO_RECORD)
		rc = build_record(b, p, t, npath + 1);
	else
		rc = build_repeated(b, p, t, npath + 1);
	b->depth--;
	if (rc < 0)
		return NULL;
	p->ncol = (uint32_t)w->ncols - p->col0;
	return p;
}

struct pq_writer *pq_writer_new(const struct avro_node *n,
				const struct pq_opts *o, char *err,
				size_t errlen)
{
	struct pq_writer *w = xcalloc(1, sizeof(*w));
	struct build b;
	struct elem root = { n->name, -1, 0, -1, (int)n->nfields, -1,
			     0, 0, 0, 0, 0 };

	w->o = *o;
	if (!w->o.row_group_rows)
		w->o.row_group_rows = PQ_ROW_GROUP_ROWS;
	w->page_bytes = PQ_PAGE_BYTES;
	w->dict_bytes = PQ_DICT_BYTES;
	memset(&b, 0, sizeof(b));
	b.w = w;
	b.err = err;
	b.errlen = errlen;
	if (o->codec != PQ_CODEC_NONE && o->codec != PQ_CODEC_SNAPPY &&
	    o->codec != PQ_CODEC_GZIP && o->codec != PQ_CODEC_ZSTD) {
		snprintf(err, errlen, "unknown Parquet codec %d", o->codec);
		goto fail;
	}
	if (n->type != AVRO_RECORD) {
		snprintf(err, errlen, "a Parquet schema needs a record at the "
			 "top, not %s", avro_type_name(n->type));
		goto fail;
	}
	put_elem(w, &root);
	w->top = new_node(w, PN_RECORD);
	w->top->an = n;
	b.stack[b.depth++] = n;
	if (build_record(&b, w->top, n, 0) < 0)
		goto fail;
	w->top->ncol = (uint32_t)w->ncols;
	w->marks = xcalloc(w->ncols, sizeof(*w->marks));
	return w;
fail:
	pq_writer_free(w);
	return NULL;
}

void pq_set_page_bytes(struct pq_writer *w, size_t n)
{
	w->page_bytes = n ? n : PQ_PAGE_BYTES;
}

void pq_set_dict_bytes(struct pq_writer *w, size_t n)
{
	w->dict_bytes = n;
}

void pq_set_meta(struct pq_writer *w, const char *key, const char *value)
{
	struct tc_writer t;

	tc_init(&t, &w->kv);
	tc_struct_begin(&t, 0);
	tc_string(&t, 1, key);
	tc_string(&t, 2, value);
	tc_struct_end(&t);
	w->nkv++;
}

void pq_writer_free(struct pq_writer *w)
{
	if (!w)
		return;
	for (size_t k = 0; k < w->nnodes; k++) {
		struct pnode *p = w->nodes[k];
		if (p->defdoc) {
			json_doc_free(p->defdoc);
			free(p->defdoc);
		}
		free(p->kids);
		free(p);
	}
	free(w->nodes);
	for (size_t k = 0; k < w->ncols; k++) {
		struct pq_col *c = &w->cols[k];
		for (size_t i = 0; i < c->npath; i++)
			free(c->path[i]);
		free(c->path);
		free(c->def);
		free(c->rep);
		sbuf_free(&c->vals);
	}
	free(w->cols);
	free(w->marks);
	sbuf_free(&w->schema);
	sbuf_free(&w->str);
	sbuf_free(&w->tmp);
	sbuf_free(&w->rgs);
	sbuf_free(&w->kv);
	sbuf_free(&w->out);
	sbuf_free(&w->page);
	sbuf_free(&w->comp);
	sbuf_free(&w->cc);
	free(w->idx);
	pq_dict_free(&w->dict);
	if (w->zs) {
		deflateEnd(w->zs);
		free(w->zs);
	}
	free(w);
}

/* ---- shredding -------------------------------------------------------- */

struct sctx {
	struct pq_writer *w;
	int deflt;                   /* values in the form of defaults */
	char msg[512];
	char path[512];
	size_t pathlen;
};

static int serr(struct sctx *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static int serr(struct sctx *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->msg, sizeof(c->msg), fmt, ap);
	va_end(ap);
	return -1;
}

static int mismatch(struct sctx *c, const struct avro_node *n,
		    const struct json_doc *d, uint32_t i)
{
	avro_plain_mismatch(n, d, i, c->msg, sizeof(c->msg));
	return -1;
}

static void path_prepend(struct sctx *c, const char *s, size_t n)
{
	avro_path_prepend(c->path, sizeof(c->path), &c->pathlen, s, n);
}

static void level(struct pq_col *col, uint8_t def, uint8_t rep)
{
	if (col->nlev == col->caplev) {
		col->caplev = col->caplev ? 2 * col->caplev : 1024;
		if (col->max_def)
			col->def = xrealloc(col->def, col->caplev);
		if (col->max_rep)
			col->rep = xrealloc(col->rep, col->caplev);
	}
	if (col->max_def)
		col->def[col->nlev] = def;
	if (col->max_rep)
		col->rep[col->nlev] = rep;
	col->nlev++;
}

/* An absent value at p: one level per leaf below, at the parent's def. */
static void nulls(struct pq_writer *w, const struct pnode *p, uint8_t def,
		  uint8_t rep)
{
	for (uint32_t k = p->col0; k < p->col0 + p->ncol; k++)
		level(&w->cols[k], def, rep);
}

/* The unescaped bytes of string token i (valid until the next call). */
static const char *str_of(struct sctx *c, const struct json_doc *d,
			  uint32_t i, size_t *n)
{
	const struct json_tok *t = &d->tok[i];

	if (!(t->flags & JSON_F_ESCAPED)) {
		*n = t->len - 2;
		return json_tok_ptr(d, i) + 1;
	}
	sbuf_reset(&c->w->str);
	json_unescape(json_tok_ptr(d, i), t->len, &c->w->str);
	*n = c->w->str.len;
	return c->w->str.p ? c->w->str.p : "";
}

static void put_bytes(struct pq_col *col, const void *p, size_t n)
{
	uint32_t len = (uint32_t)n;

	sbuf_grow(&col->vals, n + 4);
	memcpy(col->vals.p + col->vals.len, &len, 4);
	if (n)
		memcpy(col->vals.p + col->vals.len + 4, p, n);
	col->vals.len += n + 4;
	col->vals.p[col->vals.len] = '\0';
}

static int int_value(struct sctx *c, const struct avro_node *n,
		     const struct json_doc *d, uint32_t i, int64_t *v)
{
	const struct json_tok *t = &d->tok[i];

	if (t->type == JSON_STRING && !c->deflt &&
	    n->logical != AVRO_LT_NONE) {
		size_t len;
		const char *s = str_of(c, d, i, &len);
		if (avro_plain_logical(n, s, len, v) < 0)
			return mismatch(c, n, d, i);
	} else if (t->type != JSON_NUMBER ||
		   json_num_i64(json_tok_ptr(d, i), t->len, v) < 0) {
		return mismatch(c, n, d, i);
	}
	if (n->type == AVRO_INT && (*v < INT32_MIN || *v > INT32_MAX))
		return serr(c, "expected int, got %.*s (out of range)",
			    t->len > 40 ? 40 : (int)t->len,
			    json_tok_ptr(d, i));
	return 0;
}

static int double_value(struct sctx *c, const struct avro_node *n,
			const struct json_doc *d, uint32_t i, double *v)
{
	const struct json_tok *t = &d->tok[i];

	if (t->type == JSON_NUMBER) {
		if (avro_plain_double(json_tok_ptr(d, i), t->len, v) < 0)
			return mismatch(c, n, d, i);
	} else if (t->type == JSON_STRING && json_str_eq(d, i, "NaN", 3)) {
		*v = NAN;
	} else if (t->type == JSON_STRING &&
		   json_str_eq(d, i, "Infinity", 8)) {
		*v = INFINITY;
	} else if (t->type == JSON_STRING &&
		   json_str_eq(d, i, "-Infinity", 9)) {
		*v = -INFINITY;
	} else {
		return mismatch(c, n, d, i);
	}
	return 0;
}

/* Bytes, fixed, decimal and uuid values into w->tmp. */
static int bytes_value(struct sctx *c, const struct avro_node *n,
		       const struct json_doc *d, uint32_t i)
{
	const struct json_tok *t = &d->tok[i];
	struct sbuf *b = &c->w->tmp;
	size_t len;
	const char *s;
	uint8_t u[16];

	sbuf_reset(b);
	if (n->logical == AVRO_LT_DECIMAL && !c->deflt &&
	    (t->type == JSON_NUMBER || t->type == JSON_STRING)) {
		if (t->type == JSON_NUMBER) {
			s = json_tok_ptr(d, i);
			len = t->len;
		} else {
			s = str_of(c, d, i, &len);
		}
		return avro_plain_decimal(n, s, len, b, c->msg,
					  sizeof(c->msg));
	}
	if (t->type != JSON_STRING)
		return mismatch(c, n, d, i);
	s = str_of(c, d, i, &len);
	if (n->logical == AVRO_LT_UUID && avro_plain_uuid(s, len, u) == 0) {
		sbuf_put(b, u, 16);
		return 0;
	}
	if (c->deflt) {
		if (avro_plain_latin1(s, len, b) < 0)
			return serr(c, "a code point above U+00FF in bytes");
		return 0;
	}
	if (base64_decode(s, len, b) < 0)
		return serr(c, "expected %s as base64, got %.*s",
			    avro_type_name(n->type),
			    t->len > 40 ? 40 : (int)t->len, json_tok_ptr(d, i));
	return 0;
}

static int leaf_value(struct sctx *c, const struct pnode *p,
		      const struct json_doc *d, uint32_t i)
{
	struct pq_col *col = &c->w->cols[p->col0];
	const struct avro_node *n = p->an;
	const struct json_tok *t = &d->tok[i];
	int64_t v;
	double dv;
	size_t len;
	const char *s;
	uint8_t u[16];

	switch (n->type) {
	case AVRO_BOOLEAN:
		if (t->type != JSON_TRUE && t->type != JSON_FALSE)
			return mismatch(c, n, d, i);
		sbuf_putc(&col->vals, t->type == JSON_TRUE);
		break;
	case AVRO_INT:
		if (int_value(c, n, d, i, &v) < 0)
			return -1;
		int32_t v32 = (int32_t)v;
		sbuf_put_short(&col->vals, &v32, 4);
		break;
	case AVRO_LONG:
		if (int_value(c, n, d, i, &v) < 0)
			return -1;
		sbuf_put_short(&col->vals, &v, 8);
		break;
	case AVRO_FLOAT:
		if (double_value(c, n, d, i, &dv) < 0)
			return -1;
		float f = (float)dv;
		sbuf_put_short(&col->vals, &f, 4);
		break;
	case AVRO_DOUBLE:
		if (double_value(c, n, d, i, &dv) < 0)
			return -1;
		sbuf_put_short(&col->vals, &dv, 8);
		break;
	case AVRO_STRING:
		if (t->type != JSON_STRING)
			return mismatch(c, n, d, i);
		s = str_of(c, d, i, &len);
		if (n->logical == AVRO_LT_UUID) {
			if (avro_plain_uuid(s, len, u) < 0)
				return mismatch(c, n, d, i);
			sbuf_put_short(&col->vals, u, 16);
		} else {
			put_bytes(col, s, len);
		}
		break;
	case AVRO_ENUM:
		if (t->type != JSON_STRING)
			return mismatch(c, n, d, i);
		s = str_of(c, d, i, &len);
		for (size_t k = 0; k < n->nsymbols; k++)
			if (strlen(n->symbols[k]) == len &&
			    memcmp(n->symbols[k], s, len) == 0) {
				put_bytes(col, s, len);
				return 0;
			}
		return mismatch(c, n, d, i);
	case AVRO_BYTES:
		if (bytes_value(c, n, d, i) < 0)
			return -1;
		put_bytes(col, c->w->tmp.p, c->w->tmp.len);
		break;
	case AVRO_FIXED:
		if (bytes_value(c, n, d, i) < 0)
			return -1;
		if (c->w->tmp.len != n->size)
			return serr(c, "expected fixed %s of %zu bytes, got %zu",
				    n->fullname, n->size, c->w->tmp.len);
		sbuf_put(&col->vals, c->w->tmp.p, n->size);
		break;
	default:
		return mismatch(c, n, d, i);
	}
	return 0;
}

static int shred(struct sctx *c, const struct pnode *p,
		 const struct json_doc *d, uint32_t i, uint8_t pdef,
		 uint8_t rep);

static int shred_record(struct sctx *c, const struct pnode *p,
			const struct json_doc *d, uint32_t i, uint8_t rep)
{
	uint32_t next = i + 1, end = d->tok[i].end;
	int inorder = 1;

	if (d->tok[i].type != JSON_OBJECT)
		return mismatch(c, p->an, d, i);
	for (size_t k = 0; k < p->nkids; k++) {
		struct pnode *kid = p->kids[k];
		const struct avro_field *f = kid->field;
		size_t fl = kid->namelen;
		const struct json_tok *t = &d->tok[next];
		int64_t v;
		int rc, deflt = c->deflt;

		/* Records mostly come with their fields in schema order: while
		 * they do, each field is the next member.  Every member before
		 * it was an earlier field, so it is also the first with its
		 * name, as json_obj_find would have it. */
		if (inorder && next < end && !(t->flags & JSON_F_ESCAPED) &&
		    t->len == fl + 2 &&
		    memcmp(d->text.p + t->start + 1, f->name, fl) == 0) {
			v = next + 1;
			next = d->tok[next + 1].end;
		} else {
			inorder = 0;
			v = json_obj_find(d, i, f->name, fl, &kid->hint);
		}

		if (v >= 0) {
			rc = shred(c, kid, d, (uint32_t)v, p->def, rep);
		} else if (kid->defdoc) {
			c->deflt = 1;
			rc = shred(c, kid, kid->defdoc, 0, p->def, rep);
			c->deflt = deflt;
		} else if (kid->optional) {
			nulls(c->w, kid, p->def, rep);
			rc = 0;
		} else {
			struct sbuf desc = SBUF_INIT;
			avro_node_describe(f->type, &desc);
			rc = serr(c, "missing (expected %s)", desc.p);
			sbuf_free(&desc);
		}
		if (rc < 0) {
			path_prepend(c, f->name, fl);
			path_prepend(c, ".", 1);
			return -1;
		}
	}
	return 0;
}

static int shred_items(struct sctx *c, const struct pnode *p,
		       const struct json_doc *d, uint32_t i, uint8_t rep)
{
	const struct json_tok *t = &d->tok[i];
	int map = p->kind == PN_MAP;
	uint8_t def = (uint8_t)(p->def + 1);
	uint64_t idx = 0;

	if (t->type != (map ? JSON_OBJECT : JSON_ARRAY))
		return mismatch(c, p->an, d, i);
	if (t->count == 0) {
		nulls(c->w, p, p->def, rep);
		return 0;
	}
	for (uint32_t e = i + 1; e < t->end; idx++) {
		uint32_t v = e;
		uint8_t r = idx ? p->rep : rep;
		if (map) {
			size_t kl;
			const char *k = str_of(c, d, e, &kl);
			struct pq_col *kc = &c->w->cols[p->kids[0]->col0];
			put_bytes(kc, k, kl);
			kc->nvals++;
			level(kc, def, r);
			v = e + 1;
		}
		if (shred(c, p->kids[map], d, v, def, r) < 0) {
			char b[64];
			int bl;
			if (map) {
				size_t kl;
				const char *k = str_of(c, d, e, &kl);
				path_prepend(c, k, kl > 60 ? 60 : kl);
				path_prepend(c, ".", 1);
			} else {
				bl = snprintf(b, sizeof(b), "[%" PRIu64 "]",
					      idx);
				path_prepend(c, b, (size_t)bl);
			}
			return -1;
		}
		e = d->tok[v].end;
	}
	return 0;
}

/* Value token i of node p, whose parent is defined to pdef;
 * the first level it writes has repetition level rep. */
static int shred(struct sctx *c, const struct pnode *p,
		 const struct json_doc *d, uint32_t i, uint8_t pdef,
		 uint8_t rep)
{
	if (d->tok[i].type == JSON_NULL) {
		if (!p->optional)
			return mismatch(c, p->an, d, i);
		nulls(c->w, p, pdef, rep);
		return 0;
	}
	switch (p->kind) {
	case PN_LEAF: {
		struct pq_col *col = &c->w->cols[p->col0];
		if (leaf_value(c, p, d, i) < 0)
			return -1;
		col->nvals++;
		level(col, p->def, rep);
		return 0;
	}
	case PN_RECORD:
		return shred_record(c, p, d, i, rep);
	default:
		return shred_items(c, p, d, i, rep);
	}
}

int pq_add(struct pq_writer *w, const struct json_doc *d, uint32_t tok,
	   char *err, size_t errlen)
{
	struct sctx c;

	for (size_t k = 0; k < w->ncols; k++) {
		w->marks[k].nlev = w->cols[k].nlev;
		w->marks[k].vlen = w->cols[k].vals.len;
		w->marks[k].nvals = w->cols[k].nvals;
	}
	c.w = w;
	c.deflt = 0;
	c.pathlen = 0;
	c.path[0] = '\0';
	if (shred_record(&c, w->top, d, tok, 0) < 0) {
		for (size_t k = 0; k < w->ncols; k++) {
			struct pq_col *col = &w->cols[k];
			col->nlev = w->marks[k].nlev;
			col->vals.len = w->marks[k].vlen;
			if (col->vals.p)
				col->vals.p[col->vals.len] = '\0';
			col->nvals = w->marks[k].nvals;
		}
		if (c.pathlen)
			snprintf(err, errlen, "%s: %s", c.path, c.msg);
		else
			snprintf(err, errlen, "%s", c.msg);
		return -1;
	}
	w->rg_rows++;
	w->rows++;
	return 0;
}

int pq_row_group_full(const struct pq_writer *w)
{
	return w->rg_rows >= w->o.row_group_rows;
}

uint64_t pq_rows(const struct pq_writer *w)
{
	return w->rows;
}

uint64_t pq_bytes(const struct pq_writer *w)
{
	uint64_t n = w->off;

	for (size_t k = 0; k < w->ncols; k++) {
		const struct pq_col *c = &w->cols[k];
		n += c->vals.len + c->nlev / 4;
	}
	return n;
}

/* ---- column chunks ---------------------------------------------------- */

static int width_of(const struct pq_col *c)
{
	switch (c->ptype) {
	case PT_BOOLEAN:
		return 1;
	case PT_INT32:
	case PT_FLOAT:
		return 4;
	case PT_INT64:
	case PT_DOUBLE:
		return 8;
	case PT_FLBA:
		return c->tlen;
	default:
		return 0; /* byte arrays: a length prefix each */
	}
}

/* One gzip member (RFC 1952, which is what Parquet's GZIP codec means) of
 * in[0..n), appended to o; the z_stream is kept from page to page. */
static int gzip_page(struct pq_writer *w, const char *in, size_t n,
		     struct sbuf *o, char *err, size_t errlen)
{
	size_t cap;
	int rc;

	if (!w->zs) {
		w->zs = xcalloc(1, sizeof(*w->zs));
		/* windowBits 16 + 15: the gzip wrapper */
		if (deflateInit2(w->zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 31, 8,
				 Z_DEFAULT_STRATEGY) != Z_OK) {
			free(w->zs);
			w->zs = NULL;
			snprintf(err, errlen, "zlib: cannot initialise");
			return -1;
		}
	} else {
		deflateReset(w->zs);
	}
	cap = deflateBound(w->zs, n);
	sbuf_grow(o, cap + 1);
	w->zs->next_in = (Bytef *)in;
	w->zs->avail_in = (uInt)n;
	w->zs->next_out = (Bytef *)o->p + o->len;
	w->zs->avail_out = (uInt)cap;
	rc = deflate(w->zs, Z_FINISH);
	if (rc != Z_STREAM_END) {
		snprintf(err, errlen, "zlib: deflate failed (%d)", rc);
		return -1;
	}
	o->len += cap - w->zs->avail_out;
	o->p[o->len] = '\0';
	return 0;
}

/* The page body in, compressed per the codec: *p and *n are the bytes to
 * write (in's own for none, else w->comp's). */
static int page_compress(struct pq_writer *w, const struct sbuf *in,
			 const char **p, size_t *n, char *err, size_t errlen)
{
	struct sbuf *o = &w->comp;
	const char *src = in->p ? in->p : "";
	size_t cap;
	int rc = 0;

	sbuf_reset(o);
	switch (w->o.codec) {
	case PQ_CODEC_NONE:
		*p = src;
		*n = in->len;
		return 0;
	case PQ_CODEC_SNAPPY:
		/* Parquet's snappy is the raw format, without Avro's CRC */
		cap = snappy_max_compressed_length(in->len);
		sbuf_grow(o, cap + 1);
		if (snappy_compress(src, in->len, o->p, &cap) != SNAPPY_OK) {
			snprintf(err, errlen, "snappy compression failed");
			return -1;
		}
		o->len = cap;
		o->p[o->len] = '\0';
		break;
	case PQ_CODEC_GZIP:
		rc = gzip_page(w, src, in->len, o, err, errlen);
		break;
	case PQ_CODEC_ZSTD:
		/* a zstd frame, as in an Avro container's block */
		rc = avro_codec_compress(AVRO_CODEC_ZSTD, src, in->len, o, err,
					 errlen);
		break;
	}
	*p = o->p;
	*n = o->len;
	return rc;
}

struct chunk {
	uint64_t dict_off, data_off;
	int has_dict;
	uint64_t usize, csize;       /* with the page headers */
};

/* Writes one page (header, compressed body) into w->out. */
static int put_page(struct pq_writer *w, struct chunk *ch, int type,
		    uint32_t nvalues, int enc, char *err, size_t errlen)
{
	struct tc_writer t;
	const char *p;
	size_t n;
	size_t hstart = w->out.len;

	if (w->page.len > INT32_MAX) {
		snprintf(err, errlen, "a Parquet page of %zu bytes is too "
			 "large", w->page.len);
		return -1;
	}
	if (page_compress(w, &w->page, &p, &n, err, errlen) < 0)
		return -1;
	tc_init(&t, &w->out);
	tc_struct_begin(&t, 0);
	tc_i32(&t, 1, type);
	tc_i32(&t, 2, (int32_t)w->page.len);
	tc_i32(&t, 3, (int32_t)n);
	if (type == PAGE_DATA) {
		tc_struct_begin(&t, 5);
		tc_i32(&t, 1, (int32_t)nvalues);
		tc_i32(&t, 2, enc);
		tc_i32(&t, 3, ENC_RLE);
		tc_i32(&t, 4, ENC_RLE);
		tc_struct_end(&t);
	} else {
		tc_struct_begin(&t, 7);
		tc_i32(&t, 1, (int32_t)nvalues);
		tc_i32(&t, 2, ENC_PLAIN);
		tc_struct_end(&t);
	}
	tc_struct_end(&t);
	ch->usize += w->out.len - hstart + w->page.len;
	ch->csize += w->out.len - hstart + n;
	sbuf_put(&w->out, p, n);
	return 0;
}

/* Appends levels v[0..n) with their 4-byte length, as data pages v1 want. */
static void put_levels(struct sbuf *page, const uint8_t *v, size_t n,
		       int max)
{
	size_t at = page->len;
	uint32_t len;

	sbuf_put(page, "\0\0\0\0", 4);
	pq_rle_u8(page, v, n, pq_bit_width((uint32_t)max));
	len = (uint32_t)(page->len - at - 4);
	memcpy(page->p + at, &len, 4);
}

/* ---- statistics ------------------------------------------------------- */

static int cmp_signed_bytes(const uint8_t *a, size_t an, const uint8_t *b,
			    size_t bn)
{
	size_t n = an > bn ? an : bn;
	int sa = an && (a[0] & 0x80), sb = bn && (b[0] & 0x80);

	if (sa != sb)
		return sa ? -1 : 1;
	for (size_t k = 0; k < n; k++) {
		int x = k < n - an ? (sa ? 0xff : 0) : a[k - (n - an)];
		int y = k < n - bn ? (sb ? 0xff : 0) : b[k - (n - bn)];
		if (x != y)
			return x < y ? -1 : 1;
	}
	return 0;
}

static int cmp_bytes(const struct pq_col *c, const uint8_t *a, size_t an,
		     const uint8_t *b, size_t bn)
{
	int r;

	if (c->sign)
		return cmp_signed_bytes(a, an, b, bn);
	r = memcmp(a, b, an < bn ? an : bn);
	if (r)
		return r;
	return an < bn ? -1 : an > bn;
}

struct pq_stats {
	int have;
	uint8_t min[16], max[16];    /* fixed-width values */
	const char *bmin, *bmax;     /* byte arrays: into the values */
	size_t bminlen, bmaxlen;
};

#define MINMAX(T, fmin, fmax)                                                \
	do {                                                                 \
		T lo_ = 0, hi_ = 0, x_;                                           \
		int any_ = 0;                                                \
		for (uint32_t k_ = 0; k_ < c->nvals; k_++) {                 \
			memcpy(&x_, c->vals.p + (size_t)k_ * sizeof(T),      \
			       sizeof(T));                                   \
			if (x_ != x_)                                        \
				continue; /* NaN is never min or max */      \
			if (!any_) {                                         \
				lo_ = hi_ = x_;                              \
				any_ = 1;                                    \
				continue;                                    \
			}                                                    \
			if (x_ < lo_)                                        \
				lo_ = x_;                                    \
			if (x_ > hi_)                                        \
				hi_ = x_;                                    \
		}                                                            \
		if (any_) {                                                  \
			fmin;                                                \
			fmax;                                                \
			memcpy(s->min, &lo_, sizeof(T));                     \
			memcpy(s->max, &hi_, sizeof(T));                     \
			s->have = 1;                                         \
		}                                                            \
	} while (0)

static void stats_fixed(const struct pq_col *c, struct pq_stats *s)
{
	switch (c->ptype) {
	case PT_BOOLEAN:
		MINMAX(uint8_t, (void)0, (void)0);
		break;
	case PT_INT32:
		MINMAX(int32_t, (void)0, (void)0);
		break;
	case PT_INT64:
		MINMAX(int64_t, (void)0, (void)0);
		break;
	/* the specification's rule for zeros: min -0.0, max +0.0 */
	case PT_FLOAT:
		MINMAX(float, if (lo_ == 0) lo_ = -0.0f,
		       if (hi_ == 0) hi_ = 0.0f);
		break;
	case PT_DOUBLE:
		MINMAX(double, if (lo_ == 0) lo_ = -0.0,
		       if (hi_ == 0) hi_ = 0.0);
		break;
	default:
		break;
	}
}

static void stats_one(const struct pq_col *c, struct pq_stats *s,
		      const char *v, size_t n)
{
	if (!s->have) {
		s->bmin = s->bmax = v;
		s->bminlen = s->bmaxlen = n;
		s->have = 1;
		return;
	}
	if (cmp_bytes(c, (const uint8_t *)v, n, (const uint8_t *)s->bmin,
		      s->bminlen) < 0) {
		s->bmin = v;
		s->bminlen = n;
	} else if (cmp_bytes(c, (const uint8_t *)v, n,
			     (const uint8_t *)s->bmax, s->bmaxlen) > 0) {
		s->bmax = v;
		s->bmaxlen = n;
	}
}

/* Byte arrays: over the dictionary's entries when there is one. */
static void stats_bytes(const struct pq_writer *w, const struct pq_col *c,
			int dict, struct pq_stats *s)
{
	const char *p = c->vals.p;
	uint32_t len;

	if (c->ptype == PT_FLBA) {
		for (uint32_t k = 0; k < c->nvals; k++)
			stats_one(c, s, p + (size_t)k * (size_t)c->tlen,
				  (size_t)c->tlen);
		return;
	}
	if (dict) {
		for (uint32_t e = 0; e < w->dict.n; e++) {
			memcpy(&len, p + w->dict.ent[e], 4);
			stats_one(c, s, p + w->dict.ent[e] + 4, len);
		}
		return;
	}
	for (size_t off = 0; off < c->vals.len; off += 4 + (size_t)len) {
		memcpy(&len, p + off, 4);
		stats_one(c, s, p + off + 4, len);
	}
}

static void put_stats(struct tc_writer *t, const struct pq_col *c,
		      const struct pq_stats *s)
{
	int wd = width_of(c);

	tc_struct_begin(t, 12);
	tc_i64(t, 3, (int64_t)(c->nlev - c->nvals));
	if (s->have && wd && c->ptype != PT_FLBA) {
		tc_binary(t, 5, s->max, (size_t)wd);
		tc_binary(t, 6, s->min, (size_t)wd);
	} else if (s->have) {
		tc_binary(t, 5, s->bmax, s->bmaxlen);
		tc_binary(t, 6, s->bmin, s->bminlen);
	}
	tc_struct_end(t);
}

/* ---- writing ---------------------------------------------------------- */

static int put(struct pq_writer *w, pq_write_fn fn, void *ctx, const void *p,
	       size_t n, char *err, size_t errlen)
{
	if (n && fn(ctx, p, n) < 0) {
		snprintf(err, errlen, "write: %s", strerror(errno));
		return -1;
	}
	w->off += n;
	return 0;
}

/* The values of levels [l0, l1): their count and byte span from *voff. */
static void page_span(const struct pq_col *c, size_t l0, size_t *l1,
		      uint32_t *nv, size_t voff, size_t *vend,
		      size_t target)
{
	int wd = width_of(c);
	size_t l = l0, off = voff;
	uint32_t n = 0;

	while (l < c->nlev) {
		if (!c->max_def || c->def[l] == c->max_def) {
			if (wd) {
				off += (size_t)wd;
			} else {
				uint32_t len;
				memcpy(&len, c->vals.p + off, 4);
				off += 4 + (size_t)len;
			}
			n++;
		}
		l++;
		/* pages end where a row does */
		if (off - voff >= target &&
		    (!c->max_rep || l == c->nlev || c->rep[l] == 0))
			break;
	}
	*l1 = l;
	*nv = n;
	*vend = off;
}

/* Dictionary-encodes a string or bytes column when that saves space (as
 * parquet-java decides), leaving the indices in w->idx; returns whether. */
static int try_dict(struct pq_writer *w, const struct pq_col *c)
{
	if (c->ptype != PT_BYTE_ARRAY || !c->nvals || !w->dict_bytes)
		return 0;
	if (w->capidx < c->nvals) {
		w->capidx = c->nvals;
		free(w->idx);
		w->idx = xmalloc(w->capidx * sizeof(*w->idx));
	}
	if (pq_dict_build(&w->dict, c->vals.p, c->vals.len, c->nvals, w->idx,
			  w->dict_bytes) < 0)
		return 0;
	return w->dict.bytes + ((size_t)c->nvals *
				(size_t)pq_bit_width(w->dict.n - 1) + 7) / 8 <
	       c->vals.len;
}

/* The chunk's ColumnChunk, appended to the row group's list in w->cc. */
static void put_chunk_meta(struct pq_writer *w, const struct pq_col *c,
			   const struct chunk *ch, int dict,
			   const struct pq_stats *s)
{
	struct tc_writer t;
	int levels = c->max_def || c->max_rep;

	tc_init(&t, &w->cc);
	tc_struct_begin(&t, 0);
	tc_i64(&t, 2, 0);
	tc_struct_begin(&t, 3);
	tc_i32(&t, 1, c->ptype);
	tc_list(&t, 2, TC_I32, 1u + (unsigned)levels + (unsigned)dict);
	tc_put_i64(&t, ENC_PLAIN);
	if (levels)
		tc_put_i64(&t, ENC_RLE);
	if (dict)
		tc_put_i64(&t, ENC_RLE_DICTIONARY);
	tc_list(&t, 3, TC_BINARY, (uint32_t)c->npath);
	for (size_t k = 0; k < c->npath; k++)
		tc_put_binary(&t, c->path[k], strlen(c->path[k]));
	tc_i32(&t, 4, w->o.codec);
	tc_i64(&t, 5, (int64_t)c->nlev);
	tc_i64(&t, 6, (int64_t)ch->usize);
	tc_i64(&t, 7, (int64_t)ch->csize);
	tc_i64(&t, 9, (int64_t)ch->data_off);
	if (ch->has_dict)
		tc_i64(&t, 11, (int64_t)ch->dict_off);
	put_stats(&t, c, s);
	tc_struct_end(&t);
	tc_struct_end(&t);
}

/* Data pages of levels and values, each ending at a row boundary. */
static int put_data_pages(struct pq_writer *w, const struct pq_col *c,
			  struct chunk *ch, int dict, int bw, char *err,
			  size_t errlen)
{
	size_t l0 = 0, voff = 0;
	uint32_t v0 = 0;

	do {
		size_t l1, vend;
		uint32_t nv;

		page_span(c, l0, &l1, &nv, voff, &vend, w->page_bytes);
		sbuf_reset(&w->page);
		if (c->max_rep)
			put_levels(&w->page, c->rep + l0, l1 - l0, c->max_rep);
		if (c->max_def)
			put_levels(&w->page, c->def + l0, l1 - l0, c->max_def);
		if (dict) {
			sbuf_putc(&w->page, (char)bw);
			pq_rle_u32(&w->page, w->idx + v0, nv, bw);
		} else if (c->ptype == PT_BOOLEAN) {
			pq_plain_bool(&w->page, (const uint8_t *)c->vals.p + v0,
				      nv);
		} else if (vend > voff) {
			sbuf_put(&w->page, c->vals.p + voff, vend - voff);
		}
		if (put_page(w, ch, PAGE_DATA, (uint32_t)(l1 - l0),
			     dict ? ENC_RLE_DICTIONARY : ENC_PLAIN, err, errlen) < 0)
			return -1;
		l0 = l1;
		v0 += nv;
		voff = vend;
	} while (l0 < c->nlev);
	return 0;
}

/* A column chunk: its pages are gathered in w->out and written at once. */
static int write_column(struct pq_writer *w, struct pq_col *c, char *err,
			size_t errlen)
{
	struct chunk ch;
	struct pq_stats s;
	int dict, bw = 0;

	memset(&ch, 0, sizeof(ch));
	memset(&s, 0, sizeof(s));
	sbuf_reset(&w->out);
	dict = try_dict(w, c);
	if (dict) {
		sbuf_reset(&w->page);
		pq_dict_plain(&w->dict, c->vals.p, &w->page);
		ch.has_dict = 1;
		ch.dict_off = w->off + w->out.len;
		if (put_page(w, &ch, PAGE_DICTIONARY, w->dict.n, ENC_PLAIN, err,
			     errlen) < 0)
			return -1;
		/* a width of 0 is legal but not read everywhere */
		bw = pq_bit_width(w->dict.n - 1);
		if (bw == 0)
			bw = 1;
	}
	if (c->ptype == PT_BYTE_ARRAY || c->ptype == PT_FLBA)
		stats_bytes(w, c, dict, &s);
	else
		stats_fixed(c, &s);
	ch.data_off = w->off + w->out.len;
	if (put_data_pages(w, c, &ch, dict, bw, err, errlen) < 0 ||
	    put(w, w->put_fn, w->put_ctx, w->out.p, w->out.len, err,
		errlen) < 0)
		return -1;
	put_chunk_meta(w, c, &ch, dict, &s);
	w->rg_usize += ch.usize;
	w->rg_csize += ch.csize;
	return 0;
}

static void reset_columns(struct pq_writer *w)
{
	for (size_t k = 0; k < w->ncols; k++) {
		w->cols[k].nlev = 0;
		w->cols[k].nvals = 0;
		sbuf_reset(&w->cols[k].vals);
	}
	w->rg_rows = 0;
}

int pq_begin(struct pq_writer *w, pq_write_fn put_fn, void *ctx, char *err,
	     size_t errlen)
{
	reset_columns(w);
	w->off = 0;
	w->rows = 0;
	sbuf_reset(&w->rgs);
	w->nrgs = 0;
	w->begun = 1;
	return put(w, put_fn, ctx, "PAR1", 4, err, errlen);
}

int pq_flush(struct pq_writer *w, pq_write_fn put_fn, void *ctx, char *err,
	     size_t errlen)
{
	struct tc_writer t;
	uint64_t start = w->off;
	int rc = 0;

	if (!w->begun) {
		snprintf(err, errlen, "pq_flush before pq_begin");
		return -1;
	}
	if (!w->rg_rows)
		return 0;
	w->put_fn = put_fn;
	w->put_ctx = ctx;
	w->rg_usize = w->rg_csize = 0;
	sbuf_reset(&w->cc);
	for (size_t k = 0; k < w->ncols && rc == 0; k++)
		rc = write_column(w, &w->cols[k], err, errlen);
	if (rc == 0) {
		tc_init(&t, &w->rgs);
		tc_struct_begin(&t, 0);
		tc_list(&t, 1, TC_STRUCT, (uint32_t)w->ncols);
		sbuf_put(&w->rgs, w->cc.p, w->cc.len);
		tc_i64(&t, 2, (int64_t)w->rg_usize);
		tc_i64(&t, 3, (int64_t)w->rg_rows);
		tc_i64(&t, 5, (int64_t)start);
		tc_i64(&t, 6, (int64_t)w->rg_csize);
		tc_field(&t, 7, TC_I16);
		tc_put_i64(&t, (int64_t)w->nrgs);
		tc_struct_end(&t);
		w->nrgs++;
	}
	reset_columns(w);
	return rc;
}

int pq_finish(struct pq_writer *w, pq_write_fn put_fn, void *ctx, char *err,
	      size_t errlen)
{
	struct sbuf *f = &w->out;
	struct tc_writer t;
	uint32_t len;

	if (pq_flush(w, put_fn, ctx, err, errlen) < 0)
		return -1;
	sbuf_reset(f);
	tc_init(&t, f);
	tc_struct_begin(&t, 0);
	tc_i32(&t, 1, 1);
	tc_list(&t, 2, TC_STRUCT, w->nschema);
	sbuf_put(f, w->schema.p, w->schema.len);
	tc_i64(&t, 3, (int64_t)w->rows);
	tc_list(&t, 4, TC_STRUCT, w->nrgs);
	if (w->rgs.len)
		sbuf_put(f, w->rgs.p, w->rgs.len);
	if (w->nkv) {
		tc_list(&t, 5, TC_STRUCT, w->nkv);
		sbuf_put(f, w->kv.p, w->kv.len);
	}
	tc_string(&t, 6, "sw version " SW_VERSION);
	/* min_value and max_value are in each type's own order */
	tc_list(&t, 7, TC_STRUCT, (uint32_t)w->ncols);
	for (size_t k = 0; k < w->ncols; k++) {
		tc_struct_begin(&t, 0);
		tc_empty(&t, 1);
		tc_struct_end(&t);
	}
	tc_struct_end(&t);
	len = (uint32_t)f->len;
	sbuf_put(f, &len, 4);
	sbuf_put(f, "PAR1", 4);
	w->begun = 0;
	return put(w, put_fn, ctx, f->p, f->len, err, errlen);
}
