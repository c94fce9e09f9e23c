/* delay_server.h: the delay server (epoll event loop, timer heap, lateness statistics) and its child-process launcher. */
#ifndef TVP_DELAY_SERVER_H
#define TVP_DELAY_SERVER_H

/*
 * One thread serves every connection: non-blocking sockets in one epoll set, one timerfd armed
 * at the earliest deadline of a binary min-heap (O(log n) per request, any number of waiting
 * connections). Per connection the state is a fixed ~300-byte struct: a request is read into a
 * 64-byte buffer, a reply is streamed from a static pattern table, so nothing grows with the
 * request. A connection serves one request at a time; later requests wait in the socket buffer.
 *
 * Lateness of a DELAY reply = the time the server starts writing it - (the time it finished
 * reading the request + delay_us). It goes into the reply header and into a log-linear
 * histogram (bounded, ~30 KiB) that STATS summarises.
 *
 * Limits (see delay_server_config; each timeout is checked lazily, so it fires within a few
 * milliseconds after it is due, never before):
 *   - idle: a connection with no request in progress and nothing to send for idle_timeout_ms
 *     is closed (not an error; default 60 s);
 *   - partial: a request left incomplete for partial_timeout_ms closes its connection and
 *     counts an error (default 10 s);
 *   - send: a reply that makes no progress for send_timeout_ms (the peer does not read) is
 *     abandoned: the connection is reset (buffers freed at once) and an error counted
 *     (default 10 s);
 *   - buffered output: TCP_NOTSENT_LOWAT caps the unsent bytes the kernel queues per connection
 *     at DELAY_SERVER_NOTSENT_LOWAT (+ one 64 KiB write), whatever the send buffer autotunes to;
 *   - DELAY_SERVER_MAX_CONNS connections. A connection over the cap, or arriving while the server
 *     is out of descriptors (EMFILE/ENFILE: a spare descriptor is released to take it) gets an
 *     error reply with status no_fds and is closed; one the server has no memory for gets
 *     no_memory. Both count errors. When not even that is possible (accept fails with
 *     ENOMEM/ENOBUFS, no spare descriptor), accepting pauses for DELAY_SERVER_ACCEPT_BACKOFF_MS
 *     (or until a connection closes) instead of spinning; established connections are served
 *     throughout.
 */

#include <signal.h>
#include <stdint.h>
#include <sys/types.h>

#include "delay_proto.h"

#define DELAY_SERVER_MAX_CONNS 65536
#define DELAY_SERVER_IDLE_TIMEOUT_MS 60000
#define DELAY_SERVER_PARTIAL_TIMEOUT_MS 10000
#define DELAY_SERVER_SEND_TIMEOUT_MS 10000
#define DELAY_SERVER_TIMEOUT_MAX_MS 86400000u /* 1 day: the largest timeout a config may set */
#define DELAY_SERVER_NOTSENT_LOWAT (128 * 1024)
#define DELAY_SERVER_ACCEPT_BACKOFF_MS 50
#define DELAY_SERVER_DEFAULT_HOST "127.0.0.1"

typedef struct delay_server_config {
    const char *host;             /* numeric IPv4 or IPv6 address; NULL means 127.0.0.1 */
    uint16_t port;                /* 0 = an ephemeral port, see delay_server_port */
    uint32_t idle_timeout_ms;     /* 0 = never; at most DELAY_SERVER_TIMEOUT_MAX_MS */
    uint32_t partial_timeout_ms;  /* 0 = never; at most DELAY_SERVER_TIMEOUT_MAX_MS */
    uint32_t send_timeout_ms;     /* 0 = never; at most DELAY_SERVER_TIMEOUT_MAX_MS */
} delay_server_config;

/* What the server did about its limits since it was opened (not cleared by STATS reset). */
typedef struct delay_server_counters {
    uint64_t idle_closed;     /* connections closed by the idle timeout */
    uint64_t partial_closed;  /* connections closed with a request incomplete too long */
    uint64_t send_timeouts;   /* connections reset because the peer stopped reading */
    uint64_t shed_no_fds;     /* connections refused: out of descriptors, or the connection cap */
    uint64_t shed_no_memory;  /* connections refused: no memory for their state */
    uint64_t accept_pauses;   /* times accepting paused (nothing could take a pending connection) */
} delay_server_counters;

typedef struct delay_server delay_server;

/* The defaults: 127.0.0.1, an ephemeral port, the DELAY_SERVER_*_TIMEOUT_MS timeouts. */
void delay_server_config_init(delay_server_config *cfg);
/* Binds and listens as cfg says. Returns 0, -EINVAL for a host that is not a numeric address or
 * a timeout over DELAY_SERVER_TIMEOUT_MAX_MS, or the -errno of socket/bind/listen/epoll
 * (-EADDRINUSE for a taken port). */
int delay_server_open_config(const delay_server_config *cfg, delay_server **out);
/* delay_server_open_config with the default timeouts. */
int delay_server_open(const char *host, uint16_t port, delay_server **out);
/* The port actually bound. */
uint16_t delay_server_port(const delay_server *s);
/* Runs the event loop until *stop becomes nonzero (stop may be NULL) or delay_server_request_stop
 * is called; a signal that sets *stop is seen within 100 ms. Pending connections are closed on
 * return. Sets the calling thread's timer slack to 1 ns while it runs. Returns 0 or -errno. */
int delay_server_run(delay_server *s, volatile sig_atomic_t *stop);
/* Asks a running loop to return (a stopped server stays stopped: later runs return at once).
 * Async-signal-safe and thread-safe. */
void delay_server_request_stop(delay_server *s);
/* Lateness summary since the last reset (what STATS returns). Call from the loop's thread or
 * while the loop is not running. */
void delay_server_stats(const delay_server *s, delay_proto_stats *out);
void delay_server_stats_reset(delay_server *s);
/* The limit counters (same threading rule as delay_server_stats). */
void delay_server_counters_get(const delay_server *s, delay_server_counters *out);
/* Closes every socket and frees the server; NULL is ignored. */
void delay_server_close(delay_server *s);

/* Forks a child process that serves on host (NULL = 127.0.0.1) at an ephemeral port. The child
 * sets PR_SET_PDEATHSIG SIGKILL (it dies with the forking thread: call this from a long-lived
 * thread), checks its parent is still there, closes every inherited descriptor but 0-2, ignores
 * SIGINT and SIGPIPE (the parent owns its lifetime), stops on SIGTERM, raises its
 * RLIMIT_NOFILE soft limit to the hard limit and leaves with _exit. The parent learns the port
 * through a pipe (bounded wait). Returns 0, or -errno (the child's open error, -ETIMEDOUT when
 * it does not report, -EIO when it dies first); no child is left behind on error. */
int delay_server_spawn(const char *host, uint16_t *port_out, pid_t *pid_out);
/* Stops a spawned server: SIGTERM, up to 3 s for it to exit, then SIGKILL; always reaps it.
 * Returns 0 after a clean exit, -ETIMEDOUT when it had to be killed, -EIO when it had already
 * died abnormally (nonzero exit or another signal), -ECHILD when pid is not our child. */
int delay_server_stop(pid_t pid);

#endif
