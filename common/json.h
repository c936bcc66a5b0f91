/*
 * json: the fast path for NDJSON records.
 *
 * json_parse() validates one JSON text (RFC 8259, UTF-8 checked, depth
 * limited) in a single pass and leaves in the json_doc
 *   - text: the same value in compact form (no insignificant white space),
 *     NUL-terminated, which is what every tool writes out, and
 *   - tok: a flat array of tokens over that text, in document order.
 * A container token is followed by its children; an object's children come
 * in pairs, a STRING key token then the value's tokens.  tok[i].end is the
 * index of the first token after i's whole subtree, so a subtree is skipped
 * in O(1).  Token spans are into text: strings include their quotes and keep
 * their escapes (flag JSON_F_ESCAPED says there are some).
 *
 * There is no jv round trip and no allocation per record once the doc's
 * buffers have grown: a json_doc is reused for record after record and
 * owns its buffers until json_doc_free().
 */
#ifndef SW_JSON_H
#define SW_JSON_H

#include <stddef.h>
#include <stdint.h>

#include "sbuf.h"

enum json_type {
	JSON_NULL = 1,
	JSON_FALSE,
	JSON_TRUE,
	JSON_NUMBER,
	JSON_STRING,
	JSON_ARRAY,
	JSON_OBJECT,
};

#define JSON_F_ESCAPED 0x1 /* string: has backslash escapes */
#define JSON_F_INT 0x2     /* number: no fraction or exponent */

#define JSON_MAX_DEPTH_DEFAULT 512

struct json_tok {
	uint8_t type;
	uint8_t flags;
	uint32_t start; /* offset in text */
	uint32_t len;   /* bytes in text, quotes included */
	uint32_t end;   /* index of the first token after this subtree */
	uint32_t count; /* object members or array elements */
};

struct json_doc {
	struct sbuf text;
	struct json_tok *tok;
	uint32_t ntok;
	uint32_t cap;
	int max_depth;
};

void json_doc_init(struct json_doc *d);
void json_doc_free(struct json_doc *d);

/* Parses in[0..n) as exactly one JSON value (white space around it is
 * allowed).  Returns 0, or -1 with a one-line reason in err such as
 * "invalid JSON at byte 17: expected ',' or '}'". */
int json_parse(struct json_doc *d, const char *in, size_t n, char *err,
	       size_t errlen);

/* The same check, leaving only the compact text (d->ntok is 0): for tools
 * that pass records on whole.  About a quarter cheaper. */
int json_compact(struct json_doc *d, const char *in, size_t n, char *err,
		 size_t errlen);

/* Makes d hold the single string value s[0..n) (which must be valid UTF-8),
 * as -R/--raw-input does with a line. */
void json_doc_set_string(struct json_doc *d, const char *s, size_t n);

static inline const char *json_tok_ptr(const struct json_doc *d, uint32_t i)
{
	return d->text.p + d->tok[i].start;
}

/* Iterates the members of object token OBJ: K is the key token, K + 1 the
 * value's first token. */
#define JSON_OBJ_FOREACH(d, obj, k)                                          \
	for (uint32_t k = (obj) + 1; k < (d)->tok[obj].end;                  \
	     k = (d)->tok[k + 1].end)

/* Iterates the elements of array token ARR. */
#define JSON_ARR_FOREACH(d, arr, e)                                          \
	for (uint32_t e = (arr) + 1; e < (d)->tok[arr].end; e = (d)->tok[e].end)

/* The value token of key[0..keylen) in object token obj, or -1.  Of
 * duplicate keys the last is the value, as in jq and Elasticsearch (RFC
 * 8259 leaves it open), so that a filter and a grouping never see two
 * different values of one field. */
int64_t json_obj_get(const struct json_doc *d, uint32_t obj, const char *key,
		     size_t keylen);
/* The same, comparing member number *hint in full first and leaving there
 * the number of the member found: records of one stream mostly share their
 * key order, so a lookup that remembers costs one key comparison (other
 * members are passed over on their length and first byte). */
int64_t json_obj_find(const struct json_doc *d, uint32_t obj, const char *key,
		      size_t keylen, uint32_t *hint);
/* The value token of element idx of array token arr (negative counts from
 * the end), or -1. */
int64_t json_arr_get(const struct json_doc *d, uint32_t arr, int64_t idx);

/* "null", "boolean", "number", "string", "array" or "object". */
const char *json_type_name(enum json_type t);

/* Compares string token i with s[0..n) after unescaping. */
int json_str_eq(const struct json_doc *d, uint32_t i, const char *s, size_t n);

/*
 * Helpers on raw compact JSON text, for values that come from a json_doc
 * span or from anywhere else (a jq program's output, a file).
 */

/* Appends the unescaped bytes of the quoted JSON string p[0..n).  Text
 * json_parse has not checked is safe too: what it would refuse (a \u
 * without four hex digits, a lone surrogate) comes out as U+FFFD. */
void json_unescape(const char *p, size_t n, struct sbuf *out);
/* Number text to double / int64; -1 when not a number or out of range
 * (int64: also when not integral). */
int json_num_double(const char *p, size_t n, double *v);
int json_num_i64(const char *p, size_t n, int64_t *v);

/* Appends s[0..n) as a quoted JSON string like sbuf_put_jstr, for text of
 * unknown origin (file names, messages): each byte that is not valid UTF-8
 * becomes U+FFFD. */
void json_put_text(struct sbuf *b, const char *s, size_t n);

/* Offset of the first byte of s[0..n) that is not valid UTF-8 (overlongs,
 * surrogates and values above U+10FFFF are invalid), or n. */
size_t utf8_valid_prefix(const char *s, size_t n);

#endif
