/* fuzz_results_read.c: libFuzzer target for the tidy-CSV reader (results_table_read_csv) and a write/read round trip. */
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
 *     results_table_csv and reading that back gives the same header and cells.
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
    if (read_table(path, &t) < 0)
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
