/* delay_spawn.c: the delay server's child-process launcher: fork, report the port through a pipe, stop with a bounded wait. */
#include "delay_server.h"
#include "metrics.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define DS_SPAWN_WAIT_MS 10000    /* parent waits this long for the child's port */
#define DS_STOP_WAIT_MS 3000      /* SIGTERM grace before SIGKILL */

/* The harness's one clock (metrics_now_ns: CLOCK_MONOTONIC). */
static int64_t now_ns(void) { return (int64_t)metrics_now_ns(); }

static volatile sig_atomic_t ds_child_stop;
static pid_t ds_parent;

/* SIGTERM from the harness stops the server cleanly; from anyone else (a group-wide signal such
 * as timeout(1)'s, or a terminal's) it is ignored, like SIGINT and SIGHUP: the harness stops its
 * server after its workers, so that requests in flight are answered. */
static void ds_child_on_term(int sig, siginfo_t *info, void *ctx)
{
    (void)sig;
    (void)ctx;
    if (info && info->si_pid == ds_parent)
        ds_child_stop = 1;
}

static void child_signals(pid_t parent)
{
    ds_parent = parent;
    struct sigaction sa = {0};
    sigemptyset(&sa.sa_mask);
    sa.sa_sigaction = ds_child_on_term;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGTERM, &sa, NULL);
    struct sigaction ign = {.sa_handler = SIG_IGN};
    sigemptyset(&ign.sa_mask);
    sigaction(SIGINT, &ign, NULL);
    sigaction(SIGHUP, &ign, NULL);
    sigaction(SIGPIPE, &ign, NULL);
    sigset_t all;
    sigemptyset(&all);
    sigprocmask(SIG_SETMASK, &all, NULL);
}

/* Closes every inherited descriptor except 0-2 and keep. */
static void child_close_fds(int keep)
{
    if (keep > 3 && close_range(3, (unsigned)keep - 1, 0) == 0 &&
        close_range((unsigned)keep + 1, ~0u, 0) == 0)
        return;
    if (keep == 3 && close_range(4, ~0u, 0) == 0)
        return;
    long max = sysconf(_SC_OPEN_MAX);
    if (max < 0 || max > 65536)
        max = 65536;
    for (int fd = 3; fd < max; fd++)
        if (fd != keep)
            close(fd);
}

static void raise_nofile(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
}

typedef struct {
    int32_t rc;
    uint16_t port;
} spawn_msg;

static _Noreturn void child_main(const char *host, int wfd, pid_t parent)
{
    prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
    if (getppid() != parent)
        _exit(1);
    child_signals(parent);
    child_close_fds(wfd);
    raise_nofile();
    delay_server *s = NULL;
    spawn_msg msg = {0};
    msg.rc = delay_server_open(host, 0, &s);
    if (s)
        msg.port = delay_server_port(s);
    ssize_t n = write(wfd, &msg, sizeof msg);
    close(wfd);
    if (msg.rc < 0 || n != (ssize_t)sizeof msg)
        _exit(1);
    int rc = delay_server_run(s, &ds_child_stop);
    delay_server_close(s);
    _exit(rc < 0 ? 1 : 0);
}

/* Reads the child's report, waiting at most DS_SPAWN_WAIT_MS. */
static int spawn_read_msg(int rfd, spawn_msg *msg)
{
    struct pollfd pfd = {.fd = rfd, .events = POLLIN};
    int64_t deadline = now_ns() + (int64_t)DS_SPAWN_WAIT_MS * 1000000;
    size_t got = 0;
    while (got < sizeof *msg) {
        int64_t left_ms = (deadline - now_ns()) / 1000000;
        if (left_ms <= 0)
            return -ETIMEDOUT;
        int pr = poll(&pfd, 1, (int)left_ms);
        if (pr < 0 && errno != EINTR)
            return -errno;
        if (pr <= 0)
            continue;
        ssize_t n = read(rfd, (char *)msg + got, sizeof *msg - got);
        if (n == 0)
            return -EIO;
        if (n < 0 && errno != EINTR && errno != EAGAIN)
            return -errno;
        if (n > 0)
            got += (size_t)n;
    }
    return 0;
}

static void reap_now(pid_t pid)
{
    kill(pid, SIGKILL);
    while (waitpid(pid, NULL, 0) < 0 && errno == EINTR) {
    }
}

int delay_server_spawn(const char *host, uint16_t *port_out, pid_t *pid_out)
{
    int p[2];
    if (pipe2(p, O_CLOEXEC) < 0)
        return -errno;
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0) {
        int err = -errno;
        close(p[0]);
        close(p[1]);
        return err;
    }
    if (pid == 0) {
        close(p[0]);
        child_main(host, p[1], parent);
    }
    close(p[1]);
    spawn_msg msg;
    int rc = spawn_read_msg(p[0], &msg);
    close(p[0]);
    if (rc == 0 && msg.rc < 0)
        rc = msg.rc;
    if (rc < 0) {
        reap_now(pid);
        return rc;
    }
    *port_out = msg.port;
    *pid_out = pid;
    return 0;
}

static int stop_status(int st, bool killed)
{
    if (killed)
        return -ETIMEDOUT;
    if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
        return 0;
    if (WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM)
        return 0;
    return -EIO;
}

int delay_server_stop(pid_t pid)
{
    if (pid <= 0)
        return -EINVAL;
    if (kill(pid, SIGTERM) < 0 && errno != ESRCH)
        return -errno;
    int64_t deadline = now_ns() + (int64_t)DS_STOP_WAIT_MS * 1000000;
    int st = 0;
    for (;;) {
        pid_t r = waitpid(pid, &st, WNOHANG);
        if (r == pid)
            return stop_status(st, false);
        if (r < 0 && errno != EINTR)
            return -errno;
        if (now_ns() >= deadline)
            break;
        struct timespec ts = {0, 2000000};
        nanosleep(&ts, NULL);
    }
    kill(pid, SIGKILL);
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR)
            return -errno;
    return stop_status(st, true);
}
