/* metrics.c: clocks, per-thread CPU and context switches, PSS and timer slack. */
#include "metrics.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <time.h>

static uint64_t ts_ns(const struct timespec *ts) { return (uint64_t)ts->tv_sec * 1000000000ull + (uint64_t)ts->tv_nsec; }

uint64_t metrics_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts_ns(&ts);
}

uint64_t metrics_thread_cpu_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return ts_ns(&ts);
}

void metrics_thread_usage(metrics_usage *u)
{
    struct rusage ru;
    memset(&ru, 0, sizeof ru);
    getrusage(RUSAGE_THREAD, &ru);
    u->cpu_ns = metrics_thread_cpu_ns();
    u->ctx_vol = (uint64_t)ru.ru_nvcsw;
    u->ctx_invol = (uint64_t)ru.ru_nivcsw;
}

metrics_usage metrics_usage_sub(metrics_usage a, metrics_usage b)
{
    metrics_usage d = {a.cpu_ns - b.cpu_ns, a.ctx_vol - b.ctx_vol, a.ctx_invol - b.ctx_invol};
    return d;
}

void metrics_usage_add(metrics_usage *acc, metrics_usage d)
{
    acc->cpu_ns += d.cpu_ns;
    acc->ctx_vol += d.ctx_vol;
    acc->ctx_invol += d.ctx_invol;
}

int metrics_proc_kib(const char *path, const char *key, uint64_t *kib)
{
    FILE *f = fopen(path, "re");
    if (!f)
        return -errno;
    char line[256];
    size_t klen = strlen(key);
    int rc = -ENODATA;
    while (fgets(line, sizeof line, f)) {
        unsigned long long v;
        if (strncmp(line, key, klen) == 0 && line[klen] == ':' && sscanf(line + klen + 1, " %llu kB", &v) == 1) {
            *kib = v;
            rc = 0;
            break;
        }
    }
    fclose(f);
    return rc;
}

int metrics_pss_kib(pid_t pid, uint64_t *kib)
{
    char path[64];
    if (pid == 0)
        snprintf(path, sizeof path, "/proc/self/smaps_rollup");
    else
        snprintf(path, sizeof path, "/proc/%d/smaps_rollup", (int)pid);
    return metrics_proc_kib(path, "Pss", kib);
}

int metrics_timer_slack_set(uint64_t ns)
{
    return prctl(PR_SET_TIMERSLACK, (unsigned long)ns, 0, 0, 0) == 0 ? 0 : -errno;
}

uint64_t metrics_timer_slack_get(void)
{
    int r = prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0);
    return r < 0 ? 0 : (uint64_t)r;
}
