/*
 * avro_infer: an Avro record schema derived from sample JSON records, for
 * sw-sink-files --infer.
 *
 * Records are added one by one; each value widens what its field has held
 * so far: integers are long, other numbers double (an integer field that
 * also holds fractions becomes double), strings string, true and false
 * boolean, objects records (nested records are named after their path:
 * topLevelRecord_a_b), arrays arrays of their elements' type.  As Spark
 * infers, every field is nullable (["null", T] with default null), since
 * a later record may leave it out; a field that only ever held null is a
 * nullable string.  A field holding values of several kinds gets a union
 * of them.  Keys that are not Avro names ([A-Za-z_][A-Za-z0-9_]*) make
 * the schema fail, naming the field.
 *
 * The avro_infer owns everything it holds; avro_infer_free() releases it.
 * Nothing here prints.
 */
#ifndef SW_AVRO_INFER_H
#define SW_AVRO_INFER_H

#include <stddef.h>

#include "json.h"
#include "sbuf.h"

struct avro_infer;

struct avro_infer *avro_infer_new(void);
void avro_infer_free(struct avro_infer *a);

/* Adds the value rooted at token 0 of d (an object; anything else is
 * refused with -1 and err). */
int avro_infer_add(struct avro_infer *a, const struct json_doc *d, char *err,
		   size_t errlen);

/* Appends the schema as compact JSON.  Returns 0, or -1 with err (no
 * records, or a key that is not an Avro name). */
int avro_infer_schema(struct avro_infer *a, struct sbuf *out, char *err,
		      size_t errlen);

#endif
