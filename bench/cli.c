/* cli.c: tvp-bench's --tvp_* flags: profiles, strict parsing, ranges in every error message. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "gbflags.h"
#include "netsvc.h"
#include "sched_bench.h"
#include "toolcli.h"

static const char *const profile_names[PROFILE_COUNT] = {"quick", "default", "full"};

const char *cli_profile_name(cli_profile p) { return (unsigned)p < PROFILE_COUNT ? profile_names[p] : "?"; }

static int fail(const char *flag, const char *value, const char *why)
{
    fprintf(stderr, "tvp-bench: --tvp_%s=%s: %s\n", flag, value, why);
    return -EINVAL;
}

/* Drops repeated values of a list of `size`-byte items, keeping the first of each (a
 * configuration runs once). */
static void dedupe(void *items, size_t *n, size_t size)
{
    unsigned char *v = items;
    size_t k = 0;
    for (size_t i = 0; i < *n; i++) {
        size_t j = 0;
        while (j < k && memcmp(v + j * size, v + i * size, size) != 0)
            j++;
        if (j == k)
            memmove(v + k++ * size, v + i * size, size);
    }
    *n = k;
}

/* Splits a comma list into at most CLI_MAX_LIST items in `buf`; empty items are an error. */
static int split(const char *s, char *buf, size_t len, char **items, size_t *n)
{
    if (strlen(s) >= len || !*s)
        return -EINVAL;
    strcpy(buf, s);
    *n = 0;
    for (char *save = NULL, *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        if (*n == CLI_MAX_LIST)
            return -E2BIG;
        items[(*n)++] = tok;
    }
    if (s[0] == ',' || s[strlen(s) - 1] == ',' || strstr(s, ",,"))
        return -EINVAL;
    return *n ? 0 : -EINVAL;
}

int cli_parse_workers(const char *s, uint32_t *out, size_t *n)
{
    char buf[512], *items[CLI_MAX_LIST];
    const char *dash = strchr(s, '-');
    if (dash && !strchr(s, ',')) {
        char lo_s[32];
        uint64_t lo, hi;
        size_t l = (size_t)(dash - s);
        if (l == 0 || l >= sizeof lo_s)
            return -EINVAL;
        memcpy(lo_s, s, l);
        lo_s[l] = '\0';
        if (toolcli_parse_u64(lo_s, 1, CLI_MAX_WORKERS, &lo) || toolcli_parse_u64(dash + 1, 1, CLI_MAX_WORKERS, &hi) || lo > hi)
            return -EINVAL;
        *n = 0;
        uint64_t p = 1;
        while (p < lo)
            p <<= 1;
        if (p != lo)
            out[(*n)++] = (uint32_t)lo;
        for (; p <= hi; p <<= 1)
            out[(*n)++] = (uint32_t)p;
        if (out[*n - 1] != hi)
            out[(*n)++] = (uint32_t)hi;
        return 0;
    }
    size_t k;
    if (split(s, buf, sizeof buf, items, &k) < 0)
        return -EINVAL;
    for (size_t i = 0; i < k; i++) {
        uint64_t v;
        if (toolcli_parse_u64(items[i], 1, CLI_MAX_WORKERS, &v) < 0)
            return -EINVAL;
        out[i] = (uint32_t)v;
    }
    *n = k;
    dedupe(out, n, sizeof *out);
    return 0;
}

/* A comma list of names, each in `names` (count n); sets on[i]. Lists the valid names on error. */
static int parse_names(const char *flag, const char *s, const char *const *names, size_t n, bool *on)
{
    char buf[512], *items[CLI_MAX_LIST], why[512];
    size_t k;
    int off = snprintf(why, sizeof why, "expected a comma list of:");
    for (size_t i = 0; i < n && off < (int)sizeof why; i++)
        off += snprintf(why + off, sizeof why - (size_t)off, " %s", names[i]);
    if (split(s, buf, sizeof buf, items, &k) < 0)
        return fail(flag, s, why);
    bool tmp[WL_MAX_WORKLOADS] = {false}; /* n: workloads (checked at start) or an enum's values */
    if (n > WL_MAX_WORKLOADS)
        return fail(flag, s, "too many names");
    for (size_t i = 0; i < k; i++) {
        size_t j = 0;
        while (j < n && strcmp(items[i], names[j]) != 0)
            j++;
        if (j == n) {
            char msg[600];
            snprintf(msg, sizeof msg, "unknown name '%s'; %s", items[i], why);
            return fail(flag, s, msg);
        }
        tmp[j] = true;
    }
    memcpy(on, tmp, n * sizeof *on);
    return 0;
}

/* ---- parameters declared by workloads ---- */

static cli_param *param_slot(cli_opts *o, const char *name)
{
    for (size_t i = 0; i < o->n_params; i++)
        if (strcmp(o->params[i].name, name) == 0)
            return &o->params[i];
    return NULL;
}

const cli_param *cli_param_find(const cli_opts *o, const char *name)
{
    return param_slot((cli_opts *)o, name);
}

static void collect_params(cli_opts *o)
{
    for (size_t w = 0; w < workload_count(); w++) {
        const workload *wl = workload_at(w);
        for (size_t i = 0; i < wl->n_params; i++) {
            const wl_param *sp = &wl->params[i];
            if (param_slot(o, sp->name) || o->n_params == CLI_MAX_PARAMS)
                continue;
            cli_param *cp = &o->params[o->n_params++];
            cp->name = sp->name;
            cp->spec = sp;
        }
    }
}

/* The range every workload declaring parameter `name` accepts (the intersection). */
static void param_range(const char *name, int64_t *min, int64_t *max)
{
    for (size_t w = 0; w < workload_count(); w++) {
        const workload *wl = workload_at(w);
        int i = workload_param_index(wl, name);
        if (i < 0 || wl->params[i].type != WL_PARAM_INT)
            continue;
        if (wl->params[i].min > *min)
            *min = wl->params[i].min;
        if (wl->params[i].max < *max)
            *max = wl->params[i].max;
    }
}

static int parse_param(cli_param *cp, const char *s)
{
    char buf[512], *items[CLI_MAX_LIST], why[512];
    size_t k;
    const wl_param *sp = cp->spec;
    int64_t lo = sp->min, hi = sp->max;
    if (sp->type == WL_PARAM_INT) {
        param_range(cp->name, &lo, &hi);
        snprintf(why, sizeof why, "expected a comma list of integers in %lld..%lld (%s)", (long long)lo,
                 (long long)hi, sp->help);
    } else {
        int off = snprintf(why, sizeof why, "expected a comma list of:");
        for (size_t i = 0; sp->choices[i]; i++)
            off += snprintf(why + off, sizeof why - (size_t)off, " %s", sp->choices[i]);
    }
    if (split(s, buf, sizeof buf, items, &k) < 0)
        return fail(cp->name, s, why);
    for (size_t i = 0; i < k; i++) {
        if (sp->type == WL_PARAM_INT) {
            uint64_t v;
            if (toolcli_parse_u64(items[i], (uint64_t)lo, (uint64_t)hi, &v) < 0)
                return fail(cp->name, s, why);
            cp->v[i] = (int64_t)v;
        } else {
            size_t j = 0;
            while (sp->choices[j] && strcmp(sp->choices[j], items[i]) != 0)
                j++;
            if (!sp->choices[j])
                return fail(cp->name, s, why);
            cp->v[i] = (int64_t)j;
        }
    }
    cp->n = k;
    dedupe(cp->v, &cp->n, sizeof cp->v[0]);
    cp->user_set = true;
    return 0;
}

const int64_t *cli_param_values(const cli_opts *o, const workload *w, size_t i, size_t *n)
{
    const cli_param *cp = cli_param_find(o, w->params[i].name);
    if (cp && cp->user_set) {
        *n = cp->n;
        return cp->v;
    }
    for (size_t k = 0; k < o->n_defaults; k++) {
        const cli_default *d = &o->defaults[k];
        if (strcmp(d->workload, w->name) == 0 && strcmp(d->param, w->params[i].name) == 0) {
            *n = d->n;
            return d->v;
        }
    }
    *n = 1;
    return &w->params[i].def;
}

/* ---- profiles ---- */

static void set_param_default(cli_opts *o, const char *wl, const char *name, const int64_t *v, size_t n)
{
    if (o->n_defaults == sizeof o->defaults / sizeof o->defaults[0] || n > 4)
        return;
    cli_default *d = &o->defaults[o->n_defaults++];
    d->workload = wl;
    d->param = name;
    d->n = n;
    memcpy(d->v, v, n * sizeof *v);
}

static void apply_profile(cli_opts *o, cli_profile p)
{
    static const uint32_t quick_w[] = {2, 8}, default_w[] = {1, 2, 4, 8, 16},
                          full_w[] = {1, 2, 4, 8, 16, 32, 64};
    o->profile = p;
    for (size_t i = 0; i < workload_count(); i++)
        o->workload_on[i] = true;
    for (int i = 0; i < EXEC_COUNT; i++)
        o->exec_on[i] = true;
    for (int i = 0; i < SPAWN_COUNT; i++)
        o->spawn_on[i] = true;
    memset(o->pin_on, 0, sizeof o->pin_on);
    o->pin_on[PIN_NONE] = true;
    memset(o->gil_on, 0, sizeof o->gil_on);
    o->gil_on[GIL_OFF] = true;
    o->gil_on[GIL_ON] = true;
    o->n_switch_us = 1;
    o->switch_us[0] = GIL_DEFAULT_SWITCH_US;
    o->check_ticks = GIL_DEFAULT_CHECK_TICKS;
    switch (p) {
    case PROFILE_QUICK:
        memcpy(o->workers, quick_w, sizeof quick_w);
        o->n_workers = 2;
        o->repetitions = 1;
        o->min_time = 0.1;
        o->interleave = false;
        set_param_default(o, "sleep", "sleep_us", (const int64_t[]){2000}, 1);
        set_param_default(o, "hash", "bytes", (const int64_t[]){262144}, 1);
        set_param_default(o, "hash", "chunk", (const int64_t[]){262144}, 1);
        set_param_default(o, "convoy", "probes", (const int64_t[]){20}, 1);
        break;
    case PROFILE_DEFAULT:
        memcpy(o->workers, default_w, sizeof default_w);
        o->n_workers = 5;
        o->repetitions = 3;
        o->min_time = 0.2;
        o->interleave = true;
        /* The convoy alone at three switch intervals (16 cheap rows instead of 8): the GIL's
         * headline effect, without tripling every other gil=on configuration. */
        set_param_default(o, "convoy", "switch_us", (const int64_t[]){5000, 1000, 100}, 3);
        break;
    default:
        memcpy(o->workers, full_w, sizeof full_w);
        o->n_workers = 7;
        o->repetitions = 5;
        o->min_time = 0.5;
        o->interleave = true;
        for (int i = 0; i < PIN_POLICY_COUNT; i++)
            o->pin_on[i] = true;
        memcpy(o->switch_us, (const uint32_t[]){5000, 1000, 100}, 3 * sizeof(uint32_t));
        o->n_switch_us = 3;
        set_param_default(o, "sleep", "sleep_us", (const int64_t[]){1000, 10000}, 2);
        set_param_default(o, "hash", "chunk", (const int64_t[]){2047, 1048576}, 2);
        break;
    }
}

/* ---- the flags ---- */

/* ---- --help: every default printed from the profiles themselves ---- */

#define CLI_TEXT 512
#define CLI_HELP_COL 37  /* where a flag's text starts */
#define CLI_HELP_WIDTH 100
typedef char profile_text[PROFILE_COUNT][CLI_TEXT];

/* "  FLAG   text", the text wrapped at word boundaries before CLI_HELP_WIDTH. */
__attribute__((format(printf, 3, 4))) static void help_line(FILE *f, const char *flag, const char *fmt, ...)
{
    char text[2 * CLI_TEXT];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    int indent = CLI_HELP_COL - 1, col = indent; /* each word is printed after a space */
    if (fprintf(f, "  %-*s", indent - 2, flag) > indent)
        fprintf(f, "\n%*s", indent, "");
    for (const char *p = text; *p;) {
        int w = (int)strcspn(p, " ");
        if (col > indent && col + 1 + w > CLI_HELP_WIDTH)
            col = fprintf(f, "\n%*s", indent, "") - 1;
        col += fprintf(f, " %.*s", w, p);
        for (p += w; *p == ' '; p++)
            ;
    }
    fputc('\n', f);
}

/* Appends to a CLI_TEXT buffer, never past its end. */
__attribute__((format(printf, 2, 3))) static void add(char *buf, const char *fmt, ...)
{
    size_t off = strlen(buf);
    va_list ap;
    va_start(ap, fmt);
    if (off < CLI_TEXT)
        vsnprintf(buf + off, CLI_TEXT - off, fmt, ap);
    va_end(ap);
}

/* The names whose on[] is set, comma-separated, or "all". */
static void on_text(char *buf, const bool *on, const char *const *names, size_t n)
{
    size_t k = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < n; i++)
        if (on[i])
            add(buf, "%s%s", k++ ? "," : "", names[i]);
    if (k == n)
        snprintf(buf, CLI_TEXT, "all");
}

/* "A,B,C" of n counts. */
static void u32_text(char *buf, const uint32_t *v, size_t n)
{
    buf[0] = '\0';
    for (size_t i = 0; i < n; i++)
        add(buf, "%s%u", i ? "," : "", v[i]);
}

/* "default X; quick Y; full Z" into out (CLI_TEXT bytes), which it returns: the default profile's
 * value, then each other profile's where it differs. */
static const char *by_profile(char *out, profile_text t)
{
    snprintf(out, CLI_TEXT, "default %s", t[PROFILE_DEFAULT]);
    for (int p = 0; p < PROFILE_COUNT; p++)
        if (p != PROFILE_DEFAULT && strcmp(t[p], t[PROFILE_DEFAULT]) != 0)
            add(out, "; %s %s", profile_names[p], t[p]);
    return out;
}

/* One --tvp_<param> flag: its range (what every workload declaring it accepts), then each
 * workload's meaning and values under each profile. */
static void print_param(FILE *f, const cli_opts *prof, const wl_param *sp)
{
    char flag[64], text[2 * CLI_TEXT] = "", by[CLI_TEXT];
    snprintf(flag, sizeof flag, "--tvp_%s=LIST", sp->name);
    int64_t lo = sp->min, hi = sp->max;
    param_range(sp->name, &lo, &hi);
    if (sp->type == WL_PARAM_INT)
        add(text, "%lld..%lld", (long long)lo, (long long)hi);
    else
        for (size_t j = 0; sp->choices[j]; j++)
            add(text, "%s%s", j ? " " : "of: ", sp->choices[j]);
    size_t n_decl = 0;
    for (size_t w = 0; w < workload_count(); w++)
        n_decl += workload_param_index(workload_at(w), sp->name) >= 0;
    for (size_t w = 0; w < workload_count(); w++) {
        const workload *wl = workload_at(w);
        int i = workload_param_index(wl, sp->name);
        if (i < 0)
            continue;
        profile_text t;
        for (int p = 0; p < PROFILE_COUNT; p++) {
            size_t n;
            const int64_t *v = cli_param_values(&prof[p], wl, (size_t)i, &n);
            t[p][0] = '\0';
            for (size_t k = 0; k < n; k++) {
                if (wl->params[i].type == WL_PARAM_INT)
                    add(t[p], "%s%lld", k ? "," : "", (long long)v[k]);
                else
                    add(t[p], "%s%s", k ? "," : "", wl->params[i].choices[v[k]]);
            }
        }
        add(text, n_decl > 1 ? "; %s: %s (%s)" : ": %s%s (%s)", n_decl > 1 ? wl->name : "",
            wl->params[i].help, by_profile(by, t));
    }
    help_line(f, flag, "%s", text);
}

void cli_usage(FILE *f)
{
    cli_opts prof[PROFILE_COUNT];
    profile_text t;
    char by[CLI_TEXT];
    const char *wl_names[WL_MAX_WORKLOADS], *ex_names[EXEC_COUNT], *sp_names[SPAWN_COUNT],
        *pin_names[PIN_POLICY_COUNT], *gil_names[GIL_MODE_COUNT];
    size_t n_wl = workload_count() < WL_MAX_WORKLOADS ? workload_count() : WL_MAX_WORKLOADS;
    for (size_t i = 0; i < n_wl; i++)
        wl_names[i] = workload_at(i)->name;
    for (int i = 0; i < EXEC_COUNT; i++)
        ex_names[i] = pool_executor_name((pool_executor)i);
    for (int i = 0; i < SPAWN_COUNT; i++)
        sp_names[i] = pool_spawn_name((pool_spawn)i);
    for (int i = 0; i < PIN_POLICY_COUNT; i++)
        pin_names[i] = pin_policy_name((pin_policy)i);
    for (int i = 0; i < GIL_MODE_COUNT; i++)
        gil_names[i] = gil_mode_name((gil_mode)i);
    for (int p = 0; p < PROFILE_COUNT; p++) {
        memset(&prof[p], 0, sizeof prof[p]);
        collect_params(&prof[p]);
        apply_profile(&prof[p], (cli_profile)p);
    }
    /* The enum lists, each "of: NAMES (default ...)" from the profiles. */
    const struct {
        const char *flag, *const *names, *more;
        size_t n, field;
    } lists[] = {
        {"--tvp_workloads=LIST", wl_names, "", n_wl, offsetof(cli_opts, workload_on)},
        {"--tvp_executors=LIST", ex_names, "", EXEC_COUNT, offsetof(cli_opts, exec_on)},
        {"--tvp_spawn=LIST", sp_names, "", SPAWN_COUNT, offsetof(cli_opts, spawn_on)},
        {"--tvp_pin=LIST", pin_names, "", PIN_POLICY_COUNT, offsetof(cli_opts, pin_on)},
        {"--tvp_gil=LIST", gil_names, ": an emulated Python GIL: off is free threading, on is CPython 3.2+'s, "
         "legacy the pre-3.2 one", GIL_MODE_COUNT, offsetof(cli_opts, gil_on)},
    };

    fprintf(f, "usage: tvp-bench [--tvp_* flags] [Google Benchmark flags]\n"
               "       tvp-bench --help | --version\n\n"
               "Runs workloads under a thread pool, a forked process pool and serially, and writes\n"
               "results/<stamp>-<host>.{csv,summary.csv,json,meta.json} and results/latest.*.\n\n"
               "tvp flags (LIST: a comma list, each value run once; the profile sets the defaults shown,\n"
               "explicit flags win):\n");
    help_line(f, "--tvp_profile=quick|default|full", "quick: ~1 min on 2 CPUs; default (when not given): a few "
              "minutes; full: the long sweep, an hour or more");
    for (size_t k = 0; k < sizeof lists / sizeof lists[0]; k++) {
        char names[CLI_TEXT] = "";
        for (size_t i = 0; i < lists[k].n; i++)
            add(names, "%s%s", i ? " " : "", lists[k].names[i]);
        for (int p = 0; p < PROFILE_COUNT; p++)
            on_text(t[p], (const bool *)((const char *)&prof[p] + lists[k].field), lists[k].names, lists[k].n);
        help_line(f, lists[k].flag, "of: %s%s (%s)", names, lists[k].more, by_profile(by, t));
    }
    for (int p = 0; p < PROFILE_COUNT; p++)
        u32_text(t[p], prof[p].workers, prof[p].n_workers);
    help_line(f, "--tvp_workers=LIST|A-B", "1..%d; A-B is A, the powers of two between, and B (1-16: 1,2,4,8,16; "
              "3-20: 3,4,8,16,20; 3-5: 3,4,5) (%s)", CLI_MAX_WORKERS, by_profile(by, t));
    for (int p = 0; p < PROFILE_COUNT; p++) {
        u32_text(t[p], prof[p].switch_us, prof[p].n_switch_us);
        for (size_t i = 0; i < prof[p].n_defaults; i++) {
            const cli_default *d = &prof[p].defaults[i];
            if (strcmp(d->param, "switch_us") != 0)
                continue;
            add(t[p], ", %s ", d->workload);
            for (size_t j = 0; j < d->n; j++)
                add(t[p], "%s%lld", j ? "," : "", (long long)d->v[j]);
        }
    }
    help_line(f, "--tvp_switch_us=LIST", "gil=on switch interval, 1..1000000 (%s)", by_profile(by, t));
    help_line(f, "--tvp_check_ticks=N", "gil=legacy polls between releases, 1..1000000 (default %d)",
              GIL_DEFAULT_CHECK_TICKS);
    help_line(f, "--tvp_tasks=N", "tasks per batch, 1..%d (default: per workload)", CLI_MAX_TASKS);
    help_line(f, "--tvp_timer_slack_ns=N", "timer slack of every worker, 1..1000000 (default 1)");
    help_line(f, "--tvp_task_timeout=MS", "a task running longer fails, 1..86400000 (default 60000); its process "
              "worker is terminated and replaced; a hung thread worker cannot be killed, so the run stops");
    help_line(f, "--tvp_net_target=HOST:PORT", "send the net workload's requests to a tvp-delayd there (default: "
              "an embedded server on 127.0.0.1)");
    help_line(f, "--tvp_out=DIR", "results directory (default results)");
    char groups[128];
    help_line(f, "--tvp_sched=LIST", "scheduler microbenchmarks, of: %s, or all, or none (default all; none "
              "when --tvp_workloads is given; dispatch is the floor noop is measured against)",
              sched_group_list(groups, sizeof groups));
    help_line(f, "--tvp_list", "print the configuration names (those --benchmark_filter keeps) and exit");
    help_line(f, "--tvp_quiet", "no progress on stderr (runs done, elapsed, an estimate of the time left: in place "
              "on a terminal, else a line at the first run and every 10 s)");
    help_line(f, "--version", "print the version and the git commit it was built from, and exit");
    help_line(f, "-h, --help", "this text");
    fprintf(f, "\nworkload parameters (LIST; each is also the CSV column of the same name):\n");
    for (size_t i = 0; i < prof[PROFILE_DEFAULT].n_params; i++)
        print_param(f, prof, prof[PROFILE_DEFAULT].params[i].spec);
    fprintf(f, "\nworkloads:\n");
    for (size_t i = 0; i < workload_count(); i++)
        fprintf(f, "  %-10s %s\n", workload_at(i)->name, workload_at(i)->description);
    fprintf(f, "\nGoogle Benchmark flags, validated like tvp's (tvp owns repetitions, their order, the filter\n"
               "and the JSON; Google Benchmark times each single run):\n");
    help_line(f, "--benchmark_filter=REGEX", "configurations whose name matches (POSIX ERE; -REGEX negates; all "
              "matches every one)");
    for (int p = 0; p < PROFILE_COUNT; p++)
        snprintf(t[p], CLI_TEXT, "%d", prof[p].repetitions);
    help_line(f, "--benchmark_repetitions=N", "1..%d (%s)", GBFLAGS_MAX_REPETITIONS, by_profile(by, t));
    for (int p = 0; p < PROFILE_COUNT; p++)
        snprintf(t[p], CLI_TEXT, "%g", prof[p].min_time);
    help_line(f, "--benchmark_min_time=SECONDS", "per repetition, 0.001..3600, as 0.5 or 0.5s (%s)",
              by_profile(by, t));
    for (int p = 0; p < PROFILE_COUNT; p++)
        snprintf(t[p], CLI_TEXT, "%s", prof[p].interleave ? "true" : "false");
    help_line(f, "--benchmark_enable_random_interleaving[=BOOL]", "run the (configuration, repetition) pairs in "
              "a seeded random order (%s)", by_profile(by, t));
    help_line(f, "--benchmark_out=FILE", "also write the run's JSON there (--benchmark_out_format=json)");
    help_line(f, "--benchmark_report_aggregates_only[=BOOL]", "the JSON keeps only mean/median/stddev/cv "
              "(default false)");
    help_line(f, "--benchmark_list_tests[=BOOL]", "same as --tvp_list");
    help_line(f, "--benchmark_context=KEY=VALUE[,...]", "passed on: in the console header and the JSON's "
              "context");
    fprintf(f, "  --benchmark_format, _color, _counters_tabular, _time_unit, _min_warmup_time,\n"
               "  _display_aggregates_only, _perf_counters, --v: passed on, for the console only\n"
               "BOOL: true/false, yes/no, on/off, 1/0, t/f, y/n; a bare flag is true.\n"
               "Names: <workload>/<executor>/<spawn>/gil:<g>/workers:<n>/pin:<p>[/<param>:<v>...]\n");
}

static bool starts(const char *arg, const char *prefix) { return strncmp(arg, prefix, strlen(prefix)) == 0; }

/* A comma list of an enum's names, the names from the module's own name function (so an added
 * value is one more name, never a read past a fixed array). */
#define PARSE_ENUM(key, val, name_fn, type, count, on)                                                               \
    do {                                                                                                             \
        const char *names_[count];                                                                                   \
        for (int i_ = 0; i_ < (count); i_++)                                                                         \
            names_[i_] = name_fn((type)i_);                                                                          \
        return parse_names(key, val, names_, (count), on);                                                           \
    } while (0)

static int parse_one(cli_opts *o, const char *key, const char *val)
{
    uint64_t v;
    if (strcmp(key, "sched") == 0) {
        o->user_sched = true;
        char groups[128], want[192];
        snprintf(want, sizeof want, "expected a comma list of: %s, or all, or none", sched_group_list(groups, sizeof groups));
        if (sched_group_parse(val, o->sched_on) < 0)
            return fail(key, val, want);
        return 0;
    }
    if (strcmp(key, "workloads") == 0) {
        o->user_workloads = true;
        const char *names[WL_MAX_WORKLOADS];
        size_t n = workload_count();
        for (size_t i = 0; i < n; i++)
            names[i] = workload_at(i)->name;
        return parse_names(key, val, names, n, o->workload_on);
    }
    if (strcmp(key, "executors") == 0)
        PARSE_ENUM(key, val, pool_executor_name, pool_executor, EXEC_COUNT, o->exec_on);
    if (strcmp(key, "spawn") == 0)
        PARSE_ENUM(key, val, pool_spawn_name, pool_spawn, SPAWN_COUNT, o->spawn_on);
    if (strcmp(key, "pin") == 0)
        PARSE_ENUM(key, val, pin_policy_name, pin_policy, PIN_POLICY_COUNT, o->pin_on);
    if (strcmp(key, "workers") == 0) {
        char why[128];
        snprintf(why, sizeof why, "expected a comma list of counts in 1..%d, or A-B (A, the powers of two between, B)",
                 CLI_MAX_WORKERS);
        return cli_parse_workers(val, o->workers, &o->n_workers) == 0 ? 0 : fail(key, val, why);
    }
    if (strcmp(key, "tasks") == 0) {
        char why[64];
        snprintf(why, sizeof why, "expected an integer in 1..%d", CLI_MAX_TASKS);
        if (toolcli_parse_u64(val, 1, CLI_MAX_TASKS, &v) < 0)
            return fail(key, val, why);
        o->tasks = (uint32_t)v;
        return 0;
    }
    if (strcmp(key, "timer_slack_ns") == 0) {
        if (toolcli_parse_u64(val, 1, 1000000, &v) < 0)
            return fail(key, val, "expected an integer in 1..1000000 (nanoseconds)");
        o->timer_slack_ns = v;
        return 0;
    }
    if (strcmp(key, "gil") == 0)
        PARSE_ENUM(key, val, gil_mode_name, gil_mode, GIL_MODE_COUNT, o->gil_on);
    if (strcmp(key, "switch_us") == 0) {
        char buf[512], *items[CLI_MAX_LIST];
        size_t k;
        const char *why = "expected a comma list of microseconds in 1..1000000 (sys.setswitchinterval)";
        if (split(val, buf, sizeof buf, items, &k) < 0)
            return fail(key, val, why);
        for (size_t i = 0; i < k; i++) {
            if (toolcli_parse_u64(items[i], 1, 1000000, &v) < 0)
                return fail(key, val, why);
            o->switch_us[i] = (uint32_t)v;
        }
        o->n_switch_us = k;
        dedupe(o->switch_us, &o->n_switch_us, sizeof o->switch_us[0]);
        /* The user's list applies to every workload: drop the profile's per-workload lists. */
        size_t kept = 0;
        for (size_t i = 0; i < o->n_defaults; i++)
            if (strcmp(o->defaults[i].param, "switch_us") != 0)
                o->defaults[kept++] = o->defaults[i];
        o->n_defaults = kept;
        return 0;
    }
    if (strcmp(key, "check_ticks") == 0) {
        if (toolcli_parse_u64(val, 1, 1000000, &v) < 0)
            return fail(key, val, "expected an integer in 1..1000000 (sys.setcheckinterval)");
        o->check_ticks = (uint32_t)v;
        return 0;
    }
    if (strcmp(key, "net_target") == 0) {
        o->net_target = val;
        if (netsvc_set_target(val) < 0)
            return fail(key, val, "expected HOST:PORT (port 1..65535, host a name or address, [v6]:PORT)");
        return 0;
    }
    if (strcmp(key, "task_timeout") == 0) {
        if (toolcli_parse_u64(val, 1, 86400000, &v) < 0)
            return fail(key, val, "expected milliseconds in 1..86400000");
        o->task_timeout_ms = (uint32_t)v;
        return 0;
    }
    if (strcmp(key, "out") == 0) {
        if (!*val)
            return fail(key, val, "expected a directory path");
        if (strlen(val) > CLI_MAX_OUT_DIR) {
            char why[96];
            snprintf(why, sizeof why, "path too long (%zu bytes; at most %d)", strlen(val), CLI_MAX_OUT_DIR);
            return fail(key, "...", why);
        }
        o->out_dir = val;
        return 0;
    }
    cli_param *cp = param_slot(o, key);
    if (cp)
        return parse_param(cp, val);
    return -ENOENT; /* the caller names it with a suggestion */
}

/* tvp's own flags besides the workloads' parameters (--help lists each; a test checks both ways). */
static const char *const tvp_flags[] = {
    "--tvp_profile", "--tvp_workloads", "--tvp_executors", "--tvp_spawn", "--tvp_workers", "--tvp_pin", "--tvp_gil",
    "--tvp_switch_us", "--tvp_check_ticks", "--tvp_tasks", "--tvp_timer_slack_ns", "--tvp_task_timeout",
    "--tvp_net_target", "--tvp_out", "--tvp_sched", "--tvp_list", "--tvp_quiet"};

size_t cli_known_flags(const char **out, size_t cap)
{
    static char param_flags[CLI_MAX_PARAMS][64];
    size_t n = 0, n_param = 0, n_gb;
    const char *const *gb = gbflags_known(&n_gb);
    for (size_t i = 0; i < 2 && n < cap; i++)
        out[n++] = i ? "--version" : "--help";
    for (size_t i = 0; i < sizeof tvp_flags / sizeof tvp_flags[0] && n < cap; i++)
        out[n++] = tvp_flags[i];
    for (size_t w = 0; w < workload_count(); w++) {
        const workload *wl = workload_at(w);
        for (size_t i = 0; i < wl->n_params && n < cap && n_param < CLI_MAX_PARAMS; i++) {
            char *f = param_flags[n_param];
            snprintf(f, sizeof param_flags[0], "--tvp_%s", wl->params[i].name);
            size_t j = 0;
            while (j < n && strcmp(out[j], f) != 0)
                j++;
            if (j == n) {
                out[n++] = f;
                n_param++;
            }
        }
    }
    for (size_t i = 0; i < n_gb && n < cap; i++)
        out[n++] = gb[i];
    return n;
}

/* "tvp-bench: unknown flag 'ARG'; did you mean --X? ..." (or "unexpected argument"). -EINVAL. */
static int unknown_arg(const char *arg)
{
    const char *known[CLI_MAX_KNOWN];
    toolcli_unknown("tvp-bench", arg, known, cli_known_flags(known, CLI_MAX_KNOWN),
                    arg[0] == '-' ? NULL
                                  : "flags are --tvp_NAME=VALUE or --benchmark_NAME=VALUE; see tvp-bench --help");
    return -EINVAL;
}

int cli_parse(int *argc, char **argv, cli_opts *o)
{
    memset(o, 0, sizeof *o);
    collect_params(o);
    o->out_dir = "results";
    o->timer_slack_ns = 1;
    o->task_timeout_ms = 60000;
    cli_profile prof = PROFILE_DEFAULT;

    /* The profile first: it sets the defaults the other flags override. */
    for (int i = 1; i < *argc; i++) {
        if (!starts(argv[i], "--tvp_profile") || (argv[i][13] != '=' && argv[i][13] != '\0'))
            continue;
        const char *eq = strchr(argv[i], '=');
        size_t p = 0;
        while (eq && p < PROFILE_COUNT && strcmp(eq + 1, profile_names[p]) != 0)
            p++;
        if (!eq || p == PROFILE_COUNT)
            return fail("profile", eq ? eq + 1 : "", "expected one of: quick default full");
        prof = (cli_profile)p;
    }
    apply_profile(o, prof);

    int out = 1;
    for (int i = 1; i < *argc; i++) {
        char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            cli_usage(stdout);
            return 1;
        }
        if (strcmp(a, "--version") == 0) {
            toolcli_print_version("tvp-bench");
            return 1;
        }
        if (starts(a, "--benchmark_") || strcmp(a, "--v") == 0 || starts(a, "--v=")) {
            bool pass;
            int rc = gbflags_parse(a, &o->gb, &pass);
            if (rc == -ENOENT)
                return unknown_arg(a);
            if (rc < 0)
                return -EINVAL;
            if (pass)
                argv[out++] = a;
            continue;
        }
        if (!starts(a, "--tvp_"))
            return unknown_arg(a);
        bool list = starts(a, "--tvp_list");
        if (strcmp(a, "--tvp_list") == 0 || strcmp(a, "--tvp_quiet") == 0) {
            *(list ? &o->list_only : &o->quiet) = true;
            continue;
        }
        if (starts(a, "--tvp_list=") || starts(a, "--tvp_quiet=")) {
            fprintf(stderr, "tvp-bench: %s: takes no value (%s)\n", a, list ? "--tvp_list prints the "
                    "configuration names and exits" : "--tvp_quiet turns the progress display off");
            return -EINVAL;
        }
        char key[64];
        const char *eq = strchr(a, '=');
        size_t klen = eq ? (size_t)(eq - a) - 6 : strlen(a) - 6;
        if (klen == 0 || klen >= sizeof key)
            return unknown_arg(a);
        memcpy(key, a + 6, klen);
        key[klen] = '\0';
        if (strcmp(key, "profile") == 0)
            continue;
        bool known = param_slot(o, key) != NULL;
        for (size_t j = 0; j < sizeof tvp_flags / sizeof tvp_flags[0] && !known; j++)
            known = strcmp(tvp_flags[j] + 6, key) == 0;
        if (!known)
            return unknown_arg(a);
        if (!eq) {
            fprintf(stderr, "tvp-bench: %s: needs a value, as %s=VALUE (see tvp-bench --help)\n", a, a);
            return -EINVAL;
        }
        int rc = parse_one(o, key, eq + 1);
        if (rc == -ENOENT) /* in tvp_flags but not parsed: a bug the tests catch */
            return unknown_arg(a);
        if (rc < 0)
            return -EINVAL;
    }
    argv[out] = NULL;
    *argc = out;
    /* tvp owns repetitions, interleaving and the minimum time: the flags override the profile. */
    if (o->gb.user_repetitions)
        o->repetitions = o->gb.repetitions;
    if (o->gb.user_min_time)
        o->min_time = o->gb.min_time;
    if (o->gb.user_interleave)
        o->interleave = o->gb.interleave;
    o->list_only |= o->gb.list;
    /* Scheduler microbenchmarks: the profile's, unless asked, or unless workloads were picked. */
    if (!o->user_sched) {
        sched_group_defaults(o->profile, o->sched_on);
        if (o->user_workloads)
            memset(o->sched_on, 0, sizeof o->sched_on);
    }

    bool any = false;
    for (size_t i = 0; i < workload_count(); i++)
        any |= o->workload_on[i];
    if (!any)
        return fail("workloads", "", "no workload selected");
    return 0;
}
