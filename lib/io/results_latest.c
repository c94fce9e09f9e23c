/* results_latest.c: publishes a run's files as results/latest.* in one atomic step. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "results.h"

#define SETS ".latest-sets" /* one directory per published run, holding its latest.* names */
#define CURRENT ".latest"   /* symlink to the current set: the one thing replaced to publish */

/* buf = a + b + c + d (any may be ""), or -ENAMETOOLONG. */
static int path_of(char *buf, size_t len, const char *a, const char *b, const char *c, const char *d)
{
    int n = snprintf(buf, len, "%s%s%s%s", a, b, c, d);
    return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

/* Replaces `path` by a symlink to `target` atomically (a temp symlink renamed over it). */
static int symlink_replace(const char *dir, const char *target, const char *path)
{
    char tmp[PATH_MAX];
    char pid[32];
    snprintf(pid, sizeof pid, "%ld", (long)getpid());
    int rc = path_of(tmp, sizeof tmp, dir, "/.tvp-link.", pid, "");
    if (rc < 0)
        return rc;
    unlink(tmp);
    if (symlink(target, tmp) != 0)
        return -errno;
    if (rename(tmp, path) != 0) {
        rc = -errno;
        unlink(tmp);
    }
    return rc;
}

static int fsync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return -errno;
    int rc = fsync(fd) == 0 ? 0 : -errno;
    close(fd);
    return rc;
}

/* Removes a set directory and the names in it (best effort: a concurrent run may race us). */
static void remove_set(const char *dir, const char *set)
{
    char path[PATH_MAX], file[PATH_MAX];
    if (strchr(set, '/') == NULL || strncmp(set, SETS "/", sizeof SETS) != 0 ||
        path_of(path, sizeof path, dir, "/", set, "") < 0)
        return;
    DIR *d = opendir(path);
    if (!d)
        return;
    for (struct dirent *e; (e = readdir(d));)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0 &&
            path_of(file, sizeof file, path, "/", e->d_name, "") == 0)
            unlink(file);
    closedir(d);
    rmdir(path);
}

/* Removes the sets of runs that are neither current nor still running (a run between making
 * its set and switching to it holds its claim, dir/.<stem>.running): two runs that published at
 * once each removed only the set they replaced, which can leave the loser's set behind. */
static void remove_stale_sets(const char *dir, const char *sets, const char *stem)
{
    DIR *d = opendir(sets);
    if (!d)
        return;
    char claim[PATH_MAX], set[PATH_MAX];
    for (struct dirent *e; (e = readdir(d));) {
        if (e->d_name[0] == '.' || strcmp(e->d_name, stem) == 0 ||
            path_of(claim, sizeof claim, dir, "/.", e->d_name, ".running") < 0 ||
            path_of(set, sizeof set, SETS "/", e->d_name, "", "") < 0 || access(claim, F_OK) == 0)
            continue;
        remove_set(dir, set);
    }
    closedir(d);
}

int results_publish_latest(const char *dir, const char *stem, const char *const *suffixes, size_t n)
{
    char sets[PATH_MAX], set[PATH_MAX], src[PATH_MAX], dst[PATH_MAX], rel[PATH_MAX], old[PATH_MAX] = "";
    int rc = path_of(sets, sizeof sets, dir, "/" SETS, "", "");
    if (rc == 0)
        rc = path_of(set, sizeof set, dir, "/" SETS "/", stem, "");
    if (rc == 0)
        rc = path_of(rel, sizeof rel, SETS "/", stem, "", "");
    if (rc < 0)
        return rc;
    if (mkdir(sets, 0755) != 0 && errno != EEXIST)
        return -errno;
    if (mkdir(set, 0755) != 0 && errno != EEXIST)
        return -errno;
    /* The set: a hard link to each of the run's files (a copy where links are refused). */
    for (size_t i = 0; i < n && rc == 0; i++) {
        rc = path_of(src, sizeof src, dir, "/", stem, suffixes[i]);
        if (rc == 0)
            rc = path_of(dst, sizeof dst, set, "/latest", suffixes[i], "");
        if (rc < 0)
            break;
        unlink(dst);
        if (link(src, dst) != 0)
            rc = results_copy_atomic(src, dst);
    }
    if (rc == 0)
        rc = fsync_dir(set);
    if (rc < 0)
        return rc;
    /* Publish: one rename switches every latest.* name to the new set at once. */
    char cur[PATH_MAX];
    if ((rc = path_of(cur, sizeof cur, dir, "/" CURRENT, "", "")) < 0)
        return rc;
    ssize_t len = readlink(cur, old, sizeof old - 1);
    old[len > 0 ? len : 0] = '\0';
    if ((rc = symlink_replace(dir, rel, cur)) < 0)
        return rc;
    /* The stable names point through the current set (made once; older regular files replaced). */
    for (size_t i = 0; i < n && rc == 0; i++) {
        char target[PATH_MAX], have[PATH_MAX];
        rc = path_of(dst, sizeof dst, dir, "/latest", suffixes[i], "");
        if (rc == 0)
            rc = path_of(target, sizeof target, CURRENT "/latest", suffixes[i], "", "");
        if (rc < 0)
            break;
        ssize_t l = readlink(dst, have, sizeof have - 1);
        if (l > 0 && (size_t)l == strlen(target) && memcmp(have, target, (size_t)l) == 0)
            continue;
        rc = symlink_replace(dir, target, dst);
    }
    if (rc == 0)
        rc = fsync_dir(dir);
    if (rc == 0 && old[0] && strcmp(old, rel) != 0)
        remove_set(dir, old);
    if (rc == 0)
        remove_stale_sets(dir, sets, stem);
    return rc;
}
