/* cli.c: tvp-bench's --tvp_* flags: profiles, strict parsing, ranges in every error message. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "gbflags.h"
#include "netsvc.h"
#include "sched_bench.h"

static const char *const profile_names[PROFILE_COUNT] = {"quick", "default", "full"};

const char *cli_profile_name(cli_profile p) { return (unsigned)p < PROFILE_COUNT ? profile_names[p] : "?"; }

static int fail(const char *flag, const char *value, const char *why)
{
    fprintf(stderr, "tvp-bench: --tvp_%s=%s: %s\n", flag, value, why);
    return -EINVAL;
}

int cli_parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
    if (!s || !*s || *s == '-' || *s == '+' || *s == ' ')
        return -EINVAL;
    for (const char *p = s; *p; p++)
        if (*p < '0' || *p > '9')
            return -EINVAL;
    errno = 0;
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end || v < min || v > max)
        return -EINVAL;
    *out = v;
    return 0;
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
        if (cli_parse_u64(lo_s, 1, CLI_MAX_WORKERS, &lo) || cli_parse_u64(dash + 1, 1, CLI_MAX_WORKERS, &hi) || lo > hi)
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
        if (cli_parse_u64(items[i], 1, CLI_MAX_WORKERS, &v) < 0)
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
            if (cli_parse_u64(items[i], (uint64_t)lo, (uint64_t)hi, &v) < 0)
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

void cli_usage(FILE *f)
{
    fprintf(f,
            "usage: tvp-bench [--tvp_* flags] [Google Benchmark flags]\n"
            "\n"
            "Runs workloads under a thread pool, a forked process pool and serially, and writes\n"
            "results/<stamp>-<host>.{csv,json,meta.json} and results/latest.*.\n"
            "\n"
            "tvp flags (comma lists where plural; a profile sets defaults, explicit flags win):\n"
            "  --tvp_profile=quick|default|full   quick: ~1 min on 2 CPUs; full: the long sweep\n"
            "  --tvp_workloads=LIST               of:");
    for (size_t i = 0; i < workload_count(); i++)
        fprintf(f, " %s", workload_at(i)->name);
    fprintf(f,
            "\n"
            "  --tvp_executors=LIST               of: serial threads processes\n"
            "  --tvp_spawn=LIST                   of: pool per-task\n"
            "  --tvp_workers=LIST|A-B             1..%d; A-B is the powers of two from A to B\n"
            "  --tvp_pin=LIST                     of: none compact scatter core\n"
            "  --tvp_gil=LIST                     of: off on legacy (an emulated Python GIL: off is\n"
            "                                     free threading, on is CPython 3.2+, legacy pre-3.2)\n"
            "  --tvp_switch_us=LIST               gil=on switch interval, 1..1000000 (default 5000)\n"
            "  --tvp_check_ticks=N                gil=legacy polls between releases, 1..1000000 (default 100)\n"
            "  --tvp_tasks=N                      tasks per batch, 1..%d (default: per workload)\n"
            "  --tvp_timer_slack_ns=N             timer slack of every worker, 1..1000000 (default 1)\n"
            "  --tvp_task_timeout=MS              a task running longer fails, 1..86400000 (default 60000);\n"
            "                                     its process worker is terminated and replaced; a hung\n"
            "                                     thread worker cannot be killed, so the run stops\n"
            "  --tvp_net_target=HOST:PORT         send the net workload's requests to a tvp-delayd there\n"
            "                                     (default: an embedded server on 127.0.0.1)\n"
            "  --tvp_out=DIR                      results directory (default results)\n"
            "  --tvp_sched=LIST                   scheduler microbenchmarks, of: spawn pingpong wakeup\n"
            "                                     (or all, none; default all, none when --tvp_workloads is given)\n"
            "  --tvp_list                         print the benchmark names and exit\n"
            "workload parameters (CSV columns of the same name):\n",
            CLI_MAX_WORKERS, CLI_MAX_TASKS);
    cli_opts tmp;
    memset(&tmp, 0, sizeof tmp);
    collect_params(&tmp);
    for (size_t i = 0; i < tmp.n_params; i++) {
        const wl_param *sp = tmp.params[i].spec;
        if (sp->type == WL_PARAM_INT) {
            /* The range the flag accepts: what every workload declaring it takes. */
            int64_t lo = sp->min, hi = sp->max;
            param_range(sp->name, &lo, &hi);
            fprintf(f, "  --tvp_%s=LIST%*s %lld..%lld, default %lld: %s\n", sp->name,
                    (int)(20 - strlen(sp->name)), "", (long long)lo, (long long)hi, (long long)sp->def, sp->help);
        } else {
            fprintf(f, "  --tvp_%s=LIST%*s of:", sp->name, (int)(20 - strlen(sp->name)), "");
            for (size_t j = 0; sp->choices[j]; j++)
                fprintf(f, " %s", sp->choices[j]);
            fprintf(f, ", default %s: %s\n", sp->choices[sp->def], sp->help);
        }
    }
    fprintf(f, "\nworkloads:\n");
    for (size_t i = 0; i < workload_count(); i++)
        fprintf(f, "  %-10s %s\n", workload_at(i)->name, workload_at(i)->description);
    fprintf(f, "\nGoogle Benchmark flags, validated like tvp's (tvp owns repetitions, their order, the filter\n"
               "and the JSON; Google Benchmark times each single run):\n"
               "  --benchmark_filter=REGEX            configurations whose name matches (POSIX ERE; -REGEX negates)\n"
               "  --benchmark_repetitions=N           1..%d (profile: quick 1, default 3, full 5)\n"
               "  --benchmark_min_time=SECONDS        0.001..3600 per repetition (quick 0.1, default 0.2, full 0.5)\n"
               "  --benchmark_enable_random_interleaving=BOOL  shuffle (configuration, repetition) order\n"
               "  --benchmark_out=FILE                also write the run's JSON there (--benchmark_out_format=json)\n"
               "  --benchmark_report_aggregates_only=BOOL      the JSON keeps only mean/median/stddev/cv\n"
               "  --benchmark_list_tests              same as --tvp_list\n"
               "  --benchmark_format, _color, _counters_tabular, _time_unit, _min_warmup_time,\n"
               "  _display_aggregates_only, _context, _perf_counters, --v: passed on (console only)\n"
               "Names: <workload>/<executor>/<spawn>/gil:<g>/workers:<n>/pin:<p>[/<param>:<v>...]\n",
            GBFLAGS_MAX_REPETITIONS);
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
        if (sched_group_parse(val, o->sched_on) < 0)
            return fail(key, val, "expected a comma list of: spawn pingpong wakeup, or all, or none");
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
        snprintf(why, sizeof why, "expected a comma list of counts in 1..%d, or A-B (powers of two)", CLI_MAX_WORKERS);
        return cli_parse_workers(val, o->workers, &o->n_workers) == 0 ? 0 : fail(key, val, why);
    }
    if (strcmp(key, "tasks") == 0) {
        char why[64];
        snprintf(why, sizeof why, "expected an integer in 1..%d", CLI_MAX_TASKS);
        if (cli_parse_u64(val, 1, CLI_MAX_TASKS, &v) < 0)
            return fail(key, val, why);
        o->tasks = (uint32_t)v;
        return 0;
    }
    if (strcmp(key, "timer_slack_ns") == 0) {
        if (cli_parse_u64(val, 1, 1000000, &v) < 0)
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
            if (cli_parse_u64(items[i], 1, 1000000, &v) < 0)
                return fail(key, val, why);
            o->switch_us[i] = (uint32_t)v;
        }
        o->n_switch_us = k;
        dedupe(o->switch_us, &o->n_switch_us, sizeof o->switch_us[0]);
        return 0;
    }
    if (strcmp(key, "check_ticks") == 0) {
        if (cli_parse_u64(val, 1, 1000000, &v) < 0)
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
        if (cli_parse_u64(val, 1, 86400000, &v) < 0)
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
    fprintf(stderr, "tvp-bench: unknown flag --tvp_%s (see --help)\n", key);
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
        if (!starts(argv[i], "--tvp_profile"))
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
        if (starts(a, "--benchmark_") || starts(a, "--v=")) {
            bool pass;
            if (gbflags_parse(a, &o->gb, &pass) < 0)
                return -EINVAL;
            if (pass)
                argv[out++] = a;
            continue;
        }
        if (!starts(a, "--tvp_")) {
            fprintf(stderr, "tvp-bench: unexpected argument '%s' (flags are --tvp_NAME=VALUE or "
                    "--benchmark_NAME=VALUE; see --help)\n", a);
            return -EINVAL;
        }
        if (strcmp(a, "--tvp_list") == 0) {
            o->list_only = true;
            continue;
        }
        char key[64];
        const char *eq = strchr(a, '=');
        size_t klen = eq ? (size_t)(eq - a) - 6 : strlen(a) - 6;
        if (klen == 0 || klen >= sizeof key) {
            fprintf(stderr, "tvp-bench: unknown flag %s (see --help)\n", a);
            return -EINVAL;
        }
        memcpy(key, a + 6, klen);
        key[klen] = '\0';
        if (strcmp(key, "profile") == 0)
            continue;
        if (!eq)
            return fail(key, "", "expected --tvp_NAME=VALUE");
        if (parse_one(o, key, eq + 1) < 0)
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
