/* netsvc.c: the delay server the `net` workload talks to: external, or embedded, supervised and replaced when it dies. */
#include "netsvc.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
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

/* Starts an embedded server when none runs. */
static int server_ensure(void)
{
    if (!server_gone())
        return 0;
    uint16_t p;
    pid_t pid;
    int rc = delay_server_spawn("127.0.0.1", &p, &pid);
    if (rc < 0)
        return rc;
    snprintf(target_host, sizeof target_host, "127.0.0.1");
    target_port = p;
    server_pid = pid;
    generation++;
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
