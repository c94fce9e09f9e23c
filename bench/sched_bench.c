/* sched_bench.c: scheduler microbenchmarks (spawn, ping-pong, wakeup) and their Google Benchmark cases. */
#include "sched_bench.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/futex.h>
#include <math.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <spawn.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "metrics.h"
#include "stats.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define PINGPONG_WARM 32u
#define WAKEUP_WARM 4u
#define SPAWN_WARM 2u
#define DEFAULT_TIMEOUT_MS 10000u

/* The q-quantile (0..1, type 7) of v[0..n-1]; NaN when n is 0. */
static double quantile(const double *v, size_t n, double q)
{
    double out;
    return stats_quantile(v, n, q, &out) == 0 ? out : NAN;
}

/* ---- names ---- */

static const char *const group_names[SCHED_GROUP_COUNT] = {"spawn", "pingpong", "wakeup"};
static const char *const spawn_names[SCHED_SPAWN_COUNT] = {"pthread", "fork", "vfork", "posix_spawn"};
static const char *const channel_names[SCHED_CHAN_COUNT] = {"pipe", "futex", "eventfd", "condvar"};
static const char *const cpus_names[SCHED_CPUS_COUNT] = {"none", "same", "different"};

const char *sched_group_name(sched_group g) { return (unsigned)g < SCHED_GROUP_COUNT ? group_names[g] : "?"; }
const char *sched_spawn_name(sched_spawn_method m) { return (unsigned)m < SCHED_SPAWN_COUNT ? spawn_names[m] : "?"; }
const char *sched_channel_name(sched_channel c) { return (unsigned)c < SCHED_CHAN_COUNT ? channel_names[c] : "?"; }
const char *sched_cpus_name(sched_cpus c) { return (unsigned)c < SCHED_CPUS_COUNT ? cpus_names[c] : "?"; }

const char *const sched_param_cols[SCHED_N_PARAM_COLS] = {"heap_kib", "method", "channel", "cpus", "same_cpu_frac"};

int sched_group_parse(const char *list, bool on[SCHED_GROUP_COUNT])
{
    if (!list || !*list || !on)
        return -EINVAL;
    if (strcmp(list, "none") == 0 || strcmp(list, "all") == 0) {
        for (int g = 0; g < SCHED_GROUP_COUNT; g++)
            on[g] = list[0] == 'a';
        return 0;
    }
    bool want[SCHED_GROUP_COUNT] = {false};
    const char *p = list;
    for (;;) {
        size_t len = strcspn(p, ",");
        int g = 0;
        while (g < SCHED_GROUP_COUNT && !(strlen(group_names[g]) == len && strncmp(p, group_names[g], len) == 0))
            g++;
        if (g == SCHED_GROUP_COUNT)
            return -EINVAL; /* unknown, empty, or "none"/"all" inside a list */
        want[g] = true;
        if (!p[len])
            break;
        p += len + 1;
    }
    memcpy(on, want, sizeof want);
    return 0;
}

/* Every profile runs every group: with quick's 1 repetition of 0.05 s they take about 3 s in all
 * on 2 vCPUs (default: ~26 s, full: see sched_print_times), and CI gates on them. */
void sched_group_defaults(cli_profile p, bool on[SCHED_GROUP_COUNT])
{
    (void)p;
    for (int g = 0; g < SCHED_GROUP_COUNT; g++)
        on[g] = true;
}

/* ---- small helpers ---- */

static long futex_op(_Atomic uint32_t *w, int op, uint32_t val)
{
    return syscall(SYS_futex, (uint32_t *)w, op, val, NULL, NULL, 0);
}

/* Sleeps while *w == val (returns at once when it differs; spurious returns are the caller's). */
static void futex_wait(_Atomic uint32_t *w, uint32_t val, bool shared)
{
    futex_op(w, shared ? FUTEX_WAIT : FUTEX_WAIT_PRIVATE, val);
}

static void futex_wake(_Atomic uint32_t *w, bool shared, int n)
{
    futex_op(w, shared ? FUTEX_WAKE : FUTEX_WAKE_PRIVATE, (uint32_t)n);
}

static struct timespec mono_ts(uint64_t ns)
{
    struct timespec ts = {.tv_sec = (time_t)(ns / 1000000000u), .tv_nsec = (long)(ns % 1000000000u)};
    return ts;
}

static void close_fd(int *fd)
{
    if (*fd >= 0)
        close(*fd);
    *fd = -1;
}

static void describe_status(char *buf, size_t len, const char *who, int status)
{
    if (WIFSIGNALED(status))
        snprintf(buf, len, "%s was killed by signal %d (%s)", who, WTERMSIG(status), strsignal(WTERMSIG(status)));
    else
        snprintf(buf, len, "%s exited with status %d", who, WEXITSTATUS(status));
}

/* Creates a thread with every signal blocked in it (signals stay with the caller's threads). */
static int thread_start(pthread_t *th, void *(*fn)(void *), void *arg)
{
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    int rc = pthread_create(th, NULL, fn, arg);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return -rc;
}

/* First thing in a forked child: no signal handlers of the parent's can run here, and the child
 * dies with the thread that forked it. Returns false when that parent is already gone. */
static bool child_prepare(pid_t parent)
{
    sigset_t all;
    sigfillset(&all);
    sigprocmask(SIG_SETMASK, &all, NULL);
    prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
    return getppid() == parent;
}

static void usage_now(metrics_usage *u) { metrics_thread_usage(u); }

/* ---- heap and the tiny program ---- */

int sched_heap_touch(size_t kib, void **heap)
{
    if (!heap)
        return -EINVAL;
    *heap = NULL;
    if (kib == 0)
        return 0;
    if (kib > SIZE_MAX / 2048)
        return -EINVAL;
    size_t len = kib * 1024;
    char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return -errno;
    madvise(p, len, MADV_NOHUGEPAGE);
    long page = sysconf(_SC_PAGESIZE);
    if (page <= 0)
        page = 4096;
    for (size_t off = 0; off < len; off += (size_t)page)
        p[off] = (char)(off >> 12 | 1);
    *heap = p;
    return 0;
}

void sched_heap_free(void *heap, size_t kib)
{
    if (heap && kib)
        munmap(heap, kib * 1024);
}

int sched_find_true(char *buf, size_t len)
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = '\0';
        char *slash = strrchr(exe, '/');
        for (int up = 0; slash && up < 2; up++) {
            *slash = '\0';
            if ((size_t)snprintf(buf, len, "%s/tvp-true", exe) < len && access(buf, X_OK) == 0)
                return 0;
            slash = strrchr(exe, '/');
        }
    }
    if (access("/bin/true", X_OK) == 0 && (size_t)snprintf(buf, len, "/bin/true") < len)
        return 0;
    return -ENOENT;
}

/* ---- spawn ---- */

/* A thread that kills the child being waited for once it has lived longer than the timeout, so
 * the measuring thread can wait with a plain blocking wait4 (nothing extra inside the timed op). */
typedef struct watchdog {
    pthread_t th;
    pthread_mutex_t mx;
    pthread_cond_t cv;
    bool quit;
    _Atomic int pid;          /* the child being waited for, 0: none */
    _Atomic uint64_t since_ns;
    uint64_t timeout_ns;
    _Atomic bool fired;
} watchdog;

static void *watchdog_main(void *arg)
{
    watchdog *w = arg;
    pthread_mutex_lock(&w->mx);
    while (!w->quit) {
        struct timespec ts = mono_ts(metrics_now_ns() + 50000000u);
        pthread_cond_timedwait(&w->cv, &w->mx, &ts);
        int pid = atomic_load(&w->pid);
        /* The pid is only ever a child not yet reaped by the measuring thread (it clears the slot
         * right after wait4), and only one older than the timeout is killed. */
        if (pid > 0 && metrics_now_ns() - atomic_load(&w->since_ns) > w->timeout_ns) {
            atomic_store(&w->fired, true);
            kill(pid, SIGKILL);
        }
    }
    pthread_mutex_unlock(&w->mx);
    return NULL;
}

static int watchdog_start(watchdog *w, uint32_t timeout_ms)
{
    memset(w, 0, sizeof *w);
    w->timeout_ns = (uint64_t)timeout_ms * 1000000u;
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&w->cv, &ca);
    pthread_condattr_destroy(&ca);
    pthread_mutex_init(&w->mx, NULL);
    int rc = thread_start(&w->th, watchdog_main, w);
    if (rc < 0) {
        pthread_cond_destroy(&w->cv);
        pthread_mutex_destroy(&w->mx);
    }
    return rc;
}

static void watchdog_stop(watchdog *w)
{
    pthread_mutex_lock(&w->mx);
    w->quit = true;
    pthread_cond_signal(&w->cv);
    pthread_mutex_unlock(&w->mx);
    pthread_join(w->th, NULL);
    pthread_cond_destroy(&w->cv);
    pthread_mutex_destroy(&w->mx);
}

typedef struct spawn_acc {
    uint64_t child_cpu_ns, ctx_vol, ctx_invol;
    char *detail;
    size_t detail_len;
} spawn_acc;

/* Reaps `pid` (blocking; the watchdog bounds it). 0, -ETIMEDOUT or -ECHILD. */
static int reap(watchdog *w, pid_t pid, uint64_t since, spawn_acc *a, const char *what)
{
    atomic_store(&w->since_ns, since);
    atomic_store(&w->pid, (int)pid);
    int status = 0;
    struct rusage ru;
    pid_t got;
    do
        got = wait4(pid, &status, 0, &ru);
    while (got < 0 && errno == EINTR);
    atomic_store(&w->pid, 0);
    if (got < 0) {
        int e = errno;
        snprintf(a->detail, a->detail_len, "wait4 on the %s child: %s", what, strerror(e));
        return -e;
    }
    a->child_cpu_ns += (uint64_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000000u +
                       (uint64_t)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000u;
    a->ctx_vol += (uint64_t)ru.ru_nvcsw;
    a->ctx_invol += (uint64_t)ru.ru_nivcsw;
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
        return 0;
    if (WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL && atomic_load(&w->fired)) {
        snprintf(a->detail, a->detail_len, "the %s child did not exit within %llu ms and was killed", what,
                 (unsigned long long)(w->timeout_ns / 1000000u));
        return -ETIMEDOUT;
    }
    char who[64];
    snprintf(who, sizeof who, "the %s child", what);
    describe_status(a->detail, a->detail_len, who, status);
    return -ECHILD;
}

static void *thread_noop(void *arg)
{
    *(uint64_t *)arg = metrics_thread_cpu_ns();
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

typedef struct spawn_ctx {
    const sched_spawn_cfg *cfg;
    watchdog *w;
    spawn_acc *a;
    char *const *argv;
    char *const *envp;
} spawn_ctx;

/* One spawn + reap, starting at `t0`. */
static int spawn_one(const spawn_ctx *s, uint64_t t0)
{
    spawn_acc *a = s->a;
    pid_t pid;
    switch (s->cfg->method) {
    case SCHED_SPAWN_PTHREAD: {
        pthread_t th;
        uint64_t cpu = 0;
        int rc = pthread_create(&th, NULL, thread_noop, &cpu);
        if (rc) {
            snprintf(a->detail, a->detail_len, "pthread_create: %s", strerror(rc));
            return -rc;
        }
        pthread_join(th, NULL);
        a->child_cpu_ns += cpu;
        return 0;
    }
    case SCHED_SPAWN_FORK:
        pid = fork();
        if (pid == 0)
            _exit(0);
        break;
    case SCHED_SPAWN_VFORK:
        pid = vfork_exit();
        break;
    default: {
        int rc = posix_spawn(&pid, s->argv[0], NULL, NULL, s->argv, s->envp);
        if (rc) {
            snprintf(a->detail, a->detail_len, "posix_spawn %s: %s", s->argv[0], strerror(rc));
            return -rc;
        }
        break;
    }
    }
    if (pid < 0) {
        int e = errno;
        snprintf(a->detail, a->detail_len, "%s: %s", sched_spawn_name(s->cfg->method), strerror(e));
        return -e;
    }
    return reap(s->w, pid, t0, a, sched_spawn_name(s->cfg->method));
}

static void result_reset(sched_result *r)
{
    double *lat = r->lat_ns;
    memset(r, 0, sizeof *r);
    r->lat_ns = lat;
    r->cpu[0] = r->cpu[1] = -1;
}

int sched_measure_spawn(const sched_spawn_cfg *cfg, uint32_t n, sched_result *r)
{
    if (!r)
        return -EINVAL;
    result_reset(r);
    if (!cfg || n == 0 || n > SCHED_BATCH_MAX || (unsigned)cfg->method >= SCHED_SPAWN_COUNT ||
        (cfg->cpus != SCHED_CPUS_NONE && cfg->cpus != SCHED_CPUS_SAME) ||
        (cfg->cpus == SCHED_CPUS_SAME && !cfg->topo)) {
        snprintf(r->detail, sizeof r->detail, "invalid spawn configuration");
        return -EINVAL;
    }
    char prog[PATH_MAX];
    if (cfg->method == SCHED_SPAWN_POSIX_SPAWN) {
        if (cfg->program && cfg->program[0])
            snprintf(prog, sizeof prog, "%s", cfg->program);
        else if (sched_find_true(prog, sizeof prog) < 0) {
            snprintf(r->detail, sizeof r->detail, "no tvp-true next to the executable and no /bin/true");
            return -ENOENT;
        }
    }
    char *argv[] = {prog, NULL};
    char *envp[] = {NULL};

    /* The watchdog first, so that it keeps the caller's whole affinity and never competes for the
     * CPU of a SAME measurement. */
    watchdog w;
    spawn_acc a = {.detail = r->detail, .detail_len = sizeof r->detail};
    bool dog = false; /* a thread cannot hang (it returns at once): no watchdog for pthread */
    int rc = 0;
    if (cfg->method != SCHED_SPAWN_PTHREAD) {
        rc = watchdog_start(&w, cfg->timeout_ms ? cfg->timeout_ms : DEFAULT_TIMEOUT_MS);
        if (rc < 0) {
            snprintf(r->detail, sizeof r->detail, "cannot start the watchdog thread: %s", strerror(-rc));
            return rc;
        }
        dog = true;
    }
    /* Bind the caller for SAME (children inherit it), restoring its affinity afterwards. */
    cpu_set_t saved;
    bool bound = false;
    if (cfg->cpus == SCHED_CPUS_SAME) {
        pin_plan plan;
        if ((rc = pthread_getaffinity_np(pthread_self(), sizeof saved, &saved)) != 0) {
            snprintf(r->detail, sizeof r->detail, "pthread_getaffinity_np: %s", strerror(rc));
            if (dog)
                watchdog_stop(&w);
            return -rc;
        }
        if ((rc = pin_plan_make(cfg->topo, PIN_COMPACT, 1, &plan)) == 0) {
            rc = pin_bind_self(cfg->topo, plan.cpu[0]);
            r->cpu[0] = r->cpu[1] = plan.cpu[0];
            pin_plan_free(&plan);
        }
        if (rc < 0) {
            pthread_setaffinity_np(pthread_self(), sizeof saved, &saved);
            snprintf(r->detail, sizeof r->detail, "cannot bind to a CPU: %s", strerror(-rc));
            if (dog)
                watchdog_stop(&w);
            return rc;
        }
        bound = true;
    }

    spawn_ctx s = {.cfg = cfg, .w = &w, .a = &a, .argv = argv, .envp = envp};

    for (uint32_t i = 0; i < SPAWN_WARM && rc == 0; i++)
        rc = spawn_one(&s, metrics_now_ns());
    metrics_usage u0, u1;
    usage_now(&u0);
    a.child_cpu_ns = a.ctx_vol = a.ctx_invol = 0;
    uint64_t t0 = metrics_now_ns();
    for (uint32_t i = 0; i < n && rc == 0; i++) {
        rc = spawn_one(&s, t0);
        uint64_t t1 = metrics_now_ns(), d = t1 - t0;
        if (rc == 0) {
            if (r->lat_ns)
                r->lat_ns[i] = (double)d;
            r->total_ns += d;
            r->max_ns = d > r->max_ns ? d : r->max_ns;
            r->ops++;
        }
        t0 = t1;
    }
    usage_now(&u1);
    if (dog)
        watchdog_stop(&w);
    if (bound)
        pthread_setaffinity_np(pthread_self(), sizeof saved, &saved);
    metrics_usage d = metrics_usage_sub(u1, u0);
    r->cpu_ns = d.cpu_ns + a.child_cpu_ns;
    r->ctx_vol = d.ctx_vol + a.ctx_vol;
    r->ctx_invol = d.ctx_invol + a.ctx_invol;
    return rc;
}

/* ---- two sides ---- */

typedef struct side_out {
    uint64_t cpu_ns, ctx_vol, ctx_invol;
    int32_t cpu;
    int32_t rc;
} side_out;

/* Everything both sides touch, in MAP_SHARED memory for threads and processes alike. */
typedef struct pair_shm {
    _Atomic uint32_t seq;   /* futex/condvar channel: even: A's turn, odd: B's */
    _Atomic uint32_t ready; /* start barrier */
    _Atomic uint32_t abort;
    _Atomic uint32_t word;  /* wakeup: the sleeper's futex (wakeups so far) */
    _Atomic uint32_t ack;   /* wakeup: the waker's futex (wakeups handled) */
    _Atomic uint64_t t_wake;
    _Atomic int32_t cpu_peer; /* the CPU the second side (ponger, waker) was last on */
    _Atomic uint32_t done;    /* threads: sides finished (the caller waits on it with a timeout) */
    pthread_mutex_t mx;
    pthread_cond_t cv;
    side_out side[2];
    uint64_t total_ns;
    uint32_t same_cpu;      /* timed ops where both sides were on one CPU */
    uint64_t lat[SCHED_BATCH_MAX];
} pair_shm;

typedef enum { PAIR_PINGPONG, PAIR_WAKEUP } pair_kind;

typedef struct pair {
    pair_kind kind;
    sched_channel channel;
    bool shared;      /* processes: shared futexes, process-shared condvar */
    uint32_t n, warm, gap_us, fail_after;
    const pin_topo *topo;
    int cpu[2];       /* PU each side binds to, -1: none */
    pair_shm *shm;
    int fd[2][2];     /* pipe k (side k writes, the other reads): [0] read end, [1] write end;
                       * eventfd k: fd[k][0] */
    bool cond_ready;
} pair;

typedef struct side_arg {
    pair *p;
    int who;
} side_arg;

static int fd_write(int fd, const void *buf, size_t len)
{
    for (;;) {
        ssize_t w = write(fd, buf, len);
        if (w == (ssize_t)len)
            return 0;
        if (w < 0 && errno == EINTR)
            continue;
        return w < 0 ? -errno : -EIO;
    }
}

static int fd_read(int fd, void *buf, size_t len)
{
    for (;;) {
        ssize_t r = read(fd, buf, len);
        if (r == (ssize_t)len)
            return 0;
        if (r < 0 && errno == EINTR)
            continue;
        return r < 0 ? -errno : -EPIPE;
    }
}

/* Side `who` hands the turn to the other side. */
static int chan_post(pair *p, int who)
{
    pair_shm *m = p->shm;
    switch (p->channel) {
    case SCHED_CHAN_PIPE: {
        char b = 1;
        return fd_write(p->fd[who][1], &b, 1);
    }
    case SCHED_CHAN_EVENTFD: {
        uint64_t one = 1;
        return fd_write(p->fd[who][0], &one, sizeof one);
    }
    case SCHED_CHAN_FUTEX:
        atomic_fetch_add(&m->seq, 1);
        futex_wake(&m->seq, p->shared, 1);
        return 0;
    default:
        pthread_mutex_lock(&m->mx);
        atomic_fetch_add(&m->seq, 1);
        pthread_cond_signal(&m->cv);
        pthread_mutex_unlock(&m->mx);
        return 0;
    }
}

/* Side `who` waits for its turn. -ECANCELED when the call is being aborted. */
static int chan_wait(pair *p, int who)
{
    pair_shm *m = p->shm;
    int rc = 0;
    switch (p->channel) {
    case SCHED_CHAN_PIPE: {
        char b;
        rc = fd_read(p->fd[1 - who][0], &b, 1);
        break;
    }
    case SCHED_CHAN_EVENTFD: {
        uint64_t v;
        rc = fd_read(p->fd[1 - who][0], &v, sizeof v);
        break;
    }
    case SCHED_CHAN_FUTEX:
        for (;;) {
            uint32_t s = atomic_load(&m->seq);
            if (atomic_load_explicit(&m->abort, memory_order_relaxed) || (s & 1u) == (uint32_t)who)
                break;
            futex_wait(&m->seq, s, p->shared);
        }
        break;
    default:
        pthread_mutex_lock(&m->mx);
        while ((atomic_load(&m->seq) & 1u) != (uint32_t)who && !atomic_load(&m->abort))
            pthread_cond_wait(&m->cv, &m->mx);
        pthread_mutex_unlock(&m->mx);
        break;
    }
    if (rc == 0 && atomic_load_explicit(&m->abort, memory_order_relaxed))
        rc = -ECANCELED;
    return rc;
}

/* Waits for *w to leave `val` (or the abort). */
static int futex_wait_change(pair *p, _Atomic uint32_t *w, uint32_t val)
{
    for (;;) {
        if (atomic_load(&p->shm->abort))
            return -ECANCELED;
        uint32_t v = atomic_load(w);
        if (v != val)
            return 0;
        futex_wait(w, v, p->shared);
    }
}

/* Start barrier: both sides bound and ready before the first op. */
static int pair_barrier(pair *p)
{
    pair_shm *m = p->shm;
    uint32_t v = atomic_fetch_add(&m->ready, 1) + 1;
    if (v == 2) {
        futex_wake(&m->ready, p->shared, INT_MAX);
        return 0;
    }
    while ((v = atomic_load(&m->ready)) < 2) {
        if (atomic_load(&m->abort))
            return -ECANCELED;
        futex_wait(&m->ready, v, p->shared);
    }
    return atomic_load(&m->abort) ? -ECANCELED : 0;
}

static void side_usage_begin(metrics_usage *u) { usage_now(u); }

static void side_usage_end(pair *p, int who, const metrics_usage *u0)
{
    metrics_usage u1;
    usage_now(&u1);
    metrics_usage d = metrics_usage_sub(u1, *u0);
    side_out *o = &p->shm->side[who];
    o->cpu_ns = d.cpu_ns;
    o->ctx_vol = d.ctx_vol;
    o->ctx_invol = d.ctx_invol;
    o->cpu = pin_current_cpu();
}

/* The test hook: the second side quits early (a process dies, a thread just stops answering). */
static void maybe_quit(pair *p, int who, uint32_t i)
{
    if (who == 1 && p->fail_after && i == p->fail_after) {
        if (p->shared)
            _exit(3);
        pthread_exit(NULL);
    }
}

static int pingpong_side(pair *p, int who)
{
    pair_shm *m = p->shm;
    metrics_usage u0 = {0};
    uint64_t t0 = 0, start = 0;
    int rc = 0;
    uint32_t total = p->warm + p->n;
    for (uint32_t i = 0; i < total && rc == 0; i++) {
        if (i == p->warm) {
            side_usage_begin(&u0);
            start = t0 = metrics_now_ns();
        }
        maybe_quit(p, who, i);
        if (who == 0) {
            if ((rc = chan_post(p, 0)) == 0 && (rc = chan_wait(p, 0)) == 0 && i >= p->warm) {
                uint64_t t1 = metrics_now_ns();
                m->lat[i - p->warm] = t1 - t0;
                t0 = t1;
                int me = sched_getcpu(); /* rseq: a load, not a syscall */
                m->same_cpu += me >= 0 && me == atomic_load_explicit(&m->cpu_peer, memory_order_relaxed);
            }
        } else if ((rc = chan_wait(p, 1)) == 0) {
            atomic_store_explicit(&m->cpu_peer, sched_getcpu(), memory_order_relaxed);
            rc = chan_post(p, 1);
        }
    }
    if (rc == 0) {
        if (who == 0)
            m->total_ns = t0 - start;
        side_usage_end(p, who, &u0);
    }
    return rc;
}

static int wakeup_side(pair *p, int who)
{
    pair_shm *m = p->shm;
    metrics_usage u0 = {0};
    uint32_t total = p->warm + p->n;
    int rc = 0;
    struct timespec gap = {.tv_sec = p->gap_us / 1000000u, .tv_nsec = (long)(p->gap_us % 1000000u) * 1000};
    for (uint32_t i = 0; i < total && rc == 0; i++) {
        if (i == p->warm)
            side_usage_begin(&u0);
        maybe_quit(p, who, i);
        if (who == 0) { /* the waker */
            uint32_t a;
            while (rc == 0 && (a = atomic_load(&m->ack)) != i) /* the previous wakeup handled */
                rc = futex_wait_change(p, &m->ack, a);
            if (rc < 0)
                break;
            struct timespec rem = gap;
            while (nanosleep(&rem, &rem) < 0 && errno == EINTR)
                ;
            atomic_store_explicit(&m->cpu_peer, sched_getcpu(), memory_order_relaxed);
            atomic_store(&m->t_wake, metrics_now_ns());
            atomic_store(&m->word, i + 1);
            futex_wake(&m->word, p->shared, 1);
        } else { /* the sleeper */
            if ((rc = futex_wait_change(p, &m->word, i)) < 0)
                break;
            uint64_t t = metrics_now_ns();
            if (i >= p->warm) {
                m->lat[i - p->warm] = t - atomic_load(&m->t_wake);
                int me = sched_getcpu();
                m->same_cpu += me >= 0 && me == atomic_load_explicit(&m->cpu_peer, memory_order_relaxed);
            }
            atomic_store(&m->ack, i + 1);
            futex_wake(&m->ack, p->shared, 1);
        }
    }
    uint32_t a;
    while (rc == 0 && who == 0 && (a = atomic_load(&m->ack)) != total) /* the last one handled */
        rc = futex_wait_change(p, &m->ack, a);
    if (rc == 0)
        side_usage_end(p, who, &u0);
    return rc;
}

static int side_run(pair *p, int who)
{
    int rc = pin_bind_self(p->topo, p->cpu[who]);
    if (rc == 0)
        rc = pair_barrier(p);
    if (rc == 0)
        rc = p->kind == PAIR_PINGPONG ? pingpong_side(p, who) : wakeup_side(p, who);
    p->shm->side[who].rc = rc;
    return rc;
}

static void *side_thread(void *arg)
{
    side_arg *a = arg;
    side_run(a->p, a->who);
    atomic_fetch_add(&a->p->shm->done, 1);
    futex_wake(&a->p->shm->done, false, INT_MAX);
    return NULL;
}

/* Wakes both sides wherever they wait, with the abort flag set (threads; processes are killed). */
static void pair_kick(pair *p)
{
    pair_shm *m = p->shm;
    atomic_store(&m->abort, 1);
    _Atomic uint32_t *words[] = {&m->seq, &m->ready, &m->word, &m->ack};
    for (size_t i = 0; i < N(words); i++) {
        atomic_fetch_add(words[i], 2); /* even: keeps the parity the futex channel reads */
        futex_wake(words[i], p->shared, INT_MAX);
    }
    if (p->channel == SCHED_CHAN_CONDVAR && p->cond_ready) {
        pthread_mutex_lock(&m->mx);
        pthread_cond_broadcast(&m->cv);
        pthread_mutex_unlock(&m->mx);
    }
    for (int k = 0; k < 2; k++) {
        uint64_t one = 1;
        if (p->channel == SCHED_CHAN_PIPE && p->fd[k][1] >= 0)
            (void)!write(p->fd[k][1], &one, 1);
        if (p->channel == SCHED_CHAN_EVENTFD && p->fd[k][0] >= 0)
            (void)!write(p->fd[k][0], &one, sizeof one);
    }
}

static int pair_setup(pair *p, char *detail, size_t dlen)
{
    for (int k = 0; k < 2; k++)
        p->fd[k][0] = p->fd[k][1] = -1;
    p->shm = mmap(NULL, sizeof *p->shm, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (p->shm == MAP_FAILED) {
        p->shm = NULL;
        snprintf(detail, dlen, "mmap of the shared page: %s", strerror(errno));
        return -ENOMEM;
    }
    for (int k = 0; k < 2; k++) {
        int rc = 0;
        if (p->kind == PAIR_PINGPONG && p->channel == SCHED_CHAN_PIPE)
            rc = pipe2(p->fd[k], O_CLOEXEC);
        else if (p->kind == PAIR_PINGPONG && p->channel == SCHED_CHAN_EVENTFD)
            rc = (p->fd[k][0] = eventfd(0, EFD_CLOEXEC)) < 0 ? -1 : 0;
        if (rc < 0) {
            int e = errno;
            snprintf(detail, dlen, "%s: %s", sched_channel_name(p->channel), strerror(e));
            return -e;
        }
    }
    if (p->kind == PAIR_PINGPONG && p->channel == SCHED_CHAN_CONDVAR) {
        int pshared = p->shared ? PTHREAD_PROCESS_SHARED : PTHREAD_PROCESS_PRIVATE;
        pthread_mutexattr_t ma;
        pthread_condattr_t ca;
        pthread_mutexattr_init(&ma);
        pthread_mutexattr_setpshared(&ma, pshared);
        pthread_condattr_init(&ca);
        pthread_condattr_setpshared(&ca, pshared);
        int rc = pthread_mutex_init(&p->shm->mx, &ma);
        if (rc == 0 && (rc = pthread_cond_init(&p->shm->cv, &ca)) != 0)
            pthread_mutex_destroy(&p->shm->mx);
        pthread_mutexattr_destroy(&ma);
        pthread_condattr_destroy(&ca);
        if (rc) {
            snprintf(detail, dlen, "condvar: %s", strerror(rc));
            return -rc;
        }
        p->cond_ready = true;
    }
    return 0;
}

/* `clean`: both sides finished normally. A side killed inside pthread_cond_wait leaves the
 * condvar with a waiter that never leaves, and pthread_cond_destroy would wait for it forever:
 * then the memory is only unmapped (glibc's condvars and mutexes hold nothing else). */
static void pair_teardown(pair *p, bool clean)
{
    for (int k = 0; k < 2; k++) {
        close_fd(&p->fd[k][0]);
        close_fd(&p->fd[k][1]);
    }
    if (p->shm) {
        if (p->cond_ready && clean) {
            pthread_cond_destroy(&p->shm->cv);
            pthread_mutex_destroy(&p->shm->mx);
        }
        munmap(p->shm, sizeof *p->shm);
    }
    p->shm = NULL;
}

static uint64_t deadline_of(const pair *p, uint32_t timeout_ms)
{
    uint64_t ms = timeout_ms ? timeout_ms : DEFAULT_TIMEOUT_MS + 5u * (p->warm + p->n) + p->gap_us / 1000u * (p->warm + p->n);
    return metrics_now_ns() + ms * 1000000u;
}

static int run_threads(pair *p, uint64_t deadline, char *detail, size_t dlen)
{
    pthread_t th[2];
    side_arg args[2] = {{p, 0}, {p, 1}};
    int started = 0, rc = 0;
    for (; started < 2; started++)
        if ((rc = thread_start(&th[started], side_thread, &args[started])) < 0)
            break;
    if (rc < 0) {
        snprintf(detail, dlen, "pthread_create: %s", strerror(-rc));
        pair_kick(p);
    }
    /* Wait for both to finish, at most until the deadline; then wake them with the abort flag.
     * Either way they are joined (a plain join: what sanitizers understand). */
    bool timed_out = false;
    uint32_t d;
    while (rc == 0 && (d = atomic_load(&p->shm->done)) < 2) {
        uint64_t now = metrics_now_ns();
        if (now >= deadline) {
            timed_out = true;
            pair_kick(p);
            break;
        }
        struct timespec rel = mono_ts(deadline - now);
        syscall(SYS_futex, (uint32_t *)&p->shm->done, FUTEX_WAIT_PRIVATE, d, &rel, NULL, 0);
    }
    for (int k = 0; k < started; k++)
        pthread_join(th[k], NULL);
    if (timed_out && rc == 0) {
        snprintf(detail, dlen, "timed out: a side stopped answering (threads woken and joined)");
        rc = -ETIMEDOUT;
    }
    return rc;
}

static void kill_reap(pid_t pid)
{
    kill(pid, SIGKILL);
    while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
        ;
}

static int run_processes(pair *p, uint64_t deadline, char *detail, size_t dlen)
{
    pid_t pid[2] = {-1, -1}, parent = getpid();
    int pfd[2] = {-1, -1}, rc = 0;
    for (int k = 0; k < 2; k++) {
        pid[k] = fork();
        if (pid[k] == 0) {
            if (!child_prepare(parent))
                _exit(4);
            _exit(side_run(p, k) == 0 ? 0 : 1);
        }
        if (pid[k] < 0) {
            rc = -errno;
            snprintf(detail, dlen, "fork: %s", strerror(errno));
            if (k == 1)
                kill_reap(pid[0]);
            return rc;
        }
        pfd[k] = (int)syscall(SYS_pidfd_open, pid[k], 0);
    }
    bool alive[2] = {true, true};
    int n_alive = 2;
    while (n_alive > 0) {
        uint64_t now = metrics_now_ns();
        if (now >= deadline) {
            snprintf(detail, dlen, "timed out: %s did not finish (killed)",
                     n_alive == 2 ? "both sides" : alive[0] ? "the first side" : "the second side");
            rc = -ETIMEDOUT;
            break;
        }
        int wait_ms = (int)((deadline - now) / 1000000u) + 1;
        if (pfd[0] >= 0 && pfd[1] >= 0) {
            struct pollfd fds[2];
            nfds_t nf = 0;
            for (int k = 0; k < 2; k++)
                if (alive[k])
                    fds[nf++] = (struct pollfd){.fd = pfd[k], .events = POLLIN};
            poll(fds, nf, wait_ms);
        } else {
            struct timespec ms = {0, 1000000};
            nanosleep(&ms, NULL);
        }
        for (int k = 0; k < 2; k++) {
            int status;
            if (!alive[k] || waitpid(pid[k], &status, WNOHANG) != pid[k])
                continue;
            alive[k] = false;
            n_alive--;
            if (!(WIFEXITED(status) && WEXITSTATUS(status) == 0) && rc == 0) {
                const char *who = k == 0 ? "the first side" : "the second side";
                if (WIFEXITED(status) && WEXITSTATUS(status) == 1)
                    snprintf(detail, dlen, "%s failed: %s", who, strerror(-p->shm->side[k].rc));
                else
                    describe_status(detail, dlen, who, status);
                rc = -ECHILD;
            }
        }
        if (rc < 0)
            break;
    }
    for (int k = 0; k < 2; k++) {
        if (alive[k])
            kill_reap(pid[k]);
        close_fd(&pfd[k]);
    }
    return rc;
}

static int pair_measure(pair_kind kind, const sched_pair_cfg *cfg, uint32_t n, sched_result *r)
{
    if (!r)
        return -EINVAL;
    result_reset(r);
    if (!cfg || n == 0 || n > SCHED_BATCH_MAX ||
        (cfg->executor != EXEC_THREADS && cfg->executor != EXEC_PROCESSES) ||
        (unsigned)cfg->cpus >= SCHED_CPUS_COUNT || (unsigned)cfg->channel >= SCHED_CHAN_COUNT ||
        (cfg->cpus != SCHED_CPUS_NONE && !cfg->topo)) {
        snprintf(r->detail, sizeof r->detail, "invalid configuration");
        return -EINVAL;
    }
    pair p = {
        .kind = kind,
        .channel = kind == PAIR_WAKEUP ? SCHED_CHAN_FUTEX : cfg->channel,
        .shared = cfg->executor == EXEC_PROCESSES,
        .n = n,
        .warm = kind == PAIR_WAKEUP ? WAKEUP_WARM : PINGPONG_WARM,
        .gap_us = cfg->gap_us ? cfg->gap_us : SCHED_WAKEUP_GAP_US,
        .fail_after = cfg->fail_after,
        .topo = cfg->topo,
        .cpu = {-1, -1},
    };
    if (cfg->cpus != SCHED_CPUS_NONE) {
        if (cfg->cpus == SCHED_CPUS_DIFFERENT && pin_topo_pus(cfg->topo) < 2) {
            snprintf(r->detail, sizeof r->detail, "needs 2 usable CPUs");
            return -ENODEV;
        }
        pin_plan plan;
        bool same = cfg->cpus == SCHED_CPUS_SAME;
        int rc = pin_plan_make(cfg->topo, same ? PIN_COMPACT : PIN_SCATTER, same ? 1 : 2, &plan);
        if (rc < 0) {
            snprintf(r->detail, sizeof r->detail, "placement: %s", strerror(-rc));
            return rc;
        }
        p.cpu[0] = plan.cpu[0];
        p.cpu[1] = same ? plan.cpu[0] : plan.cpu[1];
        pin_plan_free(&plan);
        if (p.cpu[0] == p.cpu[1] && !same) {
            snprintf(r->detail, sizeof r->detail, "needs 2 usable CPUs");
            return -ENODEV;
        }
    }
    int rc = pair_setup(&p, r->detail, sizeof r->detail);
    if (rc == 0) {
        uint64_t deadline = deadline_of(&p, cfg->timeout_ms);
        rc = p.shared ? run_processes(&p, deadline, r->detail, sizeof r->detail)
                      : run_threads(&p, deadline, r->detail, sizeof r->detail);
    }
    for (int k = 0; k < 2 && rc == 0; k++) {
        if (p.shm->side[k].rc < 0) {
            rc = p.shm->side[k].rc == -ECANCELED ? -ETIMEDOUT : -ECHILD;
            snprintf(r->detail, sizeof r->detail, "%s side failed: %s", k ? "second" : "first",
                     strerror(-p.shm->side[k].rc));
        }
    }
    if (rc == 0) {
        pair_shm *m = p.shm;
        r->ops = n;
        r->same_cpu_ops = m->same_cpu;
        for (uint32_t i = 0; i < n; i++) {
            if (r->lat_ns)
                r->lat_ns[i] = (double)m->lat[i];
            r->max_ns = m->lat[i] > r->max_ns ? m->lat[i] : r->max_ns;
            if (kind == PAIR_WAKEUP)
                r->total_ns += m->lat[i];
        }
        if (kind == PAIR_PINGPONG)
            r->total_ns = m->total_ns;
        for (int k = 0; k < 2; k++) {
            r->cpu_ns += m->side[k].cpu_ns;
            r->ctx_vol += m->side[k].ctx_vol;
            r->ctx_invol += m->side[k].ctx_invol;
            r->cpu[k] = m->side[k].cpu;
        }
    }
    pair_teardown(&p, rc == 0);
    return rc;
}

int sched_measure_pingpong(const sched_pair_cfg *cfg, uint32_t n, sched_result *r)
{
    return pair_measure(PAIR_PINGPONG, cfg, n, r);
}

int sched_measure_wakeup(const sched_pair_cfg *cfg, uint32_t n, sched_result *r)
{
    return pair_measure(PAIR_WAKEUP, cfg, n, r);
}

/* ---- Google Benchmark cases ---- */

struct sched_set {
    sched_case *cases;
    size_t n, cap;
    const pin_topo *topo;
    volatile sig_atomic_t *stop;
    char true_path[PATH_MAX];
    uint64_t group_ns[SCHED_GROUP_COUNT];
    double *lat;       /* SCHED_LAT_CAP: the run's reservoir */
    double *batch_lat; /* SCHED_BATCH_MAX: one call's samples */
};

static int case_add(sched_set *s, const sched_case *proto)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 32;
        sched_case *c = realloc(s->cases, cap * sizeof *c);
        if (!c)
            return -ENOMEM;
        s->cases = c;
        s->cap = cap;
    }
    sched_case *c = &s->cases[s->n++];
    *c = *proto;
    c->set = s;
    switch (c->group) {
    case SCHED_GROUP_SPAWN: {
        int off = snprintf(c->name, sizeof c->name, "sched/spawn/%s", sched_spawn_name(c->method));
        if (c->method == SCHED_SPAWN_FORK)
            off += snprintf(c->name + off, sizeof c->name - (size_t)off, "/heap_kib:%zu", c->heap_kib);
        if (c->cpus != SCHED_CPUS_NONE)
            snprintf(c->name + off, sizeof c->name - (size_t)off, "/cpus:%s", sched_cpus_name(c->cpus));
        c->executor = c->method == SCHED_SPAWN_PTHREAD ? EXEC_THREADS : EXEC_PROCESSES;
        break;
    }
    case SCHED_GROUP_PINGPONG:
        snprintf(c->name, sizeof c->name, "sched/pingpong/%s/%s/cpus:%s", sched_channel_name(c->channel),
                 pool_executor_name(c->executor), sched_cpus_name(c->cpus));
        break;
    default:
        snprintf(c->name, sizeof c->name, "sched/wakeup/%s/cpus:%s", pool_executor_name(c->executor),
                 sched_cpus_name(c->cpus));
        break;
    }
    return 0;
}

static int build_cases(sched_set *s, const cli_opts *o, const bool on[SCHED_GROUP_COUNT])
{
    bool full = o->profile == PROFILE_FULL;
    int rc = 0;
    if (on[SCHED_GROUP_SPAWN]) {
        static const size_t heaps[] = {0, 65536, 1048576};
        for (int cp = 0; cp < (full ? 2 : 1) && rc == 0; cp++) {
            sched_cpus cpus = cp ? SCHED_CPUS_SAME : SCHED_CPUS_NONE;
            for (int m = 0; m < SCHED_SPAWN_COUNT && rc == 0; m++) {
                size_t nh = m != SCHED_SPAWN_FORK ? 1 : cp ? 1 : full ? 3 : 2;
                for (size_t h = 0; h < nh && rc == 0; h++) {
                    sched_case c = {.group = SCHED_GROUP_SPAWN, .method = (sched_spawn_method)m,
                                    .heap_kib = heaps[h], .cpus = cpus};
                    rc = case_add(s, &c);
                }
            }
        }
    }
    if (on[SCHED_GROUP_PINGPONG]) {
        int n_chan = full ? SCHED_CHAN_COUNT : SCHED_CHAN_CONDVAR;
        static const sched_cpus order[] = {SCHED_CPUS_SAME, SCHED_CPUS_DIFFERENT, SCHED_CPUS_NONE};
        for (int ch = 0; ch < n_chan && rc == 0; ch++)
            for (int e = EXEC_THREADS; e <= EXEC_PROCESSES && rc == 0; e++)
                for (size_t k = 0; k < N(order) && rc == 0; k++) {
                    sched_case c = {.group = SCHED_GROUP_PINGPONG, .channel = (sched_channel)ch,
                                    .executor = (pool_executor)e, .cpus = order[k]};
                    rc = case_add(s, &c);
                }
    }
    if (on[SCHED_GROUP_WAKEUP]) {
        static const sched_cpus order[] = {SCHED_CPUS_NONE, SCHED_CPUS_SAME, SCHED_CPUS_DIFFERENT};
        for (int e = EXEC_THREADS; e <= EXEC_PROCESSES && rc == 0; e++)
            for (size_t k = 0; k < (full ? N(order) : 1) && rc == 0; k++) {
                sched_case c = {.group = SCHED_GROUP_WAKEUP, .executor = (pool_executor)e, .cpus = order[k],
                                .channel = SCHED_CHAN_FUTEX};
                rc = case_add(s, &c);
            }
    }
    return rc;
}

/* One benchmark run's accumulators. */
typedef struct body_acc {
    uint64_t ops, total_ns, max_ns, cpu_ns, ctx_vol, ctx_invol, seen, same_cpu_ops;
    size_t lat_n;
    uint64_t rng;
    uint64_t cpus_seen; /* bit per CPU (first 64) the sides were seen on */
} body_acc;

static uint64_t xorshift(uint64_t *x)
{
    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
    return *x;
}

/* Folds one call's result in, keeping a uniform sample of per-op times (Algorithm R). */
static void acc_add(sched_set *s, body_acc *a, const sched_result *r)
{
    a->ops += r->ops;
    a->total_ns += r->total_ns;
    a->max_ns = r->max_ns > a->max_ns ? r->max_ns : a->max_ns;
    a->cpu_ns += r->cpu_ns;
    a->ctx_vol += r->ctx_vol;
    a->ctx_invol += r->ctx_invol;
    a->same_cpu_ops += r->same_cpu_ops;
    for (int k = 0; k < 2; k++)
        if (r->cpu[k] >= 0 && r->cpu[k] < 64)
            a->cpus_seen |= 1ull << r->cpu[k];
    for (uint32_t i = 0; i < r->ops; i++) {
        double us = r->lat_ns[i] / 1e3;
        a->seen++;
        if (a->lat_n < SCHED_LAT_CAP) {
            s->lat[a->lat_n++] = us;
            continue;
        }
        uint64_t j = xorshift(&a->rng) % a->seen;
        if (j < SCHED_LAT_CAP)
            s->lat[j] = us;
    }
}

static void set_counters(gb_state *st, sched_set *s, const sched_case *c, body_acc *a, const int cpu[2])
{
    double ops = (double)a->ops, total_s = (double)a->total_ns / 1e9;
    gb_counter_set(st, "tasks_per_s", total_s > 0 ? ops / total_s : 0, GB_COUNTER_DEFAULTS);
    gb_counter_set(st, "lat_p50_us", quantile(s->lat, a->lat_n, 0.50), GB_COUNTER_DEFAULTS);
    gb_counter_set(st, "lat_p90_us", quantile(s->lat, a->lat_n, 0.90), GB_COUNTER_DEFAULTS);
    gb_counter_set(st, "lat_p99_us", quantile(s->lat, a->lat_n, 0.99), GB_COUNTER_DEFAULTS);
    gb_counter_set(st, "lat_max_us", (double)a->max_ns / 1e3, GB_COUNTER_DEFAULTS);
    gb_counter_set(st, "cpu_s", (double)a->cpu_ns / 1e9 / ops, GB_COUNTER_DEFAULTS);
    if (c->group != SCHED_GROUP_WAKEUP) /* a wakeup's time is its latency, not the time the CPU was used in */
        gb_counter_set(st, "cpu_util", a->total_ns ? (double)a->cpu_ns / (double)a->total_ns : 0, GB_COUNTER_DEFAULTS);
    gb_counter_set(st, "ctx_vol", (double)a->ctx_vol / ops, GB_COUNTER_DEFAULTS);
    gb_counter_set(st, "ctx_invol", (double)a->ctx_invol / ops, GB_COUNTER_DEFAULTS);
    if (a->cpus_seen)
        gb_counter_set(st, "cpus_used", (double)__builtin_popcountll(a->cpus_seen), GB_COUNTER_DEFAULTS);
    if (c->group != SCHED_GROUP_SPAWN)
        gb_counter_set(st, "same_cpu_frac", (double)a->same_cpu_ops / ops, GB_COUNTER_DEFAULTS);
    gb_set_items_processed(st, (int64_t)a->ops);
    char label[PATH_MAX + 16];
    if (c->group == SCHED_GROUP_SPAWN && c->method == SCHED_SPAWN_POSIX_SPAWN) {
        snprintf(label, sizeof label, "spawns %s", s->true_path); /* tvp-true (static) or /bin/true */
        gb_set_label(st, label);
    } else if (c->group != SCHED_GROUP_SPAWN || c->cpus != SCHED_CPUS_NONE) {
        snprintf(label, sizeof label, "last ran on cpu %d and %d", cpu[0], cpu[1]);
        gb_set_label(st, label);
    }
}

static int mem_available_kib(uint64_t *kib) { return metrics_proc_kib("/proc/meminfo", "MemAvailable", kib); }

/* Why a case cannot run here, or NULL. */
static const char *precheck(const sched_case *c, char *buf, size_t len)
{
    if (c->cpus == SCHED_CPUS_DIFFERENT && pin_topo_pus(c->set->topo) < 2)
        return "needs 2 usable CPUs";
    uint64_t avail = 0;
    if (c->heap_kib && mem_available_kib(&avail) == 0 && avail < 2 * (uint64_t)c->heap_kib) {
        snprintf(buf, len, "needs %zu MiB of available memory (%llu MiB available)", 2 * c->heap_kib / 1024,
                 (unsigned long long)(avail / 1024));
        return buf;
    }
    return NULL;
}

static int measure_case(sched_case *c, uint32_t n, sched_result *r)
{
    sched_set *s = c->set;
    if (c->group == SCHED_GROUP_SPAWN) {
        sched_spawn_cfg cfg = {.method = c->method, .program = s->true_path, .cpus = c->cpus, .topo = s->topo};
        return sched_measure_spawn(&cfg, n, r);
    }
    sched_pair_cfg cfg = {.channel = c->channel, .executor = c->executor, .cpus = c->cpus, .topo = s->topo};
    return c->group == SCHED_GROUP_PINGPONG ? sched_measure_pingpong(&cfg, n, r) : sched_measure_wakeup(&cfg, n, r);
}

static void body_run(gb_state *st, sched_case *c)
{
    sched_set *s = c->set;
    char buf[160];
    const char *why = precheck(c, buf, sizeof buf);
    if (s->stop && *s->stop)
        why = "interrupted";
    if (why) {
        gb_skip_with_error(st, why);
        return;
    }
    void *heap = NULL;
    int rc = sched_heap_touch(c->heap_kib, &heap);
    if (rc < 0) {
        snprintf(buf, sizeof buf, "cannot touch %zu KiB: %s", c->heap_kib, strerror(-rc));
        gb_skip_with_error(st, buf);
        return;
    }
    body_acc a;
    memset(&a, 0, sizeof a);
    a.rng = 0x2545F4914F6CDD1Dull;
    int cpu[2] = {-1, -1};
    int64_t done = 0;
    for (;;) {
        int64_t left = gb_max_iterations(st) - done;
        uint32_t batch = left < 1 ? 1 : left > (int64_t)SCHED_BATCH_MAX ? SCHED_BATCH_MAX : (uint32_t)left;
        if (!gb_keep_running_batch(st, batch))
            break;
        done += batch;
        sched_result r = {.lat_ns = s->batch_lat};
        if ((rc = measure_case(c, batch, &r)) < 0) {
            gb_skip_with_error(st, r.detail[0] ? r.detail : strerror(-rc));
            break;
        }
        gb_set_iteration_time(st, (double)r.total_ns / 1e9);
        acc_add(s, &a, &r);
        cpu[0] = r.cpu[0];
        cpu[1] = r.cpu[1];
        if (s->stop && *s->stop) {
            gb_skip_with_error(st, "interrupted");
            break;
        }
    }
    sched_heap_free(heap, c->heap_kib);
    if (!gb_error_occurred(st) && a.ops)
        set_counters(st, s, c, &a, cpu);
}

void sched_body(gb_state *st, void *ctx)
{
    sched_case *c = ctx;
    uint64_t t0 = metrics_now_ns();
    body_run(st, c);
    c->set->group_ns[c->group] += metrics_now_ns() - t0;
    c->body_calls++;
}

gb_bench *sched_configure(gb_bench *b, const sched_case *c)
{
    b = gb_unit(gb_use_manual_time(b), GB_US);
    /* A wakeup's manual time is its latency, a few us of a ~120 us cycle: a min time would
     * mean 30x as much wall time, so wakeups run a fixed count whatever the flags say. */
    if (c->group == SCHED_GROUP_WAKEUP)
        b = gb_iterations(b, SCHED_WAKEUP_ITERS);
    return b;
}

int sched_build(const cli_opts *o, const pin_topo *t, const bool on[SCHED_GROUP_COUNT],
                volatile sig_atomic_t *stop, sched_set **out)
{
    if (!o || !t || !on || !out)
        return -EINVAL;
    sched_set *s = calloc(1, sizeof *s);
    if (!s)
        return -ENOMEM;
    s->topo = t;
    s->stop = stop;
    if (sched_find_true(s->true_path, sizeof s->true_path) < 0)
        s->true_path[0] = '\0'; /* the posix_spawn case then fails with a reason */
    int rc = build_cases(s, o, on);
    if (rc == 0 && s->n) {
        s->lat = malloc(SCHED_LAT_CAP * sizeof *s->lat);
        s->batch_lat = malloc(SCHED_BATCH_MAX * sizeof *s->batch_lat);
        if (!s->lat || !s->batch_lat)
            rc = -ENOMEM;
    }
    if (rc < 0) {
        sched_set_free(s);
        return rc;
    }
    *out = s;
    return 0;
}

sched_case *sched_case_at(sched_set *s, size_t i) { return s && i < s->n ? &s->cases[i] : NULL; }

size_t sched_set_size(const sched_set *s) { return s ? s->n : 0; }

void sched_set_free(sched_set *s)
{
    if (!s)
        return;
    free(s->cases);
    free(s->lat);
    free(s->batch_lat);
    free(s);
}

double sched_group_seconds(const sched_set *s, sched_group g)
{
    return s && (unsigned)g < SCHED_GROUP_COUNT ? (double)s->group_ns[g] / 1e9 : 0;
}

void sched_print_times(const sched_set *s, FILE *f)
{
    if (!s || !s->n)
        return;
    fprintf(f, "sched:");
    const char *sep = " ";
    unsigned ran[SCHED_GROUP_COUNT] = {0};
    for (size_t i = 0; i < s->n; i++)
        ran[s->cases[i].group] += s->cases[i].body_calls > 0;
    for (int g = 0; g < SCHED_GROUP_COUNT; g++) {
        if (!ran[g])
            continue;
        fprintf(f, "%s%s %.1f s (%u configuration%s)", sep, group_names[g], (double)s->group_ns[g] / 1e9, ran[g],
                ran[g] == 1 ? "" : "s");
        sep = ", ";
    }
    if (*sep == ',')
        fprintf(f, " in the benchmark bodies\n");
    else
        fprintf(f, " no benchmark ran\n");
}

/* ---- tidy CSV rows ---- */

static void set_counter_col(results_table *t, size_t row, const gb_run *run, const char *name)
{
    results_table_set_num(t, row, name, gb_run_counter(run, name, NAN));
}

void sched_fill_row(results_table *t, size_t row, const gb_run *run, const sched_case *c)
{
    if (!t || !c || row >= t->n_rows)
        return;
    static const char *const workloads[SCHED_GROUP_COUNT] = {"sched_spawn", "sched_pingpong", "sched_wakeup"};
    results_table_set(t, row, "workload", workloads[c->group]);
    results_table_set(t, row, "executor", pool_executor_name(c->executor));
    results_table_set(t, row, "spawn", pool_spawn_name(c->group == SCHED_GROUP_SPAWN ? SPAWN_PER_TASK : SPAWN_POOL));
    results_table_set(t, row, "gil", "off");
    results_table_set(t, row, "workers", c->group == SCHED_GROUP_SPAWN ? "1" : "2");
    results_table_set(t, row, "pin", pin_policy_name(c->cpus == SCHED_CPUS_NONE ? PIN_NONE : PIN_COMPACT));
    results_table_set(t, row, "tasks", "1");
    results_table_set(t, row, "oversubscribed", "no");
    results_table_set(t, row, "cpus", sched_cpus_name(c->cpus));
    if (c->group == SCHED_GROUP_SPAWN) {
        results_table_set(t, row, "method", sched_spawn_name(c->method));
        results_table_setf(t, row, "heap_kib", "%zu", c->heap_kib);
    } else {
        results_table_set(t, row, "channel", sched_channel_name(c->channel));
    }
    if (!run || run->error)
        return;
    results_table_setf(t, row, "iterations", "%lld", (long long)run->iterations);
    static const char *const counters[] = {"tasks_per_s", "lat_p50_us", "lat_p90_us", "lat_p99_us", "cpu_s",
                                           "cpu_util", "ctx_vol", "ctx_invol", "cpus_used", "same_cpu_frac"};
    for (size_t i = 0; i < N(counters); i++)
        set_counter_col(t, row, run, counters[i]);
}
