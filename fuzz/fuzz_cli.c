/* fuzz_cli.c: libFuzzer target for tvp-bench's flag parser: arbitrary bytes as --tvp_* flags and values. */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/*
 * The input is split on NUL and newline into at most FUZZ_MAX_ARGS tokens; each becomes one
 * argument: "-..." is passed as is (Google Benchmark flags, --help, malformed flags), anything else
 * becomes "--tvp_<token>", so "workers=1,2,4" is --tvp_workers=1,2,4. After a successful parse the
 * options must keep every documented promise: values inside the declared ranges, lists within
 * their capacity, the remaining argv NULL-terminated and free of --tvp_ flags. A broken promise
 * aborts (a finding).
 */

#define FUZZ_MAX_ARGS 64

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* cli_parse reports errors on stderr and --help on stdout: send both to /dev/null. Only the C
 * streams are replaced (not descriptors 1 and 2), so libFuzzer's and the sanitizers' own reports,
 * which write to descriptor 2, still reach the terminal. */
static FILE *fuzz_err; /* the real stderr, for this harness's own findings */

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    fuzz_err = stderr;
    FILE *null = fopen("/dev/null", "w");
    if (null) {
        stderr = null;
        stdout = null;
    }
    return 0;
}

#define PROMISE(cond)                                                                              \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(fuzz_err ? fuzz_err : stderr, "fuzz_cli: broken promise: %s (%s:%d)\n", #cond,     \
                    __FILE__, __LINE__);                                                           \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

static void check_options(const cli_opts *o, int argc, char **argv)
{
    PROMISE(argc >= 1 && argv[argc] == NULL);
    for (int i = 1; i < argc; i++) /* only Google Benchmark's display flags are left */
        PROMISE(strncmp(argv[i], "--benchmark_", 12) == 0 || strncmp(argv[i], "--v=", 4) == 0);
    PROMISE(o->repetitions >= 1 && o->repetitions <= GBFLAGS_MAX_REPETITIONS);
    PROMISE(o->min_time > 0 && o->min_time <= 3600);
    char why[160];
    PROMISE(!o->gb.filter || gbflags_check_filter(o->gb.filter, why, sizeof why) == 0);
    PROMISE((unsigned)o->profile < PROFILE_COUNT);
    PROMISE(o->n_workers >= 1 && o->n_workers <= CLI_MAX_LIST);
    for (size_t i = 0; i < o->n_workers; i++)
        PROMISE(o->workers[i] >= 1 && o->workers[i] <= CLI_MAX_WORKERS);
    PROMISE(o->n_switch_us >= 1 && o->n_switch_us <= CLI_MAX_LIST);
    for (size_t i = 0; i < o->n_switch_us; i++)
        PROMISE(o->switch_us[i] >= 1 && o->switch_us[i] <= 1000000);
    PROMISE(o->check_ticks >= 1 && o->check_ticks <= 1000000);
    PROMISE(o->tasks <= CLI_MAX_TASKS);
    PROMISE(o->timer_slack_ns >= 1 && o->timer_slack_ns <= 1000000);
    PROMISE(o->task_timeout_ms >= 1 && o->task_timeout_ms <= 86400000);
    PROMISE(o->out_dir && o->out_dir[0]);
    PROMISE(o->n_params <= CLI_MAX_PARAMS);
    bool any = false;
    for (size_t w = 0; w < workload_count(); w++) {
        const workload *wl = workload_at(w);
        any |= o->workload_on[w];
        for (size_t i = 0; i < wl->n_params; i++) {
            const wl_param *sp = &wl->params[i];
            size_t n = 0;
            const int64_t *v = cli_param_values(o, wl, i, &n);
            PROMISE(v && n >= 1 && n <= CLI_MAX_LIST);
            for (size_t k = 0; k < n; k++) {
                if (sp->type == WL_PARAM_INT) {
                    PROMISE(v[k] >= sp->min && v[k] <= sp->max);
                } else {
                    size_t n_choices = 0;
                    while (sp->choices[n_choices])
                        n_choices++;
                    PROMISE(v[k] >= 0 && (size_t)v[k] < n_choices);
                }
            }
        }
    }
    PROMISE(any);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* One buffer holds every argument: "--tvp_" + token + NUL, at most 7 bytes more per token. */
    char *buf = malloc(size + FUZZ_MAX_ARGS * 7 + 16);
    char *argv[FUZZ_MAX_ARGS + 2];
    if (!buf)
        return 0;
    int argc = 0;
    char *w = buf;
    argv[argc++] = strcpy(w, "tvp-bench");
    w += strlen(w) + 1;
    size_t pos = 0;
    while (pos <= size && argc < FUZZ_MAX_ARGS + 1) {
        size_t end = pos;
        while (end < size && data[end] != '\0' && data[end] != '\n')
            end++;
        if (end == size && pos == size && argc > 1)
            break; /* no empty token after a final separator */
        argv[argc++] = w;
        if (!(end > pos && data[pos] == '-')) {
            memcpy(w, "--tvp_", 6);
            w += 6;
        }
        memcpy(w, data + pos, end - pos);
        w += end - pos;
        *w++ = '\0';
        pos = end + 1;
    }
    argv[argc] = NULL;

    static cli_opts o;
    int n = argc;
    int rc = cli_parse(&n, argv, &o);
    PROMISE(rc == 0 || rc == 1 || rc == -22 /* -EINVAL */);
    if (rc == 0)
        check_options(&o, n, argv);
    free(buf);
    return 0;
}
