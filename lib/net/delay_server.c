/* delay_server.c: epoll delay server: connections, a timerfd-driven deadline heap, idle/send/partial limits, lateness statistics. */
#include "delay_server.h"
#include "metrics.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "delay_heap.h"
#include "delay_hist.h"
#include "delay_sock.h"

#define DS_POLL_MS 100            /* longest wait before *stop is looked at again */
#define DS_EVENTS 256             /* epoll events per wakeup */
#define DS_ACCEPTS_PER_WAKE 256   /* fairness: the listen socket is level-triggered */
#define DS_TIMERS_PER_WAKE 4096   /* fairness: expired heap entries handled per wakeup */
#define DS_CHUNK 65536            /* payload bytes per sendmsg */
#define DS_DRIVE_BYTES (256 * 1024) /* fairness: bytes one connection may send per turn */
#define DS_DRIVE_REQUESTS 64      /* fairness: requests one connection may process per turn */
#define DS_MS 1000000LL
#define DS_NEVER INT64_MAX

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
    int64_t deadline_ns;   /* reply deadline of the DELAY request being served */
    int64_t since_ns;      /* READING: idle since, or the partial request's start; SENDING: last progress */
    ds_heap_node timer;    /* WAITING: the reply deadline; else when to look at the limits again */
    struct conn *prev, *next; /* every open connection */
    struct conn *next_dead;
    struct conn *next_ready;
} conn;

#define CONN_OF(node) ((conn *)((char *)(node) - offsetof(conn, timer)))

typedef struct {
    ds_hist hist;
    uint64_t errors, conns_total;
} ds_stats;

struct delay_server {
    int lfd, epfd, tfd, efd, spare_fd;
    uint16_t port;
    atomic_int stop_requested; /* lock-free: async-signal-safe */
    int64_t idle_ns, partial_ns, send_ns; /* 0 = no such limit */
    ds_heap heap;
    int64_t armed_ns;      /* deadline the timerfd is armed at, 0 when disarmed */
    int64_t accept_resume_ns; /* accepting is paused until then; 0 = accepting */
    uint64_t conns_at_pause;
    conn *live;            /* open connections */
    conn *dead;            /* closed this wakeup, freed after the event batch */
    conn *ready, **ready_tail; /* connections to drive again without waiting for an event */
    uint64_t conns_open;
    ds_stats st;
    delay_server_counters ctr;
};

/* The payload pattern depends on (tag + offset) mod 256 only: one table serves every reply. */
static uint8_t ds_pattern[DS_CHUNK + 256];
static pthread_once_t ds_pattern_once = PTHREAD_ONCE_INIT;

/* The harness's one clock (metrics_now_ns: CLOCK_MONOTONIC). */
static int64_t now_ns(void) { return (int64_t)metrics_now_ns(); }

/* ---- statistics ---- */

void delay_server_stats(const delay_server *s, delay_proto_stats *out)
{
    const ds_hist *h = &s->st.hist;
    memset(out, 0, sizeof *out);
    out->count = h->count;
    if (h->count > 0) {
        out->min_ns = h->min;
        out->p50_ns = ds_hist_quantile(h, 0.50);
        out->p90_ns = ds_hist_quantile(h, 0.90);
        out->p99_ns = ds_hist_quantile(h, 0.99);
        out->p999_ns = ds_hist_quantile(h, 0.999);
        out->max_ns = h->max;
        out->mean_ns = h->sum / h->count;
    }
    out->errors = s->st.errors;
    out->conns_open = s->conns_open;
    out->conns_total = s->st.conns_total;
}

void delay_server_stats_reset(delay_server *s) { memset(&s->st, 0, sizeof s->st); }

void delay_server_counters_get(const delay_server *s, delay_server_counters *out) { *out = s->ctr; }

/* Arms the timerfd at the heap's earliest deadline when that changed. */
static int timer_rearm(delay_server *s)
{
    const ds_heap_node *top = ds_heap_top(&s->heap);
    int64_t want = top ? top->key : 0;
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
    ds_heap_remove(&s->heap, &c->timer);
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

/* Closes with a reset: what the kernel still holds for this connection is freed at once. */
static void conn_abort(delay_server *s, conn *c)
{
    ds_sock_reset_on_close(c->fd);
    conn_close(s, c);
}

static void conn_free_dead(delay_server *s)
{
    while (s->dead) {
        conn *c = s->dead;
        s->dead = c->next_dead;
        free(c);
    }
}

/* When the connection's current limit (idle, partial request, send progress) runs out;
 * DS_NEVER when it has none (WAITING, or that limit is off). */
static int64_t conn_limit_at(const delay_server *s, const conn *c)
{
    int64_t t;
    if (c->state == CONN_SENDING)
        t = s->send_ns;
    else if (c->state == CONN_READING)
        t = c->in_len ? s->partial_ns : s->idle_ns;
    else
        return DS_NEVER;
    return t > 0 ? c->since_ns + t : DS_NEVER;
}

/* Makes the connection's timer fire no later than its current limit. Lazy: an earlier entry
 * stays, and when it fires the limit is looked at again (conn_check_limit), so a busy
 * connection costs no heap work per request beyond its reply deadline. */
static void conn_arm_limit(delay_server *s, conn *c)
{
    int64_t at = conn_limit_at(s, c);
    if (at == DS_NEVER)
        return;
    if (!ds_heap_contains(&c->timer)) {
        if (ds_heap_push(&s->heap, &c->timer, at) < 0)
            s->st.errors++; /* no memory: unguarded until its next request */
    } else if (at < c->timer.key) {
        ds_heap_set_key(&s->heap, &c->timer, at);
    }
}

/* The connection's timer fired outside WAITING: close it if its limit ran out, else re-arm. */
static void conn_check_limit(delay_server *s, conn *c, int64_t now)
{
    int64_t at = conn_limit_at(s, c);
    if (at == DS_NEVER)
        return;
    if (at > now) {
        if (ds_heap_push(&s->heap, &c->timer, at) < 0)
            s->st.errors++;
        return;
    }
    if (c->state == CONN_SENDING) {
        s->st.errors++;
        s->ctr.send_timeouts++;
        conn_abort(s, c);
        return;
    }
    if (c->in_len) {
        s->st.errors++;
        s->ctr.partial_closed++;
    } else {
        s->ctr.idle_closed++;
    }
    conn_close(s, c);
}

/* Puts a reply header (and an optional small payload) in the output buffer. */
static void conn_set_reply(conn *c, const delay_proto_reply *rep, const uint8_t *small, uint32_t small_len,
                           int64_t now)
{
    delay_proto_encode_reply(rep, c->out);
    if (small_len)
        memcpy(c->out + DELAY_PROTO_REPLY_SIZE, small, small_len);
    c->out_len = DELAY_PROTO_REPLY_SIZE + small_len;
    c->out_off = 0;
    c->payload_len = 0;
    c->payload_off = 0;
    c->state = CONN_SENDING;
    c->since_ns = now;
}

/* The deadline passed: record the lateness and start the DELAY reply. */
static void conn_start_delay_reply(delay_server *s, conn *c)
{
    int64_t now = now_ns(), lateness = now - c->deadline_ns;
    ds_hist_record(&s->st.hist, lateness);
    delay_proto_reply rep = {.status = DELAY_ST_OK, .op = DELAY_OP_DELAY, .tag = c->tag,
                             .payload_len = c->reply_bytes, .lateness_ns = lateness};
    conn_set_reply(c, &rep, NULL, 0, now);
    c->payload_len = c->reply_bytes;
}

static void conn_reply_error(delay_server *s, conn *c, int err, const delay_proto_request *req, int64_t now)
{
    delay_proto_reply rep = {.status = (uint8_t)delay_proto_status_for(err)};
    if (err != -EPROTO && err != -EPROTONOSUPPORT) {
        rep.op = req->op;
        rep.tag = req->tag;
    } else {
        c->close_after = true;
    }
    s->st.errors++;
    conn_set_reply(c, &rep, NULL, 0, now);
}

static void conn_reply_stats(delay_server *s, conn *c, const delay_proto_request *req, int64_t now)
{
    delay_proto_stats snap;
    uint8_t payload[DELAY_PROTO_STATS_SIZE];
    delay_server_stats(s, &snap);
    if (req->flags & DELAY_FLAG_RESET)
        delay_server_stats_reset(s);
    delay_proto_encode_stats(&snap, payload);
    delay_proto_reply rep = {.status = DELAY_ST_OK, .op = DELAY_OP_STATS, .tag = req->tag,
                             .payload_len = DELAY_PROTO_STATS_SIZE};
    conn_set_reply(c, &rep, payload, DELAY_PROTO_STATS_SIZE, now);
}

/* A whole request is at the start of c->in: consume it and decide the reply. */
static void conn_process(delay_server *s, conn *c)
{
    delay_proto_request req;
    int64_t received = now_ns();
    int rc = delay_proto_decode_request(c->in, DELAY_PROTO_REQUEST_SIZE, &req);
    c->in_len -= DELAY_PROTO_REQUEST_SIZE;
    memmove(c->in, c->in + DELAY_PROTO_REQUEST_SIZE, c->in_len);
    if (rc < 0) {
        conn_reply_error(s, c, rc, &req, received);
        return;
    }
    if (req.op == DELAY_OP_STATS) {
        conn_reply_stats(s, c, &req, received);
        return;
    }
    c->tag = req.tag;
    c->reply_bytes = req.reply_bytes;
    c->deadline_ns = received + (int64_t)req.delay_us * 1000;
    if (req.delay_us > 0 && ds_heap_contains(&c->timer)) {
        ds_heap_set_key(&s->heap, &c->timer, c->deadline_ns); /* the limit check waits: WAITING has none */
    } else if (req.delay_us == 0 || ds_heap_push(&s->heap, &c->timer, c->deadline_ns) < 0) {
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
        if (!c->readable)
            return IO_AGAIN;
        size_t want = sizeof c->in - c->in_len;
        ssize_t n = recv(c->fd, c->in + c->in_len, want, 0);
        if (n > 0) {
            if (c->in_len == 0 && (size_t)n < DELAY_PROTO_REQUEST_SIZE)
                c->since_ns = now_ns(); /* a request begins: the partial limit counts from here */
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
 * until its turn is used up; then it goes on the ready list so others get served first. A
 * connection left waiting for its socket gets its limit armed. */
static void conn_drive(delay_server *s, conn *c)
{
    size_t bytes = DS_DRIVE_BYTES;
    int requests = DS_DRIVE_REQUESTS;
    for (;;) {
        io_result r;
        switch (c->state) {
        case CONN_SENDING: {
            size_t before = bytes;
            r = conn_send(c, &bytes);
            if ((r == IO_AGAIN || r == IO_BUDGET) && bytes != before)
                c->since_ns = now_ns(); /* progress: the send limit counts from here */
            if (r == IO_AGAIN) {
                conn_arm_limit(s, c);
                return;
            }
            if (r == IO_BUDGET) {
                conn_enqueue(s, c);
                return;
            }
            if (r == IO_CLOSED || c->close_after) {
                conn_close(s, c);
                return;
            }
            c->state = CONN_READING;
            c->since_ns = now_ns(); /* idle from here */
            break;
        }
        case CONN_READING:
            r = conn_read(s, c);
            if (r == IO_AGAIN) {
                conn_arm_limit(s, c);
                return;
            }
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
        s->ctr.shed_no_memory++;
        ds_sock_refuse(fd, DELAY_ST_NO_MEMORY);
        return;
    }
    c->fd = fd;
    c->state = CONN_READING;
    c->readable = true;
    c->since_ns = now_ns();
    ds_heap_node_init(&c->timer);
    ds_sock_tune(fd);
    struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET, .data.ptr = c};
    if (epoll_ctl(s->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) { /* ENOMEM, or ENOSPC: max_user_watches */
        s->st.errors++;
        s->ctr.shed_no_memory++;
        ds_sock_refuse(fd, DELAY_ST_NO_MEMORY);
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

/* ---- accepting ---- */

/* Nothing can take a pending connection: stop watching the listen socket (it is
 * level-triggered: it would wake the loop at once, forever) until the back-off passes or a
 * connection closes. */
static void accept_pause(delay_server *s)
{
    if (s->accept_resume_ns)
        return;
    struct epoll_event ev = {.events = 0, .data.ptr = &s->lfd};
    if (epoll_ctl(s->epfd, EPOLL_CTL_MOD, s->lfd, &ev) < 0)
        return;
    s->accept_resume_ns = now_ns() + DELAY_SERVER_ACCEPT_BACKOFF_MS * DS_MS;
    s->conns_at_pause = s->conns_open;
    s->ctr.accept_pauses++;
}

static void accept_maybe_resume(delay_server *s)
{
    if (!s->accept_resume_ns || (s->conns_open >= s->conns_at_pause && now_ns() < s->accept_resume_ns))
        return;
    if (s->spare_fd < 0)
        s->spare_fd = ds_sock_spare();
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = &s->lfd};
    if (epoll_ctl(s->epfd, EPOLL_CTL_MOD, s->lfd, &ev) == 0)
        s->accept_resume_ns = 0;
}

/* Out of descriptors: take the pending connection with the spare descriptor, tell it why and
 * close it. -1 when that was not possible (accepting is paused then) or nothing was pending. */
static int accept_shed(delay_server *s)
{
    if (s->spare_fd < 0) {
        s->st.errors++;
        accept_pause(s);
        return -1;
    }
    close(s->spare_fd);
    int fd = accept4(s->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    int err = errno;
    if (fd >= 0) {
        s->st.errors++;
        s->ctr.shed_no_fds++;
        ds_sock_refuse(fd, DELAY_ST_NO_FDS);
    }
    s->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC); /* the slot just freed */
    if (s->spare_fd < 0 || (fd < 0 && err != EAGAIN && err != EWOULDBLOCK && err != ECONNABORTED)) {
        s->st.errors++;
        accept_pause(s); /* the freed slot went elsewhere (ENFILE: another process took it) */
        return -1;
    }
    return fd >= 0 ? 0 : -1;
}

static void accept_ready(delay_server *s)
{
    for (int i = 0; i < DS_ACCEPTS_PER_WAKE; i++) {
        int fd = accept4(s->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED)
                continue;
            if ((errno == EMFILE || errno == ENFILE) && accept_shed(s) == 0)
                continue;
            if (errno == ENOMEM || errno == ENOBUFS) {
                s->st.errors++;
                accept_pause(s);
            }
            return; /* EAGAIN, paused, or a transient error: level-triggered, we come back */
        }
        if (s->conns_open >= DELAY_SERVER_MAX_CONNS) {
            s->st.errors++;
            s->ctr.shed_no_fds++;
            ds_sock_refuse(fd, DELAY_ST_NO_FDS);
            continue;
        }
        conn_add(s, fd);
    }
}

/* The timerfd fired: serve every reply deadline that passed and look at every due limit. */
static void timer_ready(delay_server *s)
{
    uint64_t ticks;
    if (read(s->tfd, &ticks, sizeof ticks) < 0 && errno != EAGAIN)
        return;
    s->armed_ns = -1; /* fired: force a rearm (in the past when entries are left: fires at once) */
    for (int i = 0; i < DS_TIMERS_PER_WAKE; i++) {
        ds_heap_node *top = ds_heap_top(&s->heap);
        int64_t now = now_ns();
        if (!top || top->key > now)
            return;
        conn *c = CONN_OF(top);
        ds_heap_remove(&s->heap, top);
        if (c->state != CONN_WAITING) {
            conn_check_limit(s, c, now);
            continue;
        }
        conn_start_delay_reply(s, c);
        conn_drive(s, c);
    }
}

/* ---- open, run, close ---- */

static int epoll_add_special(delay_server *s, int fd, void *tag)
{
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = tag};
    return epoll_ctl(s->epfd, EPOLL_CTL_ADD, fd, &ev) < 0 ? -errno : 0;
}

static void pattern_init(void) { delay_proto_payload_fill(0, 0, ds_pattern, sizeof ds_pattern); }

void delay_server_config_init(delay_server_config *cfg)
{
    *cfg = (delay_server_config){.host = DELAY_SERVER_DEFAULT_HOST,
                                 .idle_timeout_ms = DELAY_SERVER_IDLE_TIMEOUT_MS,
                                 .partial_timeout_ms = DELAY_SERVER_PARTIAL_TIMEOUT_MS,
                                 .send_timeout_ms = DELAY_SERVER_SEND_TIMEOUT_MS};
}

int delay_server_open_config(const delay_server_config *cfg, delay_server **out)
{
    if (cfg->idle_timeout_ms > DELAY_SERVER_TIMEOUT_MAX_MS ||
        cfg->partial_timeout_ms > DELAY_SERVER_TIMEOUT_MAX_MS ||
        cfg->send_timeout_ms > DELAY_SERVER_TIMEOUT_MAX_MS)
        return -EINVAL;
    pthread_once(&ds_pattern_once, pattern_init);
    delay_server *s = calloc(1, sizeof *s);
    if (!s)
        return -ENOMEM;
    s->lfd = s->epfd = s->tfd = s->efd = s->spare_fd = -1;
    s->ready_tail = &s->ready;
    s->idle_ns = cfg->idle_timeout_ms * DS_MS;
    s->partial_ns = cfg->partial_timeout_ms * DS_MS;
    s->send_ns = cfg->send_timeout_ms * DS_MS;
    int rc = ds_sock_listen(cfg->host ? cfg->host : DELAY_SERVER_DEFAULT_HOST, cfg->port, &s->lfd, &s->port);
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
    s->spare_fd = ds_sock_spare();
    *out = s;
    return 0;
err:
    delay_server_close(s);
    return rc;
}

int delay_server_open(const char *host, uint16_t port, delay_server **out)
{
    delay_server_config cfg;
    delay_server_config_init(&cfg);
    cfg.host = host;
    cfg.port = port;
    return delay_server_open_config(&cfg, out);
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

/* How long epoll_wait may sleep: not past a paused accept's resume time. */
static int wait_ms(const delay_server *s)
{
    if (s->ready)
        return 0;
    if (!s->accept_resume_ns)
        return DS_POLL_MS;
    int64_t left = (s->accept_resume_ns - now_ns() + DS_MS - 1) / DS_MS;
    return left <= 0 ? 0 : left < DS_POLL_MS ? (int)left : DS_POLL_MS;
}

int delay_server_run(delay_server *s, volatile sig_atomic_t *stop)
{
    int old_slack = prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0);
    prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
    struct epoll_event evs[DS_EVENTS];
    int rc = 0;
    while (!atomic_load(&s->stop_requested) && !(stop && *stop)) {
        int n = epoll_wait(s->epfd, evs, DS_EVENTS, wait_ms(s));
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
        accept_maybe_resume(s);
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
    ds_heap_free(&s->heap);
    free(s);
}
