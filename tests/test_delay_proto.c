/* test_delay_proto.c: delay-server protocol codecs: round trips, golden bytes, every malformed case, payload pattern. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "delay_proto.h"

/* A valid DELAY request, encoded. */
static void good_request(uint8_t buf[DELAY_PROTO_REQUEST_SIZE])
{
    delay_proto_request r = {.op = DELAY_OP_DELAY, .delay_us = 20000, .reply_bytes = 64,
                             .tag = 0x0102030405060708ull};
    assert_int_equal(delay_proto_encode_request(&r, buf), 0);
}

static void test_request_golden_bytes(void **state)
{
    (void)state;
    uint8_t buf[DELAY_PROTO_REQUEST_SIZE];
    good_request(buf);
    static const uint8_t want[DELAY_PROTO_REQUEST_SIZE] = {
        'T', 'V', 'P', 'D', 1, 1, 0, 0,          /* magic, version, op DELAY, flags */
        0x00, 0x00, 0x4e, 0x20,                  /* delay_us 20000 */
        0x00, 0x00, 0x00, 0x40,                  /* reply_bytes 64 */
        1, 2, 3, 4, 5, 6, 7, 8,                  /* tag */
        0, 0, 0, 0, 0, 0, 0, 0};                 /* reserved */
    assert_memory_equal(buf, want, sizeof want);
}

static void test_request_round_trip(void **state)
{
    (void)state;
    const delay_proto_request cases[] = {
        {.op = DELAY_OP_DELAY, .delay_us = 0, .reply_bytes = 0, .tag = 0},
        {.op = DELAY_OP_DELAY, .delay_us = DELAY_PROTO_MAX_DELAY_US,
         .reply_bytes = DELAY_PROTO_MAX_BYTES, .tag = UINT64_MAX},
        {.op = DELAY_OP_STATS, .flags = 0, .tag = 42},
        {.op = DELAY_OP_STATS, .flags = DELAY_FLAG_RESET, .tag = 43},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint8_t buf[DELAY_PROTO_REQUEST_SIZE];
        delay_proto_request got;
        assert_int_equal(delay_proto_encode_request(&cases[i], buf), 0);
        assert_int_equal(delay_proto_decode_request(buf, sizeof buf, &got), 0);
        assert_int_equal(got.op, cases[i].op);
        assert_int_equal(got.flags, cases[i].flags);
        assert_int_equal(got.delay_us, cases[i].delay_us);
        assert_int_equal(got.reply_bytes, cases[i].reply_bytes);
        assert_true(got.tag == cases[i].tag);
    }
}

static void test_request_truncated(void **state)
{
    (void)state;
    uint8_t buf[DELAY_PROTO_REQUEST_SIZE];
    delay_proto_request got;
    good_request(buf);
    for (size_t len = 0; len < sizeof buf; len++)
        assert_int_equal(delay_proto_decode_request(buf, len, &got), -ENODATA);
}

/* Decodes buf after one byte was changed; returns the decoder's result. */
static int decode_patched(size_t off, uint8_t value, delay_proto_request *got)
{
    uint8_t buf[DELAY_PROTO_REQUEST_SIZE];
    good_request(buf);
    buf[off] = value;
    return delay_proto_decode_request(buf, sizeof buf, got);
}

static void test_request_bad_magic_and_version(void **state)
{
    (void)state;
    delay_proto_request got;
    for (size_t off = 0; off < 4; off++)
        assert_int_equal(decode_patched(off, 'x', &got), -EPROTO);
    assert_int_equal(decode_patched(4, 0, &got), -EPROTONOSUPPORT);
    assert_int_equal(decode_patched(4, 2, &got), -EPROTONOSUPPORT);
    assert_int_equal(decode_patched(4, 255, &got), -EPROTONOSUPPORT);
    assert_int_equal(delay_proto_status_for(-EPROTO), DELAY_ST_BAD_MAGIC);
    assert_int_equal(delay_proto_status_for(-EPROTONOSUPPORT), DELAY_ST_BAD_VERSION);
}

static void test_request_unknown_op_keeps_tag(void **state)
{
    (void)state;
    delay_proto_request got;
    const uint8_t ops[] = {0, 3, 4, 127, 255};
    for (size_t i = 0; i < sizeof ops; i++) {
        assert_int_equal(decode_patched(5, ops[i], &got), -EOPNOTSUPP);
        assert_int_equal(got.op, ops[i]);
        assert_true(got.tag == 0x0102030405060708ull);
    }
    assert_int_equal(delay_proto_status_for(-EOPNOTSUPP), DELAY_ST_BAD_OP);
}

static void test_request_bad_fields(void **state)
{
    (void)state;
    delay_proto_request got;
    /* flags on DELAY, reserved bytes */
    assert_int_equal(decode_patched(7, 1, &got), -EINVAL);
    assert_int_equal(decode_patched(6, 0x80, &got), -EINVAL);
    for (size_t off = 24; off < 32; off++)
        assert_int_equal(decode_patched(off, 1, &got), -EINVAL);
    /* STATS with a delay, with bytes, with an unknown flag */
    uint8_t buf[DELAY_PROTO_REQUEST_SIZE];
    delay_proto_request st = {.op = DELAY_OP_STATS, .tag = 9};
    assert_int_equal(delay_proto_encode_request(&st, buf), 0);
    buf[11] = 1;
    assert_int_equal(delay_proto_decode_request(buf, sizeof buf, &got), -EINVAL);
    assert_int_equal(delay_proto_encode_request(&st, buf), 0);
    buf[15] = 1;
    assert_int_equal(delay_proto_decode_request(buf, sizeof buf, &got), -EINVAL);
    assert_int_equal(delay_proto_encode_request(&st, buf), 0);
    buf[7] = 2;
    assert_int_equal(delay_proto_decode_request(buf, sizeof buf, &got), -EINVAL);
    assert_int_equal(delay_proto_status_for(-EINVAL), DELAY_ST_BAD_FIELD);
}

static void test_request_caps(void **state)
{
    (void)state;
    uint8_t buf[DELAY_PROTO_REQUEST_SIZE];
    delay_proto_request got;
    delay_proto_request r = {.op = DELAY_OP_DELAY, .delay_us = DELAY_PROTO_MAX_DELAY_US + 1, .tag = 5};
    /* The encoder refuses, so patch a valid encoding by hand. */
    assert_int_equal(delay_proto_encode_request(&r, buf), -ERANGE);
    r.delay_us = DELAY_PROTO_MAX_DELAY_US;
    assert_int_equal(delay_proto_encode_request(&r, buf), 0);
    buf[11]++; /* 10 000 001 */
    assert_int_equal(delay_proto_decode_request(buf, sizeof buf, &got), -ERANGE);
    assert_true(got.tag == 5);
    memset(buf + 8, 0xff, 4);
    assert_int_equal(delay_proto_decode_request(buf, sizeof buf, &got), -ERANGE);

    r = (delay_proto_request){.op = DELAY_OP_DELAY, .reply_bytes = DELAY_PROTO_MAX_BYTES + 1};
    assert_int_equal(delay_proto_encode_request(&r, buf), -EMSGSIZE);
    r.reply_bytes = DELAY_PROTO_MAX_BYTES;
    assert_int_equal(delay_proto_encode_request(&r, buf), 0);
    buf[15] = 1; /* 16 MiB + 1 */
    assert_int_equal(delay_proto_decode_request(buf, sizeof buf, &got), -EMSGSIZE);
    memset(buf + 12, 0xff, 4);
    assert_int_equal(delay_proto_decode_request(buf, sizeof buf, &got), -EMSGSIZE);
    assert_int_equal(delay_proto_status_for(-ERANGE), DELAY_ST_DELAY_RANGE);
    assert_int_equal(delay_proto_status_for(-EMSGSIZE), DELAY_ST_SIZE_RANGE);
}

static void test_encoder_refuses_unknown_op(void **state)
{
    (void)state;
    uint8_t buf[DELAY_PROTO_REQUEST_SIZE];
    delay_proto_request r = {.op = 9};
    assert_int_equal(delay_proto_encode_request(&r, buf), -EOPNOTSUPP);
    r = (delay_proto_request){.op = DELAY_OP_DELAY, .flags = DELAY_FLAG_RESET};
    assert_int_equal(delay_proto_encode_request(&r, buf), -EINVAL);
}

static void test_reply_round_trip(void **state)
{
    (void)state;
    const delay_proto_reply cases[] = {
        {.status = DELAY_ST_OK, .op = DELAY_OP_DELAY, .tag = 7, .payload_len = 100,
         .lateness_ns = 123456},
        {.status = DELAY_ST_OK, .op = DELAY_OP_DELAY, .tag = UINT64_MAX,
         .payload_len = DELAY_PROTO_MAX_BYTES, .lateness_ns = -5},
        {.status = DELAY_ST_OK, .op = DELAY_OP_STATS, .tag = 1, .payload_len = DELAY_PROTO_STATS_SIZE},
        {.status = DELAY_ST_BAD_OP, .op = 77, .tag = 3},
        {.status = DELAY_ST_BAD_MAGIC},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        uint8_t buf[DELAY_PROTO_REPLY_SIZE];
        delay_proto_reply got;
        assert_int_equal(delay_proto_encode_reply(&cases[i], buf), 0);
        assert_int_equal(delay_proto_decode_reply(buf, sizeof buf, &got), 0);
        assert_int_equal(got.status, cases[i].status);
        assert_int_equal(got.op, cases[i].op);
        assert_true(got.tag == cases[i].tag);
        assert_int_equal(got.payload_len, cases[i].payload_len);
        assert_true(got.lateness_ns == cases[i].lateness_ns);
        assert_int_equal(delay_proto_decode_reply(buf, sizeof buf - 1, &got), -ENODATA);
    }
}

static void test_reply_malformed(void **state)
{
    (void)state;
    delay_proto_reply ok = {.status = DELAY_ST_OK, .op = DELAY_OP_DELAY, .tag = 7, .payload_len = 10};
    uint8_t good[DELAY_PROTO_REPLY_SIZE], buf[DELAY_PROTO_REPLY_SIZE];
    delay_proto_reply got;
    assert_int_equal(delay_proto_encode_reply(&ok, good), 0);
    struct {
        size_t off;
        uint8_t v;
    } patches[] = {
        {0, 'X'}, {4, 2}, {5, DELAY_ST_COUNT}, {5, 255}, /* magic, version, status */
        {6, 0}, {6, 9},                                  /* OK with an unknown op */
        {7, 1}, {20, 1}, {23, 1},                        /* reserved */
        {16, 0x01}, {16, 0xff},                          /* DELAY payload over the cap */
    };
    for (size_t i = 0; i < sizeof patches / sizeof patches[0]; i++) {
        memcpy(buf, good, sizeof buf);
        buf[patches[i].off] = patches[i].v;
        assert_int_equal(delay_proto_decode_reply(buf, sizeof buf, &got), -EPROTO);
    }
    /* an error reply that carries a payload or a lateness, a STATS reply of the wrong size */
    delay_proto_reply bad[] = {
        {.status = DELAY_ST_BAD_OP, .payload_len = 1},
        {.status = DELAY_ST_BAD_OP, .lateness_ns = 1},
        {.status = DELAY_ST_OK, .op = DELAY_OP_STATS, .payload_len = 87},
        {.status = DELAY_ST_OK, .op = DELAY_OP_STATS, .payload_len = DELAY_PROTO_STATS_SIZE,
         .lateness_ns = 1},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(delay_proto_encode_reply(&bad[i], buf), -EPROTO);
    memcpy(buf, good, sizeof buf);
    buf[6] = DELAY_OP_STATS; /* payload_len 10 */
    assert_int_equal(delay_proto_decode_reply(buf, sizeof buf, &got), -EPROTO);
}

static void test_stats_round_trip_and_order(void **state)
{
    (void)state;
    delay_proto_stats st = {.count = 10, .min_ns = 1, .p50_ns = 2, .p90_ns = 3, .p99_ns = 4,
                            .p999_ns = 5, .max_ns = 6, .mean_ns = 3, .errors = 7,
                            .conns_open = 8, .conns_total = 9};
    uint8_t buf[DELAY_PROTO_STATS_SIZE];
    delay_proto_stats got;
    assert_int_equal(delay_proto_encode_stats(&st, buf), 0);
    assert_int_equal(delay_proto_decode_stats(buf, sizeof buf, &got), 0);
    assert_memory_equal(&got, &st, sizeof st);
    assert_int_equal(delay_proto_decode_stats(buf, sizeof buf - 1, &got), -ENODATA);
    st.p90_ns = 1; /* p50 > p90: refused both ways */
    assert_int_equal(delay_proto_encode_stats(&st, buf), -EPROTO);
    buf[8 * 3 + 7] = 1; /* p90 of the good encoding, in place */
    assert_int_equal(delay_proto_decode_stats(buf, sizeof buf, &got), -EPROTO);
    st = (delay_proto_stats){.count = 0, .errors = 3}; /* empty: no order to check */
    delay_proto_encode_stats(&st, buf);
    assert_int_equal(delay_proto_decode_stats(buf, sizeof buf, &got), 0);
}

static void test_status_names_and_errnos(void **state)
{
    (void)state;
    for (unsigned s = 0; s < DELAY_ST_COUNT; s++) {
        assert_int_equal(delay_proto_status_for(delay_proto_status_errno(s)), s);
        assert_string_not_equal(delay_proto_status_name(s), "unknown");
    }
    assert_string_equal(delay_proto_status_name(DELAY_ST_COUNT), "unknown");
    assert_int_equal(delay_proto_status_errno(200), -EPROTO);
}

static void test_payload_pattern(void **state)
{
    (void)state;
    uint8_t buf[1000];
    delay_proto_payload_fill(12345, 0, buf, sizeof buf);
    assert_int_equal(delay_proto_payload_check(12345, 0, buf, sizeof buf), 0);
    /* any piece at its own offset checks; shifted by one it does not */
    assert_int_equal(delay_proto_payload_check(12345, 300, buf + 300, 500), 0);
    assert_int_equal(delay_proto_payload_check(12345, 301, buf + 300, 500), -EPROTO);
    assert_int_equal(delay_proto_payload_check(12346, 0, buf, sizeof buf), -EPROTO);
    /* period 256: what the server's table relies on */
    for (size_t i = 0; i < 256; i++)
        assert_int_equal(delay_proto_payload_byte(0, i), delay_proto_payload_byte(256, i));
    buf[999] ^= 1;
    assert_int_equal(delay_proto_payload_check(12345, 0, buf, sizeof buf), -EPROTO);
    /* all 256 values appear in one period (no constant runs) */
    uint8_t seen[256] = {0};
    for (size_t i = 0; i < 256; i++)
        seen[delay_proto_payload_byte(0, i)] = 1;
    for (size_t i = 0; i < 256; i++)
        assert_int_equal(seen[i], 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_request_golden_bytes),
        cmocka_unit_test(test_request_round_trip),
        cmocka_unit_test(test_request_truncated),
        cmocka_unit_test(test_request_bad_magic_and_version),
        cmocka_unit_test(test_request_unknown_op_keeps_tag),
        cmocka_unit_test(test_request_bad_fields),
        cmocka_unit_test(test_request_caps),
        cmocka_unit_test(test_encoder_refuses_unknown_op),
        cmocka_unit_test(test_reply_round_trip),
        cmocka_unit_test(test_reply_malformed),
        cmocka_unit_test(test_stats_round_trip_and_order),
        cmocka_unit_test(test_status_names_and_errnos),
        cmocka_unit_test(test_payload_pattern),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
