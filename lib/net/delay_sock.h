/* delay_sock.h: socket helpers of the delay server (internal): listen, tune and reset connections, refuse one with a reason, the spare descriptor. */
#ifndef TVP_DELAY_SOCK_H
#define TVP_DELAY_SOCK_H

#include <stdint.h>

#include "delay_proto.h"

/* A non-blocking, close-on-exec listening socket on host (numeric) and port (0 = ephemeral);
 * *port_out is the port bound. 0, -EINVAL for a host that is not a numeric address, or -errno. */
int ds_sock_listen(const char *host, uint16_t port, int *fd_out, uint16_t *port_out);
/* An accepted connection: TCP_NODELAY, and TCP_NOTSENT_LOWAT = DELAY_SERVER_NOTSENT_LOWAT (the
 * bound on unsent bytes the kernel queues for it). */
void ds_sock_tune(int fd);
/* Makes the next close() a reset (SO_LINGER 0): the kernel frees the connection's buffers at
 * once instead of trying to deliver them. */
void ds_sock_reset_on_close(int fd);
/* A connection the server cannot take: an error reply with status (tag 0), then close. */
void ds_sock_refuse(int fd, delay_proto_status status);
/* A spare descriptor (/dev/null), but only while another one stays free for a connection:
 * capacity comes first (with a single free slot the spare would refuse every connection).
 * -1 when there is no room. */
int ds_sock_spare(void);

#endif
