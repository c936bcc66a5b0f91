/*
 * num: strict parsing of numbers given on the command line.
 *
 * The whole string must be the number: no leading space, no trailing
 * junk, no silent wrap, and the value must lie in [min, max].
 */
#ifndef SW_NUM_H
#define SW_NUM_H

#include <stddef.h>
#include <stdint.h>

int num_parse_i64(const char *s, int64_t min, int64_t max, int64_t *v);
int num_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *v);
/* "5MB", "512k", "16MiB", "1000": bytes; k/M/G are powers of 1024 with or
 * without "i"/"B", as curl and most tools read them. */
int num_parse_size(const char *s, uint64_t min, uint64_t max, uint64_t *v);

#endif
