/* gnuplot.c: the gnuplot driver: panel data and include files, legends and layout, running scripts/gnuplot/<chart>.gp. */
#include <errno.h>
#include <math.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "plot.h"

extern char **environ;

/* ---- text for gnuplot ---- */

/* Control characters dropped; backquotes become quotes: gnuplot runs `...` as a shell command
 * even inside a string. */
void rpt_gp_str(FILE *f, const char *s)
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

/* gnuplot has no escapes in a .dat file's quoted fields, so quotes become '. */
void rpt_dat_str(FILE *f, const char *s)
{
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++)
        fputc(*p == '"' ? '\'' : *p < 0x20 || *p == 0x7f ? ' ' : *p, f);
    fputc('"', f);
}

/* `?` is not a number: the scripts read such columns as ($3), which gnuplot takes as undefined and
 * leaves out. */
void rpt_dat_val(FILE *f, double v)
{
    if (isfinite(v))
        fprintf(f, "\t%.9g", v == 0 ? 0.0 : v);
    else
        fputs("\t?", f);
}

void rpt_cat_str(size_t *max_cat, FILE *f, size_t x, const char *label)
{
    fprintf(f, "%zu\t", x);
    rpt_dat_str(f, label);
    fputc('\n', f);
    *max_cat = strlen(label) > *max_cat ? strlen(label) : *max_cat;
}

/* ---- panels ---- */

void rpt_key_add(rpt *r, const char *label, const char *color, int dt, int pt, int kind)
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

void rpt_y(rpt_panel_out *po, double v)
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

int rpt_panel_begin(rpt *r, rpt_panel_out *po, const char *chart, int panel, const char *title)
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

void rpt_block(rpt_panel_out *po, const char *what)
{
    if (po->block_open)
        fputs("\n\n", po->dat);
    fprintf(po->dat, "# %s\n", what);
    po->block_open = true;
}

void rpt_series(rpt_panel_out *po, const char *label, const char *color, int dt, int pt)
{
    rpt_key_add(po->r, label, color, dt, pt, 1);
    if (po->ns == po->cap) {
        po->cap = po->cap ? po->cap * 2 : 16;
        po->s = rpt_xrealloc(po->s, po->cap * sizeof *po->s);
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

int rpt_panel_end(rpt_panel_out *po)
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

/* ---- the chart-wide include ---- */

/* The caption under a chart: one line per run (the machine), then the chart's note. */
static char *rpt_caption(const rpt *r, const char *note, int *lines)
{
    char *cap = NULL;
    size_t caplen = 0;
    FILE *cf = rpt_memstream(&cap, &caplen);
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

int rpt_chart_vars(rpt *r, rpt_chart *ch, int panels, int cols, int panel_h, const char *note)
{
    const char *name = ch->def->name;
    char *path = rpt_asprintf("%s/%s.vars.gp", r->work, name);
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
            name, r->work, r->o.out, name, r->o.scripts, r->o.scripts, name);
    int key_h = rpt_write_keys(r, f, width), lines;
    char *cap = rpt_caption(r, note, &lines);
    /* Below the panels: tic labels and the x label, the legend, the caption. */
    /* Category labels are rotated by 25-30 degrees: their height grows with their length. */
    int xlab = r->max_cat ? 44 + (int)(3.4 * (double)r->max_cat) : ch->def->xlab_h ? ch->def->xlab_h : 60;
    r->max_cat = 0;
    int cap_h = 15 * lines + 14, top = 66, bottom = xlab + key_h + cap_h;
    int height = top + bottom + rows * panel_h;
    fprintf(f, "TVP_TITLE = ");
    rpt_gp_str(f, ch->def->title);
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

void rpt_skip(rpt *r, rpt_chart *ch, const char *why)
{
    snprintf(ch->note, sizeof ch->note, "%s", why);
    ch->drawn = false;
    r->n_keys = 0;
    fprintf(stderr, "tvp-report: skipping %s chart: %s\n", ch->def->name, why);
}

int rpt_cols_for(int panels)
{
    return panels <= 1 ? 1 : panels == 2 || panels == 4 ? 2 : 3;
}

/* ---- rendering ---- */

static int rpt_run_gnuplot(const rpt *r, const rpt_chart *ch)
{
    const char *name = ch->def->name;
    char *script = rpt_asprintf("%s/%s.gp", r->o.scripts, name);
    char *expr = rpt_asprintf("TVP_WORK='%s'; TVP_OUT='%s/%s'; TVP_GP='%s'", r->work, r->o.out, name, r->o.scripts);
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

int rpt_render(rpt *r)
{
    static const char no_gnuplot_note[] = "gnuplot not found: install it (scripts/deps.sh installs gnuplot-nox), "
                                          "then run make plots";
    int failed = 0;
    bool no_gnuplot = false;
    for (size_t i = 0; i < r->n_charts; i++) {
        rpt_chart *ch = &r->charts[i];
        if (!ch->drawn)
            continue;
        if (no_gnuplot) {
            snprintf(ch->note, sizeof ch->note, "%s", no_gnuplot_note);
            failed++;
            continue;
        }
        int rc = rpt_run_gnuplot(r, ch);
        char *png = rpt_asprintf("%s/%s.png", r->o.out, ch->def->name);
        char *svg = rpt_asprintf("%s/%s.svg", r->o.out, ch->def->name);
        ch->rendered = rc == 0 && rpt_file_ok(png) && rpt_file_ok(svg);
        if (ch->rendered) {
            printf("tvp-report: %s (+ .svg)\n", png);
        } else {
            no_gnuplot = rc == -ENOENT;
            snprintf(ch->note, sizeof ch->note, "%s",
                     no_gnuplot ? no_gnuplot_note : "gnuplot could not draw this chart (see the messages of tvp-report)");
            failed++;
        }
        free(png);
        free(svg);
    }
    return failed ? -EIO : 0;
}

void rpt_clean(rpt *r)
{
    for (size_t i = 0; i < r->n_charts; i++) {
        const char *name = r->charts[i].def->name;
        char *png = rpt_asprintf("%s/%s.png", r->o.out, name);
        char *svg = rpt_asprintf("%s/%s.svg", r->o.out, name);
        unlink(png);
        unlink(svg);
        free(png);
        free(svg);
        for (int p = 1; p <= 64; p++) {
            char *gp = rpt_asprintf("%s/%s.p%d.gp", r->work, name, p);
            char *dat = rpt_asprintf("%s/%s.p%d.dat", r->work, name, p);
            int a = unlink(gp), b = unlink(dat);
            free(gp);
            free(dat);
            if (a && b)
                break;
        }
        char *vars = rpt_asprintf("%s/%s.vars.gp", r->work, name);
        unlink(vars);
        free(vars);
    }
}
