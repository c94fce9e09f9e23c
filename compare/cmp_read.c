/* cmp_read.c: loading a result file, refusing binary data, and telling tvp CSV from benchmark JSON. */
#include "cmp_internal.h"
#include "results.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define CMP_MAX_FILE_SIZE ((size_t)1 << 30)

/* Text check (results_text_end): valid UTF-8 without control characters other than tab, CR, LF. */
static int cmp__check_text(const char *name, const char *buf, size_t len, cmp_error *err)
{
    size_t line, col, at = results_text_end(buf, len, &line, &col);
    if (at == len)
        return 0;
    return cmp_errorf(err,
                      "%s:%zu: binary data (byte 0x%02x at column %zu): expected a tvp CSV or "
                      "Google Benchmark JSON file",
                      name, line, (unsigned)(unsigned char)buf[at], col);
}

int cmp_read_buffer(const char *name, const char *buf, size_t len, const cmp_metric *m,
                    cmp_set *out, cmp_error *err)
{
    if (!name || (!buf && len) || !m || !out)
        return -EINVAL;
    if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0) { /* UTF-8 byte order mark */
        buf += 3;
        len -= 3;
    }
    int rc = cmp__check_text(name, buf, len, err);
    if (rc < 0)
        return rc;
    size_t i = 0;
    while (i < len && isspace((unsigned char)buf[i]))
        i++;
    if (i == len)
        return cmp_errorf(err, "%s:1: empty file: expected a tvp CSV header or a Google Benchmark "
                               "JSON object", name);
    free(out->name);
    out->name = strdup(name);
    if (!out->name)
        return -ENOMEM;
    if (buf[i] == '{' || buf[i] == '[')
        return cmp_read_gbench(name, buf, len, m, out, err);
    return cmp_read_csv(name, buf, len, m, out, err);
}

/* Reads the whole stream into a malloc'ed buffer. */
static int cmp__slurp(FILE *f, char **data, size_t *len)
{
    size_t cap = 1 << 16, n = 0;
    char *b = malloc(cap);
    if (!b)
        return -ENOMEM;
    for (;;) {
        if (n == cap) {
            if (cap >= CMP_MAX_FILE_SIZE) {
                free(b);
                return -EFBIG;
            }
            char *nb = realloc(b, cap * 2);
            if (!nb) {
                free(b);
                return -ENOMEM;
            }
            b = nb;
            cap *= 2;
        }
        size_t got = fread(b + n, 1, cap - n, f);
        n += got;
        if (got == 0) {
            if (ferror(f)) {
                int e = errno ? errno : EIO;
                free(b);
                return -e;
            }
            break;
        }
    }
    *data = b;
    *len = n;
    return 0;
}

int cmp_read_file(const char *path, const cmp_metric *m, cmp_set *out, cmp_error *err)
{
    if (!path || !m || !out)
        return -EINVAL;
    bool is_stdin = strcmp(path, "-") == 0;
    const char *name = is_stdin ? "<stdin>" : path;
    char *data = NULL;
    size_t len = 0;
    int rc;
    if (is_stdin) {
        rc = cmp__slurp(stdin, &data, &len);
    } else {
        FILE *f = fopen(path, "rb");
        if (!f) {
            int e = errno;
            cmp_errorf(err, "%s: cannot open: %s", name, strerror(e));
            return -e;
        }
        rc = cmp__slurp(f, &data, &len);
        fclose(f);
    }
    if (rc < 0) {
        cmp_errorf(err, "%s: cannot read: %s", name, strerror(-rc));
        return rc;
    }
    rc = cmp_read_buffer(name, data, len, m, out, err);
    free(data);
    return rc;
}
