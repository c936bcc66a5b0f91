/* libFuzzer target: Avro object container files.  The bytes are a file
 * (in a memfd): the header, the schema it carries (parsed as sw-avro does),
 * then block after block with every datum decoded.  Whatever the bytes,
 * nothing may crash, and memory must stay bounded: a block's length or
 * count in the file is never trusted before its bytes arrive. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "avro_decode.h"
#include "avro_ocf.h"

/* Undefined behaviour stops the run, as in the bats suite. */
const char *__ubsan_default_options(void);
const char *__ubsan_default_options(void)
{
	return "halt_on_error=1:print_stacktrace=1";
}

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	struct avro_ocf *f;
	struct avro_schema *ws;
	struct avro_reader *rd;
	struct sbuf out = SBUF_INIT;
	const uint8_t *blk;
	const char *sj;
	size_t len, sl, done = 0;
	uint64_t count;
	char err[1024];
	int fd;

	fd = memfd_create("fuzz_avro_ocf", 0);
	if (fd < 0)
		abort();
	while (done < size) {
		ssize_t w = write(fd, data + done, size - done);
		if (w <= 0)
			abort();
		done += (size_t)w;
	}
	lseek(fd, 0, SEEK_SET);
	if (avro_ocf_open(&f, fd, err, sizeof err) < 0) {
		close(fd);
		return 0;
	}
	sj = avro_ocf_schema(f, &sl);
	ws = sj ? avro_schema_parse(sj, sl, err, sizeof err) : NULL;
	rd = ws ? avro_reader_new(ws->root, NULL, AVRO_JSON_PLAIN, err,
				  sizeof err) : NULL;
	while (avro_ocf_next(f, &blk, &len, &count, err, sizeof err) > 0) {
		size_t off = 0;

		if (!rd)
			continue;
		/* A datum can be empty (null): stop at a sane number. */
		for (uint64_t i = 0; i < count && i < 100000; i++) {
			int64_t used;

			sbuf_reset(&out);
			used = avro_read(rd, blk + off, len - off, &out, err,
					 sizeof err);
			if (used < 0)
				break;
			off += (size_t)used;
		}
		if (off > len)
			abort();
	}
	sbuf_free(&out);
	avro_reader_free(rd);
	avro_schema_free(ws);
	avro_ocf_close(f);
	close(fd);
	return 0;
}
