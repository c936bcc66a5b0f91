/* parquet_thrift: the Thrift compact protocol's writer. */
#include "parquet_thrift.h"

#include <string.h>

void tc_init(struct tc_writer *t, struct sbuf *out)
{
	t->out = out;
	t->depth = 0;
	t->last[0] = 0;
}

uint64_t tc_zigzag(int64_t v)
{
	return ((uint64_t)v << 1) ^ (uint64_t)(v >> 63);
}

void tc_put_i64(struct tc_writer *t, int64_t v)
{
	sbuf_put_varint(t->out, tc_zigzag(v));
}

void tc_put_binary(struct tc_writer *t, const void *p, size_t n)
{
	sbuf_put_varint(t->out, n);
	if (n)
		sbuf_put(t->out, p, n);
}

void tc_field(struct tc_writer *t, int16_t id, enum tc_type type)
{
	int delta = id - t->last[t->depth];

	if (delta > 0 && delta <= 15) {
		sbuf_putc(t->out, (char)(delta << 4 | type));
	} else {
		sbuf_putc(t->out, (char)type);
		sbuf_put_varint(t->out, tc_zigzag(id));
	}
	t->last[t->depth] = id;
}

void tc_i32(struct tc_writer *t, int16_t id, int32_t v)
{
	tc_field(t, id, TC_I32);
	tc_put_i64(t, v);
}

void tc_i64(struct tc_writer *t, int16_t id, int64_t v)
{
	tc_field(t, id, TC_I64);
	tc_put_i64(t, v);
}

void tc_bool(struct tc_writer *t, int16_t id, int v)
{
	tc_field(t, id, v ? TC_TRUE : TC_FALSE);
}

void tc_binary(struct tc_writer *t, int16_t id, const void *p, size_t n)
{
	tc_field(t, id, TC_BINARY);
	tc_put_binary(t, p, n);
}

void tc_string(struct tc_writer *t, int16_t id, const char *s)
{
	tc_binary(t, id, s, strlen(s));
}

void tc_list(struct tc_writer *t, int16_t id, enum tc_type et, uint32_t n)
{
	tc_field(t, id, TC_LIST);
	if (n < 15) {
		sbuf_putc(t->out, (char)(n << 4 | et));
	} else {
		sbuf_putc(t->out, (char)(0xf0 | et));
		sbuf_put_varint(t->out, n);
	}
}

void tc_struct_begin(struct tc_writer *t, int16_t id)
{
	if (id > 0)
		tc_field(t, id, TC_STRUCT);
	/* deeper than parquet's metadata goes is a bug in the caller */
	if (t->depth + 1 < TC_MAX_DEPTH)
		t->depth++;
	t->last[t->depth] = 0;
}

void tc_struct_end(struct tc_writer *t)
{
	sbuf_putc(t->out, TC_STOP);
	if (t->depth > 0)
		t->depth--;
}

void tc_empty(struct tc_writer *t, int16_t id)
{
	tc_struct_begin(t, id);
	tc_struct_end(t);
}
