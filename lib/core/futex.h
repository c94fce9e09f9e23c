/* futex.h: waits and wakes on a 32-bit futex word, shared between processes or private. */
#ifndef TVP_FUTEX_H
#define TVP_FUTEX_H

#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* `shared`: the word may live in memory mapped by several processes (MAP_SHARED, forked
 * children), so the kernel keys it by page; false uses FUTEX_PRIVATE_FLAG, cheaper, for words
 * only threads of one process touch. Waiters and wakers of one word must agree on it. */

#define FUTEX_NO_TIMEOUT (-1)

/* Sleeps while *word == val, at most timeout_ns (relative, on CLOCK_MONOTONIC; FUTEX_NO_TIMEOUT
 * or any negative value: no limit). Returns -ETIMEDOUT when the time ran out, else 0: woken, the
 * value already differed, a signal or a spurious wakeup; the caller looks at the word again. */
static inline int futex_wait_ns(_Atomic uint32_t *word, uint32_t val, bool shared, int64_t timeout_ns)
{
    struct timespec ts = {.tv_sec = (time_t)(timeout_ns / 1000000000), .tv_nsec = (long)(timeout_ns % 1000000000)};
    if (syscall(SYS_futex, (uint32_t *)word, shared ? FUTEX_WAIT : FUTEX_WAIT_PRIVATE, val,
                timeout_ns < 0 ? NULL : &ts, NULL, 0) == 0)
        return 0;
    return errno == ETIMEDOUT ? -ETIMEDOUT : 0;
}

/* futex_wait_ns with a timeout in milliseconds (negative: no limit). */
static inline int futex_wait_ms(_Atomic uint32_t *word, uint32_t val, bool shared, int timeout_ms)
{
    return futex_wait_ns(word, val, shared, timeout_ms < 0 ? FUTEX_NO_TIMEOUT : (int64_t)timeout_ms * 1000000);
}

/* futex_wait_ns without a time limit (returns when woken, at a signal, or at once when
 * *word != val). */
static inline void futex_wait(_Atomic uint32_t *word, uint32_t val, bool shared)
{
    futex_wait_ns(word, val, shared, FUTEX_NO_TIMEOUT);
}

/* Wakes at most n (1..INT_MAX) waiters on word. */
static inline void futex_wake(_Atomic uint32_t *word, bool shared, int n)
{
    syscall(SYS_futex, (uint32_t *)word, shared ? FUTEX_WAKE : FUTEX_WAKE_PRIVATE, n, NULL, NULL, 0);
}

/* Wakes every waiter on word. */
static inline void futex_wake_all(_Atomic uint32_t *word, bool shared) { futex_wake(word, shared, INT_MAX); }

#endif /* TVP_FUTEX_H */
