/* cmp_csv.c: reading tvp tidy CSV (through libcsv) into per-benchmark samples of one metric.
 *
 * The text is fed to csv_parse one physical line at a time so every record knows the line it
 * started on. The header must name benchmark, repetition, status and the metric column (a header
 * with n_ok or *_median columns but no repetition is tvp's summary file, refused with a hint);
 * every record must have exactly as many fields as the header. Only status=ok rows with a
 * numeric repetition (0, 1, 2...) give values, and each must have one: a finite number in the
 * metric's domain (cmp_check_value). Aggregate rows of older files (mean|median|stddev|cv) are
 * skipped; failed and interrupted rows give no value but make the benchmark known. A repetition
 * seen twice (same run_id when the column exists, benchmark and repetition) is an error, so a
 * file pasted twice cannot double its samples. Names are matched by cmp_canonical_name.
 */
#include "cmp_internal.h"

#include <csv.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define CMP_CSV_MAX_COLUMNS 4096

/* Configuration columns that make a key when the benchmark name is empty. */
static const char *const cmp__config_columns[] = {
    "workload", "executor", "spawn", "gil", "switch_us", "workers", "pin", "tasks",
};
/* Measurement columns tvp writes after rss_kib, among the workload parameters: not keys. */
static const char *const cmp__measure_columns[] = {
    "lat_p90_us", "cpus_used", "oversubscribed", "respawns", "iterations", "gil_acquisitions",
    "gil_switches", "gil_drop_requests", "gil_forced_drops", "gil_held_s", "gil_waited_s",
    "gil_held_p50_us", "gil_held_p99_us", "gil_wait_p50_us", "gil_wait_p99_us", "detail",
};

static bool cmp__is_measure(const char *col)
{
    for (size_t k = 0; k < sizeof cmp__measure_columns / sizeof cmp__measure_columns[0]; k++)
        if (strcmp(col, cmp__measure_columns[k]) == 0)
            return true;
    return false;
}

typedef struct {
    const char *name;
    const cmp_metric *metric;
    cmp_set *out;
    cmp_error *err;
    int rc;
    size_t line;     /* physical line being fed */
    size_t rec_line; /* line the current record started on */
    bool in_record;
    char **fields;   /* current record: nf fields seen, the first `stored` kept */
    size_t nf, stored, capf;
    char **cols;     /* header */
    size_t ncols;
    bool have_header;
    size_t header_line;
    size_t data_rows;
    long i_bench, i_rep, i_status, i_metric, i_params_from, i_detail, i_run_id;
    cmp_set seen;    /* (run_id, key, repetition) -> line, for duplicates */
} cmp__csv;

static void cmp__free_fields(char **f, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(f[i]);
}

static int cmp__fail(cmp__csv *c, int rc)
{
    if (c->rc == 0)
        c->rc = rc;
    return rc;
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
    if (*idx < 0)
        return cmp__fail(c, cmp_errorf(c->err, "%s:%zu: missing required column '%s'%s", c->name,
                                       c->rec_line, col, why));
    return 0;
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
    return cmp__fail(c, cmp_errorf(c->err,
                                   "%s:%zu: this is a summary file; give the per-repetition CSV "
                                   "beside it%s: a summary holds aggregates, no repetitions",
                                   c->name, c->rec_line, beside));
}

static int cmp__header(cmp__csv *c)
{
    c->cols = c->fields;
    c->ncols = c->stored;
    c->fields = NULL;
    c->nf = c->stored = c->capf = 0;
    c->have_header = true;
    c->header_line = c->rec_line;
    for (size_t i = 0; i < c->ncols; i++) {
        if (c->cols[i][0] == '\0')
            return cmp__fail(c, cmp_errorf(c->err, "%s:%zu: header column %zu has no name",
                                           c->name, c->rec_line, i + 1));
        for (size_t j = 0; j < i; j++)
            if (strcmp(c->cols[i], c->cols[j]) == 0)
                return cmp__fail(c, cmp_errorf(c->err, "%s:%zu: duplicate column '%s'", c->name,
                                               c->rec_line, c->cols[i]));
    }
    char why[CMP_NAME_MAX + 32];
    snprintf(why, sizeof why, " (for --metric=%s)", c->metric->name);
    if (cmp__summary_file(c) < 0 || cmp__require(c, "benchmark", "", &c->i_bench) < 0 ||
        cmp__require(c, "repetition", "", &c->i_rep) < 0 ||
        cmp__require(c, "status", "", &c->i_status) < 0 ||
        cmp__require(c, c->metric->name, why, &c->i_metric) < 0)
        return c->rc;
    long rss = cmp__column(c, "rss_kib");
    c->i_params_from = rss >= 0 ? rss + 1 : (long)c->ncols;
    c->i_detail = cmp__column(c, "detail");
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

static bool cmp__append(char *buf, size_t cap, size_t *used, const char *s)
{
    size_t n = strlen(s);
    if (*used + n + 1 > cap)
        return false;
    memcpy(buf + *used, s, n + 1);
    *used += n;
    return true;
}

/* The key when the benchmark name is empty: "col=value;..." of the configuration columns. */
static void cmp__fallback_key(const cmp__csv *c, char *buf, size_t cap)
{
    size_t used = 0;
    buf[0] = '\0';
    for (size_t k = 0; k < sizeof cmp__config_columns / sizeof cmp__config_columns[0]; k++) {
        long i = cmp__column(c, cmp__config_columns[k]);
        if (i >= 0 && c->fields[i][0])
            if (!(used == 0 || cmp__append(buf, cap, &used, ";")) ||
                !cmp__append(buf, cap, &used, c->cols[i]) || !cmp__append(buf, cap, &used, "=") ||
                !cmp__append(buf, cap, &used, c->fields[i]))
                return;
    }
    for (long i = c->i_params_from; i < (long)c->ncols; i++) {
        if (i == c->i_detail || i == c->i_metric || !c->fields[i][0] ||
            cmp__is_measure(c->cols[i]))
            continue;
        if (!(used == 0 || cmp__append(buf, cap, &used, ";")) ||
            !cmp__append(buf, cap, &used, c->cols[i]) || !cmp__append(buf, cap, &used, "=") ||
            !cmp__append(buf, cap, &used, c->fields[i]))
            return;
    }
}

static int cmp__status(cmp__csv *c, bool *ok)
{
    const char *s = c->fields[c->i_status];
    *ok = strcmp(s, "ok") == 0;
    if (*ok || strcmp(s, "failed") == 0 || strcmp(s, "interrupted") == 0)
        return 0;
    return cmp__fail(c, cmp_errorf(c->err,
                                   "%s:%zu: column 'status': '%.40s' is not ok|failed|interrupted",
                                   c->name, c->rec_line, s));
}

/* The metric value of an ok row: present, a finite number, in the metric's domain. */
static int cmp__value(cmp__csv *c, double *value)
{
    const char *v = c->fields[c->i_metric], *col = c->metric->name;
    size_t blank = strspn(v, " \t");
    if (v[blank] == '\0')
        return cmp__fail(c, cmp_errorf(c->err,
                                       "%s:%zu: column '%s': empty in a row whose status is ok "
                                       "(every ok repetition needs a value of the compared metric; where it "
                                       "applies to some configurations only, e.g. gil_* to gil:on, pick them "
                                       "with --filter)",
                                       c->name, c->rec_line, col));
    int rc = cmp_parse_value(v, value);
    if (rc < 0)
        return cmp__fail(c, cmp_errorf(c->err, "%s:%zu: column '%s': '%.40s' %s", c->name,
                                       c->rec_line, col, v, cmp_value_error(rc)));
    char why[160];
    if (cmp_check_value(col, value, why, sizeof why) < 0)
        return cmp__fail(c, cmp_errorf(c->err, "%s:%zu: column '%s': %s", c->name, c->rec_line,
                                       col, why));
    return 0;
}

static int cmp__duplicate(cmp__csv *c, const char *key)
{
    const char *run_id = c->i_run_id >= 0 ? c->fields[c->i_run_id] : "";
    unsigned long rep = strtoul(c->fields[c->i_rep], NULL, 10);
    size_t first = 0;
    int rc = cmp_seen_add(&c->seen, run_id, key, rep, c->rec_line, &first);
    if (rc < 0)
        return cmp__fail(c, cmp_errorf(c->err, "%s:%zu: out of memory", c->name, c->rec_line));
    if (rc > 0)
        return cmp__fail(c, cmp_errorf(c->err,
                                       "%s:%zu: duplicate of line %zu (benchmark %.200s, "
                                       "repetition %lu)",
                                       c->name, c->rec_line, first, key, rep));
    return 0;
}

static int cmp__row(cmp__csv *c)
{
    if (c->nf != c->ncols)
        return cmp__fail(c, cmp_errorf(c->err, "%s:%zu: row has %zu fields, the header has %zu%s",
                                       c->name, c->rec_line, c->nf, c->ncols,
                                       c->nf < c->ncols ? " (truncated row?)" : ""));
    c->data_rows++;
    int kind = cmp__repetition_kind(c->fields[c->i_rep]);
    if (kind < 0)
        return cmp__fail(c, cmp_errorf(c->err,
                                       "%s:%zu: column 'repetition': '%.40s' is neither a "
                                       "repetition number nor an aggregate (mean|median|stddev|cv)",
                                       c->name, c->rec_line, c->fields[c->i_rep]));
    if (kind == 0)
        return 0;
    bool ok;
    if (cmp__status(c, &ok) < 0)
        return c->rc;
    char fallback[1024];
    char *canonical = NULL;
    const char *key = c->fields[c->i_bench];
    if (key[0] == '\0') {
        cmp__fallback_key(c, fallback, sizeof fallback);
        key = fallback;
    } else {
        key = canonical = cmp_canonical_name(key, 0);
        if (!canonical)
            return cmp__fail(c, cmp_errorf(c->err, "%s:%zu: out of memory", c->name, c->rec_line));
    }
    double value = 0.0;
    int rc = 0;
    if (key[0] == '\0')
        rc = cmp__fail(c, cmp_errorf(c->err, "%s:%zu: empty benchmark name and no configuration "
                                             "columns to match the row by", c->name, c->rec_line));
    else if (!cmp_selected(c->out, key))
        rc = 0;
    else if (cmp__duplicate(c, key) < 0 || (ok && cmp__value(c, &value) < 0))
        rc = c->rc;
    else {
        cmp_series *s = cmp_set_series(c->out, key, c->rec_line);
        if (!s || (ok && cmp_series_add(s, value) < 0))
            rc = cmp__fail(c, cmp_errorf(c->err, "%s:%zu: out of memory", c->name, c->rec_line));
    }
    free(canonical);
    return rc;
}

static void cmp__on_field(void *s, size_t len, void *data)
{
    cmp__csv *c = data;
    if (c->rc)
        return;
    if (!c->in_record) {
        c->in_record = true;
        c->rec_line = c->line;
    }
    size_t limit = c->have_header ? c->ncols + 1 : CMP_CSV_MAX_COLUMNS + 1;
    c->nf++;
    if (c->stored >= limit) /* the record is already wrong: keep counting, stop storing */
        return;
    if (c->stored == c->capf) {
        size_t cap = c->capf ? c->capf * 2 : 32;
        char **f = realloc(c->fields, cap * sizeof *f);
        if (!f)
            return (void)cmp__fail(c, cmp_errorf(c->err, "%s: out of memory", c->name));
        c->fields = f;
        c->capf = cap;
    }
    char *copy = malloc(len + 1);
    if (!copy)
        return (void)cmp__fail(c, cmp_errorf(c->err, "%s: out of memory", c->name));
    if (len)
        memcpy(copy, s, len);
    copy[len] = '\0';
    c->fields[c->stored++] = copy;
}

static void cmp__on_record(int term, void *data)
{
    (void)term;
    cmp__csv *c = data;
    if (c->rc)
        return;
    if (!c->in_record) {
        c->in_record = true;
        c->rec_line = c->line;
    }
    if (!c->have_header) {
        if (c->nf > CMP_CSV_MAX_COLUMNS)
            cmp__fail(c, cmp_errorf(c->err, "%s:%zu: header has more than %d columns", c->name,
                                    c->rec_line, CMP_CSV_MAX_COLUMNS));
        else
            cmp__header(c);
    } else {
        cmp__row(c);
    }
    cmp__free_fields(c->fields, c->stored);
    c->stored = 0;
    c->nf = 0;
    c->in_record = false;
}

static int cmp__feed(cmp__csv *c, struct csv_parser *p, const char *buf, size_t len)
{
    size_t pos = 0;
    c->line = 1;
    while (pos < len && !c->rc) {
        const char *nl = memchr(buf + pos, '\n', len - pos);
        size_t chunk = nl ? (size_t)(nl - (buf + pos)) + 1 : len - pos;
        if (csv_parse(p, buf + pos, chunk, cmp__on_field, cmp__on_record, c) != chunk && !c->rc)
            return cmp__fail(c, cmp_errorf(c->err, "%s:%zu: malformed CSV: %s (a stray quote?)",
                                           c->name, c->line, csv_strerror(csv_error(p))));
        pos += chunk;
        if (nl)
            c->line++;
    }
    if (c->rc)
        return c->rc;
    size_t last = c->in_record ? c->rec_line : c->line;
    if (csv_fini(p, cmp__on_field, cmp__on_record, c) != 0 && !c->rc)
        return cmp__fail(c, cmp_errorf(c->err,
                                       "%s:%zu: unterminated quoted field at the end of the file "
                                       "(truncated?)", c->name, last));
    return c->rc;
}

static void cmp__csv_free(cmp__csv *c)
{
    cmp__free_fields(c->fields, c->stored);
    free(c->fields);
    if (c->have_header)
        cmp__free_fields(c->cols, c->ncols);
    free(c->cols);
    cmp_set_free(&c->seen);
}

int cmp_read_csv(const char *name, const char *buf, size_t len, const cmp_metric *m, cmp_set *out,
                 cmp_error *err)
{
    cmp__csv c;
    memset(&c, 0, sizeof c);
    c.name = name;
    c.metric = m;
    c.out = out;
    c.err = err;
    cmp_set_init(&c.seen);
    struct csv_parser p;
    if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0)
        return cmp_errorf(err, "%s: cannot initialise the CSV parser", name);
    int rc = cmp__feed(&c, &p, buf, len);
    csv_free(&p);
    if (rc == 0 && !c.have_header)
        rc = cmp_errorf(err, "%s:1: empty file: no CSV header", name);
    else if (rc == 0 && c.data_rows == 0)
        rc = cmp_errorf(err, "%s:%zu: a header but no data rows (truncated?)", name, c.header_line);
    if (rc == 0) {
        out->format = CMP_INPUT_CSV;
        snprintf(out->metric, sizeof out->metric, "%s", m->name);
    }
    cmp__csv_free(&c);
    return rc;
}
