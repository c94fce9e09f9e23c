/* metrics.h: clocks, per-thread CPU and context switches, memory, timer slack. */
#ifndef TVP_METRICS_H
#define TVP_METRICS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* CLOCK_MONOTONIC in ns: the one clock every executor is timed with. */
uint64_t metrics_now_ns(void);
/* CPU time of the calling thread (CLOCK_THREAD_CPUTIME_ID), ns. */
uint64_t metrics_thread_cpu_ns(void);

/* What a worker spent: CPU and context switches, read from the calling thread's own counters
 * (RUSAGE_THREAD), so a thread worker and a (single-threaded) process worker measure alike. */
typedef struct metrics_usage {
    uint64_t cpu_ns;
    uint64_t ctx_vol;
    uint64_t ctx_invol;
} metrics_usage;

void metrics_thread_usage(metrics_usage *u);
/* a - b, field by field. */
metrics_usage metrics_usage_sub(metrics_usage a, metrics_usage b);
void metrics_usage_add(metrics_usage *acc, metrics_usage d);

/* The "KEY: N kB" value of a /proc file (e.g. "/proc/meminfo", "MemAvailable"). 0 or -errno
 * (-ENODATA when the key is absent). */
int metrics_proc_kib(const char *path, const char *key, uint64_t *kib);

/* Proportional set size of a process (pid 0 = self) in KiB, from /proc/<pid>/smaps_rollup.
 * PSS splits shared pages among their sharers, so threads and forked workers are counted fairly.
 * Returns 0 or -errno. */
int metrics_pss_kib(pid_t pid, uint64_t *kib);

/* Timer slack of the calling thread (PR_SET_TIMERSLACK / PR_GET_TIMERSLACK), ns. */
int metrics_timer_slack_set(uint64_t ns);
uint64_t metrics_timer_slack_get(void);

#endif /* TVP_METRICS_H */
