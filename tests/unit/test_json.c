/* The JSON fast path, field paths and base64, checked against tables and,
 * for validity, against libjq's own parser. */
#include <jv.h>
#include <stdlib.h>

#include "base64.h"
#include "jpath.h"
#include "json.h"
#include "unit.h"

static const struct {
	const char *in;
	const char *compact; /* NULL: must be refused */
} parse_cases[] = {
	{ "{}", "{}" },
	{ " { \"a\" : 1 , \"b\" : [ 1 , 2 , { } ] } ", "{\"a\":1,\"b\":[1,2,{}]}" },
	{ "[]", "[]" },
	{ "\"x\"", "\"x\"" },
	{ "0", "0" },
	{ "-0.5e-3", "-0.5e-3" },
	{ "1E+400", "1E+400" },
	{ "123456789012345678901234567890", "123456789012345678901234567890" },
	{ "[12345678,123456789,1234567890123456,1.2345678901234567e+300]",
	  "[12345678,123456789,1234567890123456,1.2345678901234567e+300]" },
	{ "{\"a\":28.61464017,\"b\":-0.00000000001}", "{\"a\":28.61464017,\"b\":-0.00000000001}" },
	{ "true", "true" },
	{ "null", "null" },
	{ "\"\\u00e9\\ud83d\\ude00\\n\\\"\\\\\\/\"", "\"\\u00e9\\ud83d\\ude00\\n\\\"\\\\\\/\"" },
	{ "\"caf\xc3\xa9 \xf0\x9f\x98\x80\"", "\"caf\xc3\xa9 \xf0\x9f\x98\x80\"" },
	{ "{\"a\":{\"b\":{\"c\":[[[]]]}}}", "{\"a\":{\"b\":{\"c\":[[[]]]}}}" },
	{ "\t[1,\r\n2]\n", "[1,2]" },
	{ "", NULL },
	{ "{", NULL },
	{ "{\"a\"}", NULL },
	{ "{\"a\":1,}", NULL },
	{ "[1,]", NULL },
	{ "[1 2]", NULL },
	{ "01", NULL }, /* libjq accepts this and the next; RFC 8259 does not */
	{ "[1.e1]", NULL },
	{ "\"\\ud800\"", NULL }, /* lone surrogates: refused, as libjq does */
	{ "\"\\udc00\"", NULL },
	{ "\"\\ud800\\u0041\"", NULL },
	{ "1.", NULL },
	{ ".5", NULL },
	{ "-", NULL },
	{ "1e", NULL },
	{ "1234567a", NULL },
	{ "[12345678901234:]", NULL },
	{ "+1", NULL },
	{ "tru", NULL },
	{ "nul", NULL },
	{ "NaN", NULL },
	{ "'a'", NULL },
	{ "{a:1}", NULL },
	{ "\"\\x\"", NULL },
	{ "\"\\u12\"", NULL },
	{ "\"a\tb\"", NULL },
	{ "\"unterminated", NULL },
	{ "1 2", NULL },
	{ "{} x", NULL },
	{ "\"\xff\"", NULL },
	{ "\"\xc0\xaf\"", NULL },         /* overlong */
	{ "\"\xed\xa0\x80\"", NULL },     /* UTF-8 surrogate */
	{ "\"\xf4\x90\x80\x80\"", NULL }, /* above U+10FFFF */
	{ "\"\xe2\x82\"", NULL },         /* truncated */
};

static void test_parse(void)
{
	struct json_doc d;
	char err[128];

	json_doc_init(&d);
	for (size_t i = 0; i < sizeof parse_cases / sizeof *parse_cases; i++) {
		const char *in = parse_cases[i].in;
		int rc = json_parse(&d, in, strlen(in), err, sizeof err);
		if (parse_cases[i].compact)
			UNIT_STREQ(rc == 0 ? d.text.p : err,
				   parse_cases[i].compact, "parse %zu: %s", i, in);
		else
			unit_ok(rc < 0 && strncmp(err, "invalid JSON", 12) == 0,
				"refuse %zu: %s (%s)", i, in, err);
		/* json_compact: the same verdict, text and reason; no tokens. */
		char err2[128] = "";
		int rc2 = json_compact(&d, in, strlen(in), err2, sizeof err2);
		if (parse_cases[i].compact)
			unit_ok(rc2 == 0 && d.ntok == 0 &&
					strcmp(d.text.p, parse_cases[i].compact) == 0,
				"compact %zu: %s", i, in);
		else
			UNIT_STREQ(rc2 < 0 ? err2 : "accepted", err,
				   "compact refuses %zu as parse does", i);
	}
	json_doc_free(&d);
}

/* Where libjq 1.6 is strict too, both must agree on validity. */
static void test_against_libjq(void)
{
	static const char *inputs[] = {
		"{\"a\":[1,2.5,-3e2,true,false,null,\"s\"]}",
		"[[[[[[[[[[1]]]]]]]]]]", "{\"a\":1,\"a\":2}", "[1,]", "{\"a\":}",
		"[\"\\u0000\"]", "\"\\ud800\"", "[1e999]", "{\"\":\"\"}", "[",
		"{\"a\" 1}", "[-]", "\"\\u00zz\"",
	};
	struct json_doc d;
	char err[128];

	json_doc_init(&d);
	for (size_t i = 0; i < sizeof inputs / sizeof *inputs; i++) {
		const char *in = inputs[i];
		int ours = json_parse(&d, in, strlen(in), err, sizeof err) == 0;
		jv v = jv_parse(in);
		int theirs = jv_is_valid(v);
		if (ours && theirs) {
			/* Same value: compare libjq's reading of our compact text. */
			jv w = jv_parse(d.text.p);
			unit_ok(jv_equal(jv_copy(v), w), "same value as libjq: %s", in);
		} else {
			unit_ok(ours == theirs, "validity agrees with libjq: %s", in);
		}
		jv_free(v);
	}
	json_doc_free(&d);
}

static void test_tokens(void)
{
	struct json_doc d;
	char err[128];
	const char *in = "{\"a\":{\"b\":[10,{\"c\":\"x\"}]},\"d e\":2,\"\\u0066\":3}";

	json_doc_init(&d);
	unit_ok(json_parse(&d, in, strlen(in), err, sizeof err) == 0, "parse tokens");
	unit_ok(d.tok[0].type == JSON_OBJECT && d.tok[0].count == 3, "root has 3 members");
	unit_ok(d.tok[0].end == d.ntok, "root subtree covers all tokens");
	int64_t a = json_obj_get(&d, 0, "a", 1);
	unit_ok(a > 0 && d.tok[a].type == JSON_OBJECT, "get a");
	int64_t f = json_obj_get(&d, 0, "f", 1);
	unit_ok(f > 0 && d.tok[f].len == 1 && json_tok_ptr(&d, (uint32_t)f)[0] == '3',
		"escaped key found unescaped");
	unit_ok(json_obj_get(&d, 0, "zz", 2) < 0, "missing key");
	int64_t de = json_obj_get(&d, 0, "d e", 3);
	unit_ok(de > 0 && (d.tok[de].flags & JSON_F_INT), "integer flag");

	static const struct {
		const char *path, *want, *name;
	} paths[] = {
		{ ".a.b[0]", "10", "b" },
		{ ".a.b[-1].c", "\"x\"", "c" },
		{ ".a[\"b\"][1]", "{\"c\":\"x\"}", "b" },
		{ ".\"d e\"", "2", "d e" },
		{ ".f", "3", "f" },
		{ ".", NULL, "." },
		{ ".a.b | length", "2", ".a.b | length" },
		{ "n=.a.b[0]", "10", "n" },
		{ ".a.b[0] == 10", "true", ".a.b[0] == 10" },
	};
	for (size_t i = 0; i < sizeof paths / sizeof *paths; i++) {
		struct jpath *jp;
		struct jval v;
		int rc = jpath_compile(&jp, paths[i].path, JPATH_NAMED, err, sizeof err);
		unit_ok(rc == 0, "compile %s", paths[i].path);
		if (rc)
			continue;
		UNIT_STREQ(jpath_name(jp), paths[i].name, "name of %s", paths[i].path);
		rc = jpath_eval(jp, &d, &v, err, sizeof err);
		if (paths[i].want) {
			char got[64] = "";
			if (rc == 1)
				snprintf(got, sizeof got, "%.*s", (int)v.n, v.p);
			UNIT_STREQ(got, paths[i].want, "eval %s", paths[i].path);
		} else {
			unit_ok(rc == 1 && v.n == d.text.len, "eval %s is the whole", paths[i].path);
		}
		jpath_free(jp);
	}
	struct jpath *jp;
	struct jval v;
	jpath_compile(&jp, ".a.x.y", 0, err, sizeof err);
	unit_ok(jpath_eval(jp, &d, &v, err, sizeof err) == 0, "missing path is 0");
	jpath_free(jp);
	unit_ok(jpath_compile(&jp, ".a | (", 0, err, sizeof err) < 0, "bad jq refused: %s", err);
	jpath_compile(&jp, "error(\"boom\")", 0, err, sizeof err);
	unit_ok(jpath_eval(jp, &d, &v, err, sizeof err) < 0 && strstr(err, "boom"),
		"jq runtime error reported: %s", err);
	jpath_free(jp);
	json_doc_free(&d);
}

static void test_unescape_and_numbers(void)
{
	struct sbuf b = SBUF_INIT;
	const char *s = "\"a\\u00e9\\ud83d\\ude00\\t\\\"\\ud800x\"";
	double dv;
	int64_t iv;

	json_unescape(s, strlen(s), &b);
	UNIT_STREQ(b.p, "a\xc3\xa9\xf0\x9f\x98\x80\t\"\xef\xbf\xbdx", "unescape");
	sbuf_reset(&b);
	sbuf_put_jstr(&b, "a\"\\\n\x01\xc3\xa9", 7);
	UNIT_STREQ(b.p, "\"a\\\"\\\\\\n\\u0001\xc3\xa9\"", "escape");
	unit_ok(json_num_double("2.5e1", 5, &dv) == 0 && dv == 25.0, "double");
	unit_ok(json_num_i64("-9223372036854775808", 20, &iv) == 0 && iv == INT64_MIN, "i64 min");
	unit_ok(json_num_i64("9223372036854775808", 19, &iv) < 0, "i64 overflow refused");
	unit_ok(json_num_i64("1.5", 3, &iv) < 0, "i64 of a fraction refused");
	static const struct { double v; const char *s; } dbl[] = {
		{ 0.1, "0.1" }, { 28.76, "28.76" }, { 1e21, "1e+21" }, { 3, "3" },
		{ -2.5, "-2.5" }, { 1.0 / 3, "0.3333333333333333" }, { 0.0 / 0.0, "null" },
		{ 5e-324, "5e-324" }, { -1e-310, "-1e-310" }, /* subnormals */
		{ 2.2250738585072014e-308, "2.2250738585072014e-308" },
	};
	for (size_t i = 0; i < sizeof dbl / sizeof *dbl; i++) {
		sbuf_reset(&b);
		sbuf_put_double(&b, dbl[i].v);
		UNIT_STREQ(b.p, dbl[i].s, "double %s", dbl[i].s);
	}
	static const struct { float v; const char *s; } flt[] = {
		{ 0.1f, "0.1" }, { 28.76f, "28.76" }, { 3e10f, "3e+10" },
		{ 1.0f / 3, "0.33333334" }, { 1e-45f, "1e-45" }, /* subnormal */
	};
	for (size_t i = 0; i < sizeof flt / sizeof *flt; i++) {
		sbuf_reset(&b);
		sbuf_put_float(&b, flt[i].v);
		UNIT_STREQ(b.p, flt[i].s, "float %s", flt[i].s);
	}
	static const char *b64[][2] = { { "", "" }, { "f", "Zg==" }, { "fo", "Zm8=" },
					{ "foo", "Zm9v" }, { "foob", "Zm9vYg==" } };
	for (size_t i = 0; i < 5; i++) {
		sbuf_reset(&b);
		base64_encode(b64[i][0], strlen(b64[i][0]), &b);
		UNIT_STREQ(b.p ? b.p : "", b64[i][1], "base64 of '%s'", b64[i][0]);
		sbuf_reset(&b);
		unit_ok(base64_decode(b64[i][1], strlen(b64[i][1]), &b) == 0 &&
			b.len == strlen(b64[i][0]) && memcmp(b.p ? b.p : "", b64[i][0], b.len) == 0,
			"base64 decode of '%s'", b64[i][1]);
	}
	unit_ok(base64_decode("Zm9v!", 5, &b) < 0, "bad base64 refused");
	unit_ok(utf8_valid_prefix("ab\xc3\xa9\xff", 5) == 4, "utf8 prefix");
	sbuf_reset(&b);
	json_put_text(&b, "a\xff" "b\xc3\xa9\xc3", 6);
	UNIT_STREQ(b.p, "\"a\xef\xbf\xbd" "b\xc3\xa9\xef\xbf\xbd\"",
		   "text with invalid UTF-8");
	sbuf_free(&b);
}

/* File names, as sw-files' --source-field and state file write them. */
static void test_put_text(void)
{
	static const struct {
		const char *in;
		const char *want;
	} cases[] = {
		{ "a/b.ndjson", "\"a/b.ndjson\"" },
		{ "caf\xc3\xa9", "\"caf\xc3\xa9\"" },
		{ "x\xffy", "\"x\xef\xbf\xbdy\"" },
		{ "\xff\xfe", "\"\xef\xbf\xbd\xef\xbf\xbd\"" },
		{ "q\"", "\"q\\\"\"" },
	};
	struct sbuf out = SBUF_INIT;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		sbuf_reset(&out);
		json_put_text(&out, cases[i].in, strlen(cases[i].in));
		UNIT_STREQ(out.p, cases[i].want, "text %zu", i);
	}
	sbuf_free(&out);
}

static void test_depth(void)
{
	struct json_doc d;
	char err[128], *deep = malloc(2001);

	json_doc_init(&d);
	memset(deep, '[', 1000);
	memset(deep + 1000, ']', 1000);
	unit_ok(json_parse(&d, deep, 2000, err, sizeof err) < 0 && strstr(err, "deep"),
		"depth 1000 refused: %s", err);
	d.max_depth = 2000;
	unit_ok(json_parse(&d, deep, 2000, err, sizeof err) == 0 && d.ntok == 1000,
		"depth 1000 accepted when allowed");
	free(deep);
	json_doc_free(&d);
}

/* A jpath remembers where its key was found; records whose keys move,
 * repeat or are escaped must still give the first matching member. */
static void test_duplicate_keys(void)
{
	const char *in = "{\"\":1,\"k\":{\"x\":1},\"\":2,\"k\":{\"x\":2}}";
	struct json_doc d;
	char err[128];
	int64_t t;

	json_doc_init(&d);
	json_parse(&d, in, strlen(in), err, sizeof err);
	t = json_obj_get(&d, 0, "", 0);
	unit_ok(t > 0 && *json_tok_ptr(&d, (uint32_t)t) == '2', "empty key: last");
	t = json_obj_get(&d, 0, "k", 1);
	t = t > 0 ? json_obj_get(&d, (uint32_t)t, "x", 1) : -1;
	unit_ok(t > 0 && *json_tok_ptr(&d, (uint32_t)t) == '2', ".k.x: last .k");
	json_doc_free(&d);
}

static void test_remembered_lookup(void)
{
	static const struct {
		const char *in, *want;
	} recs[] = {
		{ "{\"a\":1,\"b\":2,\"t\":3}", "3" },
		{ "{\"a\":1,\"b\":2,\"t\":4}", "4" },     /* same shape */
		{ "{\"t\":5,\"a\":1,\"b\":2}", "5" },     /* moved */
		/* Of duplicate keys the last, as jq and Elasticsearch. */
		{ "{\"a\":1,\"t\":6,\"t\":7}", "7" },     /* last of two */
		{ "{\"a\":1,\"b\":2,\"t\":8}", "8" },
		{ "{\"t\":9,\"b\":2,\"t\":10}", "10" },   /* hint on the 1st */
		{ "{\"t\":9,\"b\":2,\"t\":10}", "10" },   /* hint on the 2nd */
		{ "{\"a\":1,\"\\u0074\":11,\"t\":12}", "12" }, /* escaped first */
		{ "{\"a\":1,\"t\":12,\"\\u0074\":11}", "11" }, /* escaped last */
		{ "{\"t\":1,\"b\":2,\"tt\":3,\"t\":15}", "15" },
		{ "{\"a\":{\"t\":0},\"b\":2,\"t\":13}", "13" },  /* nested */
		{ "{\"a\":1}", NULL },
		{ "[1,2,3]", NULL },
		{ "{\"ab\":1,\"tt\":2,\"t\":14}", "14" },
	};
	struct json_doc d;
	struct jpath *jp;
	struct jval v;
	char err[128];

	json_doc_init(&d);
	jpath_compile(&jp, ".t", 0, err, sizeof err);
	for (size_t i = 0; i < sizeof recs / sizeof *recs; i++) {
		char got[32] = "";
		json_parse(&d, recs[i].in, strlen(recs[i].in), err, sizeof err);
		if (jpath_eval(jp, &d, &v, err, sizeof err) == 1)
			snprintf(got, sizeof got, "%.*s", (int)v.n, v.p);
		UNIT_STREQ(got, recs[i].want ? recs[i].want : "", "remembered .t in %s",
			   recs[i].in);
	}
	jpath_free(jp);
	json_doc_free(&d);
}

/* White space anywhere: token spans point into the compact text. */
static void test_spans_after_white_space(void)
{
	const char *in = "\n{ \"a\" :\t[ 1 ,\r\n \"x y\" ] ,\n  \"b\":{ } }  ";
	struct json_doc d;
	char err[128];

	json_doc_init(&d);
	unit_ok(json_parse(&d, in, strlen(in), err, sizeof err) == 0, "parse spaced");
	UNIT_STREQ(d.text.p, "{\"a\":[1,\"x y\"],\"b\":{}}", "compact text");
	for (uint32_t i = 0; i < d.ntok; i++) {
		const char *p = json_tok_ptr(&d, i);
		int ok = d.tok[i].start + d.tok[i].len <= d.text.len;
		switch (d.tok[i].type) {
		case JSON_OBJECT: ok = ok && p[0] == '{' && p[d.tok[i].len - 1] == '}'; break;
		case JSON_ARRAY: ok = ok && p[0] == '[' && p[d.tok[i].len - 1] == ']'; break;
		case JSON_STRING: ok = ok && p[0] == '"' && p[d.tok[i].len - 1] == '"'; break;
		default: ok = ok && p[0] == '1' && d.tok[i].len == 1; break;
		}
		unit_ok(ok, "token %u spans '%.*s'", i, (int)d.tok[i].len, p);
	}
	json_doc_free(&d);
}

int main(void)
{
	test_parse();
	test_against_libjq();
	test_tokens();
	test_unescape_and_numbers();
	test_put_text();
	test_depth();
	test_remembered_lookup();
	test_duplicate_keys();
	test_spans_after_white_space();
	return unit_done();
}
