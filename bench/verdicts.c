/* verdicts.c: the console's verdict block, from the run's configurations and their ok repetitions.
 *
 * Each workload configuration becomes a verdict_cfg (its tasks/s repetitions, its workload
 * parameters as text, placement and tasks as the context a matched pair shares); lib/stats/verdict
 * matches, tests and words them; this file only lays them out. tvp-report builds the same
 * verdict_cfgs from the CSV, so the page and the console say the same thing.
 */
#include "verdicts.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "pin.h"
#include "pool.h"
#include "runner.h"
#include "verdict.h"

#define VERDICTS_TEXT 256
#define VERDICTS_WIDTH 100 /* the advice is wrapped to this many columns */

/* Strings and samples behind one verdict_cfg. */
typedef struct verdicts_buf {
    char params[VERDICTS_TEXT], context[VERDICTS_TEXT];
    double *tps;
} verdicts_buf;

static void cfg_text(const bench_case *c, verdicts_buf *b)
{
    int off = 0;
    b->params[0] = '\0';
    for (size_t k = 0; k < c->wl->n_params && off < VERDICTS_TEXT; k++) {
        char v[64];
        off += snprintf(b->params + off, VERDICTS_TEXT - (size_t)off, "%s%s=%s", k ? " " : "", c->wl->params[k].name,
                        runner_param_text(c, k, v, sizeof v));
    }
    snprintf(b->context, sizeof b->context, "pin=%s tasks=%u", pin_policy_name(c->pin), c->tasks);
}

/* Prints `text` wrapped at VERDICTS_WIDTH: the first line indented by 2, the others by 4. */
static void print_wrapped(const char *text, FILE *f)
{
    int col = fprintf(f, "  "), indent = 4;
    for (const char *p = text; *p;) {
        int w = (int)strcspn(p, " ");
        if (col > indent && col + 1 + w > VERDICTS_WIDTH)
            col = fprintf(f, "\n%*s", indent, "") - 1;
        col += fprintf(f, "%s%.*s", col > 2 ? " " : "", w, p);
        for (p += w; *p == ' '; p++)
            ;
    }
    fputc('\n', f);
}

static bool panel_any(const verdict_panel *p)
{
    for (int g = 0; g < VERDICT_REGIMES; g++)
        for (int c = 0; c < VC_COUNT; c++)
            if (p->v[g][c].word != VERDICT_NONE)
                return true;
    return false;
}

static void print_panel(const verdict_panel *p, FILE *f)
{
    fprintf(f, "\n%s%s%s", p->workload, *p->params ? " " : "", p->params);
    if (p->switch_us > 0)
        fprintf(f, "  (the GIL at a %g ms switch interval)", (double)p->switch_us / 1000.0);
    fprintf(f, "\n  %-40s %-18s %7s %14s  %s\n", "comparison (first / second)", "workers", "ratio", "95% interval",
            "verdict");
    static const char *const rel[VERDICT_REGIMES] = {"below", "at", "above", "all"};
    for (int c = 0; c < VC_COUNT; c++) {
        bool named = false;
        for (int g = 0; g < VERDICT_REGIMES; g++) {
            const verdict *v = &p->v[g][c];
            if (v->word == VERDICT_NONE)
                continue;
            char w[32], regime[48], r[32], lo[32], hi[32], iv[64], word[96];
            verdict_workers_text(p, (verdict_regime)g, w, sizeof w);
            snprintf(regime, sizeof regime, "%s (%s)", w, rel[g]);
            verdict_fmt_ratio(v->ratio, r, sizeof r);
            if (isfinite(v->lo))
                snprintf(iv, sizeof iv, "%s-%s", verdict_fmt_ratio(v->lo, lo, sizeof lo),
                         verdict_fmt_ratio(v->hi, hi, sizeof hi));
            else
                snprintf(iv, sizeof iv, "-");
            fprintf(f, "  %-40s %-18s %7s %14s  %s\n", named ? "" : verdict_comparison_name((verdict_comparison)c),
                    regime, r, iv, verdict_word_text(v, word, sizeof word));
            named = true;
        }
    }
}

void verdicts_print(const report_config *cf, size_t n, const report_row *rows, bool interleaved, FILE *f)
{
    verdict_cfg *vc = calloc(n ? n : 1, sizeof *vc);
    verdicts_buf *bufs = calloc(n ? n : 1, sizeof *bufs);
    size_t nv = 0;
    long usable = 0;
    bool ok = vc && bufs;
    for (size_t i = 0; i < n && ok; i++) {
        const report_config *c = &cf[i];
        if (c->config->kind != JOB_WORKLOAD)
            continue;
        const bench_case *b = c->config->u.workload;
        if (!usable && b->env && b->env->topo)
            usable = (long)pin_topo_pus(b->env->topo);
        verdicts_buf *buf = &bufs[nv];
        if (!(buf->tps = malloc((c->n ? c->n : 1) * sizeof *buf->tps))) {
            ok = false;
            break;
        }
        size_t k = 0;
        for (size_t r = 0; r < c->n; r++) {
            const report_row *row = &rows[c->first_row + r];
            if (strcmp(row->status, "ok") == 0 && isfinite(row->m[REPORT_TPS]) && row->m[REPORT_TPS] > 0)
                buf->tps[k++] = row->m[REPORT_TPS];
        }
        cfg_text(b, buf);
        vc[nv++] = (verdict_cfg){.workload = b->wl->name, .params = buf->params, .context = buf->context,
                                 .executor = pool_executor_name(b->exec), .spawn = pool_spawn_name(b->spawn),
                                 .gil = gil_mode_name(b->gil), .switch_us = b->switch_us, .workers = b->workers,
                                 .tps = buf->tps, .n = k};
    }
    verdict_set s = {0};
    int rc = ok ? verdict_build(vc, nv, usable, &s) : -1;
    bool any = false;
    for (size_t p = 0; rc == 0 && p < s.n; p++)
        any |= panel_any(&s.panels[p]);
    if (rc < 0)
        fprintf(f, "\nverdicts: not computed (%s)\n", ok ? "bad measurements" : "out of memory");
    if (any) {
        fprintf(f, "\nverdicts (95%% intervals; ratio = tasks/s of the first-named over the second, pooled over the "
                   "matched\nconfigurations (same workload, parameters, placement, tasks and workers) ");
        if (usable > 0)
            fprintf(f, "below, at and above the %ld usable CPU%s", usable, usable == 1 ? "" : "s");
        else
            fputs("at every worker count", f);
        fprintf(f, ";\n\"faster\"/\"slower\" only when the whole interval is on one side of 1, \"(under 5%%)\" when "
                   "the ratio is within 5%%;\na stratified Hodges-Lehmann interval, no normality assumed: README, "
                   "\"Verdicts\")\n");
        if (!interleaved)
            print_wrapped("note: " VERDICT_NOT_INTERLEAVED ".", f);
        for (size_t p = 0; p < s.n; p++)
            if (panel_any(&s.panels[p]))
                print_panel(&s.panels[p], f);
        fputs("\nwhat to use on this machine (from the verdicts above):\n", f);
        char text[2048];
        for (size_t p = 0; p < s.n; p++) {
            if (!panel_any(&s.panels[p]))
                continue;
            verdict_advice(&s, &s.panels[p], text, sizeof text);
            print_wrapped(text, f);
        }
    }
    verdict_set_free(&s);
    for (size_t i = 0; i < nv; i++)
        free(bufs[i].tps);
    free(bufs);
    free(vc);
}
