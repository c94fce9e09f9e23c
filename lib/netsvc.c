/* netsvc.c: the delay server the `net` workload talks to: external, or embedded and supervised. */
#include "netsvc.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>

#include "delay_server.h"
#include "net_client.h"

static char target_host[256];
static uint16_t target_port;
static bool external;
static pid_t server_pid;

int netsvc_set_target(const char *host_port)
{
    int rc = net_target_parse(host_port, target_host, sizeof target_host, &target_port);
    if (rc == 0)
        external = true;
    return rc;
}

bool netsvc_embedded(void) { return !external; }

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

/* Does the embedded server still accept connections? A server that was killed may not be
 * reapable yet (its exit is in progress) but already refuses. */
static bool server_answers(void)
{
    int fd;
    if (net_client_connect("127.0.0.1", target_port, 1000, &fd) < 0)
        return false;
    net_client_close(fd);
    return true;
}

int netsvc_target(char *host, size_t host_len, uint16_t *port)
{
    if (!external && !server_gone() && !server_answers())
        netsvc_shutdown(); /* dying or wedged: reap it and start a new one */
    if (!external && server_gone()) {
        uint16_t p;
        pid_t pid;
        int rc = delay_server_spawn("127.0.0.1", &p, &pid);
        if (rc < 0)
            return rc;
        snprintf(target_host, sizeof target_host, "127.0.0.1");
        target_port = p;
        server_pid = pid;
    }
    snprintf(host, host_len, "%s", target_host);
    *port = target_port;
    return 0;
}

int netsvc_pid(void) { return server_gone() ? 0 : (int)server_pid; }

void netsvc_shutdown(void)
{
    if (server_pid > 0)
        delay_server_stop(server_pid);
    server_pid = 0;
}
