/* test_delay_limits.c: the delay server's limits over loopback: idle, incomplete-request and send timeouts, descriptor exhaustion (named no_fds replies, back-off without spinning, recovery). */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "delay_proto.h"
#include "delay_server.h"
#include "net_client.h"
#include "delay_harness.h"

/* Valgrind emulates RLIMIT_NOFILE: the kernel accepts a connection past the emulated limit and
 * valgrind closes it to return EMFILE, so the client sees a bare reset that no server can turn
 * into a reply. The descriptor-exhaustion cases skip themselves there. */
#if defined(__has_include)
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#define UNDER_VALGRIND() (RUNNING_ON_VALGRIND != 0)
#endif
#endif
#ifndef UNDER_VALGRIND
#define UNDER_VALGRIND() 0
#endif


static void raw_request(uint8_t buf[DELAY_PROTO_REQUEST_SIZE], uint8_t op, uint32_t delay_us,
                        uint32_t bytes, uint64_t tag)
{
    delay_proto_request req = {.op = op, .delay_us = delay_us, .reply_bytes = bytes, .tag = tag};
    assert_int_equal(delay_proto_encode_request(&req, buf), 0);
}

static void *run_server(void *p)
{
    static int rc;
    rc = delay_server_run(p, NULL);
    return &rc;
}

/* ---- limits: idle, incomplete request, send progress ---- */

/* When fd was seen closed by the peer (FIN or reset; unread data does not count), 0 while open.
 * Waits up to wait_ms. */
static int64_t closed_at(int fd, int wait_ms)
{
    struct pollfd p = {.fd = fd, .events = POLLRDHUP};
    int rc;
    while ((rc = poll(&p, 1, wait_ms)) < 0 && errno == EINTR) {
    }
    return rc > 0 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR)) ? now_ns() : 0;
}

static void test_limits_idle_send_partial(void **state)
{
    (void)state;
    delay_server_config cfg;
    delay_server_config_init(&cfg);
    cfg.host = HOST;
    cfg.send_timeout_ms = 1500;
    cfg.partial_timeout_ms = 1500;
    cfg.idle_timeout_ms = 2500;
    delay_server *s;
    assert_int_equal(delay_server_open_config(&cfg, &s), 0);
    uint16_t port = delay_server_port(s);
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, run_server, s), 0);
    uint8_t req[DELAY_PROTO_REQUEST_SIZE];

    /* A client that asks for 4 x 16 MiB and never reads. */
    int hog = connect_or_fail(port);
    int64_t t_hog = now_ns();
    for (uint64_t i = 0; i < 4; i++) {
        raw_request(req, DELAY_OP_DELAY, 0, DELAY_PROTO_MAX_BYTES, i);
        send_raw(hog, req, sizeof req);
    }
    /* One that goes idle after an exchange, one that sends half a request. */
    int idle = connect_or_fail(port);
    int64_t t_idle = now_ns();
    net_reply r;
    assert_int_equal(net_client_request(idle, 0, 10, 1, 5000, &r), 0);
    assert_false(net_client_stale(idle));
    int half = connect_or_fail(port);
    int64_t t_half = now_ns();
    raw_request(req, DELAY_OP_DELAY, 0, 0, 9);
    send_raw(half, req, 10);

    /* A normal client, busy for longer than every limit, is never cut off. Its replies fit in
     * the socket buffers, so even a stalled test thread cannot trip the send limit. */
    int normal = connect_or_fail(port);
    int64_t until = now_ns() + 4000 * MS, c_hog = 0, c_idle = 0, c_half = 0;
    for (uint64_t i = 0; now_ns() < until; i++) {
        assert_int_equal(net_client_request(normal, 10000, 65536, i, 10000, &r), 0);
        c_hog = c_hog ? c_hog : closed_at(hog, 0);
        c_idle = c_idle ? c_idle : closed_at(idle, 0);
        c_half = c_half ? c_half : closed_at(half, 0);
    }
    c_hog = c_hog ? c_hog : closed_at(hog, 20000);
    c_idle = c_idle ? c_idle : closed_at(idle, 20000);
    c_half = c_half ? c_half : closed_at(half, 20000);
    /* Each closed, and not before its limit (the only timing asserted: a lower bound). */
    assert_true(c_hog >= t_hog + 1500 * MS);
    assert_true(c_idle >= t_idle + 2500 * MS);
    assert_true(c_half >= t_half + 1500 * MS);
    assert_true(net_client_stale(idle));
    int rc = net_client_request(idle, 0, 10, 2, 2000, NULL);
    assert_true(rc == -ECONNRESET || rc == -EPIPE);
    assert_int_equal(net_client_request(normal, 0, 10, 3, 5000, NULL), 0);

    delay_proto_stats st;
    assert_int_equal(net_client_stats_fd(normal, false, 5000, &st), 0);
    assert_true(st.errors >= 2); /* the send timeout and the incomplete request */
    delay_server_request_stop(s);
    pthread_join(th, NULL);
    delay_server_counters c;
    delay_server_counters_get(s, &c);
    assert_int_equal(c.send_timeouts, 1);
    assert_int_equal(c.partial_closed, 1);
    assert_true(c.idle_closed >= 1);
    delay_server_close(s);
    net_client_close(hog);
    net_client_close(idle);
    net_client_close(half);
    net_client_close(normal);

    cfg.send_timeout_ms = DELAY_SERVER_TIMEOUT_MAX_MS + 1;
    assert_int_equal(delay_server_open_config(&cfg, &s), -EINVAL);
}

/* ---- descriptor exhaustion on the server ---- */

static pid_t g_child; /* the limited server, killed by the teardown even after a failure */

static int kill_child(void **state)
{
    (void)state;
    if (g_child > 0) {
        kill(g_child, SIGKILL);
        waitpid(g_child, NULL, 0);
    }
    g_child = 0;
    return 0;
}

/* Forks a server whose RLIMIT_NOFILE is `limit`: descriptors 0-2, 3 (the pipe reporting the
 * port, closed once reported, so free for a connection), then the server's own (listen, epoll,
 * timerfd, eventfd, and the spare when it fits). */
static pid_t limited_server(rlim_t limit, uint16_t *port)
{
    int p[2];
    assert_int_equal(pipe(p), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        if (dup2(p[1], 3) < 0 || close_range(4, ~0u, 0) < 0)
            _exit(1);
        struct rlimit rl;
        delay_server *s;
        if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
            _exit(1);
        rl.rlim_cur = limit; /* the soft limit only: valgrind refuses to change the hard one */
        if (setrlimit(RLIMIT_NOFILE, &rl) < 0 || delay_server_open(HOST, 0, &s) < 0)
            _exit(1);
        uint16_t bound = delay_server_port(s);
        if (write(3, &bound, sizeof bound) != (ssize_t)sizeof bound)
            _exit(1);
        close(3);
        delay_server_run(s, NULL);
        _exit(0);
    }
    close(p[1]);
    g_child = pid;
    *port = 0;
    struct pollfd pf = {.fd = p[0], .events = POLLIN};
    assert_int_equal(poll(&pf, 1, 5000), 1);
    assert_int_equal(read(p[0], port, sizeof *port), (ssize_t)sizeof *port);
    close(p[0]);
    return pid;
}

/* Until a fresh connection gets a reply (the server takes connections again). */
static void assert_served_again(uint16_t port)
{
    int served = 0;
    for (int attempt = 0; attempt < 100 && !served; attempt++) {
        int fd = connect_or_fail(port);
        served = net_client_request(fd, 0, 10, 7, 5000, NULL) == 0;
        net_client_close(fd);
        if (!served)
            usleep(50000);
    }
    assert_true(served);
}

#define N_FD_CONNS 14

/* Room for a few connections only: the rest get a no_fds reply (not a bare reset), the server
 * keeps serving the ones it has, and takes new connections again once some close. */
static void test_server_out_of_fds_says_so(void **state)
{
    (void)state;
    if (UNDER_VALGRIND())
        skip();
    uint16_t port;
    limited_server(16, &port); /* 16 - 3 - 5 = 8 connections */
    int fds[N_FD_CONNS];
    for (int i = 0; i < N_FD_CONNS; i++)
        fds[i] = connect_or_fail(port); /* the kernel completes them all */
    int ok = 0, refused = 0;
    for (int i = 0; i < N_FD_CONNS; i++) {
        net_reply r = {0};
        int rc = net_client_request(fds[i], 0, 10, (uint64_t)i, 5000, &r);
        if (rc == 0) {
            ok++;
            continue;
        }
        assert_int_equal(rc, -EREMOTEIO);
        assert_int_equal(r.status, DELAY_ST_NO_FDS);
        char why[96];
        assert_non_null(strstr(net_client_reason(rc, r.status, why, sizeof why), "out of file descriptors"));
        net_client_close(fds[i]);
        fds[i] = -1;
        refused++;
    }
    assert_true(ok >= 1 && refused >= 1);
    int freed = 0;
    for (int i = 0; i < N_FD_CONNS; i++) {
        if (fds[i] < 0)
            continue;
        assert_int_equal(net_client_request(fds[i], 1000, 100, 100u + (uint64_t)i, 5000, NULL), 0);
        if (freed < 2) {
            net_client_close(fds[i]);
            fds[i] = -1;
            freed++;
        }
    }
    assert_served_again(port);
    for (int i = 0; i < N_FD_CONNS; i++)
        net_client_close(fds[i]);
}

/* CPU seconds a process has used (utime + stime). */
static double cpu_s(pid_t pid)
{
    char path[64], buf[1024];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    const char *p = strrchr(buf, ')');
    assert_non_null(p);
    unsigned long long ut = 0, st = 0;
    /* after the comm: state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime */
    assert_int_equal(sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut, &st), 2);
    return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

/* No room even for the spare descriptor: a pending connection cannot be taken at all. The
 * server pauses accepting instead of spinning on the level-triggered listen socket, keeps
 * serving what it has, and accepts again when a connection closes. */
static void test_server_out_of_fds_backs_off(void **state)
{
    (void)state;
    if (UNDER_VALGRIND())
        skip();
    uint16_t port;
    pid_t pid = limited_server(8, &port); /* 4 for the server, no spare: fd 3, one connection */
    int one = connect_or_fail(port);
    assert_int_equal(net_client_request(one, 0, 10, 1, 5000, NULL), 0);
    int pending = connect_or_fail(port); /* in the backlog: nothing can take it */
    uint8_t req[DELAY_PROTO_REQUEST_SIZE];
    raw_request(req, DELAY_OP_DELAY, 0, 10, 2);
    send_raw(pending, req, sizeof req);
    double cpu0 = cpu_s(pid);
    int64_t t0 = now_ns();
    usleep(1000000);
    double wall = (double)(now_ns() - t0) / 1e9, used = cpu_s(pid) - cpu0;
    assert_true(used < 0.5 * wall); /* a spinning loop would take all of it */
    for (uint64_t i = 0; i < 5; i++) /* the connection it has is still served */
        assert_int_equal(net_client_request(one, 10000, 10, 10 + i, 5000, NULL), 0);
    net_client_close(pending);
    net_client_close(one);
    assert_served_again(port);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_limits_idle_send_partial),
        cmocka_unit_test_teardown(test_server_out_of_fds_says_so, kill_child),
        cmocka_unit_test_teardown(test_server_out_of_fds_backs_off, kill_child),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
