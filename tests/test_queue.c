/* test_queue.c: the shared task ring: batches, claims, wakeups, and repair after a dead owner. */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "queue.h"

static void test_create_rejects_bad_capacity(void **state)
{
    (void)state;
    queue *q;
    assert_int_equal(queue_create(0, &q), -EINVAL);
    assert_int_equal(queue_create((1u << 24) + 1, &q), -EINVAL);
    assert_int_equal(queue_create(5, &q), 0);
    assert_int_equal(queue_capacity(q), 5);
    queue_destroy(q);
}

static void test_batch_pops_every_task_once(void **state)
{
    (void)state;
    queue *q;
    assert_int_equal(queue_create(16, &q), 0);
    assert_int_equal(queue_push_batch(q, 0), -EINVAL);
    assert_int_equal(queue_push_batch(q, 17), -EINVAL);
    for (int round = 0; round < 3; round++) { /* batches follow one another on the same slots */
        assert_int_equal(queue_push_batch(q, 11), 0);
        assert_int_equal(queue_pending(q), 11);
        assert_int_equal(queue_push_batch(q, 1), -EBUSY);
        uint32_t seen = 0, idx;
        for (uint32_t i = 0; i < 11; i++) {
            assert_int_equal(queue_pop(q, 7, &idx), 0);
            assert_int_equal(idx, i); /* FIFO */
            assert_int_equal(atomic_load(&queue_slot_at(q, idx)->state), SLOT_RUNNING);
            assert_int_equal(queue_slot_at(q, idx)->worker, 7);
            seen |= 1u << idx;
            queue_complete(q, idx, i % 2 == 0);
        }
        assert_int_equal(seen, (1u << 11) - 1);
        assert_int_equal(queue_pop(q, 7, &idx), -EAGAIN);
        assert_int_equal(queue_done(q), 11);
        assert_int_equal(atomic_load(&queue_slot_at(q, 1)->state), SLOT_FAILED);
        assert_int_equal(atomic_load(&queue_slot_at(q, 2)->state), SLOT_OK);
        assert_int_equal(queue_wait_done(q, 11, 0), 0);
    }
    queue_destroy(q);
}

static void test_close_stops_pops_and_wakes(void **state)
{
    (void)state;
    queue *q;
    uint32_t idx;
    assert_int_equal(queue_create(4, &q), 0);
    uint32_t seq = queue_work_seq(q);
    assert_int_equal(queue_wait_work(q, seq, 10), -ETIMEDOUT);
    queue_close(q);
    assert_true(queue_closed(q));
    assert_int_equal(queue_wait_work(q, seq, 1000), 0); /* the sequence moved */
    assert_int_equal(queue_pop(q, 0, &idx), -ESHUTDOWN);
    queue_destroy(q);
}

typedef struct consumer {
    queue *q;
    uint32_t id, count;
} consumer;

static void *consume(void *arg)
{
    consumer *c = arg;
    for (;;) {
        uint32_t seq = queue_work_seq(c->q), idx;
        int rc = queue_pop(c->q, c->id, &idx);
        if (rc == 0) {
            queue_slot_at(c->q, idx)->out.value_ns = c->id;
            queue_complete(c->q, idx, true);
            c->count++;
        } else if (rc == -ESHUTDOWN) {
            return NULL;
        } else {
            queue_wait_work(c->q, seq, 50);
        }
    }
}

static void test_threads_share_batches(void **state)
{
    (void)state;
    queue *q;
    assert_int_equal(queue_create(1000, &q), 0);
    consumer c[4];
    pthread_t t[4];
    for (uint32_t i = 0; i < 4; i++) {
        c[i] = (consumer){q, i, 0};
        assert_int_equal(pthread_create(&t[i], NULL, consume, &c[i]), 0);
    }
    for (int b = 0; b < 20; b++) {
        assert_int_equal(queue_push_batch(q, 1000), 0);
        while (queue_done(q) < 1000)
            queue_wait_done(q, 1000, 100);
        for (uint32_t i = 0; i < 1000; i++)
            assert_int_equal(atomic_load(&queue_slot_at(q, i)->state), SLOT_OK);
    }
    queue_close(q);
    uint32_t total = 0;
    for (int i = 0; i < 4; i++) {
        pthread_join(t[i], NULL);
        total += c[i].count;
    }
    assert_int_equal(total, 20 * 1000);
    queue_destroy(q);
}

static void test_processes_share_the_queue(void **state)
{
    (void)state;
    queue *q;
    assert_int_equal(queue_create(500, &q), 0);
    pid_t pids[3];
    for (int i = 0; i < 3; i++) {
        pids[i] = fork();
        assert_true(pids[i] >= 0);
        if (pids[i] == 0) {
            consumer c = {q, (uint32_t)i + 1, 0};
            consume(&c);
            _exit(0);
        }
    }
    assert_int_equal(queue_push_batch(q, 500), 0);
    while (queue_done(q) < 500)
        queue_wait_done(q, 500, 100);
    uint32_t by_worker[4] = {0};
    for (uint32_t i = 0; i < 500; i++) {
        const queue_slot *s = queue_slot_at(q, i);
        assert_int_equal(atomic_load(&s->state), SLOT_OK);
        assert_int_equal(s->out.value_ns, s->worker); /* the slot was written by its taker */
        by_worker[s->worker]++;
    }
    assert_int_equal(by_worker[1] + by_worker[2] + by_worker[3], 500);
    queue_close(q);
    for (int i = 0; i < 3; i++) {
        int st;
        assert_int_equal(waitpid(pids[i], &st, 0), pids[i]);
        assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    }
    queue_destroy(q);
}

/* A worker SIGKILLed at a random moment of a pop loop may die between claiming a slot and
 * marking it running, or before moving the index past it. Every task must be accounted for:
 * claimed by the dead worker (running, or still queued with its id), or still there to pop.
 * Never a wedged queue or a lost task, and nothing is pending afterwards. */
static void test_survives_workers_killed_mid_pop(void **state)
{
    (void)state;
    for (int round = 0; round < 30; round++) {
        queue *q;
        assert_int_equal(queue_create(4096, &q), 0);
        assert_int_equal(queue_push_batch(q, 4096), 0);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
            uint32_t idx;
            while (queue_pop(q, 9, &idx) == 0)
                ; /* claims without completing: the supervisor's view of a dying worker */
            _exit(0);
        }
        usleep((useconds_t)(50 + round * 37 % 400));
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        /* Everything is either claimed by worker 9 or still poppable by us. */
        uint32_t idx, mine = 0, claimed = 0;
        while (queue_pop(q, 1, &idx) == 0)
            mine++;
        for (uint32_t i = 0; i < 4096; i++) {
            const queue_slot *s = queue_slot_at(q, i);
            uint32_t w = atomic_load(&s->worker), st = atomic_load(&s->state);
            assert_true(w == 9 || w == 1);
            assert_true(st == SLOT_RUNNING || (st == SLOT_QUEUED && w == 9));
            claimed += w == 9;
        }
        assert_int_equal(mine + claimed, 4096);
        assert_int_equal(queue_pending(q), 0);
        queue_destroy(q);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_create_rejects_bad_capacity),
        cmocka_unit_test(test_batch_pops_every_task_once),
        cmocka_unit_test(test_close_stops_pops_and_wakes),
        cmocka_unit_test(test_threads_share_batches),
        cmocka_unit_test(test_processes_share_the_queue),
        cmocka_unit_test(test_survives_workers_killed_mid_pop),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
