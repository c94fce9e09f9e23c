/* delay_proto.h: wire protocol of the delay server (tvp-delayd), version 1: framing, caps, codecs. */
#ifndef TVP_DELAY_PROTO_H
#define TVP_DELAY_PROTO_H

/*
 * Every integer is big-endian (network order). A connection carries any number of
 * request/reply exchanges, served one at a time and in order.
 *
 * Request, 32 bytes:
 *   0  magic "TVPD"    4  version (1)   5  op   6  flags u16
 *   8  delay_us u32   12  reply_bytes u32      16  tag u64      24  reserved u64 (0)
 * Reply header, 32 bytes, followed by payload_len payload bytes:
 *   0  magic "TVPD"    4  version (1)   5  status   6  op (echoed)   7  reserved u8 (0)
 *   8  tag u64 (echoed; 0 when the request's magic or version was bad)
 *  16  payload_len u32 20  reserved u32 (0)         24  lateness_ns i64
 *
 * Ops: DELAY (1) waits delay_us after the server read the request, then replies with reply_bytes
 * bytes of the payload pattern; lateness_ns is how late the reply left against that deadline.
 * STATS (2) replies at once with a 88-byte delay_proto_stats payload (the server's lateness
 * summary since the last reset); flag RESET (1) clears those statistics after the snapshot.
 * STATS requires delay_us == reply_bytes == 0; DELAY requires flags == 0.
 *
 * Caps: delay_us <= 10 000 000 (10 s), reply_bytes <= 16 MiB (16 777 216).
 *
 * Errors: a request that fails validation gets a reply with a nonzero status and no payload.
 * After BAD_MAGIC or BAD_VERSION the server closes the connection (the framing cannot be
 * trusted); after the other errors the connection stays usable. A connection the server cannot
 * take gets one unsolicited NO_FDS or NO_MEMORY reply (tag 0, op 0) as soon as it is accepted,
 * then is closed: the client reads it in place of its first reply.
 *
 * Payload pattern: byte i of the reply to tag T is delay_proto_payload_byte(T, i), which depends
 * on (T + i) mod 256 only, so a client can verify length, alignment and content.
 */

#include <stddef.h>
#include <stdint.h>

#define DELAY_PROTO_MAGIC "TVPD"
#define DELAY_PROTO_VERSION 1u
#define DELAY_PROTO_REQUEST_SIZE 32u
#define DELAY_PROTO_REPLY_SIZE 32u
#define DELAY_PROTO_STATS_SIZE 88u
#define DELAY_PROTO_MAX_DELAY_US 10000000u   /* 10 s */
#define DELAY_PROTO_MAX_BYTES (16u << 20)    /* 16 MiB */

typedef enum {
    DELAY_OP_DELAY = 1, /* reply after delay_us with reply_bytes of payload */
    DELAY_OP_STATS = 2, /* reply at once with the lateness summary */
} delay_proto_op;

#define DELAY_FLAG_RESET 0x0001u /* STATS: reset the statistics after the snapshot */

typedef enum {
    DELAY_ST_OK = 0,
    DELAY_ST_BAD_MAGIC = 1,   /* not "TVPD": error reply, then the server closes */
    DELAY_ST_BAD_VERSION = 2, /* unsupported version: error reply, then the server closes */
    DELAY_ST_BAD_OP = 3,      /* unknown op */
    DELAY_ST_BAD_FIELD = 4,   /* nonzero reserved field, unknown flag, field not allowed for op */
    DELAY_ST_DELAY_RANGE = 5, /* delay_us above DELAY_PROTO_MAX_DELAY_US */
    DELAY_ST_SIZE_RANGE = 6,  /* reply_bytes above DELAY_PROTO_MAX_BYTES */
    DELAY_ST_NO_FDS = 7,      /* server out of descriptors (EMFILE/ENFILE) or at its connection cap */
    DELAY_ST_NO_MEMORY = 8,   /* server out of memory for the connection (ENOMEM/ENOBUFS) */
    DELAY_ST_COUNT
} delay_proto_status;

typedef struct {
    uint8_t op;           /* delay_proto_op */
    uint16_t flags;       /* DELAY_FLAG_* */
    uint32_t delay_us;
    uint32_t reply_bytes;
    uint64_t tag;         /* opaque, echoed in the reply */
} delay_proto_request;

typedef struct {
    uint8_t status;       /* delay_proto_status */
    uint8_t op;
    uint64_t tag;
    uint32_t payload_len;
    int64_t lateness_ns;  /* DELAY: send time - (receive time + delay); 0 otherwise */
} delay_proto_reply;

/* STATS payload: eleven u64, in this order. Lateness values are in ns, over the DELAY replies
 * sent since the last reset; percentiles come from a log-linear histogram (error < 1.6 %). */
typedef struct {
    uint64_t count;      /* DELAY replies with a recorded lateness */
    uint64_t min_ns;
    uint64_t p50_ns;
    uint64_t p90_ns;
    uint64_t p99_ns;
    uint64_t p999_ns;
    uint64_t max_ns;
    uint64_t mean_ns;
    uint64_t errors;     /* error replies sent and connections dropped on a protocol error */
    uint64_t conns_open; /* connections open at the snapshot (not reset) */
    uint64_t conns_total;/* connections accepted */
} delay_proto_stats;

/* Encoders validate like the decoders (0, or the decoder's error for the same field) and write
 * exactly DELAY_PROTO_*_SIZE bytes. */
int delay_proto_encode_request(const delay_proto_request *req, uint8_t buf[DELAY_PROTO_REQUEST_SIZE]);
int delay_proto_encode_reply(const delay_proto_reply *rep, uint8_t buf[DELAY_PROTO_REPLY_SIZE]);
int delay_proto_encode_stats(const delay_proto_stats *st, uint8_t buf[DELAY_PROTO_STATS_SIZE]);

/* Request decoder. Returns 0, or:
 *   -ENODATA          len < DELAY_PROTO_REQUEST_SIZE (truncated)
 *   -EPROTO           bad magic
 *   -EPROTONOSUPPORT  bad version
 *   -EOPNOTSUPP       unknown op
 *   -EINVAL           nonzero reserved field, unknown flag, or a field the op does not allow
 *   -ERANGE           delay_us over the cap
 *   -EMSGSIZE         reply_bytes over the cap
 * On any error but -ENODATA/-EPROTO/-EPROTONOSUPPORT, *out holds the fields as read (the tag
 * to echo). delay_proto_status_for() turns the error into the reply status. */
int delay_proto_decode_request(const uint8_t *buf, size_t len, delay_proto_request *out);

/* Reply header decoder: -ENODATA when truncated, -EPROTO for any malformed field (bad magic,
 * version, status, op, reserved, or a payload_len not allowed for that status and op). */
int delay_proto_decode_reply(const uint8_t *buf, size_t len, delay_proto_reply *out);

/* STATS payload decoder: -ENODATA when truncated, -EPROTO when the percentiles are not ordered
 * (min <= p50 <= p90 <= p99 <= p999 <= max when count > 0). */
int delay_proto_decode_stats(const uint8_t *buf, size_t len, delay_proto_stats *out);

/* Decoder error -> reply status (DELAY_ST_OK for 0); also -EMFILE/-ENFILE -> NO_FDS and
 * -ENOMEM/-ENOBUFS -> NO_MEMORY. */
delay_proto_status delay_proto_status_for(int err);
/* Reply status -> negative errno, the same codes as the request decoder (0 for OK). */
int delay_proto_status_errno(unsigned status);
/* Short stable name ("ok", "bad_magic", ...); "unknown" out of range. */
const char *delay_proto_status_name(unsigned status);

/* The payload pattern. */
static inline uint8_t delay_proto_payload_byte(uint64_t tag, uint64_t offset)
{
    return (uint8_t)((uint8_t)(tag + offset) * 0x9Du + 0x5Bu);
}
void delay_proto_payload_fill(uint64_t tag, uint64_t offset, uint8_t *buf, size_t len);
/* 0 when buf holds the pattern for bytes offset..offset+len of the reply to tag, else -EPROTO. */
int delay_proto_payload_check(uint64_t tag, uint64_t offset, const uint8_t *buf, size_t len);

#endif
