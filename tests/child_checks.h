/* child_checks.h: what the tests that fork or spawn check afterwards: no child left, no fd leaked. */
#ifndef TVP_TEST_CHILD_CHECKS_H
#define TVP_TEST_CHILD_CHECKS_H

#include <dirent.h>
#include <errno.h>
#include <sys/wait.h>

/* Open file descriptors of this process (those in /proc/self/fd, minus the listing's own). */
static inline int count_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    int n = 0;
    for (struct dirent *e; d && (e = readdir(d));)
        n += e->d_name[0] != '.';
    if (d)
        closedir(d);
    return n - 1; /* the DIR's own fd */
}

/* Every child has been reaped (cmocka assertions: include after cmocka.h). */
static inline void assert_no_children(void)
{
    errno = 0;
    assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
    assert_int_equal(errno, ECHILD);
}

#endif /* TVP_TEST_CHILD_CHECKS_H */
