/* netsvc.h: where the `net` workload sends its requests: a user-given delay server, or an
 * embedded one that tvp starts on demand in its own process, replaces when it dies, and stops at exit. */
#ifndef TVP_NETSVC_H
#define TVP_NETSVC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Uses an external server ("HOST:PORT", e.g. from --tvp_net_target) instead of the embedded one.
 * 0 or -EINVAL / -ERANGE. */
int netsvc_set_target(const char *host_port);

/* The server to use. The first call (and any call after the embedded server died or stopped
 * answering: checked with a STATS exchange, up to 2 s) starts the embedded server on
 * 127.0.0.1 with an ephemeral port, forked from the calling thread, which must be long-lived
 * (the server dies with it). 0 or -errno. */
int netsvc_target(char *host, size_t host_len, uint16_t *port);

/* The cheap check for the hot path (before every batch): like netsvc_target, but the embedded
 * server counts as dead only once it has exited (one waitpid(WNOHANG), no connection). A
 * replacement listens on a new port: compare netsvc_generation() to notice. 0 or -errno (no
 * server runs then; the next call tries again). */
int netsvc_refresh(char *host, size_t host_len, uint16_t *port);

/* How many embedded servers were started so far: it changes exactly when the server (and with
 * it, the port and every connection to it) changes. 0 with an external target. */
uint32_t netsvc_generation(void);

/* True when requests go to the embedded server. */
bool netsvc_embedded(void);

/* The embedded server's pid, 0 when none runs (for fault-injection tests). It reaps the server
 * when it has exited. */
int netsvc_pid(void);

/* Stops the embedded server, if any (SIGTERM, bounded wait, SIGKILL, reaped). */
void netsvc_shutdown(void);

#endif /* TVP_NETSVC_H */
