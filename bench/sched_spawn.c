/* sched_spawn.c: spawn cost (pthread, fork, vfork, posix_spawn: spawn to reap), the heap, tvp-true. */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "metrics.h"
#include "sched_internal.h"

#define SPAWN_WARM 2u

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

/* A CLOCK_MONOTONIC time in ns as a timespec (the watchdog's condvar runs on that clock). */
static struct timespec mono_ts(uint64_t ns)
{
    struct timespec ts = {.tv_sec = (time_t)(ns / 1000000000u), .tv_nsec = (long)(ns % 1000000000u)};
    return ts;
}

static void *watchdog_main(void *arg)
{
    watchdog *w = arg;
    pthread_mutex_lock(&w->mx);
    while (!w->quit) {
        struct timespec ts = mono_ts(metrics_now_ns() + 50000000u);
        pthread_cond_timedwait(&w->cv, &w->mx, &ts);
        int pid = atomic_load(&w->pid);
        /* The slot holds the child the measuring thread waits for and is cleared right after its
         * wait4 returns; only a child older than the timeout is killed (a pid reaped within that
         * window could only be someone else's after the pids wrapped around). */
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
    int rc = sched_thread_start(&w->th, watchdog_main, w);
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

/* Reaps `pid` (blocking; the watchdog bounds it). 0, -ETIMEDOUT, -ECHILD, or wait4's -errno. */
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
    sched_describe_status(a->detail, a->detail_len, who, status);
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

int sched_measure_spawn(const sched_spawn_cfg *cfg, uint32_t n, sched_result *r)
{
    if (!r)
        return -EINVAL;
    sched_result_reset(r);
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
        rc = watchdog_start(&w, cfg->timeout_ms ? cfg->timeout_ms : SCHED_DEFAULT_TIMEOUT_MS);
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
    metrics_thread_usage(&u0);
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
    metrics_thread_usage(&u1);
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
