/*
 * exitcode: the exit status table shared by every tool (sw(7), EXIT STATUS),
 * and the same table as text for --help and the man pages.
 */
#ifndef SW_EXITCODE_H
#define SW_EXITCODE_H

enum sw_exit {
	SW_EXIT_OK = 0,
	SW_EXIT_FAIL = 1,         /* other failure */
	SW_EXIT_USAGE = 64,       /* unknown flag, bad value, missing flag */
	SW_EXIT_DATAERR = 65,     /* bad input data with --on-error fail */
	SW_EXIT_UNAVAILABLE = 69, /* a service could not be reached in time */
	SW_EXIT_SOFTWARE = 70,    /* internal error */
	SW_EXIT_IOERR = 74,       /* cannot read input or write output */
	SW_EXIT_TEMPFAIL = 75,    /* records not delivered after all retries */
};

#define SW_EXIT_TABLE                                                        \
	"Exit status:\n"                                                     \
	"  0   success\n"                                                    \
	"  1   other failure\n"                                              \
	"  64  usage error\n"                                                \
	"  65  bad input data (with --on-error fail)\n"                      \
	"  69  a service could not be reached in time\n"                     \
	"  70  internal error\n"                                             \
	"  74  I/O error\n"                                                  \
	"  75  records could not be delivered after all retries\n"

#endif
