/* test_delay_server.c: delay server and client over loopback: delays, keepalive, malformed input, timeouts, signals, server death, STATS, concurrency, tvp-delayd. */
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "delay_proto.h"
#include "delay_server.h"
#include "net_client.h"
#include "delay_harness.h"

#define MARGIN_MS 500 /* wide: the 2-vCPU machine stalls up to tens of ms */

/* The shared server of the group. */
static uint16_t g_port;
static pid_t g_pid;

/* Reads exactly len bytes within timeout_ms; returns the bytes read (short on EOF/timeout). */
static size_t recv_raw(int fd, uint8_t *buf, size_t len, int timeout_ms)
{
    size_t got = 0;
    int64_t deadline = now_ns() + timeout_ms * MS;
    while (got < len) {
        int left = (int)((deadline - now_ns()) / MS);
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (left <= 0 || poll(&p, 1, left) <= 0)
            break;
        ssize_t n = read(fd, buf + got, len - got); /* sockets and pipes */
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    return got;
}

static void raw_request(uint8_t buf[DELAY_PROTO_REQUEST_SIZE], uint8_t op, uint32_t delay_us,
                        uint32_t bytes, uint64_t tag)
{
    memcpy(buf, "TVPD", 4);
    buf[4] = DELAY_PROTO_VERSION;
    buf[5] = op;
    memset(buf + 6, 0, DELAY_PROTO_REQUEST_SIZE - 6);
    for (int i = 0; i < 4; i++) {
        buf[8 + i] = (uint8_t)(delay_us >> (24 - 8 * i));
        buf[12 + i] = (uint8_t)(bytes >> (24 - 8 * i));
    }
    for (int i = 0; i < 8; i++)
        buf[16 + i] = (uint8_t)(tag >> (56 - 8 * i));
}

/* Sends raw bytes and expects an error reply with status (and tag) back. */
static void expect_error_reply(int fd, const uint8_t *req, uint8_t status, uint64_t tag)
{
    send_raw(fd, req, DELAY_PROTO_REQUEST_SIZE);
    uint8_t hdr[DELAY_PROTO_REPLY_SIZE];
    assert_int_equal(recv_raw(fd, hdr, sizeof hdr, 5000), sizeof hdr);
    delay_proto_reply rep;
    assert_int_equal(delay_proto_decode_reply(hdr, sizeof hdr, &rep), 0);
    assert_int_equal(rep.status, status);
    assert_true(rep.tag == tag);
    assert_int_equal(rep.payload_len, 0);
}

/* The server is still serving: a fresh connection gets a good reply. */
static void assert_server_alive(uint16_t port)
{
    int fd = connect_or_fail(port);
    net_reply r;
    assert_int_equal(net_client_request(fd, 0, 10, 99, 5000, &r), 0);
    net_client_close(fd);
}

static int group_setup(void **state)
{
    (void)state;
    /* SIGPIPE stays at its default on purpose: a send without MSG_NOSIGNAL would kill the test. */
    return delay_server_spawn(HOST, &g_port, &g_pid) == 0 && g_port != 0 ? 0 : -1;
}

static int group_teardown(void **state)
{
    (void)state;
    return delay_server_stop(g_pid) == 0 ? 0 : -1;
}

static void test_delay_20ms(void **state)
{
    (void)state;
    int fd = connect_or_fail(g_port);
    net_reply r;
    int64_t t0 = now_ns();
    assert_int_equal(net_client_request(fd, 20000, 1000, 0xabcdef, 5000, &r), 0);
    int64_t elapsed = now_ns() - t0;
    assert_true(elapsed >= 20 * MS);
    assert_true(elapsed < (20 + MARGIN_MS) * MS);
    assert_true((int64_t)r.elapsed_ns >= 20 * MS && (int64_t)r.elapsed_ns <= elapsed);
    assert_int_equal(r.status, DELAY_ST_OK);
    assert_int_equal(r.payload_len, 1000);
    assert_true(r.tag == 0xabcdef);
    assert_true(r.lateness_ns >= 0 && r.lateness_ns < MARGIN_MS * MS);
    net_client_close(fd);
}

static void test_keepalive_sequential(void **state)
{
    (void)state;
    int fd = connect_or_fail(g_port);
    const uint32_t sizes[] = {0, 1, 255, 256, 257, 4096, 70000, 200000};
    int64_t t0 = now_ns();
    for (uint64_t i = 0; i < 64; i++) {
        net_reply r;
        uint32_t bytes = sizes[i % (sizeof sizes / sizeof sizes[0])];
        assert_int_equal(net_client_request(fd, 1000, bytes, i * 7919, 5000, &r), 0);
        assert_int_equal(r.payload_len, bytes);
    }
    assert_true(now_ns() - t0 >= 64 * MS); /* served one after the other, each >= 1 ms */
    net_client_close(fd);
}

static void test_max_reply(void **state)
{
    (void)state;
    int fd = connect_or_fail(g_port);
    net_reply r;
    assert_int_equal(net_client_request(fd, 0, DELAY_PROTO_MAX_BYTES, 77, 60000, &r), 0);
    assert_int_equal(r.payload_len, DELAY_PROTO_MAX_BYTES);
    assert_int_equal(net_client_request(fd, 0, 3, 78, 5000, &r), 0); /* still in step */
    net_client_close(fd);
}

static void test_bad_magic_and_version_close(void **state)
{
    (void)state;
    uint8_t req[DELAY_PROTO_REQUEST_SIZE], b;
    for (int v = 0; v < 2; v++) {
        int fd = connect_or_fail(g_port);
        raw_request(req, DELAY_OP_DELAY, 0, 0, 5);
        if (v == 0)
            memcpy(req, "HTTP", 4);
        else
            req[4] = 9;
        expect_error_reply(fd, req, v == 0 ? DELAY_ST_BAD_MAGIC : DELAY_ST_BAD_VERSION, 0);
        assert_int_equal(recv_raw(fd, &b, 1, 5000), 0); /* then closed */
        net_client_close(fd);
    }
    assert_server_alive(g_port);
}

static void test_field_errors_keep_connection(void **state)
{
    (void)state;
    int fd = connect_or_fail(g_port);
    uint8_t req[DELAY_PROTO_REQUEST_SIZE];
    raw_request(req, 7, 0, 0, 11);
    expect_error_reply(fd, req, DELAY_ST_BAD_OP, 11);
    raw_request(req, DELAY_OP_DELAY, DELAY_PROTO_MAX_DELAY_US + 1, 0, 12);
    expect_error_reply(fd, req, DELAY_ST_DELAY_RANGE, 12);
    raw_request(req, DELAY_OP_DELAY, 0, DELAY_PROTO_MAX_BYTES + 1, 13);
    expect_error_reply(fd, req, DELAY_ST_SIZE_RANGE, 13);
    raw_request(req, DELAY_OP_DELAY, 0, UINT32_MAX, 14);
    expect_error_reply(fd, req, DELAY_ST_SIZE_RANGE, 14);
    raw_request(req, DELAY_OP_DELAY, 0, 0, 15);
    req[31] = 1; /* reserved */
    expect_error_reply(fd, req, DELAY_ST_BAD_FIELD, 15);
    raw_request(req, DELAY_OP_STATS, 5, 0, 16);
    expect_error_reply(fd, req, DELAY_ST_BAD_FIELD, 16);
    net_reply r; /* the same connection still serves */
    assert_int_equal(net_client_request(fd, 1000, 100, 17, 5000, &r), 0);
    net_client_close(fd);
}

static void test_garbage_and_truncated(void **state)
{
    (void)state;
    uint8_t junk[4096];
    for (size_t i = 0; i < sizeof junk; i++)
        junk[i] = (uint8_t)(i * 37 + 11);
    int fd = connect_or_fail(g_port);
    send_raw(fd, junk, sizeof junk);
    uint8_t hdr[DELAY_PROTO_REPLY_SIZE];
    size_t got = recv_raw(fd, hdr, sizeof hdr, 5000);
    assert_true(got == 0 || got == sizeof hdr); /* an error reply then close, or a reset */
    net_client_close(fd);
    fd = connect_or_fail(g_port); /* half a request, then hang up */
    send_raw(fd, junk, 10);
    net_client_close(fd);
    assert_server_alive(g_port);
}

static void test_client_refuses_over_caps(void **state)
{
    (void)state;
    int fd = connect_or_fail(g_port);
    assert_int_equal(net_client_request(fd, DELAY_PROTO_MAX_DELAY_US + 1, 0, 1, 1000, NULL), -ERANGE);
    assert_int_equal(net_client_request(fd, 0, DELAY_PROTO_MAX_BYTES + 1, 1, 1000, NULL), -EMSGSIZE);
    assert_int_equal(net_client_request(fd, 0, 0, 1, 0, NULL), -EINVAL);
    assert_int_equal(net_client_request(fd, 0, 0, 2, 1000, NULL), 0); /* nothing was sent */
    net_client_close(fd);
}

/* A socket that listens but never accepts or answers: the kernel completes the handshake. */
static int silent_listener(uint16_t *port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t al = sizeof a;
    assert_true(fd >= 0);
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(listen(fd, 8), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &al), 0);
    *port = ntohs(a.sin_port);
    return fd;
}

static void test_client_timeout_silent_server(void **state)
{
    (void)state;
    uint16_t port;
    int lfd = silent_listener(&port);
    int fd = connect_or_fail(port);
    net_reply r;
    int64_t t0 = now_ns();
    assert_int_equal(net_client_request(fd, 0, 10, 1, 300, &r), -ETIMEDOUT);
    int64_t elapsed = now_ns() - t0;
    assert_true(elapsed >= 290 * MS && elapsed < 5000 * MS);
    delay_proto_stats st;
    assert_int_equal(net_client_stats(HOST, port, false, 200, &st), -ETIMEDOUT);
    net_client_close(fd);
    close(lfd);
}

static void test_client_timeout_shorter_than_delay(void **state)
{
    (void)state;
    int fd = connect_or_fail(g_port);
    int64_t t0 = now_ns();
    assert_int_equal(net_client_request(fd, 2000000, 10, 1, 200, NULL), -ETIMEDOUT);
    assert_true(now_ns() - t0 < 1500 * MS);
    net_client_close(fd); /* the server's pending reply meets a closed socket */
    assert_server_alive(g_port);
}

static void test_connect_refused(void **state)
{
    (void)state;
    uint16_t port;
    int lfd = silent_listener(&port);
    close(lfd); /* nothing listens there now */
    int fd = -1;
    assert_int_equal(net_client_connect(HOST, port, 1000, &fd), -ECONNREFUSED);
    assert_int_equal(net_client_connect(HOST, 0, 1000, &fd), -EINVAL);
    assert_int_equal(net_client_connect(HOST, port, 0, &fd), -EINVAL);
}

typedef struct {
    pid_t pid;
    int delay_ms;
} killer_arg;

static void *killer(void *p)
{
    const killer_arg *k = p;
    struct timespec ts = {0, (long)k->delay_ms * 1000000L};
    nanosleep(&ts, NULL);
    kill(k->pid, SIGKILL);
    return NULL;
}

static void test_server_killed_mid_request(void **state)
{
    (void)state;
    uint16_t port;
    pid_t pid;
    assert_int_equal(delay_server_spawn(HOST, &port, &pid), 0);
    int fd = connect_or_fail(port);
    killer_arg k = {pid, 100};
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, killer, &k), 0);
    int64_t t0 = now_ns();
    int rc = net_client_request(fd, 5000000, 10, 1, 10000, NULL);
    assert_true(rc == -ECONNRESET || rc == -EPIPE);
    assert_true(now_ns() - t0 < 4000 * MS);
    pthread_join(th, NULL);
    /* Writing to the dead connection again: an error, not SIGPIPE. */
    rc = net_client_request(fd, 0, 10, 2, 1000, NULL);
    assert_true(rc == -ECONNRESET || rc == -EPIPE);
    net_client_close(fd);
    assert_int_equal(delay_server_stop(pid), -EIO); /* died by SIGKILL before we asked */
    int fd2 = -1;
    assert_int_equal(net_client_connect(HOST, port, 1000, &fd2), -ECONNREFUSED);
}

static void test_stats_count_and_reset(void **state)
{
    (void)state;
    int fd = connect_or_fail(g_port);
    delay_proto_stats st;
    assert_int_equal(net_client_stats_fd(fd, true, 2000, &st), 0);
    for (uint64_t i = 0; i < 5; i++)
        assert_int_equal(net_client_request(fd, 5000, 16, i, 5000, NULL), 0);
    assert_int_equal(net_client_stats_fd(fd, false, 2000, &st), 0);
    assert_int_equal(st.count, 5);
    assert_true(st.min_ns <= st.p50_ns && st.p50_ns <= st.p99_ns && st.p99_ns <= st.max_ns);
    assert_true(st.max_ns < (uint64_t)(MARGIN_MS * MS));
    assert_true(st.conns_open >= 1);
    assert_int_equal(net_client_stats(HOST, g_port, true, 2000, &st), 0);
    assert_int_equal(st.count, 5);
    assert_int_equal(net_client_stats(HOST, g_port, false, 2000, &st), 0);
    assert_int_equal(st.count, 0);
    assert_int_equal(st.max_ns, 0);
    net_client_close(fd);
}

#define N_CONC 200

static void test_200_concurrent(void **state)
{
    (void)state;
    int fds[N_CONC];
    for (int i = 0; i < N_CONC; i++)
        fds[i] = connect_or_fail(g_port);
    int64_t t0 = now_ns();
    for (int i = 0; i < N_CONC; i++) {
        uint8_t req[DELAY_PROTO_REQUEST_SIZE];
        raw_request(req, DELAY_OP_DELAY, 50000, 100, 1000u + (uint64_t)i);
        send_raw(fds[i], req, sizeof req);
    }
    for (int i = 0; i < N_CONC; i++) {
        uint8_t buf[DELAY_PROTO_REPLY_SIZE + 100];
        delay_proto_reply rep;
        assert_int_equal(recv_raw(fds[i], buf, sizeof buf, 10000), sizeof buf);
        assert_int_equal(delay_proto_decode_reply(buf, DELAY_PROTO_REPLY_SIZE, &rep), 0);
        assert_int_equal(rep.status, DELAY_ST_OK);
        assert_true(rep.tag == 1000u + (uint64_t)i);
        assert_int_equal(delay_proto_payload_check(rep.tag, 0, buf + DELAY_PROTO_REPLY_SIZE, 100), 0);
        net_client_close(fds[i]);
    }
    int64_t elapsed = now_ns() - t0;
    /* Served concurrently: one after the other would take 200 x 50 ms = 10 s. */
    assert_true(elapsed >= 50 * MS && elapsed < 3000 * MS);
}

static void *run_server(void *p)
{
    static int rc;
    rc = delay_server_run(p, NULL);
    return &rc;
}

static void test_in_process_open_run_stop(void **state)
{
    (void)state;
    delay_server *s, *s2;
    assert_int_equal(delay_server_open("not-an-address", 0, &s), -EINVAL);
    assert_int_equal(delay_server_open(NULL, 0, &s), 0);
    uint16_t port = delay_server_port(s);
    assert_true(port != 0);
    assert_int_equal(delay_server_open(HOST, port, &s2), -EADDRINUSE);
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, run_server, s), 0);
    int idle = connect_or_fail(port);    /* left open: close must free it */
    int waiting = connect_or_fail(port); /* left waiting for a reply */
    uint8_t req[DELAY_PROTO_REQUEST_SIZE];
    raw_request(req, DELAY_OP_DELAY, 5000000, 10, 1);
    send_raw(waiting, req, sizeof req);
    assert_server_alive(port);
    int64_t t0 = now_ns();
    delay_server_request_stop(s);
    void *ret;
    pthread_join(th, &ret);
    assert_int_equal(*(int *)ret, 0);
    assert_true(now_ns() - t0 < 2000 * MS);
    delay_server_close(s);
    uint8_t b;
    assert_int_equal(recv_raw(waiting, &b, 1, 2000), 0); /* closed by the server */
    net_client_close(idle);
    net_client_close(waiting);
    assert_int_equal(delay_server_stop(0), -EINVAL);
}

/* ---- signals: poll() interrupted without SA_RESTART ---- */

static volatile sig_atomic_t g_usr1;
static atomic_int g_signaller_stop;

static void on_usr1(int sig)
{
    (void)sig;
    g_usr1++;
}

static void *signaller(void *p)
{
    pthread_t target = *(pthread_t *)p;
    while (!atomic_load(&g_signaller_stop)) {
        pthread_kill(target, SIGUSR1);
        struct timespec ts = {0, 1000000};
        nanosleep(&ts, NULL);
    }
    return NULL;
}

/* A signal every millisecond, as tvp-bench's handlers (no SA_RESTART) would interrupt poll():
 * requests still succeed, and a silent server still times out within the bound. */
static void test_client_survives_signals(void **state)
{
    (void)state;
    struct sigaction sa = {0}, old;
    sa.sa_handler = on_usr1;
    sigemptyset(&sa.sa_mask);
    assert_int_equal(sigaction(SIGUSR1, &sa, &old), 0);
    pthread_t self = pthread_self(), th;
    atomic_store(&g_signaller_stop, 0);
    g_usr1 = 0;
    assert_int_equal(pthread_create(&th, NULL, signaller, &self), 0);

    int fd = connect_or_fail(g_port);
    net_reply r;
    int64_t t0 = now_ns();
    assert_int_equal(net_client_request(fd, 300000, 1 << 20, 5, 10000, &r), 0);
    assert_true(now_ns() - t0 >= 300 * MS);
    assert_int_equal(r.payload_len, 1 << 20);
    net_client_close(fd);

    uint16_t port;
    int lfd = silent_listener(&port);
    fd = connect_or_fail(port);
    t0 = now_ns();
    assert_int_equal(net_client_request(fd, 0, 10, 1, 300, NULL), -ETIMEDOUT);
    int64_t elapsed = now_ns() - t0;
    assert_true(elapsed >= 290 * MS && elapsed < 5000 * MS);
    net_client_close(fd);
    close(lfd);

    atomic_store(&g_signaller_stop, 1);
    pthread_join(th, NULL);
    assert_true(g_usr1 > 10); /* the waits really were interrupted */
    sigaction(SIGUSR1, &old, NULL);
}

static void test_target_parse(void **state)
{
    (void)state;
    char host[64];
    uint16_t port = 0;
    assert_int_equal(net_target_parse("127.0.0.1:8080", host, sizeof host, &port), 0);
    assert_string_equal(host, "127.0.0.1");
    assert_int_equal(port, 8080);
    assert_int_equal(net_target_parse("[::1]:9", host, sizeof host, &port), 0);
    assert_string_equal(host, "::1");
    assert_int_equal(port, 9);
    assert_int_equal(net_target_parse("bench-host.example_1:65535", host, sizeof host, &port), 0);
    assert_int_equal(port, 65535);
    const char *bad[] = {"", "host", "host:", ":80", "::1:80", "host:8x", "host:-1", "host:+80",
                         "[]:80", "[::1]80", "[::1", "ho st:80", "host:80 ", "[::1]:"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(net_target_parse(bad[i], host, sizeof host, &port), -EINVAL);
    assert_int_equal(net_target_parse("host:0", host, sizeof host, &port), -ERANGE);
    assert_int_equal(net_target_parse("host:65536", host, sizeof host, &port), -ERANGE);
    assert_int_equal(net_target_parse("host:99999999999999999999", host, sizeof host, &port), -ERANGE);
    assert_int_equal(net_target_parse("a-very-long-host-name:80", host, 8, &port), -ENAMETOOLONG);
}

/* ---- tvp-delayd, when built ---- */

#define DELAYD TVP_BUILD_DIR "/tvp-delayd"

/* Runs tvp-delayd with args; returns its exit status and what it wrote on stderr. */
static int delayd_exit(const char *arg, char *err, size_t err_len)
{
    int p[2];
    assert_int_equal(pipe(p), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        dup2(p[1], 2);
        execl(DELAYD, "tvp-delayd", arg, (char *)NULL);
        _exit(127);
    }
    close(p[1]);
    size_t got = 0;
    ssize_t n;
    while (got + 1 < err_len && (n = read(p[0], err + got, err_len - 1 - got)) > 0)
        got += (size_t)n;
    err[got] = '\0';
    close(p[0]);
    int st;
    assert_int_equal(waitpid(pid, &st, 0), pid);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static void test_delayd_flags(void **state)
{
    (void)state;
    if (access(DELAYD, X_OK) != 0)
        skip();
    char err[1024];
    struct {
        const char *arg, *names;
    } cases[] = {
        {"--port=65536", "--port"}, {"--port=-1", "0..65535"}, {"--port=abc", "--port"},
        {"--port=", "0..65535"},    {"--bind=localhost", "--bind"}, {"--bind=", "--bind"},
        {"--frobnicate", "--frobnicate"}, {"--port", "--port"},
        {"--idle_timeout_ms=86400001", "--idle_timeout_ms"}, {"--idle_timeout_ms=-1", "0..86400000"},
        {"--send_timeout_ms=1e3", "--send_timeout_ms"}, {"--send_timeout_ms=", "0..86400000"},
        {"--send_timeout_ms", "--send_timeout_ms"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        assert_int_equal(delayd_exit(cases[i].arg, err, sizeof err), 2);
        assert_non_null(strstr(err, cases[i].names));
    }
    assert_int_equal(delayd_exit("--help", err, sizeof err), 0);
}

/* Starts tvp-delayd on an ephemeral port with one more flag (or NULL); reads "listening on
 * 127.0.0.1:PORT". */
static pid_t delayd_start(uint16_t *port, const char *flag)
{
    int p[2];
    assert_int_equal(pipe(p), 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        dup2(p[1], 1);
        execl(DELAYD, "tvp-delayd", "--port=0", flag, (char *)NULL);
        _exit(127);
    }
    close(p[1]);
    char line[128] = {0};
    for (size_t got = 0; got + 1 < sizeof line; got++) /* one line, byte by byte */
        if (recv_raw(p[0], (uint8_t *)line + got, 1, 5000) != 1 || line[got] == '\n')
            break;
    close(p[0]);
    unsigned v = 0;
    assert_int_equal(sscanf(line, "listening on 127.0.0.1:%u", &v), 1);
    assert_true(v > 0 && v < 65536);
    *port = (uint16_t)v;
    return pid;
}

static void test_delayd_serves_and_stops(void **state)
{
    (void)state;
    if (access(DELAYD, X_OK) != 0)
        skip();
    const int sigs[] = {SIGTERM, SIGINT, SIGTERM};
    const char *flags[] = {NULL, "--idle_timeout_ms=0", "--send_timeout_ms=86400000"};
    for (size_t i = 0; i < 3; i++) {
        uint16_t port;
        pid_t pid = delayd_start(&port, flags[i]);
        assert_server_alive(port);
        assert_int_equal(kill(pid, sigs[i]), 0);
        int st;
        assert_int_equal(waitpid(pid, &st, 0), pid);
        assert_true(WIFEXITED(st));
        assert_int_equal(WEXITSTATUS(st), 0);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_delay_20ms),
        cmocka_unit_test(test_keepalive_sequential),
        cmocka_unit_test(test_max_reply),
        cmocka_unit_test(test_bad_magic_and_version_close),
        cmocka_unit_test(test_field_errors_keep_connection),
        cmocka_unit_test(test_garbage_and_truncated),
        cmocka_unit_test(test_client_refuses_over_caps),
        cmocka_unit_test(test_client_timeout_silent_server),
        cmocka_unit_test(test_client_timeout_shorter_than_delay),
        cmocka_unit_test(test_connect_refused),
        cmocka_unit_test(test_server_killed_mid_request),
        cmocka_unit_test(test_stats_count_and_reset),
        cmocka_unit_test(test_200_concurrent),
        cmocka_unit_test(test_in_process_open_run_stop),
        cmocka_unit_test(test_client_survives_signals),
        cmocka_unit_test(test_target_parse),
        cmocka_unit_test(test_delayd_flags),
        cmocka_unit_test(test_delayd_serves_and_stops),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
