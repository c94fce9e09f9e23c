/* cmp_csv.c: reading tvp tidy CSV (through results_csv_each_buffer) into per-benchmark samples of one metric.
 *
 * The reader checks the text, the header's names and every record's width, and prefixes every
 * error with file:line. Here: the header must name benchmark, repetition, status and the metric
 * column (a header with n_ok or *_median columns but no repetition is tvp's summary file, refused
 * with a hint). Only status=ok rows with a numeric repetition (0, 1, 2...) give values, and each
 * must have one: a finite number in the metric's domain (cmp_check_value). Aggregate rows of
 * older files (mean|median|stddev|cv) are skipped; failed and interrupted rows give no value but
 * make the benchmark known. A repetition seen twice (same run_id when the column exists,
 * benchmark and repetition) is an error, so a file pasted twice cannot double its samples. Names
 * are matched by cmp_canonical_name; a row without one by its configuration (cmp__fallback_key).
 */
#include "cmp_internal.h"
#include "columns.h"
#include "results.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const char *name;
    const cmp_metric *metric;
    cmp_set *out;
    const char *const *cols; /* the header (the reader keeps it) */
    size_t ncols;
    size_t header_line;
    size_t data_rows;
    long i_bench, i_rep, i_status, i_metric, i_run_id;
    cmp_set seen; /* (run_id, key, repetition) -> line, for duplicates */
    /* the record at hand */
    const char *const *f;
    size_t line;
    char *why;
    size_t whylen;
} cmp__csv;

/* Says what is wrong with the record at hand (the reader adds file:line); -EINVAL. */
static int cmp__fail(cmp__csv *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int cmp__fail(cmp__csv *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->why, c->whylen, fmt, ap);
    va_end(ap);
    return -EINVAL;
}

static long cmp__column(const cmp__csv *c, const char *name)
{
    for (size_t i = 0; i < c->ncols; i++)
        if (strcmp(c->cols[i], name) == 0)
            return (long)i;
    return -1;
}

static int cmp__require(cmp__csv *c, const char *col, const char *why, long *idx)
{
    *idx = cmp__column(c, col);
    return *idx < 0 ? cmp__fail(c, "missing required column '%s'%s", col, why) : 0;
}

/* A header without repetition but with aggregate columns is tvp's <stamp>-<host>.summary.csv. */
static int cmp__summary_file(cmp__csv *c)
{
    bool aggregates = cmp__column(c, "n_ok") >= 0;
    for (size_t i = 0; !aggregates && i < c->ncols; i++) {
        size_t l = strlen(c->cols[i]);
        aggregates = l > 7 && strcmp(c->cols[i] + l - 7, "_median") == 0;
    }
    if (cmp__column(c, "repetition") >= 0 || !aggregates)
        return 0;
    const char *suffix = ".summary.csv";
    size_t ln = strlen(c->name), ls = strlen(suffix);
    char beside[600] = "";
    if (ln > ls && strcmp(c->name + ln - ls, suffix) == 0)
        snprintf(beside, sizeof beside, " (%.*s.csv)", (int)(ln - ls < 500 ? ln - ls : 500),
                 c->name);
    return cmp__fail(c, "this is a summary file; give the per-repetition CSV beside it%s: a "
                        "summary holds aggregates, no repetitions", beside);
}

static int cmp__on_header(void *ctx, const results_csv_record *rec, char *why, size_t whylen)
{
    cmp__csv *c = ctx;
    c->cols = rec->fields;
    c->ncols = rec->n;
    c->header_line = rec->line;
    c->why = why;
    c->whylen = whylen;
    char metric[CMP_NAME_MAX + 32];
    snprintf(metric, sizeof metric, " (for --metric=%s)", c->metric->name);
    int rc;
    if ((rc = cmp__summary_file(c)) < 0 || (rc = cmp__require(c, "benchmark", "", &c->i_bench)) < 0 ||
        (rc = cmp__require(c, "repetition", "", &c->i_rep)) < 0 ||
        (rc = cmp__require(c, "status", "", &c->i_status)) < 0 ||
        (rc = cmp__require(c, c->metric->name, metric, &c->i_metric)) < 0)
        return rc;
    c->i_run_id = cmp__column(c, "run_id");
    return 0;
}

/* 1: a repetition row, 0: an aggregate row to skip, -EINVAL: neither. */
static int cmp__repetition_kind(const char *s)
{
    size_t digits = strspn(s, "0123456789");
    if (digits > 0 && digits <= 9 && s[digits] == '\0')
        return 1;
    size_t alpha = strspn(s, "abcdefghijklmnopqrstuvwxyz_");
    if (alpha > 0 && s[alpha] == '\0')
        return 0;
    return -EINVAL;
}

/* Appends "col=value" (after a ';' when *key is not empty) to the malloc'ed *key when column i
 * exists and has a value. 0 or -ENOMEM. */
static int cmp__key_add(const cmp__csv *c, long i, char **key, size_t *len)
{
    if (i < 0 || !c->f[i][0])
        return 0;
    size_t add = strlen(c->cols[i]) + strlen(c->f[i]) + 2;
    char *k = realloc(*key, *len + add + 1);
    if (!k)
        return -ENOMEM;
    *len += (size_t)sprintf(k + *len, "%s%s=%s", *len ? ";" : "", c->cols[i], c->f[i]);
    *key = k;
    return 0;
}

/* The key of a row whose benchmark name is empty, malloc'ed ("" when nothing identifies it; NULL
 * when out of memory): "col=value;..." of the registry's identity columns in its order (the run
 * aside), then of the parameters in the header's order: the registry's, and the columns it does
 * not know (a workload's), the metric aside. */
static char *cmp__fallback_key(const cmp__csv *c)
{
    size_t n_fixed, len = 0;
    const col_def *fixed = columns_fixed(&n_fixed);
    char *key = calloc(1, 1);
    int rc = key ? 0 : -ENOMEM;
    for (size_t k = 0; rc == 0 && k < n_fixed; k++) {
        long i = cmp__column(c, fixed[k].name);
        if (fixed[k].role == COL_ID && i != c->i_run_id)
            rc = cmp__key_add(c, i, &key, &len);
    }
    for (size_t i = 0; rc == 0 && i < c->ncols; i++)
        if ((long)i != c->i_metric && columns_is_param(c->cols[i], NULL, 0))
            rc = cmp__key_add(c, (long)i, &key, &len);
    if (rc < 0) {
        free(key);
        return NULL;
    }
    return key;
}

static int cmp__status(cmp__csv *c, bool *ok)
{
    const char *s = c->f[c->i_status];
    *ok = strcmp(s, "ok") == 0;
    if (*ok || strcmp(s, "failed") == 0 || strcmp(s, "interrupted") == 0)
        return 0;
    return cmp__fail(c, "column 'status': '%.40s' is not ok|failed|interrupted", s);
}

/* The metric value of an ok row: present, a finite number, in the metric's domain. */
static int cmp__value(cmp__csv *c, double *value)
{
    const char *v = c->f[c->i_metric], *col = c->metric->name;
    size_t blank = strspn(v, " \t");
    if (v[blank] == '\0')
        return cmp__fail(c, "column '%s': empty in a row whose status is ok (every ok repetition "
                            "needs a value of the compared metric; where it applies to some "
                            "configurations only, e.g. gil_* to gil:on, pick them with --filter)",
                         col);
    int rc = cmp_parse_value(v, value);
    if (rc < 0)
        return cmp__fail(c, "column '%s': '%.40s' %s", col, v, cmp_value_error(rc));
    char why[160];
    if (cmp_check_value(col, value, why, sizeof why) < 0)
        return cmp__fail(c, "column '%s': %s", col, why);
    return 0;
}

static int cmp__duplicate(cmp__csv *c, const char *key)
{
    const char *run_id = c->i_run_id >= 0 ? c->f[c->i_run_id] : "";
    unsigned long rep = strtoul(c->f[c->i_rep], NULL, 10);
    size_t first = 0;
    int rc = cmp_seen_add(&c->seen, run_id, key, rep, c->line, &first);
    if (rc > 0)
        return cmp__fail(c, "duplicate of line %zu (benchmark %.200s, repetition %lu)", first, key,
                         rep);
    return rc;
}

static int cmp__on_row(void *ctx, const results_csv_record *rec, char *why, size_t whylen)
{
    cmp__csv *c = ctx;
    c->f = rec->fields;
    c->line = rec->line;
    c->why = why;
    c->whylen = whylen;
    c->data_rows++;
    int kind = cmp__repetition_kind(c->f[c->i_rep]);
    if (kind < 0)
        return cmp__fail(c, "column 'repetition': '%.40s' is neither a repetition number nor an "
                            "aggregate (mean|median|stddev|cv)", c->f[c->i_rep]);
    if (kind == 0)
        return 0;
    bool ok;
    int rc = cmp__status(c, &ok);
    if (rc < 0)
        return rc;
    const char *bench = c->f[c->i_bench];
    char *key = bench[0] ? cmp_canonical_name(bench, 0) : cmp__fallback_key(c);
    double value = 0.0;
    if (!key)
        return -ENOMEM;
    if (key[0] == '\0')
        rc = cmp__fail(c, "empty benchmark name and no configuration columns to match the row by");
    else if (!cmp_selected(c->out, key))
        rc = 0;
    else if ((rc = cmp__duplicate(c, key)) == 0 && (!ok || (rc = cmp__value(c, &value)) == 0)) {
        cmp_series *s = cmp_set_series(c->out, key, c->line);
        rc = !s || (ok && cmp_series_add(s, value) < 0) ? -ENOMEM : 0;
    }
    free(key);
    return rc;
}

int cmp_read_csv(const char *name, const char *buf, size_t len, const cmp_metric *m, cmp_set *out,
                 cmp_error *err)
{
    cmp__csv c = {.name = name, .metric = m, .out = out};
    cmp_set_init(&c.seen);
    int rc = results_csv_each_buffer(name, buf, len, cmp__on_header, cmp__on_row, &c,
                                     err ? err->msg : NULL, err ? sizeof err->msg : 0);
    cmp_set_free(&c.seen);
    if (rc == 0 && c.data_rows == 0)
        return cmp_errorf(err, "%s:%zu: a header but no data rows (truncated?)", name, c.header_line);
    if (rc == 0) {
        out->format = CMP_INPUT_CSV;
        snprintf(out->metric, sizeof out->metric, "%s", m->name);
    }
    return rc == -EBADMSG ? -EINVAL : rc; /* cmp.h: a refusal is -EINVAL */
}
