/* sched_bench.h: scheduler microbenchmarks: spawn cost, ping-pong round trips, wakeup latency, the dispatch floor.
 * Implemented by sched_bench.c (names, configurations, the Google Benchmark body, rows),
 * sched_spawn.c, sched_pair.c with sched_pingpong.c and sched_wakeup.c (the two-sided ones), and
 * sched_dispatch.c. */
#ifndef TVP_SCHED_BENCH_H
#define TVP_SCHED_BENCH_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "cli.h"
#include "gbench.h"
#include "pin.h"
#include "pool.h"
#include "results.h"
#include "sched_group.h" /* sched_group: spawn | pingpong | wakeup | dispatch */

/* ---- what is measured ---- */

typedef enum {
    SCHED_SPAWN_PTHREAD = 0, /* pthread_create + pthread_join of a thread that returns at once */
    SCHED_SPAWN_FORK,        /* fork + wait4 of a child that _exits at once */
    SCHED_SPAWN_VFORK,       /* vfork + _exit + wait4 */
    SCHED_SPAWN_POSIX_SPAWN, /* posix_spawn of a tiny program (tvp-true) + wait4 */
    SCHED_SPAWN_COUNT
} sched_spawn_method;

typedef enum {
    SCHED_CHAN_PIPE = 0, /* a pipe each way, 1 byte (what `perf bench sched pipe` does) */
    SCHED_CHAN_FUTEX,    /* one futex word; private futex for threads, shared for processes */
    SCHED_CHAN_EVENTFD,  /* an eventfd each way */
    SCHED_CHAN_CONDVAR,  /* mutex + condition variable (process-shared for processes) */
    SCHED_CHAN_COUNT
} sched_channel;

typedef enum {
    SCHED_CPUS_NONE = 0,  /* unpinned: the scheduler places both sides */
    SCHED_CPUS_SAME,      /* both sides bound to one PU */
    SCHED_CPUS_DIFFERENT, /* bound to two PUs, on different cores when there are (hwloc scatter) */
    SCHED_CPUS_COUNT
} sched_cpus;

#define SCHED_BATCH_MAX 4096u     /* ops per measurement call */
#define SCHED_LAT_CAP 65536u      /* per-op samples kept per benchmark run (reservoir) */
#define SCHED_WAKEUP_GAP_US 100u  /* the waker sleeps this long before each wakeup */
#define SCHED_WAKEUP_ITERS 2000   /* wakeups per repetition (fixed: --benchmark_min_time does not apply) */

const char *sched_group_name(sched_group g);           /* spawn | pingpong | wakeup | dispatch */
/* Every group's name, space-separated, into buf (for help and error messages); returns buf. */
const char *sched_group_list(char *buf, size_t len);
const char *sched_spawn_name(sched_spawn_method m);    /* pthread | fork | vfork | posix_spawn */
const char *sched_channel_name(sched_channel c);       /* pipe | futex | eventfd | condvar */
const char *sched_cpus_name(sched_cpus c);             /* none | same | different */

/* "spawn,pingpong,wakeup" (any subset), "all" or "none" -> on[]. 0 or -EINVAL (on[] untouched). */
int sched_group_parse(const char *list, bool on[SCHED_GROUP_COUNT]);
/* The groups a profile runs: all of them in every profile (quick ~3 s, default ~26 s on 2 vCPUs);
 * full registers more variants of each. */
void sched_group_defaults(cli_profile p, bool on[SCHED_GROUP_COUNT]);

/* What one measurement call found. The caller may point lat_ns at an array of >= n doubles to
 * get every op's time (ns); everything else is filled by the call. */
typedef struct sched_result {
    uint32_t ops;         /* timed ops */
    uint64_t total_ns;    /* their summed time (spawn: spawn+reap; ping-pong: round trips;
                           * wakeup: wake-to-run latencies) */
    uint64_t max_ns;      /* the slowest op */
    uint64_t cpu_ns;      /* CPU of everything involved during the timed ops (both sides;
                           * spawn: the parent and its children) */
    uint64_t ctx_vol, ctx_invol;
    int cpu[2];           /* where the sides were last seen running (-1 unknown) */
    uint32_t same_cpu_ops; /* ping-pong, wakeup: ops during which both sides were on one CPU
                            * (each side notes its CPU once per op; unpinned pairs flip) */
    double *lat_ns;       /* in: optional array of >= n entries */
    char detail[192];     /* why a call failed */
} sched_result;

/* ---- spawn ---- */

typedef struct sched_spawn_cfg {
    sched_spawn_method method;
    const char *program;  /* posix_spawn: the program (NULL: sched_find_true's) */
    size_t heap_kib;      /* KiB of private memory the spawner maps and writes before its ops (4 KiB
                           * pages, transparent huge pages off): what fork has to copy */
    sched_cpus cpus;      /* NONE, or SAME: the spawner (and so its children) bound to one PU */
    const pin_topo *topo; /* needed for SAME */
    uint32_t timeout_ms;  /* per op before the child is killed and the call fails; 0: 10 s */
    const char *spawner;  /* the spawner program (NULL: sched_find_spawner's; tests give others) */
} sched_spawn_cfg;

/* The version of tvp-spawner's reply (tools/tvp-spawner.c says the format). */
#define SCHED_SPAWNER_PROTO 1

/* Spawns and reaps n (1..SCHED_BATCH_MAX) children or threads one after another in tvp-spawner, a
 * libc-only process exec'd for the call (its own process group, an empty environment, dying with
 * the caller), so that the parent is a minimal process plus heap_kib of touched memory, not the
 * harness. Each op is timed there from before the spawn to after the reap, after 2 untimed
 * warm-up ops. Returns 0, -EINVAL, -ENOENT (no tvp-spawner, or posix_spawn found no program),
 * -ETIMEDOUT (a child outlived timeout_ms and was killed, or the spawner outlived every op's
 * timeout and was killed), -ECHILD (a child failed, or the spawner died), -EPROTO (its reply was
 * malformed), or -errno of a spawn or setup call; r->detail says what happened, and a failed call
 * leaves r empty. The spawner and every child are reaped whatever happens. */
int sched_measure_spawn(const sched_spawn_cfg *cfg, uint32_t n, sched_result *r);

/* Reads a tvp-spawner reply of len bytes (not NUL-terminated) to a call of n ops into r: ops,
 * total_ns and max_ns (from the op times), cpu_ns, ctx_vol, ctx_invol, cpu[0..1] and, when
 * r->lat_ns is set, every op's time. 0; -errno of an error reply (its detail in r->detail);
 * -EPROTO when the reply is malformed in any way (cut short, another version, a count other than
 * n, a bad number, trailing text), r->detail saying which line and why; -EINVAL. */
int sched_spawner_parse(const char *buf, size_t len, uint32_t n, sched_result *r);

/* The tiny program posix_spawn runs: tvp-true next to the running executable (or one directory
 * up, for the tests in build/tests/), else /bin/true. 0 or -ENOENT. */
int sched_find_true(char *buf, size_t len);
/* tvp-spawner, found the same way (no fallback). 0 or -ENOENT. */
int sched_find_spawner(char *buf, size_t len);

/* ---- two sides: ping-pong and wakeup ---- */

typedef struct sched_pair_cfg {
    sched_channel channel;   /* ping-pong; wakeup always uses a futex */
    pool_executor executor;  /* EXEC_THREADS (2 threads) or EXEC_PROCESSES (2 forked children) */
    sched_cpus cpus;
    const pin_topo *topo;    /* needed unless cpus is NONE */
    uint32_t gap_us;         /* wakeup: the waker's sleep before each wakeup; 0: SCHED_WAKEUP_GAP_US */
    uint32_t timeout_ms;     /* for the whole call; 0: 10 s plus 5 ms and the gap (whole ms) per
                              * op, warm-up ones included */
    uint32_t fail_after;     /* tests: the second side quits after this many ops (0: never) */
} sched_pair_cfg;

/* n (1..SCHED_BATCH_MAX) round trips between two threads or two forked processes over the
 * channel, after 32 untimed ones; each timed by the side that starts it. The calling thread only
 * starts, watches and reaps the sides: when one dies or the call passes its timeout, the other is
 * stopped (threads: woken with an abort flag; processes: SIGKILL) and the call fails.
 * Returns 0, -EINVAL, -ENODEV (DIFFERENT with fewer than 2 usable PUs), -ETIMEDOUT, -ECHILD (a
 * side died or failed), or -errno of a failed setup call; r->detail says what happened. */
int sched_measure_pingpong(const sched_pair_cfg *cfg, uint32_t n, sched_result *r);

/* schbench-style wakeup latency: a waker sleeps gap_us, stamps the time and wakes a sleeper
 * blocked on a futex; the sleeper's latency is from that stamp to when it runs. n wakeups after 4
 * untimed ones. Same return values as sched_measure_pingpong. */
int sched_measure_wakeup(const sched_pair_cfg *cfg, uint32_t n, sched_result *r);

/* ---- the dispatch floor ---- */

/* `workers` threads or forked processes that take empty tasks from an atomic index in shared
 * memory and stamp them with the clock, woken by a futex per push (sched_dispatch.c says exactly
 * what it shares with the pool and what it leaves out). Started once per benchmark run. */
typedef struct sched_dispatch_team sched_dispatch_team;

/* executor: EXEC_THREADS or EXEC_PROCESSES; batch: tasks per push, 1..SCHED_BATCH_MAX. 0, -EINVAL,
 * or -errno / -ETIMEDOUT / -ECHILD when the workers could not be started (detail says why;
 * nothing is left running). */
int sched_dispatch_start(pool_executor executor, uint32_t workers, uint32_t batch, sched_dispatch_team **out,
                         char *detail, size_t len);
/* n (1..SCHED_BATCH_MAX) empty tasks in pushes of `batch` (the last one shorter), each push timed
 * from the wakeup to the last completion; r->total_ns is their sum, lat_ns[i] task i's share of
 * its push (push time / tasks in it). 0, -EINVAL, -ETIMEDOUT, -ECHILD (r->detail says which
 * worker), or -EPROTO when a task was not stamped. */
int sched_measure_dispatch(sched_dispatch_team *t, uint32_t n, sched_result *r);
/* Stops, joins or reaps every worker (SIGKILL after a grace period) and frees. NULL is fine. */
void sched_dispatch_stop(sched_dispatch_team *t);

/* ---- Google Benchmark registration and tidy CSV rows ---- */

#define SCHED_NAME_MAX 128

typedef struct sched_set sched_set;

/* One configuration. */
typedef struct sched_case {
    sched_group group;
    char name[SCHED_NAME_MAX]; /* "sched/pingpong/pipe/threads/cpus:same" */
    pool_executor executor;    /* threads | processes */
    sched_spawn_method method; /* spawn */
    size_t heap_kib;           /* spawn (fork): memory touched before forking */
    sched_channel channel;     /* ping-pong */
    sched_cpus cpus;
    uint32_t workers;          /* dispatch: workers of the team */
    uint32_t batch;            /* dispatch: tasks per push (noop's tasks per batch, at most
                                * SCHED_BATCH_MAX) */
    sched_set *set;
    uint32_t body_calls;       /* times Google Benchmark ran it */
} sched_case;

/* Builds the configurations of the groups that are on, with the variants of o->profile (full
 * adds the condvar channel, pinned spawns, fork after 1 GiB, pinned wakeups). `stop` (may be
 * NULL) makes later runs fail as "interrupted". *out (even with no group on) is freed with
 * sched_set_free after the run. Returns 0, or -errno (nothing to free). */
int sched_build(const cli_opts *o, const pin_topo *t, const bool on[SCHED_GROUP_COUNT],
                volatile sig_atomic_t *stop, sched_set **out);
void sched_set_free(sched_set *s);
size_t sched_set_size(const sched_set *s);
sched_case *sched_case_at(sched_set *s, size_t i);

/* The Google Benchmark body of a configuration (ctx: its sched_case): one iteration is one op,
 * timed manually (the ops' own time). */
void sched_body(gb_state *st, void *ctx);
/* Its per-benchmark settings: manual time in microseconds; wakeups a fixed SCHED_WAKEUP_ITERS
 * per repetition (their manual time is the latency alone, so a min time would cost ~30x as much
 * wall time). */
gb_bench *sched_configure(gb_bench *b, const sched_case *c);

/* Fills the row for a run of a sched case: workload (sched_spawn|sched_pingpong|sched_wakeup),
 * executor, spawn (per-task for spawn rows, pool for the long-lived pairs), gil (off), workers,
 * pin (none, or compact when bound), tasks (1: a row's wall_s is one op), oversubscribed (no),
 * the parameter columns (cpus; method and heap_kib for spawns, channel otherwise), and unless
 * the run failed: tasks_per_s (ops per second), lat_p50_us / lat_p90_us / lat_p99_us, cpu_s and
 * ctx_vol / ctx_invol (per op), cpu_util (not for wakeups), cpus_used, same_cpu_frac (not for
 * spawns), iterations. Columns the table lacks are skipped. run_id, benchmark, repetition,
 * status, detail and wall_s are the caller's. */
void sched_fill_row(results_table *t, size_t row, const gb_run *run, const sched_case *c);

/* Wall time spent in each group's benchmark bodies so far (setup included), one line:
 * "sched: spawn 2.9 s (5 configurations), pingpong 19.8 s (18 configurations), ...". */
void sched_print_times(const sched_set *s, FILE *f);
/* The same figure for one group, seconds. */
double sched_group_seconds(const sched_set *s, sched_group g);

#endif /* TVP_SCHED_BENCH_H */
