/* delay_proto.c: encoders, strict decoders and payload pattern of the delay-server protocol. */
#include "delay_proto.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

/* Byte order helpers: the wire is big-endian whatever the host is. */
static void put_u16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void put_u32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (24 - 8 * i));
}

static void put_u64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (56 - 8 * i));
}

static uint16_t get_u16(const uint8_t *p) { return (uint16_t)((p[0] << 8) | p[1]); }

static uint32_t get_u32(const uint8_t *p)
{
    uint32_t v = 0;
    for (int i = 0; i < 4; i++)
        v = (v << 8) | p[i];
    return v;
}

static uint64_t get_u64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = (v << 8) | p[i];
    return v;
}

/* What every request and reply starts with: the magic, then the version. */
static void put_head(uint8_t *buf)
{
    memcpy(buf, DELAY_PROTO_MAGIC, 4);
    buf[4] = DELAY_PROTO_VERSION;
}

/* Field rules shared by the request encoder and decoder. */
static int request_check(const delay_proto_request *r)
{
    if (r->op != DELAY_OP_DELAY && r->op != DELAY_OP_STATS)
        return -EOPNOTSUPP;
    if (r->op == DELAY_OP_STATS) {
        if ((r->flags & ~DELAY_FLAG_RESET) != 0 || r->delay_us != 0 || r->reply_bytes != 0)
            return -EINVAL;
        return 0;
    }
    if (r->flags != 0)
        return -EINVAL;
    if (r->delay_us > DELAY_PROTO_MAX_DELAY_US)
        return -ERANGE;
    if (r->reply_bytes > DELAY_PROTO_MAX_BYTES)
        return -EMSGSIZE;
    return 0;
}

int delay_proto_encode_request(const delay_proto_request *req, uint8_t buf[DELAY_PROTO_REQUEST_SIZE])
{
    int rc = request_check(req);
    if (rc < 0)
        return rc;
    put_head(buf);
    buf[5] = req->op;
    put_u16(buf + 6, req->flags);
    put_u32(buf + 8, req->delay_us);
    put_u32(buf + 12, req->reply_bytes);
    put_u64(buf + 16, req->tag);
    put_u64(buf + 24, 0);
    return 0;
}

int delay_proto_decode_request(const uint8_t *buf, size_t len, delay_proto_request *out)
{
    if (len < DELAY_PROTO_REQUEST_SIZE)
        return -ENODATA;
    memset(out, 0, sizeof *out);
    if (memcmp(buf, DELAY_PROTO_MAGIC, 4) != 0)
        return -EPROTO;
    if (buf[4] != DELAY_PROTO_VERSION)
        return -EPROTONOSUPPORT;
    out->op = buf[5];
    out->flags = get_u16(buf + 6);
    out->delay_us = get_u32(buf + 8);
    out->reply_bytes = get_u32(buf + 12);
    out->tag = get_u64(buf + 16);
    int rc = request_check(out);
    if (rc < 0)
        return rc;
    return get_u64(buf + 24) != 0 ? -EINVAL : 0;
}

/* Field rules shared by the reply encoder and decoder. */
static int reply_check(const delay_proto_reply *r)
{
    if (r->status >= DELAY_ST_COUNT)
        return -EPROTO;
    if (r->status != DELAY_ST_OK)
        return (r->payload_len == 0 && r->lateness_ns == 0) ? 0 : -EPROTO;
    if (r->op == DELAY_OP_DELAY)
        return r->payload_len <= DELAY_PROTO_MAX_BYTES ? 0 : -EPROTO;
    if (r->op == DELAY_OP_STATS)
        return (r->payload_len == DELAY_PROTO_STATS_SIZE && r->lateness_ns == 0) ? 0 : -EPROTO;
    return -EPROTO;
}

int delay_proto_encode_reply(const delay_proto_reply *rep, uint8_t buf[DELAY_PROTO_REPLY_SIZE])
{
    int rc = reply_check(rep);
    if (rc < 0)
        return rc;
    put_head(buf);
    buf[5] = rep->status;
    buf[6] = rep->op;
    buf[7] = 0;
    put_u64(buf + 8, rep->tag);
    put_u32(buf + 16, rep->payload_len);
    put_u32(buf + 20, 0);
    put_u64(buf + 24, (uint64_t)rep->lateness_ns);
    return 0;
}

int delay_proto_decode_reply(const uint8_t *buf, size_t len, delay_proto_reply *out)
{
    if (len < DELAY_PROTO_REPLY_SIZE)
        return -ENODATA;
    memset(out, 0, sizeof *out);
    if (memcmp(buf, DELAY_PROTO_MAGIC, 4) != 0 || buf[4] != DELAY_PROTO_VERSION || buf[7] != 0 ||
        get_u32(buf + 20) != 0)
        return -EPROTO;
    out->status = buf[5];
    out->op = buf[6];
    out->tag = get_u64(buf + 8);
    out->payload_len = get_u32(buf + 16);
    out->lateness_ns = (int64_t)get_u64(buf + 24);
    return reply_check(out);
}

static bool stats_ordered(const delay_proto_stats *s)
{
    return s->count == 0 || (s->min_ns <= s->p50_ns && s->p50_ns <= s->p90_ns &&
                             s->p90_ns <= s->p99_ns && s->p99_ns <= s->p999_ns &&
                             s->p999_ns <= s->max_ns);
}

int delay_proto_encode_stats(const delay_proto_stats *st, uint8_t buf[DELAY_PROTO_STATS_SIZE])
{
    if (!stats_ordered(st))
        return -EPROTO;
    const uint64_t v[11] = {st->count,  st->min_ns,  st->p50_ns,     st->p90_ns,
                            st->p99_ns, st->p999_ns, st->max_ns,     st->mean_ns,
                            st->errors, st->conns_open, st->conns_total};
    for (int i = 0; i < 11; i++)
        put_u64(buf + 8 * i, v[i]);
    return 0;
}

int delay_proto_decode_stats(const uint8_t *buf, size_t len, delay_proto_stats *out)
{
    if (len < DELAY_PROTO_STATS_SIZE)
        return -ENODATA;
    uint64_t *const f[11] = {&out->count,  &out->min_ns,  &out->p50_ns,  &out->p90_ns,
                             &out->p99_ns, &out->p999_ns, &out->max_ns,  &out->mean_ns,
                             &out->errors, &out->conns_open, &out->conns_total};
    for (int i = 0; i < 11; i++)
        *f[i] = get_u64(buf + 8 * i);
    return stats_ordered(out) ? 0 : -EPROTO;
}

delay_proto_status delay_proto_status_for(int err)
{
    switch (err) {
    case 0: return DELAY_ST_OK;
    case -EPROTO: return DELAY_ST_BAD_MAGIC;
    case -EPROTONOSUPPORT: return DELAY_ST_BAD_VERSION;
    case -EOPNOTSUPP: return DELAY_ST_BAD_OP;
    case -ERANGE: return DELAY_ST_DELAY_RANGE;
    case -EMSGSIZE: return DELAY_ST_SIZE_RANGE;
    case -EMFILE:
    case -ENFILE: return DELAY_ST_NO_FDS;
    case -ENOMEM:
    case -ENOBUFS: return DELAY_ST_NO_MEMORY;
    default: return DELAY_ST_BAD_FIELD;
    }
}

int delay_proto_status_errno(unsigned status)
{
    static const int codes[DELAY_ST_COUNT] = {0, -EPROTO, -EPROTONOSUPPORT, -EOPNOTSUPP,
                                              -EINVAL, -ERANGE, -EMSGSIZE, -EMFILE, -ENOMEM};
    return status < DELAY_ST_COUNT ? codes[status] : -EPROTO;
}

const char *delay_proto_status_name(unsigned status)
{
    static const char *const names[DELAY_ST_COUNT] = {
        "ok", "bad_magic", "bad_version", "bad_op", "bad_field", "delay_range", "size_range",
        "no_fds", "no_memory"};
    return status < DELAY_ST_COUNT ? names[status] : "unknown";
}

void delay_proto_payload_fill(uint64_t tag, uint64_t offset, uint8_t *buf, size_t len)
{
    for (size_t i = 0; i < len; i++)
        buf[i] = delay_proto_payload_byte(tag, offset + i);
}

int delay_proto_payload_check(uint64_t tag, uint64_t offset, const uint8_t *buf, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (buf[i] != delay_proto_payload_byte(tag, offset + i))
            return -EPROTO;
    return 0;
}
