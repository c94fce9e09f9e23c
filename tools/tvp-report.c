/* tvp-report.c: charts (data files + gnuplot) and a static HTML report from tvp tidy CSV files.
 *
 * usage: tvp-report [--out=DIR] [--scripts=DIR] [--gnuplot=PROGRAM] [--no-render] CSV[,CSV...] ...
 *
 * Each CSV is one run (its .meta.json beside it names the machine). Repetition rows of one
 * configuration (its `benchmark` within one run) are folded into one value per column: the median
 * (stats_median) of that column over the configuration's ok repetition rows; min and max over the
 * same rows give error bars. Aggregate rows of older files (repetition mean, median, stddev, cv)
 * are ignored: everything is computed from the repetitions. A measurement that is not a finite,
 * non-negative number (inf, nan, -3, text) counts as missing, with one warning per column naming
 * the file:line of the first such value and how many were skipped; no nan or inf reaches the data
 * files or the page (a missing value is written as `?`, which gnuplot's column expressions read
 * as undefined: the point is left out).
 * A CSV argument that names an existing file is one path even with commas in it; otherwise it is
 * split on commas (`\,` stands for a comma inside a path).
 * For every chart the program writes tab-separated .dat files and small gnuplot include
 * files into OUT/data/, then runs scripts/gnuplot/<chart>.gp, which draws OUT/<chart>.png and
 * .svg. A chart without rows is skipped with a note (stderr and index.html). index.html shows
 * every chart, the machine of every run and headline findings computed here from the data.
 * Exit status: 0 done, 1 a chart failed to render, 2 bad flags or unreadable input.
 */
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <spawn.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "results.h"
#include "stats.h"

#ifndef TVP_GNUPLOT_DIR
#define TVP_GNUPLOT_DIR "scripts/gnuplot"
#endif

extern char **environ;

#define RPT_DEFAULT_SWITCH_US 5000 /* CPython's default switch interval: the one charts 1-5 show */
#define RPT_DEFAULT_TICKS 100      /* CPython 2's check interval, for the legacy GIL */
#define RPT_MAX_RUNS 16

/* ------------------------------------------------------------------------------------------ */
/* Data model                                                                                  */

enum rpt_metric {
    M_WALL, M_TPS, M_SPEEDUP, M_EFF, M_CPU_S, M_UTIL, M_CTXV, M_CTXI, M_P50, M_P90, M_P99, M_RSS,
    M_COUNT
};
static const char *const rpt_metric_cols[M_COUNT] = {
    "wall_s", "tasks_per_s", "speedup", "efficiency", "cpu_s", "cpu_util", "ctx_vol", "ctx_invol",
    "lat_p50_us", "lat_p90_us", "lat_p99_us", "rss_kib"};

/* Columns after the parameters that are measurements, not parameters. */
static const char *const rpt_extra_cols[] = {"lat_p90_us", "cpus_used", "oversubscribed", "respawns",
                                             "iterations", "detail"};

typedef struct rpt_run {
    char *csv, *id, *host, *label, *cpu, *profile, *started, *cpuset, *topology, *kernel, *compiler,
        *commit, *status;
    long usable;       /* usable CPUs (PUs), 0 when unknown */
    const char *pin;   /* the placement the charts show */
    long switch_pref;  /* the GIL switch interval charts 1-5 show, -1 when no GIL rows */
    long ticks_pref;   /* the legacy GIL check interval they show, -1 when no legacy rows */
    bool other_pins, other_switches;
    size_t n_rows;
} rpt_run;

typedef struct rpt_cfg {
    size_t run;
    uint64_t hash;
    char *key;
    const char *workload, *executor, *spawn, *gil, *pin, *hog; /* point into `strs` */
    char *params; /* "bytes=262144 algo=sha256", hog left out */
    char *strs;
    long switch_us, ticks, workers, tasks; /* -1 when empty (switch_us, ticks) */
    size_t n_ok, n_bad; /* repetition rows with status ok, and the others (failed, interrupted) */
    double *reps;       /* n_ok x M_COUNT values of the ok repetitions, NAN where missing; freed once folded */
    double lo[M_COUNT], hi[M_COUNT]; /* the smallest and largest repetition */
    double v[M_COUNT]; /* the value shown: median of the ok repetitions; NAN if none */
    char *detail;      /* the first failure's detail */
} rpt_cfg;

typedef struct rpt_opts {
    const char *out, *scripts, *gnuplot;
    bool render;
    char **csv;
    size_t n_csv;
} rpt_opts;

enum rpt_chart_id {
    CH_SPEEDUP, CH_THROUGHPUT, CH_LATENCY, CH_CONVOY, CH_CPU, CH_MEMORY, CH_COSTS, CH_GIL, CH_COUNT
};

typedef struct rpt_chart {
    const char *name, *title, *about;
    char note[512];    /* why it was skipped, or what it leaves out */
    bool drawn;        /* data written */
    bool rendered;     /* gnuplot made the files */
    int panels;
} rpt_chart;

/* A legend entry or the style of a series. kind: 1 line (+ points unless pt < 0), 2 box, 3 point. */
typedef struct rpt_key {
    char label[256];
    char color[8];
    int dt, pt, kind;
} rpt_key;

#define RPT_MAX_KEYS 96

typedef struct rpt {
    rpt_opts o;
    rpt_run runs[RPT_MAX_RUNS];
    size_t n_runs;
    rpt_cfg *cfgs;
    size_t n_cfgs, cap_cfgs;
    char *work; /* OUT/data */
    rpt_chart charts[CH_COUNT];
    rpt_key keys[RPT_MAX_KEYS]; /* the legend of the chart being written */
    size_t n_keys;
    size_t max_cat; /* the longest rotated category label of the chart being written */
} rpt;

/* ------------------------------------------------------------------------------------------ */
/* Small helpers                                                                               */

static void *rpt_xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) {
        fprintf(stderr, "tvp-report: out of memory\n");
        exit(1);
    }
    return p;
}

static char *rpt_strdup(const char *s)
{
    size_t n = strlen(s ? s : "") + 1;
    char *d = rpt_xmalloc(n);
    memcpy(d, s ? s : "", n);
    return d;
}

static char *rpt_asprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *rpt_asprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *s = NULL;
    int n = vasprintf(&s, fmt, ap);
    va_end(ap);
    if (n < 0) {
        fprintf(stderr, "tvp-report: out of memory\n");
        exit(1);
    }
    return s;
}

static bool rpt_eq(const char *a, const char *b) { return a && b && strcmp(a, b) == 0; }

static double rpt_num(const char *s)
{
    if (!s || !*s)
        return NAN;
    char *end;
    double v = strtod(s, &end);
    return end != s && *end == '\0' && isfinite(v) ? v : NAN;
}

static long rpt_long(const char *s, long dflt)
{
    double v = rpt_num(s);
    return isnan(v) ? dflt : (long)v;
}

static uint64_t rpt_hash(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

/* Numbers for people: 1.23M, 13.2k, 492. */
static void rpt_fmt_rate(double v, char *buf, size_t len)
{
    if (!isfinite(v))
        snprintf(buf, len, "n/a");
    else if (v >= 1e6)
        snprintf(buf, len, "%.3gM", v / 1e6);
    else if (v >= 1e4)
        snprintf(buf, len, "%.3gk", v / 1e3);
    else if (v >= 100)
        snprintf(buf, len, "%.0f", v);
    else
        snprintf(buf, len, "%.3g", v);
}

static void rpt_fmt_x(double v, char *buf, size_t len)
{
    if (!isfinite(v))
        snprintf(buf, len, "n/a");
    else if (v < 0.095)
        snprintf(buf, len, "%.3fx", v);
    else
        snprintf(buf, len, "%.2fx", v);
}

static void rpt_fmt_us(double us, char *buf, size_t len)
{
    if (!isfinite(us))
        snprintf(buf, len, "n/a");
    else if (us >= 1e6)
        snprintf(buf, len, "%.3g s", us / 1e6);
    else if (us >= 1e3)
        snprintf(buf, len, "%.3g ms", us / 1e3);
    else
        snprintf(buf, len, "%.3g \xc2\xb5s", us);
}

static void rpt_fmt_switch(long us, char *buf, size_t len)
{
    if (us >= 1000 && us % 1000 == 0)
        snprintf(buf, len, "%ld ms", us / 1000);
    else
        snprintf(buf, len, "%ld \xc2\xb5s", us);
}

/* A string for gnuplot: double-quoted, with its escapes; control characters dropped. Backquotes
 * become quotes: gnuplot runs `...` as a shell command even inside a string. */
static void rpt_gp_str(FILE *f, const char *s)
{
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
        if (*p == '`')
            fputc('\'', f);
        else if (*p == '"' || *p == '\\')
            fputc('\\', f), fputc(*p, f);
        else if (*p == '\n')
            fputs("\\n", f);
        else if (*p >= 0x20 && *p != 0x7f)
            fputc(*p, f);
    }
    fputc('"', f);
}

/* A quoted string field of a .dat file: gnuplot has no escapes there, so quotes become '. */
static void rpt_dat_str(FILE *f, const char *s)
{
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++)
        fputc(*p == '"' ? '\'' : *p < 0x20 || *p == 0x7f ? ' ' : *p, f);
    fputc('"', f);
}

/* A number field of a .dat file, tab first: never nan or inf; a missing value is `?` (not a number:
 * the scripts read such columns as ($3), which gnuplot takes as undefined and leaves out). */
static void rpt_dat_val(FILE *f, double v)
{
    if (isfinite(v))
        fprintf(f, "\t%.9g", v == 0 ? 0.0 : v);
    else
        fputs("\t?", f);
}

/* A rotated category label (x tic) of a data block; remembers the longest for the layout. */
static void rpt_cat_str(size_t *max_cat, FILE *f, size_t x, const char *label)
{
    fprintf(f, "%zu\t", x);
    rpt_dat_str(f, label);
    fputc('\n', f);
    *max_cat = strlen(label) > *max_cat ? strlen(label) : *max_cat;
}

static void rpt_html_esc(FILE *f, const char *s)
{
    for (const char *p = s ? s : ""; *p; p++) {
        switch (*p) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        case '\'': fputs("&#39;", f); break;
        default: fputc(*p, f);
        }
    }
}

/* ------------------------------------------------------------------------------------------ */
/* Reading: meta.json, CSV rows folded into configurations                                     */

static char *rpt_json_str(json_t *root, const char *a, const char *b)
{
    json_t *v = json_object_get(root, a);
    if (b)
        v = json_object_get(v, b);
    if (json_is_string(v))
        return rpt_strdup(json_string_value(v));
    if (json_is_integer(v))
        return rpt_asprintf("%lld", (long long)json_integer_value(v));
    return NULL;
}

static char *rpt_meta_path(const char *csv)
{
    size_t n = strlen(csv);
    if (n > 4 && strcmp(csv + n - 4, ".csv") == 0)
        return rpt_asprintf("%.*s.meta.json", (int)(n - 4), csv);
    return rpt_asprintf("%s.meta.json", csv);
}

static char *rpt_or_unknown(char *s) { return s ? s : rpt_strdup("unknown"); }

static void rpt_read_meta(rpt_run *run)
{
    char *path = rpt_meta_path(run->csv);
    json_error_t jerr;
    json_t *root = json_load_file(path, 0, &jerr);
    if (!root && access(path, F_OK) == 0)
        fprintf(stderr, "tvp-report: %s:%d: not valid JSON (%s); machine facts unknown\n", path, jerr.line,
                jerr.text);
    else if (!root)
        fprintf(stderr, "tvp-report: no %s: machine facts unknown\n", path);
    free(path);
    run->host = rpt_or_unknown(rpt_json_str(root, "host", NULL));
    run->cpu = rpt_or_unknown(rpt_json_str(root, "machine", "cpu_model"));
    run->profile = rpt_or_unknown(rpt_json_str(root, "options", "profile"));
    run->started = rpt_or_unknown(rpt_json_str(root, "started_utc", NULL));
    run->cpuset = rpt_or_unknown(rpt_json_str(root, "machine", "usable_cpuset"));
    run->topology = rpt_or_unknown(rpt_json_str(root, "machine", "topology"));
    run->kernel = rpt_or_unknown(rpt_json_str(root, "machine", "kernel"));
    run->compiler = rpt_or_unknown(rpt_json_str(root, "compiler", NULL));
    run->commit = rpt_or_unknown(rpt_json_str(root, "git_commit", NULL));
    run->status = rpt_or_unknown(rpt_json_str(root, "status", NULL));
    char *id = rpt_json_str(root, "run_id", NULL);
    if (id && !run->id)
        run->id = id;
    else
        free(id);
    json_t *pus = json_object_get(json_object_get(root, "machine"), "usable_pus");
    run->usable = json_is_integer(pus) ? (long)json_integer_value(pus) : 0;
    json_decref(root);
}

/* The parameter columns: after rss_kib, up to the first extra column (report.c's layout). */
static bool rpt_is_param_col(const results_table *t, size_t c)
{
    int rss = results_table_col(t, "rss_kib"), p90 = results_table_col(t, "lat_p90_us");
    if (rss < 0 || c <= (size_t)rss)
        return false;
    if (p90 > rss)
        return c < (size_t)p90;
    for (size_t i = 0; i < sizeof rpt_extra_cols / sizeof *rpt_extra_cols; i++)
        if (strcmp(t->cols[c], rpt_extra_cols[i]) == 0)
            return false;
    return true;
}

static const char *rpt_cell(const results_table *t, size_t row, size_t col)
{
    const char *s = t->cells[row * t->n_cols + col];
    return s ? s : "";
}

/* The configuration key of a row (everything but the repetition and the measurements) and the
 * parameter label. */
static void rpt_row_key(const results_table *t, size_t row, size_t run, char **key, char **params)
{
    static const char *const cfg_cols[] = {"benchmark", "workload", "executor", "spawn", "gil",
                                           "switch_us", "check_ticks", "workers", "pin", "tasks"};
    char *k = NULL, *p = NULL;
    size_t kn = 0, pn = 0;
    bool first = true;
    FILE *kf = open_memstream(&k, &kn), *pf = open_memstream(&p, &pn);
    if (!kf || !pf) {
        fprintf(stderr, "tvp-report: out of memory\n");
        exit(1);
    }
    fprintf(kf, "%zu", run);
    for (size_t i = 0; i < sizeof cfg_cols / sizeof *cfg_cols; i++) {
        const char *v = results_table_get(t, row, cfg_cols[i]);
        fprintf(kf, "\x1f%s", v ? v : "");
    }
    for (size_t c = 0; c < t->n_cols; c++) {
        if (!rpt_is_param_col(t, c))
            continue;
        const char *v = rpt_cell(t, row, c);
        fprintf(kf, "\x1f%s=%s", t->cols[c], v);
        if (*v && strcmp(t->cols[c], "hog") != 0) {
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

/* The strings of a configuration live in one block: workload, executor, spawn, gil, pin, hog. */
static void rpt_cfg_strings(rpt_cfg *c, const results_table *t, size_t row)
{
    const char *v[6] = {rpt_str_or(t, row, "workload", "?"), rpt_str_or(t, row, "executor", "?"),
                        rpt_str_or(t, row, "spawn", "pool"), rpt_str_or(t, row, "gil", "off"),
                        rpt_str_or(t, row, "pin", "none"), rpt_str_or(t, row, "hog", "")};
    size_t n = 0;
    for (int i = 0; i < 6; i++)
        n += strlen(v[i]) + 1;
    char *p = c->strs = rpt_xmalloc(n);
    const char **dst[6] = {&c->workload, &c->executor, &c->spawn, &c->gil, &c->pin, &c->hog};
    for (int i = 0; i < 6; i++) {
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
        rpt_cfg *n = realloc(r->cfgs, r->cap_cfgs * sizeof *n);
        if (!n) {
            fprintf(stderr, "tvp-report: out of memory\n");
            exit(1);
        }
        r->cfgs = n;
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

/* A measurement cell: a finite number >= 0 (-0 becomes 0), NAN when empty or not such a number;
 * *bad tells the second case apart (every measurement here is a time, rate, ratio, count or size). */
static double rpt_measure(const char *s, bool *bad)
{
    *bad = false;
    if (!s || !*s)
        return NAN;
    char *end;
    double v = strtod(s, &end);
    if (end == s || *end != '\0' || !isfinite(v) || v < 0) {
        *bad = true;
        return NAN;
    }
    return v == 0 ? 0.0 : v;
}

static void rpt_add_row(rpt *r, const results_table *t, size_t row, size_t run, rpt_bad_col *bad)
{
    const char *rep = results_table_get(t, row, "repetition");
    if (!rpt_is_repetition(rep))
        return; /* an aggregate row of an older file (mean, median, stddev, cv): recomputed here */
    char *key, *params;
    rpt_row_key(t, row, run, &key, &params);
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
    double *reps = realloc(c->reps, (c->n_ok + 1) * M_COUNT * sizeof *reps);
    if (!reps) {
        fprintf(stderr, "tvp-report: out of memory\n");
        exit(1);
    }
    c->reps = reps;
    double *v = &reps[c->n_ok * M_COUNT];
    for (int m = 0; m < M_COUNT; m++) {
        const char *cell = results_table_get(t, row, rpt_metric_cols[m]);
        bool b;
        v[m] = rpt_measure(cell, &b);
        if (b && bad[m].n++ == 0) {
            bad[m].first_row = row;
            snprintf(bad[m].first, sizeof bad[m].first, "%s", cell);
            for (char *q = bad[m].first; *q; q++)
                *q = (unsigned char)*q < 0x20 ? ' ' : *q; /* one line per warning */
        }
    }
    c->n_ok++;
}

/* Folds the ok repetitions of every configuration: the median, min and max per column. */
static void rpt_finish_cfgs(rpt *r)
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
static void rpt_warn_bad(const char *path, size_t n_rows, const rpt_bad_col *bad)
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
                "tvp-report: %s:%zu: warning: %s '%s' is not a finite non-negative number; %zu such value%s "
                "of %s skipped (charted as missing)\n",
                path, line, rpt_metric_cols[m], bad[m].first, bad[m].n, bad[m].n == 1 ? "" : "s",
                rpt_metric_cols[m]);
    }
    free(lines);
}

static const char *const rpt_required_cols[] = {"workload", "executor", "workers", "repetition", "status",
                                                "wall_s", "tasks"};

static int rpt_read_csv(rpt *r, const char *path)
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
    for (size_t i = 0; i < sizeof rpt_required_cols / sizeof *rpt_required_cols; i++)
        if (results_table_col(&t, rpt_required_cols[i]) < 0) {
            size_t n = strlen(path);
            bool summary = results_table_col(&t, "n_ok") >= 0 ||
                           (n > 12 && strcmp(path + n - 12, ".summary.csv") == 0);
            fprintf(stderr, "tvp-report: %s:1: missing column '%s': not a tvp results CSV%s\n", path,
                    rpt_required_cols[i],
                    summary ? " (a .summary.csv has one row per configuration: give the main CSV beside it, "
                              "whose repetition rows the charts need)"
                            : "");
            results_table_free(&t);
            return -EBADMSG;
        }
    if (t.n_rows == 0) {
        fprintf(stderr, "tvp-report: %s:1: a header but no rows: nothing to chart\n", path);
        results_table_free(&t);
        return -EBADMSG;
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
    rpt_bad_col bad[M_COUNT];
    memset(bad, 0, sizeof bad);
    for (size_t row = 0; row < t.n_rows; row++)
        rpt_add_row(r, &t, row, run, bad);
    rpt_warn_bad(path, t.n_rows, bad);
    results_table_free(&t);
    return 0;
}

/* Which placement and which GIL switch interval the summary charts show, per run. */
static void rpt_choose_views(rpt *r)
{
    for (size_t ri = 0; ri < r->n_runs; ri++) {
        rpt_run *ru = &r->runs[ri];
        ru->switch_pref = ru->ticks_pref = -1;
        for (size_t i = 0; i < r->n_cfgs; i++) {
            const rpt_cfg *c = &r->cfgs[i];
            if (c->run != ri)
                continue;
            if (!ru->pin || rpt_eq(c->pin, "none") || (!rpt_eq(ru->pin, "none") && strcmp(c->pin, ru->pin) < 0))
                ru->pin = c->pin;
            if (!rpt_eq(c->gil, "off") && c->switch_us >= 0 &&
                (ru->switch_pref < 0 ||
                 labs(c->switch_us - RPT_DEFAULT_SWITCH_US) < labs(ru->switch_pref - RPT_DEFAULT_SWITCH_US)))
                ru->switch_pref = c->switch_us;
            if (c->ticks >= 0 && (ru->ticks_pref < 0 || labs(c->ticks - RPT_DEFAULT_TICKS) <
                                                            labs(ru->ticks_pref - RPT_DEFAULT_TICKS)))
                ru->ticks_pref = c->ticks;
        }
        for (size_t i = 0; i < r->n_cfgs; i++) {
            const rpt_cfg *c = &r->cfgs[i];
            if (c->run != ri)
                continue;
            ru->other_pins |= !rpt_eq(c->pin, ru->pin);
            ru->other_switches |= !rpt_eq(c->gil, "off") && c->switch_us >= 0 && c->switch_us != ru->switch_pref;
            ru->other_switches |= c->ticks >= 0 && c->ticks != ru->ticks_pref;
        }
    }
}

/* ------------------------------------------------------------------------------------------ */
/* Selections                                                                                  */

static bool rpt_is_sched(const rpt_cfg *c) { return strncmp(c->workload, "sched_", 6) == 0; }
static bool rpt_is_convoy(const rpt_cfg *c) { return strcmp(c->workload, "convoy") == 0; }
static bool rpt_is_serial(const rpt_cfg *c) { return strcmp(c->executor, "serial") == 0; }
static bool rpt_has(const rpt_cfg *c, int m) { return !isnan(c->v[m]); }

/* The configurations of the summary charts: ok, the run's placement, its switch interval. */
static bool rpt_main_view(const rpt *r, const rpt_cfg *c)
{
    const rpt_run *ru = &r->runs[c->run];
    if (c->n_ok == 0)
        return false;
    if (!rpt_eq(c->pin, ru->pin) || rpt_is_sched(c) || rpt_is_convoy(c))
        return false;
    if (c->ticks >= 0 && c->ticks != ru->ticks_pref)
        return false;
    return rpt_eq(c->gil, "off") || c->switch_us == ru->switch_pref || c->switch_us < 0;
}

static int rpt_rank(const char *s, const char *const *order, int n)
{
    for (int i = 0; i < n; i++)
        if (rpt_eq(s, order[i]))
            return i;
    return n;
}

static int rpt_exec_rank(const char *e)
{
    static const char *const o[] = {"serial", "threads", "processes"};
    return rpt_rank(e, o, 3);
}

static int rpt_gil_rank(const char *g)
{
    static const char *const o[] = {"off", "on", "legacy"};
    return rpt_rank(g, o, 3);
}

/* Series identity: executor, spawn, gil, switch (optional), hog, then the run. */
typedef struct rpt_sort_ctx {
    bool with_switch; /* switch_us part of the key (else it is the x value) */
    bool with_run;
    int x_metric; /* -1: x is workers, -2: x is switch_us */
} rpt_sort_ctx;

static int rpt_cmp_cfg_key(const rpt_cfg *a, const rpt_cfg *b, const rpt_sort_ctx *s)
{
    int d;
    if ((d = strverscmp(a->workload, b->workload)) || (d = strverscmp(a->params, b->params)))
        return d;
    if ((d = rpt_exec_rank(a->executor) - rpt_exec_rank(b->executor)) || (d = strcmp(a->executor, b->executor)))
        return d;
    if ((d = strcmp(b->spawn, a->spawn))) /* pool before per-task */
        return d;
    if ((d = rpt_gil_rank(a->gil) - rpt_gil_rank(b->gil)) || (d = strcmp(a->gil, b->gil)))
        return d;
    if (s->with_switch && ((d = (a->switch_us > b->switch_us) - (a->switch_us < b->switch_us)) ||
                           (d = (a->ticks > b->ticks) - (a->ticks < b->ticks))))
        return d;
    if ((d = strcmp(b->hog, a->hog))) /* thread before process */
        return d;
    if (s->with_run && (d = (a->run > b->run) - (a->run < b->run)))
        return d;
    return 0;
}

static int rpt_cmp_series(const void *pa, const void *pb, void *arg)
{
    const rpt_cfg *a = *(rpt_cfg *const *)pa, *b = *(rpt_cfg *const *)pb;
    const rpt_sort_ctx *s = arg;
    int d = rpt_cmp_cfg_key(a, b, s);
    if (d)
        return d;
    long xa = s->x_metric == -2 ? a->switch_us : a->workers, xb = s->x_metric == -2 ? b->switch_us : b->workers;
    return (xa > xb) - (xa < xb);
}

/* A list of configuration pointers. */
typedef struct rpt_list {
    rpt_cfg **v;
    size_t n;
} rpt_list;

static void rpt_list_add(rpt_list *l, rpt_cfg *c)
{
    rpt_cfg **n = realloc(l->v, (l->n + 1) * sizeof *n);
    if (!n) {
        fprintf(stderr, "tvp-report: out of memory\n");
        exit(1);
    }
    l->v = n;
    l->v[l->n++] = c;
}

typedef bool (*rpt_pred)(const rpt *r, const rpt_cfg *c);

static rpt_list rpt_select(rpt *r, rpt_pred pred)
{
    rpt_list l = {0};
    for (size_t i = 0; i < r->n_cfgs; i++)
        if (pred(r, &r->cfgs[i]))
            rpt_list_add(&l, &r->cfgs[i]);
    return l;
}

/* Panels: distinct (workload, params) of a sorted list. */
typedef struct rpt_panel {
    const char *workload, *params;
    size_t from, to; /* range in the sorted list */
} rpt_panel;

static size_t rpt_panels(const rpt_list *l, rpt_panel *out, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < l->n; i++) {
        const rpt_cfg *c = l->v[i];
        if (n && rpt_eq(out[n - 1].workload, c->workload) && rpt_eq(out[n - 1].params, c->params)) {
            out[n - 1].to = i + 1;
            continue;
        }
        if (n == max)
            break;
        out[n++] = (rpt_panel){c->workload, c->params, i, i + 1};
    }
    return n;
}

static void rpt_sort(rpt_list *l, rpt_sort_ctx *s)
{
    if (l->n)
        qsort_r(l->v, l->n, sizeof *l->v, rpt_cmp_series, s);
}

/* ------------------------------------------------------------------------------------------ */
/* Series style and labels                                                                     */

static const char *rpt_color(const rpt_cfg *c)
{
    int e = rpt_exec_rank(c->executor), g = rpt_gil_rank(c->gil);
    static const char *const threads[] = {"#0072B2", "#CC79A7", "#882255", "#0072B2"};
    static const char *const procs[] = {"#D55E00", "#E69F00", "#8C564B", "#D55E00"};
    if (e == 0)
        return "#444444";
    if (e == 1)
        return threads[g];
    if (e == 2)
        return procs[g];
    return "#009E73";
}

static const char *rpt_run_color(size_t run)
{
    static const char *const c[] = {"#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#444444"};
    return c[run % 7];
}

/* A lighter tint of #rrggbb (per-task bars). */
static void rpt_tint(const char *hex, char out[8])
{
    unsigned v = (unsigned)strtoul(hex + 1, NULL, 16);
    unsigned rgb[3] = {(v >> 16) & 255, (v >> 8) & 255, v & 255};
    for (int i = 0; i < 3; i++)
        rgb[i] = rgb[i] + (255 - rgb[i]) * 45 / 100;
    snprintf(out, 8, "#%02x%02x%02x", rgb[0] & 255, rgb[1] & 255, rgb[2] & 255);
}

static bool rpt_per_task(const rpt_cfg *c) { return rpt_eq(c->spawn, "per-task"); }

static int rpt_point_type(const rpt_cfg *c)
{
    static const int filled[] = {7, 9, 5, 13, 11};
    int pt = filled[c->run % 5];
    return rpt_per_task(c) ? pt - 1 : pt;
}

static int rpt_dash(const rpt_cfg *c)
{
    bool other_run = c->run % 2 == 1;
    return rpt_per_task(c) ? (other_run ? 3 : 2) : (other_run ? 4 : 1);
}

/* "threads per-task +GIL 5 ms" (+ the run when several are overlaid). */
static void rpt_label(const rpt *r, const rpt_cfg *c, bool with_switch, bool with_hog, char *buf, size_t len)
{
    char sw[32] = "";
    if (with_switch && !rpt_eq(c->gil, "off") && c->switch_us >= 0) {
        sw[0] = ' ';
        rpt_fmt_switch(c->switch_us, sw + 1, sizeof sw - 1);
    } else if (with_switch && c->ticks >= 0) {
        snprintf(sw, sizeof sw, " %ld ticks", c->ticks);
    }
    snprintf(buf, len, "%s%s%s%s%s%s%s%s%s", c->executor, rpt_per_task(c) ? " per-task" : "",
             rpt_eq(c->gil, "on") ? " +GIL" : rpt_eq(c->gil, "off") ? "" : " +GIL:", 
             rpt_eq(c->gil, "on") || rpt_eq(c->gil, "off") ? "" : c->gil, sw,
             with_hog && *c->hog ? ", hog as " : "", with_hog ? c->hog : "",
             r->n_runs > 1 ? " \xc2\xb7 " : "", r->n_runs > 1 ? r->runs[c->run].label : "");
}

static void rpt_panel_title(const rpt_panel *p, char *buf, size_t len)
{
    snprintf(buf, len, "%s%s%s", p->workload, *p->params ? ": " : "", p->params);
}

/* ------------------------------------------------------------------------------------------ */
/* Writing chart files                                                                         */

/* The per-panel include: title, data file, series arrays, the range of the values. */
typedef struct rpt_panel_out {
    rpt *r;
    FILE *gp, *dat;
    rpt_key *s;
    size_t ns, cap;
    bool block_open;
    double ymin, ymax; /* of the positive values written */
} rpt_panel_out;

/* Adds a legend entry to the chart being written (once per label). */
static void rpt_key_add(rpt *r, const char *label, const char *color, int dt, int pt, int kind)
{
    for (size_t i = 0; i < r->n_keys; i++)
        if (strcmp(r->keys[i].label, label) == 0)
            return;
    if (r->n_keys == RPT_MAX_KEYS)
        return;
    rpt_key *k = &r->keys[r->n_keys++];
    snprintf(k->label, sizeof k->label, "%s", label);
    snprintf(k->color, sizeof k->color, "%s", color);
    k->dt = dt;
    k->pt = pt;
    k->kind = kind;
}

static void rpt_y(rpt_panel_out *po, double v)
{
    if (v > 0 && isfinite(v)) {
        po->ymin = fmin(po->ymin, v);
        po->ymax = fmax(po->ymax, v);
    }
}

static FILE *rpt_open(const char *path)
{
    FILE *f = fopen(path, "we");
    if (!f)
        fprintf(stderr, "tvp-report: cannot write %s: %s\n", path, strerror(errno));
    return f;
}

static int rpt_panel_begin(rpt *r, rpt_panel_out *po, const char *chart, int panel, const char *title)
{
    memset(po, 0, sizeof *po);
    po->r = r;
    po->ymin = INFINITY;
    po->ymax = -INFINITY;
    char *gp = rpt_asprintf("%s/%s.p%d.gp", r->work, chart, panel);
    char *dat = rpt_asprintf("%s/%s.p%d.dat", r->work, chart, panel);
    po->gp = rpt_open(gp);
    po->dat = rpt_open(dat);
    if (po->gp && po->dat) {
        fprintf(po->gp, "# %s panel %d: written by tvp-report\nP_TITLE = ", chart, panel);
        rpt_gp_str(po->gp, title);
        fprintf(po->gp, "\nP_DAT = ");
        rpt_gp_str(po->gp, dat);
        fputc('\n', po->gp);
        fprintf(po->dat, "# %s panel %d: %s\n", chart, panel, title);
    }
    free(gp);
    free(dat);
    return po->gp && po->dat ? 0 : -EIO;
}

/* Starts a data block (gnuplot `index`) that is not a series of its own. */
static void rpt_block(rpt_panel_out *po, const char *what)
{
    if (po->block_open)
        fputs("\n\n", po->dat);
    fprintf(po->dat, "# %s\n", what);
    po->block_open = true;
}

/* Starts a data block (gnuplot `index`) for a new series, with its legend entry. */
static void rpt_series(rpt_panel_out *po, const char *label, const char *color, int dt, int pt)
{
    rpt_key_add(po->r, label, color, dt, pt, 1);
    if (po->ns == po->cap) {
        po->cap = po->cap ? po->cap * 2 : 16;
        rpt_key *n = realloc(po->s, po->cap * sizeof *n);
        if (!n) {
            fprintf(stderr, "tvp-report: out of memory\n");
            exit(1);
        }
        po->s = n;
    }
    rpt_key *s = &po->s[po->ns++];
    snprintf(s->label, sizeof s->label, "%s", label);
    snprintf(s->color, sizeof s->color, "%s", color);
    s->dt = dt;
    s->pt = pt;
    if (po->block_open)
        fputs("\n\n", po->dat);
    fprintf(po->dat, "# series %zu: %s\n", po->ns, label);
    po->block_open = true;
}

static void rpt_gp_array_str(FILE *f, const char *name, const rpt_key *s, size_t n, int which)
{
    fprintf(f, "array %s[%zu]%s", name, n ? n : 1, n ? " = [" : "\n");
    for (size_t i = 0; i < n; i++) {
        if (i)
            fputs(", ", f);
        rpt_gp_str(f, which == 0 ? s[i].label : s[i].color);
    }
    if (n)
        fputs("]\n", f);
}

static void rpt_gp_array_int(FILE *f, const char *name, const rpt_key *s, size_t n, int which)
{
    fprintf(f, "array %s[%zu]%s", name, n ? n : 1, n ? " = [" : "\n");
    for (size_t i = 0; i < n; i++)
        fprintf(f, "%s%d", i ? ", " : "", which == 0 ? s[i].dt : s[i].pt);
    if (n)
        fputs("]\n", f);
}

static int rpt_panel_end(rpt_panel_out *po)
{
    int rc = 0;
    if (po->gp) {
        fprintf(po->gp, "P_NS = %zu\n", po->ns);
        bool any = po->ymax > 0;
        fprintf(po->gp, "P_YMIN = %.9g\nP_YMAX = %.9g\nP_LOGY = %d\n", any ? po->ymin : 1.0, any ? po->ymax : 10.0,
                any && po->ymax / po->ymin >= 8.0);
        rpt_gp_array_str(po->gp, "S_T", po->s, po->ns, 0);
        rpt_gp_array_str(po->gp, "S_C", po->s, po->ns, 1);
        rpt_gp_array_int(po->gp, "S_DT", po->s, po->ns, 0);
        rpt_gp_array_int(po->gp, "S_PT", po->s, po->ns, 1);
        rc |= fclose(po->gp);
    }
    if (po->dat)
        rc |= fclose(po->dat);
    free(po->s);
    memset(po, 0, sizeof *po);
    return rc ? -EIO : 0;
}

/* The caption under a chart: one line per run (the machine), then the chart's note. */
static char *rpt_caption(const rpt *r, const char *note, int *lines)
{
    char *cap = NULL;
    size_t caplen = 0;
    FILE *cf = open_memstream(&cap, &caplen);
    if (!cf) {
        fprintf(stderr, "tvp-report: out of memory\n");
        exit(1);
    }
    for (size_t i = 0; i < r->n_runs; i++) {
        const rpt_run *ru = &r->runs[i];
        fprintf(cf, "%s%s: %s, ", i ? "\n" : "", ru->label, ru->cpu);
        if (ru->usable > 0)
            fprintf(cf, "%ld usable CPUs", ru->usable);
        else
            fputs("usable CPUs unknown", cf);
        fprintf(cf, ", profile %s, started %s", ru->profile, ru->started);
    }
    if (note && *note)
        fprintf(cf, "\n%s", note);
    fclose(cf);
    *lines = (int)r->n_runs + (note && *note ? 1 : 0);
    return cap;
}

/* The legend of the chart: arrays K_*, laid out in columns under the panels. */
static int rpt_write_keys(rpt *r, FILE *f, int width)
{
    size_t n = r->n_keys, maxlen = 1;
    for (size_t i = 0; i < n; i++)
        maxlen = strlen(r->keys[i].label) > maxlen ? strlen(r->keys[i].label) : maxlen;
    int colw = 6 * (int)maxlen + 70, cols = (width - 40) / colw;
    cols = cols < 1 ? 1 : cols > (int)n ? (int)(n ? n : 1) : cols;
    int rows = (int)((n + (size_t)cols - 1) / (size_t)cols);
    fprintf(f, "K_N = %zu\nK_COLS = %d\n", n, cols);
    fprintf(f, "array K_T[%zu]\narray K_C[%zu]\narray K_DT[%zu]\narray K_PT[%zu]\narray K_W[%zu]\n", n ? n : 1,
            n ? n : 1, n ? n : 1, n ? n : 1, n ? n : 1);
    fputs("K_T[1] = \"\"\nK_C[1] = \"#000000\"\nK_DT[1] = 1\nK_PT[1] = -1\nK_W[1] = 0\n", f);
    for (size_t i = 0; i < n; i++) {
        const rpt_key *k = &r->keys[i];
        fprintf(f, "K_T[%zu] = ", i + 1);
        rpt_gp_str(f, k->label);
        fprintf(f, "\nK_C[%zu] = \"%s\"\nK_DT[%zu] = %d\nK_PT[%zu] = %d\nK_W[%zu] = %d\n", i + 1, k->color, i + 1,
                k->dt, i + 1, k->pt, i + 1, k->kind);
    }
    r->n_keys = 0;
    return n ? rows * 18 + 20 : 0;
}

/* The chart-wide include: title, caption (the machines), legend, layout. */
static int rpt_chart_vars(rpt *r, enum rpt_chart_id id, int panels, int cols, int panel_h, const char *note)
{
    rpt_chart *ch = &r->charts[id];
    char *path = rpt_asprintf("%s/%s.vars.gp", r->work, ch->name);
    FILE *f = rpt_open(path);
    free(path);
    if (!f) {
        r->n_keys = 0;
        return -EIO;
    }
    int rows = (panels + cols - 1) / cols;
    int width = cols == 1 ? 1000 : 1280;
    fprintf(f, "# %s: written by tvp-report; draw with\n#   gnuplot -e \"TVP_WORK='%s'; TVP_OUT='%s/%s'; "
               "TVP_GP='%s'\" %s/%s.gp\n",
            ch->name, r->work, r->o.out, ch->name, r->o.scripts, r->o.scripts, ch->name);
    int key_h = rpt_write_keys(r, f, width), lines;
    char *cap = rpt_caption(r, note, &lines);
    /* Below the panels: tic labels and the x label, the legend, the caption. */
    /* Category labels are rotated by 25-30 degrees: their height grows with their length. */
    int xlab = r->max_cat ? 44 + (int)(3.4 * (double)r->max_cat) : id == CH_CPU ? 40 : 60;
    r->max_cat = 0;
    int cap_h = 15 * lines + 14, top = 66, bottom = xlab + key_h + cap_h;
    int height = top + bottom + rows * panel_h;
    fprintf(f, "TVP_TITLE = ");
    rpt_gp_str(f, ch->title);
    fprintf(f, "\nTVP_CAPTION = ");
    rpt_gp_str(f, cap);
    free(cap);
    fprintf(f, "\nTVP_NP = %d\nTVP_ROWS = %d\nTVP_COLS = %d\nTVP_W = %d\nTVP_H = %d\n", panels, rows, cols,
            width, height);
    /* Margins (screen fractions) leave room for the title above and legend + caption below. */
    fprintf(f, "TVP_ML = %.4f\nTVP_MR = %.4f\nTVP_MB = %.4f\nTVP_MT = %.4f\n", 80.0 / width,
            1.0 - 24.0 / width, (double)bottom / height, 1.0 - (double)top / height);
    fprintf(f, "TVP_SX = %.4f\nTVP_SY = %.4f\n", 95.0 / width, (xlab + 34.0) / height);
    fprintf(f, "TVP_CAPY = %.4f\nTVP_KEYB = %.4f\nTVP_KEYY = %.4f\n", (15.0 * lines - 4.0) / height,
            (double)cap_h / height, (double)(cap_h + key_h) / height);
    fprintf(f, "TVP_NRUNS = %zu\narray TVP_USABLE[%zu]\narray TVP_RUN[%zu]\n", r->n_runs, r->n_runs, r->n_runs);
    for (size_t i = 0; i < r->n_runs; i++) {
        fprintf(f, "TVP_USABLE[%zu] = %ld\nTVP_RUN[%zu] = ", i + 1, r->runs[i].usable, i + 1);
        rpt_gp_str(f, r->runs[i].label);
        fputc('\n', f);
    }
    ch->panels = panels;
    ch->drawn = true;
    return fclose(f) == 0 ? 0 : -EIO;
}

static void rpt_skip(rpt *r, enum rpt_chart_id id, const char *why)
{
    rpt_chart *ch = &r->charts[id];
    snprintf(ch->note, sizeof ch->note, "%s", why);
    ch->drawn = false;
    r->n_keys = 0;
    fprintf(stderr, "tvp-report: skipping %s chart: %s\n", ch->name, why);
}

static int rpt_cols_for(int panels)
{
    return panels <= 1 ? 1 : panels == 2 || panels == 4 ? 2 : 3;
}

/* ------------------------------------------------------------------------------------------ */
/* Chart 1: speedup vs workers                                                                 */

static bool rpt_pick_speedup(const rpt *r, const rpt_cfg *c)
{
    return rpt_main_view(r, c) && !rpt_is_serial(c) && rpt_has(c, M_SPEEDUP);
}

/* Writes one line-chart panel: a series per key, x = workers or switch_us, y columns given. */
static void rpt_write_lines(const rpt *r, rpt_panel_out *po, const rpt_list *l, const rpt_panel *p,
                            const rpt_sort_ctx *s, const int *ycols, int ny, bool with_switch)
{
    for (size_t i = p->from; i < p->to; i++) {
        const rpt_cfg *c = l->v[i];
        if (i == p->from || rpt_cmp_cfg_key(l->v[i - 1], c, s) != 0) {
            char label[256];
            rpt_label(r, c, with_switch, true, label, sizeof label);
            rpt_series(po, label, rpt_color(c), rpt_dash(c), rpt_point_type(c));
        }
        fprintf(po->dat, "%ld", s->x_metric == -2 ? c->switch_us : c->workers);
        for (int k = 0; k < ny; k++) {
            double v = c->v[ycols[k]];
            rpt_dat_val(po->dat, v);
            rpt_y(po, v);
        }
        fputc('\n', po->dat);
    }
}

/* Whether some configuration has several ok repetitions (medians and whiskers mean something). */
static bool rpt_has_spread(const rpt *r)
{
    for (size_t i = 0; i < r->n_cfgs; i++)
        if (r->cfgs[i].n_ok > 1)
            return true;
    return false;
}

/* How the shown values were folded from repetitions, for the chart captions. */
static const char *rpt_rep_note(const rpt *r)
{
    return rpt_has_spread(r) ? "median of the repetitions" : "one repetition per configuration (no spread measured)";
}

static int rpt_chart_speedup(rpt *r)
{
    rpt_list l = rpt_select(r, rpt_pick_speedup);
    rpt_sort_ctx s = {.with_switch = true, .with_run = true, .x_metric = -1};
    rpt_sort(&l, &s);
    rpt_panel p[64];
    size_t np = rpt_panels(&l, p, 64);
    if (np == 0) {
        rpt_skip(r, CH_SPEEDUP, "no rows with a speedup (parallel executors need a serial reference row)");
        free(l.v);
        return 0;
    }
    long xmax = 1;
    for (size_t i = 0; i < l.n; i++)
        xmax = l.v[i]->workers > xmax ? l.v[i]->workers : xmax;
    rpt_key_add(r, "ideal (speedup = workers)", "#000000", 2, -1, 1);
    rpt_key_add(r, "serial (1x)", "#888888", 3, -1, 1);
    rpt_key_add(r, "usable CPUs", "#009E73", 4, -1, 1);
    int rc = 0;
    for (size_t k = 0; k < np && rc == 0; k++) {
        rpt_panel_out po;
        char title[256];
        rpt_panel_title(&p[k], title, sizeof title);
        rc = rpt_panel_begin(r, &po, r->charts[CH_SPEEDUP].name, (int)k + 1, title);
        if (rc == 0) {
            static const int y[] = {M_SPEEDUP};
            rpt_write_lines(r, &po, &l, &p[k], &s, y, 1, true);
            fprintf(po.gp, "P_XMAX = %ld\n", xmax);
        }
        rc = rpt_panel_end(&po) ? -EIO : rc;
    }
    if (rc == 0) {
        char note[256];
        snprintf(note, sizeof note, "speedup = serial batch time / batch time, same workload and parameters; %s",
                 rpt_rep_note(r));
        rc = rpt_chart_vars(r, CH_SPEEDUP, (int)np, rpt_cols_for((int)np), 330, note);
    }
    free(l.v);
    return rc;
}

/* ------------------------------------------------------------------------------------------ */
/* Bar charts at the largest worker count: throughput (2), latency (3), CPU (4)                */

static long rpt_max_workers(const rpt_list *l, const rpt_panel *p, size_t run)
{
    long w = 0;
    for (size_t i = p->from; i < p->to; i++)
        if (l->v[i]->run == run && !rpt_is_serial(l->v[i]) && l->v[i]->workers > w)
            w = l->v[i]->workers;
    return w;
}

/* The configurations of a panel shown in bar charts: serial, and the others at the run's largest
 * worker count. */
static bool rpt_bar_member(const rpt_list *l, const rpt_panel *p, const rpt_cfg *c)
{
    return rpt_is_serial(c) || c->workers == rpt_max_workers(l, p, c->run);
}

static void rpt_bar_color(const rpt *r, const rpt_cfg *c, char out[8])
{
    if (r->n_runs > 1) {
        snprintf(out, 8, "%s", rpt_run_color(c->run));
        return;
    }
    if (rpt_per_task(c))
        rpt_tint(rpt_color(c), out);
    else
        snprintf(out, 8, "%s", rpt_color(c));
}

static unsigned rpt_rgb(const char *hex) { return (unsigned)strtoul(hex + 1, NULL, 16); }

/* Category label of a bar (the run goes in the legend, not under the bar). */
static void rpt_cat_label(const rpt_cfg *c, char *buf, size_t len)
{
    snprintf(buf, len, "%s%s%s%s", c->executor, rpt_per_task(c) ? " per-task" : "",
             rpt_eq(c->gil, "off") ? "" : rpt_eq(c->gil, "on") ? " +GIL" : " +GIL:",
             rpt_eq(c->gil, "off") || rpt_eq(c->gil, "on") ? "" : c->gil);
}

/* Bars of one panel: block 0 = bars (x, value, lo, hi, rgb, text), block 1 = x tic labels.
 * Categories along x, runs side by side inside a category. */
static size_t rpt_write_bars(const rpt *r, rpt_panel_out *po, const rpt_list *l, const rpt_panel *p, int m,
                             int m2, int m3, double scale)
{
    rpt_sort_ctx s = {.with_switch = false, .with_run = false};
    double width = 0.8 / (double)r->n_runs;
    size_t cat = 0, bars = 0;
    char (*labels)[96] = rpt_xmalloc((p->to - p->from + 1) * sizeof *labels);
    const rpt_cfg *prev = NULL;
    rpt_block(po, "bars: x, value, low, high, colour, text, width");
    for (size_t i = p->from; i < p->to; i++) {
        const rpt_cfg *c = l->v[i];
        if (!rpt_bar_member(l, p, c) || isnan(c->v[m]))
            continue;
        if (prev && rpt_cmp_cfg_key(prev, c, &s) != 0)
            cat++;
        prev = c;
        rpt_cat_label(c, labels[cat], sizeof labels[cat]);
        double x = (double)cat + ((double)c->run - (double)(r->n_runs - 1) / 2.0) * width;
        char color[8], text[32];
        rpt_bar_color(r, c, color);
        /* value with min/max whiskers, or three values (percentiles) */
        fprintf(po->dat, "%.4f", x);
        rpt_dat_val(po->dat, c->v[m] * scale);
        rpt_dat_val(po->dat, (m2 < 0 ? c->lo[m] : c->v[m2]) * scale);
        rpt_dat_val(po->dat, (m2 < 0 ? c->hi[m] : c->v[m3]) * scale);
        fprintf(po->dat, "\t%u", rpt_rgb(color));
        rpt_y(po, c->v[m] * scale);
        rpt_y(po, (m2 < 0 ? c->lo[m] : c->v[m]) * scale);
        rpt_y(po, (m2 < 0 ? c->hi[m] : c->v[m3]) * scale);
        rpt_fmt_rate(c->v[m], text, sizeof text);
        fputc('\t', po->dat);
        rpt_dat_str(po->dat, text);
        fprintf(po->dat, "\t%.4f\n", width);
        bars++;
    }
    if (bars) {
        rpt_block(po, "categories: x, label");
        for (size_t k = 0; k <= cat; k++)
            rpt_cat_str(&po->r->max_cat, po->dat, k, labels[k]);
        fprintf(po->gp, "P_NCAT = %zu\n", cat + 1);
    }
    free(labels);
    return bars;
}

/* Legend entries for bar charts: the runs when overlaid (the colours of the bars). */
static void rpt_run_keys(rpt *r)
{
    for (size_t i = 0; r->n_runs > 1 && i < r->n_runs; i++)
        rpt_key_add(r, r->runs[i].label, rpt_run_color(i), 1, -1, 2);
}

/* The largest value of a metric among a panel's bars. */
static double rpt_bar_max(const rpt_list *l, const rpt_panel *p, int m)
{
    double mx = 0;
    for (size_t i = p->from; i < p->to; i++)
        if (rpt_bar_member(l, p, l->v[i]) && l->v[i]->v[m] > mx)
            mx = l->v[i]->v[m];
    return mx;
}

/* A unit that keeps the axis labels short: tasks/s, thousand or million tasks/s. */
static double rpt_rate_scale(double max, const char **label)
{
    if (max >= 2e6) {
        *label = "million tasks per second";
        return 1e-6;
    }
    if (max >= 2e4) {
        *label = "thousand tasks per second";
        return 1e-3;
    }
    *label = "tasks per second";
    return 1;
}

typedef struct rpt_bar_spec {
    enum rpt_chart_id id;
    int m, m2, m3;
    rpt_pred pick;
    const char *empty, *note;
    int panel_h;
} rpt_bar_spec;

static int rpt_chart_bars(rpt *r, const rpt_bar_spec *b)
{
    rpt_list l = rpt_select(r, b->pick);
    rpt_sort_ctx s = {.with_switch = true, .with_run = true, .x_metric = -1};
    rpt_sort(&l, &s);
    rpt_panel p[64];
    size_t np = rpt_panels(&l, p, 64);
    int rc = 0, drawn = 0;
    if (b->m2 >= 0) {
        rpt_key_add(r, "p50", "#444444", 1, 7, 3);
        rpt_key_add(r, "p90", "#444444", 1, 9, 3);
        rpt_key_add(r, "p99", "#444444", 1, 5, 3);
    }
    rpt_run_keys(r);
    for (size_t k = 0; k < np && rc == 0; k++) {
        rpt_panel_out po;
        char title[256], wtitle[300];
        rpt_panel_title(&p[k], title, sizeof title);
        long w = rpt_max_workers(&l, &p[k], 0);
        for (size_t ru = 1; ru < r->n_runs; ru++)
            w = rpt_max_workers(&l, &p[k], ru) > w ? rpt_max_workers(&l, &p[k], ru) : w;
        if (w > 0)
            snprintf(wtitle, sizeof wtitle, "%s (%ld workers)", title, w);
        else
            snprintf(wtitle, sizeof wtitle, "%s", title);
        rc = rpt_panel_begin(r, &po, r->charts[b->id].name, drawn + 1, wtitle);
        const char *ylabel = "task latency (\xc2\xb5s)";
        double scale = b->m2 < 0 ? rpt_rate_scale(rpt_bar_max(&l, &p[k], b->m), &ylabel) : 1.0;
        size_t bars = rc == 0 ? rpt_write_bars(r, &po, &l, &p[k], b->m, b->m2, b->m3, scale) : 0;
        if (rc == 0) {
            fprintf(po.gp, "P_YLABEL = ");
            rpt_gp_str(po.gp, ylabel);
            fputc('\n', po.gp);
        }
        rc = rpt_panel_end(&po) ? -EIO : rc;
        drawn += bars > 0;
    }
    if (rc == 0 && drawn == 0)
        rpt_skip(r, b->id, b->empty);
    else if (rc == 0)
        rc = rpt_chart_vars(r, b->id, drawn, rpt_cols_for(drawn), b->panel_h,
                            b->note ? b->note
                            : rpt_has_spread(r)
                                ? "bar: median of the repetitions, whiskers: the fastest and the slowest repetition"
                                : "one repetition per configuration: no whiskers (run the default profile for spread)");
    free(l.v);
    return rc;
}

static bool rpt_pick_tps(const rpt *r, const rpt_cfg *c) { return rpt_main_view(r, c) && rpt_has(c, M_TPS); }
static bool rpt_pick_lat(const rpt *r, const rpt_cfg *c) { return rpt_main_view(r, c) && rpt_has(c, M_P50); }

/* ------------------------------------------------------------------------------------------ */
/* Chart 3b: convoy probe latency vs switch interval                                           */

static bool rpt_pick_convoy(const rpt *r, const rpt_cfg *c)
{
    return rpt_is_convoy(c) && rpt_eq(c->pin, r->runs[c->run].pin) && rpt_has(c, M_P50);
}

/* Per series key keep only the largest worker count. */
static bool rpt_convoy_keep(const rpt_list *l, size_t i, const rpt_sort_ctx *s)
{
    const rpt_cfg *c = l->v[i];
    for (size_t j = 0; j < l->n; j++)
        if (rpt_cmp_cfg_key(l->v[j], c, s) == 0 && l->v[j]->switch_us == c->switch_us && l->v[j]->workers > c->workers)
            return false;
    return true;
}

static const char *rpt_hog_color(const rpt_cfg *c);

/* The distinct switch intervals of a panel, for the x tics: P_XT = "100 1000 5000". */
typedef struct rpt_xt {
    long v[32];
    size_t n;
} rpt_xt;

static void rpt_xt_add(rpt_xt *x, long v)
{
    for (size_t i = 0; i < x->n; i++)
        if (x->v[i] == v)
            return;
    if (x->n < 32)
        x->v[x->n++] = v;
}

static void rpt_xt_write(const rpt_xt *x, FILE *gp)
{
    fputs("P_XT = \"", gp);
    for (size_t i = 0; i < x->n; i++)
        fprintf(gp, "%s%ld", i ? " " : "", x->v[i]);
    fputs("\"\n", gp);
}

static void rpt_convoy_refs(const rpt *r, rpt_panel_out *po, const rpt_list *l, const rpt_panel *p, long xlo,
                            long xhi)
{
    for (size_t i = p->from; i < p->to; i++) {
        const rpt_cfg *c = l->v[i];
        if (c->switch_us >= 0 || !rpt_has(c, M_P99))
            continue;
        char label[256], full[300], color[8];
        rpt_label(r, c, false, true, label, sizeof label);
        snprintf(full, sizeof full, "%s, no GIL (p99)", label);
        rpt_tint(rpt_hog_color(c), color);
        rpt_series(po, full, color, 4, -1);
        fprintf(po->dat, "%ld\t%.9g\t?\n%ld\t%.9g\t?\n", xlo, c->v[M_P99], xhi, c->v[M_P99]);
        rpt_y(po, c->v[M_P99]);
    }
}

static const char *rpt_hog_color(const rpt_cfg *c)
{
    if (rpt_eq(c->hog, "thread"))
        return rpt_eq(c->gil, "legacy") ? "#882255" : "#CC79A7";
    if (rpt_eq(c->hog, "process"))
        return rpt_eq(c->gil, "legacy") ? "#8C564B" : "#D55E00";
    return rpt_color(c);
}

static int rpt_convoy_panel(rpt *r, rpt_panel_out *po, const rpt_list *l, const rpt_panel *p, const rpt_sort_ctx *s)
{
    long xlo = -1, xhi = -1;
    size_t n = 0;
    const rpt_cfg *prev = NULL;
    rpt_xt xt = {.n = 0};
    for (size_t i = p->from; i < p->to; i++) {
        const rpt_cfg *c = l->v[i];
        if (c->switch_us < 0 || !rpt_convoy_keep(l, i, s))
            continue;
        rpt_xt_add(&xt, c->switch_us);
        if (!prev || rpt_cmp_cfg_key(prev, c, s) != 0) {
            char label[256];
            rpt_label(r, c, false, true, label, sizeof label);
            rpt_series(po, label, rpt_hog_color(c), 1, rpt_point_type(c));
        }
        fprintf(po->dat, "%ld", c->switch_us);
        rpt_dat_val(po->dat, c->v[M_P99]);
        rpt_dat_val(po->dat, c->v[M_P50]);
        fputc('\n', po->dat);
        rpt_y(po, c->v[M_P99]);
        rpt_y(po, c->v[M_P50]);
        xlo = xlo < 0 || c->switch_us < xlo ? c->switch_us : xlo;
        xhi = c->switch_us > xhi ? c->switch_us : xhi;
        prev = c;
        n++;
    }
    if (n) {
        rpt_convoy_refs(r, po, l, p, xlo, xhi);
        fprintf(po->gp, "P_XMIN = %ld\nP_XMAX = %ld\n", xlo, xhi);
        rpt_xt_write(&xt, po->gp);
    }
    return (int)n;
}

static int rpt_chart_convoy(rpt *r)
{
    rpt_list l = rpt_select(r, rpt_pick_convoy);
    rpt_sort_ctx s = {.with_switch = false, .with_run = true, .x_metric = -2};
    rpt_sort(&l, &s);
    rpt_panel p[16];
    size_t np = rpt_panels(&l, p, 16);
    int rc = 0, drawn = 0;
    rpt_key_add(r, "p99 (solid)", "#444444", 1, -1, 1);
    rpt_key_add(r, "p50 (dashed)", "#444444", 2, -1, 1);
    for (size_t k = 0; k < np && rc == 0; k++) {
        rpt_panel_out po;
        char title[256];
        rpt_panel_title(&p[k], title, sizeof title);
        rc = rpt_panel_begin(r, &po, r->charts[CH_CONVOY].name, drawn + 1, title);
        int n = rc == 0 ? rpt_convoy_panel(r, &po, &l, &p[k], &s) : 0;
        rc = rpt_panel_end(&po) ? -EIO : rc;
        drawn += n > 0;
    }
    if (rc == 0 && drawn == 0)
        rpt_skip(r, CH_CONVOY,
                 l.n ? "convoy rows carry no switch interval (switch_us): nothing to draw against"
                     : "no convoy workload rows in the CSV (run tvp-bench with --tvp_workloads=convoy)");
    else if (rc == 0)
        rc = rpt_chart_vars(r, CH_CONVOY, drawn, rpt_cols_for(drawn), 380,
                            "probe latency: solid p99, dashed p50; at each series' largest worker count");
    free(l.v);
    return rc;
}

/* ------------------------------------------------------------------------------------------ */
/* Chart 4: CPU utilisation and context switches per task (grouped bars, workload groups)     */

static bool rpt_pick_cpu(const rpt *r, const rpt_cfg *c) { return rpt_main_view(r, c) && rpt_has(c, M_UTIL); }

/* Category index of a configuration inside a sorted list of distinct categories. */
typedef struct rpt_cats {
    const rpt_cfg *v[64];
    size_t n;
} rpt_cats;

static size_t rpt_cat_index(rpt_cats *cats, const rpt_cfg *c)
{
    for (size_t i = 0; i < cats->n; i++)
        if (rpt_eq(cats->v[i]->executor, c->executor) && rpt_eq(cats->v[i]->spawn, c->spawn) &&
            rpt_eq(cats->v[i]->gil, c->gil))
            return i;
    if (cats->n < 64)
        cats->v[cats->n++] = c;
    return cats->n - 1;
}

static int rpt_cmp_cat(const void *pa, const void *pb)
{
    const rpt_cfg *a = *(rpt_cfg *const *)pa, *b = *(rpt_cfg *const *)pb;
    int d;
    if ((d = rpt_exec_rank(a->executor) - rpt_exec_rank(b->executor)) || (d = strcmp(a->executor, b->executor)))
        return d;
    if ((d = strcmp(b->spawn, a->spawn)))
        return d;
    return rpt_gil_rank(a->gil) - rpt_gil_rank(b->gil);
}

/* One grouped-bar panel: x groups = workloads, bars = categories (x runs). */
static void rpt_cpu_panel(const rpt *r, rpt_panel_out *po, const rpt_list *l, const rpt_panel *p, size_t np,
                          rpt_cats *cats, int metric, bool per_task)
{
    size_t per_group = cats->n * r->n_runs;
    double width = 0.84 / (double)per_group;
    rpt_block(po, "bars: x, value, value, value, colour, text, width");
    for (size_t g = 0; g < np; g++) {
        for (size_t i = p[g].from; i < p[g].to; i++) {
            const rpt_cfg *c = l->v[i];
            if (!rpt_bar_member(l, &p[g], c))
                continue;
            size_t ci = rpt_cat_index(cats, c);
            double v = c->v[metric] / (per_task && c->tasks > 0 ? (double)c->tasks : 1.0);
            if (!isfinite(v))
                continue;
            double x = (double)g - 0.42 + width * ((double)(ci * r->n_runs + c->run) + 0.5);
            char color[8], text[32];
            if (r->n_runs > 1)
                snprintf(color, sizeof color, "%s", rpt_run_color(c->run));
            else
                rpt_bar_color(r, c, color);
            if (v < 0.005 && per_group > 5)
                text[0] = '\0'; /* narrow bars: a label of nothing would crowd its neighbours */
            else if (v == 0)
                snprintf(text, sizeof text, "0");
            else if (v < 0.005)
                snprintf(text, sizeof text, "<0.01");
            else
                snprintf(text, sizeof text, "%.2f", v);
            fprintf(po->dat, "%.4f\t%.9g\t%.9g\t%.9g\t%u\t", x, v, v, v, rpt_rgb(color));
            rpt_dat_str(po->dat, text);
            fprintf(po->dat, "\t%.4f\n", width);
            rpt_y(po, v);
        }
    }
    rpt_block(po, "groups: x, label");
    for (size_t g = 0; g < np; g++) {
        char title[256];
        rpt_panel_title(&p[g], title, sizeof title);
        fprintf(po->dat, "%zu\t", g);
        rpt_dat_str(po->dat, title);
        fputc('\n', po->dat);
    }
    fprintf(po->gp, "P_NCAT = %zu\n", np);
}

/* Legend of the CPU chart: the bar colours (categories, or runs when overlaid), the CPU line. */
static void rpt_cpu_keys(rpt *r, const rpt_cats *cats)
{
    if (r->n_runs > 1) {
        rpt_run_keys(r);
    } else {
        for (size_t i = 0; i < cats->n; i++) {
            char label[96], color[8];
            rpt_cat_label(cats->v[i], label, sizeof label);
            rpt_bar_color(r, cats->v[i], color);
            rpt_key_add(r, label, color, 1, -1, 2);
        }
    }
    rpt_key_add(r, "usable CPUs", "#009E73", 4, -1, 1);
}

static int rpt_chart_cpu(rpt *r)
{
    rpt_list l = rpt_select(r, rpt_pick_cpu);
    rpt_sort_ctx s = {.with_switch = true, .with_run = true, .x_metric = -1};
    rpt_sort(&l, &s);
    rpt_panel p[64];
    size_t np = rpt_panels(&l, p, 64);
    if (np == 0) {
        rpt_skip(r, CH_CPU, "no rows with CPU utilisation");
        free(l.v);
        return 0;
    }
    rpt_cats cats = {.n = 0};
    for (size_t i = 0; i < l.n; i++)
        rpt_cat_index(&cats, l.v[i]);
    qsort(cats.v, cats.n, sizeof *cats.v, rpt_cmp_cat);
    rpt_cpu_keys(r, &cats);
    static const struct {
        const char *title;
        int metric;
        bool per_task;
    } panels[] = {{"CPU utilisation (CPUs busy = CPU time / wall time)", M_UTIL, false},
                  {"voluntary context switches per task (waits)", M_CTXV, true},
                  {"involuntary context switches per task (preemptions)", M_CTXI, true}};
    int rc = 0;
    for (int k = 0; k < 3 && rc == 0; k++) {
        rpt_panel_out po;
        rc = rpt_panel_begin(r, &po, r->charts[CH_CPU].name, k + 1, panels[k].title);
        if (rc == 0)
            rpt_cpu_panel(r, &po, &l, p, np, &cats, panels[k].metric, panels[k].per_task);
        rc = rpt_panel_end(&po) ? -EIO : rc;
    }
    if (rc == 0)
        rc = rpt_chart_vars(r, CH_CPU, 3, 1, 260,
                            "serial at 1 worker, the others at each run's largest worker count; "
                            "context switches of the harness and its workers, per task");
    free(l.v);
    return rc;
}

/* ------------------------------------------------------------------------------------------ */
/* Chart 5: memory vs workers                                                                   */

/* Per-task rows are left out: their workers are gone when the harness samples PSS. */
static bool rpt_pick_mem(const rpt *r, const rpt_cfg *c)
{
    return rpt_main_view(r, c) && rpt_has(c, M_RSS) && !rpt_per_task(c);
}

static int rpt_chart_memory(rpt *r)
{
    rpt_list l = rpt_select(r, rpt_pick_mem);
    rpt_sort_ctx s = {.with_switch = true, .with_run = true, .x_metric = -1};
    rpt_sort(&l, &s);
    rpt_panel p[64];
    size_t np = rpt_panels(&l, p, 64);
    if (np == 0) {
        rpt_skip(r, CH_MEMORY, "no rows with memory (rss_kib)");
        free(l.v);
        return 0;
    }
    long xmax = 1;
    for (size_t i = 0; i < l.n; i++)
        xmax = l.v[i]->workers > xmax ? l.v[i]->workers : xmax;
    int rc = 0;
    for (size_t k = 0; k < np && rc == 0; k++) {
        rpt_panel_out po;
        char title[256];
        rpt_panel_title(&p[k], title, sizeof title);
        rc = rpt_panel_begin(r, &po, r->charts[CH_MEMORY].name, (int)k + 1, title);
        if (rc == 0) {
            static const int y[] = {M_RSS};
            rpt_write_lines(r, &po, &l, &p[k], &s, y, 1, true);
            fprintf(po.gp, "P_XMAX = %ld\n", xmax);
        }
        rc = rpt_panel_end(&po) ? -EIO : rc;
    }
    if (rc == 0)
        rc = rpt_chart_vars(r, CH_MEMORY, (int)np, rpt_cols_for((int)np), 300,
                            "PSS of the harness and its workers (shared pages split between the processes that map "
                            "them); per-task spawning left out: its workers are gone when PSS is sampled");
    free(l.v);
    return rc;
}

/* ------------------------------------------------------------------------------------------ */
/* Chart 6: spawn cost per task and scheduler microbenchmarks                                  */

static bool rpt_pick_pool(const rpt *r, const rpt_cfg *c)
{
    return rpt_main_view(r, c) && !rpt_is_serial(c) && !rpt_per_task(c) && rpt_has(c, M_WALL) && c->tasks > 0;
}

/* The per-task configuration that matches a pool one (same everything but the spawn). */
static const rpt_cfg *rpt_per_task_twin(const rpt *r, const rpt_cfg *pool)
{
    for (size_t i = 0; i < r->n_cfgs; i++) {
        const rpt_cfg *c = &r->cfgs[i];
        if (c->run == pool->run && rpt_per_task(c) && c->workers == pool->workers && c->tasks == pool->tasks &&
            c->switch_us == pool->switch_us && c->ticks == pool->ticks && rpt_eq(c->workload, pool->workload) &&
            rpt_eq(c->params, pool->params) && rpt_eq(c->executor, pool->executor) &&
            rpt_eq(c->gil, pool->gil) && rpt_eq(c->pin, pool->pin) && rpt_eq(c->hog, pool->hog) &&
            rpt_has(c, M_WALL))
            return c;
    }
    return NULL;
}

static double rpt_spawn_cost_us(const rpt_cfg *pool, const rpt_cfg *pt)
{
    return (pt->v[M_WALL] - pool->v[M_WALL]) / (double)pool->tasks * 1e6;
}

static int rpt_cmp_spawn(const void *pa, const void *pb)
{
    const rpt_cfg *a = *(rpt_cfg *const *)pa, *b = *(rpt_cfg *const *)pb;
    int d;
    if ((d = (a->run > b->run) - (a->run < b->run)) || (d = rpt_exec_rank(a->executor) - rpt_exec_rank(b->executor)) ||
        (d = rpt_gil_rank(a->gil) - rpt_gil_rank(b->gil)) || (d = strverscmp(a->workload, b->workload)) ||
        (d = strverscmp(a->params, b->params)))
        return d;
    return (a->workers > b->workers) - (a->workers < b->workers);
}

static bool rpt_same_spawn_series(const rpt_cfg *a, const rpt_cfg *b)
{
    return a->run == b->run && rpt_eq(a->executor, b->executor) && rpt_eq(a->gil, b->gil) &&
           rpt_eq(a->workload, b->workload) && rpt_eq(a->params, b->params);
}

/* Spawn-cost series: colour = executor, marker and dash = workload. */
static const char *const rpt_spawn_wls[] = {"noop", "hash", "sleep"};

static int rpt_spawn_workload_pt(const char *wl)
{
    static const int pts[] = {7, 5, 9, 13};
    return pts[rpt_rank(wl, rpt_spawn_wls, 3)];
}

static int rpt_spawn_workload_dash(const char *wl) { return 1 + rpt_rank(wl, rpt_spawn_wls, 3); }

/* Spawn cost panel; returns the number of points and counts the ones left out (<= 0). */
static size_t rpt_spawn_panel(const rpt *r, rpt_panel_out *po, rpt_list *l, size_t *dropped)
{
    if (l->n)
        qsort(l->v, l->n, sizeof *l->v, rpt_cmp_spawn);
    size_t n = 0;
    const rpt_cfg *prev = NULL;
    for (size_t i = 0; i < l->n; i++) {
        const rpt_cfg *c = l->v[i], *pt = rpt_per_task_twin(r, c);
        if (!pt)
            continue;
        double cost = rpt_spawn_cost_us(c, pt);
        if (!(cost > 0) || !isfinite(cost)) {
            (*dropped)++;
            continue;
        }
        if (!prev || !rpt_same_spawn_series(prev, c)) {
            char label[256];
            rpt_label(r, c, true, false, label, sizeof label);
            char *full = rpt_asprintf("%s, %s%s%s", label, c->workload, *c->params ? " " : "", c->params);
            rpt_series(po, full, rpt_color(c), rpt_spawn_workload_dash(c->workload), rpt_spawn_workload_pt(c->workload));
            free(full);
        }
        fprintf(po->dat, "%ld\t%.9g\n", c->workers, cost);
        rpt_y(po, cost);
        prev = c;
        n++;
    }
    return n;
}

/* Scheduler microbenchmark rows: any placement (their `cpus` parameter is the placement). */
static bool rpt_pick_sched(const rpt *r, const rpt_cfg *c)
{
    (void)r;
    return rpt_is_sched(c) && (rpt_has(c, M_P50) || rpt_has(c, M_TPS));
}

static int rpt_cmp_sched(const void *pa, const void *pb)
{
    const rpt_cfg *a = *(rpt_cfg *const *)pa, *b = *(rpt_cfg *const *)pb;
    int d;
    if ((d = strcmp(a->workload, b->workload)) || (d = rpt_exec_rank(a->executor) - rpt_exec_rank(b->executor)) ||
        (d = strcmp(a->executor, b->executor)) || (d = strverscmp(a->params, b->params)))
        return d;
    return (a->run > b->run) - (a->run < b->run);
}

/* "heap_kib=0 method=fork cpus=none" -> "heap_kib=0 fork cpus=none": a word that names itself
 * (fork, eventfd) goes alone; numbers and placement words keep their key. */
static void rpt_short_params(const char *params, char *out, size_t len)
{
    static const char *const keep_key[] = {"cpus", "pin", "hog"};
    size_t used = 0;
    out[0] = '\0';
    char *copy = rpt_strdup(params), *save = NULL;
    for (char *tok = strtok_r(copy, " ", &save); tok && used < len; tok = strtok_r(NULL, " ", &save)) {
        char *eq = strchr(tok, '=');
        const char *v = eq ? eq + 1 : tok;
        bool numeric = *v && strspn(v, "0123456789.") == strlen(v), key = !eq || numeric;
        if (eq) {
            *eq = '\0';
            key |= rpt_rank(tok, keep_key, 3) < 3;
            *eq = '=';
        }
        int n = snprintf(out + used, len - used, "%s%s", used ? " " : "", key ? tok : v);
        used += n > 0 ? (size_t)n : 0;
    }
    free(copy);
}

/* One sched_* workload: per configuration the time of one operation, p50/p90/p99 (as the latency
 * chart draws them); without percentiles, 1 / throughput. */
static size_t rpt_sched_panel(const rpt *r, rpt_panel_out *po, const rpt_list *l, size_t from, size_t to)
{
    double width = 0.8 / (double)r->n_runs;
    size_t cat = 0, n = 0;
    rpt_block(po, "points: x, p50, p90, p99, colour, text, width");
    for (size_t i = from; i < to; i++) {
        const rpt_cfg *c = l->v[i];
        if (i > from && (!rpt_eq(l->v[i - 1]->executor, c->executor) || !rpt_eq(l->v[i - 1]->params, c->params)))
            cat++;
        double p50 = rpt_has(c, M_P50) ? c->v[M_P50] : 1e6 / c->v[M_TPS];
        double p90 = rpt_has(c, M_P90) ? c->v[M_P90] : p50, p99 = rpt_has(c, M_P99) ? c->v[M_P99] : p50;
        char color[8];
        if (r->n_runs > 1)
            snprintf(color, sizeof color, "%s", rpt_run_color(c->run));
        else
            snprintf(color, sizeof color, "%s", rpt_color(c));
        double x = (double)cat + ((double)c->run - (double)(r->n_runs - 1) / 2.0) * width;
        fprintf(po->dat, "%.4f", x); /* a zero throughput has no time per operation: missing */
        rpt_dat_val(po->dat, p50);
        rpt_dat_val(po->dat, p90);
        rpt_dat_val(po->dat, p99);
        fprintf(po->dat, "\t%u\t\"\"\t%.4f\n", rpt_rgb(color), width);
        rpt_y(po, p50);
        rpt_y(po, p99);
        n++;
    }
    rpt_block(po, "categories: x, label");
    size_t k = 0;
    for (size_t i = from; i < to; i++) {
        const rpt_cfg *c = l->v[i];
        if (i > from && rpt_eq(l->v[i - 1]->executor, c->executor) && rpt_eq(l->v[i - 1]->params, c->params))
            continue;
        char params[256];
        rpt_short_params(c->params, params, sizeof params);
        char *label = rpt_asprintf("%s%s%s", rpt_is_serial(c) ? "" : c->executor,
                                   rpt_is_serial(c) || !*params ? "" : " ", params);
        rpt_cat_str(&po->r->max_cat, po->dat, k++, label);
        free(label);
    }
    fprintf(po->gp, "P_NCAT = %zu\nP_KIND = 2\n", cat + 1);
    return n;
}

static int rpt_chart_costs(rpt *r)
{
    rpt_list pools = rpt_select(r, rpt_pick_pool), sched = rpt_select(r, rpt_pick_sched);
    int rc = 0, drawn = 0;
    size_t dropped = 0;
    rpt_panel_out po;
    rc = rpt_panel_begin(r, &po, r->charts[CH_COSTS].name, 1, "spawn cost per task: (per-task - pool batch time) / tasks");
    size_t n = rc == 0 ? rpt_spawn_panel(r, &po, &pools, &dropped) : 0;
    if (rc == 0)
        fprintf(po.gp, "P_KIND = 1\n");
    rc = rpt_panel_end(&po) ? -EIO : rc;
    drawn += n > 0;
    if (sched.n) {
        qsort(sched.v, sched.n, sizeof *sched.v, rpt_cmp_sched);
        rpt_key_add(r, "p50", "#444444", 1, 7, 3);
        rpt_key_add(r, "p90", "#444444", 1, 9, 3);
        rpt_key_add(r, "p99", "#444444", 1, 5, 3);
        rpt_run_keys(r);
    }
    for (size_t from = 0, to; rc == 0 && from < sched.n; from = to) {
        for (to = from + 1; to < sched.n && rpt_eq(sched.v[to]->workload, sched.v[from]->workload); to++)
            ;
        char *title = rpt_asprintf("%s: time per operation", sched.v[from]->workload);
        rc = rpt_panel_begin(r, &po, r->charts[CH_COSTS].name, drawn + 1, title);
        free(title);
        if (rc == 0)
            rpt_sched_panel(r, &po, &sched, from, to);
        rc = rpt_panel_end(&po) ? -EIO : rc;
        drawn++;
    }
    char note[320];
    snprintf(note, sizeof note, "spawn cost is a wall-time difference: where tasks wait, spawning overlaps the "
                                "waits, so noop gives the cleanest figure%s",
             dropped ? "; points where per-task was not slower than the pool are left out (log scale)" : "");
    if (rc == 0 && drawn == 0)
        rpt_skip(r, CH_COSTS, "no pool/per-task pairs with the same parameters and no sched_* rows");
    else if (rc == 0)
        rc = rpt_chart_vars(r, CH_COSTS, drawn, rpt_cols_for(drawn), 400, note);
    free(pools.v);
    free(sched.v);
    return rc;
}

/* ------------------------------------------------------------------------------------------ */
/* Chart 7: GIL switch-interval trade-off                                                      */

static bool rpt_pick_gil(const rpt *r, const rpt_cfg *c)
{
    return !rpt_eq(c->gil, "off") && c->switch_us >= 0 && !rpt_is_convoy(c) && !rpt_is_sched(c) &&
           rpt_eq(c->pin, r->runs[c->run].pin) && rpt_has(c, M_TPS);
}

/* The gil=off twin of a GIL configuration (same everything else). */
static const rpt_cfg *rpt_gil_off_twin(const rpt *r, const rpt_cfg *g)
{
    for (size_t i = 0; i < r->n_cfgs; i++) {
        const rpt_cfg *c = &r->cfgs[i];
        if (c->run == g->run && rpt_eq(c->gil, "off") && c->workers == g->workers && c->tasks == g->tasks &&
            rpt_eq(c->workload, g->workload) && rpt_eq(c->params, g->params) && rpt_eq(c->executor, g->executor) &&
            rpt_eq(c->spawn, g->spawn) && rpt_eq(c->pin, g->pin) && rpt_has(c, M_TPS))
            return c;
    }
    return NULL;
}

/* Keeps, per series, the largest worker count. */
static bool rpt_gil_keep(const rpt_list *l, size_t i)
{
    const rpt_cfg *c = l->v[i];
    rpt_sort_ctx s = {.with_switch = false, .with_run = true};
    for (size_t j = 0; j < l->n; j++)
        if (rpt_cmp_cfg_key(l->v[j], c, &s) == 0 && l->v[j]->workers > c->workers)
            return false;
    return true;
}

static size_t rpt_gil_panel(const rpt *r, rpt_panel_out *po, const rpt_list *l, const rpt_panel *p, int metric)
{
    rpt_sort_ctx s = {.with_switch = false, .with_run = true, .x_metric = -2};
    size_t n = 0;
    const rpt_cfg *prev = NULL;
    long xlo = -1, xhi = -1;
    rpt_xt xt = {.n = 0};
    for (size_t i = p->from; i < p->to; i++) {
        const rpt_cfg *c = l->v[i];
        if (!rpt_gil_keep(l, i) || isnan(c->v[metric]))
            continue;
        rpt_xt_add(&xt, c->switch_us);
        if (!prev || rpt_cmp_cfg_key(prev, c, &s) != 0) {
            char label[256], full[300];
            rpt_label(r, c, false, false, label, sizeof label);
            snprintf(full, sizeof full, "%s, %ld workers", label, c->workers);
            rpt_series(po, full, rpt_color(c), rpt_dash(c), rpt_point_type(c));
        }
        fprintf(po->dat, "%ld\t%.9g\n", c->switch_us, c->v[metric]);
        rpt_y(po, c->v[metric]);
        xlo = xlo < 0 || c->switch_us < xlo ? c->switch_us : xlo;
        xhi = c->switch_us > xhi ? c->switch_us : xhi;
        prev = c;
        n++;
    }
    /* Reference lines: the same configurations without the lock. */
    prev = NULL;
    for (size_t i = p->from; n && i < p->to; i++) {
        const rpt_cfg *c = l->v[i], *off;
        if (!rpt_gil_keep(l, i) || (prev && rpt_cmp_cfg_key(prev, c, &s) == 0 && prev->workers == c->workers))
            continue;
        prev = c;
        if (!(off = rpt_gil_off_twin(r, c)) || isnan(off->v[metric]))
            continue;
        char label[256], full[300];
        rpt_label(r, off, false, false, label, sizeof label);
        snprintf(full, sizeof full, "%s without GIL", label);
        rpt_series(po, full, rpt_color(off), 3, -1);
        fprintf(po->dat, "%ld\t%.9g\n%ld\t%.9g\n", xlo, off->v[metric], xhi, off->v[metric]);
        rpt_y(po, off->v[metric]);
    }
    if (n) {
        fprintf(po->gp, "P_XMIN = %ld\nP_XMAX = %ld\n", xlo, xhi);
        rpt_xt_write(&xt, po->gp);
    }
    return n;
}

static int rpt_chart_gil(rpt *r)
{
    rpt_list l = rpt_select(r, rpt_pick_gil);
    rpt_sort_ctx s = {.with_switch = false, .with_run = true, .x_metric = -2};
    rpt_sort(&l, &s);
    rpt_panel p[32];
    size_t np = rpt_panels(&l, p, 32);
    int rc = 0, drawn = 0;
    for (size_t k = 0; k < np && rc == 0; k++) {
        char title[256], t1[300], t2[300];
        rpt_panel_title(&p[k], title, sizeof title);
        snprintf(t1, sizeof t1, "%s: throughput", title);
        snprintf(t2, sizeof t2, "%s: p99 task latency", title);
        rpt_panel_out po;
        rc = rpt_panel_begin(r, &po, r->charts[CH_GIL].name, drawn + 1, t1);
        size_t n = rc == 0 ? rpt_gil_panel(r, &po, &l, &p[k], M_TPS) : 0;
        if (rc == 0)
            fprintf(po.gp, "P_KIND = 1\n");
        rc = rpt_panel_end(&po) ? -EIO : rc;
        if (rc || !n)
            continue;
        rc = rpt_panel_begin(r, &po, r->charts[CH_GIL].name, drawn + 2, t2);
        if (rc == 0) {
            rpt_gil_panel(r, &po, &l, &p[k], M_P99);
            fprintf(po.gp, "P_KIND = 2\n");
        }
        rc = rpt_panel_end(&po) ? -EIO : rc;
        drawn += 2;
    }
    if (rc == 0 && drawn == 0)
        rpt_skip(r, CH_GIL, "no rows with the GIL on and a switch interval (run tvp-bench with --tvp_gil=on "
                            "--tvp_switch_us=...)");
    else if (rc == 0) {
        bool legacy = false;
        for (size_t i = 0; i < r->n_cfgs; i++)
            legacy |= rpt_eq(r->cfgs[i].gil, "legacy") && r->cfgs[i].switch_us < 0;
        rc = rpt_chart_vars(r, CH_GIL, drawn, 2, 300,
                            legacy ? "each series at its largest worker count; dotted: the same configuration "
                                     "without the GIL; legacy-GIL rows (check interval in ticks) are not on this axis"
                                   : "each series at its largest worker count; dotted: the same configuration "
                                     "without the GIL");
    }
    free(l.v);
    return rc;
}

/* ------------------------------------------------------------------------------------------ */
/* Rendering                                                                                   */

static int rpt_run_gnuplot(const rpt *r, const rpt_chart *ch)
{
    char *script = rpt_asprintf("%s/%s.gp", r->o.scripts, ch->name);
    char *expr = rpt_asprintf("TVP_WORK='%s'; TVP_OUT='%s/%s'; TVP_GP='%s'", r->work, r->o.out, ch->name,
                              r->o.scripts);
    char *argv[] = {(char *)r->o.gnuplot, "-e", expr, script, NULL};
    pid_t pid;
    int rc = posix_spawnp(&pid, r->o.gnuplot, NULL, NULL, argv, environ), status = 0;
    if (rc != 0) {
        fprintf(stderr, "tvp-report: cannot run %s: %s%s\n", r->o.gnuplot, strerror(rc),
                rc == ENOENT ? " (install gnuplot: scripts/deps.sh installs gnuplot-nox)" : "");
        rc = -rc;
    } else if (waitpid(pid, &status, 0) < 0) {
        rc = -errno;
    } else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        fprintf(stderr, "tvp-report: gnuplot failed on %s (status %d)\n", script, status);
        rc = -EIO;
    }
    free(script);
    free(expr);
    return rc;
}

static bool rpt_file_ok(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0;
}

static int rpt_render(rpt *r)
{
    int failed = 0;
    bool no_gnuplot = false;
    for (int i = 0; i < CH_COUNT; i++) {
        rpt_chart *ch = &r->charts[i];
        if (!ch->drawn)
            continue;
        if (no_gnuplot) {
            snprintf(ch->note, sizeof ch->note, "gnuplot not found: install it (scripts/deps.sh installs "
                                                "gnuplot-nox), then run make plots");
            failed++;
            continue;
        }
        int rc = rpt_run_gnuplot(r, ch);
        char *png = rpt_asprintf("%s/%s.png", r->o.out, ch->name), *svg = rpt_asprintf("%s/%s.svg", r->o.out, ch->name);
        ch->rendered = rc == 0 && rpt_file_ok(png) && rpt_file_ok(svg);
        if (ch->rendered) {
            printf("tvp-report: %s (+ .svg)\n", png);
        } else {
            no_gnuplot = rc == -ENOENT;
            if (no_gnuplot)
                snprintf(ch->note, sizeof ch->note, "gnuplot not found: install it (scripts/deps.sh installs "
                                                    "gnuplot-nox), then run make plots");
            else
                snprintf(ch->note, sizeof ch->note, "gnuplot could not draw this chart (see the messages of tvp-report)");
            failed++;
        }
        free(png);
        free(svg);
    }
    return failed ? -EIO : 0;
}

/* Removes what an earlier report left: charts and data files. */
static void rpt_clean(rpt *r)
{
    for (int i = 0; i < CH_COUNT; i++) {
        char *png = rpt_asprintf("%s/%s.png", r->o.out, r->charts[i].name);
        char *svg = rpt_asprintf("%s/%s.svg", r->o.out, r->charts[i].name);
        unlink(png);
        unlink(svg);
        free(png);
        free(svg);
        for (int p = 1; p <= 64; p++) {
            char *gp = rpt_asprintf("%s/%s.p%d.gp", r->work, r->charts[i].name, p);
            char *dat = rpt_asprintf("%s/%s.p%d.dat", r->work, r->charts[i].name, p);
            int a = unlink(gp), b = unlink(dat);
            free(gp);
            free(dat);
            if (a && b)
                break;
        }
        char *vars = rpt_asprintf("%s/%s.vars.gp", r->work, r->charts[i].name);
        unlink(vars);
        free(vars);
    }
}

/* ------------------------------------------------------------------------------------------ */
/* Findings (computed from the data, written as sentences)                                    */

/* The configuration of a run matching the filters, at `workers` (0 = the largest). */
static const rpt_cfg *rpt_find(const rpt *r, size_t run, const char *workload, const char *params,
                               const char *executor, const char *spawn, const char *gil, long workers)
{
    const rpt_cfg *best = NULL;
    for (size_t i = 0; i < r->n_cfgs; i++) {
        const rpt_cfg *c = &r->cfgs[i];
        if (c->run != run || !rpt_main_view(r, c) || !rpt_eq(c->workload, workload) || !rpt_eq(c->params, params) ||
            !rpt_eq(c->executor, executor) || !rpt_eq(c->spawn, spawn) || !rpt_eq(c->gil, gil) || !rpt_has(c, M_WALL))
            continue;
        if (workers ? c->workers == workers : (!best || c->workers > best->workers))
            best = c;
    }
    return best;
}

static const char *rpt_verdict(double util)
{
    if (isnan(util))
        return NULL;
    return util >= 0.7 ? "CPU-bound" : util <= 0.3 ? "wait-bound" : "mixed";
}

/* "processes 1.96x, threads 1.97x, threads under the GIL 0.98x of serial" */
static void rpt_speedup_sentence(const rpt *r, FILE *f, size_t run, const rpt_panel *p, long w)
{
    static const struct {
        const char *exec, *spawn, *gil, *name;
    } parts[] = {{"processes", "pool", "off", "processes"},
                 {"threads", "pool", "off", "threads"},
                 {"threads", "pool", "on", "threads under the GIL"},
                 {"threads", "pool", "legacy", "threads under the legacy GIL"},
                 {"processes", "per-task", "off", "a process per task"},
                 {"threads", "per-task", "off", "a thread per task"}};
    int n = 0;
    for (size_t i = 0; i < sizeof parts / sizeof *parts; i++) {
        const rpt_cfg *c = rpt_find(r, run, p->workload, p->params, parts[i].exec, parts[i].spawn, parts[i].gil, w);
        if (!c || !rpt_has(c, M_SPEEDUP))
            continue;
        char x[32];
        rpt_fmt_x(c->v[M_SPEEDUP], x, sizeof x);
        fprintf(f, "%s%s <b>%s</b>", n ? ", " : "", parts[i].name, x);
        n++;
    }
    if (n)
        fputs(" of serial", f);
    else
        fputs("no parallel rows", f);
}

/* The best speedup of a panel in a run: executor and worker count. */
static const rpt_cfg *rpt_best(const rpt *r, size_t run, const rpt_panel *p)
{
    const rpt_cfg *best = NULL;
    for (size_t i = 0; i < r->n_cfgs; i++) {
        const rpt_cfg *c = &r->cfgs[i];
        if (c->run == run && rpt_main_view(r, c) && !rpt_is_serial(c) && rpt_eq(c->workload, p->workload) &&
            rpt_eq(c->params, p->params) && rpt_has(c, M_SPEEDUP) && (!best || c->v[M_SPEEDUP] > best->v[M_SPEEDUP]))
            best = c;
    }
    return best;
}

static void rpt_finding_workload(const rpt *r, FILE *f, size_t run, const rpt_panel *p)
{
    const rpt_run *ru = &r->runs[run];
    const rpt_cfg *serial = rpt_find(r, run, p->workload, p->params, "serial", "pool", "off", 0);
    double util = serial ? serial->v[M_UTIL] : NAN;
    const char *verdict = strcmp(p->workload, "noop") == 0 ? "dispatch-bound" : rpt_verdict(util);
    long w = 0;
    for (size_t i = 0; i < r->n_cfgs; i++) {
        const rpt_cfg *c = &r->cfgs[i];
        if (c->run == run && rpt_main_view(r, c) && !rpt_is_serial(c) && rpt_eq(c->workload, p->workload) &&
            rpt_eq(c->params, p->params) && c->workers > w)
            w = c->workers;
    }
    fputs("<li><b>", f);
    if (verdict && strcmp(verdict, "mixed") != 0)
        fprintf(f, "%s ", verdict);
    rpt_html_esc(f, p->workload);
    fputs("</b>", f);
    if (*p->params) {
        fputs(" (", f);
        rpt_html_esc(f, p->params);
        fputs(")", f);
    }
    fprintf(f, ", %ld workers: ", w);
    rpt_speedup_sentence(r, f, run, p, w);
    fputs(".", f);
    if (!isnan(util) && verdict && strcmp(p->workload, "noop") != 0) {
        fprintf(f, util < 0.1 ? " The serial run keeps %.3f CPU busy: " : " The serial run keeps %.2f CPU busy: ", util);
        if (util >= 0.7 && ru->usable > 0)
            fprintf(f, "the work competes for the %ld usable CPUs, so no executor can pass %ldx.", ru->usable,
                    ru->usable);
        else if (util >= 0.7)
            fputs("the work competes for the CPUs, so speedup stops at the CPU count.", f);
        else if (util <= 0.3)
            fputs("tasks mostly wait, so workers overlap their waits and speedup grows with workers "
                  "past the CPU count, for threads and processes alike.", f);
        else
            fputs("partly computing, partly waiting.", f);
    }
    const rpt_cfg *best = rpt_best(r, run, p);
    if (best) {
        char x[32], label[256];
        rpt_fmt_x(best->v[M_SPEEDUP], x, sizeof x);
        rpt_label(r, best, true, true, label, sizeof label);
        fputs(" Best: ", f);
        rpt_html_esc(f, label);
        fprintf(f, " at %ld workers, %s.", best->workers, x);
    }
    fputs("</li>\n", f);
}

static void rpt_finding_dispatch(const rpt *r, FILE *f, size_t run)
{
    static const struct {
        const char *exec, *spawn, *name;
    } parts[] = {{"serial", "pool", "serial"},
                 {"threads", "pool", "thread pool"},
                 {"processes", "pool", "process pool"},
                 {"threads", "per-task", "a thread per task"},
                 {"processes", "per-task", "a process per task"}};
    int n = 0;
    for (size_t i = 0; i < sizeof parts / sizeof *parts; i++) {
        const rpt_cfg *c = rpt_find(r, run, "noop", "", parts[i].exec, parts[i].spawn, "off", 0);
        if (!c || !rpt_has(c, M_TPS))
            continue;
        char rate[32];
        rpt_fmt_rate(c->v[M_TPS], rate, sizeof rate);
        fprintf(f, "%s%s <b>%s tasks/s</b>", n ? ", " : "<li><b>Dispatch rate</b> (noop tasks, largest worker count): ",
                parts[i].name, rate);
        if (!rpt_is_serial(c))
            fprintf(f, " (%ld workers)", c->workers);
        n++;
    }
    if (n)
        fputs(". This is the ceiling on how many tasks per second an executor can hand out.</li>\n", f);
}

static int rpt_cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void rpt_finding_spawn(const rpt *r, FILE *f, size_t run)
{
    static const char *const execs[] = {"threads", "processes"};
    int n = 0;
    for (int e = 0; e < 2; e++) {
        double costs[256];
        size_t nc = 0;
        for (size_t i = 0; i < r->n_cfgs && nc < 256; i++) {
            const rpt_cfg *c = &r->cfgs[i], *pt;
            if (c->run == run && rpt_eq(c->workload, "noop") && rpt_eq(c->executor, execs[e]) &&
                rpt_eq(c->gil, "off") && rpt_pick_pool(r, c) && (pt = rpt_per_task_twin(r, c)))
                costs[nc++] = rpt_spawn_cost_us(c, pt);
        }
        if (!nc)
            continue;
        qsort(costs, nc, sizeof *costs, rpt_cmp_double);
        char us[32];
        rpt_fmt_us(costs[nc / 2], us, sizeof us);
        fprintf(f, "%s%s <b>%s</b>", n ? ", " : "<li><b>Spawn cost</b>: starting a worker for each task costs ",
                execs[e], us);
        n++;
    }
    if (n)
        fputs(" per task (noop workload, median over worker counts).</li>\n", f);
}

static void rpt_finding_memory(const rpt *r, FILE *f, size_t run)
{
    const rpt_cfg *best[2] = {NULL, NULL};
    static const char *const execs[] = {"threads", "processes"};
    for (size_t i = 0; i < r->n_cfgs; i++) {
        const rpt_cfg *c = &r->cfgs[i];
        for (int e = 0; e < 2; e++)
            if (c->run == run && rpt_main_view(r, c) && rpt_eq(c->executor, execs[e]) && !rpt_per_task(c) &&
                rpt_eq(c->gil, "off") && rpt_has(c, M_RSS) &&
                (!best[e] || c->workers > best[e]->workers ||
                 (c->workers == best[e]->workers && c->v[M_RSS] > best[e]->v[M_RSS])))
                best[e] = c;
    }
    if (!best[0] || !best[1])
        return;
    fprintf(f, "<li><b>Memory</b> (PSS of the largest pool, heaviest workload): threads %.1f MiB at %ld workers, processes %.1f MiB at %ld "
               "workers.</li>\n",
            best[0]->v[M_RSS] / 1024.0, best[0]->workers, best[1]->v[M_RSS] / 1024.0, best[1]->workers);
}

static void rpt_finding_convoy(const rpt *r, FILE *f, size_t run)
{
    static const char *const hogs[] = {"thread", "process"};
    int n = 0;
    for (int h = 0; h < 2; h++) {
        const rpt_cfg *lo = NULL, *hi = NULL;
        for (size_t i = 0; i < r->n_cfgs; i++) {
            const rpt_cfg *c = &r->cfgs[i];
            if (c->run != run || !rpt_pick_convoy(r, c) || !rpt_eq(c->hog, hogs[h]) || c->switch_us < 0 ||
                !rpt_has(c, M_P99))
                continue;
            if (!lo || c->switch_us < lo->switch_us)
                lo = c;
            if (!hi || c->switch_us > hi->switch_us)
                hi = c;
        }
        if (!lo)
            continue;
        char a[32], b[32], sa[32], sb[32];
        rpt_fmt_us(hi->v[M_P99], a, sizeof a);
        rpt_fmt_us(lo->v[M_P99], b, sizeof b);
        rpt_fmt_switch(hi->switch_us, sa, sizeof sa);
        rpt_fmt_switch(lo->switch_us, sb, sizeof sb);
        fprintf(f, "%s the hog as a %s: <b>%s</b> at a %s switch interval, <b>%s</b> at %s",
                n ? ";" : "<li><b>Convoy</b>: probe p99 latency with", hogs[h], a, sa, b, sb);
        n++;
    }
    if (n)
        fputs(".</li>\n", f);
}

static void rpt_finding_failures(const rpt *r, FILE *f, size_t run)
{
    size_t n = 0;
    for (size_t i = 0; i < r->n_cfgs; i++)
        n += r->cfgs[i].run == run && r->cfgs[i].n_bad > 0;
    if (!n)
        return;
    fprintf(f, "<li class=\"bad\"><b>%zu configuration(s) had failed or interrupted repetitions</b>; those without "
               "an ok repetition are missing from the charts, the others are charted from their ok ones:<ul>\n",
            n);
    size_t shown = 0;
    for (size_t i = 0; i < r->n_cfgs && shown < 20; i++) {
        const rpt_cfg *c = &r->cfgs[i];
        if (c->run != run || !c->n_bad)
            continue;
        char label[256];
        rpt_label(r, c, true, true, label, sizeof label);
        fputs("<li>", f);
        rpt_html_esc(f, c->workload);
        fputs(" ", f);
        rpt_html_esc(f, label);
        fprintf(f, ", %ld workers", c->workers);
        if (c->n_ok)
            fprintf(f, " (%zu of %zu repetitions ok)", c->n_ok, c->n_ok + c->n_bad);
        fputs(": ", f);
        rpt_html_esc(f, c->detail);
        fputs("</li>\n", f);
        shown++;
    }
    if (n > shown)
        fprintf(f, "<li>and %zu more</li>\n", n - shown);
    fputs("</ul></li>\n", f);
}

static bool rpt_pick_main(const rpt *r, const rpt_cfg *c) { return rpt_main_view(r, c); }

static void rpt_findings(const rpt *r, FILE *f)
{
    for (size_t run = 0; run < r->n_runs; run++) {
        if (r->n_runs > 1) {
            fputs("<h3>", f);
            rpt_html_esc(f, r->runs[run].label);
            fputs("</h3>\n", f);
        }
        fputs("<ul class=\"findings\">\n", f);
        rpt_list l = rpt_select((rpt *)r, rpt_pick_main);
        rpt_sort_ctx s = {.with_switch = true, .with_run = true, .x_metric = -1};
        rpt_sort(&l, &s);
        rpt_panel p[64];
        size_t np = rpt_panels(&l, p, 64);
        for (size_t k = 0; k < np; k++) {
            bool in_run = false;
            for (size_t i = p[k].from; i < p[k].to; i++)
                in_run |= l.v[i]->run == run;
            if (in_run && strcmp(p[k].workload, "noop") != 0)
                rpt_finding_workload(r, f, run, &p[k]);
        }
        free(l.v);
        rpt_finding_dispatch(r, f, run);
        rpt_finding_spawn(r, f, run);
        rpt_finding_memory(r, f, run);
        rpt_finding_convoy(r, f, run);
        rpt_finding_failures(r, f, run);
        fputs("</ul>\n", f);
    }
}

/* ------------------------------------------------------------------------------------------ */
/* index.html                                                                                  */

static const char rpt_css[] =
    "body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,'DejaVu Sans',sans-serif;margin:0 auto;"
    "max-width:1320px;padding:1.2em 1.5em;color:#222;background:#fff;line-height:1.45}"
    "h1{font-size:1.6em;margin:.2em 0}h2{font-size:1.25em;margin-top:1.8em;border-bottom:1px solid #ddd}"
    "h3{font-size:1.05em}table{border-collapse:collapse;font-size:.9em}"
    "th,td{border:1px solid #ddd;padding:.25em .6em;text-align:left;vertical-align:top}"
    "th{background:#f4f4f4}.machine td{word-break:break-word}figure{margin:1.2em 0 2.2em}figure img{max-width:100%;height:auto;"
    "border:1px solid #eee}figcaption{max-width:80em;margin-top:.4em}.skip{color:#8a5a00;background:#fff7e6;"
    "border-left:4px solid #e6a700;padding:.4em .8em}.bad{color:#a00}.findings li{margin:.3em 0}"
    "nav a{margin-right:1em}code{background:#f4f4f4;padding:0 .2em}";

/* Sets data-images-loaded / data-images-total on <body> once the page has loaded (for tests). */
static const char rpt_js[] =
    "window.addEventListener('load',function(){var im=document.images,ok=0;"
    "for(var i=0;i<im.length;i++){if(im[i].complete&&im[i].naturalWidth>0)ok++;}"
    "document.body.setAttribute('data-images-total',String(im.length));"
    "document.body.setAttribute('data-images-loaded',String(ok));});";

/* One machine fact of every run: a row of the machine table (runs are columns). */
static void rpt_html_fact(const rpt *r, FILE *f, const char *name, size_t off)
{
    fprintf(f, "<tr><th>%s</th>", name);
    for (size_t i = 0; i < r->n_runs; i++) {
        const char *v = *(char *const *)((const char *)&r->runs[i] + off);
        fputs("<td>", f);
        rpt_html_esc(f, v);
        fputs("</td>", f);
    }
    fputs("</tr>\n", f);
}

static void rpt_html_machine(const rpt *r, FILE *f)
{
    static const struct {
        const char *name;
        size_t off;
    } facts[] = {{"host", offsetof(rpt_run, host)},           {"CPU model", offsetof(rpt_run, cpu)},
                 {"usable cpuset", offsetof(rpt_run, cpuset)}, {"topology", offsetof(rpt_run, topology)},
                 {"kernel", offsetof(rpt_run, kernel)},         {"compiler", offsetof(rpt_run, compiler)},
                 {"profile", offsetof(rpt_run, profile)},       {"started (UTC)", offsetof(rpt_run, started)},
                 {"git commit", offsetof(rpt_run, commit)},     {"run status", offsetof(rpt_run, status)},
                 {"CSV", offsetof(rpt_run, csv)}};
    fputs("<table class=\"machine\"><tr><th>run</th>", f);
    for (size_t i = 0; i < r->n_runs; i++) {
        fputs("<th>", f);
        rpt_html_esc(f, r->runs[i].label);
        fputs("</th>", f);
    }
    fputs("</tr>\n<tr><th>usable CPUs</th>", f);
    for (size_t i = 0; i < r->n_runs; i++) {
        if (r->runs[i].usable > 0)
            fprintf(f, "<td>%ld</td>", r->runs[i].usable);
        else
            fputs("<td>unknown</td>", f);
    }
    fputs("</tr>\n", f);
    for (size_t k = 0; k < sizeof facts / sizeof *facts; k++)
        rpt_html_fact(r, f, facts[k].name, facts[k].off);
    fputs("</table>\n", f);
    for (size_t i = 0; i < r->n_runs; i++) {
        const rpt_run *ru = &r->runs[i];
        if (!ru->other_pins && !ru->other_switches)
            continue;
        fputs("<p>", f);
        rpt_html_esc(f, ru->label);
        fputs(": the summary charts show placement <code>", f);
        rpt_html_esc(f, ru->pin);
        fputs("</code>", f);
        if (ru->switch_pref >= 0)
            fprintf(f, " and the GIL switch interval %ld \xc2\xb5s", ru->switch_pref);
        if (ru->ticks_pref >= 0)
            fprintf(f, " and the legacy GIL check interval %ld ticks", ru->ticks_pref);
        fputs("; the CSV holds more (other placements or switch intervals).</p>\n", f);
    }
}

static void rpt_html_chart(const rpt *r, FILE *f, const rpt_chart *ch, const char *num)
{
    fprintf(f, "<section id=\"%s\"><h2>%s. ", ch->name, num);
    rpt_html_esc(f, ch->title);
    fputs("</h2>\n", f);
    if (ch->rendered) {
        fprintf(f, "<figure><a href=\"%s.svg\"><img src=\"%s.png\" alt=\"", ch->name, ch->name);
        rpt_html_esc(f, ch->title);
        fprintf(f, "\"></a><figcaption>%s", ch->about);
        if (*ch->note) {
            fputs(" <i>", f);
            rpt_html_esc(f, ch->note);
            fputs("</i>", f);
        }
        fprintf(f, " (<a href=\"%s.svg\">SVG</a>)</figcaption></figure>\n", ch->name);
    } else {
        fputs("<p class=\"skip\">Not drawn: ", f);
        rpt_html_esc(f, *ch->note ? ch->note : (r->o.render ? "no data" : "rendering was switched off (--no-render)"));
        fputs(".</p>\n", f);
        fprintf(f, "<p>%s</p>\n", ch->about);
    }
    fputs("</section>\n", f);
}

static int rpt_write_html(rpt *r)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    if (!f)
        return -ENOMEM;
    fprintf(f, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
               "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\n"
               "<title>tvp: threads vs processes, measured</title>\n<style>%s</style>\n"
               "<script>%s</script>\n</head><body>\n",
            rpt_css, rpt_js);
    fputs("<h1>tvp: threads vs processes, measured</h1>\n<nav><a href=\"#findings\">findings</a>"
          "<a href=\"#machine\">machine</a>", f);
    for (int i = 0; i < CH_COUNT; i++)
        fprintf(f, "<a href=\"#%s\">%s</a>", r->charts[i].name, r->charts[i].name);
    fputs("</nav>\n", f);
    for (size_t i = 0; i < r->n_runs; i++) {
        const rpt_run *ru = &r->runs[i];
        fputs("<p class=\"lead\">Measured on <b>", f);
        rpt_html_esc(f, ru->cpu);
        fputs("</b>, ", f);
        if (ru->usable > 0)
            fprintf(f, "%ld usable CPUs", ru->usable);
        else
            fputs("usable CPUs unknown", f);
        fputs(", profile ", f);
        rpt_html_esc(f, ru->profile);
        fputs(", started ", f);
        rpt_html_esc(f, ru->started);
        fputs(" (run ", f);
        rpt_html_esc(f, ru->label);
        fputs(").</p>\n", f);
    }
    fputs("<h2 id=\"findings\">Findings</h2>\n<p>Computed from the CSV: speedups against the serial executor at "
          "each run's largest worker count (median of the repetitions where the run has them).</p>\n",
          f);
    rpt_findings(r, f);
    fputs("<h2 id=\"machine\">Machine</h2>\n", f);
    rpt_html_machine(r, f);
    static const char *const nums[CH_COUNT] = {"1", "2", "3", "3b", "4", "5", "6", "7"};
    for (int i = 0; i < CH_COUNT; i++)
        rpt_html_chart(r, f, &r->charts[i], nums[i]);
    fputs("<p><small>Written by tvp-report from ", f);
    for (size_t i = 0; i < r->n_runs; i++) {
        fputs(i ? ", " : "", f);
        rpt_html_esc(f, r->runs[i].csv);
    }
    fputs(". Charts: gnuplot; each PNG links to its SVG.</small></p>\n</body></html>\n", f);
    if (fclose(f) != 0) {
        free(buf);
        return -EIO;
    }
    char *path = rpt_asprintf("%s/index.html", r->o.out);
    int rc = results_write_atomic(path, buf, len);
    if (rc < 0)
        fprintf(stderr, "tvp-report: cannot write %s: %s\n", path, strerror(-rc));
    else
        printf("tvp-report: %s\n", path);
    free(path);
    free(buf);
    return rc;
}

/* ------------------------------------------------------------------------------------------ */
/* Charts table and main                                                                       */

static void rpt_init_charts(rpt *r)
{
    static const rpt_chart defs[CH_COUNT] = {
        [CH_SPEEDUP] = {.name = "speedup", .title = "Speedup vs workers",
                        .about = "Speedup against the serial executor (same workload, same parameters) as the "
                                 "worker count grows, one panel per workload, one line per executor, spawn mode "
                                 "and GIL setting; both axes are logarithmic. The black dashed diagonal is ideal "
                                 "scaling (speedup = workers); the green vertical line marks the usable CPUs. "
                                 "CPU-bound work flattens at the CPU count; waiting work follows the diagonal "
                                 "past it. Lines that fall away from the rest show a cost of the vehicle."},
        [CH_THROUGHPUT] = {.name = "throughput", .title = "Throughput at the largest worker count",
                           .about = "Tasks completed per second by each executor at the run's largest worker "
                                    "count (serial at one worker for reference), one panel per workload. The bar "
                                    "is the median of the repetitions, the whiskers span the fastest and the "
                                    "slowest repetition, so overlapping whiskers mean no measurable difference. "
                                    "Pale bars start a thread or process per task."},
        [CH_LATENCY] = {.name = "latency", .title = "Task latency percentiles",
                        .about = "How long one task runs from the moment a worker starts it to its end "
                                 "(queue wait not included), as p50 (circle), p90 (triangle) and p99 (square) "
                                 "on a logarithmic axis, per executor at the largest worker count. A long "
                                 "p50-to-p99 stem means tail latency: tasks preempted or waiting for a CPU "
                                 "or a lock."},
        [CH_CONVOY] = {.name = "convoy", .title = "Convoy: probe latency vs GIL switch interval",
                       .about = "The convoy workload: a short probe task competes with a CPU hog. The chart "
                                "shows the probe's latency (p99 solid, p50 dashed) against the GIL switch "
                                "interval, with the hog as a thread (same lock as the probe) and as a process "
                                "(its own lock). A hog thread makes the probe wait for the switch interval; a "
                                "hog process does not."},
        [CH_CPU] = {.name = "cpu", .title = "CPU utilisation and context switches",
                    .about = "What each executor costs the machine: CPUs kept busy (CPU time over wall time; "
                             "the dashed line is the usable CPU count), and voluntary (waiting) and "
                             "involuntary (preempted) context switches per task, per workload at the largest "
                             "worker count. Threads and processes doing the same work should look alike; "
                             "extra switches or CPU time are overhead of the vehicle."},
        [CH_MEMORY] = {.name = "memory", .title = "Memory vs workers",
                       .about = "Proportional set size (PSS) of the harness plus its workers as the worker count "
                                "grows: forked processes share their pages copy-on-write, so PSS grows only by "
                                "what each one dirties, threads share everything."},
        [CH_COSTS] = {.name = "costs", .title = "Spawn and scheduler costs",
                      .about = "The price of starting a worker for each task instead of reusing a pool: the "
                               "difference of the per-task and pool batch times divided by the tasks of a "
                               "batch, per executor and workload (log scale). A fork costs more than a "
                               "pthread_create; the gap is what a pool saves. Scheduler microbenchmarks "
                               "(sched_* workloads) appear in a second panel when the CSV has them."},
        [CH_GIL] = {.name = "gil", .title = "GIL switch interval trade-off",
                    .about = "With the emulated global interpreter lock on: throughput (left) and p99 task "
                             "latency (right) against the switch interval, one row per workload. A longer "
                             "interval lets a CPU-bound thread run longer (throughput) but makes the others "
                             "wait longer (latency). The dotted line is the same executor without the lock."},
    };
    memcpy(r->charts, defs, sizeof defs);
}

static int rpt_usage(FILE *f, int code)
{
    fprintf(f, "usage: tvp-report [--out=DIR] [--scripts=DIR] [--gnuplot=PROGRAM] [--no-render] CSV[,CSV...] ...\n"
               "  Charts (PNG + SVG, through gnuplot) and DIR/index.html from tvp tidy CSV files.\n"
               "  Several CSVs are overlaid (each run's id in the legends); each CSV's .meta.json beside it\n"
               "  names the machine. An argument that names an existing file is one path, commas and all;\n"
               "  otherwise it is split on commas, and '\\,' is a comma inside a path.\n"
               "  Repetitions are folded by the median of the ok repetition rows (min and max: whiskers);\n"
               "  measurements that are not finite and non-negative are skipped with a warning.\n"
               "  --out=DIR          output directory (default: plots); data files go to DIR/data\n"
               "  --scripts=DIR      the gnuplot scripts (default: %s)\n"
               "  --gnuplot=PROGRAM  gnuplot to run (default: gnuplot)\n"
               "  --no-render        write data files and index.html, do not run gnuplot\n"
               "  exit status: 0 done, 1 a chart failed to render, 2 bad flags or unreadable input\n",
            TVP_GNUPLOT_DIR);
    return code;
}

static int rpt_flag_error(const char *flag, const char *why)
{
    fprintf(stderr, "tvp-report: %s: %s\n", flag, why);
    return 2;
}

/* A path that goes into gnuplot's quoted strings: no quotes, backquotes or control characters. */
static bool rpt_path_ok(const char *p)
{
    if (!*p)
        return false;
    for (; *p; p++)
        if (*p == '\'' || *p == '"' || *p == '\\' || *p == '`' || (unsigned char)*p < 0x20)
            return false;
    return true;
}

static void rpt_add_csv(rpt_opts *o, char *path)
{
    char **n = realloc(o->csv, (o->n_csv + 1) * sizeof *n);
    if (!n) {
        fprintf(stderr, "tvp-report: out of memory\n");
        exit(1);
    }
    o->csv = n;
    o->csv[o->n_csv++] = path;
}

/* A CSV argument: one path when it names something that exists (commas and all), else a
 * comma-separated list in which `\,` is a comma inside a path; empty items are dropped. */
static void rpt_add_csvs(rpt_opts *o, const char *arg)
{
    struct stat st;
    if (stat(arg, &st) == 0) {
        rpt_add_csv(o, rpt_strdup(arg));
        return;
    }
    char *item = rpt_xmalloc(strlen(arg) + 1);
    size_t n = 0;
    for (const char *p = arg;; p++) {
        if (*p == '\\' && p[1] == ',') {
            item[n++] = *++p;
        } else if (*p == ',' || *p == '\0') {
            if (n) {
                item[n] = '\0';
                rpt_add_csv(o, rpt_strdup(item));
                n = 0;
            }
            if (!*p)
                break;
        } else {
            item[n++] = *p;
        }
    }
    free(item);
}

static const char *rpt_default_scripts(void)
{
    static char buf[4096];
    struct stat st;
    if (stat(TVP_GNUPLOT_DIR, &st) == 0 && S_ISDIR(st.st_mode))
        return TVP_GNUPLOT_DIR;
    /* Installed: <prefix>/bin/tvp-report and <prefix>/share/tvp/gnuplot. */
    ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 32);
    if (n > 0) {
        buf[n] = '\0';
        char *slash = strrchr(buf, '/');
        if (slash) {
            snprintf(slash, sizeof buf - (size_t)(slash - buf), "/../share/tvp/gnuplot");
            if (stat(buf, &st) == 0 && S_ISDIR(st.st_mode))
                return buf;
        }
    }
    return TVP_GNUPLOT_DIR;
}

static int rpt_parse_args(rpt_opts *o, int argc, char **argv)
{
    o->out = "plots";
    o->scripts = NULL;
    o->gnuplot = "gnuplot";
    o->render = true;
    bool dashdash = false;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (dashdash || a[0] != '-' || strcmp(a, "-") == 0) {
            rpt_add_csvs(o, a);
        } else if (strcmp(a, "--") == 0) {
            dashdash = true;
        } else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            exit(rpt_usage(stdout, 0));
        } else if (strncmp(a, "--out=", 6) == 0) {
            o->out = a + 6;
            if (!rpt_path_ok(o->out))
                return rpt_flag_error("--out", "expected a directory path without quotes or backslashes");
        } else if (strncmp(a, "--scripts=", 10) == 0) {
            o->scripts = a + 10;
            if (!rpt_path_ok(o->scripts))
                return rpt_flag_error("--scripts", "expected a directory path without quotes or backslashes");
        } else if (strncmp(a, "--gnuplot=", 10) == 0) {
            o->gnuplot = a + 10;
            if (!*o->gnuplot)
                return rpt_flag_error("--gnuplot", "expected a program name or path");
        } else if (strcmp(a, "--no-render") == 0) {
            o->render = false;
        } else {
            fprintf(stderr, "tvp-report: unknown flag %s\n", a);
            return rpt_usage(stderr, 2);
        }
    }
    if (o->n_csv == 0) {
        fprintf(stderr, "tvp-report: no CSV file given\n");
        return rpt_usage(stderr, 2);
    }
    if (!o->scripts)
        o->scripts = rpt_default_scripts();
    if (!rpt_path_ok(o->scripts))
        return rpt_flag_error("--scripts", "the default script directory has quotes in its path: pass --scripts");
    struct stat st;
    if (o->render && (stat(o->scripts, &st) != 0 || !S_ISDIR(st.st_mode)))
        return rpt_flag_error("--scripts", "not a directory with the gnuplot scripts (scripts/gnuplot)");
    return 0;
}

static void rpt_free(rpt *r)
{
    for (size_t i = 0; i < r->n_cfgs; i++) {
        free(r->cfgs[i].reps);
        free(r->cfgs[i].key);
        free(r->cfgs[i].params);
        free(r->cfgs[i].strs);
        free(r->cfgs[i].detail);
    }
    free(r->cfgs);
    for (size_t i = 0; i < r->n_runs; i++) {
        rpt_run *ru = &r->runs[i];
        char *s[] = {ru->csv, ru->id, ru->host, ru->label, ru->cpu, ru->profile, ru->started, ru->cpuset,
                     ru->topology, ru->kernel, ru->compiler, ru->commit, ru->status};
        for (size_t k = 0; k < sizeof s / sizeof *s; k++)
            free(s[k]);
    }
    for (size_t i = 0; i < r->o.n_csv; i++)
        free(r->o.csv[i]);
    free(r->o.csv);
    free(r->work);
}

static int rpt_write_charts(rpt *r)
{
    static const rpt_bar_spec tps = {CH_THROUGHPUT, M_TPS, -1, -1, rpt_pick_tps,
                                     "no rows with a throughput (tasks_per_s)", NULL, 300};
    static const rpt_bar_spec lat = {CH_LATENCY, M_P50, M_P90, M_P99, rpt_pick_lat,
                                     "no rows with task latency percentiles",
                                     "task latency from start to end of the task in its worker (no queue wait)", 300};
    int rc = rpt_chart_speedup(r);
    if (rc == 0)
        rc = rpt_chart_bars(r, &tps);
    if (rc == 0)
        rc = rpt_chart_bars(r, &lat);
    if (rc == 0)
        rc = rpt_chart_convoy(r);
    if (rc == 0)
        rc = rpt_chart_cpu(r);
    if (rc == 0)
        rc = rpt_chart_memory(r);
    if (rc == 0)
        rc = rpt_chart_costs(r);
    if (rc == 0)
        rc = rpt_chart_gil(r);
    return rc;
}

int main(int argc, char **argv)
{
    rpt r;
    memset(&r, 0, sizeof r);
    rpt_init_charts(&r);
    int rc = rpt_parse_args(&r.o, argc, argv);
    if (rc) {
        rpt_free(&r);
        return rc;
    }
    for (size_t i = 0; i < r.o.n_csv; i++)
        if (rpt_read_csv(&r, r.o.csv[i]) < 0) {
            rpt_free(&r);
            return 2;
        }
    rpt_finish_cfgs(&r);
    rpt_choose_views(&r);
    r.work = rpt_asprintf("%s/data", r.o.out);
    if ((rc = results_check_dir(r.work)) < 0) {
        fprintf(stderr, "tvp-report: --out: cannot write %s: %s\n", r.work, strerror(-rc));
        rpt_free(&r);
        return 2;
    }
    rpt_clean(&r);
    int status = 0;
    if (rpt_write_charts(&r) < 0)
        status = 1;
    if (status == 0 && r.o.render && rpt_render(&r) < 0)
        status = 1;
    if (rpt_write_html(&r) < 0)
        status = 1;
    rpt_free(&r);
    return status;
}
