/* main.c: tvp-report's entry point: flags, then read, fold, draw every registered chart, render, write index.html.
 *
 * usage: tvp-report [--out=DIR] [--scripts=DIR] [--gnuplot=PROGRAM] [--no-render] CSV[,CSV...] ...
 *        tvp-report --help | --version
 *
 * Each CSV is one run (its .meta.json beside it names the machine); repetitions are folded by
 * their median (data.c). A CSV argument that names an existing file is one path even with commas
 * in it; otherwise it is split on commas (`\,` stands for a comma inside a path). Every chart of
 * the registry (charts.c) writes its data files into OUT/data/; scripts/gnuplot/<chart>.gp draws
 * OUT/<chart>.png and .svg (gnuplot.c). A chart without rows is skipped with a note (stderr and
 * index.html). No nan or inf reaches the data files or the page.
 * Exit status: 0 done, 1 a chart failed to render, 2 bad flags or unreadable input.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "plot.h"
#include "results.h"
#include "toolcli.h"

static int rpt_usage(FILE *f, int code)
{
    fprintf(f, "usage: tvp-report [--out=DIR] [--scripts=DIR] [--gnuplot=PROGRAM] [--no-render] CSV[,CSV...] ...\n"
               "       tvp-report --help | --version\n"
               "  Charts (PNG + SVG, through gnuplot) and DIR/index.html from tvp tidy CSV files.\n"
               "  Several CSVs are overlaid (each run's id in the legends); each CSV's .meta.json beside it\n"
               "  names the machine. An argument that names an existing file is one path, commas and all;\n"
               "  otherwise it is split on commas, and '\\,' is a comma inside a path.\n"
               "  Repetitions are folded by the median of the ok repetition rows (min and max: whiskers);\n"
               "  measurements that are not finite and non-negative are skipped with a warning.\n"
               "  --out=DIR          output directory (default: plots); data files go to DIR/data\n"
               "  --scripts=DIR      the gnuplot scripts (default: %s, or, when that is gone,\n"
               "                     ../share/tvp/gnuplot beside an installed tvp-report)\n"
               "  --gnuplot=PROGRAM  gnuplot to run (default: gnuplot)\n"
               "  --no-render        write data files and index.html, do not run gnuplot\n"
               "  --                 every later argument is a CSV, even one that starts with '-'\n"
               "  --version          the version and the git commit it was built from\n"
               "  -h, --help         this text\n"
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
    o->csv = rpt_xrealloc(o->csv, (o->n_csv + 1) * sizeof *o->csv);
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
        } else if (strcmp(a, "--version") == 0) {
            exit(toolcli_print_version("tvp-report"));
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
        } else if (strcmp(a, "--out") == 0 || strcmp(a, "--scripts") == 0 || strcmp(a, "--gnuplot") == 0) {
            fprintf(stderr, "tvp-report: %s: needs a value, as %s=%s (see tvp-report --help)\n", a, a,
                    a[2] == 'g' ? "PROGRAM" : "DIR");
            return 2;
        } else if (strncmp(a, "--no-render=", 12) == 0) {
            return rpt_flag_error(a, "takes no value (see tvp-report --help)");
        } else {
            static const char *const known[] = {"--out", "--scripts", "--gnuplot", "--no-render", "--help",
                                                "--version"};
            toolcli_unknown("tvp-report", a, known, sizeof known / sizeof known[0], NULL);
            return 2;
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
    rpt_free_data(r);
    for (size_t i = 0; i < r->o.n_csv; i++)
        free(r->o.csv[i]);
    free(r->o.csv);
    free(r->work);
    free(r->charts);
}

/* The charts of the registry, in page order; the first that cannot write its files stops the rest. */
static int rpt_write_charts(rpt *r)
{
    int rc = 0;
    for (size_t i = 0; i < r->n_charts && rc == 0; i++)
        rc = r->charts[i].def->draw(r, &r->charts[i]);
    return rc;
}

int main(int argc, char **argv)
{
    rpt r;
    memset(&r, 0, sizeof r);
    r.n_charts = rpt_n_charts;
    r.charts = calloc(r.n_charts, sizeof *r.charts);
    if (!r.charts)
        rpt_oom();
    for (size_t i = 0; i < r.n_charts; i++)
        r.charts[i].def = rpt_charts[i];
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
