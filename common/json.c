#include "json.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "xalloc.h"

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

static uint32_t new_tok(struct json_doc *d, int type, size_t start)
{
	if (d->ntok == d->cap) {
		d->cap = d->cap ? d->cap * 2 : 64;
		d->tok = xrealloc(d->tok, d->cap * sizeof *d->tok);
	}
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

struct parser {
	const unsigned char *s;
	size_t n;
	size_t i;
	char *out; /* compact text being written */
	size_t o;
	const char *why;
};

static inline void skip_ws(struct parser *p)
{
	while (p->i < p->n) {
		unsigned char c = p->s[p->i];
		if (c != ' ' && c != '\n' && c != '\t' && c != '\r')
			break;
		p->i++;
	}
}

/* Scans the string starting at the '"' at p->i and copies it. */
static int scan_string(struct parser *p, uint8_t *flags)
{
	size_t start = p->i++, k;

	for (;;) {
		while (p->i < p->n && !str_stop[p->s[p->i]])
			p->i++;
		if (p->i >= p->n) {
			p->why = "unterminated string";
			return -1;
		}
		unsigned char c = p->s[p->i];
		if (c == '"') {
			p->i++;
			break;
		}
		if (c == '\\') {
			*flags |= JSON_F_ESCAPED;
			if (p->i + 1 >= p->n) {
				p->why = "unterminated string";
				return -1;
			}
			c = p->s[p->i + 1];
			if (c == 'u') {
				if (p->i + 6 > p->n || hexval(p->s[p->i + 2]) < 0 ||
				    hexval(p->s[p->i + 3]) < 0 ||
				    hexval(p->s[p->i + 4]) < 0 ||
				    hexval(p->s[p->i + 5]) < 0) {
					p->why = "bad \\u escape";
					return -1;
				}
				uint32_t cp = (uint32_t)(hexval(p->s[p->i + 2]) << 12 |
							 hexval(p->s[p->i + 3]) << 8 |
							 hexval(p->s[p->i + 4]) << 4 |
							 hexval(p->s[p->i + 5]));
				p->i += 6;
				if (cp >= 0xdc00 && cp <= 0xdfff) {
					p->why = "lone surrogate in \\u escape";
					return -1;
				}
				if (cp >= 0xd800 && cp <= 0xdbff) {
					/* Must be followed by its low half. */
					if (p->i + 6 > p->n || p->s[p->i] != '\\' ||
					    p->s[p->i + 1] != 'u' ||
					    hexval(p->s[p->i + 2]) != 0xd ||
					    hexval(p->s[p->i + 3]) < 0xc ||
					    hexval(p->s[p->i + 4]) < 0 ||
					    hexval(p->s[p->i + 5]) < 0) {
						p->why = "lone surrogate in \\u escape";
						return -1;
					}
					p->i += 6;
				}
			} else if (c == '"' || c == '\\' || c == '/' || c == 'b' ||
				   c == 'f' || c == 'n' || c == 'r' || c == 't') {
				p->i += 2;
			} else {
				p->why = "bad escape";
				return -1;
			}
			continue;
		}
		if (c < 0x20) {
			p->why = "control character in string";
			return -1;
		}
		k = utf8_seq(p->s + p->i, p->n - p->i);
		if (!k) {
			p->why = "invalid UTF-8";
			return -1;
		}
		p->i += k;
	}
	memcpy(p->out + p->o, p->s + start, p->i - start);
	p->o += p->i - start;
	return 0;
}

static inline int is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

/* The index of the first byte at or after i that is not a digit.  Eight
 * bytes at a time: numbers are most of the bytes of sensor data. */
static inline size_t skip_digits(const unsigned char *s, size_t i, size_t n)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
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

static int scan_number(struct parser *p, uint8_t *flags)
{
	size_t start = p->i;
	const unsigned char *s = p->s;
	size_t n = p->n;

	*flags |= JSON_F_INT;
	if (p->i < n && s[p->i] == '-')
		p->i++;
	if (p->i < n && s[p->i] == '0') {
		p->i++;
	} else if (p->i < n && s[p->i] >= '1' && s[p->i] <= '9') {
		p->i = skip_digits(s, p->i + 1, n);
	} else {
		p->why = "bad number";
		return -1;
	}
	if (p->i < n && s[p->i] == '.') {
		*flags &= (uint8_t)~JSON_F_INT;
		p->i++;
		if (p->i >= n || !is_digit(s[p->i])) {
			p->why = "bad number";
			return -1;
		}
		p->i = skip_digits(s, p->i + 1, n);
	}
	if (p->i < n && (s[p->i] == 'e' || s[p->i] == 'E')) {
		*flags &= (uint8_t)~JSON_F_INT;
		p->i++;
		if (p->i < n && (s[p->i] == '+' || s[p->i] == '-'))
			p->i++;
		if (p->i >= n || !is_digit(s[p->i])) {
			p->why = "bad number";
			return -1;
		}
		while (p->i < n && is_digit(s[p->i]))
			p->i++;
	}
	memcpy(p->out + p->o, s + start, p->i - start);
	p->o += p->i - start;
	return 0;
}

static int scan_literal(struct parser *p, const char *word, size_t len)
{
	if (p->n - p->i < len || memcmp(p->s + p->i, word, len) != 0) {
		p->why = "invalid literal";
		return -1;
	}
	memcpy(p->out + p->o, word, len);
	p->o += len;
	p->i += len;
	return 0;
}

int json_parse(struct json_doc *d, const char *in, size_t n, char *err,
	       size_t errlen)
{
	struct parser p = { (const unsigned char *)in, n, 0, NULL, 0, NULL };
	uint32_t stack_fixed[64];
	uint32_t *stack = stack_fixed;
	size_t depth = 0, stack_cap = 64;
	uint32_t t;
	int rc = -1;

	if (n >= UINT32_MAX) {
		snprintf(err, errlen, "JSON text too large");
		return -1;
	}
	d->ntok = 0;
	sbuf_reset(&d->text);
	if (d->text.cap <= n + 1)
		sbuf_grow(&d->text, n + 1);
	p.out = d->text.p;

	skip_ws(&p);
value:
	if (p.i >= p.n) {
		p.why = depth ? "unexpected end of input" : "no value";
		goto out;
	}
	if (depth)
		d->tok[stack[depth - 1]].count++;
	switch (p.s[p.i]) {
	case '{':
	case '[':
		if (depth >= (size_t)d->max_depth) {
			p.why = "nesting too deep";
			goto out;
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
		t = new_tok(d, p.s[p.i] == '{' ? JSON_OBJECT : JSON_ARRAY, p.o);
		stack[depth++] = t;
		p.out[p.o++] = (char)p.s[p.i++];
		skip_ws(&p);
		if (p.i < p.n && p.s[p.i] == (d->tok[t].type == JSON_OBJECT ? '}' : ']'))
			goto close;
		if (d->tok[t].type == JSON_OBJECT)
			goto key;
		goto value;
	case '"':
		t = new_tok(d, JSON_STRING, p.o);
		if (scan_string(&p, &d->tok[t].flags) < 0)
			goto out;
		break;
	case 't':
		t = new_tok(d, JSON_TRUE, p.o);
		if (scan_literal(&p, "true", 4) < 0)
			goto out;
		break;
	case 'f':
		t = new_tok(d, JSON_FALSE, p.o);
		if (scan_literal(&p, "false", 5) < 0)
			goto out;
		break;
	case 'n':
		t = new_tok(d, JSON_NULL, p.o);
		if (scan_literal(&p, "null", 4) < 0)
			goto out;
		break;
	default:
		if (p.s[p.i] != '-' && !is_digit(p.s[p.i])) {
			p.why = "unexpected character";
			goto out;
		}
		t = new_tok(d, JSON_NUMBER, p.o);
		if (scan_number(&p, &d->tok[t].flags) < 0)
			goto out;
		break;
	}
	d->tok[t].len = (uint32_t)(p.o - d->tok[t].start);
after:
	skip_ws(&p);
	if (!depth) {
		if (p.i != p.n) {
			p.why = "trailing characters after the value";
			goto out;
		}
		rc = 0;
		goto out;
	}
	t = stack[depth - 1];
	if (p.i >= p.n) {
		p.why = "unexpected end of input";
		goto out;
	}
	if (p.s[p.i] == ',') {
		p.out[p.o++] = ',';
		p.i++;
		skip_ws(&p);
		if (d->tok[t].type == JSON_OBJECT)
			goto key;
		goto value;
	}
	if (p.s[p.i] == (d->tok[t].type == JSON_OBJECT ? '}' : ']'))
		goto close;
	p.why = d->tok[t].type == JSON_OBJECT ? "expected ',' or '}'" :
						"expected ',' or ']'";
	goto out;
key:
	if (p.i >= p.n || p.s[p.i] != '"') {
		p.why = p.i >= p.n ? "unexpected end of input" :
				     "expected a string key";
		goto out;
	}
	{
		uint32_t k = new_tok(d, JSON_STRING, p.o);
		if (scan_string(&p, &d->tok[k].flags) < 0)
			goto out;
		d->tok[k].len = (uint32_t)(p.o - d->tok[k].start);
	}
	skip_ws(&p);
	if (p.i >= p.n || p.s[p.i] != ':') {
		p.why = "expected ':'";
		goto out;
	}
	p.out[p.o++] = ':';
	p.i++;
	skip_ws(&p);
	goto value;
close:
	t = stack[--depth];
	p.out[p.o++] = (char)p.s[p.i++];
	d->tok[t].end = d->ntok;
	d->tok[t].len = (uint32_t)(p.o - d->tok[t].start);
	goto after;
out:
	if (stack != stack_fixed)
		free(stack);
	d->text.len = p.o;
	d->text.p[p.o] = '\0';
	if (rc < 0) {
		if (p.why && strcmp(p.why, "nesting too deep") == 0)
			snprintf(err, errlen, "invalid JSON at byte %zu: nested "
				 "deeper than %d levels", p.i + 1, d->max_depth);
		else if (p.i >= p.n && p.why && strcmp(p.why, "no value") != 0)
			snprintf(err, errlen, "invalid JSON: %s", p.why);
		else
			snprintf(err, errlen, "invalid JSON at byte %zu: %s",
				 p.i + 1, p.why ? p.why : "syntax error");
		d->ntok = 0;
	}
	return rc;
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

int64_t json_obj_get(const struct json_doc *d, uint32_t obj, const char *key,
		     size_t keylen)
{
	if (d->tok[obj].type != JSON_OBJECT)
		return -1;
	JSON_OBJ_FOREACH(d, obj, k) {
		if (json_str_eq(d, k, key, keylen))
			return k + 1;
	}
	return -1;
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

static uint32_t hex4(const char *p)
{
	return (uint32_t)(hexval(p[0]) << 12 | hexval(p[1]) << 8 |
			  hexval(p[2]) << 4 | hexval(p[3]));
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
