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

/* ---- cmp_check.c ---- */

/* Parses a whole metric cell (surrounding blanks allowed): 0 with *out set, -EINVAL when it is
 * not a number (empty, "n/a", "abc"), -EDOM for nan or inf in any spelling, -ERANGE beyond a
 * double (1e999, 1e-999). */
int cmp_parse_value(const char *s, double *out);
/* "is not a number", ... for a cmp_parse_value error, to follow the quoted cell. */
const char *cmp_value_error(int rc);
/* Checks *v against the domain of metric (finite; >= 0; > 0 for cmp_metric_positive) and turns
 * -0 into 0. 0, or -EDOM with why set to e.g. "negative value -1 (wall_s cannot be ...)". */
int cmp_check_value(const char *metric, double *v, char *why, size_t cap);
/* The matching key of a benchmark name: name without Google Benchmark's run-setting suffixes,
 * then "/threads:N" when the thread count (threads when > 0, else the name's /threads:N) is
 * above 1. malloc'ed; NULL when out of memory. */
char *cmp_canonical_name(const char *name, unsigned long threads);
/* Records (run_id, key, rep) first seen at where in seen (a set used only for this): 0 when new,
 * 1 when already there (*first = where it was seen), -ENOMEM. */
int cmp_seen_add(cmp_set *seen, const char *run_id, const char *key, unsigned long rep,
                 size_t where, size_t *first);
/* True when the set has no filter or key matches it. */
bool cmp_selected(const cmp_set *s, const char *key);

#endif
