/* test_cli.c: --tvp_* parsing: lists, ranges, profiles, parameter sweeps, every rejection, suggestions, and --help against the parser. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "cli.h"
#include "toolcli.h"

/* Runs cli_parse on a NULL-terminated list of flags; with err, what it writes on stderr is
 * captured there. Returns cli_parse's result. */
static int vparse(cli_opts *o, int *argc_out, char *err, size_t len, va_list ap)
{
    static char *argv[32];
    int argc = 0;
    argv[argc++] = "tvp-bench";
    for (char *a; (a = va_arg(ap, char *));)
        argv[argc++] = a;
    argv[argc] = NULL;
    FILE *tmp = err ? tmpfile() : NULL;
    int saved = -1;
    if (err) {
        assert_non_null(tmp);
        fflush(stderr);
        saved = dup(2);
        assert_true(saved >= 0 && dup2(fileno(tmp), 2) >= 0);
    }
    int rc = cli_parse(&argc, argv, o);
    if (err) {
        fflush(stderr);
        dup2(saved, 2);
        close(saved);
        rewind(tmp);
        err[fread(err, 1, len - 1, tmp)] = '\0';
        fclose(tmp);
    }
    if (argc_out)
        *argc_out = argc;
    return rc;
}

static int parse(cli_opts *o, int *argc_out, ...)
{
    va_list ap;
    va_start(ap, argc_out);
    int rc = vparse(o, argc_out, NULL, 0, ap);
    va_end(ap);
    return rc;
}

static int parse_captured(cli_opts *o, char *err, size_t len, ...)
{
    va_list ap;
    va_start(ap, len);
    int rc = vparse(o, NULL, err, len, ap);
    va_end(ap);
    return rc;
}

static void test_numbers(void **state)
{
    (void)state;
    uint64_t v;
    assert_int_equal(toolcli_parse_u64("42", 1, 100, &v), 0);
    assert_int_equal(v, 42);
    assert_int_equal(toolcli_parse_u64("18446744073709551615", 0, UINT64_MAX, &v), 0);
    assert_true(v == UINT64_MAX);
    const char *bad[] = {"", "-1", "+3", " 3", "3 ", "0x10", "1e3", "abc", "101", "0", "99999999999999999999999"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(toolcli_parse_u64(bad[i], 1, 100, &v), -EINVAL);
    assert_int_equal(toolcli_parse_u64(NULL, 0, 1, &v), -EINVAL);
}

static void test_workers_lists_and_ranges(void **state)
{
    (void)state;
    uint32_t w[CLI_MAX_LIST];
    size_t n;
    assert_int_equal(cli_parse_workers("1,2,4", w, &n), 0);
    assert_int_equal(n, 3);
    assert_int_equal(w[2], 4);
    assert_int_equal(cli_parse_workers("1-64", w, &n), 0);
    assert_int_equal(n, 7);
    assert_int_equal(w[6], 64);
    assert_int_equal(cli_parse_workers("3-20", w, &n), 0); /* 3, 4, 8, 16, 20 */
    assert_int_equal(n, 5);
    assert_int_equal(w[0], 3);
    assert_int_equal(w[4], 20);
    assert_int_equal(cli_parse_workers("3-5", w, &n), 0); /* A, the powers of two between, B */
    assert_int_equal(n, 3);
    assert_int_equal(w[0], 3);
    assert_int_equal(w[1], 4);
    assert_int_equal(w[2], 5);
    assert_int_equal(cli_parse_workers("5-5", w, &n), 0);
    assert_int_equal(n, 1);
    assert_int_equal(w[0], 5);
    const char *bad[] = {"0", "-1", "1,,2", ",1", "1,", "8-2", "1-", "-4", "x", "2000", "1-2000"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(cli_parse_workers(bad[i], w, &n), -EINVAL);
}

static void test_profiles_set_defaults(void **state)
{
    (void)state;
    cli_opts o;
    assert_int_equal(parse(&o, NULL, "--tvp_profile=quick", NULL), 0);
    assert_int_equal(o.profile, PROFILE_QUICK);
    assert_int_equal(o.repetitions, 1);
    assert_int_equal(parse(&o, NULL, NULL), 0);
    assert_int_equal(o.profile, PROFILE_DEFAULT);
    assert_true(o.repetitions >= 3);
    assert_true(o.interleave);
    assert_int_equal(parse(&o, NULL, "--tvp_profile=full", NULL), 0);
    assert_true(o.pin_on[PIN_SCATTER] && o.pin_on[PIN_CORE]);
    size_t n;
    const workload *hash = workload_find("hash"), *sleep_wl = workload_find("sleep");
    cli_param_values(&o, hash, (size_t)workload_param_index(hash, "chunk"), &n);
    assert_int_equal(n, 2); /* the full profile sweeps hashlib's 2048-byte threshold */
    assert_int_equal(o.n_switch_us, 3);
    assert_true(o.gil_on[GIL_OFF] && o.gil_on[GIL_ON]);
    const int64_t *v = cli_param_values(&o, sleep_wl, 0, &n); /* the profile's list for sleep */
    assert_int_equal(n, 2);
    assert_int_equal(v[1], 10000);
}

static void test_flags_override_profile_and_take_gb_flags(void **state)
{
    (void)state;
    cli_opts o;
    int argc;
    assert_int_equal(parse(&o, &argc, "--benchmark_filter=hash", "--tvp_workers=3,5", "--tvp_profile=quick",
                           "--tvp_executors=threads", "--tvp_pin=compact,core", "--tvp_bytes=64,128",
                           "--tvp_algo=blake2b512", "--tvp_tasks=9", "--benchmark_repetitions=4",
                           "--benchmark_format=console", "--tvp_workers=5,3,5", NULL),
                     0);
    /* tvp owns the filter and repetitions; only display flags go on to Google Benchmark. */
    assert_int_equal(argc, 2);
    assert_string_equal(o.gb.filter, "hash");
    assert_int_equal(o.repetitions, 4);
    assert_int_equal(o.min_time, 0.1); /* the quick profile's */
    assert_int_equal(o.n_workers, 2); /* 5,3,5: a value given twice runs once */
    assert_int_equal(o.workers[0], 5);
    assert_int_equal(o.workers[1], 3);
    assert_false(o.exec_on[EXEC_SERIAL]);
    assert_true(o.exec_on[EXEC_THREADS]);
    assert_false(o.pin_on[PIN_NONE]);
    assert_true(o.pin_on[PIN_COMPACT] && o.pin_on[PIN_CORE]);
    assert_int_equal(o.tasks, 9);
    assert_true(o.gb.user_repetitions);
    const cli_param *b = cli_param_find(&o, "bytes");
    assert_true(b->user_set);
    assert_int_equal(b->n, 2);
    assert_int_equal(b->v[1], 128);
    assert_int_equal(cli_param_find(&o, "algo")->v[0], 1);
    size_t n;
    const workload *hash = workload_find("hash");
    const int64_t *v = cli_param_values(&o, hash, (size_t)workload_param_index(hash, "bytes"), &n);
    assert_int_equal(n, 2); /* the flag wins over the quick profile's value */
    assert_int_equal(v[0], 64);
}

static void test_every_bad_value_is_rejected(void **state)
{
    (void)state;
    const char *bad[] = {
        "--tvp_profile=slow",     "--tvp_workers=0",        "--tvp_workers=abc",      "--tvp_workers=99999",
        "--tvp_workers=-2",       "--tvp_tasks=0",          "--tvp_tasks=-1",         "--tvp_tasks=1e9",
        "--tvp_tasks=100001",     "--tvp_executors=fibers", "--tvp_executors=",       "--tvp_spawn=fork",
        "--tvp_pin=everywhere",   "--tvp_workloads=nope",   "--tvp_bytes=0",          "--tvp_bytes=2000000000",
        "--tvp_algo=md5",         "--tvp_sleep_us=0",       "--tvp_sleep_us=x",       "--tvp_timer_slack_ns=0",
        "--tvp_out=",             "--tvp_unknown=1",        "--tvp_workers",          "--tvp_=3",
        /* Google Benchmark's flags, validated the same way */
        "--benchmark_filter=(",   "--benchmark_filter=",    "--benchmark_repetitions=0",
        "--benchmark_repetitions=-1", "--benchmark_repetitions=1001", "--benchmark_repetitions=x",
        "--benchmark_min_time=-1", "--benchmark_min_time=0", "--benchmark_min_time=abc", "--benchmark_min_time=100x",
        "--benchmark_format=bogus", "--benchmark_out_format=csv", "--benchmark_out=",
        "--benchmark_enable_random_interleaving=maybe", "--benchmark_color=purple", "--benchmark_time_unit=h",
        "--benchmark_bogus=1",    "--benchmark_context=nokey", "--v=x", "stray", "--tvp_list_extra",
        "--tvp_list=foo",         "--v",                    "--v=+3",                 "--tvp_profiles=quick",
        "--version=1",            "-tvp_workers=2",         "--benchmark_repetitions=+3",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cli_opts o;
        if (parse(&o, NULL, bad[i], NULL) != -EINVAL)
            fail_msg("accepted %s", bad[i]);
    }
}

static void test_suggestions(void **state)
{
    (void)state;
    assert_int_equal(toolcli_distance("port", 4, "prot", 4), 1); /* a swap is one edit */
    assert_int_equal(toolcli_distance("abc", 3, "ABC", 3), 0);
    assert_int_equal(toolcli_distance("", 0, "abc", 3), 3);
    assert_int_equal(toolcli_distance("kitten", 6, "sitting", 7), 3);
    static const char *const known[] = {"--bind", "--port", "--idle_timeout_ms", "--send_timeout_ms", "--help",
                                        "--version", "--tvp_workers", "--tvp_workloads", "--benchmark_repetitions",
                                        "--benchmark_report_aggregates_only", "--tvp_hogs"};
    const size_t n = sizeof known / sizeof known[0];
    const struct {
        const char *arg, *want;
    } cases[] = {
        {"--prot=80", "--port"},         {"-port=80", "--port"},           {"--verison", "--version"},
        {"--HELP", "--help"},            {"--send_timeout=5", "--send_timeout_ms"},
        {"--tvp_worker=2", "--tvp_workers"}, {"--tvp_workloda=x", "--tvp_workloads"},
        {"--benchmark_repetiton=3", "--benchmark_repetitions"},
        {"--tvp_repetitions=3", "--benchmark_repetitions"}, /* the same name under the other prefix */
        {"--benchmark_workers=3", "--tvp_workers"},
        {"--tvp_hogz=1", "--tvp_hogs"},
        {"--tvp_bogus=1", NULL},         /* "bogus" is not "hogs": tvp_ is no evidence */
        {"--tvp_work=2", NULL},          /* the start of two flags */
        {"--benchmark_rep=2", NULL},     {"foo", NULL}, {"--x", NULL}, {"", NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const char *got = toolcli_suggest(cases[i].arg, known, n);
        if (cases[i].want ? !got || strcmp(got, cases[i].want) != 0 : got != NULL)
            fail_msg("%s: suggested %s, want %s", cases[i].arg, got ? got : "nothing",
                     cases[i].want ? cases[i].want : "nothing");
    }
}

static void test_unknown_flags_are_named_with_a_suggestion(void **state)
{
    (void)state;
    cli_opts o;
    char err[2048];
    const struct {
        const char *arg, *want1, *want2;
    } cases[] = {
        {"--benchmark_repetiton=3", "tvp-bench: unknown flag '--benchmark_repetiton=3'",
         "did you mean --benchmark_repetitions?"},
        {"--tvp_worker=4", "tvp-bench: unknown flag '--tvp_worker=4'", "did you mean --tvp_workers?"},
        {"--tvp_sleepus=5", "tvp-bench: unknown flag", "did you mean --tvp_sleep_us?"}, /* a workload's */
        {"--tvp_repetitions=3", "tvp-bench: unknown flag", "did you mean --benchmark_repetitions?"},
        {"--verison", "tvp-bench: unknown flag '--verison'", "did you mean --version?"},
        {"--benchmark_nope=1", "tvp-bench: unknown flag '--benchmark_nope=1'", "see tvp-bench --help"},
        {"stray", "tvp-bench: unexpected argument 'stray'", "--tvp_NAME=VALUE"},
        {"--tvp_list=foo", "tvp-bench: --tvp_list=foo: takes no value", "--tvp_list"},
        {"--tvp_workers", "tvp-bench: --tvp_workers: needs a value", "--tvp_workers=VALUE"},
        {"--benchmark_filter", "tvp-bench: --benchmark_filter: needs a value", "--benchmark_filter=VALUE"},
        {"--tvp_workers=0", "tvp-bench: --tvp_workers=0:", "1..1024"},
        {"--benchmark_repetitions=0", "tvp-bench: --benchmark_repetitions=0:", "1..1000"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        assert_int_equal(parse_captured(&o, err, sizeof err, cases[i].arg, NULL), -EINVAL);
        if (!strstr(err, cases[i].want1) || !strstr(err, cases[i].want2))
            fail_msg("%s: stderr '%s' lacks '%s' or '%s'", cases[i].arg, err, cases[i].want1, cases[i].want2);
    }
    /* A stray argument after a flag that takes none (the issue's --tvp_list foo). */
    assert_int_equal(parse_captured(&o, err, sizeof err, "--tvp_list", "foo", NULL), -EINVAL);
    assert_non_null(strstr(err, "tvp-bench: unexpected argument 'foo'"));
}

/* --help as one line of words (its wrapping undone). */
static char *help_buf; /* open_memstream's, global: gcc takes a local's address for dangling */
static size_t help_len;

static char *help_text(void)
{
    FILE *f = open_memstream(&help_buf, &help_len);
    assert_non_null(f);
    cli_usage(f);
    fclose(f);
    char *buf = help_buf, *w = buf;
    for (const char *r = buf; *r; r++)
        if (!(*r == ' ' || *r == '\n') || (w > buf && w[-1] != ' '))
            *w++ = *r == '\n' ? ' ' : *r;
    *w = '\0';
    return buf;
}

static void test_help_matches_the_parser(void **state)
{
    (void)state;
    char *help = help_text();
    const char *known[CLI_MAX_KNOWN];
    size_t n = cli_known_flags(known, CLI_MAX_KNOWN);
    assert_true(n > 30 && n < CLI_MAX_KNOWN);
    /* Every flag the parser takes is in --help (Google Benchmark's display flags abbreviated "_name"). */
    for (size_t i = 0; i < n; i++) {
        char abbrev[64] = "";
        bool gb = strncmp(known[i], "--benchmark_", 12) == 0;
        if (gb) /* only then is the name longer than the prefix it skips */
            snprintf(abbrev, sizeof abbrev, "%s,", known[i] + strlen("--benchmark"));
        bool listed = strstr(help, known[i]) != NULL || (gb && strstr(help, abbrev) != NULL);
        if (!listed)
            fail_msg("%s is taken but not in --help", known[i]);
    }
    /* Every --tvp_ and --benchmark_ flag in --help is one the parser knows, and none is "unknown". */
    for (const char *p = help; (p = strstr(p, "--")) != NULL; p += 2) {
        char flag[64];
        size_t len = strspn(p + 2, "abcdefghijklmnopqrstuvwxyz_");
        if (len == 0 || len + 3 > sizeof flag || p[2 + len - 1] == '_' /* "--tvp_* flags" */ ||
            (strncmp(p, "--tvp_", 6) && strncmp(p, "--benchmark_", 12)))
            continue;
        snprintf(flag, sizeof flag, "--%.*s", (int)len, p + 2);
        size_t j = 0;
        while (j < n && strcmp(known[j], flag) != 0)
            j++;
        if (j == n)
            fail_msg("--help names %s, which the parser does not take", flag);
        char arg[80], err[2048];
        cli_opts o;
        snprintf(arg, sizeof arg, "%s=%s", flag, strcmp(flag, "--tvp_list") == 0 ? "" : "@bad@");
        parse_captured(&o, err, sizeof err, arg, NULL);
        if (strstr(err, "unknown flag"))
            fail_msg("%s is in --help and the known list, but the parser says: %s", flag, err);
    }
    /* The A-B examples --help gives are what the parser does. */
    const char *ex = strstr(help, "A-B is A, the powers of two between, and B (");
    assert_non_null(ex);
    ex = strchr(ex, '(') + 1;
    size_t n_examples = 0;
    for (unsigned a, b; sscanf(ex, "%u-%u:", &a, &b) == 2; n_examples++) {
        char range[32], want[128], got[128] = "";
        snprintf(range, sizeof range, "%u-%u", a, b);
        ex = strchr(ex, ':') + 2;
        size_t wl = strcspn(ex, ";)");
        snprintf(want, sizeof want, "%.*s", (int)wl, ex);
        uint32_t w[CLI_MAX_LIST];
        size_t k;
        assert_int_equal(cli_parse_workers(range, w, &k), 0);
        for (size_t i = 0; i < k; i++)
            snprintf(got + strlen(got), sizeof got - strlen(got), "%s%u", i ? "," : "", w[i]);
        if (strcmp(want, got) != 0)
            fail_msg("--help says %s gives %s; the parser gives %s", range, want, got);
        ex += wl + (ex[wl] == ';' ? 2 : 0);
    }
    assert_int_equal(n_examples, 3);
    free(help);
}

static void test_version_and_help_stop_the_parse(void **state)
{
    (void)state;
    cli_opts o;
    char err[256];
    assert_int_equal(parse_captured(&o, err, sizeof err, "--version", NULL), 1);
    assert_int_equal(parse_captured(&o, err, sizeof err, "--tvp_profile=quick", "--version", NULL), 1);
    assert_string_equal(err, "");
    const char *c = toolcli_commit();
    size_t hex = strspn(c, "0123456789abcdef");
    assert_true(strcmp(c, "unknown") == 0 || (hex == 12 && (c[12] == '\0' || strcmp(c + 12, "-dirty") == 0)));
    assert_true(strspn(toolcli_version(), "0123456789.") == strlen(toolcli_version()));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_workers_lists_and_ranges),
        cmocka_unit_test(test_profiles_set_defaults),
        cmocka_unit_test(test_flags_override_profile_and_take_gb_flags),
        cmocka_unit_test(test_every_bad_value_is_rejected),
        cmocka_unit_test(test_suggestions),
        cmocka_unit_test(test_unknown_flags_are_named_with_a_suggestion),
        cmocka_unit_test(test_help_matches_the_parser),
        cmocka_unit_test(test_version_and_help_stop_the_parse),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
