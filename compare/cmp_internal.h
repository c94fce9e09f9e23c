/* cmp_internal.h: helpers shared by the tvp-compare readers (not part of the core's interface). */
#ifndef TVP_CMP_INTERNAL_H
#define TVP_CMP_INTERNAL_H

#include "cmp.h"

/* Formats msg into err (when err is not NULL) and returns -EINVAL. */
int cmp_errorf(cmp_error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The format readers: the buffer has been checked for binary data and is not empty. */
int cmp_read_csv(const char *name, const char *buf, size_t len, const cmp_metric *m, cmp_set *out,
                 cmp_error *err);
int cmp_read_gbench(const char *name, const char *buf, size_t len, const cmp_metric *m,
                    cmp_set *out, cmp_error *err);

/* Parses a whole string as a finite double (surrounding blanks allowed). 0, or -EINVAL. */
int cmp_parse_double(const char *s, double *out);
/* True for a value that means "not available": empty, "nan", "na", "n/a", "-" (any case). */
bool cmp_is_missing(const char *s);

#endif
