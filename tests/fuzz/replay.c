/* Runs a fuzz target once over each input file: `make fuzz-regress`
 * replays the committed corpora through the ASan+UBSan build this way, so
 * `make check` needs no second (clang, libFuzzer) build of the tree.  A
 * crash, a sanitizer report or an abort() in the target fails the run;
 * `make fuzz` still links the same targets with libFuzzer to search for
 * new inputs. */
#include <stdio.h>

#include "file.h"
#include "sbuf.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int main(int argc, char **argv)
{
	struct sbuf b = SBUF_INIT;
	char err[512];

	for (int i = 1; i < argc; i++) {
		int rc;

		sbuf_reset(&b);
		rc = file_read_all(argv[i], (size_t)1 << 26, &b, err, sizeof err);
		if (rc != 0) {
			fprintf(stderr, "replay: %s\n",
				rc > 0 ? "no such file" : err);
			return 1;
		}
		LLVMFuzzerTestOneInput((const unsigned char *)b.p, b.len);
	}
	sbuf_free(&b);
	return 0;
}
