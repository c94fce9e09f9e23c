/* net.c: the real wait: a TCP request to the delay server, which replies after `delay_us`. */
#include <errno.h>
#include <math.h>
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

/* Extra result columns: the server's own lateness over the run, to show it kept up. */
static const char *const net_extra[] = {"server_late_p50_us", "server_late_p99_us", "server_late_max_us", NULL};

typedef struct net_shared {
    char host[256];
    uint16_t port;
    uint32_t delay_us, bytes;
    bool keepalive;
    int timeout_ms;
} net_shared;

static int net_setup(const wl_args *a, uint32_t tasks, void **shared)
{
    (void)tasks;
    net_shared *n = calloc(1, sizeof *n);
    if (!n)
        return -ENOMEM;
    int rc = netsvc_target(n->host, sizeof n->host, &n->port);
    if (rc < 0) {
        free(n);
        return rc;
    }
    n->delay_us = (uint32_t)a->v[P_DELAY_US];
    n->bytes = (uint32_t)a->v[P_BYTES];
    n->keepalive = a->v[P_CONN] == 0;
    n->timeout_ms = (int)(n->delay_us / 1000) + 10000; /* no task waits forever */
    *shared = n;
    return 0;
}

/* A keepalive worker's connection: opened lazily, dropped after an error. */
typedef struct net_conn {
    int fd;
} net_conn;

static int net_worker_init(const void *shared, uint32_t worker, void **wstate)
{
    (void)shared;
    (void)worker;
    net_conn *c = malloc(sizeof *c);
    if (!c)
        return -ENOMEM;
    c->fd = -1;
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

static int net_run(wl_task *t)
{
    const net_shared *n = t->shared;
    net_conn *c = t->wstate;
    net_reply r;
    int fd = n->keepalive ? c->fd : -1, rc = 0;
    wl_block_begin(t); /* socket I/O releases the lock, as CPython's does */
    if (fd < 0)
        rc = net_client_connect(n->host, n->port, n->timeout_ms, &fd);
    if (rc == 0)
        rc = net_client_request(fd, n->delay_us, n->bytes, t->index, n->timeout_ms, &r);
    wl_block_end(t);
    if (rc < 0 || !n->keepalive) {
        if (fd >= 0)
            net_client_close(fd);
        fd = -1;
    }
    if (n->keepalive)
        c->fd = fd;
    if (rc < 0) {
        snprintf(t->out->detail, sizeof t->out->detail, "%.40s:%u: %s", n->host, n->port, strerror(-rc));
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

/* Resets the server's lateness statistics so each run reports its own. */
static void net_run_begin(void *shared)
{
    const net_shared *n = shared;
    delay_proto_stats st;
    net_client_stats(n->host, n->port, true, 2000, &st);
}

static void net_extra_values(void *shared, double *v)
{
    const net_shared *n = shared;
    delay_proto_stats st;
    if (net_client_stats(n->host, n->port, false, 2000, &st) < 0 || st.count == 0) {
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
    .teardown = free,
    .worker_init = net_worker_init,
    .worker_fini = net_worker_fini,
    .run = net_run,
    .check = net_check,
    .run_begin = net_run_begin,
    .extra_names = net_extra,
    .extra_values = net_extra_values,
};
TVP_WORKLOAD(net_workload);
