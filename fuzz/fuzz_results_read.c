/* fuzz_results_read.c: libFuzzer target for the CSV reader (results_csv_each_buffer, results_table_read_csv) and a write/read round trip. */
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "results.h"

/*
 * The input goes into a memfd and is read back through /proc/self/fd/N, the path the reader
 * opens like any file. What must hold (a violation aborts):
 *   - the reader returns 0, -EBADMSG (malformed) or -ENOMEM/-EFBIG, with a "path:line: ..."
 *     message on error and an empty table;
 *   - on success every row has the header's width, and writing the table with
 *     results_table_csv and reading that back gives the same header and cells;
 *   - the streaming reader over the same bytes agrees (the same result and rows), hands over
 *     records whose lines never decrease, and a callback's refusal comes back as "name:LINE: why".
 */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define PROMISE(cond)                                                                              \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "fuzz_results_read: broken promise: %s (%s:%d)\n", #cond, __FILE__,    \
                    __LINE__);                                                                     \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

/* A memfd holding `len` bytes, its path in `path`. One per purpose, reused across runs. */
static int memfd_load(int *fd, const char *name, const void *buf, size_t len, char *path, size_t plen)
{
    if (*fd < 0 && (*fd = memfd_create(name, MFD_CLOEXEC)) < 0)
        return -errno;
    if (ftruncate(*fd, 0) < 0)
        return -errno;
    for (size_t off = 0; off < len;) {
        ssize_t n = pwrite(*fd, (const char *)buf + off, len - off, (off_t)off);
        if (n <= 0)
            return -errno;
        off += (size_t)n;
    }
    snprintf(path, plen, "/proc/self/fd/%d", *fd);
    return 0;
}

static int read_table(const char *path, results_table *t)
{
    char err[512];
    memset(err, 'x', sizeof err);
    int rc = results_table_read_csv(path, t, err, sizeof err);
    PROMISE(rc == 0 || rc == -EBADMSG || rc == -ENOMEM || rc == -EFBIG);
    PROMISE(memchr(err, '\0', sizeof err) != NULL);
    if (rc < 0) {
        PROMISE(strncmp(err, path, strlen(path)) == 0 && err[strlen(path)] == ':');
        PROMISE(t->n_rows == 0 && t->n_cols == 0 && !t->cells && !t->cols);
        return rc;
    }
    PROMISE(t->n_cols >= 1 && t->cols);
    for (size_t c = 0; c < t->n_cols; c++)
        PROMISE(t->cols[c] && t->cols[c][0]);
    return 0;
}

/* What the streaming reader handed over: records, the last one's line; refuse at row `stop`. */
typedef struct stream_log {
    size_t ncols, rows, line, stop;
} stream_log;

static int stream_header(void *ctx, const results_csv_record *rec, char *why, size_t whylen)
{
    (void)why, (void)whylen;
    stream_log *l = ctx;
    PROMISE(rec->line >= 1 && rec->n >= 1);
    l->ncols = rec->n;
    l->line = rec->line;
    return 0;
}

static int stream_row(void *ctx, const results_csv_record *rec, char *why, size_t whylen)
{
    stream_log *l = ctx;
    PROMISE(rec->n == l->ncols && rec->line >= l->line); /* bare CRs: records share a line */
    for (size_t i = 0; i < rec->n; i++)
        PROMISE(rec->fields[i] != NULL);
    l->line = rec->line;
    if (++l->rows != l->stop)
        return 0;
    snprintf(why, whylen, "stop");
    return -ECANCELED;
}

/* The streaming reader over the bytes themselves: the same outcome as the table reader's. */
static void stream_check(const uint8_t *data, size_t size, int table_rc, const results_table *t)
{
    stream_log l = {0};
    char err[512];
    int rc = results_csv_each_buffer("mem", (const char *)data, size, stream_header, stream_row, &l, err, sizeof err);
    PROMISE(rc == table_rc || rc == -ENOMEM || table_rc == -ENOMEM);
    if (rc < 0) {
        PROMISE(strncmp(err, "mem:", 4) == 0);
        return;
    }
    PROMISE(l.rows == t->n_rows && l.ncols == t->n_cols);
    if (l.rows == 0)
        return;
    stream_log again = {.stop = l.rows};
    rc = results_csv_each_buffer("mem", (const char *)data, size, stream_header, stream_row, &again, err, sizeof err);
    char want[64];
    snprintf(want, sizeof want, "mem:%zu: stop", l.line);
    PROMISE(rc == -ECANCELED && strcmp(err, want) == 0);
}

static bool same_cell(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int in_fd = -1, out_fd = -1;
    char path[64], path2[64];
    if (memfd_load(&in_fd, "fuzz-in.csv", data, size, path, sizeof path) < 0)
        return 0;
    results_table t;
    int rc = read_table(path, &t);
    stream_check(data, size, rc, &t);
    if (rc < 0)
        return 0;

    char *csv = NULL;
    size_t len = 0;
    PROMISE(results_table_csv(&t, &csv, &len) == 0);
    results_table back;
    if (memfd_load(&out_fd, "fuzz-out.csv", csv, len, path2, sizeof path2) == 0) {
        PROMISE(read_table(path2, &back) == 0);
        PROMISE(back.n_cols == t.n_cols && back.n_rows == t.n_rows);
        for (size_t c = 0; c < t.n_cols; c++)
            PROMISE(strcmp(back.cols[c], t.cols[c]) == 0);
        for (size_t i = 0; i < t.n_rows * t.n_cols; i++)
            PROMISE(same_cell(back.cells[i], t.cells[i]));
        results_table_free(&back);
    }
    free(csv);
    results_table_free(&t);
    return 0;
}
