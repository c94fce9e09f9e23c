/* cmp_report.c: the comparison as an aligned table, GitHub markdown, CSV (libcsv) or JSON (jansson).
 *
 * No format ever prints inf or NaN: a number that is not available or not finite is "-" in the
 * table and markdown, an empty field in CSV and null in JSON (strict RFC 8259). */
#include "cmp.h"

#include <csv.h>
#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { CMP_COL_KEY, CMP_COL_N, CMP_COL_BASE, CMP_COL_NEW, CMP_COL_RATIO, CMP_COL_CI, CMP_COL_P,
       CMP_COL_VERDICT, CMP_NCOLS };

typedef struct {
    char cell[CMP_NCOLS][256];
    const char *key;
} cmp__cells;

static const bool cmp__right_aligned[CMP_NCOLS] = {false, true, true, true, true, true, true, false};

int cmp_output_parse(const char *s, cmp_output *out)
{
    static const char *const names[] = {"table", "markdown", "csv", "json"};
    for (size_t i = 0; s && i < sizeof names / sizeof names[0]; i++)
        if (strcmp(s, names[i]) == 0) {
            *out = (cmp_output)i;
            return 0;
        }
    return -EINVAL;
}

static const char *cmp__better_name(const cmp_options *o)
{
    return o->metric.better == CMP_LOWER_IS_BETTER ? "lower" : "higher";
}

static const char *cmp__ci_method_name(stats_ci_method m)
{
    return m == STATS_CI_PAIRWISE ? "pairwise" : m == STATS_CI_BOOTSTRAP ? "bootstrap" : "";
}

/* A number (%.*f when fixed, else %.*g), or "-" when it is not available or not finite. */
static void cmp__fmt_num(char *b, size_t n, bool fixed, int prec, bool has, double v)
{
    if (!has || !isfinite(v))
        snprintf(b, n, "-");
    else if (fixed)
        snprintf(b, n, "%.*f", prec, v);
    else
        snprintf(b, n, "%.*g", prec, v);
}

static void cmp__fmt_cells(const cmp_row *r, cmp__cells *c)
{
    memset(c, 0, sizeof *c);
    c->key = r->key;
    snprintf(c->cell[CMP_COL_N], sizeof c->cell[0], "%zu/%zu", r->n_base, r->n_new);
    size_t cap = sizeof c->cell[0];
    cmp__fmt_num(c->cell[CMP_COL_BASE], cap, false, 6, r->has_medians, r->base_median);
    cmp__fmt_num(c->cell[CMP_COL_NEW], cap, false, 6, r->has_medians, r->new_median);
    cmp__fmt_num(c->cell[CMP_COL_RATIO], cap, true, 3, r->has_ratio, r->ci.ratio);
    if (r->has_test && isfinite(r->ci.lo) && isfinite(r->ci.hi))
        snprintf(c->cell[CMP_COL_CI], cap, "[%.3f, %.3f]", r->ci.lo, r->ci.hi);
    else if (r->has_test && isfinite(r->ci.lo)) /* [0, inf]: samples too small to bound it */
        snprintf(c->cell[CMP_COL_CI], cap, "[%.3f, -]", r->ci.lo);
    else
        snprintf(c->cell[CMP_COL_CI], cap, "-");
    cmp__fmt_num(c->cell[CMP_COL_P], cap, false, 3, r->has_test, r->mwu.p);
    snprintf(c->cell[CMP_COL_VERDICT], cap, "%s (%s)", cmp_verdict_name(r->verdict), r->reason);
}

static const char *cmp__cell(const cmp__cells *c, int col)
{
    return col == CMP_COL_KEY ? c->key : c->cell[col];
}

static void cmp__headers(const cmp_options *o, char hdr[CMP_NCOLS][32])
{
    static const char *const names[CMP_NCOLS] = {"benchmark", "n", "baseline", "new", "ratio",
                                                 "CI", "p", "verdict"};
    for (int i = 0; i < CMP_NCOLS; i++)
        snprintf(hdr[i], 32, "%s", names[i]);
    snprintf(hdr[CMP_COL_CI], 32, "%g%% CI", (1.0 - o->alpha) * 100.0);
}

static cmp__cells *cmp__all_cells(const cmp_report *r)
{
    cmp__cells *cells = calloc(r->n + 1, sizeof *cells);
    if (cells)
        for (size_t i = 0; i < r->n; i++)
            cmp__fmt_cells(&r->rows[i], &cells[i]);
    return cells;
}

static void cmp__print_table_line(FILE *f, const char *const text[CMP_NCOLS],
                                  const size_t width[CMP_NCOLS])
{
    for (int col = 0; col < CMP_NCOLS; col++) {
        int w = col == CMP_NCOLS - 1 && !cmp__right_aligned[col] ? 0 : (int)width[col];
        fprintf(f, "%s%*s", col ? "  " : "", cmp__right_aligned[col] ? w : -w, text[col]);
    }
    fputc('\n', f);
}

static int cmp__print_table(FILE *f, const cmp_report *r, const cmp_print_ctx *ctx)
{
    cmp__cells *cells = cmp__all_cells(r);
    if (!cells)
        return -ENOMEM;
    char hdr[CMP_NCOLS][32];
    cmp__headers(ctx->opts, hdr);
    size_t width[CMP_NCOLS];
    for (int col = 0; col < CMP_NCOLS; col++) {
        width[col] = strlen(hdr[col]);
        for (size_t i = 0; i < r->n; i++) {
            size_t l = strlen(cmp__cell(&cells[i], col));
            width[col] = l > width[col] ? l : width[col];
        }
    }
    fprintf(f, "metric %s (%s is better); baseline %s, new %s\n", ctx->metric,
            cmp__better_name(ctx->opts), ctx->base_name, ctx->new_name);
    const char *text[CMP_NCOLS];
    for (int col = 0; col < CMP_NCOLS; col++)
        text[col] = hdr[col];
    cmp__print_table_line(f, text, width);
    for (size_t i = 0; i < r->n; i++) {
        for (int col = 0; col < CMP_NCOLS; col++)
            text[col] = cmp__cell(&cells[i], col);
        cmp__print_table_line(f, text, width);
    }
    free(cells);
    return cmp_print_summary(f, r, ctx);
}

static void cmp__md_cell(FILE *f, const char *s)
{
    fputs("| ", f);
    for (; *s; s++) {
        if (*s == '|' || *s == '\\')
            fputc('\\', f);
        fputc(*s, f);
    }
    fputc(' ', f);
}

static int cmp__print_markdown(FILE *f, const cmp_report *r, const cmp_print_ctx *ctx)
{
    cmp__cells *cells = cmp__all_cells(r);
    if (!cells)
        return -ENOMEM;
    char hdr[CMP_NCOLS][32];
    cmp__headers(ctx->opts, hdr);
    fprintf(f, "Metric `%s` (%s is better), baseline `%s`, new `%s`.\n\n", ctx->metric,
            cmp__better_name(ctx->opts), ctx->base_name, ctx->new_name);
    for (int col = 0; col < CMP_NCOLS; col++)
        cmp__md_cell(f, hdr[col]);
    fputs("|\n", f);
    for (int col = 0; col < CMP_NCOLS; col++)
        fputs(cmp__right_aligned[col] ? "|---:" : "|:---", f);
    fputs("|\n", f);
    for (size_t i = 0; i < r->n; i++) {
        for (int col = 0; col < CMP_NCOLS; col++)
            cmp__md_cell(f, cmp__cell(&cells[i], col));
        fputs("|\n", f);
    }
    fputc('\n', f);
    free(cells);
    return cmp_print_summary(f, r, ctx);
}

static void cmp__csv_str(FILE *f, const char *s, bool last)
{
    csv_fwrite(f, s, strlen(s));
    fputc(last ? '\n' : ',', f);
}

/* A number, or an empty field when it is not available or not finite. */
static void cmp__csv_num(FILE *f, bool has, double v)
{
    if (has && isfinite(v))
        fprintf(f, "%.9g", v);
    fputc(',', f);
}

static int cmp__print_csv(FILE *f, const cmp_report *r, const cmp_print_ctx *ctx)
{
    fputs("benchmark,metric,better,n_baseline,n_new,baseline_median,new_median,ratio,ci_lo,ci_hi,"
          "ci_level,ci_method,p_value,test,verdict,reason\n", f);
    for (size_t i = 0; i < r->n; i++) {
        const cmp_row *w = &r->rows[i];
        cmp__csv_str(f, w->key, false);
        cmp__csv_str(f, ctx->metric, false);
        cmp__csv_str(f, cmp__better_name(ctx->opts), false);
        fprintf(f, "%zu,%zu,", w->n_base, w->n_new);
        cmp__csv_num(f, w->has_medians, w->base_median);
        cmp__csv_num(f, w->has_medians, w->new_median);
        cmp__csv_num(f, w->has_ratio, w->ci.ratio);
        cmp__csv_num(f, w->has_test, w->ci.lo);
        cmp__csv_num(f, w->has_test, w->ci.hi);
        cmp__csv_num(f, w->has_test, w->ci.level);
        cmp__csv_str(f, w->has_test ? cmp__ci_method_name(w->ci.method) : "", false);
        cmp__csv_num(f, w->has_test, w->mwu.p);
        cmp__csv_str(f, !w->has_test ? "" : w->mwu.method == STATS_MWU_EXACT ? "exact" : "asymptotic",
                     false);
        cmp__csv_str(f, cmp_verdict_name(w->verdict), false);
        cmp__csv_str(f, w->reason, true);
    }
    return 0;
}

/* A JSON number, or null when not available or not finite (RFC 8259 has no infinity or NaN). */
static json_t *cmp__jnum(bool has, double v)
{
    return has && isfinite(v) ? json_real(v) : json_null();
}

static json_t *cmp__json_row(const cmp_row *w)
{
    const char *test = !w->has_test ? NULL : w->mwu.method == STATS_MWU_EXACT ? "exact" : "asymptotic";
    return json_pack("{s:s, s:I, s:I, s:o, s:o, s:o, s:o, s:o, s:o, s:s?, s:o, s:s?, s:s, s:s, s:b}",
                     "benchmark", w->key, "n_baseline", (json_int_t)w->n_base, "n_new",
                     (json_int_t)w->n_new, "baseline_median", cmp__jnum(w->has_medians, w->base_median),
                     "new_median", cmp__jnum(w->has_medians, w->new_median), "ratio",
                     cmp__jnum(w->has_ratio, w->ci.ratio), "ci_lo", cmp__jnum(w->has_test, w->ci.lo),
                     "ci_hi", cmp__jnum(w->has_test, w->ci.hi), "ci_level",
                     cmp__jnum(w->has_test, w->ci.level), "ci_method",
                     w->has_test ? cmp__ci_method_name(w->ci.method) : NULL, "p_value",
                     cmp__jnum(w->has_test, w->mwu.p), "test", test, "verdict",
                     cmp_verdict_name(w->verdict), "reason", w->reason, "decides", (int)w->decides);
}

static json_t *cmp__json_summary(const cmp_report *r)
{
    json_t *decided = json_array();
    for (size_t i = 0; decided && i < r->n; i++)
        if (r->rows[i].decides)
            json_array_append_new(decided, json_string(r->rows[i].key));
    return json_pack("{s:I, s:I, s:I, s:I, s:I, s:s, s:o}", "rows", (json_int_t)r->n, "regressed",
                     (json_int_t)r->counts[CMP_REGRESSED], "improved",
                     (json_int_t)r->counts[CMP_IMPROVED], "unchanged",
                     (json_int_t)r->counts[CMP_UNCHANGED], "not_comparable",
                     (json_int_t)r->counts[CMP_NOT_COMPARABLE], "result", r->fail ? "fail" : "pass",
                     "decided_by", decided);
}

static int cmp__print_json(FILE *f, const cmp_report *r, const cmp_print_ctx *ctx)
{
    json_t *rows = json_array();
    for (size_t i = 0; rows && i < r->n; i++)
        if (json_array_append_new(rows, cmp__json_row(&r->rows[i])) < 0) {
            json_decref(rows);
            rows = NULL;
        }
    json_t *root = json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:b, s:o, s:o}", "tool",
                             "tvp-compare", "baseline", ctx->base_name, "new", ctx->new_name,
                             "metric", ctx->metric, "better", cmp__better_name(ctx->opts),
                             "threshold_pct", cmp__jnum(true, ctx->opts->threshold_pct), "alpha",
                             cmp__jnum(true, ctx->opts->alpha),
                             "strict", (int)ctx->opts->strict, "rows", rows, "summary",
                             cmp__json_summary(r));
    if (!root)
        return -ENOMEM;
    int rc = json_dumpf(root, f, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));
    fputc('\n', f);
    json_decref(root);
    return rc < 0 ? -EIO : 0;
}

static void cmp__print_names(FILE *f, const cmp_report *r, const char *label, cmp_verdict v)
{
    bool first = true;
    for (size_t i = 0; i < r->n; i++) {
        if (!r->rows[i].decides || r->rows[i].verdict != v)
            continue;
        fprintf(f, "%s%s", first ? label : ", ", r->rows[i].key);
        first = false;
    }
    if (!first)
        fputc('\n', f);
}

int cmp_print_summary(FILE *f, const cmp_report *r, const cmp_print_ctx *ctx)
{
    const cmp_options *o = ctx->opts;
    fprintf(f, "summary: %zu rows: %zu regressed, %zu improved, %zu unchanged, %zu not comparable "
               "(%s, %s is better; threshold %g%%, alpha %g)\n",
            r->n, r->counts[CMP_REGRESSED], r->counts[CMP_IMPROVED], r->counts[CMP_UNCHANGED],
            r->counts[CMP_NOT_COMPARABLE], ctx->metric, cmp__better_name(o), o->threshold_pct,
            o->alpha);
    fprintf(f, "result: %s\n", r->fail ? "FAIL" : "PASS");
    cmp__print_names(f, r, "regressed: ", CMP_REGRESSED);
    cmp__print_names(f, r, "not comparable (--strict): ", CMP_NOT_COMPARABLE);
    return ferror(f) ? -EIO : 0;
}

int cmp_print(FILE *f, FILE *summary_f, cmp_output fmt, const cmp_report *r,
              const cmp_print_ctx *ctx)
{
    if (!f || !r || !ctx || !ctx->opts)
        return -EINVAL;
    int rc;
    switch (fmt) {
    case CMP_OUT_TABLE: rc = cmp__print_table(f, r, ctx); break;
    case CMP_OUT_MARKDOWN: rc = cmp__print_markdown(f, r, ctx); break;
    case CMP_OUT_CSV: rc = cmp__print_csv(f, r, ctx); break;
    case CMP_OUT_JSON: rc = cmp__print_json(f, r, ctx); break;
    default: return -EINVAL;
    }
    if (rc == 0 && (fflush(f) != 0 || ferror(f)))
        rc = -EIO;
    if (rc == 0 && summary_f && (fmt == CMP_OUT_CSV || fmt == CMP_OUT_JSON))
        rc = cmp_print_summary(summary_f, r, ctx);
    return rc;
}
