/* progress.c: runs done / planned, elapsed and the time left, on stderr (see progress.h). */
#include "progress.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "futex.h"
#include "metrics.h"
#include "runner.h"

#define NS_PER_S 1000000000LL
#define TTY_PERIOD_NS (NS_PER_S / 2)       /* a terminal line is redrawn twice a second */
#define NAME_AFTER_NS (10 * NS_PER_S)      /* a run is named once it has lasted this long */
#define STOP_WAIT_NS (2 * NS_PER_S)        /* the harness waits this long for the ticker */
#define START_WAIT_NS (3 * NS_PER_S)
#define ERASE "\r\033[K"                   /* carriage return, erase to the end of the line */

static int64_t now_ns(void) { return (int64_t)metrics_now_ns(); }

/* ---- formatting ---- */

void progress_fmt_elapsed(char *buf, size_t len, int64_t ns)
{
    long long s = ns > 0 ? ns / NS_PER_S : 0;
    if (s < 60)
        snprintf(buf, len, "%llds", s);
    else if (s < 3600)
        snprintf(buf, len, "%lldm%02llds", s / 60, s % 60);
    else
        snprintf(buf, len, "%lldh%02lldm", s / 3600, s / 60 % 60);
}

/* One estimate, as coarse as it deserves: tens of seconds, minutes, then ten minutes. */
static void fmt_rounded(char *buf, size_t len, double s)
{
    if (s < 55) {
        snprintf(buf, len, "%.0fs", fmax(10, ceil(s / 10) * 10));
    } else if (s < 3570) {
        snprintf(buf, len, "%.0fm", fmax(1, round(s / 60)));
    } else {
        long long m = llround(s / 600) * 10;
        snprintf(buf, len, "%lldh%02lldm", m / 60, m % 60);
    }
}

void progress_fmt_left(char *buf, size_t len, int64_t lo_ns, int64_t hi_ns)
{
    double lo = (double)(lo_ns < 0 ? 0 : lo_ns) / NS_PER_S, hi = (double)(hi_ns < 0 ? 0 : hi_ns) / NS_PER_S;
    if (hi < lo) {
        double t = lo;
        lo = hi;
        hi = t;
    }
    char a[32], b[32];
    fmt_rounded(a, sizeof a, lo);
    fmt_rounded(b, sizeof b, hi);
    if (hi <= lo * 1.2 || strcmp(a, b) == 0) {
        double mid = (lo + hi) / 2;
        fmt_rounded(a, sizeof a, mid);
        if (mid < 10)
            snprintf(buf, len, "under 10s left");
        else
            snprintf(buf, len, "about %s left", a);
    } else if (lo < 10) {
        snprintf(buf, len, "up to about %s left", b);
    } else {
        snprintf(buf, len, "about %s-%s left", a, b);
    }
}

/* snprintf at buf + *off, keeping *off within len (a truncated line stays terminated). */
__attribute__((format(printf, 4, 5))) static void add(char *buf, size_t len, size_t *off, const char *fmt, ...)
{
    if (*off >= len)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf + *off, len - *off, fmt, ap);
    va_end(ap);
    if (n > 0)
        *off = *off + (size_t)n < len ? *off + (size_t)n : len - 1;
}

size_t progress_fmt_line(char *buf, size_t len, const progress_view *v)
{
    if (len == 0)
        return 0;
    size_t off = 0;
    char el[32], left[64];
    buf[0] = '\0';
    progress_fmt_elapsed(el, sizeof el, v->elapsed_ns);
    add(buf, len, &off, "tvp-bench: progress %llu/%llu %s, %s elapsed", (unsigned long long)v->done,
        (unsigned long long)v->total, v->reps > 1 ? "configurations x repetitions" : "configurations", el);
    if (v->end) {
        add(buf, len, &off, ", %s", v->end);
        return off;
    }
    uint64_t to_go = v->total > v->done ? v->total - v->done : 0;
    if (!v->have_left || (v->unknown && v->unknown >= to_go)) {
        add(buf, len, &off, ", no estimate yet");
    } else {
        progress_fmt_left(left, sizeof left, v->left_lo_ns, v->left_hi_ns);
        add(buf, len, &off, ", %s", left);
        if (v->unknown) /* runs of a workload none of whose runs has finished: not guessed */
            add(buf, len, &off, " + %llu run%s not estimated yet", (unsigned long long)v->unknown,
                v->unknown == 1 ? "" : "s");
    }
    if (v->running && v->running_ns >= NAME_AFTER_NS) {
        progress_fmt_elapsed(el, sizeof el, v->running_ns);
        add(buf, len, &off, "; running %s for %s", v->running, el);
    }
    return off;
}

/* ---- the estimate ---- */

struct progress_est {
    size_t n_configs, n_kinds, n_done;
    size_t *kind;      /* per configuration: its kind */
    size_t *family;    /* per kind: the first kind of the same workload */
    uint32_t *left;    /* per configuration: runs not started */
    uint32_t *n, *kn;  /* runs finished with a known time: per configuration, per kind */
    double *sum, *ksum; /* their seconds */
    double *flo, *fhi; /* scratch: per family, the fastest and slowest kind seen */
};

/* The length of s's first `parts` '/'-separated parts. */
static size_t prefix_len(const char *s, int parts)
{
    size_t i = 0;
    for (int seen = 0; s[i]; i++)
        if (s[i] == '/' && ++seen == parts)
            break;
    return i;
}

static bool same_prefix(const char *a, const char *b, int parts)
{
    size_t la = prefix_len(a, parts), lb = prefix_len(b, parts);
    return la == lb && memcmp(a, b, la) == 0;
}

void progress_est_free(progress_est *e)
{
    if (!e)
        return;
    free(e->kind);
    free(e->family);
    free(e->left);
    free(e->n);
    free(e->kn);
    free(e->sum);
    free(e->ksum);
    free(e->flo);
    free(e->fhi);
    free(e);
}

progress_est *progress_est_new(const char *const *names, size_t n_configs, uint32_t reps)
{
    progress_est *e = calloc(1, sizeof *e);
    size_t n = n_configs ? n_configs : 1;
    size_t *first = calloc(n, sizeof *first); /* per kind: its first configuration */
    if (e) {
        e->n_configs = n_configs;
        e->kind = calloc(n, sizeof *e->kind);
        e->family = calloc(n, sizeof *e->family);
        e->left = calloc(n, sizeof *e->left);
        e->n = calloc(n, sizeof *e->n);
        e->kn = calloc(n, sizeof *e->kn);
        e->sum = calloc(n, sizeof *e->sum);
        e->ksum = calloc(n, sizeof *e->ksum);
        e->flo = calloc(n, sizeof *e->flo);
        e->fhi = calloc(n, sizeof *e->fhi);
    }
    if (!e || !first || !e->kind || !e->family || !e->left || !e->n || !e->kn || !e->sum || !e->ksum || !e->flo ||
        !e->fhi) {
        free(first);
        progress_est_free(e);
        return NULL;
    }
    for (size_t c = 0; c < n_configs; c++) {
        size_t k = 0;
        while (k < e->n_kinds && !same_prefix(names[first[k]], names[c], 3))
            k++;
        if (k == e->n_kinds) {
            first[e->n_kinds++] = c;
            size_t f = 0;
            while (!same_prefix(names[first[f]], names[c], 1))
                f++;
            e->family[k] = f;
        }
        e->kind[c] = k;
        e->left[c] = reps;
    }
    free(first);
    return e;
}

typedef struct span {
    double lo, hi;
} span;

/* Per family the fastest and slowest kind's mean (flo infinite: no kind of it ran). */
static void kind_ranges(const progress_est *e)
{
    for (size_t k = 0; k < e->n_kinds; k++) {
        e->flo[k] = INFINITY;
        e->fhi[k] = 0;
    }
    for (size_t k = 0; k < e->n_kinds; k++) {
        if (!e->kn[k])
            continue;
        double m = e->ksum[k] / e->kn[k];
        size_t f = e->family[k];
        e->flo[f] = fmin(e->flo[f], m);
        e->fhi[f] = fmax(e->fhi[f], m);
    }
}

/* A run of configuration c: false when nothing of its workload has finished (no estimate). */
static bool config_span(const progress_est *e, size_t c, span *s)
{
    size_t k = e->kind[c], f = e->family[k];
    if (e->n[c])
        *s = (span){e->sum[c] / e->n[c], e->sum[c] / e->n[c]};
    else if (e->kn[k])
        *s = (span){e->ksum[k] / e->kn[k], e->ksum[k] / e->kn[k]};
    else if (isfinite(e->flo[f]))
        *s = (span){e->flo[f], e->fhi[f]};
    else
        return false;
    return true;
}

bool progress_est_start(progress_est *e, size_t c, int64_t *lo, int64_t *hi)
{
    *lo = *hi = 0;
    if (c >= e->n_configs)
        return false;
    span s;
    kind_ranges(e);
    bool known = config_span(e, c, &s);
    if (known) {
        *lo = (int64_t)(s.lo * NS_PER_S);
        *hi = (int64_t)(s.hi * NS_PER_S);
    }
    if (e->left[c])
        e->left[c]--;
    return known;
}

void progress_est_done(progress_est *e, size_t c, int64_t ns)
{
    if (c >= e->n_configs)
        return;
    e->n_done++;
    if (ns < 0)
        return;
    double s = (double)ns / NS_PER_S;
    e->n[c]++;
    e->sum[c] += s;
    e->kn[e->kind[c]]++;
    e->ksum[e->kind[c]] += s;
}

bool progress_est_left(const progress_est *e, int64_t *lo, int64_t *hi, uint64_t *unknown)
{
    *lo = *hi = 0;
    *unknown = 0;
    if (e->n_done < PROGRESS_MIN_DONE)
        return false;
    span total = {0, 0};
    kind_ranges(e);
    for (size_t c = 0; c < e->n_configs; c++) {
        span s;
        if (!e->left[c])
            continue;
        if (!config_span(e, c, &s)) {
            *unknown += e->left[c];
            continue;
        }
        total.lo += e->left[c] * s.lo;
        total.hi += e->left[c] * s.hi;
    }
    *lo = (int64_t)(total.lo * NS_PER_S);
    *hi = (int64_t)(total.hi * NS_PER_S);
    return true;
}

/* ---- the page the harness and the ticker share ---- */

enum { SH_OUT = 0, SH_BODY, SH_STOP };                       /* state */
enum { TICKER_STARTING = 0, TICKER_RUNNING, TICKER_GONE };   /* ticker */

/* The atomics are the protocol. The rest is the view: the harness writes it only while state is
 * not SH_BODY, the ticker reads it only under the lock while state is SH_BODY; `drawn` is
 * touched only under the lock. */
typedef struct progress_shared {
    _Atomic uint32_t lock;      /* futex lock: 0 free, 1 held, 2 held with a waiter */
    _Atomic uint32_t state;
    _Atomic uint32_t want_body; /* the ticker waits for the next body: wake it then */
    _Atomic uint32_t ticker;
    uint32_t tty, drawn;
    int32_t main_pid;
    uint32_t reps, have_left, job_known;
    uint64_t done, total, left_unknown;
    int64_t t0_ns, job_t0_ns, left_lo_ns, left_hi_ns, job_lo_ns, job_hi_ns;
    char name[RUNNER_NAME_MAX];
} progress_shared;

#define PAGE_BYTES 4096
_Static_assert(sizeof(progress_shared) <= PAGE_BYTES, "the shared state is one page");

/* A futex lock between two processes; false when it stayed held for timeout_ns. */
static bool lock_take(_Atomic uint32_t *l, int64_t timeout_ns)
{
    uint32_t c = 0;
    if (atomic_compare_exchange_strong(l, &c, 1))
        return true;
    int64_t end = now_ns() + timeout_ns;
    if (c != 2)
        c = atomic_exchange(l, 2);
    while (c != 0) {
        int64_t left = end - now_ns();
        if (left <= 0)
            return false;
        futex_wait_ns(l, 2, true, left);
        c = atomic_exchange(l, 2);
    }
    return true;
}

static void lock_give(_Atomic uint32_t *l)
{
    if (atomic_exchange(l, 0) == 2)
        futex_wake(l, true, 1);
}

static int write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

static progress_view view_of(const progress_shared *sh, int64_t now)
{
    progress_view v = {.done = sh->done, .total = sh->total, .reps = sh->reps, .elapsed_ns = now - sh->t0_ns,
                       .have_left = sh->have_left != 0, .unknown = sh->left_unknown};
    if (sh->name[0]) {
        int64_t ran = now - sh->job_t0_ns;
        v.running = sh->name;
        v.running_ns = ran;
        v.unknown += !sh->job_known;
        /* The running job counts what it has still to go by its own estimate, never below 0. */
        v.left_lo_ns = sh->left_lo_ns + (sh->job_lo_ns > ran ? sh->job_lo_ns - ran : 0);
        v.left_hi_ns = sh->left_hi_ns + (sh->job_hi_ns > ran ? sh->job_hi_ns - ran : 0);
    } else {
        v.left_lo_ns = sh->left_lo_ns;
        v.left_hi_ns = sh->left_hi_ns;
    }
    return v;
}

/* ---- the ticker (its own process) ---- */

static size_t term_width(void)
{
    struct winsize ws;
    if (ioctl(2, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 20)
        return ws.ws_col;
    return 80;
}

/* One line, if a body runs: 1 printed, 0 not now, -1 stderr is gone. */
static int ticker_print(progress_shared *sh)
{
    if (!lock_take(&sh->lock, NS_PER_S))
        return 0;
    int rc = 0;
    if (atomic_load(&sh->state) == SH_BODY) {
        char line[RUNNER_NAME_MAX + 512];
        progress_view v = view_of(sh, now_ns());
        size_t room = sizeof line - 8, n = progress_fmt_line(line + 1, room, &v);
        if (sh->tty) {
            size_t w = term_width() - 1; /* never wrap: \r returns to the start of one line */
            n = n < w ? n : w;
            line[0] = '\r';
            memcpy(line + 1 + n, "\033[K", 3);
            rc = write_all(2, line, n + 4) < 0 ? -1 : 1;
            sh->drawn = rc > 0;
        } else {
            line[1 + n] = '\n';
            rc = write_all(2, line + 1, n + 1) < 0 ? -1 : 1;
        }
    }
    lock_give(&sh->lock);
    return rc;
}

static void ticker_loop(progress_shared *sh, int evfd, int pidfd)
{
    const int64_t period = sh->tty ? TTY_PERIOD_NS : PROGRESS_LINE_PERIOD_S * NS_PER_S;
    int64_t last = -1;
    while (atomic_load(&sh->state) != SH_STOP) {
        int64_t now = now_ns(), wait_ns;
        if (last < 0 || now - last >= period) {
            int rc = ticker_print(sh);
            if (rc < 0)
                return;
            if (rc > 0) {
                last = now;
                continue;
            }
            /* Between bodies (Google Benchmark may be printing): ask for a wakeup at the next
             * one, then look again in case it began meanwhile (each side stores, then loads). */
            atomic_store(&sh->want_body, 1);
            if (atomic_load(&sh->state) == SH_BODY)
                continue;
            wait_ns = -1;
        } else {
            wait_ns = last + period - now;
        }
        if (pidfd < 0 && (wait_ns < 0 || wait_ns > NS_PER_S))
            wait_ns = NS_PER_S; /* no pidfd: look whether the harness lives once a second */
        struct pollfd p[2] = {{.fd = evfd, .events = POLLIN}, {.fd = pidfd, .events = POLLIN}};
        int ms = wait_ns < 0 ? -1 : (int)((wait_ns + 999999) / 1000000);
        if (poll(p, pidfd >= 0 ? 2 : 1, ms) > 0) {
            if (pidfd >= 0 && p[1].revents)
                return; /* the harness is gone: nothing to say */
            uint64_t x;
            if (p[0].revents & POLLIN && read(evfd, &x, sizeof x) < 0 && errno != EAGAIN)
                return;
        }
        if (pidfd < 0 && kill(sh->main_pid, 0) < 0 && errno == ESRCH)
            return;
    }
}

bool progress_is_ticker(int argc, char **argv)
{
    return argc == 4 && argv[0] && strcmp(argv[0], PROGRESS_TICKER_ARGV0) == 0;
}

int progress_ticker_main(int argc, char **argv)
{
    if (!progress_is_ticker(argc, argv))
        return 2;
    int memfd = atoi(argv[1]), evfd = atoi(argv[2]), pidfd = atoi(argv[3]);
    progress_shared *sh = mmap(NULL, PAGE_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
    if (sh == MAP_FAILED)
        _exit(1);
    close(memfd);
    atomic_store(&sh->ticker, TICKER_RUNNING);
    futex_wake_all(&sh->ticker, true);
    ticker_loop(sh, evfd, pidfd);
    atomic_store(&sh->ticker, TICKER_GONE);
    futex_wake_all(&sh->ticker, true);
    _exit(0); /* none of the harness's exit handlers: this process only printed */
}

/* ---- the harness's side ---- */

static struct {
    progress_shared *sh; /* set from start to stop */
    bool on;             /* the display is live (off once stopped or given up) */
    bool child;          /* the ticker is our child: the kernel would not make it a sibling */
    pid_t ticker;
    int evfd, ticker_fd; /* the wakeup eventfd; the ticker's pidfd (-1: none) */
    const job_plan *plan;
    progress_est *est;
    const job *cur;      /* the job whose body ran last, until it reports */
    int64_t cur_t0;
} P = {.evfd = -1, .ticker_fd = -1};

static void wake_ticker(void)
{
    uint64_t one = 1;
    if (write(P.evfd, &one, sizeof one) < 0) {
        /* full (it is being woken already) or gone: nothing to do */
    }
}

static void publish_left(void)
{
    int64_t lo, hi;
    P.sh->have_left = progress_est_left(P.est, &lo, &hi, &P.sh->left_unknown);
    P.sh->left_lo_ns = lo;
    P.sh->left_hi_ns = hi;
}

/* The ticker's side of spawn_ticker, from the clone to the exec: raw system calls only, so that
 * no libc or sanitizer state the clone copied mid-change (another thread's lock) is touched. */
static _Noreturn void child_exec(const char *exe, char *const argv[], const int hi[3], const sigset_t *mask)
{
    syscall(SYS_dup3, hi[0], 3, 0);
    syscall(SYS_dup3, hi[1], 4, 0);
    if (hi[2] >= 0)
        syscall(SYS_dup3, hi[2], 5, 0);
    long nul = syscall(SYS_openat, AT_FDCWD, "/dev/null", O_RDWR);
    if (nul >= 0) { /* stdin and stdout: nothing of the harness's (a pipe's reader waits for EOF) */
        syscall(SYS_dup3, nul, 0, 0);
        syscall(SYS_dup3, nul, 1, 0);
    }
    int from = hi[2] >= 0 ? 6 : 5;
    if (syscall(SYS_close_range, from, ~0U, 0) < 0)
        for (int fd = from; fd < 1024; fd++)
            syscall(SYS_close, fd);
    syscall(SYS_rt_sigprocmask, SIG_SETMASK, mask, NULL, (size_t)(_NSIG / 8));
    syscall(SYS_execve, exe, argv, environ);
    for (;;)
        syscall(SYS_exit_group, 127);
}

/* A process for the ticker, exec'd from /proc/self/exe with the page, the eventfd and our pidfd
 * as fds 3, 4, 5. The clone is the harness's sibling (CLONE_PARENT): nothing that takes the
 * harness's children for its workers sees it, and the harness's own parent (a shell) reaps it. */
static pid_t spawn_ticker(int memfd, int self_pidfd)
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    exe[n > 0 ? n : 0] = '\0';
    if (n <= 0 || (size_t)n >= sizeof exe - 1 || strstr(exe, " (deleted)")) /* replaced by a rebuild */
        snprintf(exe, sizeof exe, "/proc/self/exe");
    /* Above the targets, so no dup2 onto 3..5 can overwrite a source. */
    int hi[3] = {fcntl(memfd, F_DUPFD_CLOEXEC, 64), fcntl(P.evfd, F_DUPFD_CLOEXEC, 64),
                 self_pidfd >= 0 ? fcntl(self_pidfd, F_DUPFD_CLOEXEC, 64) : -1};
    char *argv[] = {PROGRESS_TICKER_ARGV0, "3", "4", hi[2] >= 0 ? "5" : "-1", NULL};
    pid_t pid = -1;
    if (hi[0] >= 0 && hi[1] >= 0) {
        sigset_t all, old, mask;
        sigfillset(&all);
        /* The ticker's: the stop signals stay blocked (the harness stops it); job control stops
         * it with the harness. */
        mask = all;
        sigdelset(&mask, SIGTSTP);
        sigdelset(&mask, SIGTTIN);
        sigdelset(&mask, SIGTTOU);
        sigdelset(&mask, SIGCONT);
        sigprocmask(SIG_SETMASK, &all, &old); /* no handler of the harness runs in the child */
        pid = (pid_t)syscall(SYS_clone, (unsigned long)(CLONE_PARENT | SIGCHLD), NULL, NULL, NULL, NULL);
        if (pid < 0) { /* EINVAL: the init of a pid namespace has no sibling to make */
            P.child = true;
            pid = (pid_t)syscall(SYS_clone, (unsigned long)SIGCHLD, NULL, NULL, NULL, NULL);
        }
        if (pid == 0)
            child_exec(exe, argv, hi, &mask);
        sigprocmask(SIG_SETMASK, &old, NULL);
    }
    for (int i = 0; i < 3; i++)
        if (hi[i] >= 0)
            close(hi[i]);
    return pid;
}

static void give_up(const char *why)
{
    fprintf(stderr, "tvp-bench: no progress display: %s\n", why);
    progress_stop(PROGRESS_END_SILENT);
}

void progress_start(const job_plan *plan, bool quiet, uint64_t started_ns)
{
    if (quiet || P.sh || fcntl(2, F_GETFD) < 0 || plan->n_jobs == 0)
        return;
    const char **names = malloc(plan->n_configs * sizeof *names);
    for (size_t i = 0; names && i < plan->n_configs; i++)
        names[i] = plan->configs[i].name;
    P.est = names ? progress_est_new(names, plan->n_configs, plan->repetitions) : NULL;
    free(names);
    int memfd = memfd_create("tvp-progress", MFD_CLOEXEC);
    void *page = MAP_FAILED;
    if (memfd >= 0 && ftruncate(memfd, PAGE_BYTES) == 0)
        page = mmap(NULL, PAGE_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED, memfd, 0);
    P.evfd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (!P.est || page == MAP_FAILED || P.evfd < 0) {
        int e = errno;
        if (memfd >= 0)
            close(memfd);
        if (page != MAP_FAILED)
            munmap(page, PAGE_BYTES);
        if (P.evfd >= 0)
            close(P.evfd);
        progress_est_free(P.est);
        P.est = NULL;
        P.evfd = -1;
        fprintf(stderr, "tvp-bench: no progress display: %s\n", strerror(e ? e : ENOMEM));
        return;
    }
    P.sh = page;
    P.plan = plan;
    progress_shared *sh = P.sh;
    const char *term = getenv("TERM");
    sh->tty = isatty(2) && term && *term && strcmp(term, "dumb") != 0;
    sh->main_pid = (int32_t)getpid();
    sh->total = plan->n_jobs;
    sh->reps = plan->repetitions;
    sh->t0_ns = started_ns ? (int64_t)started_ns : now_ns();
    atomic_store(&sh->want_body, 1); /* the first line comes with the first body */
    int self_pidfd = (int)syscall(SYS_pidfd_open, getpid(), 0);
    P.ticker = spawn_ticker(memfd, self_pidfd);
    int e = errno;
    close(memfd);
    if (self_pidfd >= 0)
        close(self_pidfd);
    if (P.ticker < 0) {
        give_up(strerror(e));
        return;
    }
    P.ticker_fd = (int)syscall(SYS_pidfd_open, P.ticker, 0);
    /* Until it runs: its start (an exec, the libraries bound) stays out of the calibration. */
    int64_t end = now_ns() + START_WAIT_NS;
    while (atomic_load(&sh->ticker) == TICKER_STARTING && now_ns() < end) {
        futex_wait_ns(&sh->ticker, TICKER_STARTING, true, NS_PER_S / 20);
        struct pollfd p = {.fd = P.ticker_fd, .events = POLLIN};
        if ((P.ticker_fd >= 0 && poll(&p, 1, 0) > 0) || (P.child && waitpid(P.ticker, NULL, WNOHANG) == P.ticker))
            break; /* it ended: the exec failed */
    }
    if (atomic_load(&sh->ticker) != TICKER_RUNNING) {
        give_up("its process did not start");
        return;
    }
    P.on = true;
}

void progress_body_begin(const job *j)
{
    if (!P.on)
        return;
    progress_shared *sh = P.sh;
    if (j != P.cur) { /* the job's first body call */
        P.cur = j;
        P.cur_t0 = now_ns();
        int64_t lo, hi;
        sh->job_known = progress_est_start(P.est, j->config->index, &lo, &hi);
        sh->job_t0_ns = P.cur_t0;
        sh->job_lo_ns = lo;
        sh->job_hi_ns = hi;
        snprintf(sh->name, sizeof sh->name, "%s", j->config->name);
        publish_left();
    }
    atomic_store(&sh->state, SH_BODY);
    if (atomic_exchange(&sh->want_body, 0))
        wake_ticker();
}

void progress_body_end(void)
{
    if (!P.on)
        return;
    progress_shared *sh = P.sh;
    if (!lock_take(&sh->lock, STOP_WAIT_NS)) { /* the ticker is stuck (stopped, killed): go on */
        P.on = false;
        atomic_store(&sh->state, SH_STOP);
        wake_ticker();
        return;
    }
    if (sh->drawn) {
        write_all(2, ERASE, sizeof ERASE - 1);
        sh->drawn = 0;
    }
    atomic_store(&sh->state, SH_OUT);
    lock_give(&sh->lock);
}

void progress_job_done(const job *j, bool ran)
{
    if (!P.on)
        return;
    progress_shared *sh = P.sh;
    int64_t ns = -1;
    if (j == P.cur) {
        ns = ran ? now_ns() - P.cur_t0 : -1;
        P.cur = NULL;
        sh->name[0] = '\0';
        sh->job_lo_ns = sh->job_hi_ns = 0;
    } else { /* reported without a body: it will not start again */
        int64_t lo, hi;
        progress_est_start(P.est, j->config->index, &lo, &hi);
    }
    progress_est_done(P.est, j->config->index, ns);
    sh->done += ran;
    publish_left();
    fflush(stdout);
}

void progress_stop(progress_end how)
{
    progress_shared *sh = P.sh;
    if (!sh)
        return;
    P.on = false;
    atomic_store(&sh->state, SH_STOP);
    wake_ticker();
    int64_t end = now_ns() + STOP_WAIT_NS;
    while (P.ticker > 0 && atomic_load(&sh->ticker) == TICKER_RUNNING && now_ns() < end) {
        futex_wait_ns(&sh->ticker, TICKER_RUNNING, true, NS_PER_S / 10);
        struct pollfd p = {.fd = P.ticker_fd, .events = POLLIN};
        if (P.ticker_fd >= 0 && poll(&p, 1, 0) > 0)
            break; /* it died */
    }
    /* Still there: killed through its pidfd (never a pid that could have been reused); our own
     * child by its pid (it cannot be reaped but by us). */
    if (atomic_load(&sh->ticker) != TICKER_GONE && P.ticker_fd >= 0)
        syscall(SYS_pidfd_send_signal, P.ticker_fd, SIGKILL, NULL, 0);
    else if (atomic_load(&sh->ticker) != TICKER_GONE && P.child && P.ticker > 0)
        kill(P.ticker, SIGKILL);
    if (P.child && P.ticker > 0)
        while (waitpid(P.ticker, NULL, 0) < 0 && errno == EINTR)
            ;
    if (sh->drawn)
        write_all(2, ERASE, sizeof ERASE - 1);
    if (how != PROGRESS_END_SILENT) {
        char line[256];
        progress_view v = {.done = sh->done, .total = sh->total, .reps = sh->reps,
                           .elapsed_ns = now_ns() - sh->t0_ns,
                           .end = how == PROGRESS_END_DONE ? "done" : "stopped"};
        progress_fmt_line(line, sizeof line, &v);
        fprintf(stderr, "%s\n", line);
    }
    munmap(sh, PAGE_BYTES);
    if (P.evfd >= 0)
        close(P.evfd);
    if (P.ticker_fd >= 0)
        close(P.ticker_fd);
    progress_est_free(P.est);
    memset(&P, 0, sizeof P);
    P.evfd = P.ticker_fd = -1;
}
