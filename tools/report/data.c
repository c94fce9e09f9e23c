/* data.c: tvp's CSV read into runs and configurations: columns classified by the registry, repetitions folded by their median.
 *
 * Repetition rows of one configuration (its identity columns and parameters within one run) are
 * folded into one value per measurement: the median (stats_median) over the configuration's ok
 * repetition rows; min and max over the same rows give error bars. Aggregate rows of older files
 * (repetition mean, median, stddev, cv) are ignored: everything is computed from the repetitions.
 * Which columns are parameters comes from the column registry (lib/columns.h) and the workloads'
 * result columns; which measurements cannot be negative from the registry's `nonneg`. A
 * measurement that is not a finite number (or negative where it cannot be) counts as missing, with
 * one warning per column naming the file:line of the first such value and how many were skipped.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "columns.h"
#include "report.h"
#include "results.h"
#include "stats.h"
#include "workload.h"

const char *const rpt_metric_cols[M_COUNT] = {
    "wall_s", "tasks_per_s", "speedup", "efficiency", "cpu_s", "cpu_util", "ctx_vol", "ctx_invol",
    "lat_p50_us", "lat_p90_us", "lat_p99_us", "rss_kib"};

/* ---- what each column of a CSV is ---- */

/* The columns of one CSV a configuration is told apart by, and how its measurements are read. */
typedef struct rpt_colmap {
    int *ident;     /* the registry's identity columns (-1: not in this file), run_id left out */
    size_t n_ident;
    bool *param;    /* per column: a parameter (part of the configuration) */
    bool *shown;    /* per column: a parameter named in the panel's title */
    bool nonneg[M_COUNT];
} rpt_colmap;

/* Whether a parameter names the panel: a workload's own (not in the registry) or one the
 * scheduler microbenchmarks alone fill (method, channel, ...). The matrix-wide ones are in the
 * configuration's key only: check_ticks goes with the GIL in the series label, oversubscribed
 * follows from the placement and the worker count. */
static bool rpt_shown_param(const char *name)
{
    const col_def *d = columns_find(name);
    return !d || d->fill == COL_FILL_SCHED;
}

static void rpt_colmap_init(rpt_colmap *cm, const results_table *t)
{
    const char *results[WL_MAX_RESULTS];
    size_t n_results = workload_result_names(results), n_fixed;
    const col_def *fixed = columns_fixed(&n_fixed);
    cm->ident = rpt_xmalloc(n_fixed * sizeof *cm->ident);
    cm->n_ident = 0;
    for (size_t i = 0; i < n_fixed; i++)
        if (fixed[i].role == COL_ID && strcmp(fixed[i].name, "run_id") != 0) /* the run is the file */
            cm->ident[cm->n_ident++] = results_table_col(t, fixed[i].name);
    cm->param = rpt_xmalloc(t->n_cols * sizeof *cm->param);
    cm->shown = rpt_xmalloc(t->n_cols * sizeof *cm->shown);
    for (size_t c = 0; c < t->n_cols; c++) {
        cm->param[c] = columns_is_param(t->cols[c], results, n_results);
        cm->shown[c] = cm->param[c] && rpt_shown_param(t->cols[c]);
    }
    for (int m = 0; m < M_COUNT; m++) {
        const col_def *d = columns_find(rpt_metric_cols[m]);
        cm->nonneg[m] = d && d->nonneg;
    }
}

static void rpt_colmap_free(rpt_colmap *cm)
{
    free(cm->ident);
    free(cm->param);
    free(cm->shown);
}

/* ---- rows into configurations ---- */

static const char *rpt_cell(const results_table *t, size_t row, size_t col)
{
    const char *s = t->cells[row * t->n_cols + col];
    return s ? s : "";
}

/* The configuration key of a row (its identity and parameters: everything but the repetition and
 * the measurements) and the parameter label of its panel. */
static void rpt_row_key(const results_table *t, const rpt_colmap *cm, size_t row, size_t run, char **key,
                        char **params)
{
    char *k = NULL, *p = NULL;
    size_t kn = 0, pn = 0;
    bool first = true;
    FILE *kf = rpt_memstream(&k, &kn), *pf = rpt_memstream(&p, &pn);
    fprintf(kf, "%zu", run);
    for (size_t i = 0; i < cm->n_ident; i++)
        fprintf(kf, "\x1f%s", cm->ident[i] < 0 ? "" : rpt_cell(t, row, (size_t)cm->ident[i]));
    for (size_t c = 0; c < t->n_cols; c++) {
        if (!cm->param[c])
            continue;
        const char *v = rpt_cell(t, row, c);
        fprintf(kf, "\x1f%s=%s", t->cols[c], v);
        if (*v && cm->shown[c]) {
            fprintf(pf, "%s%s=%s", first ? "" : " ", t->cols[c], v);
            first = false;
        }
    }
    fclose(kf);
    fclose(pf);
    *key = k;
    *params = p;
}

static rpt_cfg *rpt_find_cfg(rpt *r, const char *key, uint64_t h)
{
    for (size_t i = r->n_cfgs; i-- > 0;)
        if (r->cfgs[i].hash == h && strcmp(r->cfgs[i].key, key) == 0)
            return &r->cfgs[i];
    return NULL;
}

static const char *rpt_str_or(const results_table *t, size_t row, const char *col, const char *dflt)
{
    const char *v = results_table_get(t, row, col);
    return v ? v : dflt;
}

/* The strings of a configuration live in one block: workload, executor, spawn, gil, pin. */
static void rpt_cfg_strings(rpt_cfg *c, const results_table *t, size_t row)
{
    const char *v[5] = {rpt_str_or(t, row, "workload", "?"), rpt_str_or(t, row, "executor", "?"),
                        rpt_str_or(t, row, "spawn", "pool"), rpt_str_or(t, row, "gil", "off"),
                        rpt_str_or(t, row, "pin", "none")};
    size_t n = 0;
    for (int i = 0; i < 5; i++)
        n += strlen(v[i]) + 1;
    char *p = c->strs = rpt_xmalloc(n);
    const char **dst[5] = {&c->workload, &c->executor, &c->spawn, &c->gil, &c->pin};
    for (int i = 0; i < 5; i++) {
        size_t len = strlen(v[i]) + 1;
        memcpy(p, v[i], len);
        *dst[i] = p;
        p += len;
    }
}

static rpt_cfg *rpt_new_cfg(rpt *r, const results_table *t, size_t row, size_t run, char *key, char *params,
                            uint64_t h)
{
    if (r->n_cfgs == r->cap_cfgs) {
        r->cap_cfgs = r->cap_cfgs ? r->cap_cfgs * 2 : 256;
        r->cfgs = rpt_xrealloc(r->cfgs, r->cap_cfgs * sizeof *r->cfgs);
    }
    rpt_cfg *c = &r->cfgs[r->n_cfgs++];
    memset(c, 0, sizeof *c);
    c->run = run;
    c->hash = h;
    c->key = key;
    c->params = params;
    rpt_cfg_strings(c, t, row);
    c->switch_us = rpt_long(results_table_get(t, row, "switch_us"), -1);
    c->ticks = rpt_long(results_table_get(t, row, "check_ticks"), -1);
    c->workers = rpt_long(results_table_get(t, row, "workers"), 1);
    c->tasks = rpt_long(results_table_get(t, row, "tasks"), 0);
    for (int m = 0; m < M_COUNT; m++)
        c->v[m] = c->lo[m] = c->hi[m] = NAN;
    return c;
}

static bool rpt_is_repetition(const char *rep)
{
    return rep && *rep && strspn(rep, "0123456789") == strlen(rep);
}

/* Values of one measurement column that cannot be charted (inf, nan, negative, text), per file. */
typedef struct rpt_bad_col {
    size_t n;         /* how many were skipped */
    size_t first_row; /* the row of the first one */
    char first[40];   /* its text, shortened */
} rpt_bad_col;

/* A measurement cell: a finite number (>= 0 when `nonneg`; -0 becomes 0), NAN when empty or not
 * such a number; *bad tells the second case apart. */
static double rpt_measure(const char *s, bool nonneg, bool *bad)
{
    *bad = false;
    if (!s || !*s)
        return NAN;
    char *end;
    double v = strtod(s, &end);
    if (end == s || *end != '\0' || !isfinite(v) || (nonneg && v < 0)) {
        *bad = true;
        return NAN;
    }
    return v == 0 ? 0.0 : v;
}

static void rpt_add_row(rpt *r, const results_table *t, const rpt_colmap *cm, size_t row, size_t run,
                        rpt_bad_col *bad)
{
    const char *rep = results_table_get(t, row, "repetition");
    if (!rpt_is_repetition(rep))
        return; /* an aggregate row of an older file (mean, median, stddev, cv): recomputed here */
    char *key, *params;
    rpt_row_key(t, cm, row, run, &key, &params);
    uint64_t h = rpt_hash(key);
    rpt_cfg *c = rpt_find_cfg(r, key, h);
    if (c) {
        free(key);
        free(params);
    } else {
        c = rpt_new_cfg(r, t, row, run, key, params, h);
    }
    bool ok = rpt_eq(results_table_get(t, row, "status"), "ok");
    if (!ok) {
        c->n_bad++;
        if (!c->detail)
            c->detail = rpt_strdup(rpt_str_or(t, row, "detail", rpt_str_or(t, row, "status", "failed")));
        return;
    }
    c->reps = rpt_xrealloc(c->reps, (c->n_ok + 1) * M_COUNT * sizeof *c->reps);
    double *v = &c->reps[c->n_ok * M_COUNT];
    for (int m = 0; m < M_COUNT; m++) {
        const char *cell = results_table_get(t, row, rpt_metric_cols[m]);
        bool b;
        v[m] = rpt_measure(cell, cm->nonneg[m], &b);
        if (b && bad[m].n++ == 0) {
            bad[m].first_row = row;
            snprintf(bad[m].first, sizeof bad[m].first, "%s", cell);
            for (char *q = bad[m].first; *q; q++)
                *q = (unsigned char)*q < 0x20 ? ' ' : *q; /* one line per warning */
        }
    }
    c->n_ok++;
}

void rpt_finish_cfgs(rpt *r)
{
    double vals[64], *buf = vals;
    size_t cap = sizeof vals / sizeof *vals;
    for (size_t i = 0; i < r->n_cfgs; i++) {
        rpt_cfg *c = &r->cfgs[i];
        if (c->n_ok > cap) {
            if (buf != vals)
                free(buf);
            cap = c->n_ok;
            buf = rpt_xmalloc(cap * sizeof *buf);
        }
        for (int m = 0; m < M_COUNT; m++) {
            size_t n = 0;
            double lo = INFINITY, hi = -INFINITY;
            for (size_t k = 0; k < c->n_ok; k++) {
                double x = c->reps[k * M_COUNT + (size_t)m];
                if (isnan(x))
                    continue;
                buf[n++] = x;
                lo = fmin(lo, x);
                hi = fmax(hi, x);
            }
            if (n && stats_median(buf, n, &c->v[m]) == 0) {
                c->lo[m] = lo;
                c->hi[m] = hi;
            }
        }
        free(c->reps);
        c->reps = NULL;
    }
    if (buf != vals)
        free(buf);
}

/* ---- warnings with file:line ---- */

/* The line each row of a CSV starts on (a quoted field may span lines), as the reader counts them:
 * lines[row] for row 0..n_rows-1 (the header is line 1 or later). NULL when the file cannot be
 * read again or does not match the table; callers then fall back to row + 2. */
static size_t *rpt_row_lines(const char *path, size_t n_rows)
{
    FILE *f = fopen(path, "rbe");
    if (!f)
        return NULL;
    size_t *lines = rpt_xmalloc((n_rows + 1) * sizeof *lines), rec = 0, line = 1;
    bool quoted = false, at_start = true, blank = true;
    size_t start = 1;
    int ch;
    while ((ch = getc(f)) != EOF) {
        if (at_start) {
            at_start = false;
            blank = true;
            start = line;
        }
        if (ch == '"')
            quoted = !quoted; /* a doubled quote inside a quoted field toggles twice */
        if (ch != ' ' && ch != '\t' && ch != '\r' && ch != '\n')
            blank = false;
        if (ch == '\n') {
            line++;
            if (!quoted) {
                if (!blank && rec <= n_rows)
                    lines[rec++] = start;
                at_start = true;
            }
        }
    }
    if (!at_start && !blank && !quoted && rec <= n_rows)
        lines[rec++] = start;
    fclose(f);
    if (rec != n_rows + 1) {
        free(lines);
        return NULL;
    }
    memmove(lines, lines + 1, n_rows * sizeof *lines); /* drop the header */
    return lines;
}

/* One warning per measurement column with values that cannot be charted. */
static void rpt_warn_bad(const char *path, size_t n_rows, const rpt_bad_col *bad, const rpt_colmap *cm)
{
    size_t *lines = NULL;
    bool looked = false;
    for (int m = 0; m < M_COUNT; m++) {
        if (!bad[m].n)
            continue;
        if (!looked) {
            lines = rpt_row_lines(path, n_rows);
            looked = true;
        }
        size_t line = lines ? lines[bad[m].first_row] : bad[m].first_row + 2;
        fprintf(stderr,
                "tvp-report: %s:%zu: warning: %s '%s' is not a finite%s number; %zu such value%s "
                "of %s skipped (charted as missing)\n",
                path, line, rpt_metric_cols[m], bad[m].first, cm->nonneg[m] ? " non-negative" : "", bad[m].n,
                bad[m].n == 1 ? "" : "s", rpt_metric_cols[m]);
    }
    free(lines);
}

/* ---- a CSV ---- */

static const char *const rpt_required_cols[] = {"workload", "executor", "workers", "repetition", "status",
                                                "wall_s", "tasks"};

/* Refuses a directory with a hint, and a file that is not a tvp results CSV. */
static int rpt_check_table(const char *path, const results_table *t)
{
    for (size_t i = 0; i < sizeof rpt_required_cols / sizeof *rpt_required_cols; i++)
        if (results_table_col(t, rpt_required_cols[i]) < 0) {
            size_t n = strlen(path);
            bool summary = results_table_col(t, "n_ok") >= 0 ||
                           (n > 12 && strcmp(path + n - 12, ".summary.csv") == 0);
            fprintf(stderr, "tvp-report: %s:1: missing column '%s': not a tvp results CSV%s\n", path,
                    rpt_required_cols[i],
                    summary ? " (a .summary.csv has one row per configuration: give the main CSV beside it, "
                              "whose repetition rows the charts need)"
                            : "");
            return -EBADMSG;
        }
    if (t->n_rows == 0) {
        fprintf(stderr, "tvp-report: %s:1: a header but no rows: nothing to chart\n", path);
        return -EBADMSG;
    }
    return 0;
}

int rpt_read_csv(rpt *r, const char *path)
{
    if (r->n_runs == RPT_MAX_RUNS) {
        fprintf(stderr, "tvp-report: more than %d CSV files\n", RPT_MAX_RUNS);
        return -E2BIG;
    }
    struct stat st;
    if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        size_t n = strlen(path);
        while (n > 1 && path[n - 1] == '/')
            n--;
        fprintf(stderr, "tvp-report: %s: is a directory; give a CSV file, e.g. %.*s%slatest.csv\n", path, (int)n,
                path, path[n - 1] == '/' ? "" : "/");
        return -EISDIR;
    }
    results_table t;
    char err[1024];
    int rc = results_table_read_csv(path, &t, err, sizeof err);
    if (rc < 0) {
        fprintf(stderr, "tvp-report: %s\n", err);
        return rc;
    }
    if ((rc = rpt_check_table(path, &t)) < 0) {
        results_table_free(&t);
        return rc;
    }
    size_t run = r->n_runs++;
    rpt_run *ru = &r->runs[run];
    memset(ru, 0, sizeof *ru);
    ru->csv = rpt_strdup(path);
    const char *id = results_table_get(&t, 0, "run_id");
    ru->id = id ? rpt_strdup(id) : NULL;
    ru->n_rows = t.n_rows;
    rpt_read_meta(ru);
    if (!ru->id)
        ru->id = rpt_strdup(path);
    ru->label = strstr(ru->id, ru->host) || rpt_eq(ru->host, "unknown") ? rpt_strdup(ru->id)
                                                                       : rpt_asprintf("%s@%s", ru->id, ru->host);
    rpt_colmap cm;
    rpt_colmap_init(&cm, &t);
    rpt_bad_col bad[M_COUNT];
    memset(bad, 0, sizeof bad);
    for (size_t row = 0; row < t.n_rows; row++)
        rpt_add_row(r, &t, &cm, row, run, bad);
    rpt_warn_bad(path, t.n_rows, bad, &cm);
    rpt_colmap_free(&cm);
    results_table_free(&t);
    return 0;
}

void rpt_free_data(rpt *r)
{
    for (size_t i = 0; i < r->n_cfgs; i++) {
        free(r->cfgs[i].reps);
        free(r->cfgs[i].key);
        free(r->cfgs[i].params);
        free(r->cfgs[i].strs);
        free(r->cfgs[i].detail);
    }
    free(r->cfgs);
    r->cfgs = NULL;
    r->n_cfgs = r->cap_cfgs = 0;
    for (size_t i = 0; i < r->n_runs; i++) {
        rpt_run *ru = &r->runs[i];
        char *s[] = {ru->csv, ru->id, ru->host, ru->label, ru->cpu, ru->profile, ru->started, ru->cpuset,
                     ru->topology, ru->kernel, ru->compiler, ru->commit, ru->status};
        for (size_t k = 0; k < sizeof s / sizeof *s; k++)
            free(s[k]);
    }
    r->n_runs = 0;
}
