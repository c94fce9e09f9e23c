/* outputs.c: run ids claimed with an exclusive create, result files written atomically, latest.* published. */
#include "outputs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char *const suffixes[] = {".csv", ".summary.csv", ".json", ".meta.json"};

static int make_path(char *buf, size_t len, const char *dir, const char *stem, const char *suffix)
{
    int n = snprintf(buf, len, "%s/%s%s", dir, stem, suffix);
    return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

int outputs_claim(outputs *o, const char *dir, const char *stamp, const char *host)
{
    memset(o, 0, sizeof *o);
    if (snprintf(o->dir, sizeof o->dir, "%s", dir) >= (int)sizeof o->dir)
        return -ENAMETOOLONG;
    for (int k = 1; k < 10000; k++) {
        if (k == 1)
            snprintf(o->run_id, sizeof o->run_id, "%s-%s", stamp, host);
        else
            snprintf(o->run_id, sizeof o->run_id, "%s-%s-%d", stamp, host, k);
        char stem[300];
        snprintf(stem, sizeof stem, ".%s", o->run_id);
        int rc = make_path(o->claim, sizeof o->claim, dir, stem, ".running");
        if (rc == 0)
            rc = make_path(o->csv, sizeof o->csv, dir, o->run_id, ".csv");
        if (rc < 0)
            return rc;
        if (access(o->csv, F_OK) == 0)
            continue; /* an earlier run's files */
        int fd = open(o->claim, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        if (fd < 0) {
            if (errno == EEXIST)
                continue; /* another run holds it */
            return -errno;
        }
        dprintf(fd, "%ld\n", (long)getpid());
        close(fd);
        if ((rc = make_path(o->summary, sizeof o->summary, dir, o->run_id, ".summary.csv")) < 0 ||
            (rc = make_path(o->json, sizeof o->json, dir, o->run_id, ".json")) < 0 ||
            (rc = make_path(o->meta, sizeof o->meta, dir, o->run_id, ".meta.json")) < 0) {
            unlink(o->claim);
            return rc;
        }
        return 0;
    }
    return -EEXIST;
}

static int report_err(int rc, const char *path)
{
    if (rc < 0)
        fprintf(stderr, "tvp-bench: cannot write %s: %s\n", path, strerror(-rc));
    return rc;
}

int outputs_write(const outputs *o, const results_table *csv, const results_table *summary, const json_t *json,
                  const char *json_copy, const json_t *meta)
{
    int rc = report_err(results_write_csv(o->csv, csv), o->csv);
    if (rc == 0)
        rc = report_err(results_write_csv(o->summary, summary), o->summary);
    if (rc == 0)
        rc = json ? report_err(results_write_json(o->json, json), o->json) : -ENOMEM;
    if (rc == 0 && json_copy)
        rc = report_err(results_write_json(json_copy, json), json_copy);
    /* The meta last: its presence says the run's files are whole. */
    if (rc == 0)
        rc = meta ? report_err(results_write_json(o->meta, meta), o->meta) : -ENOMEM;
    if (rc == 0) {
        char stem[sizeof o->run_id];
        snprintf(stem, sizeof stem, "%s", o->run_id);
        rc = results_publish_latest(o->dir, stem, suffixes, sizeof suffixes / sizeof suffixes[0]);
        if (rc < 0)
            fprintf(stderr, "tvp-bench: cannot publish %s/latest.*: %s (the run's own files are whole)\n", o->dir,
                    strerror(-rc));
    }
    return rc;
}

void outputs_release(outputs *o)
{
    if (o->claim[0])
        unlink(o->claim);
    o->claim[0] = '\0';
}
