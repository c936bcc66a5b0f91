#include "json.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "xalloc.h"

#ifdef __SSE2__
#include <emmintrin.h>
#endif

void json_doc_init(struct json_doc *d)
{
	memset(d, 0, sizeof *d);
	d->max_depth = JSON_MAX_DEPTH_DEFAULT;
}

void json_doc_free(struct json_doc *d)
{
	sbuf_free(&d->text);
	free(d->tok);
	d->tok = NULL;
	d->ntok = d->cap = 0;
}

static void grow_toks(struct json_doc *d)
{
	d->cap = d->cap ? d->cap * 2 : 64;
	d->tok = xrealloc(d->tok, d->cap * sizeof *d->tok);
}

static inline uint32_t new_tok(struct json_doc *d, int type, size_t start)
{
	if (__builtin_expect(d->ntok == d->cap, 0))
		grow_toks(d);
	struct json_tok *t = &d->tok[d->ntok];
	t->type = (uint8_t)type;
	t->flags = 0;
	t->start = (uint32_t)start;
	t->len = 0;
	t->end = d->ntok + 1;
	t->count = 0;
	return d->ntok++;
}

/* Bytes that end the fast scan of a string: '"', '\\', controls, non-ASCII. */
static const uint8_t str_stop[256] = {
	[0 ... 0x1f] = 1, ['"'] = 1, ['\\'] = 1, [0x80 ... 0xff] = 1,
};

/* Length of the UTF-8 sequence at s (at most n bytes), 0 when invalid. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		return n >= 2 && (s[1] & 0xc0) == 0x80 ? 2 : 0;
	if (c >= 0xe0 && c <= 0xef) {
		if (n < 3 || (s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80)
			return 0;
		if (c == 0xe0 && s[1] < 0xa0)
			return 0; /* overlong */
		if (c == 0xed && s[1] >= 0xa0)
			return 0; /* surrogate */
		return 3;
	}
	if (c >= 0xf0 && c <= 0xf4) {
		if (n < 4 || (s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80 ||
		    (s[3] & 0xc0) != 0x80)
			return 0;
		if (c == 0xf0 && s[1] < 0x90)
			return 0; /* overlong */
		if (c == 0xf4 && s[1] >= 0x90)
			return 0; /* above U+10FFFF */
		return 4;
	}
	return 0;
}

size_t utf8_valid_prefix(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, k;

	while (i < n) {
		if (u[i] < 0x80) {
			i++;
			continue;
		}
		k = utf8_seq(u + i, n - i);
		if (!k)
			return i;
		i += k;
	}
	return n;
}

void json_put_text(struct sbuf *b, const char *s, size_t n)
{
	size_t ok = utf8_valid_prefix(s, n);

	if (ok == n) {
		sbuf_put_jstr(b, s, n);
		return;
	}
	struct sbuf clean = SBUF_INIT;
	while (n) {
		sbuf_put(&clean, s, ok);
		sbuf_put(&clean, "\xef\xbf\xbd", 3);
		s += ok + 1;
		n -= ok + 1;
		ok = utf8_valid_prefix(s, n);
		if (ok == n) {
			sbuf_put(&clean, s, n);
			break;
		}
	}
	sbuf_put_jstr(b, clean.p, clean.len);
	sbuf_free(&clean);
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static const uint8_t ws_tab[256] = {
	[' '] = 1, ['\n'] = 1, ['\t'] = 1, ['\r'] = 1,
};

static inline int is_ws(unsigned char c)
{
	return ws_tab[c];
}

static inline int is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

/*
 * The compact text is the input with the white space between tokens left
 * out.  Most NDJSON has none, so nothing is copied while parsing: a token's
 * offset in the compact text is its input offset less the white space
 * skipped before it (shift), and the input goes to the text in segments,
 * one between each two runs of white space (seg: where the next begins),
 * or in one piece at the end.
 */
struct compact {
	char *out;
	size_t seg;
	size_t shift;
};

/* Skips the white space at s[i] (there is some) and returns the index
 * after it, copying the segment before it. */
static size_t skip_ws_copy(const unsigned char *s, size_t i, size_t n,
			   struct compact *c)
{
	size_t j = i;

	memcpy(c->out + c->seg - c->shift, s + c->seg, i - c->seg);
	while (j < n && is_ws(s[j]))
		j++;
	c->shift += j - i;
	c->seg = j;
	return j;
}

static inline size_t skip_ws(const unsigned char *s, size_t i, size_t n,
			     struct compact *c)
{
	return i < n && is_ws(s[i]) ? skip_ws_copy(s, i, n, c) : i;
}

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define JSON_SWAR 1
#define ONES 0x0101010101010101u
#define HIGHS 0x8080808080808080u

/* Non-zero in the high bit of the lowest byte of x that is '"', '\\',
 * a control character or not ASCII.  Borrows can flag bytes above a true
 * hit, never below one, and only the lowest flagged byte is used. */
static inline uint64_t str_stops(uint64_t x)
{
	uint64_t q = x ^ (ONES * '"'), b = x ^ (ONES * '\\');

	return (((q - ONES) & ~q) | ((b - ONES) & ~b) | ((x - ONES * 0x20) & ~x) |
		x) & HIGHS;
}
#endif

/* The index of the first byte at or after i that str_stop[] stops at.
 * Sixteen bytes at a time with SSE2 (every x86-64 has it), else eight. */
static inline size_t skip_plain(const unsigned char *s, size_t i, size_t n)
{
#ifdef __SSE2__
	const __m128i quote = _mm_set1_epi8('"'), bslash = _mm_set1_epi8('\\'),
		      space = _mm_set1_epi8(0x1f);

	while (i + 16 <= n) {
		__m128i x = _mm_loadu_si128((const __m128i *)(s + i));
		/* Bytes <= 0x1f: min(x, 0x1f) == x, unsigned.  Bytes >= 0x80
		 * show in the byte mask by their own high bit. */
		__m128i hit = _mm_or_si128(
			_mm_or_si128(_mm_cmpeq_epi8(x, quote),
				     _mm_cmpeq_epi8(x, bslash)),
			_mm_or_si128(_mm_cmpeq_epi8(_mm_min_epu8(x, space), x), x));
		unsigned mask = (unsigned)_mm_movemask_epi8(hit);
		if (mask)
			return i + (size_t)__builtin_ctz(mask);
		i += 16;
	}
#endif
#ifdef JSON_SWAR
	while (i + 8 <= n) {
		uint64_t x, hit;

		memcpy(&x, s + i, 8);
		hit = str_stops(x);
		if (hit)
			return i + ((size_t)__builtin_ctzll(hit) >> 3);
		i += 8;
	}
#endif
	while (i < n && !str_stop[s[i]])
		i++;
	return i;
}

/* The byte at s[i] (i < n) ends a plain run inside a string and is not
 * its closing quote: an escape, a control character or a non-ASCII byte.
 * Returns the index after what it starts, or 0 with *why set. */
static size_t string_special(const unsigned char *s, size_t i, size_t n,
			     uint8_t *flags, const char **why, size_t *at)
{
	unsigned char c = s[i];
	size_t k;

	*at = i;
	if (c == '\\') {
		*flags |= JSON_F_ESCAPED;
		if (i + 1 >= n) {
			*why = "unterminated string";
			return 0;
		}
		c = s[i + 1];
		if (c == '"' || c == '\\' || c == '/' || c == 'b' || c == 'f' ||
		    c == 'n' || c == 'r' || c == 't')
			return i + 2;
		if (c != 'u') {
			*why = "bad escape";
			return 0;
		}
		if (i + 6 > n || hexval(s[i + 2]) < 0 || hexval(s[i + 3]) < 0 ||
		    hexval(s[i + 4]) < 0 || hexval(s[i + 5]) < 0) {
			*why = "bad \\u escape";
			return 0;
		}
		uint32_t cp = (uint32_t)(hexval(s[i + 2]) << 12 |
					 hexval(s[i + 3]) << 8 |
					 hexval(s[i + 4]) << 4 | hexval(s[i + 5]));
		i += 6;
		*at = i;
		if (cp >= 0xdc00 && cp <= 0xdfff) {
			*why = "lone surrogate in \\u escape";
			return 0;
		}
		if (cp < 0xd800 || cp > 0xdbff)
			return i;
		/* A high surrogate must be followed by its low half. */
		if (i + 6 > n || s[i] != '\\' || s[i + 1] != 'u' ||
		    hexval(s[i + 2]) != 0xd || hexval(s[i + 3]) < 0xc ||
		    hexval(s[i + 4]) < 0 || hexval(s[i + 5]) < 0) {
			*why = "lone surrogate in \\u escape";
			return 0;
		}
		return i + 6;
	}
	if (c < 0x20) {
		*why = "control character in string";
		return 0;
	}
	k = utf8_seq(s + i, n - i);
	if (!k) {
		*why = "invalid UTF-8";
		return 0;
	}
	return i + k;
}

/* Scans the string whose '"' is at s[i].  Returns the index after its
 * closing quote, or 0 with *why and *at set. */
static inline size_t scan_string(const unsigned char *s, size_t i, size_t n,
				 uint8_t *flags, const char **why, size_t *at)
{
	i++;
	for (;;) {
		i = skip_plain(s, i, n);
		if (i < n && s[i] == '"')
			return i + 1;
		if (i >= n) {
			*at = n;
			*why = "unterminated string";
			return 0;
		}
		i = string_special(s, i, n, flags, why, at);
		if (!i)
			return 0;
	}
}

/* The index of the first byte at or after i that is not a digit.  Eight
 * bytes at a time: numbers are most of the bytes of sensor data. */
static inline size_t skip_digits(const unsigned char *s, size_t i, size_t n)
{
#ifdef __SSE2__
	const __m128i zero = _mm_set1_epi8('0'), nine = _mm_set1_epi8(9);

	if (i + 16 <= n) {
		__m128i x = _mm_sub_epi8(_mm_loadu_si128((const __m128i *)(s + i)),
					 zero);
		/* Digits are the bytes with x - '0' <= 9, unsigned. */
		unsigned mask = ~(unsigned)_mm_movemask_epi8(
			_mm_cmpeq_epi8(_mm_min_epu8(x, nine), x));
		if (mask & 0xffff)
			return i + (size_t)__builtin_ctz(mask);
		i += 16;
	}
#endif
#ifdef JSON_SWAR
	const uint64_t hi = 0xf0f0f0f0f0f0f0f0u, zeros = 0x3030303030303030u;

	while (i + 8 <= n) {
		uint64_t x, bad;

		memcpy(&x, s + i, 8);
		/* Non-zero in a byte that is not 0x30..0x39.  A carry out of
		 * a non-digit byte can only spoil bytes above it, and the
		 * lowest flagged byte is all that is used. */
		bad = ((x & hi) ^ zeros) | (((x + 0x0606060606060606u) & hi) ^ zeros);
		if (bad)
			return i + ((size_t)__builtin_ctzll(bad) >> 3);
		i += 8;
	}
#endif
	while (i < n && is_digit(s[i]))
		i++;
	return i;
}

/* Scans the number at s[i].  Returns the index after it, or 0 with the
 * index of the offending byte in *at. */
static inline size_t scan_number(const unsigned char *s, size_t i, size_t n,
				 uint8_t *flags, size_t *at)
{
	*flags |= JSON_F_INT;
	if (i < n && s[i] == '-')
		i++;
	if (i < n && s[i] == '0')
		i++;
	else if (i < n && s[i] >= '1' && s[i] <= '9')
		i = skip_digits(s, i + 1, n);
	else
		goto bad;
	if (i < n && s[i] == '.') {
		*flags &= (uint8_t)~JSON_F_INT;
		if (++i >= n || !is_digit(s[i]))
			goto bad;
		i = skip_digits(s, i + 1, n);
	}
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		*flags &= (uint8_t)~JSON_F_INT;
		i++;
		if (i < n && (s[i] == '+' || s[i] == '-'))
			i++;
		if (i >= n || !is_digit(s[i]))
			goto bad;
		i = skip_digits(s, i + 1, n);
	}
	return i;
bad:
	*at = i;
	return 0;
}

/* The doc's tokens while parsing, in locals the compiler can keep in
 * registers; json_parse() stores the count back at the end. */
struct toks {
	struct json_tok *tok;
	uint32_t n;
	uint32_t cap;
};

static inline uint32_t push_tok(struct json_doc *d, struct toks *k, int type,
				size_t start)
{
	if (__builtin_expect(k->n == k->cap, 0)) {
		grow_toks(d);
		k->tok = d->tok;
		k->cap = d->cap;
	}
	k->tok[k->n] = (struct json_tok){
		.type = (uint8_t)type,
		.start = (uint32_t)start,
		.end = k->n + 1,
	};
	return k->n++;
}

static void parse_error(const char *why, size_t at, size_t n, int max_depth,
			char *err, size_t errlen)
{
	if (strcmp(why, "nesting too deep") == 0)
		snprintf(err, errlen, "invalid JSON at byte %zu: nested "
			 "deeper than %d levels", at + 1, max_depth);
	else if (at >= n && strcmp(why, "no value") != 0)
		snprintf(err, errlen, "invalid JSON: %s", why);
	else
		snprintf(err, errlen, "invalid JSON at byte %zu: %s", at + 1, why);
}

/*
 * One pass over the input with the position in a register: a value, then
 * what may follow it in its container, as a small state machine.  Tokens
 * are written in document order; top is the innermost open container.
 * Without tokens (json_compact) the stack holds each open container's
 * closing byte instead; the compiler makes one copy of this per case.
 */
static inline __attribute__((always_inline)) int
parse(struct json_doc *d, const char *in, size_t n, char *err, size_t errlen,
      const int tokens)
{
	const unsigned char *s = (const unsigned char *)in;
	uint32_t stack_fixed[64], *stack = stack_fixed;
	size_t i = 0, at = 0, depth = 0, stack_cap = 64, next;
	struct compact c = { NULL, 0, 0 };
	const char *why = NULL;
	uint32_t t, top = 0;
	uint8_t close = 0; /* '}' or ']' of top */
	uint8_t no_flags; /* where flags go without tokens */
	struct toks k = { d->tok, 0, d->cap };
	int rc = -1;

	if (n >= UINT32_MAX) {
		snprintf(err, errlen, "JSON text too large");
		return -1;
	}
	d->ntok = 0;
	sbuf_reset(&d->text);
	if (d->text.cap <= n + 1)
		sbuf_grow(&d->text, n + 1);
	c.out = d->text.p;

value_ws:
	i = skip_ws(s, i, n, &c);
value:
	if (i >= n) {
		why = depth ? "unexpected end of input" : "no value";
		goto fail;
	}
	if (tokens && depth)
		k.tok[top].count++;
	switch (s[i]) {
	case '{':
	case '[':
		if (depth >= (size_t)d->max_depth) {
			why = "nesting too deep";
			goto fail;
		}
		if (depth == stack_cap) {
			stack_cap *= 2;
			if (stack == stack_fixed) {
				stack = xmalloc(stack_cap * sizeof *stack);
				memcpy(stack, stack_fixed, sizeof stack_fixed);
			} else {
				stack = xrealloc(stack, stack_cap * sizeof *stack);
			}
		}
		close = s[i] == '{' ? '}' : ']';
		if (tokens)
			top = push_tok(d, &k, close == '}' ? JSON_OBJECT : JSON_ARRAY,
				       i - c.shift);
		stack[depth++] = tokens ? top : close;
		i = skip_ws(s, i + 1, n, &c);
		if (i < n && s[i] == close)
			goto close;
		if (close == '}')
			goto key;
		goto value;
	case '"':
		t = tokens ? push_tok(d, &k, JSON_STRING, i - c.shift) : 0;
		next = scan_string(s, i, n, tokens ? &k.tok[t].flags : &no_flags,
				   &why, &at);
		break;
	case 't':
		t = tokens ? push_tok(d, &k, JSON_TRUE, i - c.shift) : 0;
		next = n - i >= 4 && memcmp(s + i, "true", 4) == 0 ? i + 4 : 0;
		break;
	case 'f':
		t = tokens ? push_tok(d, &k, JSON_FALSE, i - c.shift) : 0;
		next = n - i >= 5 && memcmp(s + i, "false", 5) == 0 ? i + 5 : 0;
		break;
	case 'n':
		t = tokens ? push_tok(d, &k, JSON_NULL, i - c.shift) : 0;
		next = n - i >= 4 && memcmp(s + i, "null", 4) == 0 ? i + 4 : 0;
		break;
	default:
		if (s[i] != '-' && !is_digit(s[i])) {
			why = "unexpected character";
			goto fail;
		}
		t = tokens ? push_tok(d, &k, JSON_NUMBER, i - c.shift) : 0;
		next = scan_number(s, i, n, tokens ? &k.tok[t].flags : &no_flags,
				   &at);
		if (!next)
			why = "bad number";
		break;
	}
	if (!next) {
		if (!why) {
			why = "invalid literal";
			at = i;
		}
		i = at;
		goto fail;
	}
	if (tokens)
		k.tok[t].len = (uint32_t)(next - i);
	i = next;
after:
	if (!depth) {
		i = skip_ws(s, i, n, &c);
		if (i != n) {
			why = "trailing characters after the value";
			goto fail;
		}
		rc = 0;
		d->ntok = tokens ? k.n : 0;
		goto out;
	}
	if (i < n && s[i] == ',') {
		i++;
		if (close != '}')
			goto value_ws;
		if (__builtin_expect(i < n && s[i] == '"', 1))
			goto key;
		i = skip_ws(s, i, n, &c);
		goto key;
	}
	if (i < n && s[i] == close)
		goto close;
	if (i < n && is_ws(s[i])) {
		i = skip_ws_copy(s, i, n, &c);
		goto after;
	}
	why = i >= n		? "unexpected end of input"
	      : close == '}' ? "expected ',' or '}'"
			     : "expected ',' or ']'";
	goto fail;
key:
	if (i >= n || s[i] != '"') {
		why = i >= n ? "unexpected end of input" : "expected a string key";
		goto fail;
	}
	t = tokens ? push_tok(d, &k, JSON_STRING, i - c.shift) : 0;
	next = scan_string(s, i, n, tokens ? &k.tok[t].flags : &no_flags, &why,
			   &at);
	if (!next) {
		i = at;
		goto fail;
	}
	if (tokens)
		k.tok[t].len = (uint32_t)(next - i);
	i = next;
	if (__builtin_expect(i >= n || s[i] != ':', 0)) {
		i = skip_ws(s, i, n, &c);
		if (i >= n || s[i] != ':') {
			why = "expected ':'";
			goto fail;
		}
	}
	i = skip_ws(s, i + 1, n, &c);
	goto value;
close:
	i++;
	if (tokens) {
		k.tok[top].end = k.n;
		k.tok[top].len = (uint32_t)(i - c.shift - k.tok[top].start);
	}
	if (--depth) {
		top = stack[depth - 1];
		close = !tokens			      ? (uint8_t)top
			: k.tok[top].type == JSON_OBJECT ? '}'
							 : ']';
	}
	goto after;
fail:
	parse_error(why, i, n, d->max_depth, err, errlen);
	d->ntok = 0;
out:
	if (stack != stack_fixed)
		free(stack);
	/* The compact text of what was read (all of it, on success). */
	memcpy(c.out + c.seg - c.shift, s + c.seg, i - c.seg);
	d->text.len = i - c.shift;
	d->text.p[d->text.len] = '\0';
	return rc;
}

int json_parse(struct json_doc *d, const char *in, size_t n, char *err,
	       size_t errlen)
{
	return parse(d, in, n, err, errlen, 1);
}

int json_compact(struct json_doc *d, const char *in, size_t n, char *err,
		 size_t errlen)
{
	return parse(d, in, n, err, errlen, 0);
}

void json_doc_set_string(struct json_doc *d, const char *s, size_t n)
{
	d->ntok = 0;
	sbuf_reset(&d->text);
	sbuf_put_jstr(&d->text, s, n);
	uint32_t t = new_tok(d, JSON_STRING, 0);
	d->tok[t].len = (uint32_t)d->text.len;
	if (memchr(d->text.p, '\\', d->text.len))
		d->tok[t].flags |= JSON_F_ESCAPED;
}

const char *json_type_name(enum json_type t)
{
	switch (t) {
	case JSON_NULL: return "null";
	case JSON_FALSE:
	case JSON_TRUE: return "boolean";
	case JSON_NUMBER: return "number";
	case JSON_STRING: return "string";
	case JSON_ARRAY: return "array";
	case JSON_OBJECT: return "object";
	}
	return "value";
}

int json_str_eq(const struct json_doc *d, uint32_t i, const char *s, size_t n)
{
	const struct json_tok *t = &d->tok[i];

	if (t->type != JSON_STRING)
		return 0;
	if (!(t->flags & JSON_F_ESCAPED))
		return t->len - 2 == n &&
		       memcmp(d->text.p + t->start + 1, s, n) == 0;
	struct sbuf tmp = SBUF_INIT;
	json_unescape(d->text.p + t->start, t->len, &tmp);
	int eq = tmp.len == n && memcmp(tmp.p, s, n) == 0;
	sbuf_free(&tmp);
	return eq;
}

/* Is key token k (unescaped) key[0..keylen)?  The common case inline. */
static inline int key_is(const struct json_doc *d, uint32_t k, const char *key,
			 size_t keylen)
{
	const struct json_tok *t = &d->tok[k];

	if (t->flags & JSON_F_ESCAPED)
		return json_str_eq(d, k, key, keylen);
	return t->len == keylen + 2 &&
	       memcmp(d->text.p + t->start + 1, key, keylen) == 0;
}

int64_t json_obj_find(const struct json_doc *d, uint32_t obj, const char *key,
		      size_t keylen, uint32_t *hint)
{
	uint32_t end = d->tok[obj].end, k, m, h = hint ? *hint : UINT32_MAX;
	uint32_t fm = 0;
	int64_t found = -1;

	if (d->tok[obj].type != JSON_OBJECT)
		return -1;
	/* The last of duplicate keys is the value, as jq and Elasticsearch
	 * take it, so every member is looked at.  Stepping over one costs a
	 * load; comparing keys is what is saved: the member found last time
	 * is compared in full, the others only when their length and first
	 * byte (or escapes) let them be the key. */
	for (k = obj + 1, m = 0; k < end; k = d->tok[k + 1].end, m++) {
		const struct json_tok *t = &d->tok[k];

		if (m != h && !(t->flags & JSON_F_ESCAPED) &&
		    (t->len != keylen + 2 ||
		     (keylen && d->text.p[t->start + 1] != key[0])))
			continue;
		if (key_is(d, k, key, keylen)) {
			found = k + 1;
			fm = m;
		}
	}
	if (hint && found >= 0)
		*hint = fm;
	return found;
}

int64_t json_obj_get(const struct json_doc *d, uint32_t obj, const char *key,
		     size_t keylen)
{
	return json_obj_find(d, obj, key, keylen, NULL);
}

int64_t json_arr_get(const struct json_doc *d, uint32_t arr, int64_t idx)
{
	if (d->tok[arr].type != JSON_ARRAY)
		return -1;
	if (idx < 0)
		idx += d->tok[arr].count;
	if (idx < 0 || idx >= d->tok[arr].count)
		return -1;
	JSON_ARR_FOREACH(d, arr, e) {
		if (idx-- == 0)
			return e;
	}
	return -1;
}

static void put_utf8(struct sbuf *out, uint32_t cp)
{
	char b[4];
	size_t n;

	if (cp < 0x80) {
		b[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		b[0] = (char)(0xc0 | cp >> 6);
		b[1] = (char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		b[0] = (char)(0xe0 | cp >> 12);
		b[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		b[2] = (char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		b[0] = (char)(0xf0 | cp >> 18);
		b[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		b[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		b[3] = (char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	sbuf_put(out, b, n);
}

/* The code point of 4 hex digits; one over 0xffff when one is not a hex
 * digit. */
static uint32_t hex4(const char *p)
{
	uint32_t v = 0;

	for (int i = 0; i < 4; i++) {
		int h = hexval((unsigned char)p[i]);
		if (h < 0)
			return 0x10000;
		v = v << 4 | (uint32_t)h;
	}
	return v;
}

void json_unescape(const char *p, size_t n, struct sbuf *out)
{
	size_t i = 1, run;

	if (n < 2)
		return;
	n--; /* closing quote */
	while (i < n) {
		for (run = i; run < n && p[run] != '\\'; run++)
			;
		sbuf_put(out, p + i, run - i);
		if (run >= n)
			break;
		char c = p[run + 1];
		i = run + 2;
		switch (c) {
		case 'b': sbuf_putc(out, '\b'); break;
		case 'f': sbuf_putc(out, '\f'); break;
		case 'n': sbuf_putc(out, '\n'); break;
		case 'r': sbuf_putc(out, '\r'); break;
		case 't': sbuf_putc(out, '\t'); break;
		case 'u': {
			if (i + 4 > n)
				return;
			uint32_t cp = hex4(p + i);
			i += 4;
			if (cp > 0xffff)
				cp = 0xfffd; /* no hex digits (json_parse refuses it) */
			if (cp >= 0xd800 && cp <= 0xdbff && i + 6 <= n &&
			    p[i] == '\\' && p[i + 1] == 'u') {
				uint32_t lo = hex4(p + i + 2);
				if (lo >= 0xdc00 && lo <= 0xdfff) {
					cp = 0x10000 + ((cp - 0xd800) << 10) +
					     (lo - 0xdc00);
					i += 6;
				}
			}
			if (cp >= 0xd800 && cp <= 0xdfff)
				cp = 0xfffd; /* a lone surrogate (json_parse refuses them) */
			put_utf8(out, cp);
			break;
		}
		default: sbuf_putc(out, c); break;
		}
	}
}

int json_num_double(const char *p, size_t n, double *v)
{
	char tmp[64], *end;
	const char *s = p;

	if (n == 0 || (p[0] != '-' && !is_digit((unsigned char)p[0])))
		return -1;
	if (n < sizeof tmp) {
		memcpy(tmp, p, n);
		tmp[n] = '\0';
		s = tmp;
	}
	errno = 0;
	*v = strtod(s, &end);
	if (end != s + n)
		return -1;
	return 0;
}

int json_num_i64(const char *p, size_t n, int64_t *v)
{
	uint64_t acc = 0;
	size_t i = 0;
	int neg = 0;

	if (n && p[0] == '-') {
		neg = 1;
		i = 1;
	}
	if (i == n)
		return -1;
	for (; i < n; i++) {
		unsigned d = (unsigned char)p[i] - '0';
		if (d > 9)
			return -1;
		if (acc > (UINT64_MAX - d) / 10)
			return -1;
		acc = acc * 10 + d;
	}
	if (neg) {
		if (acc > (uint64_t)INT64_MAX + 1)
			return -1;
		*v = (int64_t)(0 - acc);
	} else {
		if (acc > INT64_MAX)
			return -1;
		*v = (int64_t)acc;
	}
	return 0;
}
