/* delay_harness.h: what the delay-server tests share: the host, a clock, a connection that must
 * succeed, and raw sends (static helpers, one copy per test program; include after cmocka.h). */
#ifndef TVP_DELAY_HARNESS_H
#define TVP_DELAY_HARNESS_H

#include <stdint.h>
#include <sys/socket.h>

#include "metrics.h"
#include "net_client.h"

#define HOST "127.0.0.1"
#define MS 1000000LL

static __attribute__((unused)) int64_t now_ns(void) { return (int64_t)metrics_now_ns(); }

static __attribute__((unused)) int connect_or_fail(uint16_t port)
{
    int fd = -1;
    assert_int_equal(net_client_connect(HOST, port, 2000, &fd), 0);
    assert_true(fd >= 0);
    return fd;
}

static __attribute__((unused)) void send_raw(int fd, const uint8_t *buf, size_t len)
{
    assert_int_equal(send(fd, buf, len, MSG_NOSIGNAL), (ssize_t)len);
}

#endif /* TVP_DELAY_HARNESS_H */
