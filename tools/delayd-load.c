/* delayd-load.c: load benchmark for the delay server: N concurrent waits, makespan, client latency and server lateness percentiles. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "delay_proto.h"
#include "metrics.h"
#include "delay_server.h"
#include "net_client.h"
#include "toolcli.h"

#define LOAD_CONNECT_MS 5000
#define LOAD_STATS_MS 5000
#define LOAD_SLACK_MS 30000 /* a round may take delay + this before it is declared failed */
#define LOAD_FD_SLACK 32    /* descriptors besides the connections: stdio, epoll, STATS, server's own */

typedef struct {
    unsigned long conns, delay_us, bytes, rounds;
    char host[256];
    uint16_t port;
    bool external;
} load_opts;

typedef struct {
    int fd;
    uint64_t tag;
    uint8_t hdr[DELAY_PROTO_REPLY_SIZE];
    uint32_t hdr_got, payload_got, payload_len;
    int64_t sent_ns, done_ns;
    int err; /* 0, or -errno once failed */
    bool done;
} load_conn;

/* The harness's one clock (metrics_now_ns: CLOCK_MONOTONIC). */
static int64_t load_now_ns(void) { return (int64_t)metrics_now_ns(); }

static void load_usage(void)
{
    printf("usage: delayd-load [--conns=N] [--delay_us=N] [--bytes=N] [--rounds=N] "
           "[--target=HOST:PORT]\n"
           "       delayd-load --help | --version\n"
           "Opens N connections to a delay server (spawned on 127.0.0.1 unless --target), sends\n"
           "one request on each at once, waits for every reply and prints the makespan, the\n"
           "client-observed latency and the server's lateness percentiles.\n"
           "  --conns=N           concurrent connections, 1..100000 (default 1000)\n"
           "  --delay_us=N        requested delay, 0..%u (default 20000)\n"
           "  --bytes=N           reply size, 0..%u (default 64)\n"
           "  --rounds=N          rounds, 1..1000 (default 3)\n"
           "  --target=HOST:PORT  a delay server already running there (PORT 1..65535)\n"
           "  --version           the version and the git commit it was built from\n"
           "  -h, --help          this text\n"
           "Exit status: 0 every reply came back whole, 1 one did not or the run could not be\n"
           "set up (server, descriptors, connections), 2 bad flags.\n",
           DELAY_PROTO_MAX_DELAY_US, DELAY_PROTO_MAX_BYTES);
}

#define LOAD "delayd-load"

static void load_parse(int argc, char **argv, load_opts *o)
{
    static const char *const known[] = {"--conns", "--delay_us", "--bytes", "--rounds", "--target", "--help",
                                        "--version"};
    *o = (load_opts){.conns = 1000, .delay_us = 20000, .bytes = 64, .rounds = 3};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i], *eq = strchr(a, '=');
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            load_usage();
            exit(fflush(stdout) == 0 ? 0 : 1);
        }
        if (strcmp(a, "--version") == 0)
            exit(toolcli_print_version(LOAD));
        size_t k = eq ? (size_t)(eq - a) : strlen(a);
        const char *v = eq ? eq + 1 : NULL;
        const char *flag = NULL;
        for (size_t j = 0; j < sizeof known / sizeof known[0] - 2 && !flag; j++)
            if (strlen(known[j]) == k && strncmp(a, known[j], k) == 0)
                flag = known[j];
        if (!flag) {
            toolcli_unknown(LOAD, a, known, sizeof known / sizeof known[0], NULL);
            exit(TOOLCLI_EXIT_USAGE);
        }
        if (!v)
            toolcli_die(LOAD, "%s: needs a value, as %s=%s (see " LOAD " --help)", flag, flag,
                        strcmp(flag, "--target") == 0 ? "HOST:PORT" : "N");
        if (strcmp(flag, "--conns") == 0)
            o->conns = toolcli_number(LOAD, flag, v, 1, 100000, NULL);
        else if (strcmp(flag, "--delay_us") == 0)
            o->delay_us = toolcli_number(LOAD, flag, v, 0, DELAY_PROTO_MAX_DELAY_US, NULL);
        else if (strcmp(flag, "--bytes") == 0)
            o->bytes = toolcli_number(LOAD, flag, v, 0, DELAY_PROTO_MAX_BYTES, NULL);
        else if (strcmp(flag, "--rounds") == 0)
            o->rounds = toolcli_number(LOAD, flag, v, 1, 1000, NULL);
        else if (net_target_parse(v, o->host, sizeof o->host, &o->port) < 0)
            toolcli_die(LOAD, "--target=%s: expected HOST:PORT with PORT in 1..65535", v);
        else
            o->external = true;
    }
}

/* Raises the soft RLIMIT_NOFILE to the hard limit and checks it covers the connections. The
 * limit is per process: this client needs conns + a few; a server it spawns (no --target) is a
 * process of its own, inherits the limit and needs as many, so the check is the same. */
static void load_nofile(const load_opts *o)
{
    unsigned long need = o->conns + LOAD_FD_SLACK;
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
        return;
    if (rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    if (rl.rlim_cur < need) {
        fprintf(stderr,
                "delayd-load: --conns=%lu needs %lu descriptors (connections + %u)%s, but "
                "RLIMIT_NOFILE is %llu (hard limit): raise it (ulimit -n %lu) or lower --conns\n",
                o->conns, need, LOAD_FD_SLACK,
                o->external ? "" : " in this process and as many in the server it spawns",
                (unsigned long long)rl.rlim_cur, need);
        exit(1);
    }
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* Nearest-rank percentile of a sorted array. */
static int64_t pct(const int64_t *v, size_t n, double q)
{
    size_t r = (size_t)(q * (double)n + 0.999999);
    if (r < 1)
        r = 1;
    return v[(r > n ? n : r) - 1];
}

/* Reads what is available on one connection; marks it done or failed. */
static void load_read(load_conn *c)
{
    while (!c->done && !c->err) {
        uint8_t buf[16384];
        uint8_t *dst = c->hdr_got < sizeof c->hdr ? c->hdr + c->hdr_got : buf;
        size_t want = c->hdr_got < sizeof c->hdr ? sizeof c->hdr - c->hdr_got
                                                  : c->payload_len - c->payload_got;
        if (want > sizeof buf)
            want = sizeof buf;
        ssize_t n = recv(c->fd, dst, want, MSG_DONTWAIT);
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
            return;
        if (n <= 0) {
            c->err = n == 0 ? -ECONNRESET : -errno;
            return;
        }
        if (c->hdr_got < sizeof c->hdr) {
            c->hdr_got += (uint32_t)n;
            if (c->hdr_got == sizeof c->hdr) {
                delay_proto_reply rep;
                if (delay_proto_decode_reply(c->hdr, sizeof c->hdr, &rep) < 0 ||
                    rep.status != DELAY_ST_OK || rep.tag != c->tag ||
                    rep.payload_len != c->payload_len)
                    c->err = -EPROTO;
            }
        } else {
            if (delay_proto_payload_check(c->tag, c->payload_got, buf, (size_t)n) < 0)
                c->err = -EPROTO;
            c->payload_got += (uint32_t)n;
        }
        if (!c->err && c->hdr_got == sizeof c->hdr && c->payload_got == c->payload_len) {
            c->done_ns = load_now_ns();
            c->done = true;
        }
    }
}

static void load_send_all(load_conn *cs, size_t n, const load_opts *o, unsigned round)
{
    for (size_t i = 0; i < n; i++) {
        load_conn *c = &cs[i];
        *c = (load_conn){.fd = c->fd, .tag = ((uint64_t)round << 32) | i,
                         .payload_len = (uint32_t)o->bytes};
        delay_proto_request req = {.op = DELAY_OP_DELAY, .delay_us = (uint32_t)o->delay_us,
                                   .reply_bytes = (uint32_t)o->bytes, .tag = c->tag};
        uint8_t buf[DELAY_PROTO_REQUEST_SIZE];
        delay_proto_encode_request(&req, buf);
        c->sent_ns = load_now_ns();
        ssize_t w = send(c->fd, buf, sizeof buf, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (w != (ssize_t)sizeof buf)
            c->err = w < 0 ? -errno : -EAGAIN;
    }
}

/* Waits for every reply of a round; returns how many failed. */
static size_t load_wait_all(int ep, load_conn *cs, size_t n, int64_t deadline)
{
    size_t finished = 0;
    for (size_t i = 0; i < n; i++)
        finished += cs[i].err != 0;
    struct epoll_event evs[512];
    while (finished < n && load_now_ns() < deadline) {
        int k = epoll_wait(ep, evs, 512, 100);
        for (int j = 0; j < k; j++) {
            load_conn *c = &cs[evs[j].data.u32];
            if (c->done || c->err)
                continue;
            load_read(c);
            finished += c->done || c->err;
        }
    }
    size_t failed = 0;
    for (size_t i = 0; i < n; i++)
        if (!cs[i].done) {
            failed++;
            if (!cs[i].err)
                cs[i].err = -ETIMEDOUT;
        }
    return failed;
}

static void load_report(unsigned round, const load_conn *cs, size_t n, int64_t t0, int64_t send_end,
                        size_t failed, const delay_proto_stats *st, int st_rc)
{
    int64_t *lat = malloc(n * sizeof *lat);
    size_t m = 0;
    int64_t last = t0;
    for (size_t i = 0; i < n; i++)
        if (cs[i].done) {
            lat[m++] = cs[i].done_ns - cs[i].sent_ns;
            if (cs[i].done_ns > last)
                last = cs[i].done_ns;
        }
    qsort(lat, m, sizeof *lat, cmp_i64);
    printf("round %u: %zu ok, %zu failed; send phase %.2f ms; makespan %.2f ms\n", round, m, failed,
           (send_end - t0) / 1e6, (last - t0) / 1e6);
    if (m > 0)
        printf("  client latency ms: min %.2f p50 %.2f p90 %.2f p99 %.2f max %.2f\n", lat[0] / 1e6,
               pct(lat, m, 0.5) / 1e6, pct(lat, m, 0.9) / 1e6, pct(lat, m, 0.99) / 1e6,
               lat[m - 1] / 1e6);
    if (st_rc == 0)
        printf("  server lateness us (n=%" PRIu64 "): min %.1f p50 %.1f p90 %.1f p99 %.1f "
               "p99.9 %.1f max %.1f mean %.1f; errors %" PRIu64 "\n",
               st->count, st->min_ns / 1e3, st->p50_ns / 1e3, st->p90_ns / 1e3, st->p99_ns / 1e3,
               st->p999_ns / 1e3, st->max_ns / 1e3, st->mean_ns / 1e3, st->errors);
    else
        printf("  server stats unavailable: %s\n", strerror(-st_rc));
    free(lat);
}

static size_t load_round(const load_opts *o, int ep, load_conn *cs, unsigned round)
{
    size_t n = o->conns;
    delay_proto_stats st;
    int rc = net_client_stats(o->host, o->port, true, LOAD_STATS_MS, &st);
    if (rc < 0)
        fprintf(stderr, "delayd-load: STATS reset failed: %s\n", strerror(-rc));
    int64_t t0 = load_now_ns();
    load_send_all(cs, n, o, round);
    int64_t send_end = load_now_ns();
    int64_t deadline = send_end + (int64_t)o->delay_us * 1000 + (int64_t)LOAD_SLACK_MS * 1000000;
    size_t failed = load_wait_all(ep, cs, n, deadline);
    rc = net_client_stats(o->host, o->port, false, LOAD_STATS_MS, &st);
    load_report(round, cs, n, t0, send_end, failed, &st, rc);
    return failed;
}

static void load_connect_all(const load_opts *o, int ep, load_conn *cs)
{
    for (size_t i = 0; i < o->conns; i++) {
        int rc = net_client_connect(o->host, o->port, LOAD_CONNECT_MS, &cs[i].fd);
        if (rc < 0) {
            fprintf(stderr, "delayd-load: connection %zu to %s:%u failed: %s\n", i, o->host,
                    (unsigned)o->port, strerror(-rc));
            exit(1);
        }
        struct epoll_event ev = {.events = EPOLLIN, .data.u32 = (uint32_t)i};
        if (epoll_ctl(ep, EPOLL_CTL_ADD, cs[i].fd, &ev) < 0) {
            perror("delayd-load: epoll_ctl");
            exit(1);
        }
    }
}

int main(int argc, char **argv)
{
    load_opts o;
    load_parse(argc, argv, &o);
    signal(SIGPIPE, SIG_IGN);
    load_nofile(&o);
    pid_t pid = 0;
    if (!o.external) {
        snprintf(o.host, sizeof o.host, "%s", DELAY_SERVER_DEFAULT_HOST);
        int rc = delay_server_spawn(o.host, &o.port, &pid);
        if (rc < 0) {
            fprintf(stderr, "delayd-load: cannot start the server: %s\n", strerror(-rc));
            return 1;
        }
    }
    printf("delayd-load: %lu connections to %s:%u, delay %lu us, %lu reply bytes, %lu rounds\n",
           o.conns, o.host, (unsigned)o.port, o.delay_us, o.bytes, o.rounds);
    int ep = epoll_create1(EPOLL_CLOEXEC);
    load_conn *cs = calloc(o.conns, sizeof *cs);
    if (ep < 0 || !cs) {
        perror("delayd-load");
        return 1;
    }
    load_connect_all(&o, ep, cs);
    size_t failed = 0;
    for (unsigned r = 1; r <= o.rounds; r++)
        failed += load_round(&o, ep, cs, r);
    for (size_t i = 0; i < o.conns; i++)
        close(cs[i].fd);
    free(cs);
    close(ep);
    if (pid > 0) {
        int rc = delay_server_stop(pid);
        if (rc < 0)
            fprintf(stderr, "delayd-load: server stop: %s\n", strerror(-rc));
    }
    if (fflush(stdout) != 0)
        return 1;
    return failed ? 1 : 0;
}
