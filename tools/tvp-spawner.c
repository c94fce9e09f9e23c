/* tvp-spawner.c: the small process tvp-bench execs to time spawns from (libc only: a minimal parent on purpose).
 *
 * tvp-bench's sched/spawn microbenchmarks run here, not in tvp-bench itself, so that "fork from a
 * process with heap_kib:0" is a fork from a process that holds only the C library, and every
 * heap size adds exactly that much touched private memory. It does one measurement call and
 * exits:
 *
 *   tvp-spawner --method=fork|vfork|posix_spawn|pthread --ops=N --heap-kib=K --cpu=C|-1
 *               --timeout-ms=T --parent=PID [--program=PATH]
 *
 * It dies with its parent (PR_SET_PDEATHSIG, then a check of getppid() against --parent), binds
 * itself to CPU C (>= 0), maps and writes K KiB (4 KiB pages: transparent huge pages off),
 * does 2 untimed warm-up ops, then N timed ops, each from just before the spawn to just after the
 * reap. A child that outlives T ms is killed (a one-shot timer armed before each op, outside its
 * timed part: nothing runs beside the ops, no second thread). The reply goes to standard output,
 * protocol 1 (tvp-bench's sched_spawner_parse is its reader):
 *
 *   tvp-spawner 1
 *   ok <ops> <cpu_ns> <ctx_vol> <ctx_invol> <cpu>     CPU and context switches of the spawner's
 *   <ns>                                              thread and its children during the timed
 *   ... (one line per op)                             ops; cpu: the bound CPU or -1
 *   end
 *
 * or, when the call failed, "tvp-spawner 1" then "error <errno> <detail>" (one line) and exit
 * status 1. Exit status 2: the arguments were wrong (the error reply says which). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define SPAWNER_PROTO 1      /* tvp-bench: SCHED_SPAWNER_PROTO */
#define SPAWNER_OPS_MAX 4096 /* tvp-bench: SCHED_BATCH_MAX */
#define SPAWNER_WARM 2
#define SPAWNER_DETAIL 160   /* fits tvp-bench's sched_result detail with its prefix */

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23 /* Linux 5.14 */
#endif

enum { M_PTHREAD, M_FORK, M_VFORK, M_POSIX_SPAWN, M_COUNT };
static const char *const method_names[M_COUNT] = {"pthread", "fork", "vfork", "posix_spawn"};

typedef struct spawner_opts {
    int method;
    unsigned long ops;
    unsigned long long heap_kib;
    long cpu;
    unsigned long timeout_ms;
    long parent;
    const char *program;
} spawner_opts;

/* The child being waited for (0: none) and whether the timer killed it: the SIGALRM handler's. */
static volatile sig_atomic_t sp_pid;
static volatile sig_atomic_t sp_fired;

/* The reply: formatted here at the end, written once to sp_reply_fd (standard output until setup
 * moves it to a close-on-exec descriptor, so a posix_spawn child does not hold the pipe open). */
static char sp_out[64 + 128 + SPAWNER_OPS_MAX * 22 + 8];
static int sp_reply_fd = STDOUT_FILENO;

static void write_all(const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(sp_reply_fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return; /* the reader is gone: nothing left to tell */
        p += w;
        n -= (size_t)w;
    }
}

/* "tvp-spawner 1\nerror <e> <detail>\n"; returns the exit status to leave with. */
__attribute__((format(printf, 3, 4))) static int reply_error(int status, int e, const char *fmt, ...)
{
    char detail[SPAWNER_DETAIL];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    for (char *c = detail; *c; c++)
        if (*c < 0x20 || *c == 0x7f)
            *c = ' '; /* one line */
    int n = snprintf(sp_out, sizeof sp_out, "tvp-spawner %d\nerror %d %s\n", SPAWNER_PROTO, e > 0 ? e : EIO, detail);
    write_all(sp_out, (size_t)n);
    return status;
}

static uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint64_t tv_ns(struct timeval tv) { return (uint64_t)tv.tv_sec * 1000000000u + (uint64_t)tv.tv_usec * 1000u; }

/* ---- arguments ---- */

/* Strict unsigned decimal: digits only, at most `max`. */
static int parse_u(const char *s, unsigned long long max, unsigned long long *out)
{
    if (!*s || strspn(s, "0123456789") != strlen(s) || strlen(s) > 20)
        return -1;
    errno = 0;
    unsigned long long v = strtoull(s, NULL, 10);
    if (errno || v > max)
        return -1;
    *out = v;
    return 0;
}

/* 0, or the exit status after an error reply. */
static int parse_args(int argc, char **argv, spawner_opts *o)
{
    bool seen[7] = {false};
    static const char *const keys[] = {"--method=", "--ops=", "--heap-kib=", "--cpu=", "--timeout-ms=", "--parent=",
                                       "--program="};
    for (int i = 1; i < argc; i++) {
        size_t k = 0;
        while (k < 7 && strncmp(argv[i], keys[k], strlen(keys[k])) != 0)
            k++;
        if (k == 7 || seen[k])
            return reply_error(2, EINVAL, "tvp-spawner: %s argument %s", k == 7 ? "unknown" : "repeated", argv[i]);
        seen[k] = true;
        const char *v = argv[i] + strlen(keys[k]);
        unsigned long long u = 0;
        int bad = 0;
        switch (k) {
        case 0:
            o->method = -1;
            for (int m = 0; m < M_COUNT; m++)
                if (strcmp(v, method_names[m]) == 0)
                    o->method = m;
            bad = o->method < 0;
            break;
        case 1:
            bad = parse_u(v, SPAWNER_OPS_MAX, &u) < 0 || u == 0;
            o->ops = (unsigned long)u;
            break;
        case 2:
            bad = parse_u(v, (unsigned long long)(SIZE_MAX / 2048), &u) < 0;
            o->heap_kib = u;
            break;
        case 3:
            if (strcmp(v, "-1") == 0) {
                o->cpu = -1;
            } else {
                bad = parse_u(v, CPU_SETSIZE - 1, &u) < 0;
                o->cpu = (long)u;
            }
            break;
        case 4:
            bad = parse_u(v, 86400000u, &u) < 0 || u == 0;
            o->timeout_ms = (unsigned long)u;
            break;
        case 5:
            bad = parse_u(v, INT_MAX, &u) < 0 || u < 1;
            o->parent = (long)u;
            break;
        default:
            bad = !*v;
            o->program = v;
            break;
        }
        if (bad)
            return reply_error(2, EINVAL, "tvp-spawner: bad value in %s", argv[i]);
    }
    for (size_t k = 0; k < 6; k++)
        if (!seen[k])
            return reply_error(2, EINVAL, "tvp-spawner: %sVALUE is missing", keys[k]);
    if (o->method == M_POSIX_SPAWN && !o->program)
        return reply_error(2, EINVAL, "tvp-spawner: posix_spawn needs --program=PATH");
    return 0;
}

/* ---- setup ---- */

static void on_alarm(int sig)
{
    (void)sig;
    pid_t p = (pid_t)sp_pid;
    if (p > 0) {
        sp_fired = 1;
        kill(p, SIGKILL);
    }
}

/* Maps and writes kib KiB of private memory, 4 KiB pages (MADV_POPULATE_WRITE where the kernel
 * has it: the same resident pages as a write to each, without a fault per page). 0 or -errno. */
static int heap_touch(unsigned long long kib)
{
    if (kib == 0)
        return 0;
    size_t len = (size_t)kib * 1024;
    char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return -errno;
    madvise(p, len, MADV_NOHUGEPAGE);
    if (madvise(p, len, MADV_POPULATE_WRITE) == 0)
        return 0;
    long page = sysconf(_SC_PAGESIZE);
    for (size_t off = 0; off < len; off += (size_t)(page > 0 ? page : 4096))
        p[off] = (char)(off >> 12 | 1);
    return 0; /* kept mapped until exit: it is the point */
}

/* ---- the ops ---- */

typedef struct spawn_acc {
    uint64_t child_cpu_ns, ctx_vol, ctx_invol;
} spawn_acc;

static void *thread_noop(void *arg)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    *(uint64_t *)arg = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
    return NULL;
}

/* vfork in a function of its own: nothing of the caller's frame is live across it. */
__attribute__((noinline)) static pid_t vfork_exit(void)
{
    pid_t pid = vfork();
    if (pid == 0)
        _exit(0);
    return pid;
}

/* One spawn and reap. 0, or the exit status after an error reply. */
static int one_op(const spawner_opts *o, char *const *argv, char *const *envp, spawn_acc *a)
{
    const char *what = method_names[o->method];
    pid_t pid;
    if (o->method == M_PTHREAD) {
        pthread_t th;
        uint64_t cpu = 0;
        int rc = pthread_create(&th, NULL, thread_noop, &cpu);
        if (rc)
            return reply_error(1, rc, "pthread_create: %s", strerror(rc));
        pthread_join(th, NULL);
        a->child_cpu_ns += cpu;
        return 0;
    }
    if (o->method == M_FORK) {
        pid = fork();
        if (pid == 0)
            _exit(0);
    } else if (o->method == M_VFORK) {
        pid = vfork_exit();
    } else {
        int rc = posix_spawn(&pid, argv[0], NULL, NULL, argv, envp);
        if (rc)
            return reply_error(1, rc, "posix_spawn %s: %s", argv[0], strerror(rc));
    }
    if (pid < 0) {
        int e = errno;
        return reply_error(1, e, "%s: %s", what, strerror(e));
    }
    sp_pid = pid;
    int status = 0;
    struct rusage ru;
    pid_t got;
    do
        got = wait4(pid, &status, 0, &ru);
    while (got < 0 && errno == EINTR);
    sp_pid = 0;
    if (got < 0) {
        int e = errno;
        return reply_error(1, e, "wait4 on the %s child: %s", what, strerror(e));
    }
    a->child_cpu_ns += tv_ns(ru.ru_utime) + tv_ns(ru.ru_stime);
    a->ctx_vol += (uint64_t)ru.ru_nvcsw;
    a->ctx_invol += (uint64_t)ru.ru_nivcsw;
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
        return 0;
    if (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL && sp_fired)
        return reply_error(1, ETIMEDOUT, "the %s child did not exit within %lu ms and was killed", what, o->timeout_ms);
    if (WIFSIGNALED(status))
        return reply_error(1, ECHILD, "the %s child was killed by signal %d (%s)", what, WTERMSIG(status),
                           strsignal(WTERMSIG(status)));
    return reply_error(1, ECHILD, "the %s child exited with status %d", what, WEXITSTATUS(status));
}

/* Arms the one-shot timer that kills a child older than the timeout (threads: no timer). */
static void arm(const spawner_opts *o)
{
    if (o->method == M_PTHREAD)
        return;
    struct itimerval it = {.it_value = {.tv_sec = (time_t)(o->timeout_ms / 1000),
                                        .tv_usec = (suseconds_t)(o->timeout_ms % 1000) * 1000}};
    setitimer(ITIMER_REAL, &it, NULL);
}

static uint64_t lat_ns[SPAWNER_OPS_MAX];

int main(int argc, char **argv)
{
    spawner_opts o = {.method = -1, .cpu = -1};
    int rc = parse_args(argc, argv, &o);
    if (rc)
        return rc;
    prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
    if (getppid() != (pid_t)o.parent)
        return 127; /* the parent is gone: nobody reads the reply */
    close_range(3, ~0u, 0); /* descriptors the parent leaked: fork would copy them */
    int fd = fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3), null = open("/dev/null", O_WRONLY | O_CLOEXEC);
    if (fd >= 0 && null >= 0 && dup2(null, STDOUT_FILENO) == STDOUT_FILENO)
        sp_reply_fd = fd;
    if (null >= 0)
        close(null);
    if (o.cpu >= 0) {
        cpu_set_t set;
        CPU_ZERO(&set);
        CPU_SET((int)o.cpu, &set);
        if (sched_setaffinity(0, sizeof set, &set) < 0) {
            int e = errno;
            return reply_error(1, e, "cannot bind to CPU %ld: %s", o.cpu, strerror(e));
        }
    }
    struct sigaction sa = {.sa_handler = on_alarm, .sa_flags = SA_RESTART};
    sigemptyset(&sa.sa_mask);
    sigaction(SIGALRM, &sa, NULL);
    if ((rc = heap_touch(o.heap_kib)) < 0)
        return reply_error(1, -rc, "cannot touch %llu KiB: %s", o.heap_kib, strerror(-rc));

    char *const spawn_argv[] = {(char *)(o.program ? o.program : ""), NULL};
    char *const spawn_envp[] = {NULL};
    spawn_acc acc = {0, 0, 0};
    for (int i = 0; i < SPAWNER_WARM; i++) {
        arm(&o);
        if ((rc = one_op(&o, spawn_argv, spawn_envp, &acc)) != 0)
            return rc;
    }
    acc = (spawn_acc){0, 0, 0};
    struct rusage u0, u1;
    struct timespec c0, c1;
    getrusage(RUSAGE_THREAD, &u0);
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c0);
    for (unsigned long i = 0; i < o.ops; i++) {
        arm(&o);
        uint64_t t0 = now_ns();
        rc = one_op(&o, spawn_argv, spawn_envp, &acc);
        uint64_t t1 = now_ns();
        if (rc)
            return rc;
        lat_ns[i] = t1 > t0 ? t1 - t0 : 1;
    }
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &c1);
    getrusage(RUSAGE_THREAD, &u1);
    uint64_t self_ns = ((uint64_t)c1.tv_sec * 1000000000u + (uint64_t)c1.tv_nsec) -
                       ((uint64_t)c0.tv_sec * 1000000000u + (uint64_t)c0.tv_nsec);

    int n = snprintf(sp_out, sizeof sp_out, "tvp-spawner %d\nok %lu %llu %llu %llu %ld\n", SPAWNER_PROTO, o.ops,
                     (unsigned long long)(self_ns + acc.child_cpu_ns),
                     (unsigned long long)((uint64_t)(u1.ru_nvcsw - u0.ru_nvcsw) + acc.ctx_vol),
                     (unsigned long long)((uint64_t)(u1.ru_nivcsw - u0.ru_nivcsw) + acc.ctx_invol), o.cpu);
    size_t used = (size_t)n;
    for (unsigned long i = 0; i < o.ops; i++)
        used += (size_t)snprintf(sp_out + used, sizeof sp_out - used, "%llu\n", (unsigned long long)lat_ns[i]);
    used += (size_t)snprintf(sp_out + used, sizeof sp_out - used, "end\n");
    write_all(sp_out, used);
    return 0;
}
