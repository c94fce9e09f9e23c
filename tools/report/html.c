/* html.c: index.html: findings, the machine of every run, every chart with its caption or the reason it is not drawn. */
#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plot.h"
#include "results.h"

static const char rpt_css[] =
    "body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,'DejaVu Sans',sans-serif;margin:0 auto;"
    "max-width:1320px;padding:1.2em 1.5em;color:#222;background:#fff;line-height:1.45}"
    "h1{font-size:1.6em;margin:.2em 0}h2{font-size:1.25em;margin-top:1.8em;border-bottom:1px solid #ddd}"
    "h3{font-size:1.05em}table{border-collapse:collapse;font-size:.9em}"
    "th,td{border:1px solid #ddd;padding:.25em .6em;text-align:left;vertical-align:top}"
    "th{background:#f4f4f4}.machine td{word-break:break-word}figure{margin:1.2em 0 2.2em}figure img{max-width:100%;height:auto;"
    "border:1px solid #eee}figcaption{max-width:80em;margin-top:.4em}.skip{color:#8a5a00;background:#fff7e6;"
    "border-left:4px solid #e6a700;padding:.4em .8em}.bad{color:#a00}.findings li{margin:.3em 0}"
    "nav a{margin-right:1em}code{background:#f4f4f4;padding:0 .2em}"
    ".calib,.noise{max-width:80em;margin:.4em 0;padding:.3em .8em;border-left:4px solid #888}"
    ".warn{border-left-color:#e6a700;background:#fff7e6}.cvs tr.noisy td{background:#fff3e0}" RPT_VERDICT_CSS;

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

/* ---- honesty: what the machine gave, how noisy the run was ---- */

static int rpt_cv_desc(const void *pa, const void *pb)
{
    double a = ((const struct rpt_cv *)pa)->cv, b = ((const struct rpt_cv *)pb)->cv;
    return (a < b) - (a > b);
}

/* A table of configurations with their CV, worst first; rows above RPT_CV_WARN marked. */
static void rpt_html_cv_table(FILE *f, const struct rpt_cv *v, size_t n)
{
    struct rpt_cv *s = rpt_xmalloc((n ? n : 1) * sizeof *s);
    memcpy(s, v, n * sizeof *s);
    qsort(s, n, sizeof *s, rpt_cv_desc);
    fputs("<table class=\"cvs\"><tr><th>configuration</th><th>ok repetitions</th><th>median batch time</th>"
          "<th>CV</th></tr>\n", f);
    for (size_t i = 0; i < n; i++) {
        char med[32];
        rpt_fmt_us(s[i].median_s * 1e6, med, sizeof med);
        fprintf(f, "<tr%s><td><code>", s[i].cv > RPT_CV_WARN ? " class=\"noisy\"" : "");
        rpt_html_esc(f, s[i].name);
        fprintf(f, "</code></td><td>%ld</td><td>%s</td><td>%.1f%%</td></tr>\n", s[i].reps, med, s[i].cv * 100);
    }
    fputs("</table>\n", f);
    free(s);
}

/* Per run: the calibration line (the CPUs the machine gave of the usable ones, the background
 * load, steal) and the noise warning (configurations with CV > 10%: how many and which), then
 * every configuration's CV (the charts show medians). */
static void rpt_html_honesty(const rpt *r, FILE *f)
{
    fputs("<section id=\"noise\">\n", f);
    for (size_t i = 0; i < r->n_runs; i++) {
        const rpt_run *ru = &r->runs[i];
        bool short_cpus = ru->usable > 0 && ru->capacity_cpus < 0.9 * (double)ru->usable;
        bool busy = ru->background_cpus > 0.5 || ru->steal_pct > 5, warn = short_cpus || busy;
        fprintf(f, "<p class=\"calib%s\"><b>Calibration</b> (run ", warn ? " warn" : "");
        rpt_html_esc(f, ru->label);
        fputs("): ", f);
        if (isfinite(ru->capacity_cpus) && ru->usable > 0)
            fprintf(f, "the machine gave <b>%.2f of %ld</b> usable CPUs' worth of parallel work", ru->capacity_cpus,
                    ru->usable);
        else
            fputs("the parallel capacity was not measured", f);
        if (isfinite(ru->background_cpus))
            fprintf(f, "; other processes kept %.2f CPUs busy", ru->background_cpus);
        if (isfinite(ru->loadavg1))
            fprintf(f, " (load average %.2f)", ru->loadavg1);
        if (isfinite(ru->steal_pct))
            fprintf(f, "; steal %.1f%%", ru->steal_pct);
        fprintf(f, ".%s%s%s</p>\n", warn ? " <b>The machine was not quiet:" : "",
                short_cpus ? " speedups are bounded by what it gave, not by the executors." : "",
                busy ? " the results include other processes' interference.</b>" : warn ? "</b>" : "");
        rpt_noise nz = rpt_read_noise(ru);
        if (nz.n == 0) {
            fputs("<p class=\"noise\">Noise: no configuration has a CV (one repetition each, or no summary file "
                  "beside the CSV): the charts show single measurements; run the default profile for spread.</p>\n",
                  f);
        } else if (nz.n_noisy == 0) {
            fprintf(f, "<p class=\"noise\">Noise: all %zu configurations had a CV (standard deviation over mean of "
                       "the batch time across repetitions) of %.0f%% or less.</p>\n",
                    nz.n, RPT_CV_WARN * 100);
        } else {
            struct rpt_cv *bad = rpt_xmalloc(nz.n_noisy * sizeof *bad);
            size_t k = 0;
            for (size_t j = 0; j < nz.n; j++)
                if (nz.v[j].cv > RPT_CV_WARN)
                    bad[k++] = nz.v[j];
            fprintf(f, "<p class=\"noise warn\"><b>Noise warning: %zu of %zu configurations had CV &gt; %.0f%%</b> "
                       "(standard deviation over mean of the batch time across repetitions): their medians, and "
                       "verdicts that rest on them, are uncertain; rerun with more --benchmark_repetitions or on a "
                       "quieter machine.</p>\n<details><summary>which (worst first)</summary>\n",
                    nz.n_noisy, nz.n, RPT_CV_WARN * 100);
            rpt_html_cv_table(f, bad, k);
            fputs("</details>\n", f);
            free(bad);
        }
        if (nz.n) {
            fprintf(f, "<details><summary>CV of every configuration the charts show as a median (%zu)</summary>\n",
                    nz.n);
            rpt_html_cv_table(f, nz.v, nz.n);
            fputs("</details>\n", f);
        }
        rpt_noise_free(&nz);
    }
    fputs("</section>\n", f);
}

static void rpt_html_chart(const rpt *r, FILE *f, const rpt_chart *ch)
{
    const rpt_chart_def *d = ch->def;
    fprintf(f, "<section id=\"%s\"><h2>%s. ", d->name, d->num);
    rpt_html_esc(f, d->title);
    fputs("</h2>\n", f);
    if (ch->rendered) {
        fprintf(f, "<figure><a href=\"%s.svg\"><img src=\"%s.png\" alt=\"", d->name, d->name);
        rpt_html_esc(f, d->title);
        fprintf(f, "\"></a><figcaption>%s", d->about);
        if (*ch->note) {
            fputs(" <i>", f);
            rpt_html_esc(f, ch->note);
            fputs("</i>", f);
        }
        fprintf(f, " (<a href=\"%s.svg\">SVG</a>; each configuration's CV: <a href=\"#noise\">noise</a>)"
                   "</figcaption></figure>\n", d->name);
    } else {
        fputs("<p class=\"skip\">Not drawn: ", f);
        rpt_html_esc(f, *ch->note ? ch->note : (r->o.render ? "no data" : "rendering was switched off (--no-render)"));
        fputs(".</p>\n", f);
        fprintf(f, "<p>%s</p>\n", d->about);
    }
    fputs("</section>\n", f);
}

int rpt_write_html(rpt *r)
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
          "<a href=\"#machine\">machine</a><a href=\"#noise\">calibration and noise</a>", f);
    for (size_t i = 0; i < r->n_charts; i++)
        fprintf(f, "<a href=\"#%s\">%s</a>", r->charts[i].def->name, r->charts[i].def->name);
    fputs("</nav>\n", f);
    rpt_verdicts(r, f);
    rpt_html_honesty(r, f);
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
    for (size_t i = 0; i < r->n_charts; i++)
        rpt_html_chart(r, f, &r->charts[i]);
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
