/* child.c: the setup every forked child of the harness runs first (see child.h). */
#include "child.h"

#include <signal.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

pid_t child_fork(void)
{
    /* procfs gives /proc/self/task 2 links plus one per thread. */
    struct stat st;
    if (stat("/proc/self/task", &st) == 0 && st.st_nlink == 3)
        return _Fork();
    return fork();
}

/* SIGTERM in a worker: the parent's ends it with the default action, anyone else's is ignored.
 * The parent is getppid() (child_init checked it is the one it was given; it changes only when
 * the parent dies, and PR_SET_PDEATHSIG ends the child then): nothing to store, no page to write. */
static void on_term(int sig, siginfo_t *si, void *uctx)
{
    (void)uctx;
    if (si->si_code > 0 || si->si_pid != getppid()) /* > 0: sent by the kernel, not kill() */
        return;
    signal(sig, SIG_DFL);
    raise(sig); /* blocked while this handler runs: delivered, with the default action, on return */
}

static void set_action(int sig, void (*handler)(int))
{
    struct sigaction sa = {.sa_handler = handler};
    sigemptyset(&sa.sa_mask);
    sigaction(sig, &sa, NULL);
}

void child_init(pid_t parent, child_signals how)
{
    sigset_t set;
    if (how == CHILD_SIGNALS_BLOCK) {
        sigfillset(&set);
        sigprocmask(SIG_SETMASK, &set, NULL);
    } else {
        /* Blocked while the actions change, so the parent's handlers cannot run in between. */
        sigemptyset(&set);
        sigaddset(&set, SIGINT);
        sigaddset(&set, SIGHUP);
        sigaddset(&set, SIGTERM);
        sigprocmask(SIG_BLOCK, &set, NULL);
        set_action(SIGINT, SIG_IGN);
        set_action(SIGHUP, SIG_IGN);
        struct sigaction sa = {.sa_sigaction = on_term, .sa_flags = SA_SIGINFO | SA_RESTART};
        sigemptyset(&sa.sa_mask);
        sigaction(SIGTERM, &sa, NULL);
        sigprocmask(SIG_UNBLOCK, &set, NULL);
    }
    prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
    if (getppid() != parent)
        _exit(CHILD_ORPHAN_EXIT);
}
