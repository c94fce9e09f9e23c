/* child.h: the setup every forked child of the harness runs first (parent death, signals). */
#ifndef TVP_CHILD_H
#define TVP_CHILD_H

#include <sys/types.h>

/* The exit status of a child whose parent was gone before child_init ran (nobody waits for it). */
#define CHILD_ORPHAN_EXIT 127

/* What the child does with signals. The harness (bench/main.c) catches SIGINT, SIGTERM and SIGHUP
 * to stop after the current batch and write what finished; a forked child inherits those
 * handlers, which must not run in it, and Ctrl-C, a hangup or timeout(1)'s SIGTERM reach the whole
 * process group: the harness decides, not its children. The two kinds of children are stopped
 * differently, hence two modes. */
typedef enum {
    /* Every signal blocked: nothing but SIGKILL (or SIGSTOP) acts on the child. For children the
     * parent only ever stops with SIGKILL (the sched ping-pong and wakeup sides). */
    CHILD_SIGNALS_BLOCK = 0,
    /* For pool workers, which the pool ends past the task deadline with SIGTERM, then SIGKILL:
     * SIGINT and SIGHUP ignored; SIGTERM from the parent terminates the child (as its default
     * action would: the wait status says SIGTERM), from anyone else it is ignored. The three are
     * unblocked; the rest of the mask and every other disposition are inherited. */
    CHILD_SIGNALS_WORKER,
} child_signals;

/* fork() for the harness's children: _Fork() when the process has one thread (procfs says so),
 * else fork(). A process that once had threads keeps glibc's multi-threaded fork for good (it
 * locks and unlocks every malloc arena and the stdio list around the fork: copy-on-write faults
 * in the parent and the child, each fork); with one thread nothing can hold those locks, so the
 * child gets what a fork from a never-threaded process gives. pthread_atfork handlers do not run
 * in that case (none is registered in tvp's programs). Same return as fork(). */
pid_t child_fork(void);

/* Call first thing after fork() in the child, with the parent's pid read before the fork. Sets
 * the signals as `how` says, then PR_SET_PDEATHSIG to SIGKILL (the child dies with the thread
 * that forked it: fork from a long-lived thread), then checks getppid() == parent, closing the
 * race with a parent that died before the prctl; when it differs it leaves with
 * _exit(CHILD_ORPHAN_EXIT). Uses only async-signal-safe calls (safe after a fork in a threaded
 * process). */
void child_init(pid_t parent, child_signals how);

#endif /* TVP_CHILD_H */
