/* results.c: tidy CSV tables (quoted by libcsv) and JSON (jansson), written atomically. */
#include "results.h"

#include <csv.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "array.h"

int results_table_init(results_table *t, const char *const *cols, size_t n_cols)
{
    memset(t, 0, sizeof *t);
    t->cols = calloc(n_cols, sizeof *t->cols);
    if (!t->cols)
        return -ENOMEM;
    t->n_cols = n_cols;
    for (size_t i = 0; i < n_cols; i++)
        if (!(t->cols[i] = strdup(cols[i]))) {
            results_table_free(t);
            return -ENOMEM;
        }
    return 0;
}

void results_table_free(results_table *t)
{
    for (size_t i = 0; i < t->n_rows * t->n_cols; i++)
        free(t->cells[i]);
    for (size_t i = 0; t->cols && i < t->n_cols; i++)
        free(t->cols[i]);
    free(t->cells);
    free(t->cols);
    memset(t, 0, sizeof *t);
}

long results_table_add_row(results_table *t)
{
    char **cells = array_grow(t->cells, t->n_rows, &t->cap, t->n_cols * sizeof *cells, 64); /* by rows */
    if (!cells)
        return -ENOMEM;
    t->cells = cells;
    memset(&t->cells[t->n_rows * t->n_cols], 0, t->n_cols * sizeof *t->cells);
    return (long)t->n_rows++;
}

int results_table_col(const results_table *t, const char *name)
{
    for (size_t i = 0; i < t->n_cols; i++)
        if (strcmp(t->cols[i], name) == 0)
            return (int)i;
    return -1;
}

int results_table_set(results_table *t, size_t row, const char *col, const char *value)
{
    int c = results_table_col(t, col);
    if (c < 0 || row >= t->n_rows)
        return -EINVAL;
    char *copy = value ? strdup(value) : NULL;
    if (value && !copy)
        return -ENOMEM;
    free(t->cells[row * t->n_cols + (size_t)c]);
    t->cells[row * t->n_cols + (size_t)c] = copy;
    return 0;
}

int results_table_setf(results_table *t, size_t row, const char *col, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    return results_table_set(t, row, col, buf);
}

int results_table_set_num(results_table *t, size_t row, const char *col, double v)
{
    if (!isfinite(v))
        return results_table_set(t, row, col, NULL);
    return results_table_setf(t, row, col, "%.9g", v);
}

const char *results_table_get(const results_table *t, size_t row, const char *col)
{
    int c = results_table_col(t, col);
    if (c < 0 || row >= t->n_rows)
        return NULL;
    return t->cells[row * t->n_cols + (size_t)c];
}

int results_table_permute(results_table *t, const size_t *order)
{
    if (!t->n_rows)
        return 0;
    char **cells = malloc(t->cap * t->n_cols * sizeof *cells);
    if (!cells)
        return -ENOMEM;
    for (size_t r = 0; r < t->n_rows; r++)
        memcpy(&cells[r * t->n_cols], &t->cells[order[r] * t->n_cols], t->n_cols * sizeof *cells);
    free(t->cells);
    t->cells = cells;
    return 0;
}

/* Quoted when libcsv would otherwise change it on reading: a separator, quote or newline inside,
 * a space or tab at either end (trimmed from unquoted fields), a leading byte order mark (the
 * reader strips one at the start of the file). */
static bool needs_quotes(const char *s)
{
    size_t n = strlen(s);
    return n && (strpbrk(s, ",\"\r\n") || s[0] == ' ' || s[n - 1] == ' ' || s[0] == '\t' ||
                 s[n - 1] == '\t' || strncmp(s, "\xef\xbb\xbf", 3) == 0);
}

static int write_field(FILE *f, const char *s, bool last)
{
    int rc = 0;
    if (s && needs_quotes(s))
        rc = csv_fwrite(f, s, strlen(s)) == 0 ? 0 : -EIO;
    else if (s)
        rc = fputs(s, f) < 0 ? -EIO : 0;
    if (rc == 0 && fputc(last ? '\n' : ',', f) == EOF)
        rc = -EIO;
    return rc;
}

int results_table_csv(const results_table *t, char **out, size_t *len)
{
    char *buf = NULL;
    size_t n = 0;
    FILE *f = open_memstream(&buf, &n);
    if (!f)
        return -errno;
    int rc = 0;
    for (size_t c = 0; c < t->n_cols && rc == 0; c++)
        rc = write_field(f, t->cols[c], c + 1 == t->n_cols);
    for (size_t r = 0; r < t->n_rows && rc == 0; r++)
        for (size_t c = 0; c < t->n_cols && rc == 0; c++) {
            const char *cell = t->cells[r * t->n_cols + c];
            if (t->n_cols == 1 && (!cell || !*cell)) /* a blank line would be skipped: quote it */
                rc = fputs("\"\"\n", f) < 0 ? -EIO : 0;
            else
                rc = write_field(f, cell, c + 1 == t->n_cols);
        }
    if (fclose(f) != 0 && rc == 0)
        rc = -EIO;
    if (rc < 0) {
        free(buf);
        return rc;
    }
    *out = buf;
    *len = n;
    return 0;
}

static int fsync_dir_of(const char *path)
{
    char *copy = strdup(path);
    if (!copy)
        return -ENOMEM;
    int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    free(copy);
    if (fd < 0)
        return -errno;
    int rc = fsync(fd) == 0 || errno == EINVAL ? 0 : -errno;
    close(fd);
    return rc;
}

static int write_all(int fd, const char *p, size_t len)
{
    while (len) {
        ssize_t w = write(fd, p, len);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            return -errno;
        if (w == 0)
            return -EIO;
        p += w;
        len -= (size_t)w;
    }
    return 0;
}

int results_write_atomic(const char *path, const void *data, size_t len)
{
    size_t n = strlen(path) + 16;
    char *tmp = malloc(n);
    if (!tmp)
        return -ENOMEM;
    snprintf(tmp, n, "%s.tmpXXXXXX", path);
    int fd = mkostemp(tmp, O_CLOEXEC);
    if (fd < 0) {
        int e = -errno;
        free(tmp);
        return e;
    }
    int rc = write_all(fd, data, len);
    if (rc == 0 && fchmod(fd, 0644) != 0)
        rc = -errno;
    if (rc == 0 && fsync(fd) != 0)
        rc = -errno;
    if (close(fd) != 0 && rc == 0)
        rc = -errno;
    if (rc == 0 && rename(tmp, path) != 0)
        rc = -errno;
    if (rc < 0)
        unlink(tmp);
    else
        rc = fsync_dir_of(path);
    free(tmp);
    return rc;
}

int results_write_csv(const char *path, const results_table *t)
{
    char *buf;
    size_t len;
    int rc = results_table_csv(t, &buf, &len);
    if (rc < 0)
        return rc;
    rc = results_write_atomic(path, buf, len);
    free(buf);
    return rc;
}

int results_write_json(const char *path, const json_t *doc)
{
    char *s = json_dumps(doc, JSON_INDENT(2) | JSON_SORT_KEYS);
    if (!s)
        return -ENOMEM;
    size_t len = strlen(s);
    char *withnl = realloc(s, len + 2);
    if (!withnl) {
        free(s);
        return -ENOMEM;
    }
    withnl[len] = '\n';
    withnl[len + 1] = '\0';
    int rc = results_write_atomic(path, withnl, len + 1);
    free(withnl);
    return rc;
}

int results_copy_atomic(const char *src, const char *dst)
{
    FILE *f = fopen(src, "rbe");
    if (!f)
        return -errno;
    char *buf = NULL;
    size_t len = 0;
    FILE *m = open_memstream(&buf, &len);
    int rc = m ? 0 : -errno;
    char chunk[65536];
    size_t r;
    while (rc == 0 && (r = fread(chunk, 1, sizeof chunk, f)) > 0)
        if (fwrite(chunk, 1, r, m) != r)
            rc = -EIO;
    if (ferror(f))
        rc = -EIO;
    fclose(f);
    if (m && fclose(m) != 0 && rc == 0)
        rc = -EIO;
    if (rc == 0)
        rc = results_write_atomic(dst, buf, len);
    free(buf);
    return rc;
}

static int mkdir_p(const char *dir)
{
    char *p = strdup(dir);
    if (!p)
        return -ENOMEM;
    int rc = 0;
    for (char *s = p + 1; rc == 0; s++) {
        if (*s != '/' && *s != '\0')
            continue;
        char c = *s;
        *s = '\0';
        if (mkdir(p, 0755) != 0 && errno != EEXIST)
            rc = -errno;
        *s = c;
        if (c == '\0')
            break;
    }
    free(p);
    return rc;
}

int results_check_dir(const char *dir)
{
    int rc = mkdir_p(dir);
    if (rc < 0)
        return rc;
    struct stat st;
    if (stat(dir, &st) != 0)
        return -errno;
    if (!S_ISDIR(st.st_mode))
        return -ENOTDIR;
    size_t n = strlen(dir) + 48;
    char *probe = malloc(n);
    if (!probe)
        return -ENOMEM;
    snprintf(probe, n, "%s/.tvp-probe.%ld", dir, (long)getpid()); /* runs may check one dir at once */
    static const char text[] = "tvp writes results here\n";
    rc = results_write_atomic(probe, text, sizeof text - 1);
    if (rc == 0)
        unlink(probe);
    free(probe);
    return rc;
}
