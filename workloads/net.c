/* net.c: the real wait: a TCP request to the delay server, which replies after `delay_us`. */
#include <errno.h>
#include <math.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net_client.h"
#include "netsvc.h"
#include "workload.h"

enum { P_DELAY_US, P_BYTES, P_CONN };

static const char *const conn_modes[] = {"keepalive", "per-task", NULL};

static const wl_param net_params[] = {
    [P_DELAY_US] = {.name = "delay_us", .type = WL_PARAM_INT, .def = 2000, .min = 0, .max = 10000000,
                    .help = "microseconds the server waits before replying"},
    [P_BYTES] = {.name = "bytes", .type = WL_PARAM_INT, .def = 64, .min = 0, .max = 16777216,
                 .help = "reply bytes (net); bytes hashed per task (hash)"},
    [P_CONN] = {.name = "conn", .type = WL_PARAM_ENUM, .def = 0, .choices = conn_modes,
                .help = "keepalive: one connection per worker; per-task: connect for every task"},
};

/* Extra result columns: the server's own lateness over the run, to show it kept up, and where the
 * embedded server ran (its PU, empty when unbound) at what nice value. */
static const char *const net_extra[] = {"server_late_p50_us", "server_late_p99_us", "server_late_max_us",
                                        "server_cpu", "server_nice", NULL};

#define NET_CPU_WORDS (CPU_SETSIZE / 64)

/* In a MAP_SHARED mapping: forked workers (pool and per-task) see the harness replace a dead
 * embedded server. */
typedef struct net_shared {
    char host[256];
    _Atomic uint64_t addr;  /* (netsvc generation << 16) | port: the server to use now */
    _Atomic int svc_err;    /* -errno when the embedded server could not be restarted, else 0 */
    _Atomic int suspect;    /* a task failed since the last refresh: check the server harder */
    uint32_t delay_us, bytes;
    bool keepalive;
    int timeout_ms;         /* one task, connect + request: delay + NET_SLACK_MS */
    /* What the workers may run on, as each reports it in worker_init (after the pool pinned it):
     * the union of their CPU masks, how many lanes, whether one is unbound; seq counts changes. */
    _Atomic uint64_t wcpus[NET_CPU_WORDS];
    _Atomic uint32_t lanes, seq;
    _Atomic int unbound;
    uint32_t placed_seq;    /* the harness's: the seq the server was last placed for */
} net_shared;

#define NET_SLACK_MS 10000
#define NET_STATS_MS 2000

static uint64_t net_addr(uint16_t port) { return (uint64_t)netsvc_generation() << 16 | port; }

static void net_teardown(void *shared) { wl_shared_free(shared, sizeof(net_shared)); }

static int net_setup(const wl_args *a, uint32_t tasks, void **shared)
{
    (void)tasks;
    net_shared *n = wl_shared_alloc(sizeof *n);
    if (!n)
        return -ENOMEM;
    uint16_t port;
    int rc = netsvc_target(n->host, sizeof n->host, &port);
    if (rc < 0) {
        net_teardown(n);
        return rc;
    }
    atomic_store(&n->addr, net_addr(port));
    n->delay_us = (uint32_t)a->v[P_DELAY_US];
    n->bytes = (uint32_t)a->v[P_BYTES];
    n->keepalive = a->v[P_CONN] == 0;
    n->timeout_ms = (int)(n->delay_us / 1000) + NET_SLACK_MS; /* no task waits forever */
    n->placed_seq = UINT32_MAX; /* the first run places the server, workers known or not */
    *shared = n;
    return 0;
}

/* In the harness before every run and batch: an embedded server that died is replaced (new
 * port, published through the shared mapping); workers reconnect on their next task. The check
 * is one waitpid, unless a task failed since the last one: then it also asks the server (a
 * server that was just killed refuses connections a moment before it can be reaped, and one
 * that is slow to exit holds them without answering). */
static void net_refresh(net_shared *n)
{
    if (!netsvc_embedded())
        return;
    char host[sizeof n->host];
    uint16_t port;
    int rc = atomic_exchange(&n->suspect, 0) ? netsvc_target(host, sizeof host, &port)
                                             : netsvc_refresh(host, sizeof host, &port);
    atomic_store(&n->svc_err, rc < 0 ? rc : 0);
    if (rc == 0 && atomic_load(&n->addr) != net_addr(port))
        atomic_store(&n->addr, net_addr(port));
}

/* In the harness: places the embedded server apart from the workers once they have said where
 * they run (pool workers before the run; per-task ones as they start, so a per-task run's first
 * batch keeps the server where it was). */
static void net_place(net_shared *n)
{
    uint32_t seq = atomic_load(&n->seq);
    if (!netsvc_embedded() || seq == n->placed_seq)
        return;
    n->placed_seq = seq;
    int used[CPU_SETSIZE];
    unsigned n_used = 0;
    for (int c = 0; c < CPU_SETSIZE; c++)
        if (atomic_load_explicit(&n->wcpus[c / 64], memory_order_relaxed) >> (c % 64) & 1)
            used[n_used++] = c;
    netsvc_place(used, n_used, atomic_load(&n->lanes), atomic_load(&n->unbound) != 0);
}

static void net_batch_begin(void *shared, uint32_t tasks)
{
    (void)tasks;
    net_refresh(shared);
    net_place(shared);
}

/* A keepalive worker's connection: opened lazily, dropped after an error, and replaced when the
 * server changed (addr) or closed it (idle timeout, death). */
typedef struct net_conn {
    int fd;
    uint64_t addr; /* the server fd is connected to */
} net_conn;

/* Tells the harness where this worker may run (see net_place). Per-task workers do it in every
 * task's worker: writes only when something is new. */
static void net_worker_report(net_shared *n, uint32_t worker)
{
    cpu_set_t set;
    uint64_t words[NET_CPU_WORDS];
    _Static_assert(sizeof set == sizeof words, "cpu_set_t is CPU_SETSIZE bits");
    _Static_assert(sizeof(unsigned long) == 8 || __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "cpu_set_t's bit order");
    if (sched_getaffinity(0, sizeof set, &set) < 0)
        return;
    memcpy(words, &set, sizeof words); /* glibc's bit order: CPU c is bit c % 64 of word c / 64 */
    bool changed = false;
    for (int w = 0; w < NET_CPU_WORDS; w++)
        if ((atomic_load_explicit(&n->wcpus[w], memory_order_relaxed) & words[w]) != words[w] &&
            (atomic_fetch_or(&n->wcpus[w], words[w]) & words[w]) != words[w])
            changed = true;
    if (CPU_COUNT(&set) > 1 && !atomic_load(&n->unbound) && !atomic_exchange(&n->unbound, 1))
        changed = true;
    uint32_t lanes = atomic_load(&n->lanes);
    while (lanes < worker + 1 && !atomic_compare_exchange_weak(&n->lanes, &lanes, worker + 1)) {
    }
    if (lanes < worker + 1)
        changed = true;
    if (changed)
        atomic_fetch_add(&n->seq, 1);
}

static int net_worker_init(const void *shared, uint32_t worker, void **wstate)
{
    net_worker_report((net_shared *)shared, worker); /* a writable shared mapping */
    net_conn *c = malloc(sizeof *c);
    if (!c)
        return -ENOMEM;
    c->fd = -1;
    c->addr = 0;
    *wstate = c;
    return 0;
}

static void net_worker_fini(void *wstate)
{
    net_conn *c = wstate;
    if (c && c->fd >= 0)
        net_client_close(c->fd);
    free(c);
}

static int64_t net_now_ms(void) { return (int64_t)(wl_now_ns() / 1000000u); }

/* Connect (unless kept alive) and one request, within n->timeout_ms in all. */
static int net_exchange(const net_shared *n, uint16_t port, int *fd, uint32_t tag, net_reply *r)
{
    int64_t start = net_now_ms();
    int rc = 0;
    if (*fd < 0)
        rc = net_client_connect(n->host, port, n->timeout_ms, fd);
    if (rc < 0)
        return rc;
    int64_t left = n->timeout_ms - (net_now_ms() - start);
    return left > 0 ? net_client_request(*fd, n->delay_us, n->bytes, tag, (int)left, r) : -ETIMEDOUT;
}

static int net_run(wl_task *t)
{
    net_shared *n = (net_shared *)t->shared; /* a writable shared mapping: failures are flagged there */
    net_conn *c = t->wstate;
    net_reply r = {0};
    uint64_t addr = atomic_load(&n->addr);
    uint16_t port = (uint16_t)addr;
    int rc = atomic_load(&n->svc_err);
    if (rc < 0) {
        snprintf(t->out->detail, sizeof t->out->detail, "embedded delay server did not restart: %s",
                 strerror(-rc));
        return rc;
    }
    int fd = -1;
    if (n->keepalive && c->fd >= 0) {
        if (c->addr == addr && !net_client_stale(c->fd))
            fd = c->fd;
        else
            net_client_close(c->fd); /* replaced or closed server side: reconnect */
        c->fd = -1;
    }
    wl_block_begin(t); /* socket I/O releases the lock, as CPython's does */
    rc = net_exchange(n, port, &fd, t->index, &r);
    wl_block_end(t);
    if (rc < 0 || !n->keepalive) {
        net_client_close(fd);
        fd = -1;
    }
    if (n->keepalive) {
        c->fd = fd;
        c->addr = addr;
    }
    if (rc < 0) {
        atomic_store(&n->suspect, 1);
        char why[WL_DETAIL_MAX];
        snprintf(t->out->detail, sizeof t->out->detail, "%.40s:%u: %s", n->host, port,
                 net_client_reason(rc, r.status, why, sizeof why));
        return rc;
    }
    t->out->value_ns = r.elapsed_ns;
    memcpy(t->out->digest, &r.tag, sizeof r.tag);
    t->out->digest_len = sizeof r.tag;
    return 0;
}

/* Every task got its own reply (the tag echoes the index; the client checked the payload). */
static int net_check(const void *shared, uint32_t index, const wl_out *out, char *detail, size_t len)
{
    const net_shared *n = shared;
    uint64_t tag;
    memcpy(&tag, out->digest, sizeof tag);
    if (out->digest_len == sizeof tag && tag == index && out->value_ns >= (uint64_t)n->delay_us * 1000u)
        return 0;
    snprintf(detail, len, "task %u: reply tag %llu after %llu ns", index, (unsigned long long)tag,
             (unsigned long long)out->value_ns);
    return -EBADMSG;
}

/* Replaces a dead embedded server and places it, then resets the server's lateness statistics so
 * each run reports its own. */
static void net_run_begin(void *shared)
{
    net_shared *n = shared;
    net_refresh(n);
    net_place(n);
    delay_proto_stats st;
    net_client_stats(n->host, (uint16_t)atomic_load(&n->addr), true, NET_STATS_MS, &st);
}

static void net_extra_values(void *shared, double *v)
{
    net_shared *n = shared;
    netsvc_info si;
    netsvc_info_get(&si);
    bool emb = netsvc_embedded() && si.started;
    v[3] = emb && si.cpu >= 0 ? si.cpu : NAN;
    v[4] = emb ? si.nice : NAN;
    delay_proto_stats st;
    if (net_client_stats(n->host, (uint16_t)atomic_load(&n->addr), false, NET_STATS_MS, &st) < 0 ||
        st.count == 0) {
        v[0] = v[1] = v[2] = NAN;
        return;
    }
    v[0] = (double)st.p50_ns / 1e3;
    v[1] = (double)st.p99_ns / 1e3;
    v[2] = (double)st.max_ns / 1e3;
}

static const workload net_workload = {
    .name = "net",
    .description = "network wait: TCP request, reply after delay_us from the delay server (embedded or --tvp_net_target)",
    .default_tasks = 32,
    .n_params = sizeof net_params / sizeof net_params[0],
    .params = net_params,
    .setup = net_setup,
    .teardown = net_teardown,
    .worker_init = net_worker_init,
    .worker_fini = net_worker_fini,
    .run = net_run,
    .check = net_check,
    .batch_begin = net_batch_begin,
    .run_begin = net_run_begin,
    .extra_names = net_extra,
    .extra_values = net_extra_values,
};
TVP_WORKLOAD(net_workload);
