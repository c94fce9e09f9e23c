/* tvp_compare.c: tvp-compare, the regression gate: compares two result files, exits 1 on a regression. */
#include "cmp.h"
#include "toolcli.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TVP_COMPARE_EXIT_PASS 0
#define TVP_COMPARE_EXIT_FAIL 1
#define TVP_COMPARE_EXIT_USAGE 2
#define TVP_COMPARE_THRESHOLD_MAX 1000.0

typedef struct {
    cmp_options opts;
    cmp_output format;
    const char *files[2];
    size_t nfiles;
    regex_t filter;
    bool has_filter;
} tvp_compare_args;

static void tvp_compare_usage(FILE *f)
{
    fprintf(f,
            "usage: tvp-compare [options] BASELINE NEW\n"
            "\n"
            "Compares two benchmark result files configuration by configuration. A row regressed\n"
            "when its metric moved the bad way by more than --threshold percent (ratio of medians\n"
            "new/baseline) and a two-sided Mann-Whitney U test over the repetitions gives p below\n"
            "--alpha; improved is the mirror image. Rows missing on one side or with too few\n"
            "repetitions are reported as not comparable.\n"
            "\n"
            "Inputs, told apart by content (either may be '-' for standard input):\n"
            "  tvp tidy CSV           rows keyed by the benchmark column; only status=ok rows with\n"
            "                         a numeric repetition give values (aggregate rows of older\n"
            "                         files are ignored; failed and interrupted rows give none).\n"
            "                         Not the <stamp>-<host>.summary.csv: the CSV beside it\n"
            "  Google Benchmark JSON  iteration entries keyed by run_name; metric real_time (ns)\n"
            "Names match without Google Benchmark's run settings (/min_time:X,\n"
            "/min_warmup_time:X, /repeats:N, /iterations:N, /manual_time, /real_time,\n"
            "/process_time, /threads:1), so an old baseline matches a new run; /threads:N above\n"
            "1 stays in the name (another configuration).\n"
            "\n"
            "Input is refused (exit 2, naming file:line) when a value of the metric in a\n"
            "repetition that did not fail is empty or missing, not a number, NaN or infinite,\n"
            "or negative (a ratio of medians needs values >= 0); zero is refused too for elapsed\n"
            "times (wall_s, real_time, lat_p50_us, lat_p90_us, lat_p99_us). Other metrics may be\n"
            "0 (ctx_invol, cpu_s, rates...): a row whose baseline median is 0 has no ratio and is\n"
            "not comparable. A repetition given twice (same run_id, benchmark and repetition; in\n"
            "JSON same name and repetition_index) is refused, so pasted rows cannot add samples.\n"
            "Rows left out by --filter are not read. No output prints inf or NaN: '-', an empty\n"
            "CSV field or JSON null stands for a number that does not exist.\n"
            "\n"
            "Options:\n"
            "  --metric=NAME[:lower|:higher]\n"
            "                     the column (CSV) or field (JSON) to compare: default wall_s,\n"
            "                     real_time for JSON. Known, lower is better: wall_s, cpu_s,\n"
            "                     lat_p50_us, lat_p99_us, ctx_vol, ctx_invol, rss_kib, real_time,\n"
            "                     cpu_time and names ending in _s, _ms, _us or _ns (spawn and\n"
            "                     switch costs); higher is better: tasks_per_s, speedup,\n"
            "                     efficiency, items_per_second, bytes_per_second and names ending\n"
            "                     in _per_s or _per_second. Any other numeric column needs its\n"
            "                     direction, e.g. --metric=foo:lower\n"
            "  --threshold=PCT    smallest change that counts, percent in [0, %g] (default 5)\n"
            "  --alpha=P          significance level in (0, 1) (default 0.05); intervals are\n"
            "                     (1 - alpha) confidence intervals of the ratio\n"
            "  --format=FMT       table (default), markdown, csv or json; csv and json keep stdout\n"
            "                     machine-readable and write the summary to stderr\n"
            "  --filter=REGEX     compare only benchmarks whose name matches (POSIX extended)\n"
            "  --strict           not comparable rows fail the gate too\n"
            "  -h, --help         this text\n"
            "  --version          the version and the git commit it was built from\n"
            "\n"
            "Exit status: 0 no row regressed, 1 some row regressed (the summary names them),\n"
            "2 bad usage or malformed input (the message names the file and line).\n",
            TVP_COMPARE_THRESHOLD_MAX);
}

static int tvp_compare_bad(const char *flag, const char *what, const char *value)
{
    fprintf(stderr, "tvp-compare: %s: %s, got '%s' (see --help)\n", flag, what, value);
    return -EINVAL;
}

static int tvp_compare_number(const char *flag, const char *value, double lo, double hi,
                              bool lo_open, const char *what, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(value, &end);
    bool ok = end != value && *end == '\0' && errno == 0 && isfinite(v) &&
              (lo_open ? v > lo : v >= lo) && (lo_open ? v < hi : v <= hi);
    if (!ok)
        return tvp_compare_bad(flag, what, value);
    *out = v;
    return 0;
}

static int tvp_compare_metric(const char *value, cmp_metric *m)
{
    int rc = cmp_metric_parse(value, m);
    if (rc == -ENOENT)
        fprintf(stderr,
                "tvp-compare: --metric: unknown metric '%s': give its direction, e.g. "
                "--metric=%s:lower or --metric=%s:higher (known: %s)\n",
                value, value, value, cmp_metric_known_list());
    else if (rc < 0)
        tvp_compare_bad("--metric", "expected NAME or NAME:lower or NAME:higher (NAME of letters, "
                                    "digits, '_', '.', '-', at most 63)", value);
    return rc;
}

static int tvp_compare_filter(const char *value, tvp_compare_args *a)
{
    if (a->has_filter)
        regfree(&a->filter);
    a->has_filter = false;
    int rc = regcomp(&a->filter, value, REG_EXTENDED | REG_NOSUB);
    if (rc != 0) {
        char msg[128];
        regerror(rc, &a->filter, msg, sizeof msg);
        return tvp_compare_bad("--filter", msg, value);
    }
    a->has_filter = true;
    a->opts.filter = &a->filter;
    return 0;
}

/* One "--name=value" (or "--name value") option. *used is set when the next argument was taken. */
static int tvp_compare_option(const char *arg, const char *next, tvp_compare_args *a, bool *used)
{
    const char *eq = strchr(arg, '=');
    size_t len = eq ? (size_t)(eq - arg) : strlen(arg);
    static const char *const with_value[] = {"--metric", "--threshold", "--alpha", "--format",
                                             "--filter"};
    const char *name = NULL;
    for (size_t i = 0; i < sizeof with_value / sizeof with_value[0]; i++)
        if (strlen(with_value[i]) == len && strncmp(arg, with_value[i], len) == 0)
            name = with_value[i];
    if (!name) {
        static const char *const known[] = {"--metric", "--threshold", "--alpha", "--format", "--filter",
                                            "--strict", "--help", "--version"};
        if (strcmp(arg, "--strict") == 0) {
            a->opts.strict = true;
            return 0;
        }
        if (strncmp(arg, "--strict=", 9) == 0)
            fprintf(stderr, "tvp-compare: %s: takes no value (see tvp-compare --help)\n", arg);
        else
            toolcli_unknown("tvp-compare", arg, known, sizeof known / sizeof known[0], NULL);
        return -EINVAL;
    }
    const char *value = eq ? eq + 1 : next;
    if (!value) {
        fprintf(stderr, "tvp-compare: %s needs a value (see --help)\n", name);
        return -EINVAL;
    }
    *used = !eq;
    if (strcmp(name, "--metric") == 0)
        return tvp_compare_metric(value, &a->opts.metric);
    if (strcmp(name, "--threshold") == 0)
        return tvp_compare_number(name, value, 0.0, TVP_COMPARE_THRESHOLD_MAX, false,
                                  "expected a percentage in [0, 1000]", &a->opts.threshold_pct);
    if (strcmp(name, "--alpha") == 0)
        return tvp_compare_number(name, value, 0.0, 1.0, true, "expected a number in (0, 1)",
                                  &a->opts.alpha);
    if (strcmp(name, "--format") == 0) {
        if (cmp_output_parse(value, &a->format) < 0)
            return tvp_compare_bad(name, "expected table, markdown, csv or json", value);
        return 0;
    }
    return tvp_compare_filter(value, a);
}

/* 0 to run, 1 when help or version was printed, -EINVAL on a usage error (already reported). */
static int tvp_compare_parse(int argc, char **argv, tvp_compare_args *a)
{
    bool options_done = false;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (!options_done && (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0)) {
            tvp_compare_usage(stdout);
            return 1;
        }
        if (!options_done && strcmp(arg, "--version") == 0) {
            toolcli_print_version("tvp-compare");
            return 1;
        }
        if (!options_done && strcmp(arg, "--") == 0) {
            options_done = true;
        } else if (!options_done && arg[0] == '-' && arg[1] != '\0') {
            bool used = false;
            if (tvp_compare_option(arg, i + 1 < argc ? argv[i + 1] : NULL, a, &used) < 0)
                return -EINVAL;
            i += used;
        } else if (a->nfiles < 2) {
            a->files[a->nfiles++] = arg;
        } else {
            fprintf(stderr, "tvp-compare: unexpected argument '%s': give BASELINE and NEW only\n",
                    arg);
            return -EINVAL;
        }
    }
    if (a->nfiles != 2) {
        fprintf(stderr, "tvp-compare: expected two files, BASELINE and NEW (see --help)\n");
        return -EINVAL;
    }
    return 0;
}

static int tvp_compare_load(const char *path, const cmp_metric *m, cmp_set *s)
{
    cmp_error err = {{0}};
    int rc = cmp_read_file(path, m, s, &err);
    if (rc < 0)
        fprintf(stderr, "tvp-compare: %s\n",
                err.msg[0] ? err.msg : strerror(-rc));
    return rc;
}

static int tvp_compare_run(tvp_compare_args *a)
{
    cmp_set base, cand;
    cmp_set_init(&base);
    cmp_set_init(&cand);
    base.filter = cand.filter = a->opts.filter; /* rows left out are not read either */
    cmp_report report = {0};
    int status = TVP_COMPARE_EXIT_USAGE;
    if (tvp_compare_load(a->files[0], &a->opts.metric, &base) < 0 ||
        tvp_compare_load(a->files[1], &a->opts.metric, &cand) < 0)
        goto out;
    if (base.format != cand.format) {
        fprintf(stderr, "tvp-compare: %s is %s but %s is %s: compare files of one kind\n",
                base.name, base.format == CMP_INPUT_CSV ? "tvp CSV" : "Google Benchmark JSON",
                cand.name, cand.format == CMP_INPUT_CSV ? "tvp CSV" : "Google Benchmark JSON");
        goto out;
    }
    int rc = cmp_compare(&base, &cand, &a->opts, &report);
    if (rc < 0) {
        fprintf(stderr, "tvp-compare: comparison failed: %s\n", strerror(-rc));
        goto out;
    }
    cmp_print_ctx ctx = {base.name, cand.name, base.metric, &a->opts};
    rc = cmp_print(stdout, stderr, a->format, &report, &ctx);
    if (rc < 0) {
        fprintf(stderr, "tvp-compare: writing the report failed: %s\n", strerror(-rc));
        goto out;
    }
    status = report.fail ? TVP_COMPARE_EXIT_FAIL : TVP_COMPARE_EXIT_PASS;
out:
    cmp_report_free(&report);
    cmp_set_free(&base);
    cmp_set_free(&cand);
    return status;
}

int main(int argc, char **argv)
{
    tvp_compare_args a;
    memset(&a, 0, sizeof a);
    cmp_options_default(&a.opts);
    a.format = CMP_OUT_TABLE;
    int rc = tvp_compare_parse(argc, argv, &a);
    int status = rc == 0 ? tvp_compare_run(&a) : rc > 0 ? TVP_COMPARE_EXIT_PASS
                                                        : TVP_COMPARE_EXIT_USAGE;
    if (a.has_filter)
        regfree(&a.filter);
    return status;
}
