/* Unit tests for common/files_read, files_rec and files_state. */
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include "files_read.h"
#include "files_rec.h"
#include "files_state.h"
#include "json.h"
#include "sbuf.h"
#include "unit.h"

static char tmpdir[] = "/tmp/test_files.XXXXXX";

static char *tmp_path(const char *name)
{
	static char buf[256];

	snprintf(buf, sizeof(buf), "%s/%s", tmpdir, name);
	return buf;
}

static void write_file(const char *name, const void *p, size_t n)
{
	FILE *f = fopen(tmp_path(name), "wb");

	fwrite(p, 1, n, f);
	fclose(f);
}

static void gz_member(struct sbuf *b, const char *s)
{
	z_stream z = { 0 };
	char out[4096];

	deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
	z.next_in = (Bytef *)s;
	z.avail_in = (uInt)strlen(s);
	z.next_out = (Bytef *)out;
	z.avail_out = sizeof(out);
	deflate(&z, Z_FINISH);
	sbuf_put(b, out, sizeof(out) - z.avail_out);
	deflateEnd(&z);
}

static void zst_frame(struct sbuf *b, const char *s)
{
	char out[4096];
	size_t n = ZSTD_compress(out, sizeof(out), s, strlen(s), 3);

	sbuf_put(b, out, n);
}

/* Reads name from offset/lineno and describes what came out:
 * "N:line|..." then ";off=O;pend=P" or ";err=REASON". */
static void read_all(const char *name, enum files_kind kind, uint64_t offset,
		     uint64_t lineno, int final, size_t max_line,
		     struct sbuf *got)
{
	struct files_reader *r = files_reader_new(max_line, NULL);
	char err[256];
	const char *line;
	size_t len;
	enum files_rc rc;
	int fd = open(tmp_path(name), O_RDONLY);

	sbuf_reset(got);
	if (files_reader_open(r, fd, kind, offset, lineno, final, err,
			      sizeof(err)) < 0) {
		sbuf_printf(got, "open:%s", err);
		goto out;
	}
	while ((rc = files_reader_next(r, &line, &len, err, sizeof(err))) != FILES_EOF) {
		if (rc == FILES_ERR) {
			sbuf_printf(got, ";err=%s", err);
			goto out;
		}
		if (rc == FILES_TOOLONG)
			sbuf_printf(got, "%llu:TOOLONG(%.*s)|",
				    (unsigned long long)files_reader_lineno(r),
				    (int)len, line);
		else
			sbuf_printf(got, "%llu:%.*s|",
				    (unsigned long long)files_reader_lineno(r),
				    (int)len, line);
	}
	sbuf_printf(got, ";off=%llu;pend=%zu",
		    (unsigned long long)files_reader_offset(r),
		    files_reader_pending(r));
out:
	close(fd);
	files_reader_free(r);
}

static void test_kind(void)
{
	static const struct {
		const char *name;
		enum files_kind kind;
	} cases[] = {
		{ "a.ndjson", FILES_PLAIN }, { "a.gz", FILES_GZIP },
		{ "a.ndjson.gz", FILES_GZIP }, { "a.zst", FILES_ZSTD },
		{ ".gz", FILES_PLAIN },      { "a.gzip", FILES_PLAIN },
		{ "zst", FILES_PLAIN },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		unit_ok(files_kind_of(cases[i].name) == cases[i].kind,
			"files_kind_of(%s)", cases[i].name);
}

static void test_plain(void)
{
	static const struct {
		const char *text;
		uint64_t offset, lineno;
		int final;
		size_t max_line;
		const char *want;
	} cases[] = {
		{ "a\nb\n", 0, 0, 0, 100, "1:a|2:b|;off=4;pend=0" },
		{ "a\r\n\n  \nb\n", 0, 0, 0, 100, "1:a|4:b|;off=9;pend=0" },
		{ "a\nbc", 0, 0, 0, 100, "1:a|;off=2;pend=2" },
		{ "a\nbc", 0, 0, 1, 100, "1:a|2:bc|;off=4;pend=0" },
		{ "a\nbc\r", 0, 0, 1, 100, "1:a|2:bc|;off=5;pend=0" },
		{ "a\nb\nc\n", 2, 1, 0, 100, "2:b|3:c|;off=6;pend=0" },
		{ "", 0, 0, 0, 100, ";off=0;pend=0" },
		{ "abcdef\nab\nabcdefgh\nx\n", 0, 0, 0, 3,
		  "1:TOOLONG(abc)|2:ab|3:TOOLONG(abc)|4:x|;off=21;pend=0" },
		{ "ab\nabcdefgh", 0, 0, 0, 3, "1:ab|;off=3;pend=8" },
		{ "ab\nabcdefgh", 0, 0, 1, 3, "1:ab|2:TOOLONG(abc)|;off=11;pend=0" },
		/* Reported before its end in a final file, at it otherwise. */
		{ "ab\nabcdefgh\ncd\n", 0, 0, 1, 3,
		  "1:ab|2:TOOLONG(abc)|3:cd|;off=15;pend=0" },
		{ "abc\r\n", 0, 0, 0, 3, "1:abc|;off=5;pend=0" },
	};
	struct sbuf got = SBUF_INIT;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		write_file("plain", cases[i].text, strlen(cases[i].text));
		read_all("plain", FILES_PLAIN, cases[i].offset, cases[i].lineno,
			 cases[i].final, cases[i].max_line, &got);
		UNIT_STREQ(got.p, cases[i].want, "plain case %zu", i);
	}
	sbuf_free(&got);
}

static void test_long_lines(void)
{
	/* Lines across many buffer fills and a line as long as max_line. */
	struct sbuf text = SBUF_INIT, got = SBUF_INIT, want = SBUF_INIT;
	size_t big = 3u << 20;

	for (size_t i = 0; i < big; i++)
		sbuf_putc(&text, (char)('a' + i % 26));
	sbuf_puts(&text, "\nshort\n");
	write_file("long", text.p, text.len);
	read_all("long", FILES_PLAIN, 0, 0, 0, big, &got);
	sbuf_printf(&want, "1:%.*s|2:short|;off=%zu;pend=0", (int)big, text.p,
		    text.len);
	unit_ok(got.len == want.len && memcmp(got.p, want.p, got.len) == 0,
		"a 3 MiB line at max_line is a line");
	read_all("long", FILES_PLAIN, 0, 0, 0, big - 1, &got);
	sbuf_reset(&want);
	sbuf_printf(&want, "1:TOOLONG(%.*s)|2:short|;off=%zu;pend=0",
		    64 << 10, text.p, text.len);
	UNIT_STREQ(got.p, want.p, "a 3 MiB line over max_line is skipped");
	/* In a final file, reported once it passes max_line. */
	read_all("long", FILES_PLAIN, 0, 0, 1, 1000, &got);
	sbuf_reset(&want);
	sbuf_printf(&want, "1:TOOLONG(%.*s)|2:short|;off=%zu;pend=0", 1000,
		    text.p, text.len);
	UNIT_STREQ(got.p, want.p, "reported at the limit in a final file");
	sbuf_free(&text);
	sbuf_free(&got);
	sbuf_free(&want);
}

static void test_compressed(void)
{
	struct sbuf gz = SBUF_INIT, zs = SBUF_INIT, got = SBUF_INIT;

	gz_member(&gz, "a\nb\n");
	gz_member(&gz, "c\nd");
	write_file("x.gz", gz.p, gz.len);
	read_all("x.gz", FILES_GZIP, 0, 0, 1, 100, &got);
	UNIT_STREQ(got.p, "1:a|2:b|3:c|4:d|;off=7;pend=0", "gzip, two members");
	read_all("x.gz", FILES_GZIP, 4, 2, 1, 100, &got);
	UNIT_STREQ(got.p, "3:c|4:d|;off=7;pend=0", "gzip from an offset");
	write_file("cut.gz", gz.p, gz.len - 5);
	read_all("cut.gz", FILES_GZIP, 0, 0, 1, 100, &got);
	UNIT_STREQ(got.p, "1:a|2:b|3:c|;err=gzip: unexpected end of file",
		   "gzip cut short");
	write_file("bad.gz", "hello\n", 6);
	read_all("bad.gz", FILES_GZIP, 0, 0, 1, 100, &got);
	UNIT_STREQ(got.p, ";err=gzip: incorrect header check", "not gzip");
	write_file("empty.gz", "", 0);
	read_all("empty.gz", FILES_GZIP, 0, 0, 1, 100, &got);
	UNIT_STREQ(got.p, ";off=0;pend=0", "an empty .gz is empty");

	zst_frame(&zs, "a\nb\n");
	zst_frame(&zs, "c\n");
	write_file("x.zst", zs.p, zs.len);
	read_all("x.zst", FILES_ZSTD, 0, 0, 1, 100, &got);
	UNIT_STREQ(got.p, "1:a|2:b|3:c|;off=6;pend=0", "zstd, two frames");
	read_all("x.zst", FILES_ZSTD, 2, 1, 1, 100, &got);
	UNIT_STREQ(got.p, "2:b|3:c|;off=6;pend=0", "zstd from an offset");
	write_file("cut.zst", zs.p, zs.len - 3);
	read_all("cut.zst", FILES_ZSTD, 0, 0, 1, 100, &got);
	unit_ok(strstr(got.p, ";err=zstd: ") != NULL, "zstd cut short: %s", got.p);
	sbuf_free(&gz);
	sbuf_free(&zs);
	sbuf_free(&got);
}

static void test_open_object(void)
{
	static const struct {
		const char *in;
		const char *want;
	} cases[] = {
		{ "{}", "{\"s\":1}" },
		{ "{\"a\":1}", "{\"a\":1,\"s\":1}" },
		{ "{\"s\":[1,2]}", "{\"s\":1}" },
		{ "{\"s\":{\"x\":[1]},\"b\":2}", "{\"b\":2,\"s\":1}" },
		{ "{\"a\":{\"s\":2},\"s\":\"x\",\"c\":[{}]}",
		  "{\"a\":{\"s\":2},\"c\":[{}],\"s\":1}" },
		{ " { \"a\" : 1 } ", "{\"a\":1,\"s\":1}" },
		{ "[1]", NULL },
		{ "\"s\"", NULL },
	};
	struct json_doc d;
	struct sbuf out = SBUF_INIT;
	char err[128];

	json_doc_init(&d);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		sbuf_reset(&out);
		json_parse(&d, cases[i].in, strlen(cases[i].in), err, sizeof(err));
		int rc = files_rec_open_object(&d, "s", 1, &out);
		if (rc == 0)
			sbuf_puts(&out, "\"s\":1}");
		if (!cases[i].want)
			unit_ok(rc == -1, "open_object refuses %s", cases[i].in);
		else
			UNIT_STREQ(rc == 0 ? out.p : "(refused)", cases[i].want,
				   "open_object to %s", cases[i].in);
	}
	json_doc_free(&d);
	sbuf_free(&out);
}

static void test_state(void)
{
	struct files_table t = { 0 }, u = { 0 };
	char err[256];
	char *path = strdup(tmp_path("state"));

	struct files_entry *e = files_table_add(&t, "a \"b\".ndjson", 42);
	e->size = 100;
	e->mtime_ns = 1639277668791000000;
	e->offset = 90;
	e->lines = 7;
	e->head_len = 90;
	e->head = 0xfedcba9876543210ULL;
	files_table_add(&t, "new", 43);
	unit_ok(files_state_save(&t, path, err, sizeof(err)) == 0, "state saved");
	unit_ok(files_state_load(&u, path, err, sizeof(err)) == 0, "state loaded");
	unit_ok(u.n == 2, "two entries back");
	e = files_table_find(&u, 42);
	unit_ok(e && strcmp(e->name, "a \"b\".ndjson") == 0 && e->size == 100 &&
			e->mtime_ns == 1639277668791000000 && e->offset == 90 &&
			e->lines == 7 && e->head_len == 90 &&
			e->head == 0xfedcba9876543210ULL && e->fd == -1,
		"entry round trip");
	e = files_table_find(&u, 43);
	unit_ok(e && e->offset == 0 && e->mtime_ns == -1, "fresh entry round trip");
	files_table_free(&u);

	unit_ok(files_state_load(&u, tmp_path("none"), err, sizeof(err)) == 0 &&
			u.n == 0,
		"a missing state file is an empty state");
	static const char *bad[] = {
		"", "[]", "{\"files\":{}}", "{\"files\":[1]}",
		"{\"files\":[{\"name\":\"a\"}]}",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		write_file("badstate", bad[i], strlen(bad[i]));
		int rc = files_state_load(&u, tmp_path("badstate"), err, sizeof(err));
		unit_ok(rc == -2 && strstr(err, ": not a state file") != NULL,
			"bad state '%s': %s", bad[i], err);
		files_table_free(&u);
	}
	files_table_free(&t);
	free(path);
}

static void test_table(void)
{
	struct files_table t = { 0 };
	char name[32];
	int ok = 1;

	for (uint64_t i = 0; i < 1000; i++) {
		snprintf(name, sizeof(name), "f%llu", (unsigned long long)i);
		files_table_add(&t, name, i * 4096 + 7);
		if (i % 7 == 0)
			ok &= files_table_find(&t, i * 4096 + 7) != NULL;
	}
	for (uint64_t i = 0; i < 1000; i++) {
		struct files_entry *e = files_table_find(&t, i * 4096 + 7);
		snprintf(name, sizeof(name), "f%llu", (unsigned long long)i);
		ok &= e && strcmp(e->name, name) == 0;
	}
	unit_ok(ok, "1000 entries found by inode");
	for (size_t i = t.n; i-- > 0;)
		if (t.v[i].ino % 3 == 0)
			files_table_remove(&t, i);
	ok = 1;
	for (uint64_t i = 0; i < 1000; i++) {
		uint64_t ino = i * 4096 + 7;
		struct files_entry *e = files_table_find(&t, ino);
		ok &= ino % 3 == 0 ? e == NULL : (e && e->ino == ino);
	}
	unit_ok(ok, "found by inode after removals");
	unit_ok(files_table_find(&t, 1) == NULL, "an unknown inode is not found");
	files_table_free(&t);
}

int main(void)
{
	if (!mkdtemp(tmpdir))
		return 1;
	test_kind();
	test_plain();
	test_long_lines();
	test_compressed();
	test_open_object();
	test_state();
	test_table();
	char cmd[300];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		return 1;
	return unit_done();
}
