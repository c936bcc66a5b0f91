/*
 * files_rec: what sw-files adds to a record, on the compact text that
 * json.h leaves in a json_doc (no libjq, no re-parse).
 *
 * The functions append to a caller's sbuf and keep nothing.
 */
#ifndef SW_FILES_REC_H
#define SW_FILES_REC_H

#include <stddef.h>

#include "json.h"
#include "sbuf.h"

/* Appends the object d holds, open for one more member: without its
 * closing '}', and with a ',' when it has members.  A member d has under
 * key[0..keylen) is left out, so the caller can write its own, then '}'.
 * Returns 0, or -1 (nothing appended) when d is not an object. */
int files_rec_open_object(const struct json_doc *d, const char *key,
			  size_t keylen, struct sbuf *out);

#endif
