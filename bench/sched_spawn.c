/* sched_spawn.c: spawn cost, measured in tvp-spawner (an exec'd libc-only process): launch, reply, parser. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "metrics.h"
#include "sched_internal.h"

#define SPAWN_WARM 2u /* tvp-spawner's untimed warm-up ops (SPAWNER_WARM there) */

/* The longest reply to n ops: header, "ok" line, n lines of at most 20 digits, "end". */
#define SPAWN_REPLY_MAX(n) (256u + (size_t)(n) * 21u + 8u)

/* ---- the programs ---- */

/* `name` next to the running executable, or one directory up (the tests run from build/tests/). */
static int find_tool(const char *name, char *buf, size_t len)
{
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0)
        return -ENOENT;
    exe[n] = '\0';
    char *slash = strrchr(exe, '/');
    for (int up = 0; slash && up < 2; up++) {
        *slash = '\0';
        if ((size_t)snprintf(buf, len, "%s/%s", exe, name) < len && access(buf, X_OK) == 0)
            return 0;
        slash = strrchr(exe, '/');
    }
    return -ENOENT;
}

int sched_find_true(char *buf, size_t len)
{
    if (find_tool("tvp-true", buf, len) == 0)
        return 0;
    if (access("/bin/true", X_OK) == 0 && (size_t)snprintf(buf, len, "/bin/true") < len)
        return 0;
    return -ENOENT;
}

int sched_find_spawner(char *buf, size_t len) { return find_tool("tvp-spawner", buf, len); }

/* ---- the reply ---- */

/* The next line of [*p, end) without its '\n' as [*line, *line + *n); false when none is whole. */
static bool next_line(const char **p, const char *end, const char **line, size_t *n)
{
    const char *nl = memchr(*p, '\n', (size_t)(end - *p));
    if (!nl)
        return false;
    *line = *p;
    *n = (size_t)(nl - *p);
    *p = nl + 1;
    return true;
}

/* A strict unsigned decimal at *s: digits only, no sign, no leading zero, at most max; *s is left
 * on what follows, which must be the end or a space. */
static bool take_u64(const char **s, const char *end, uint64_t max, uint64_t *out)
{
    const char *q = *s;
    uint64_t v = 0;
    while (q < end && *q >= '0' && *q <= '9') {
        unsigned d = (unsigned)(*q - '0');
        if (v > (max - d) / 10)
            return false;
        v = v * 10 + d;
        q++;
    }
    if (q == *s || (q - *s > 1 && **s == '0') || (q < end && *q != ' '))
        return false;
    *s = q;
    *out = v;
    return true;
}

/* One space at *s with a field after it. */
static bool take_space(const char **s, const char *end)
{
    if (end - *s < 2 || (*s)[0] != ' ' || (*s)[1] == ' ')
        return false;
    (*s)++;
    return true;
}

static bool line_is(const char *line, size_t n, const char *want)
{
    return n == strlen(want) && memcmp(line, want, n) == 0;
}

/* -EPROTO with "malformed reply from tvp-spawner (line N): why". */
static int malformed(sched_result *r, unsigned line, const char *why)
{
    snprintf(r->detail, sizeof r->detail, "malformed reply from tvp-spawner (line %u): %s", line, why);
    return -EPROTO;
}

int sched_spawner_parse(const char *buf, size_t len, uint32_t n, sched_result *r)
{
    if (!r)
        return -EINVAL;
    if (!buf || n == 0 || n > SCHED_BATCH_MAX) {
        snprintf(r->detail, sizeof r->detail, "invalid reply parse request");
        return -EINVAL;
    }
    const char *p = buf, *end = buf + len, *line;
    size_t ln;
    char want[32];
    snprintf(want, sizeof want, "tvp-spawner %d", SCHED_SPAWNER_PROTO);
    if (len == 0)
        return malformed(r, 1, "no reply");
    if (memchr(buf, '\0', len))
        return malformed(r, 1, "a NUL byte");
    if (!next_line(&p, end, &line, &ln))
        return malformed(r, 1, "cut short");
    if (!line_is(line, ln, want))
        return malformed(r, 1, ln > 12 && memcmp(line, "tvp-spawner ", 12) == 0 ? "another protocol version"
                                                                                : "not a tvp-spawner reply");
    if (!next_line(&p, end, &line, &ln))
        return malformed(r, 2, "cut short");
    const char *e = line + ln, *s;
    if (ln > 6 && memcmp(line, "error ", 6) == 0) {
        s = line + 6;
        uint64_t err;
        if (!take_u64(&s, e, 4095, &err) || err == 0 || !take_space(&s, e))
            return malformed(r, 2, "an error line without an errno and a detail");
        if (p != end)
            return malformed(r, 3, "text after the error line");
        size_t k = 0;
        for (; s < e && k + 1 < sizeof r->detail; s++)
            r->detail[k++] = (*s >= 0x20 && *s < 0x7f) ? *s : '?';
        r->detail[k] = '\0';
        return -(int)err;
    }
    if (ln < 3 || memcmp(line, "ok ", 3) != 0)
        return malformed(r, 2, "neither ok nor error");
    s = line + 3;
    uint64_t ops, cpu_ns, vol, invol, cpu = 0;
    if (!take_u64(&s, e, SCHED_BATCH_MAX, &ops) || !take_space(&s, e) || !take_u64(&s, e, UINT64_MAX, &cpu_ns) ||
        !take_space(&s, e) || !take_u64(&s, e, UINT64_MAX, &vol) || !take_space(&s, e) ||
        !take_u64(&s, e, UINT64_MAX, &invol) || !take_space(&s, e))
        return malformed(r, 2, "bad ok line");
    bool none = e - s == 2 && s[0] == '-' && s[1] == '1';
    if (!none && (!take_u64(&s, e, CPU_SETSIZE - 1, &cpu) || s != e))
        return malformed(r, 2, "bad CPU on the ok line");
    if (ops != n)
        return malformed(r, 2, "a different number of ops than asked for");
    uint64_t total = 0, max = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint64_t d;
        if (!next_line(&p, end, &line, &ln))
            return malformed(r, 3 + i, "cut short");
        s = line;
        if (!take_u64(&s, line + ln, 3600000000000ull, &d) || s != line + ln || d == 0)
            return malformed(r, 3 + i, "bad op time");
        if (r->lat_ns)
            r->lat_ns[i] = (double)d;
        total += d;
        max = d > max ? d : max;
    }
    if (!next_line(&p, end, &line, &ln))
        return malformed(r, 3 + n, "cut short");
    if (!line_is(line, ln, "end"))
        return malformed(r, 3 + n, "more op times than ops, or no end line");
    if (p != end)
        return malformed(r, 4 + n, "text after the end line");
    r->ops = n;
    r->total_ns = total;
    r->max_ns = max;
    r->cpu_ns = cpu_ns;
    r->ctx_vol = vol;
    r->ctx_invol = invol;
    r->cpu[0] = r->cpu[1] = none ? -1 : (int)cpu;
    return 0;
}

/* ---- the spawner's run ---- */

/* Reads the spawner's standard output to its end, at most cap bytes, until deadline_ns.
 * 0, -ETIMEDOUT, -EMSGSIZE (longer than cap) or -errno of poll/read. */
static int read_reply(int fd, uint64_t deadline_ns, char *buf, size_t cap, size_t *len)
{
    *len = 0;
    for (;;) {
        uint64_t now = metrics_now_ns();
        if (now >= deadline_ns)
            return -ETIMEDOUT;
        uint64_t left_ms = (deadline_ns - now) / 1000000u + 1;
        struct pollfd pfd = {.fd = fd, .events = POLLIN};
        int rc = poll(&pfd, 1, left_ms > 1000 ? 1000 : (int)left_ms);
        if (rc < 0 && errno != EINTR)
            return -errno;
        if (rc <= 0)
            continue;
        ssize_t got;
        if (*len == cap) {
            char extra;
            if ((got = read(fd, &extra, 1)) > 0)
                return -EMSGSIZE;
        } else if ((got = read(fd, buf + *len, cap - *len)) > 0) {
            *len += (size_t)got;
            continue;
        }
        if (got == 0)
            return 0;
        if (errno != EINTR && errno != EAGAIN)
            return -errno;
    }
}

/* Reaps the spawner (its own process group: the group is killed with it, children and all, when
 * it outlives the deadline or `kill_now`). Returns its wait status, or -1 if waitpid failed. */
static int reap_spawner(pid_t pid, uint64_t deadline_ns, bool kill_now, bool *killed)
{
    int status = 0;
    *killed = false;
    for (;;) {
        if (kill_now || metrics_now_ns() >= deadline_ns) {
            kill(-pid, SIGKILL);
            *killed = true;
            kill_now = false;
            deadline_ns = UINT64_MAX;
        }
        pid_t got = waitpid(pid, &status, *killed ? 0 : WNOHANG);
        if (got == pid)
            return status;
        if (got < 0 && errno != EINTR)
            return -1;
        if (got == 0) {
            struct timespec ts = {0, 1000000};
            nanosleep(&ts, NULL);
        }
    }
}

/* Starts tvp-spawner with its standard output on a pipe, in a process group of its own, with an
 * empty environment, no blocked signal and default dispositions. 0 or -errno. */
static int launch(const char *spawner, char *const argv[], pid_t *pid, int *rfd)
{
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) < 0)
        return -errno;
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t at;
    posix_spawn_file_actions_init(&fa);
    posix_spawnattr_init(&at);
    posix_spawn_file_actions_adddup2(&fa, fds[1], STDOUT_FILENO);
    sigset_t none, all;
    sigemptyset(&none);
    sigfillset(&all);
    sigdelset(&all, SIGKILL);
    sigdelset(&all, SIGSTOP);
    posix_spawnattr_setsigmask(&at, &none);
    posix_spawnattr_setsigdefault(&at, &all);
    posix_spawnattr_setpgroup(&at, 0);
    posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP);
    char *envp[] = {NULL};
    int rc = posix_spawn(pid, spawner, &fa, &at, argv, envp);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&at);
    close(fds[1]);
    if (rc) {
        close(fds[0]);
        return -rc;
    }
    *rfd = fds[0];
    return 0;
}

/* The CPU a SAME measurement binds the spawner to: the first of a compact plan. 0 or -errno. */
static int same_cpu(const pin_topo *t, int *cpu)
{
    pin_plan plan;
    int rc = pin_plan_make(t, PIN_COMPACT, 1, &plan);
    if (rc < 0)
        return rc;
    *cpu = plan.cpu[0];
    pin_plan_free(&plan);
    return *cpu >= 0 ? 0 : -ENODEV;
}

int sched_measure_spawn(const sched_spawn_cfg *cfg, uint32_t n, sched_result *r)
{
    if (!r)
        return -EINVAL;
    sched_result_reset(r);
    if (!cfg || n == 0 || n > SCHED_BATCH_MAX || (unsigned)cfg->method >= SCHED_SPAWN_COUNT ||
        (cfg->cpus != SCHED_CPUS_NONE && cfg->cpus != SCHED_CPUS_SAME) ||
        (cfg->cpus == SCHED_CPUS_SAME && !cfg->topo) || cfg->heap_kib > SIZE_MAX / 2048) {
        snprintf(r->detail, sizeof r->detail, "invalid spawn configuration");
        return -EINVAL;
    }
    char spawner[PATH_MAX], prog[PATH_MAX] = "";
    if (cfg->spawner && cfg->spawner[0]) {
        snprintf(spawner, sizeof spawner, "%s", cfg->spawner);
    } else if (sched_find_spawner(spawner, sizeof spawner) < 0) {
        snprintf(r->detail, sizeof r->detail, "no tvp-spawner next to the executable (build it: it runs the spawns)");
        return -ENOENT;
    }
    if (cfg->method == SCHED_SPAWN_POSIX_SPAWN) {
        if (cfg->program && cfg->program[0])
            snprintf(prog, sizeof prog, "%s", cfg->program);
        else if (sched_find_true(prog, sizeof prog) < 0) {
            snprintf(r->detail, sizeof r->detail, "no tvp-true next to the executable and no /bin/true");
            return -ENOENT;
        }
    }
    int cpu = -1, rc;
    if (cfg->cpus == SCHED_CPUS_SAME && (rc = same_cpu(cfg->topo, &cpu)) < 0) {
        snprintf(r->detail, sizeof r->detail, "cannot choose a CPU to bind to: %s", strerror(-rc));
        return rc;
    }
    uint32_t timeout_ms = cfg->timeout_ms ? cfg->timeout_ms : SCHED_DEFAULT_TIMEOUT_MS;
    char a_method[32], a_ops[32], a_heap[48], a_cpu[32], a_timeout[32], a_parent[32], a_prog[PATH_MAX + 16];
    snprintf(a_method, sizeof a_method, "--method=%s", sched_spawn_name(cfg->method));
    snprintf(a_ops, sizeof a_ops, "--ops=%u", n);
    snprintf(a_heap, sizeof a_heap, "--heap-kib=%zu", cfg->heap_kib);
    snprintf(a_cpu, sizeof a_cpu, "--cpu=%d", cpu);
    snprintf(a_timeout, sizeof a_timeout, "--timeout-ms=%u", timeout_ms);
    snprintf(a_parent, sizeof a_parent, "--parent=%ld", (long)getpid());
    snprintf(a_prog, sizeof a_prog, "--program=%s", prog);
    char *argv[] = {spawner, a_method, a_ops, a_heap, a_cpu, a_timeout, a_parent, prog[0] ? a_prog : NULL, NULL};

    size_t cap = SPAWN_REPLY_MAX(n), len = 0;
    char *buf = malloc(cap);
    if (!buf) {
        snprintf(r->detail, sizeof r->detail, "out of memory for the spawner's reply");
        return -ENOMEM;
    }
    pid_t pid = 0;
    int fd = -1;
    if ((rc = launch(spawner, argv, &pid, &fd)) < 0) {
        snprintf(r->detail, sizeof r->detail, "cannot start %.120s: %s", spawner, strerror(-rc));
        free(buf);
        return rc;
    }
    /* The spawner bounds every op by the timeout itself; this bounds the spawner: every op, the
     * warm-ups, and as long again for its start and the heap. */
    uint64_t budget_ms = (uint64_t)timeout_ms * (n + SPAWN_WARM + 2);
    uint64_t deadline = metrics_now_ns() + budget_ms * 1000000u;
    int rd = read_reply(fd, deadline, buf, cap, &len);
    close(fd);
    bool killed;
    int status = reap_spawner(pid, deadline, rd < 0, &killed);
    if (rd == -ETIMEDOUT) {
        snprintf(r->detail, sizeof r->detail, "tvp-spawner did not finish %u ops within %llu ms and was killed", n,
                 (unsigned long long)budget_ms);
        rc = -ETIMEDOUT;
    } else if (rd < 0) {
        snprintf(r->detail, sizeof r->detail, "reading tvp-spawner's reply: %s",
                 rd == -EMSGSIZE ? "longer than any valid one" : strerror(-rd));
        rc = rd == -EMSGSIZE ? -EPROTO : rd;
    } else if (status < 0) {
        snprintf(r->detail, sizeof r->detail, "waitpid on tvp-spawner: %s", strerror(errno));
        rc = -ECHILD;
    } else if (killed) {
        snprintf(r->detail, sizeof r->detail, "tvp-spawner outlived its deadline of %llu ms and was killed",
                 (unsigned long long)budget_ms);
        rc = -ETIMEDOUT;
    } else if (WIFSIGNALED(status)) {
        sched_describe_status(r->detail, sizeof r->detail, "tvp-spawner", status);
        rc = -ECHILD;
    } else {
        rc = sched_spawner_parse(buf, len, n, r);
        if (rc == -EPROTO && WEXITSTATUS(status) != 0) {
            /* No valid reply and a failure status (127: it could not even run): the status first. */
            char why[sizeof r->detail];
            memcpy(why, r->detail, sizeof why);
            snprintf(r->detail, sizeof r->detail, "tvp-spawner exited with status %d; %.140s", WEXITSTATUS(status),
                     why);
            rc = -ECHILD;
        } else if (rc == 0 && WEXITSTATUS(status) != 0) {
            sched_describe_status(r->detail, sizeof r->detail, "tvp-spawner (after a complete reply)", status);
            rc = -ECHILD;
        } else if (rc == 0 && cfg->cpus == SCHED_CPUS_SAME && r->cpu[0] != cpu) {
            rc = malformed(r, 2, "the reply names another CPU than the one asked for");
        }
    }
    if (rc < 0) {
        /* A failed call measured nothing. */
        char detail[sizeof r->detail];
        memcpy(detail, r->detail, sizeof detail);
        sched_result_reset(r);
        memcpy(r->detail, detail, sizeof detail);
    }
    free(buf);
    return rc;
}
