/* gbflags.c: Google Benchmark's --benchmark_* flags, validated like tvp's own (exit 2 naming the flag). */
#include "gbflags.h"

#include <errno.h>
#include <math.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "toolcli.h"

/* Google Benchmark 1.7.1's flags, every one tvp takes (and suggests when one is mistyped). */
static const char *const gb_known[] = {
    "--benchmark_list_tests", "--benchmark_filter", "--benchmark_min_time", "--benchmark_min_warmup_time",
    "--benchmark_repetitions", "--benchmark_enable_random_interleaving", "--benchmark_report_aggregates_only",
    "--benchmark_display_aggregates_only", "--benchmark_format", "--benchmark_out", "--benchmark_out_format",
    "--benchmark_color", "--benchmark_counters_tabular", "--benchmark_perf_counters", "--benchmark_context",
    "--benchmark_time_unit", "--v"};

const char *const *gbflags_known(size_t *n)
{
    *n = sizeof gb_known / sizeof gb_known[0];
    return gb_known;
}

static int fail(const char *arg, const char *why)
{
    fprintf(stderr, "tvp-bench: %s: %s\n", arg, why);
    return -EINVAL;
}

/* Google Benchmark's truthy values, strictly: anything else is an error, not "false". */
static int parse_bool(const char *s, bool *out)
{
    static const char *const yes[] = {"true", "yes", "on", "1", "t", "y"};
    static const char *const no[] = {"false", "no", "off", "0", "f", "n"};
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) {
        if (strcasecmp(s, yes[i]) == 0) {
            *out = true;
            return 0;
        }
        if (strcasecmp(s, no[i]) == 0) {
            *out = false;
            return 0;
        }
    }
    return -EINVAL;
}

/* A decimal number of seconds in [lo, hi]; a trailing "s" (Google Benchmark 1.8's form) is allowed. */
static int parse_seconds(const char *s, double lo, double hi, double *out)
{
    char buf[64];
    size_t n = strlen(s);
    if (n == 0 || n >= sizeof buf)
        return -EINVAL;
    memcpy(buf, s, n + 1);
    if (buf[n - 1] == 's')
        buf[--n] = '\0';
    char *end;
    errno = 0;
    double v = strtod(buf, &end);
    if (n == 0 || errno || *end || !isfinite(v) || v < lo || v > hi || buf[0] == ' ')
        return -EINVAL;
    *out = v;
    return 0;
}

static bool is_one_of(const char *s, const char *const *names)
{
    for (; *names; names++)
        if (strcmp(s, *names) == 0)
            return true;
    return false;
}

int gbflags_check_filter(const char *spec, char *err, size_t errlen)
{
    if (!spec || !*spec) {
        snprintf(err, errlen, "empty regular expression");
        return -EINVAL;
    }
    if (*spec == '-')
        spec++;
    if (strcmp(spec, "all") == 0)
        spec = ".";
    /* glibc's regcomp takes time exponential in stacked repetitions (a+++...) and space in
     * the product of bounded ones: refuse both beyond what a name filter needs. */
    if (strlen(spec) > GBFLAGS_MAX_FILTER) {
        snprintf(err, errlen, "too long: at most %d characters", GBFLAGS_MAX_FILTER);
        return -EINVAL;
    }
    size_t braces = 0;
    bool after_repeat = false;
    for (const char *p = spec; *p; p++) {
        bool repeat = *p == '*' || *p == '+' || *p == '?' || *p == '{';
        if (repeat && after_repeat) {
            snprintf(err, errlen, "a repetition of a repetition (\"%.2s\") is not supported", p - 1);
            return -EINVAL;
        }
        after_repeat = repeat && *p != '{';
        if (*p == '\\' && p[1]) {
            p++;
        } else if (*p == '[') { /* a bracket expression: its characters are literal */
            const char *q = p + 1 + (p[1] == '^');
            q += *q == ']';
            while (*q && *q != ']')
                q++;
            p = *q ? q : p;
        } else if (*p == '{') {
            braces++;
            const char *q = p + 1;
            for (; *q && *q != '}'; q++)
                if (*q >= '0' && *q <= '9' && strtol(q, NULL, 10) > GBFLAGS_MAX_BOUND) {
                    snprintf(err, errlen, "a repetition bound above %d is not supported", GBFLAGS_MAX_BOUND);
                    return -EINVAL;
                }
            after_repeat = *q == '}';
            p = *q ? q : p;
        }
    }
    if (braces > 2) {
        snprintf(err, errlen, "at most 2 bounded repetitions {m,n}");
        return -EINVAL;
    }
    regex_t re;
    int rc = regcomp(&re, spec, REG_EXTENDED | REG_NOSUB);
    if (rc != 0) {
        char why[128];
        regerror(rc, &re, why, sizeof why);
        snprintf(err, errlen, "not a valid regular expression (POSIX extended): %s", why);
        return -EINVAL;
    }
    regfree(&re);
    return 0;
}

int gbflags_filter_init(gbflags_filter *f, const char *spec)
{
    char err[128];
    memset(f, 0, sizeof *f);
    if (!spec)
        return 0;
    if (gbflags_check_filter(spec, err, sizeof err) < 0)
        return -EINVAL;
    if (*spec == '-') {
        f->negate = true;
        spec++;
    }
    if (strcmp(spec, "all") == 0)
        spec = ".";
    if (regcomp(&f->re, spec, REG_EXTENDED | REG_NOSUB) != 0)
        return -EINVAL;
    f->active = true;
    return 0;
}

bool gbflags_filter_match(const gbflags_filter *f, const char *name)
{
    if (!f->active)
        return true;
    bool hit = regexec(&f->re, name, 0, NULL, 0) == 0;
    return hit != f->negate;
}

void gbflags_filter_free(gbflags_filter *f)
{
    if (f->active)
        regfree(&f->re);
    f->active = false;
}

int gbflags_parse(const char *arg, gbflags *g, bool *pass)
{
    *pass = false;
    const char *eq = strchr(arg, '=');
    size_t nlen = eq ? (size_t)(eq - arg) : strlen(arg);
    const char *val = eq ? eq + 1 : NULL;
    char key[64];
    size_t k = 0, n_known = sizeof gb_known / sizeof gb_known[0];
    while (k < n_known && !(strlen(gb_known[k]) == nlen && strncmp(arg, gb_known[k], nlen) == 0))
        k++;
    if (k == n_known)
        return -ENOENT; /* the caller names it and suggests the closest flag */
    memcpy(key, arg + 2, nlen - 2);
    key[nlen - 2] = '\0';
    bool b;
    /* Boolean flags may be given bare (--benchmark_list_tests), as Google Benchmark allows. */
    static const char *const bools[] = {"benchmark_list_tests", "benchmark_enable_random_interleaving",
                                        "benchmark_report_aggregates_only", "benchmark_display_aggregates_only",
                                        "benchmark_counters_tabular", NULL};
    if (is_one_of(key, bools)) {
        if (val && parse_bool(val, &b) < 0)
            return fail(arg, "expected true or false");
        b = val ? b : true;
        if (strcmp(key, "benchmark_list_tests") == 0)
            g->list = b;
        else if (strcmp(key, "benchmark_enable_random_interleaving") == 0) {
            g->interleave = b;
            g->user_interleave = true;
        } else if (strcmp(key, "benchmark_report_aggregates_only") == 0)
            g->aggregates_only = b;
        else
            *pass = true; /* display only: Google Benchmark's console */
        return 0;
    }
    if (!val || !*val) {
        char why[160];
        snprintf(why, sizeof why, "needs a value, as --%s=VALUE (see tvp-bench --help)", key);
        return fail(arg, why);
    }
    if (strcmp(key, "benchmark_filter") == 0) {
        char why[256];
        if (gbflags_check_filter(val, why, sizeof why) < 0)
            return fail(arg, why);
        g->filter = val;
        return 0;
    }
    if (strcmp(key, "benchmark_repetitions") == 0) {
        uint64_t v;
        if (toolcli_parse_u64(val, 1, GBFLAGS_MAX_REPETITIONS, &v) < 0) {
            char why[64];
            snprintf(why, sizeof why, "expected an integer in 1..%d", GBFLAGS_MAX_REPETITIONS);
            return fail(arg, why);
        }
        g->repetitions = (int)v;
        g->user_repetitions = true;
        return 0;
    }
    if (strcmp(key, "benchmark_min_time") == 0) {
        if (strchr(val, 'x'))
            return fail(arg, "an iteration count (Nx) is not supported: tvp times batches for a minimum time");
        if (parse_seconds(val, 1e-3, 3600, &g->min_time) < 0)
            return fail(arg, "expected seconds in 0.001..3600 (e.g. 0.5 or 0.5s)");
        g->user_min_time = true;
        return 0;
    }
    if (strcmp(key, "benchmark_min_warmup_time") == 0) {
        double v;
        if (parse_seconds(val, 0, 3600, &v) < 0)
            return fail(arg, "expected seconds in 0..3600");
        *pass = true;
        return 0;
    }
    if (strcmp(key, "benchmark_out") == 0) {
        g->out = val;
        return 0;
    }
    if (strcmp(key, "benchmark_out_format") == 0) {
        if (strcmp(val, "json") != 0)
            return fail(arg, "tvp writes only json there (the tidy CSV is in --tvp_out)");
        return 0;
    }
    if (strcmp(key, "benchmark_format") == 0) {
        if (!is_one_of(val, (const char *const[]){"console", "json", "csv", NULL}))
            return fail(arg, "expected one of: console json csv");
        *pass = true;
        return 0;
    }
    if (strcmp(key, "benchmark_color") == 0) {
        if (parse_bool(val, &b) < 0 && strcmp(val, "auto") != 0)
            return fail(arg, "expected auto, true or false");
        *pass = true;
        return 0;
    }
    if (strcmp(key, "benchmark_time_unit") == 0) {
        if (!is_one_of(val, (const char *const[]){"ns", "us", "ms", "s", NULL}))
            return fail(arg, "expected one of: ns us ms s");
        *pass = true;
        return 0;
    }
    if (strcmp(key, "v") == 0) {
        uint64_t v;
        if (toolcli_parse_u64(val, 0, 100, &v) < 0)
            return fail(arg, "expected an integer in 0..100");
        *pass = true;
        return 0;
    }
    if (strcmp(key, "benchmark_context") == 0 && !strchr(val, '='))
        return fail(arg, "expected KEY=VALUE[,KEY=VALUE...]");
    *pass = true; /* benchmark_context, benchmark_perf_counters: Google Benchmark checks them */
    return 0;
}
