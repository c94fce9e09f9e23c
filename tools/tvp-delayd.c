/* tvp-delayd.c: the standalone delay server: validated flags, clean stop on SIGINT/SIGTERM, lateness and limits summary on exit. */
#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "delay_server.h"

#define EXIT_USAGE 2

static volatile sig_atomic_t delayd_stop;

static void delayd_on_signal(int sig)
{
    (void)sig;
    delayd_stop = 1;
}

static void usage(FILE *f)
{
    fprintf(f,
            "usage: tvp-delayd [--bind=ADDR] [--port=N] [--idle_timeout_ms=N] [--send_timeout_ms=N]\n"
            "Serves the tvp delay protocol (version %u): each request is answered after its\n"
            "delay_us (<= %u us) with reply_bytes (<= %u) bytes; STATS returns the server's\n"
            "lateness percentiles.\n"
            "  --bind=ADDR          numeric IPv4 or IPv6 address to listen on (default %s)\n"
            "  --port=N             TCP port, 0..65535 (default 0: an ephemeral port)\n"
            "  --idle_timeout_ms=N  close a connection with no request in progress and nothing\n"
            "                       to send for N ms, 0..%u (0 = never; default %u)\n"
            "  --send_timeout_ms=N  reset a connection whose reply makes no progress (the peer\n"
            "                       does not read) for N ms, counted as an error, 0..%u\n"
            "                       (0 = never; default %u)\n"
            "  --help               this text\n"
            "A request left incomplete for %u ms closes its connection. Prints \"listening on\n"
            "ADDR:PORT\" once bound; SIGINT/SIGTERM stop it (exit 0).\n",
            DELAY_PROTO_VERSION, DELAY_PROTO_MAX_DELAY_US, DELAY_PROTO_MAX_BYTES,
            DELAY_SERVER_DEFAULT_HOST, DELAY_SERVER_TIMEOUT_MAX_MS, DELAY_SERVER_IDLE_TIMEOUT_MS,
            DELAY_SERVER_TIMEOUT_MAX_MS, DELAY_SERVER_SEND_TIMEOUT_MS,
            DELAY_SERVER_PARTIAL_TIMEOUT_MS);
}

__attribute__((format(printf, 1, 2))) static _Noreturn void die_usage(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "tvp-delayd: ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\n(see tvp-delayd --help)\n");
    va_end(ap);
    exit(EXIT_USAGE);
}

static int parse_port(const char *s, uint16_t *out)
{
    if (!*s || strlen(s) > 5)
        return -1;
    unsigned long v = 0;
    for (const char *p = s; *p; p++) {
        if (*p < '0' || *p > '9')
            return -1;
        v = v * 10 + (unsigned long)(*p - '0');
    }
    if (v > 65535)
        return -1;
    *out = (uint16_t)v;
    return 0;
}

/* A decimal 0..max, digits only. */
static int parse_ms(const char *s, uint32_t max, uint32_t *out)
{
    if (!*s || strlen(s) > 10)
        return -1;
    unsigned long long v = 0;
    for (const char *p = s; *p; p++) {
        if (*p < '0' || *p > '9')
            return -1;
        v = v * 10 + (unsigned long long)(*p - '0');
    }
    if (v > max)
        return -1;
    *out = (uint32_t)v;
    return 0;
}

static bool is_ipv6(const char *addr)
{
    struct in6_addr a6;
    return inet_pton(AF_INET6, addr, &a6) == 1;
}

static bool is_numeric_addr(const char *addr)
{
    struct in_addr a4;
    return inet_pton(AF_INET, addr, &a4) == 1 || is_ipv6(addr);
}

static void parse_args(int argc, char **argv, delay_server_config *cfg)
{
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            exit(fflush(stdout) == 0 ? 0 : 1);
        } else if (strncmp(a, "--bind=", 7) == 0) {
            if (!is_numeric_addr(a + 7))
                die_usage("--bind: expected a numeric IPv4 or IPv6 address (e.g. 127.0.0.1, "
                          "0.0.0.0, ::1), got '%s'", a + 7);
            cfg->host = a + 7;
        } else if (strncmp(a, "--port=", 7) == 0) {
            if (parse_port(a + 7, &cfg->port) < 0)
                die_usage("--port: expected an integer in 0..65535 (0 = ephemeral), got '%s'",
                          a + 7);
        } else if (strncmp(a, "--idle_timeout_ms=", 18) == 0) {
            if (parse_ms(a + 18, DELAY_SERVER_TIMEOUT_MAX_MS, &cfg->idle_timeout_ms) < 0)
                die_usage("--idle_timeout_ms: expected an integer in 0..%u (0 = never), got '%s'",
                          DELAY_SERVER_TIMEOUT_MAX_MS, a + 18);
        } else if (strncmp(a, "--send_timeout_ms=", 18) == 0) {
            if (parse_ms(a + 18, DELAY_SERVER_TIMEOUT_MAX_MS, &cfg->send_timeout_ms) < 0)
                die_usage("--send_timeout_ms: expected an integer in 0..%u (0 = never), got '%s'",
                          DELAY_SERVER_TIMEOUT_MAX_MS, a + 18);
        } else if (strcmp(a, "--bind") == 0 || strcmp(a, "--port") == 0 ||
                   strcmp(a, "--idle_timeout_ms") == 0 || strcmp(a, "--send_timeout_ms") == 0) {
            die_usage("%s needs a value: --bind=ADDR (numeric IPv4/IPv6), --port=N (0..65535), "
                      "--idle_timeout_ms=N, --send_timeout_ms=N (0..%u)", a,
                      DELAY_SERVER_TIMEOUT_MAX_MS);
        } else {
            die_usage("unknown argument '%s'; accepted: --bind=ADDR, --port=N (0..65535), "
                      "--idle_timeout_ms=N, --send_timeout_ms=N (0..%u), --help", a,
                      DELAY_SERVER_TIMEOUT_MAX_MS);
        }
    }
}

static void install_signals(void)
{
    struct sigaction sa = {0};
    sigemptyset(&sa.sa_mask);
    sa.sa_handler = delayd_on_signal; /* no SA_RESTART: epoll_wait returns EINTR */
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sa.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &sa, NULL);
    sigset_t set; /* a parent may have blocked them */
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigprocmask(SIG_UNBLOCK, &set, NULL);
}

static void raise_nofile(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
}

static void print_summary(const delay_server *s)
{
    delay_proto_stats st;
    delay_server_stats(s, &st);
    fprintf(stderr,
            "tvp-delayd: %llu delayed replies since the last reset; lateness us p50 %.1f p90 %.1f "
            "p99 %.1f p99.9 %.1f max %.1f; %llu errors; %llu connections\n",
            (unsigned long long)st.count, st.p50_ns / 1e3, st.p90_ns / 1e3, st.p99_ns / 1e3,
            st.p999_ns / 1e3, st.max_ns / 1e3, (unsigned long long)st.errors,
            (unsigned long long)st.conns_total);
    delay_server_counters c;
    delay_server_counters_get(s, &c);
    fprintf(stderr,
            "tvp-delayd: limits: %llu idle closed, %llu incomplete requests closed, %llu send "
            "timeouts; refused %llu (out of descriptors), %llu (out of memory); accept paused "
            "%llu times\n",
            (unsigned long long)c.idle_closed, (unsigned long long)c.partial_closed,
            (unsigned long long)c.send_timeouts, (unsigned long long)c.shed_no_fds,
            (unsigned long long)c.shed_no_memory, (unsigned long long)c.accept_pauses);
}

int main(int argc, char **argv)
{
    delay_server_config cfg;
    delay_server_config_init(&cfg);
    parse_args(argc, argv, &cfg);
    const char *bind = cfg.host;
    install_signals();
    raise_nofile();

    delay_server *s;
    int rc = delay_server_open_config(&cfg, &s);
    if (rc < 0) {
        fprintf(stderr, "tvp-delayd: cannot listen on %s port %u: %s\n", bind, (unsigned)cfg.port,
                strerror(-rc));
        return 1;
    }
    if (is_ipv6(bind))
        printf("listening on [%s]:%u\n", bind, (unsigned)delay_server_port(s));
    else
        printf("listening on %s:%u\n", bind, (unsigned)delay_server_port(s));
    if (fflush(stdout) != 0) {
        fprintf(stderr, "tvp-delayd: cannot write to stdout: %s\n", strerror(errno));
        delay_server_close(s);
        return 1;
    }
    rc = delay_server_run(s, &delayd_stop);
    print_summary(s);
    delay_server_close(s);
    if (rc < 0) {
        fprintf(stderr, "tvp-delayd: event loop failed: %s\n", strerror(-rc));
        return 1;
    }
    return 0;
}
