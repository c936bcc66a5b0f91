/*
 * avro_encode: JSON values to Avro binary datums.
 *
 * An avro_writer encodes json.h tokens straight into a caller's sbuf by
 * walking the schema: no avro-c values, no libjq per record.  Three input
 * forms:
 *   - AVRO_IN_PLAIN: sw's plain JSON.  A union takes the branch the value
 *     fits (exact kinds first: an integer goes to int/long before double,
 *     an object to a record whose fields it fits), bytes and fixed are
 *     base64, logical types may be given naturally ("2021-12-12", RFC 3339
 *     timestamps, "12:16:50.123", decimal as a number or number string), a
 *     missing field takes its default, or null when its type allows null.
 *   - AVRO_IN_AVRO: the specification's JSON encoding ({"string":"x"},
 *     bytes as code points U+0000..U+00FF).
 *   - AVRO_IN_DEFAULT: the form of schema defaults (a union's value is its
 *     first branch's; bytes as code points).
 * A value that does not fit gives -1 and an error naming the field and the
 * expected type: ".sendtime: expected long or null, got string \"x\"".
 *
 * The writer keeps a pointer to the schema node, which must outlive it.
 */
#ifndef SW_AVRO_ENCODE_H
#define SW_AVRO_ENCODE_H

#include <stddef.h>
#include <stdint.h>

#include "avro_schema.h"
#include "json.h"
#include "sbuf.h"

enum avro_json_in { AVRO_IN_PLAIN, AVRO_IN_AVRO, AVRO_IN_DEFAULT };

struct avro_writer;

struct avro_writer *avro_writer_new(const struct avro_node *n,
				    enum avro_json_in mode);
void avro_writer_free(struct avro_writer *w);

/* Appends the datum for the value rooted at token tok of d.  Returns 0, or
 * -1 with err (out is then restored to its length on entry). */
int avro_write(struct avro_writer *w, const struct json_doc *d, uint32_t tok,
	       struct sbuf *out, char *err, size_t errlen);
/* The same for JSON text. */
int avro_write_text(struct avro_writer *w, const char *json, size_t n,
		    struct sbuf *out, char *err, size_t errlen);

/* Appends Avro's zig-zag varint of v. */
void avro_put_long(struct sbuf *out, int64_t v);

#endif
