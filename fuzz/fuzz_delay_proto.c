/* fuzz_delay_proto.c: libFuzzer target for the delay server's wire protocol: decoders, framing and round trips. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "delay_proto.h"

#define FUZZ_TARGET "fuzz_delay_proto"
#include "promise.h"

/*
 * Every decoder gets the input at every 32-byte frame offset, as the server and the client see a
 * byte stream. What must hold (a violation aborts):
 *   - a decoder never reads past `len` (AddressSanitizer) and fails with a documented code;
 *   - what a decoder accepts, the encoder turns back into exactly the same bytes;
 *   - a request error maps to a reply status and back to the same error;
 *   - the payload pattern checks what it fills and refuses any changed byte.
 */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_request(const uint8_t *buf, size_t len)
{
    delay_proto_request req;
    int rc = delay_proto_decode_request(buf, len, &req);
    PROMISE(rc == 0 || rc == -ENODATA || rc == -EPROTO || rc == -EPROTONOSUPPORT ||
            rc == -EOPNOTSUPP || rc == -EINVAL || rc == -ERANGE || rc == -EMSGSIZE);
    PROMISE((rc == -ENODATA) == (len < DELAY_PROTO_REQUEST_SIZE));
    delay_proto_status st = delay_proto_status_for(rc);
    PROMISE((unsigned)st < DELAY_ST_COUNT);
    PROMISE(strcmp(delay_proto_status_name(st), "unknown") != 0);
    if (rc != -ENODATA)
        PROMISE(delay_proto_status_errno(st) == rc);
    uint8_t again[DELAY_PROTO_REQUEST_SIZE];
    if (rc == 0) {
        PROMISE(delay_proto_encode_request(&req, again) == 0);
        PROMISE(memcmp(again, buf, DELAY_PROTO_REQUEST_SIZE) == 0);
        PROMISE(req.op == DELAY_OP_DELAY || req.op == DELAY_OP_STATS);
        PROMISE(req.delay_us <= DELAY_PROTO_MAX_DELAY_US && req.reply_bytes <= DELAY_PROTO_MAX_BYTES);
    } else if (rc == -EOPNOTSUPP || rc == -ERANGE || rc == -EMSGSIZE) {
        /* The fields as read are the reason: the encoder refuses them with the same code. */
        PROMISE(delay_proto_encode_request(&req, again) == rc);
    }
}

static void fuzz_reply(const uint8_t *buf, size_t len)
{
    delay_proto_reply rep;
    int rc = delay_proto_decode_reply(buf, len, &rep);
    PROMISE(rc == 0 || rc == -ENODATA || rc == -EPROTO);
    PROMISE((rc == -ENODATA) == (len < DELAY_PROTO_REPLY_SIZE));
    if (rc == 0) {
        uint8_t again[DELAY_PROTO_REPLY_SIZE];
        PROMISE(delay_proto_encode_reply(&rep, again) == 0);
        PROMISE(memcmp(again, buf, DELAY_PROTO_REPLY_SIZE) == 0);
        PROMISE(rep.status < DELAY_ST_COUNT);
        PROMISE(rep.payload_len <= DELAY_PROTO_MAX_BYTES);
        PROMISE(delay_proto_status_errno(rep.status) <= 0);
    }
}

static void fuzz_stats(const uint8_t *buf, size_t len)
{
    delay_proto_stats st;
    int rc = delay_proto_decode_stats(buf, len, &st);
    PROMISE(rc == 0 || rc == -ENODATA || rc == -EPROTO);
    PROMISE((rc == -ENODATA) == (len < DELAY_PROTO_STATS_SIZE));
    if (rc == 0) {
        uint8_t again[DELAY_PROTO_STATS_SIZE];
        PROMISE(delay_proto_encode_stats(&st, again) == 0);
        PROMISE(memcmp(again, buf, DELAY_PROTO_STATS_SIZE) == 0);
    }
}

/* The pattern of the reply to a tag taken from the input, at an offset taken from it too. */
static void fuzz_payload(const uint8_t *data, size_t size)
{
    if (size < 16)
        return;
    uint64_t tag, offset;
    memcpy(&tag, data, 8);
    memcpy(&offset, data + 8, 8);
    size_t len = size - 16 < 4096 ? size - 16 : 4096;
    uint8_t *buf = malloc(len + 1);
    if (!buf)
        return;
    delay_proto_payload_fill(tag, offset, buf, len);
    PROMISE(delay_proto_payload_check(tag, offset, buf, len) == 0);
    if (len) {
        size_t at = data[16] % len;
        buf[at] ^= (uint8_t)(data[16] | 1);
        PROMISE(delay_proto_payload_check(tag, offset, buf, len) == -EPROTO);
    }
    /* The input itself as a received payload: accepted only when it is the pattern. */
    int rc = delay_proto_payload_check(tag, offset, data + 16, len);
    PROMISE(rc == 0 || rc == -EPROTO);
    free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* A copy of exactly `size` bytes: reading past it is caught even for tiny inputs. */
    uint8_t *buf = malloc(size ? size : 1);
    if (!buf)
        return 0;
    if (size)
        memcpy(buf, data, size);
    /* The server's framing: one request per 32 bytes until a framing error (bad magic or
     * version), after which the server closes the connection. */
    for (size_t off = 0; off <= size; off += DELAY_PROTO_REQUEST_SIZE) {
        fuzz_request(buf + off, size - off);
        delay_proto_request req;
        int rc = delay_proto_decode_request(buf + off, size - off, &req);
        if (rc == -ENODATA || rc == -EPROTO || rc == -EPROTONOSUPPORT)
            break;
    }
    /* The client's framing: a reply header, its payload (STATS: the 88-byte summary), again. */
    for (size_t off = 0; off <= size;) {
        fuzz_reply(buf + off, size - off);
        delay_proto_reply rep;
        if (delay_proto_decode_reply(buf + off, size - off, &rep) < 0)
            break;
        off += DELAY_PROTO_REPLY_SIZE;
        if (rep.status == DELAY_ST_OK && rep.op == DELAY_OP_STATS)
            fuzz_stats(buf + off, size - off);
        if (rep.payload_len > size - off)
            break;
        off += rep.payload_len;
    }
    fuzz_stats(buf, size);
    fuzz_payload(buf, size);
    free(buf);
    return 0;
}
