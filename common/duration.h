/*
 * duration: lengths of time as users write them (sw(7), DURATIONS):
 * "500ms", "10s", "5m", "2h", "1d", combinations such as "1h30m", and
 * Spark's words: "10 seconds", "2 minutes", "1 hour", "1 day", "100
 * milliseconds", "5 microseconds".  The result is in microseconds.
 */
#ifndef SW_DURATION_H
#define SW_DURATION_H

#include <stddef.h>
#include <stdint.h>

/* Returns 0 with *us (>= 0), or -1 with a reason in err. */
int duration_parse(const char *s, int64_t *us, char *err, size_t errlen);
/* Same, also accepting a leading '-' (window offsets). */
int duration_parse_signed(const char *s, int64_t *us, char *err,
			  size_t errlen);

#endif
