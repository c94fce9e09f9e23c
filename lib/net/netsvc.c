/* netsvc.c: the delay server the `net` workload talks to: external, or embedded (supervised, replaced when it dies, placed apart from the workers at a raised priority); and when its lateness is what a row measured. */
#include "netsvc.h"

#include <errno.h>
#include <math.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>

#include "delay_server.h"
#include "net_client.h"

#define NETSVC_PROBE_MS 2000

static char target_host[256];
static uint16_t target_port;
static bool external;
static pid_t server_pid;
static uint32_t generation;

/* Placement and priority of the embedded server (see netsvc_place). */
static cpu_set_t allowed;     /* the harness's PUs, as the thread that started the first server saw them */
static bool allowed_known;
static int want_cpu = -1;     /* the PU every server is bound to, -1: anywhere in `allowed` */
static netsvc_info info = {.cpu = -1};

int netsvc_set_target(const char *host_port)
{
    int rc = net_target_parse(host_port, target_host, sizeof target_host, &target_port);
    if (rc == 0)
        external = true;
    return rc;
}

bool netsvc_embedded(void) { return !external; }

uint32_t netsvc_generation(void) { return generation; }

/* Has the embedded server exited (and been reaped here)? */
static bool server_gone(void)
{
    if (server_pid <= 0)
        return true;
    int status;
    pid_t r = waitpid(server_pid, &status, WNOHANG);
    if (r == server_pid || (r < 0 && errno == ECHILD)) {
        server_pid = 0;
        return true;
    }
    return false;
}

/* Does the embedded server still answer (a STATS exchange)? A server that was killed may not
 * be reapable yet (its exit is in progress) but already refuses, or still holds its listening
 * socket (the kernel completes connections) without answering. */
static bool server_answers(void)
{
    delay_proto_stats st;
    return net_client_stats("127.0.0.1", target_port, false, NETSVC_PROBE_MS, &st) == 0;
}

/* Binds the running server to want_cpu, or lets it run on every allowed PU (a server started
 * while the coordinator was pinned, serial with pin=compact, would inherit that pin otherwise). */
static int server_apply_cpu(void)
{
    if (server_pid <= 0 || !allowed_known)
        return 0;
    cpu_set_t set = allowed;
    if (want_cpu >= 0) {
        CPU_ZERO(&set);
        CPU_SET(want_cpu, &set);
    }
    int rc = sched_setaffinity(server_pid, sizeof set, &set) == 0 ? 0 : -errno;
    info.place_err = rc;
    info.cpu = rc == 0 ? want_cpu : -1;
    return rc;
}

/* Raises the new server's priority: it must answer on time whatever the workers do. Measured on
 * 2 busy vCPUs, 256 workers waiting 20 ms (medians of 6 runs): median lateness 6-9 ms at nice 0
 * (single runs up to 155 ms), 0.12-0.16 ms at nice -20; p99 47-106 ms vs 2.4-4.5 ms. SCHED_FIFO cut the tail further but made 256 worker processes' tasks
 * 2-6x slower in a fresh pool (an RT task changes how the kernel balances the others): not what a
 * remote server does, so not used. Without the privilege it keeps the harness's nice, recorded. */
static void server_raise_priority(void)
{
    info.nice_err = setpriority(PRIO_PROCESS, (id_t)server_pid, NETSVC_NICE) == 0 ? 0 : -errno;
    errno = 0;
    int got = getpriority(PRIO_PROCESS, (id_t)server_pid);
    info.nice = errno == 0 ? got : 0;
}

/* Starts an embedded server when none runs. */
static int server_ensure(void)
{
    if (!server_gone())
        return 0;
    if (!allowed_known)
        allowed_known = sched_getaffinity(0, sizeof allowed, &allowed) == 0;
    uint16_t p;
    pid_t pid;
    int rc = delay_server_spawn("127.0.0.1", &p, &pid);
    if (rc < 0)
        return rc;
    snprintf(target_host, sizeof target_host, "127.0.0.1");
    target_port = p;
    server_pid = pid;
    generation++;
    info.started = true;
    server_raise_priority();
    server_apply_cpu();
    return 0;
}

static int current(char *host, size_t host_len, uint16_t *port)
{
    snprintf(host, host_len, "%s", target_host);
    *port = target_port;
    return 0;
}

int netsvc_target(char *host, size_t host_len, uint16_t *port)
{
    if (!external) {
        if (!server_gone() && !server_answers())
            netsvc_shutdown(); /* dying or wedged: reap it and start a new one */
        int rc = server_ensure();
        if (rc < 0)
            return rc;
    }
    return current(host, host_len, port);
}

int netsvc_refresh(char *host, size_t host_len, uint16_t *port)
{
    if (!external) {
        int rc = server_ensure();
        if (rc < 0)
            return rc;
    }
    return current(host, host_len, port);
}

int netsvc_pid(void) { return server_gone() ? 0 : (int)server_pid; }

void netsvc_shutdown(void)
{
    if (server_pid > 0)
        delay_server_stop(server_pid);
    server_pid = 0;
}

void netsvc_info_get(netsvc_info *out) { *out = info; }

int netsvc_choose_cpu(const int *allowed_pus, unsigned n_allowed, const int *used, unsigned n_used, unsigned workers,
                      bool unbound, bool *shared)
{
    *shared = false;
    if (workers == 0 || n_allowed <= workers)
        return -1; /* not known yet, or no PU to spare: every PU may carry a worker */
    if (unbound) { /* pin=none: no PU is free of the workers; the last is the least likely theirs */
        *shared = true;
        return allowed_pus[n_allowed - 1];
    }
    for (unsigned i = n_allowed; i-- > 0;) {
        bool taken = false;
        for (unsigned k = 0; k < n_used && !taken; k++)
            taken = used[k] == allowed_pus[i];
        if (!taken)
            return allowed_pus[i];
    }
    return -1;
}

int netsvc_place(const int *used, unsigned n_used, unsigned workers, bool unbound)
{
    if (external || !allowed_known)
        return 0;
    int pus[CPU_SETSIZE];
    unsigned n = 0;
    for (int c = 0; c < CPU_SETSIZE; c++)
        if (CPU_ISSET(c, &allowed))
            pus[n++] = c;
    bool shared;
    want_cpu = netsvc_choose_cpu(pus, n, used, n_used, workers, unbound, &shared);
    if (want_cpu >= 0) {
        info.n_bound++;
        if (want_cpu < 64)
            info.cpus_used |= 1ull << want_cpu;
    } else {
        info.n_unbound++;
    }
    return server_apply_cpu();
}

int netsvc_server_limited(double late_p50_us, double late_p99_us, double lat_p50_us, double rounds)
{
    if (!(late_p50_us >= 0) || !(late_p99_us >= 0) || !(lat_p50_us > 0) || !(rounds > 0) || !isfinite(late_p50_us) ||
        !isfinite(late_p99_us) || !isfinite(lat_p50_us) || !isfinite(rounds))
        return -EINVAL;
    return late_p50_us > NETSVC_LIMITED_P50_SHARE * lat_p50_us ||
           late_p99_us > NETSVC_LIMITED_P99_SHARE * rounds * lat_p50_us;
}
