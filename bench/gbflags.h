/* gbflags.h: Google Benchmark's --benchmark_* flags as tvp-bench takes them. tvp owns repetitions,
 * interleaving, the filter and the JSON file (so names stay the configuration and a fault in one
 * repetition cannot reach Google Benchmark's statistics); display flags pass through, validated. */
#ifndef TVP_GBFLAGS_H
#define TVP_GBFLAGS_H

#include <regex.h>
#include <stdbool.h>
#include <stddef.h>

#define GBFLAGS_MAX_REPETITIONS 1000
#define GBFLAGS_MAX_FILTER 1024 /* characters of --benchmark_filter */
#define GBFLAGS_MAX_BOUND 255   /* largest n in a {m,n} of the filter */

typedef struct gbflags {
    const char *filter;   /* --benchmark_filter (NULL: every configuration) */
    const char *out;      /* --benchmark_out: tvp's JSON is also written there */
    int repetitions;      /* --benchmark_repetitions when user_repetitions */
    double min_time;      /* --benchmark_min_time (seconds) when user_min_time */
    bool interleave;      /* --benchmark_enable_random_interleaving when user_interleave */
    bool aggregates_only; /* --benchmark_report_aggregates_only: the JSON keeps only aggregates */
    bool list;            /* --benchmark_list_tests */
    bool user_repetitions, user_min_time, user_interleave;
} gbflags;

/* Parses one "--benchmark_*" or "--v" argument into g. *pass is set when the argument must go on
 * to Google Benchmark (display settings). Returns 0, -ENOENT for a flag Google Benchmark 1.7.1
 * does not have (nothing printed: the caller names it with a suggestion), or -EINVAL after
 * printing "tvp-bench: ARG: reason (range)" to stderr. */
int gbflags_parse(const char *arg, gbflags *g, bool *pass);
/* Every flag gbflags_parse takes ("--benchmark_filter", ..., "--v"); *n of them. */
const char *const *gbflags_known(size_t *n);

/* Whether `spec` is a valid filter (Google Benchmark's syntax: a POSIX extended regular
 * expression, "-" in front negates, "all" matches everything), within GBFLAGS_MAX_FILTER
 * characters and at most two bounded repetitions up to GBFLAGS_MAX_BOUND (regcomp's automaton
 * grows with their product). 0 or -EINVAL with `err` set. */
int gbflags_check_filter(const char *spec, char *err, size_t errlen);

typedef struct gbflags_filter {
    regex_t re;
    bool active, negate;
} gbflags_filter;

/* A compiled filter (spec NULL: matches everything). 0 or -EINVAL. */
int gbflags_filter_init(gbflags_filter *f, const char *spec);
bool gbflags_filter_match(const gbflags_filter *f, const char *name);
void gbflags_filter_free(gbflags_filter *f);

#endif /* TVP_GBFLAGS_H */
