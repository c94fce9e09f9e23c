/* tvp-delayd.c: the standalone delay server: validated flags, clean stop on SIGINT/SIGTERM, lateness and limits summary on exit. */
#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "delay_server.h"
#include "toolcli.h"

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
            "       tvp-delayd --help | --version\n"
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
            "  --version            the version and the git commit it was built from\n"
            "  -h, --help           this text\n"
            "A request left incomplete for %u ms closes its connection. Prints \"listening on\n"
            "ADDR:PORT\" ([ADDR]:PORT for IPv6) once bound; SIGINT/SIGTERM stop it and print the\n"
            "lateness and limits summary on stderr.\n"
            "Exit status: 0 stopped by a signal, 1 cannot listen or the event loop failed, 2 bad flags.\n",
            DELAY_PROTO_VERSION, DELAY_PROTO_MAX_DELAY_US, DELAY_PROTO_MAX_BYTES,
            DELAY_SERVER_DEFAULT_HOST, DELAY_SERVER_TIMEOUT_MAX_MS, DELAY_SERVER_IDLE_TIMEOUT_MS,
            DELAY_SERVER_TIMEOUT_MAX_MS, DELAY_SERVER_SEND_TIMEOUT_MS,
            DELAY_SERVER_PARTIAL_TIMEOUT_MS);
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

#define DELAYD "tvp-delayd"

static void parse_args(int argc, char **argv, delay_server_config *cfg)
{
    static const char *const known[] = {"--bind", "--port", "--idle_timeout_ms", "--send_timeout_ms", "--help",
                                        "--version"};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            exit(fflush(stdout) == 0 ? 0 : 1);
        } else if (strcmp(a, "--version") == 0) {
            exit(toolcli_print_version(DELAYD));
        } else if (strncmp(a, "--bind=", 7) == 0) {
            if (!is_numeric_addr(a + 7))
                toolcli_die(DELAYD, "%s: expected a numeric IPv4 or IPv6 address (e.g. 127.0.0.1, 0.0.0.0, ::1)",
                            a);
            cfg->host = a + 7;
        } else if (strncmp(a, "--port=", 7) == 0) {
            cfg->port = (uint16_t)toolcli_number(DELAYD, "--port", a + 7, 0, 65535, "0 = an ephemeral port");
        } else if (strncmp(a, "--idle_timeout_ms=", 18) == 0) {
            cfg->idle_timeout_ms = (uint32_t)toolcli_number(DELAYD, "--idle_timeout_ms", a + 18, 0,
                                                            DELAY_SERVER_TIMEOUT_MAX_MS, "0 = never");
        } else if (strncmp(a, "--send_timeout_ms=", 18) == 0) {
            cfg->send_timeout_ms = (uint32_t)toolcli_number(DELAYD, "--send_timeout_ms", a + 18, 0,
                                                            DELAY_SERVER_TIMEOUT_MAX_MS, "0 = never");
        } else if (strcmp(a, "--bind") == 0) {
            toolcli_die(DELAYD, "--bind: needs a value, as --bind=ADDR (a numeric IPv4 or IPv6 address)");
        } else if (strcmp(a, "--port") == 0) {
            toolcli_die(DELAYD, "--port: needs a value, as --port=N (0..65535)");
        } else if (strcmp(a, "--idle_timeout_ms") == 0 || strcmp(a, "--send_timeout_ms") == 0) {
            toolcli_die(DELAYD, "%s: needs a value, as %s=N (0..%u)", a, a, DELAY_SERVER_TIMEOUT_MAX_MS);
        } else {
            toolcli_unknown(DELAYD, a, known, sizeof known / sizeof known[0], NULL);
            exit(TOOLCLI_EXIT_USAGE);
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
