/*
 * avro_decode_int: what the files of the Avro decoder share
 * (avro_resolve.c compiles a writer/reader schema pair into a plan,
 * avro_decode.c runs plans over datums, avro_fmt.c writes Avro values as
 * JSON text).  Private to them: users take avro_decode.h.
 */
#ifndef SW_AVRO_DECODE_INT_H
#define SW_AVRO_DECODE_INT_H

#include <stddef.h>
#include <stdint.h>

#include "avro_decode.h"
#include "sbuf.h"

#define MAX_DEPTH 256

enum op {
	OP_NULL,
	OP_BOOL,
	OP_INT,
	OP_LONG,
	OP_L2F,
	OP_L2D,
	OP_FLOAT,
	OP_F2D,
	OP_DOUBLE,
	OP_BYTES,
	OP_STRING,
	OP_FIXED,
	OP_ENUM,
	OP_ARRAY,
	OP_MAP,
	OP_RECORD,
	OP_WUNION,
	OP_RUNION,
	OP_ERROR,
};

struct plan;

struct wfield {
	struct plan *p;              /* NULL: skip */
	const struct avro_node *w;   /* writer's type, for skipping */
	const char *name;            /* writer's field name, for errors */
	int ridx;                    /* reader field, or -1 */
	char *pre;                   /* in-order: defaults written before */
};

struct plan {
	enum op op;
	int wint;                    /* the writer wrote an int (range check) */
	const struct avro_node *w, *r;
	struct plan *sub;            /* items, values, union branch */
	char *wrap;                  /* RUNION in avro JSON: {"name": */
	struct wfield *wf;
	size_t nwf;
	char **key;                  /* reader fields: "name": */
	char **def;                  /* reader fields: rendered defaults */
	size_t nrf;
	int inorder;
	struct plan *fail;           /* every datum fails with this */
	const char *fail_name;
	char *tail;                  /* in-order: defaults written last */
	int *emap;                   /* enum: writer symbol -> reader's */
	struct plan **br;            /* writer union branches */
	size_t nbr;
	int may_be_empty;            /* array/map items may take 0 bytes */
	char *err;                   /* OP_ERROR */
	struct plan *next;
};

struct avro_reader {
	struct plan *root;
	struct plan *plans;
	enum avro_json mode;
};

/* avro_fmt.c */
const char *avro_lt_name(int logical);
void avro_fmt_uuid(const uint8_t *p, struct sbuf *out);
void avro_fmt_latin1(const uint8_t *p, size_t n, struct sbuf *out);
void avro_fmt_b64(const uint8_t *p, size_t n, struct sbuf *out);

/* avro_decode.c: whether items of n may take no bytes at all. */
int avro_may_be_empty(const struct avro_node *n, int depth);

#endif
