/* results_read.c: reading a tidy CSV file back into a results_table with libcsv, with file:line errors.
 *
 * The file is checked as text first (valid UTF-8, no NUL or other control bytes than tab, CR, LF),
 * then fed to csv_parse one physical line at a time so every record knows the line it started on.
 * The first record is the header; every later record must have as many fields as the header.
 * Empty fields become NULL cells, as results_table_get reports them.
 */
#include "results.h"

#include <csv.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RESULTS_READ_MAX_BYTES ((size_t)1 << 30)
#define RESULTS_READ_MAX_COLS 4096

typedef struct results_reader {
    const char *path;
    results_table *t;
    char *err;
    size_t errlen;
    int rc;
    size_t line;     /* physical line being fed */
    size_t rec_line; /* line the current (open) record started on, 0 when none is open */
    bool have_header;
    char **fields; /* the current record: nf fields seen, the first `stored` kept */
    size_t nf, stored, cap;
} results_reader;

static int results__fail(results_reader *r, int rc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int results__fail(results_reader *r, int rc, const char *fmt, ...)
{
    if (r->rc)
        return r->rc;
    r->rc = rc;
    if (r->err && r->errlen) {
        int n = snprintf(r->err, r->errlen, "%s:%zu: ", r->path, r->rec_line ? r->rec_line : r->line);
        if (n >= 0 && (size_t)n < r->errlen) {
            va_list ap;
            va_start(ap, fmt);
            vsnprintf(r->err + n, r->errlen - (size_t)n, fmt, ap);
            va_end(ap);
        }
    }
    return rc;
}

/* Length of the valid UTF-8 sequence at p (at most n bytes), 0 when invalid. */
size_t results_utf8_len(const unsigned char *p, size_t n)
{
    unsigned c = p[0], len, cp;
    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf)
        len = 2, cp = c & 0x1f;
    else if (c >= 0xe0 && c <= 0xef)
        len = 3, cp = c & 0x0f;
    else if (c >= 0xf0 && c <= 0xf4)
        len = 4, cp = c & 0x07;
    else
        return 0;
    if (len > n)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((p[i] & 0xc0) != 0x80)
            return 0;
        cp = (cp << 6) | (p[i] & 0x3f);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10ffff ||
        (cp >= 0xd800 && cp <= 0xdfff))
        return 0;
    return len;
}

/* Refuses binary data: a NUL, a control byte other than tab/CR/LF, or invalid UTF-8. */
static int results__check_text(results_reader *r, const char *buf, size_t len)
{
    const unsigned char *p = (const unsigned char *)buf;
    size_t line = 1;
    for (size_t i = 0; i < len;) {
        unsigned char c = p[i];
        size_t n = results_utf8_len(p + i, len - i);
        bool control = (c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f;
        if (n == 0 || control) {
            r->line = line;
            return results__fail(r, -EBADMSG, "binary data (byte 0x%02x at offset %zu), not a CSV text file",
                                 (unsigned)c, i);
        }
        line += c == '\n';
        i += n;
    }
    return 0;
}

static void results__drop_fields(results_reader *r)
{
    for (size_t i = 0; i < r->stored; i++)
        free(r->fields[i]);
    r->stored = r->nf = 0;
}

static int results__keep_field(results_reader *r, const char *s, size_t len)
{
    if (r->stored == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 32;
        char **f = realloc(r->fields, cap * sizeof *f);
        if (!f)
            return results__fail(r, -ENOMEM, "out of memory");
        r->fields = f;
        r->cap = cap;
    }
    char *copy = NULL;
    if (len) {
        if (!(copy = malloc(len + 1)))
            return results__fail(r, -ENOMEM, "out of memory");
        memcpy(copy, s, len);
        copy[len] = '\0';
    }
    r->fields[r->stored++] = copy;
    return 0;
}

static void results__on_field(void *s, size_t len, void *data)
{
    results_reader *r = data;
    if (r->rc)
        return;
    size_t limit = r->have_header ? r->t->n_cols : RESULTS_READ_MAX_COLS;
    r->nf++;
    if (r->stored < limit) /* beyond it the record is wrong anyway: count, do not store */
        results__keep_field(r, s, len);
}

static int results__header(results_reader *r)
{
    if (r->nf > RESULTS_READ_MAX_COLS)
        return results__fail(r, -EBADMSG, "header has more than %d columns", RESULTS_READ_MAX_COLS);
    for (size_t i = 0; i < r->stored; i++) {
        if (!r->fields[i])
            return results__fail(r, -EBADMSG, "header column %zu has no name", i + 1);
        for (size_t j = 0; j < i; j++)
            if (strcmp(r->fields[i], r->fields[j]) == 0)
                return results__fail(r, -EBADMSG, "duplicate column '%s' in the header", r->fields[i]);
    }
    int rc = results_table_init(r->t, (const char *const *)r->fields, r->stored);
    if (rc < 0)
        return results__fail(r, rc, "out of memory");
    r->have_header = true;
    return 0;
}

static int results__row(results_reader *r)
{
    results_table *t = r->t;
    if (r->nf != t->n_cols)
        return results__fail(r, -EBADMSG, "row has %zu fields, the header has %zu%s", r->nf, t->n_cols,
                             r->nf < t->n_cols ? " (truncated row?)" : "");
    long row = results_table_add_row(t);
    if (row < 0)
        return results__fail(r, (int)row, "out of memory");
    /* The cells take the fields over. */
    memcpy(&t->cells[(size_t)row * t->n_cols], r->fields, t->n_cols * sizeof *r->fields);
    r->stored = r->nf = 0;
    return 0;
}

static void results__on_record(int term, void *data)
{
    (void)term;
    results_reader *r = data;
    if (r->rc)
        return;
    if (r->have_header)
        results__row(r);
    else
        results__header(r);
    results__drop_fields(r);
    r->rec_line = 0;
}

static bool results__blank(const char *buf, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (buf[i] != ' ' && buf[i] != '\t' && buf[i] != '\r' && buf[i] != '\n')
            return false;
    return true;
}

static int results__feed(results_reader *r, struct csv_parser *p, const char *buf, size_t len)
{
    size_t pos = 0;
    r->line = 1;
    while (pos < len && !r->rc) {
        const char *nl = memchr(buf + pos, '\n', len - pos);
        size_t chunk = nl ? (size_t)(nl - (buf + pos)) + 1 : len - pos;
        if (!r->rec_line && !results__blank(buf + pos, chunk))
            r->rec_line = r->line; /* a record starts here (a quoted field may carry it on) */
        if (csv_parse(p, buf + pos, chunk, results__on_field, results__on_record, r) != chunk && !r->rc) {
            r->rec_line = 0; /* point at the offending line itself */
            return results__fail(r, -EBADMSG, "malformed CSV: %s (a stray quote?)", csv_strerror(csv_error(p)));
        }
        pos += chunk;
        r->line += nl != NULL;
    }
    if (r->rc)
        return r->rc;
    if (csv_fini(p, results__on_field, results__on_record, r) != 0 && !r->rc)
        return results__fail(r, -EBADMSG, "unterminated quoted field at the end of the file (truncated?)");
    return r->rc;
}

static int results__slurp(const char *path, char **out, size_t *len)
{
    FILE *f = fopen(path, "rbe");
    if (!f)
        return -errno;
    char *buf = NULL;
    size_t n = 0, cap = 0;
    int rc = 0;
    for (;;) {
        if (n == cap) {
            size_t ncap = cap ? cap * 2 : 65536;
            char *nb = ncap <= RESULTS_READ_MAX_BYTES ? realloc(buf, ncap) : NULL;
            if (!nb) {
                rc = ncap <= RESULTS_READ_MAX_BYTES ? -ENOMEM : -EFBIG;
                break;
            }
            buf = nb;
            cap = ncap;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0) {
            rc = ferror(f) ? -EIO : 0;
            break;
        }
    }
    fclose(f);
    if (rc < 0) {
        free(buf);
        return rc;
    }
    *out = buf;
    *len = n;
    return 0;
}

int results_table_read_csv(const char *path, results_table *t, char *err, size_t errlen)
{
    results_reader r = {.path = path, .t = t, .err = err, .errlen = errlen, .line = 1};
    memset(t, 0, sizeof *t);
    if (err && errlen)
        err[0] = '\0';
    char *buf = NULL;
    size_t len = 0;
    int rc = results__slurp(path, &buf, &len);
    if (rc < 0) {
        if (err && errlen)
            snprintf(err, errlen, "%s: cannot read: %s", path, strerror(-rc));
        return rc;
    }
    const char *text = buf;
    if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0) { /* a UTF-8 byte order mark */
        text += 3;
        len -= 3;
    }
    struct csv_parser p;
    if (results__blank(text, len))
        rc = results__fail(&r, -EBADMSG, "empty file: expected a CSV header line");
    else if ((rc = results__check_text(&r, text, len)) == 0) {
        if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI) != 0)
            rc = results__fail(&r, -ENOMEM, "cannot initialise the CSV parser");
        else {
            rc = results__feed(&r, &p, text, len);
            csv_free(&p);
        }
    }
    results__drop_fields(&r);
    free(r.fields);
    free(buf);
    if (rc < 0)
        results_table_free(t);
    return rc;
}
