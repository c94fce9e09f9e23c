/* net_client.h: blocking delay-server client with deadlines (connect, DELAY, STATS) and HOST:PORT parsing. */
#ifndef TVP_NET_CLIENT_H
#define TVP_NET_CLIENT_H

/*
 * Every call has a deadline and waits with poll(): no call blocks longer than its timeout_ms
 * (> 0, else -EINVAL). A signal that interrupts poll() (EINTR: tvp-bench's handlers do not set
 * SA_RESTART) is not an error: the wait resumes with what is left of the same deadline, so the
 * bound holds however many signals arrive. Sends use MSG_NOSIGNAL, so a closed peer is -EPIPE,
 * never SIGPIPE.
 * Errors are returned, never printed:
 *   -ETIMEDOUT     the deadline passed (connect, send or reply)
 *   -ECONNREFUSED  nothing listens there
 *   -ECONNRESET    the peer reset or closed the connection before the whole reply arrived
 *   -EPIPE         the peer was gone when we sent
 *   -EPROTO        the reply is malformed: bad header, wrong tag, op or length, payload mismatch
 *   -EREMOTEIO     the server answered with an error status (net_reply.status says which)
 *   -EHOSTUNREACH  the host name does not resolve (and the connect errors as they come)
 *   -EMFILE, -ENFILE, -ENOMEM, -ENOBUFS  this process or the system ran out of descriptors or
 *                  memory (socket() failed): net_client_reason() names the limit
 * After any error but -EREMOTEIO the stream is out of step: close the descriptor. A server that
 * cannot take a connection (out of descriptors or memory) answers -EREMOTEIO with status
 * DELAY_ST_NO_FDS / DELAY_ST_NO_MEMORY, then closes it.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "delay_proto.h"

typedef struct {
    uint8_t status;         /* delay_proto_status of the reply */
    uint64_t tag;
    uint32_t payload_len;   /* bytes received and verified */
    int64_t lateness_ns;    /* the server's lateness for this reply */
    uint64_t elapsed_ns;    /* client-measured: just before the send to the last reply byte */
} net_reply;

/* Connects (TCP, TCP_NODELAY) to host (name or numeric address) and port, trying each resolved
 * address until the deadline. *fd_out is a blocking, close-on-exec socket. Name resolution
 * (getaddrinfo) is not bounded by timeout_ms: resolve once, or pass a numeric address. */
int net_client_connect(const char *host, uint16_t port, int timeout_ms, int *fd_out);

/* One DELAY exchange on fd: sends the request, waits for the reply and verifies it (tag, op,
 * length, payload content) within timeout_ms in total, which must cover delay_us. delay_us and
 * bytes over the protocol caps give -ERANGE / -EMSGSIZE without sending. out may be NULL. */
int net_client_request(int fd, uint32_t delay_us, uint32_t bytes, uint64_t tag, int timeout_ms,
                       net_reply *out);

/* One STATS exchange on fd; reset clears the server's statistics after the snapshot. */
int net_client_stats_fd(int fd, bool reset, int timeout_ms, delay_proto_stats *out);
/* The same over a fresh connection (the whole call within timeout_ms). */
int net_client_stats(const char *host, uint16_t port, bool reset, int timeout_ms,
                     delay_proto_stats *out);

/* Closes fd (ignores fd < 0). */
void net_client_close(int fd);

/* True when a kept-alive connection must not be reused: the peer closed or reset it (a server
 * that timed it out as idle, or died), or unread bytes wait on it. One poll(), no wait. */
bool net_client_stale(int fd);

/* A short reason for a client error (err < 0) into buf, which it returns: descriptor and memory
 * exhaustion by name (-EMFILE with this process's RLIMIT_NOFILE soft limit), -EREMOTEIO by the
 * server's status (pass net_reply.status; ignored otherwise), else strerror. */
const char *net_client_reason(int err, unsigned status, char *buf, size_t len);

/* Parses "HOST:PORT" or "[IPV6]:PORT" into host (NUL-terminated, brackets removed) and port.
 * HOST is a name or IPv4 address ([A-Za-z0-9._-]), or inside brackets an IPv6 address (the same
 * characters plus ':' and '%'); PORT is decimal 1..65535. Returns 0, -EINVAL for a malformed target, -ERANGE for a port out of range,
 * -ENAMETOOLONG when host does not fit in host_len. */
int net_target_parse(const char *target, char *host, size_t host_len, uint16_t *port);

#endif
