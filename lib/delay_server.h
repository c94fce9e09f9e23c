/* delay_server.h: the delay server (epoll event loop, timer heap, lateness statistics) and its child-process launcher. */
#ifndef TVP_DELAY_SERVER_H
#define TVP_DELAY_SERVER_H

/*
 * One thread serves every connection: non-blocking sockets in one epoll set, one timerfd armed
 * at the earliest deadline of a binary min-heap (O(log n) per request, any number of waiting
 * connections). Per connection the state is a fixed ~200-byte struct: a request is read into a
 * 32-byte buffer, a reply is streamed from a static pattern table, so nothing grows with the
 * request. A connection serves one request at a time; later requests wait in the socket buffer.
 *
 * Lateness of a DELAY reply = the time the server starts writing it - (the time it finished
 * reading the request + delay_us). It goes into the reply header and into a log-linear
 * histogram (bounded, ~30 KiB) that STATS summarises.
 *
 * Limits: DELAY_SERVER_MAX_CONNS connections (more are accepted and closed at once, counted as
 * errors); a request left incomplete for DELAY_SERVER_PARTIAL_TIMEOUT_MS closes its connection.
 * When out of file descriptors, the server accepts and closes the pending connection (spare-fd
 * trick) instead of spinning.
 */

#include <signal.h>
#include <stdint.h>
#include <sys/types.h>

#include "delay_proto.h"

#define DELAY_SERVER_MAX_CONNS 65536
#define DELAY_SERVER_PARTIAL_TIMEOUT_MS 10000
#define DELAY_SERVER_DEFAULT_HOST "127.0.0.1"

typedef struct delay_server delay_server;

/* Binds and listens on host (a numeric IPv4 or IPv6 address; NULL means 127.0.0.1) and port
 * (0 = an ephemeral port, see delay_server_port). Returns 0, -EINVAL for a host that is not a
 * numeric address, or the -errno of socket/bind/listen/epoll (-EADDRINUSE for a taken port). */
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
