/* sched_common.c: small helpers both measurement families (spawn, two sides) use. */
#include "sched_internal.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

void sched_result_reset(sched_result *r)
{
    double *lat = r->lat_ns;
    memset(r, 0, sizeof *r);
    r->lat_ns = lat;
    r->cpu[0] = r->cpu[1] = -1;
}

void sched_describe_status(char *buf, size_t len, const char *who, int status)
{
    if (WIFSIGNALED(status))
        snprintf(buf, len, "%s was killed by signal %d (%s)", who, WTERMSIG(status), strsignal(WTERMSIG(status)));
    else
        snprintf(buf, len, "%s exited with status %d", who, WEXITSTATUS(status));
}

int sched_thread_start(pthread_t *th, void *(*fn)(void *), void *arg)
{
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    int rc = pthread_create(th, NULL, fn, arg);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return -rc;
}
