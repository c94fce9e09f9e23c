/* netsvc.h: where the `net` workload sends its requests: a user-given delay server, or an
 * embedded one that tvp starts on demand in its own process and stops at exit. */
#ifndef TVP_NETSVC_H
#define TVP_NETSVC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Uses an external server ("HOST:PORT", e.g. from --tvp_net_target) instead of the embedded one.
 * 0 or -EINVAL / -ERANGE. */
int netsvc_set_target(const char *host_port);

/* The server to use. The first call (and any call after the embedded server died) starts the
 * embedded server on 127.0.0.1 with an ephemeral port, forked from the calling thread, which must
 * be long-lived (the server dies with it). 0 or -errno. */
int netsvc_target(char *host, size_t host_len, uint16_t *port);

/* True when requests go to the embedded server. */
bool netsvc_embedded(void);

/* The embedded server's pid, 0 when none runs (for fault-injection tests). */
int netsvc_pid(void);

/* Stops the embedded server, if any (SIGTERM, bounded wait, SIGKILL, reaped). */
void netsvc_shutdown(void);

#endif /* TVP_NETSVC_H */
