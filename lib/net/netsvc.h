/* netsvc.h: where the `net` workload sends its requests: a user-given delay server, or an
 * embedded one that tvp starts on demand in its own process, replaces when it dies, and stops at exit;
 * the embedded one runs apart from the workers when a PU is spare, at a raised priority, and a row
 * whose server was late by a material part of the task time is told apart (server_limited). */
#ifndef TVP_NETSVC_H
#define TVP_NETSVC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Uses an external server ("HOST:PORT", e.g. from --tvp_net_target) instead of the embedded one.
 * 0 or -EINVAL / -ERANGE. */
int netsvc_set_target(const char *host_port);

/* The server to use. The first call (and any call after the embedded server died or stopped
 * answering: checked with a STATS exchange, up to 2 s) starts the embedded server on
 * 127.0.0.1 with an ephemeral port, forked from the calling thread, which must be long-lived
 * (the server dies with it). 0 or -errno. */
int netsvc_target(char *host, size_t host_len, uint16_t *port);

/* The cheap check for the hot path (before every batch): like netsvc_target, but the embedded
 * server counts as dead only once it has exited (one waitpid(WNOHANG), no connection). A
 * replacement listens on a new port: compare netsvc_generation() to notice. 0 or -errno (no
 * server runs then; the next call tries again). */
int netsvc_refresh(char *host, size_t host_len, uint16_t *port);

/* How many embedded servers were started so far: it changes exactly when the server (and with
 * it, the port and every connection to it) changes. 0 with an external target. */
uint32_t netsvc_generation(void);

/* True when requests go to the embedded server. */
bool netsvc_embedded(void);

/* The embedded server's pid, 0 when none runs (for fault-injection tests). It reaps the server
 * when it has exited. */
int netsvc_pid(void);

/* Stops the embedded server, if any (SIGTERM, bounded wait, SIGKILL, reaped). */
void netsvc_shutdown(void);

/* ---- keeping the embedded server out of what is measured ---- */

/* The embedded server's nice value (SCHED_OTHER), when the system grants it (CAP_SYS_NICE or
 * RLIMIT_NICE); else it keeps the harness's, and netsvc_info records that and why. */
#define NETSVC_NICE (-20)

/* Where the embedded server runs and at what priority (for the meta and each net row). */
typedef struct netsvc_info {
    bool started;        /* an embedded server has run in this process */
    int cpu;             /* the OS index of the PU it is bound to now, -1 when unbound (with
                          * pin=none the unbound workers may run on that PU too) */
    int nice;            /* the nice value it got (NETSVC_NICE, or the harness's it kept) */
    int nice_err;        /* 0, or the -errno of the refused raise (-EACCES/-EPERM: no CAP_SYS_NICE) */
    int place_err;       /* 0, or the -errno of the last sched_setaffinity on it */
    unsigned n_bound, n_unbound; /* placements decided so far: bound to a PU, left unbound */
    unsigned long long cpus_used; /* bit per PU (first 64) it was ever bound to */
} netsvc_info;

void netsvc_info_get(netsvc_info *out);

/* The PU for the embedded server, given the PUs the harness may use (`allowed`, n_allowed of them,
 * OS indices ascending) and its workers: how many (`workers`; 0 = not known yet), the union of
 * their CPU masks (`used`, n_used OS indices), and whether any may run on more than one PU
 * (`unbound`: pin=none). Only when the machine has a PU to spare (n_allowed > workers): the last
 * allowed PU no worker is bound to (pinned workers), or, with unbound workers, the last allowed PU
 * (they may still run there: *shared). -1 (unbound) otherwise. Pure: no system call. */
int netsvc_choose_cpu(const int *allowed, unsigned n_allowed, const int *used, unsigned n_used, unsigned workers,
                      bool unbound, bool *shared);

/* Places the embedded server apart from the workers described as for netsvc_choose_cpu (the
 * allowed PUs are the calling thread's at the first server start: before any worker exists).
 * Applies now, and again to every replacement; a no-op with an external target. 0 or -errno (the
 * server then keeps running where it was; netsvc_info records the error). */
int netsvc_place(const int *used, unsigned n_used, unsigned workers, bool unbound);

/* Whether the delay server's lateness is a material part of the task time (the `server_limited`
 * column): its median lateness over 10% of the task's median latency (every task is that much
 * longer), or its 99th percentile over 25% of a lane's batch time, rounds x the median latency
 * (rounds = tasks per lane, ceil(tasks / min(workers, tasks))): a late reply holds back its lane
 * once, and the batch ends with the slowest lane. 1 yes, 0 no, -EINVAL when a figure is missing
 * (NaN), negative, or the latency or rounds is not positive.
 *
 * The shares, from 256 workers waiting 20 ms on 2 busy vCPUs (one round each): at nice 0 the
 * server's median lateness was 5-80% of the task and its p99 0.3-2x, efficiency 0.05-0.62; at nice
 * -20 (threads) its median 0.4-1.3% and its p99 4-24%, and efficiency still only 0.57-0.71: the
 * rest of that loss is the workers' own wakeups, which a 10% tail share would blame on the server. */
#define NETSVC_LIMITED_P50_SHARE 0.10
#define NETSVC_LIMITED_P99_SHARE 0.25
int netsvc_server_limited(double late_p50_us, double late_p99_us, double lat_p50_us, double rounds);

#endif /* TVP_NETSVC_H */
