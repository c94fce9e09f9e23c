/* results_read.c: THE CSV reader (libcsv): records streamed to callbacks with file:line errors, and the table reader on top.
 *
 * The text is checked first (valid UTF-8, no NUL or other control bytes than tab, CR, LF), then
 * fed to csv_parse one physical line at a time so every record knows the line it started on. A
 * record's fields are kept NUL-terminated, one after the other, in one buffer.
 */
#include "results.h"

#include <csv.h>
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct results_reader {
    const char *name;
    results_csv_fn on_header, on_row;
    void *ctx;
    char *err;
    size_t errlen;
    int rc;
    size_t line;     /* physical line being fed */
    size_t rec_line; /* line the current (open) record started on, 0 when none is open */
    char *text;      /* the current record's fields, each NUL-terminated */
    size_t tlen, tcap;
    size_t *start; /* where each kept field starts in text: nf seen, the first min(nf, limit) kept */
    size_t nf, scap;
    const char **fields; /* pointers into text, made when the record ends */
    size_t fcap;
    char *head_text; /* the header, kept for the whole read */
    const char **head;
    size_t ncols;
} results_reader;

/* The line of the record at hand: where it started, or the line being fed when it started there
 * after another record ended (lines ended by a bare CR). */
static size_t results__line(const results_reader *r)
{
    return r->rec_line ? r->rec_line : r->line;
}

static int results__fail(results_reader *r, int rc, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int results__fail(results_reader *r, int rc, const char *fmt, ...)
{
    if (r->rc)
        return r->rc;
    r->rc = rc;
    if (r->err && r->errlen) {
        int n = snprintf(r->err, r->errlen, "%s:%zu: ", r->name, results__line(r));
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
static size_t results__utf8_len(const unsigned char *p, size_t n)
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

size_t results_text_end(const char *buf, size_t len, size_t *line, size_t *col)
{
    const unsigned char *p = (const unsigned char *)buf;
    *line = *col = 1;
    for (size_t i = 0; i < len; (*col)++) {
        unsigned char c = p[i];
        size_t n = results__utf8_len(p + i, len - i);
        if (n == 0 || (c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f)
            return i;
        if (c == '\n')
            ++*line, *col = 0;
        i += n;
    }
    return len;
}

/* realloc of p to at least `need` elements of `size` bytes (doubling); NULL when out of memory. */
static void *results__grow(void *p, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return p;
    size_t n = *cap ? *cap : 64;
    while (n < need)
        n *= 2;
    void *q = realloc(p, n * size);
    if (q)
        *cap = n;
    return q;
}

/* How many fields of a record are kept: beyond it the record is wrong anyway, they are counted. */
static size_t results__limit(const results_reader *r)
{
    return r->head ? r->ncols : RESULTS_READ_MAX_COLS;
}

static void results__on_field(void *s, size_t len, void *data)
{
    results_reader *r = data;
    if (r->rc || r->nf++ >= results__limit(r))
        return;
    size_t *start = results__grow(r->start, &r->scap, r->nf, sizeof *start);
    if (start)
        r->start = start;
    char *text = start ? results__grow(r->text, &r->tcap, r->tlen + len + 1, 1) : NULL;
    if (!text)
        return (void)results__fail(r, -ENOMEM, "out of memory");
    r->text = text;
    r->start[r->nf - 1] = r->tlen;
    if (len)
        memcpy(text + r->tlen, s, len);
    text[r->tlen + len] = '\0';
    r->tlen += len + 1;
}

/* Calls a user's callback; its refusal becomes the reader's, with this record's line. */
static int results__call(results_reader *r, results_csv_fn fn, const results_csv_record *rec)
{
    char why[1024];
    why[0] = '\0';
    int rc = fn ? fn(r->ctx, rec, why, sizeof why) : 0;
    if (rc < 0)
        return results__fail(r, rc, "%s", why[0] ? why : rc == -ENOMEM ? "out of memory" : strerror(-rc));
    return 0;
}

static int results__header(results_reader *r, size_t kept)
{
    if (r->nf > RESULTS_READ_MAX_COLS)
        return results__fail(r, -EBADMSG, "header has more than %d columns", RESULTS_READ_MAX_COLS);
    for (size_t i = 0; i < kept; i++) {
        if (!r->fields[i][0])
            return results__fail(r, -EBADMSG, "header column %zu has no name", i + 1);
        for (size_t j = 0; j < i; j++)
            if (strcmp(r->fields[i], r->fields[j]) == 0)
                return results__fail(r, -EBADMSG, "duplicate column '%s' in the header", r->fields[i]);
    }
    /* The header stays: its buffers move out of the record's. */
    r->head_text = r->text;
    r->head = r->fields;
    r->ncols = kept;
    r->text = NULL;
    r->fields = NULL;
    r->tcap = r->fcap = 0;
    results_csv_record rec = {r->head, r->ncols, results__line(r)};
    return results__call(r, r->on_header, &rec);
}

static int results__row(results_reader *r)
{
    if (r->nf != r->ncols)
        return results__fail(r, -EBADMSG, "row has %zu fields, the header has %zu%s", r->nf, r->ncols,
                             r->nf < r->ncols ? " (truncated row?)" : "");
    results_csv_record rec = {r->fields, r->ncols, results__line(r)};
    return results__call(r, r->on_row, &rec);
}

static void results__on_record(int term, void *data)
{
    (void)term;
    results_reader *r = data;
    size_t kept = r->nf < results__limit(r) ? r->nf : results__limit(r);
    const char **fields = r->rc ? NULL : results__grow(r->fields, &r->fcap, kept + 1, sizeof *fields);
    if (!r->rc && !fields)
        results__fail(r, -ENOMEM, "out of memory");
    else if (!r->rc) {
        r->fields = fields;
        for (size_t i = 0; i < kept; i++)
            fields[i] = r->text + r->start[i];
        if (r->head)
            results__row(r);
        else
            results__header(r, kept);
    }
    r->nf = r->tlen = 0;
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

int results_csv_each_buffer(const char *name, const char *buf, size_t len, results_csv_fn on_header,
                            results_csv_fn on_row, void *ctx, char *err, size_t errlen)
{
    results_reader r = {.name = name, .on_header = on_header, .on_row = on_row, .ctx = ctx,
                        .err = err, .errlen = errlen, .line = 1};
    if (err && errlen)
        err[0] = '\0';
    if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0) { /* a UTF-8 byte order mark */
        buf += 3;
        len -= 3;
    }
    size_t line, col, at = results_text_end(buf, len, &line, &col);
    struct csv_parser p;
    if (results__blank(buf, len))
        results__fail(&r, -EBADMSG, "empty file: expected a CSV header line");
    else if (at < len) {
        r.line = line;
        results__fail(&r, -EBADMSG, "binary data (byte 0x%02x at column %zu), not a CSV text file",
                      (unsigned char)buf[at], col);
    } else if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI) != 0)
        results__fail(&r, -ENOMEM, "cannot initialise the CSV parser");
    else {
        results__feed(&r, &p, buf, len);
        csv_free(&p);
    }
    free(r.text);
    free(r.start);
    free(r.fields);
    free(r.head_text);
    free(r.head);
    return r.rc;
}

int results_csv_each(const char *path, results_csv_fn on_header, results_csv_fn on_row, void *ctx,
                     char *err, size_t errlen)
{
    FILE *f = fopen(path, "rbe");
    char *buf = NULL;
    size_t n = 0, cap = 0;
    int rc = f ? 0 : -errno;
    while (f) {
        if (n == cap) {
            char *nb = cap < RESULTS_READ_MAX_BYTES ? realloc(buf, cap ? cap * 2 : 65536) : NULL;
            if (!nb) {
                rc = cap < RESULTS_READ_MAX_BYTES ? -ENOMEM : -EFBIG;
                break;
            }
            buf = nb;
            cap = cap ? cap * 2 : 65536;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0) {
            rc = ferror(f) ? -EIO : 0;
            break;
        }
    }
    if (f)
        fclose(f);
    if (rc == 0)
        rc = results_csv_each_buffer(path, buf ? buf : "", n, on_header, on_row, ctx, err, errlen);
    else if (err && errlen && rc == -EFBIG)
        snprintf(err, errlen, "%s: cannot read: larger than %zu MiB", path, RESULTS_READ_MAX_BYTES >> 20);
    else if (err && errlen)
        snprintf(err, errlen, "%s: cannot read: %s", path, strerror(-rc));
    free(buf);
    return rc;
}

static int results__table_header(void *ctx, const results_csv_record *rec, char *why, size_t whylen)
{
    (void)why, (void)whylen;
    return results_table_init(ctx, rec->fields, rec->n);
}

static int results__table_row(void *ctx, const results_csv_record *rec, char *why, size_t whylen)
{
    (void)why, (void)whylen;
    results_table *t = ctx;
    long row = results_table_add_row(t);
    if (row < 0)
        return (int)row;
    char **cells = &t->cells[(size_t)row * t->n_cols];
    for (size_t i = 0; i < rec->n; i++)
        if (rec->fields[i][0] && !(cells[i] = strdup(rec->fields[i])))
            return -ENOMEM;
    return 0;
}

int results_table_read_csv(const char *path, results_table *t, char *err, size_t errlen)
{
    memset(t, 0, sizeof *t);
    int rc = results_csv_each(path, results__table_header, results__table_row, t, err, errlen);
    if (rc < 0)
        results_table_free(t);
    return rc;
}
