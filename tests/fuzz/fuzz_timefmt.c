/* libFuzzer target: reading times.  Any bytes as a JSON value or as a
 * string, in every unit and with a strptime format, must not crash; a time
 * that was read must format and read back to the same millisecond. */
#include <stdlib.h>

#include "timefmt.h"

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size);

int LLVMFuzzerTestOneInput(const unsigned char *data, size_t size)
{
	struct timefmt tf = TIMEFMT_INIT;
	struct sbuf out = SBUF_INIT;
	char err[256];
	int64_t us, back;

	if (timefmt_parse_json(&tf, (const char *)data, size, &us, err,
			       sizeof err) == 0 ||
	    timefmt_parse_string(&tf, (const char *)data, size, &us, err,
				 sizeof err) == 0) {
		timefmt_format_rfc3339(&tf, us, &out);
		if (timefmt_parse_string(&tf, out.p, out.len, &back, err,
					 sizeof err) < 0 ||
		    back / 1000 != us / 1000 - (us % 1000 < 0))
			abort();
	}
	tf.format = "%a %b %d %H:%M:%S %z %Y";
	timefmt_parse_string(&tf, (const char *)data, size, &us, err, sizeof err);
	sbuf_free(&out);
	return 0;
}
