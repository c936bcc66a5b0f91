/*
 * avro_decode: Avro binary datums to JSON text, with schema resolution.
 *
 * An avro_reader is compiled once from a writer schema and a reader schema
 * (the same node when there is no --reader-schema) and then decodes datum
 * after datum straight into a caller's sbuf: no avro-c values, no libjq,
 * no allocation per datum.  Compiling applies the Avro specification's
 * resolution rules (record fields by name and reader aliases, defaults for
 * missing fields, int->long->float->double and string<->bytes promotion,
 * enum symbols by name with the enum default, unions on either side, named
 * types matched by unqualified name or alias).  What cannot be resolved
 * becomes an error that is raised only when a datum reaches it, as the
 * specification says; avro_compat() lists all of them instead.
 *
 * Every length and count in the input is checked against the bytes that
 * remain before anything is allocated, nesting is limited, strings must be
 * UTF-8, so hostile bytes give an error, never a crash or unbounded memory.
 *
 * The reader keeps pointers into both schemas: they must outlive it.
 */
#ifndef SW_AVRO_DECODE_H
#define SW_AVRO_DECODE_H

#include <stddef.h>
#include <stdint.h>

#include "avro_schema.h"
#include "sbuf.h"

/* The JSON forms of --json plain|avro (sw-avro(1)). */
enum avro_json {
	AVRO_JSON_PLAIN, /* bare unions, base64 bytes, natural logical types */
	AVRO_JSON_AVRO,  /* the specification's JSON encoding */
};

struct avro_reader;

/* w: the writer's schema; r: the reader's, or NULL to read as written.
 * Returns NULL with err only when a default cannot be rendered. */
struct avro_reader *avro_reader_new(const struct avro_node *w,
				    const struct avro_node *r,
				    enum avro_json mode, char *err,
				    size_t errlen);
void avro_reader_free(struct avro_reader *rd);

/* Decodes one datum from p[0..n), appending its JSON to out.  Returns the
 * number of bytes consumed, or -1 with err such as
 * ".temp: string length 1000 exceeds the 3 bytes left" (out may then hold a
 * partial value: truncate it to where it was). */
int64_t avro_read(struct avro_reader *rd, const void *p, size_t n,
		  struct sbuf *out, char *err, size_t errlen);

/* The length of the datum at p[0..n) by the writer's schema alone, for
 * going on after a datum that cannot be resolved; -1 when the bytes are
 * not a datum (then nothing after it can be found). */
int64_t avro_skip(struct avro_reader *rd, const void *p, size_t n);

/* Appends to reasons one line per way a datum written with w could fail to
 * be read with r ("field .temp: not in the writer's schema and has no
 * default").  Returns the number of reasons (0: compatible). */
int avro_compat(const struct avro_node *w, const struct avro_node *r,
		struct sbuf *reasons);

/* NULL when v is a value of the logical type (an enum avro_logical) that
 * plain JSON can write and read back, else the range it is not in
 * ("0 to 86399999"): a time of day within one day, a date or timestamp in
 * years -99999 to +99999.  Other types: NULL. */
const char *avro_logical_range(int logical, int64_t v);
/* Formats for logical types in plain JSON.  Each returns 0, or -1 (and
 * appends nothing) for a value the encoder could not read back: a time of
 * day outside 00:00:00 to 23:59:59.999999, a date or timestamp outside
 * years -99999 to +99999. */
int avro_fmt_date(int64_t days, struct sbuf *out);
int avro_fmt_time(int64_t v, int micros, struct sbuf *out);
int avro_fmt_timestamp(int64_t v, int micros, int utc, struct sbuf *out);
/* Append a float or double as the shortest text that reads back as the
 * same value: -0.0 with its sign, NaN and the infinities as the strings
 * "NaN", "Infinity" and "-Infinity" (Avro's JSON encoding of them). */
void avro_fmt_float(float f, struct sbuf *out);
void avro_fmt_double(double d, struct sbuf *out);

#endif
