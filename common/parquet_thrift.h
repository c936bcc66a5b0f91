/*
 * parquet_thrift: the Thrift compact protocol, write side only, as much of
 * it as a Parquet footer and page headers need.
 *
 * Parquet's metadata (parquet-format's parquet.thrift) is Thrift structs in
 * the compact protocol: a field is a header byte holding the delta from the
 * previous field id (1..15) and the type, or the type byte and the id as a
 * zigzag varint; integers are zigzag varints; binary is a varint length and
 * the bytes; a list is a header with its size and element type; a struct
 * ends with a stop byte, and a nested struct counts its field ids afresh.
 *
 * A tc_writer appends to the caller's sbuf and keeps the stack of last
 * field ids; fields must be written in increasing id order within a struct.
 * There is no error path: the sbuf grows or the process aborts (xalloc.h).
 */
#ifndef SW_PARQUET_THRIFT_H
#define SW_PARQUET_THRIFT_H

#include <stddef.h>
#include <stdint.h>

#include "sbuf.h"

/* The compact protocol's type codes. */
enum tc_type {
	TC_STOP = 0,
	TC_TRUE = 1, /* a boolean field's value is in its type */
	TC_FALSE = 2,
	TC_BYTE = 3,
	TC_I16 = 4,
	TC_I32 = 5,
	TC_I64 = 6,
	TC_DOUBLE = 7,
	TC_BINARY = 8,
	TC_LIST = 9,
	TC_SET = 10,
	TC_MAP = 11,
	TC_STRUCT = 12,
};

#define TC_MAX_DEPTH 16

struct tc_writer {
	struct sbuf *out;
	int16_t last[TC_MAX_DEPTH]; /* last field id per open struct */
	int depth;
};

void tc_init(struct tc_writer *t, struct sbuf *out);

/* Bare values, for list elements and tests (varints: sbuf_put_varint). */
uint64_t tc_zigzag(int64_t v);
void tc_put_i64(struct tc_writer *t, int64_t v);
void tc_put_binary(struct tc_writer *t, const void *p, size_t n);

/* Fields of the struct being written. */
void tc_field(struct tc_writer *t, int16_t id, enum tc_type type);
void tc_i32(struct tc_writer *t, int16_t id, int32_t v);
void tc_i64(struct tc_writer *t, int16_t id, int64_t v);
void tc_bool(struct tc_writer *t, int16_t id, int v);
void tc_binary(struct tc_writer *t, int16_t id, const void *p, size_t n);
void tc_string(struct tc_writer *t, int16_t id, const char *s);
/* A list field of n elements of type et; the elements follow (tc_put_*,
 * or tc_struct_begin(t, 0) ... tc_struct_end for structs). */
void tc_list(struct tc_writer *t, int16_t id, enum tc_type et, uint32_t n);
/* Opens a struct field (id > 0) or a struct list element (id 0); each
 * needs its tc_struct_end, which writes the stop byte. */
void tc_struct_begin(struct tc_writer *t, int16_t id);
void tc_struct_end(struct tc_writer *t);
/* An empty struct field (the members of Parquet's unions of empty
 * structs: StringType, MilliSeconds, TypeDefinedOrder, ...). */
void tc_empty(struct tc_writer *t, int16_t id);

#endif
