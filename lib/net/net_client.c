/* net_client.c: blocking delay-server client: deadline-bounded connect, send and receive, reply verification. */
#include "net_client.h"
#include "metrics.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define NC_CHUNK 16384

/* The harness's one clock (metrics_now_ns: CLOCK_MONOTONIC). */
static int64_t nc_now_ns(void) { return (int64_t)metrics_now_ns(); }

static int64_t nc_deadline(int timeout_ms) { return nc_now_ns() + (int64_t)timeout_ms * 1000000; }

/* Waits until fd is ready for events or the deadline passes. POLLERR/POLLHUP count as ready:
 * the next send/recv reports what happened. EINTR: poll again with the time left until the same
 * deadline, which the clock check at the top enforces (no spin: each turn sleeps or returns). */
static int nc_wait(int fd, short events, int64_t deadline)
{
    for (;;) {
        int64_t left = deadline - nc_now_ns();
        if (left <= 0)
            return -ETIMEDOUT;
        struct pollfd pfd = {.fd = fd, .events = events};
        int ms = (int)((left + 999999) / 1000000);
        int rc = poll(&pfd, 1, ms);
        if (rc < 0) {
            if (errno == EINTR)
                continue;
            return -errno;
        }
        if (rc > 0)
            return (pfd.revents & POLLNVAL) ? -EBADF : 0;
    }
}

static int nc_send_all(int fd, const uint8_t *buf, size_t len, int64_t deadline)
{
    size_t off = 0;
    while (off < len) {
        ssize_t n = send(fd, buf + off, len - off, MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n >= 0) {
            off += (size_t)n;
            continue;
        }
        if (errno == EINTR)
            continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK)
            return -errno;
        int rc = nc_wait(fd, POLLOUT, deadline);
        if (rc < 0)
            return rc;
    }
    return 0;
}

static int nc_recv_all(int fd, uint8_t *buf, size_t len, int64_t deadline)
{
    size_t off = 0;
    while (off < len) {
        ssize_t n = recv(fd, buf + off, len - off, MSG_DONTWAIT);
        if (n > 0) {
            off += (size_t)n;
            continue;
        }
        if (n == 0)
            return -ECONNRESET; /* closed before the whole reply */
        if (errno == EINTR)
            continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK)
            return -errno;
        int rc = nc_wait(fd, POLLIN, deadline);
        if (rc < 0)
            return rc;
    }
    return 0;
}

static int nc_set_blocking(int fd)
{
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) < 0)
        return -errno;
    return 0;
}

/* One address: non-blocking connect, wait, SO_ERROR. */
static int nc_connect_one(const struct addrinfo *ai, int64_t deadline, int *fd_out)
{
    int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -errno;
    int rc = 0;
    if (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0) {
        rc = (errno == EINPROGRESS || errno == EINTR) ? nc_wait(fd, POLLOUT, deadline) : -errno;
        if (rc == 0) {
            int err = 0;
            socklen_t el = sizeof err;
            if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el) < 0)
                rc = -errno;
            else
                rc = -err;
        }
    }
    if (rc == 0)
        rc = nc_set_blocking(fd);
    if (rc < 0) {
        close(fd);
        return rc;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    *fd_out = fd;
    return 0;
}

static int nc_gai_errno(int gai)
{
    switch (gai) {
    case EAI_SYSTEM: return errno ? -errno : -EIO;
    case EAI_MEMORY: return -ENOMEM;
    case EAI_AGAIN: return -EAGAIN;
    case EAI_SERVICE:
    case EAI_BADFLAGS: return -EINVAL;
    default: return -EHOSTUNREACH;
    }
}

int net_client_connect(const char *host, uint16_t port, int timeout_ms, int *fd_out)
{
    if (!host || !*host || port == 0 || timeout_ms <= 0)
        return -EINVAL;
    int64_t deadline = nc_deadline(timeout_ms);
    char service[8];
    snprintf(service, sizeof service, "%u", (unsigned)port);
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
                             .ai_flags = AI_NUMERICSERV};
    struct addrinfo *res = NULL;
    int gai = getaddrinfo(host, service, &hints, &res);
    if (gai != 0)
        return nc_gai_errno(gai);
    int rc = -EHOSTUNREACH;
    for (const struct addrinfo *ai = res; ai; ai = ai->ai_next) {
        rc = nc_connect_one(ai, deadline, fd_out);
        if (rc == 0 || rc == -ETIMEDOUT)
            break;
    }
    freeaddrinfo(res);
    return rc;
}

/* Receives and checks the payload of a DELAY reply in NC_CHUNK pieces. */
static int nc_recv_payload(int fd, uint64_t tag, uint32_t len, int64_t deadline)
{
    uint8_t buf[NC_CHUNK];
    uint32_t off = 0;
    while (off < len) {
        size_t n = len - off < NC_CHUNK ? len - off : NC_CHUNK;
        int rc = nc_recv_all(fd, buf, n, deadline);
        if (rc < 0)
            return rc;
        if (delay_proto_payload_check(tag, off, buf, n) < 0)
            return -EPROTO;
        off += (uint32_t)n;
    }
    return 0;
}

/* Sends one request and reads back the reply header; checks tag and op. */
static int nc_exchange(int fd, const delay_proto_request *req, int64_t deadline, delay_proto_reply *rep)
{
    uint8_t buf[DELAY_PROTO_REQUEST_SIZE];
    int rc = delay_proto_encode_request(req, buf);
    if (rc < 0)
        return rc;
    if ((rc = nc_send_all(fd, buf, sizeof buf, deadline)) < 0)
        return rc;
    uint8_t hdr[DELAY_PROTO_REPLY_SIZE];
    if ((rc = nc_recv_all(fd, hdr, sizeof hdr, deadline)) < 0)
        return rc;
    if (delay_proto_decode_reply(hdr, sizeof hdr, rep) < 0)
        return -EPROTO;
    if (rep->status != DELAY_ST_OK)
        return -EREMOTEIO;
    if (rep->tag != req->tag || rep->op != req->op)
        return -EPROTO;
    return 0;
}

int net_client_request(int fd, uint32_t delay_us, uint32_t bytes, uint64_t tag, int timeout_ms,
                       net_reply *out)
{
    if (fd < 0 || timeout_ms <= 0)
        return -EINVAL;
    int64_t start = nc_now_ns();
    int64_t deadline = start + (int64_t)timeout_ms * 1000000;
    delay_proto_request req = {.op = DELAY_OP_DELAY, .delay_us = delay_us, .reply_bytes = bytes,
                               .tag = tag};
    delay_proto_reply rep = {0};
    int rc = nc_exchange(fd, &req, deadline, &rep);
    if (rc == 0 && rep.payload_len != bytes)
        rc = -EPROTO;
    if (rc == 0)
        rc = nc_recv_payload(fd, tag, bytes, deadline);
    if (out) {
        out->status = rep.status;
        out->tag = rep.tag;
        out->payload_len = rc == 0 ? rep.payload_len : 0;
        out->lateness_ns = rep.lateness_ns;
        out->elapsed_ns = (uint64_t)(nc_now_ns() - start);
    }
    return rc;
}

int net_client_stats_fd(int fd, bool reset, int timeout_ms, delay_proto_stats *out)
{
    if (fd < 0 || timeout_ms <= 0)
        return -EINVAL;
    int64_t deadline = nc_deadline(timeout_ms);
    delay_proto_request req = {.op = DELAY_OP_STATS, .flags = reset ? DELAY_FLAG_RESET : 0,
                               .tag = (uint64_t)deadline};
    delay_proto_reply rep;
    int rc = nc_exchange(fd, &req, deadline, &rep);
    if (rc < 0)
        return rc;
    uint8_t buf[DELAY_PROTO_STATS_SIZE];
    if ((rc = nc_recv_all(fd, buf, sizeof buf, deadline)) < 0)
        return rc;
    return delay_proto_decode_stats(buf, sizeof buf, out) < 0 ? -EPROTO : 0;
}

int net_client_stats(const char *host, uint16_t port, bool reset, int timeout_ms,
                     delay_proto_stats *out)
{
    if (timeout_ms <= 0)
        return -EINVAL;
    int64_t deadline = nc_deadline(timeout_ms);
    int fd;
    int rc = net_client_connect(host, port, timeout_ms, &fd);
    if (rc < 0)
        return rc;
    int64_t left_ms = (deadline - nc_now_ns()) / 1000000;
    rc = left_ms > 0 ? net_client_stats_fd(fd, reset, (int)left_ms, out) : -ETIMEDOUT;
    close(fd);
    return rc;
}

void net_client_close(int fd)
{
    if (fd >= 0)
        close(fd);
}

bool net_client_stale(int fd)
{
    struct pollfd pfd = {.fd = fd, .events = POLLIN | POLLRDHUP};
    int rc;
    while ((rc = poll(&pfd, 1, 0)) < 0 && errno == EINTR) {
    }
    return rc != 0; /* readable, closed, reset, or poll itself failed */
}

const char *net_client_reason(int err, unsigned status, char *buf, size_t len)
{
    struct rlimit rl;
    switch (err) {
    case -EMFILE:
        if (getrlimit(RLIMIT_NOFILE, &rl) == 0)
            snprintf(buf, len, "too many open files: RLIMIT_NOFILE is %llu", (unsigned long long)rl.rlim_cur);
        else
            snprintf(buf, len, "too many open files (EMFILE)");
        break;
    case -ENFILE:
        snprintf(buf, len, "system-wide file table full (ENFILE; see fs.file-max)");
        break;
    case -ENOMEM:
        snprintf(buf, len, "out of memory (ENOMEM)");
        break;
    case -ENOBUFS:
        snprintf(buf, len, "out of socket buffer memory (ENOBUFS)");
        break;
    case -EADDRNOTAVAIL:
        snprintf(buf, len, "no free local port (EADDRNOTAVAIL; see ip_local_port_range)");
        break;
    case -EREMOTEIO:
        if (status == DELAY_ST_NO_FDS)
            snprintf(buf, len, "server out of file descriptors (status no_fds)");
        else if (status == DELAY_ST_NO_MEMORY)
            snprintf(buf, len, "server out of memory (status no_memory)");
        else
            snprintf(buf, len, "server error reply: %s", delay_proto_status_name(status));
        break;
    default:
        snprintf(buf, len, "%s", strerror(-err));
    }
    return buf;
}

static bool nc_host_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           c == '.' || c == '-' || c == '_';
}

/* Decimal 1..65535, digits only. */
static int nc_parse_port(const char *p, uint16_t *port)
{
    size_t n = strlen(p);
    if (n == 0)
        return -EINVAL;
    unsigned long v = 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i] < '0' || p[i] > '9')
            return -EINVAL;
        if (v <= 65535)
            v = v * 10 + (unsigned long)(p[i] - '0');
    }
    if (v == 0 || v > 65535)
        return -ERANGE;
    *port = (uint16_t)v;
    return 0;
}

int net_target_parse(const char *target, char *host, size_t host_len, uint16_t *port)
{
    if (!target || !host || host_len == 0 || !port)
        return -EINVAL;
    const char *h = target, *h_end, *colon;
    if (*target == '[') {
        h = target + 1;
        h_end = strchr(h, ']');
        if (!h_end || h_end == h || h_end[1] != ':')
            return -EINVAL;
        for (const char *c = h; c < h_end; c++)
            if (!nc_host_char(*c) && *c != ':' && *c != '%')
                return -EINVAL;
        colon = h_end + 1;
    } else {
        colon = strrchr(target, ':');
        if (!colon || colon == target)
            return -EINVAL;
        h_end = colon;
        for (const char *c = h; c < h_end; c++)
            if (!nc_host_char(*c))
                return -EINVAL;
    }
    uint16_t p;
    int rc = nc_parse_port(colon + 1, &p);
    if (rc < 0)
        return rc;
    size_t n = (size_t)(h_end - h);
    if (n + 1 > host_len)
        return -ENAMETOOLONG;
    memcpy(host, h, n);
    host[n] = '\0';
    *port = p;
    return 0;
}
