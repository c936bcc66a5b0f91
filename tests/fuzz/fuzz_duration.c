/* libFuzzer target: durations.  Must not crash on any text. */
#include <stdlib.h>
#include <string.h>

#include "duration.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	char *s = strndup((const char *)data, size);
	char err[256];
	int64_t us;

	if (duration_parse(s, &us, err, sizeof err) == 0 && us < 0)
		abort();
	duration_parse_signed(s, &us, err, sizeof err);
	free(s);
	return 0;
}
