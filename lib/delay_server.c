/* delay_server.c: epoll delay server with a timerfd-driven deadline heap, lateness histogram, and child launcher. */
#include "delay_server.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define DS_POLL_MS 100            /* longest wait before *stop is looked at again */
#define DS_EVENTS 256             /* epoll events per wakeup */
#define DS_ACCEPTS_PER_WAKE 256   /* fairness: the listen socket is level-triggered */
#define DS_CHUNK 65536            /* payload bytes per sendmsg */
#define DS_DRIVE_BYTES (256 * 1024) /* fairness: bytes one connection may send per turn */
#define DS_DRIVE_REQUESTS 64      /* fairness: requests one connection may process per turn */
#define DS_SPAWN_WAIT_MS 10000    /* parent waits this long for the child's port */
#define DS_STOP_WAIT_MS 3000      /* SIGTERM grace before SIGKILL */
#define DS_HEAP_NONE SIZE_MAX

/* Log-linear histogram: exact below 64 ns, then 64 sub-buckets per power of two. */
#define HIST_SUB_BITS 6
#define HIST_SUB (1u << HIST_SUB_BITS)
#define HIST_BUCKETS ((64 - HIST_SUB_BITS + 1) * HIST_SUB)

typedef enum { CONN_READING, CONN_WAITING, CONN_SENDING, CONN_CLOSED } conn_state;

typedef struct conn {
    int fd;
    conn_state state;
    bool close_after;      /* close once the current reply is out */
    bool readable;         /* the socket may hold unread bytes (edge-triggered bookkeeping) */
    bool queued;           /* on the ready list: its turn ended with work left */
    uint32_t in_len;
    uint8_t in[2 * DELAY_PROTO_REQUEST_SIZE]; /* up to two requests: a short read means drained */
    uint8_t out[DELAY_PROTO_REPLY_SIZE + DELAY_PROTO_STATS_SIZE];
    uint32_t out_len, out_off;
    uint64_t tag;
    uint32_t payload_len, payload_off;
    uint32_t reply_bytes;
    int64_t deadline_ns;   /* heap key: reply deadline (WAITING) or partial-request timeout */
    size_t heap_idx;
    struct conn *prev, *next; /* every open connection */
    struct conn *next_dead;
    struct conn *next_ready;
} conn;

typedef struct {
    uint64_t buckets[HIST_BUCKETS];
    uint64_t count, sum, min, max;
    uint64_t errors, conns_total;
} ds_stats;

struct delay_server {
    int lfd, epfd, tfd, efd, spare_fd;
    uint16_t port;
    atomic_int stop_requested; /* lock-free: async-signal-safe */
    conn **heap;
    size_t heap_len, heap_cap;
    int64_t armed_ns;      /* deadline the timerfd is armed at, 0 when disarmed */
    conn *live;            /* open connections */
    conn *dead;            /* closed this wakeup, freed after the event batch */
    conn *ready, **ready_tail; /* connections to drive again without waiting for an event */
    uint64_t conns_open;
    ds_stats st;
};

/* The payload pattern depends on (tag + offset) mod 256 only: one table serves every reply. */
static uint8_t ds_pattern[DS_CHUNK + 256];
static pthread_once_t ds_pattern_once = PTHREAD_ONCE_INIT;

static int64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* ---- lateness histogram ---- */

static size_t hist_index(uint64_t v)
{
    if (v < HIST_SUB)
        return (size_t)v;
    int e = 63 - __builtin_clzll(v);
    uint64_t sub = (v >> (e - HIST_SUB_BITS)) & (HIST_SUB - 1);
    return (size_t)(e - HIST_SUB_BITS + 1) * HIST_SUB + (size_t)sub;
}

static uint64_t hist_upper(size_t idx)
{
    if (idx < HIST_SUB)
        return idx;
    int e = (int)(idx / HIST_SUB) + HIST_SUB_BITS - 1;
    uint64_t sub = idx % HIST_SUB;
    uint64_t width = 1ull << (e - HIST_SUB_BITS);
    return ((HIST_SUB + sub) << (e - HIST_SUB_BITS)) + (width - 1);
}

static void stats_record(ds_stats *st, int64_t lateness_ns)
{
    uint64_t v = lateness_ns > 0 ? (uint64_t)lateness_ns : 0;
    st->buckets[hist_index(v)]++;
    if (st->count == 0 || v < st->min)
        st->min = v;
    if (v > st->max)
        st->max = v;
    st->count++;
    st->sum += v;
}

static uint64_t stats_quantile(const ds_stats *st, double q)
{
    uint64_t rank = (uint64_t)(q * (double)st->count);
    if ((double)rank < q * (double)st->count)
        rank++;
    if (rank < 1)
        rank = 1;
    uint64_t cum = 0;
    for (size_t i = 0; i < HIST_BUCKETS; i++) {
        cum += st->buckets[i];
        if (cum >= rank) {
            uint64_t v = hist_upper(i);
            return v < st->min ? st->min : v > st->max ? st->max : v;
        }
    }
    return st->max;
}

void delay_server_stats(const delay_server *s, delay_proto_stats *out)
{
    const ds_stats *st = &s->st;
    memset(out, 0, sizeof *out);
    out->count = st->count;
    if (st->count > 0) {
        out->min_ns = st->min;
        out->p50_ns = stats_quantile(st, 0.50);
        out->p90_ns = stats_quantile(st, 0.90);
        out->p99_ns = stats_quantile(st, 0.99);
        out->p999_ns = stats_quantile(st, 0.999);
        out->max_ns = st->max;
        out->mean_ns = st->sum / st->count;
    }
    out->errors = st->errors;
    out->conns_open = s->conns_open;
    out->conns_total = st->conns_total;
}

void delay_server_stats_reset(delay_server *s) { memset(&s->st, 0, sizeof s->st); }

/* ---- deadline heap ---- */

static void heap_swap(delay_server *s, size_t a, size_t b)
{
    conn *t = s->heap[a];
    s->heap[a] = s->heap[b];
    s->heap[b] = t;
    s->heap[a]->heap_idx = a;
    s->heap[b]->heap_idx = b;
}

static void heap_up(delay_server *s, size_t i)
{
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (s->heap[p]->deadline_ns <= s->heap[i]->deadline_ns)
            break;
        heap_swap(s, i, p);
        i = p;
    }
}

static void heap_down(delay_server *s, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < s->heap_len && s->heap[l]->deadline_ns < s->heap[m]->deadline_ns)
            m = l;
        if (r < s->heap_len && s->heap[r]->deadline_ns < s->heap[m]->deadline_ns)
            m = r;
        if (m == i)
            return;
        heap_swap(s, i, m);
        i = m;
    }
}

static int heap_push(delay_server *s, conn *c, int64_t deadline_ns)
{
    if (s->heap_len == s->heap_cap) {
        size_t cap = s->heap_cap ? 2 * s->heap_cap : 256;
        conn **h = realloc(s->heap, cap * sizeof *h);
        if (!h)
            return -ENOMEM;
        s->heap = h;
        s->heap_cap = cap;
    }
    c->deadline_ns = deadline_ns;
    c->heap_idx = s->heap_len;
    s->heap[s->heap_len++] = c;
    heap_up(s, c->heap_idx);
    return 0;
}

static void heap_remove(delay_server *s, conn *c)
{
    size_t i = c->heap_idx;
    if (i == DS_HEAP_NONE)
        return;
    c->heap_idx = DS_HEAP_NONE;
    size_t last = --s->heap_len;
    if (i == last)
        return;
    s->heap[i] = s->heap[last];
    s->heap[i]->heap_idx = i;
    heap_down(s, i);
    heap_up(s, i);
}

/* Arms the timerfd at the heap's earliest deadline when that changed. */
static int timer_rearm(delay_server *s)
{
    int64_t want = s->heap_len ? s->heap[0]->deadline_ns : 0;
    if (want == s->armed_ns)
        return 0;
    struct itimerspec its = {0};
    if (want > 0) {
        its.it_value.tv_sec = want / 1000000000;
        its.it_value.tv_nsec = want % 1000000000;
    }
    if (timerfd_settime(s->tfd, TFD_TIMER_ABSTIME, &its, NULL) < 0)
        return -errno;
    s->armed_ns = want;
    return 0;
}

/* ---- connections ---- */

static void conn_close(delay_server *s, conn *c)
{
    if (c->state == CONN_CLOSED)
        return;
    heap_remove(s, c);
    epoll_ctl(s->epfd, EPOLL_CTL_DEL, c->fd, NULL);
    close(c->fd);
    c->fd = -1;
    c->state = CONN_CLOSED;
    if (!c->queued) { /* a queued connection is freed when the ready list lets go of it */
        c->next_dead = s->dead;
        s->dead = c;
    }
    if (c->prev)
        c->prev->next = c->next;
    else
        s->live = c->next;
    if (c->next)
        c->next->prev = c->prev;
    s->conns_open--;
}

static void conn_free_dead(delay_server *s)
{
    while (s->dead) {
        conn *c = s->dead;
        s->dead = c->next_dead;
        free(c);
    }
}

/* Puts a reply header (and an optional small payload) in the output buffer. */
static void conn_set_reply(conn *c, const delay_proto_reply *rep, const uint8_t *small, uint32_t small_len)
{
    delay_proto_encode_reply(rep, c->out);
    if (small_len)
        memcpy(c->out + DELAY_PROTO_REPLY_SIZE, small, small_len);
    c->out_len = DELAY_PROTO_REPLY_SIZE + small_len;
    c->out_off = 0;
    c->payload_len = 0;
    c->payload_off = 0;
    c->state = CONN_SENDING;
}

/* The deadline passed: record the lateness and start the DELAY reply. */
static void conn_start_delay_reply(delay_server *s, conn *c)
{
    int64_t lateness = now_ns() - c->deadline_ns;
    stats_record(&s->st, lateness);
    delay_proto_reply rep = {.status = DELAY_ST_OK, .op = DELAY_OP_DELAY, .tag = c->tag,
                             .payload_len = c->reply_bytes, .lateness_ns = lateness};
    conn_set_reply(c, &rep, NULL, 0);
    c->payload_len = c->reply_bytes;
}

static void conn_reply_error(delay_server *s, conn *c, int err, const delay_proto_request *req)
{
    delay_proto_reply rep = {.status = (uint8_t)delay_proto_status_for(err)};
    if (err != -EPROTO && err != -EPROTONOSUPPORT) {
        rep.op = req->op;
        rep.tag = req->tag;
    } else {
        c->close_after = true;
    }
    s->st.errors++;
    conn_set_reply(c, &rep, NULL, 0);
}

static void conn_reply_stats(delay_server *s, conn *c, const delay_proto_request *req)
{
    delay_proto_stats snap;
    uint8_t payload[DELAY_PROTO_STATS_SIZE];
    delay_server_stats(s, &snap);
    if (req->flags & DELAY_FLAG_RESET)
        delay_server_stats_reset(s);
    delay_proto_encode_stats(&snap, payload);
    delay_proto_reply rep = {.status = DELAY_ST_OK, .op = DELAY_OP_STATS, .tag = req->tag,
                             .payload_len = DELAY_PROTO_STATS_SIZE};
    conn_set_reply(c, &rep, payload, DELAY_PROTO_STATS_SIZE);
}

/* A whole request is at the start of c->in: consume it and decide the reply. */
static void conn_process(delay_server *s, conn *c)
{
    delay_proto_request req;
    int64_t received = now_ns();
    heap_remove(s, c); /* the partial-request timeout, if any */
    int rc = delay_proto_decode_request(c->in, DELAY_PROTO_REQUEST_SIZE, &req);
    c->in_len -= DELAY_PROTO_REQUEST_SIZE;
    memmove(c->in, c->in + DELAY_PROTO_REQUEST_SIZE, c->in_len);
    if (rc < 0) {
        conn_reply_error(s, c, rc, &req);
        return;
    }
    if (req.op == DELAY_OP_STATS) {
        conn_reply_stats(s, c, &req);
        return;
    }
    c->tag = req.tag;
    c->reply_bytes = req.reply_bytes;
    c->deadline_ns = received + (int64_t)req.delay_us * 1000;
    if (req.delay_us == 0 || heap_push(s, c, c->deadline_ns) < 0) {
        /* No delay, or no memory for the heap: reply now (the lateness will show it). */
        conn_start_delay_reply(s, c);
        return;
    }
    c->state = CONN_WAITING;
}

typedef enum { IO_AGAIN, IO_DONE, IO_CLOSED, IO_BUDGET } io_result;

/* Reads until a whole request is buffered (IO_DONE), the socket is drained (IO_AGAIN) or the
 * connection ends (IO_CLOSED). Reading up to two requests at a time lets a short read stand for
 * "drained", which saves the EAGAIN call after every request. */
static io_result conn_read(delay_server *s, conn *c)
{
    while (c->in_len < DELAY_PROTO_REQUEST_SIZE) {
        if (!c->readable) {
            if (c->in_len > 0 && c->heap_idx == DS_HEAP_NONE &&
                heap_push(s, c, now_ns() + (int64_t)DELAY_SERVER_PARTIAL_TIMEOUT_MS * 1000000) < 0)
                return IO_CLOSED;
            return IO_AGAIN;
        }
        size_t want = sizeof c->in - c->in_len;
        ssize_t n = recv(c->fd, c->in + c->in_len, want, 0);
        if (n > 0) {
            c->in_len += (uint32_t)n;
            if ((size_t)n < want)
                c->readable = false;
        } else if (n == 0) {
            if (c->in_len > 0)
                s->st.errors++; /* truncated request */
            return IO_CLOSED;
        } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
            c->readable = false;
        } else if (errno != EINTR) {
            return IO_CLOSED;
        }
    }
    return IO_DONE;
}

/* Sends until the reply is out (IO_DONE), the socket is full (IO_AGAIN), it fails (IO_CLOSED)
 * or *budget bytes went out (IO_BUDGET). */
static io_result conn_send(conn *c, size_t *budget)
{
    while (c->out_off < c->out_len || c->payload_off < c->payload_len) {
        if (*budget == 0)
            return IO_BUDGET;
        struct iovec iov[2];
        int n_iov = 0;
        if (c->out_off < c->out_len)
            iov[n_iov++] = (struct iovec){c->out + c->out_off, c->out_len - c->out_off};
        if (c->payload_off < c->payload_len) {
            uint32_t left = c->payload_len - c->payload_off;
            size_t start = (size_t)((c->tag + c->payload_off) & 255u);
            iov[n_iov++] = (struct iovec){ds_pattern + start, left < DS_CHUNK ? left : DS_CHUNK};
        }
        struct msghdr msg = {.msg_iov = iov, .msg_iovlen = (size_t)n_iov};
        ssize_t n = sendmsg(c->fd, &msg, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return (errno == EAGAIN || errno == EWOULDBLOCK) ? IO_AGAIN : IO_CLOSED;
        }
        size_t sent = (size_t)n, hdr_left = c->out_len - c->out_off;
        *budget = sent < *budget ? *budget - sent : 0;
        size_t from_hdr = sent < hdr_left ? sent : hdr_left;
        c->out_off += (uint32_t)from_hdr;
        c->payload_off += (uint32_t)(sent - from_hdr);
    }
    return IO_DONE;
}

static void conn_enqueue(delay_server *s, conn *c)
{
    if (c->queued)
        return;
    c->queued = true;
    c->next_ready = NULL;
    *s->ready_tail = c;
    s->ready_tail = &c->next_ready;
}

/* Moves a connection as far as its socket allows (read, reply, read the next request, ...) or
 * until its turn is used up; then it goes on the ready list so others get served first. */
static void conn_drive(delay_server *s, conn *c)
{
    size_t bytes = DS_DRIVE_BYTES;
    int requests = DS_DRIVE_REQUESTS;
    for (;;) {
        io_result r;
        switch (c->state) {
        case CONN_SENDING:
            r = conn_send(c, &bytes);
            if (r == IO_AGAIN)
                return;
            if (r == IO_BUDGET) {
                conn_enqueue(s, c);
                return;
            }
            if (r == IO_CLOSED || c->close_after) {
                conn_close(s, c);
                return;
            }
            c->state = CONN_READING;
            break;
        case CONN_READING:
            r = conn_read(s, c);
            if (r == IO_AGAIN)
                return;
            if (r == IO_CLOSED) {
                conn_close(s, c);
                return;
            }
            if (requests-- == 0) {
                conn_enqueue(s, c);
                return;
            }
            conn_process(s, c);
            break;
        default:
            return;
        }
    }
}

static void conn_event(delay_server *s, conn *c, uint32_t events)
{
    if (c->state == CONN_CLOSED)
        return;
    if (events & (EPOLLERR | EPOLLHUP)) {
        conn_close(s, c);
        return;
    }
    if (events & (EPOLLIN | EPOLLRDHUP))
        c->readable = true;
    conn_drive(s, c);
}

static void conn_add(delay_server *s, int fd)
{
    conn *c = calloc(1, sizeof *c);
    if (!c) {
        s->st.errors++;
        close(fd);
        return;
    }
    c->fd = fd;
    c->state = CONN_READING;
    c->readable = true;
    c->heap_idx = DS_HEAP_NONE;
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET, .data.ptr = c};
    if (epoll_ctl(s->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
        s->st.errors++;
        close(fd);
        free(c);
        return;
    }
    c->next = s->live;
    if (s->live)
        s->live->prev = c;
    s->live = c;
    s->conns_open++;
    s->st.conns_total++;
    conn_drive(s, c); /* data may already be there (edge-triggered) */
}

/* Out of descriptors: drop the pending connection through the spare fd instead of spinning. */
static void accept_shed(delay_server *s)
{
    s->st.errors++;
    if (s->spare_fd < 0)
        return;
    close(s->spare_fd);
    int fd = accept4(s->lfd, NULL, NULL, SOCK_CLOEXEC);
    if (fd >= 0)
        close(fd);
    s->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
}

static void accept_ready(delay_server *s)
{
    for (int i = 0; i < DS_ACCEPTS_PER_WAKE; i++) {
        int fd = accept4(s->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED)
                continue;
            if (errno == EMFILE || errno == ENFILE)
                accept_shed(s);
            return; /* EAGAIN, or a transient error: level-triggered, we come back */
        }
        if (s->conns_open >= DELAY_SERVER_MAX_CONNS) {
            s->st.errors++;
            close(fd);
            continue;
        }
        conn_add(s, fd);
    }
}

/* The timerfd fired: serve every deadline that has passed. */
static void timer_ready(delay_server *s)
{
    uint64_t ticks;
    if (read(s->tfd, &ticks, sizeof ticks) < 0 && errno != EAGAIN)
        return;
    s->armed_ns = -1; /* fired: force a rearm */
    while (s->heap_len && s->heap[0]->deadline_ns <= now_ns()) {
        conn *c = s->heap[0];
        heap_remove(s, c);
        if (c->state != CONN_WAITING) { /* partial-request timeout */
            s->st.errors++;
            conn_close(s, c);
            continue;
        }
        conn_start_delay_reply(s, c);
        conn_drive(s, c);
    }
}

/* ---- open, run, close ---- */

static int listen_socket(const char *host, uint16_t port, int *fd_out, uint16_t *port_out)
{
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
                             .ai_flags = AI_NUMERICHOST | AI_PASSIVE};
    struct addrinfo *ai = NULL;
    if (getaddrinfo(host, NULL, &hints, &ai) != 0 || !ai)
        return -EINVAL;
    struct sockaddr_storage ss;
    socklen_t sl = (socklen_t)ai->ai_addrlen;
    memcpy(&ss, ai->ai_addr, ai->ai_addrlen);
    int family = ai->ai_family;
    freeaddrinfo(ai);
    if (family == AF_INET)
        ((struct sockaddr_in *)&ss)->sin_port = htons(port);
    else
        ((struct sockaddr_in6 *)&ss)->sin6_port = htons(port);

    int fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -errno;
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(fd, (struct sockaddr *)&ss, sl) < 0 || listen(fd, 4096) < 0 ||
        getsockname(fd, (struct sockaddr *)&ss, &sl) < 0) {
        int err = -errno;
        close(fd);
        return err;
    }
    *port_out = ntohs(family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
                                        : ((struct sockaddr_in6 *)&ss)->sin6_port);
    *fd_out = fd;
    return 0;
}

static int epoll_add_special(delay_server *s, int fd, void *tag)
{
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = tag};
    return epoll_ctl(s->epfd, EPOLL_CTL_ADD, fd, &ev) < 0 ? -errno : 0;
}

static void pattern_init(void) { delay_proto_payload_fill(0, 0, ds_pattern, sizeof ds_pattern); }

int delay_server_open(const char *host, uint16_t port, delay_server **out)
{
    pthread_once(&ds_pattern_once, pattern_init);
    delay_server *s = calloc(1, sizeof *s);
    if (!s)
        return -ENOMEM;
    s->lfd = s->epfd = s->tfd = s->efd = s->spare_fd = -1;
    s->ready_tail = &s->ready;
    int rc = listen_socket(host ? host : DELAY_SERVER_DEFAULT_HOST, port, &s->lfd, &s->port);
    if (rc < 0)
        goto err;
    s->epfd = epoll_create1(EPOLL_CLOEXEC);
    s->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
    s->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (s->epfd < 0 || s->tfd < 0 || s->efd < 0) {
        rc = -errno;
        goto err;
    }
    if ((rc = epoll_add_special(s, s->lfd, &s->lfd)) < 0 ||
        (rc = epoll_add_special(s, s->tfd, &s->tfd)) < 0 ||
        (rc = epoll_add_special(s, s->efd, &s->efd)) < 0)
        goto err;
    s->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    *out = s;
    return 0;
err:
    delay_server_close(s);
    return rc;
}

uint16_t delay_server_port(const delay_server *s) { return s->port; }

void delay_server_request_stop(delay_server *s)
{
    atomic_store(&s->stop_requested, 1);
    uint64_t one = 1;
    ssize_t n = write(s->efd, &one, sizeof one);
    (void)n;
}

static void dispatch(delay_server *s, const struct epoll_event *ev)
{
    void *p = ev->data.ptr;
    if (p == &s->lfd) {
        accept_ready(s);
    } else if (p == &s->tfd) {
        timer_ready(s);
    } else if (p == &s->efd) {
        uint64_t v;
        ssize_t n = read(s->efd, &v, sizeof v);
        (void)n;
    } else {
        conn_event(s, p, ev->events);
    }
}

/* Gives every connection whose turn ended with work left another turn. */
static void ready_run(delay_server *s)
{
    conn *c = s->ready;
    s->ready = NULL;
    s->ready_tail = &s->ready;
    while (c) {
        conn *next = c->next_ready;
        c->queued = false;
        if (c->state == CONN_CLOSED) {
            c->next_dead = s->dead;
            s->dead = c;
        } else {
            conn_drive(s, c);
        }
        c = next;
    }
}

static void close_all_conns(delay_server *s)
{
    while (s->live)
        conn_close(s, s->live);
    for (conn *c = s->ready; c; c = c->next_ready) {
        c->queued = false;
        c->next_dead = s->dead;
        s->dead = c;
    }
    s->ready = NULL;
    s->ready_tail = &s->ready;
    conn_free_dead(s);
}

int delay_server_run(delay_server *s, volatile sig_atomic_t *stop)
{
    int old_slack = prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0);
    prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
    struct epoll_event evs[DS_EVENTS];
    int rc = 0;
    while (!atomic_load(&s->stop_requested) && !(stop && *stop)) {
        int n = epoll_wait(s->epfd, evs, DS_EVENTS, s->ready ? 0 : DS_POLL_MS);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            rc = -errno;
            break;
        }
        for (int i = 0; i < n; i++)
            dispatch(s, &evs[i]);
        ready_run(s);
        conn_free_dead(s);
        if ((rc = timer_rearm(s)) < 0)
            break;
    }
    if (old_slack > 0)
        prctl(PR_SET_TIMERSLACK, (unsigned long)old_slack, 0, 0, 0);
    return rc;
}

void delay_server_close(delay_server *s)
{
    if (!s)
        return;
    if (s->epfd >= 0)
        close_all_conns(s);
    int fds[] = {s->lfd, s->epfd, s->tfd, s->efd, s->spare_fd};
    for (size_t i = 0; i < sizeof fds / sizeof fds[0]; i++)
        if (fds[i] >= 0)
            close(fds[i]);
    free(s->heap);
    free(s);
}

/* ---- child process ---- */

static volatile sig_atomic_t ds_child_stop;

static void ds_child_on_term(int sig)
{
    (void)sig;
    ds_child_stop = 1;
}

static void child_signals(void)
{
    struct sigaction sa = {0};
    sigemptyset(&sa.sa_mask);
    sa.sa_handler = ds_child_on_term;
    sigaction(SIGTERM, &sa, NULL);
    sa.sa_handler = SIG_IGN;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGPIPE, &sa, NULL);
    sigset_t all;
    sigemptyset(&all);
    sigprocmask(SIG_SETMASK, &all, NULL);
}

/* Closes every inherited descriptor except 0-2 and keep. */
static void child_close_fds(int keep)
{
    if (keep > 3 && close_range(3, (unsigned)keep - 1, 0) == 0 &&
        close_range((unsigned)keep + 1, ~0u, 0) == 0)
        return;
    if (keep == 3 && close_range(4, ~0u, 0) == 0)
        return;
    long max = sysconf(_SC_OPEN_MAX);
    if (max < 0 || max > 65536)
        max = 65536;
    for (int fd = 3; fd < max; fd++)
        if (fd != keep)
            close(fd);
}

static void raise_nofile(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
}

typedef struct {
    int32_t rc;
    uint16_t port;
} spawn_msg;

static _Noreturn void child_main(const char *host, int wfd, pid_t parent)
{
    prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
    if (getppid() != parent)
        _exit(1);
    child_signals();
    child_close_fds(wfd);
    raise_nofile();
    delay_server *s = NULL;
    spawn_msg msg = {0};
    msg.rc = delay_server_open(host, 0, &s);
    if (s)
        msg.port = delay_server_port(s);
    ssize_t n = write(wfd, &msg, sizeof msg);
    close(wfd);
    if (msg.rc < 0 || n != (ssize_t)sizeof msg)
        _exit(1);
    int rc = delay_server_run(s, &ds_child_stop);
    delay_server_close(s);
    _exit(rc < 0 ? 1 : 0);
}

/* Reads the child's report, waiting at most DS_SPAWN_WAIT_MS. */
static int spawn_read_msg(int rfd, spawn_msg *msg)
{
    struct pollfd pfd = {.fd = rfd, .events = POLLIN};
    int64_t deadline = now_ns() + (int64_t)DS_SPAWN_WAIT_MS * 1000000;
    size_t got = 0;
    while (got < sizeof *msg) {
        int64_t left_ms = (deadline - now_ns()) / 1000000;
        if (left_ms <= 0)
            return -ETIMEDOUT;
        int pr = poll(&pfd, 1, (int)left_ms);
        if (pr < 0 && errno != EINTR)
            return -errno;
        if (pr <= 0)
            continue;
        ssize_t n = read(rfd, (char *)msg + got, sizeof *msg - got);
        if (n == 0)
            return -EIO;
        if (n < 0 && errno != EINTR && errno != EAGAIN)
            return -errno;
        if (n > 0)
            got += (size_t)n;
    }
    return 0;
}

static void reap_now(pid_t pid)
{
    kill(pid, SIGKILL);
    while (waitpid(pid, NULL, 0) < 0 && errno == EINTR) {
    }
}

int delay_server_spawn(const char *host, uint16_t *port_out, pid_t *pid_out)
{
    int p[2];
    if (pipe2(p, O_CLOEXEC) < 0)
        return -errno;
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0) {
        int err = -errno;
        close(p[0]);
        close(p[1]);
        return err;
    }
    if (pid == 0) {
        close(p[0]);
        child_main(host, p[1], parent);
    }
    close(p[1]);
    spawn_msg msg;
    int rc = spawn_read_msg(p[0], &msg);
    close(p[0]);
    if (rc == 0 && msg.rc < 0)
        rc = msg.rc;
    if (rc < 0) {
        reap_now(pid);
        return rc;
    }
    *port_out = msg.port;
    *pid_out = pid;
    return 0;
}

static int stop_status(int st, bool killed)
{
    if (killed)
        return -ETIMEDOUT;
    if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
        return 0;
    if (WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM)
        return 0;
    return -EIO;
}

int delay_server_stop(pid_t pid)
{
    if (pid <= 0)
        return -EINVAL;
    if (kill(pid, SIGTERM) < 0 && errno != ESRCH)
        return -errno;
    int64_t deadline = now_ns() + (int64_t)DS_STOP_WAIT_MS * 1000000;
    int st = 0;
    for (;;) {
        pid_t r = waitpid(pid, &st, WNOHANG);
        if (r == pid)
            return stop_status(st, false);
        if (r < 0 && errno != EINTR)
            return -errno;
        if (now_ns() >= deadline)
            break;
        struct timespec ts = {0, 2000000};
        nanosleep(&ts, NULL);
    }
    kill(pid, SIGKILL);
    while (waitpid(pid, &st, 0) < 0)
        if (errno != EINTR)
            return -errno;
    return stop_status(st, true);
}
