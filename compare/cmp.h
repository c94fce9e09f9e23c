/* cmp.h: the core of tvp-compare: reading result files into per-configuration samples, comparing
 * two of them row by row, and writing the verdicts as a table, markdown, CSV or JSON.
 *
 * Functions return 0 or -errno. Readers fill a cmp_error with "file:line: what is wrong" on bad
 * input (and return -EINVAL); nothing here exits, and only the report functions write, to the
 * stream they are given.
 */
#ifndef TVP_CMP_H
#define TVP_CMP_H

#include <regex.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "stats.h"

#ifdef __cplusplus
extern "C" {
#endif

#define CMP_NAME_MAX 64

/* ---- metrics ---- */

typedef enum { CMP_LOWER_IS_BETTER = 0, CMP_HIGHER_IS_BETTER } cmp_direction;

typedef struct cmp_metric {
    char name[CMP_NAME_MAX]; /* column (CSV) or field (Google Benchmark JSON) */
    cmp_direction better;
    bool is_default;         /* not given by the user: wall_s for CSV, real_time for JSON */
} cmp_metric;

/* The default metric: wall_s, lower is better. */
void cmp_metric_default(cmp_metric *m);
/* Parses "NAME" (a known metric) or "NAME:lower" / "NAME:higher". -EINVAL for a bad name or
 * direction, -ENOENT for an unknown name given without a direction. */
int cmp_metric_parse(const char *spec, cmp_metric *m);
/* The known metric names with their directions, for --help: "wall_s (lower), ...". */
const char *cmp_metric_known_list(void);
/* True for the metrics that are elapsed times of a repetition (wall_s, real_time, lat_p50_us,
 * lat_p90_us, lat_p99_us): their values must be > 0. Every other metric must be >= 0. */
bool cmp_metric_positive(const char *name);

/* ---- samples ---- */

typedef enum { CMP_INPUT_CSV = 0, CMP_INPUT_GBENCH } cmp_input_format;

typedef struct cmp_series {
    char *key;    /* the benchmark name (configuration key) */
    double *v;    /* metric values of the ok repetitions */
    size_t n, cap;
    size_t line;  /* where the key first appeared (0 for JSON) */
} cmp_series;

typedef struct cmp_set {
    char *name;               /* file name, for messages */
    cmp_input_format format;
    char metric[CMP_NAME_MAX]; /* the column or field actually read */
    cmp_series *rows;         /* in order of first appearance */
    size_t n, cap;
    size_t *index;            /* open-addressing hash of rows by key, index + 1, 0 = empty */
    size_t index_cap;
    const regex_t *filter;    /* set before reading, or NULL: rows whose key does not match are
                               * neither read nor checked */
} cmp_set;

void cmp_set_init(cmp_set *s);
/* Frees everything but keeps the filter. */
void cmp_set_free(cmp_set *s);
/* The series for key, created when new (line = where it appeared). NULL when out of memory. */
cmp_series *cmp_set_series(cmp_set *s, const char *key, size_t line);
const cmp_series *cmp_set_find(const cmp_set *s, const char *key);
int cmp_series_add(cmp_series *r, double value);

typedef struct cmp_error {
    char msg[768];
} cmp_error;

/* Reads a tvp tidy CSV or a Google Benchmark JSON file (told apart by content) into out, which
 * must be initialised. path "-" reads standard input.
 *
 * Benchmark names are matched without Google Benchmark's run-setting suffixes (/min_time:X,
 * /min_warmup_time:X, /repeats:N, /iterations:N, /manual_time, /real_time, /process_time,
 * /threads:1); /threads:N above 1 stays, as the last component, as it names another
 * configuration. Rejected with file:line (-EINVAL): a metric value that is not a finite number,
 * negative, zero for the metrics of cmp_metric_positive, or missing in a repetition that did not
 * fail; a repeated (run_id, benchmark, repetition) in CSV or (name, repetition_index) in JSON; a
 * tvp summary CSV (aggregates only). */
int cmp_read_file(const char *path, const cmp_metric *m, cmp_set *out, cmp_error *err);
/* The same from memory; name is used in messages. */
int cmp_read_buffer(const char *name, const char *buf, size_t len, const cmp_metric *m,
                    cmp_set *out, cmp_error *err);

/* ---- comparison ---- */

typedef enum {
    CMP_UNCHANGED = 0,
    CMP_IMPROVED,
    CMP_REGRESSED,
    CMP_NOT_COMPARABLE,
    CMP_VERDICT_COUNT
} cmp_verdict;

const char *cmp_verdict_name(cmp_verdict v);

typedef struct cmp_options {
    cmp_metric metric;
    double threshold_pct; /* |ratio - 1| must exceed this (percent) */
    double alpha;         /* and p must be below this */
    bool strict;          /* not comparable rows fail the gate too */
    const regex_t *filter; /* only keys matching it, or NULL */
} cmp_options;

void cmp_options_default(cmp_options *o);

typedef struct cmp_row {
    const char *key;      /* points into one of the sets */
    size_t n_base, n_new;
    bool has_medians;     /* both sides have values */
    double base_median, new_median;
    bool has_ratio;       /* ci.ratio is finite: the baseline median is > 0 */
    bool has_test;        /* p-value and interval were computed (the bounds may be infinite:
                           * [0, inf] when the samples are too small) */
    stats_mwu mwu;
    stats_ratio_ci ci;
    cmp_verdict verdict;
    bool decides;         /* this row makes the gate fail */
    char reason[192];
} cmp_row;

typedef struct cmp_report {
    cmp_row *rows;
    size_t n;
    size_t counts[CMP_VERDICT_COUNT];
    bool fail;
} cmp_report;

/* Compares every key of base and cand (baseline order first, then keys only in cand). */
int cmp_compare(const cmp_set *base, const cmp_set *cand, const cmp_options *o, cmp_report *out);
void cmp_report_free(cmp_report *r);

/* ---- output ---- */

typedef enum { CMP_OUT_TABLE = 0, CMP_OUT_MARKDOWN, CMP_OUT_CSV, CMP_OUT_JSON } cmp_output;

/* Parses table|markdown|csv|json. -EINVAL otherwise. */
int cmp_output_parse(const char *s, cmp_output *out);

typedef struct cmp_print_ctx {
    const char *base_name, *new_name;
    const char *metric; /* column actually compared */
    const cmp_options *opts;
} cmp_print_ctx;

/* Writes the report to f in the format; the summary goes to f for table and markdown and to
 * summary_f (may be NULL) for csv and json, whose f output stays machine-readable. -EIO when a
 * write fails. */
int cmp_print(FILE *f, FILE *summary_f, cmp_output fmt, const cmp_report *r,
              const cmp_print_ctx *ctx);
/* The summary lines alone: counts, then PASS or FAIL with the rows that decided it. */
int cmp_print_summary(FILE *f, const cmp_report *r, const cmp_print_ctx *ctx);

#ifdef __cplusplus
}
#endif

#endif
