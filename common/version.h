/* version: sw's version, for --version and for what files say wrote them
 * (Parquet's created_by). */
#ifndef SW_VERSION_H
#define SW_VERSION_H

#define SW_VERSION "0.1.0"

#endif
