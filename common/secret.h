/*
 * secret: passwords and keys, read from a file or the environment (never
 * from the command line), and kept out of core dumps.
 *
 * secret_read_file() and secret_from_env() return a copy the caller owns
 * and frees with secret_free(), which clears it first.  Whenever a secret
 * is taken, the process is made non-dumpable (PR_SET_DUMPABLE 0) for the
 * rest of its life: a secret lives on in copies this module does not own
 * (libcurl's, libmosquitto's, librdkafka's, the environment), which
 * MADV_DONTDUMP on one buffer could not cover.  Error messages name the
 * file, never what it holds.
 */
#ifndef SW_SECRET_H
#define SW_SECRET_H

#include <stddef.h>

/* The first line of path, without its line end.  Returns 0, or -1 with
 * the reason in err: the file cannot be read (a directory included) or
 * its first line is empty. */
int secret_read_file(const char *path, char **out, char *err, size_t errlen);
/* A copy of $name, or NULL when it is not set. */
char *secret_from_env(const char *name);
/* Makes the process non-dumpable: for secrets taken some other way (a
 * Kafka -F file handed to librdkafka). */
void secret_hold(void);
void secret_free(char *s);

#endif
