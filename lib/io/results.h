/* results.h: tidy CSV tables and JSON documents, written atomically (temp file, fsync, rename). */
#ifndef TVP_RESULTS_H
#define TVP_RESULTS_H

#include <jansson.h>
#include <stddef.h>

/* A table of strings: fixed columns, rows appended. A NULL cell is written empty. */
typedef struct results_table {
    size_t n_cols;
    char **cols;
    size_t n_rows, cap;
    char **cells; /* n_rows * n_cols, row-major, owned */
} results_table;

int results_table_init(results_table *t, const char *const *cols, size_t n_cols);
void results_table_free(results_table *t);
/* Appends an empty row; returns its index or -errno. */
long results_table_add_row(results_table *t);
/* Column index by name, or -1. */
int results_table_col(const results_table *t, const char *name);
/* Sets a cell (copied). Unknown column: -EINVAL. */
int results_table_set(results_table *t, size_t row, const char *col, const char *value);
int results_table_setf(results_table *t, size_t row, const char *col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Sets a number with up to 9 significant digits; NaN and infinities leave the cell empty. */
int results_table_set_num(results_table *t, size_t row, const char *col, double v);
const char *results_table_get(const results_table *t, size_t row, const char *col); /* NULL if empty */
/* Reorders the rows: new row i is old row order[i] (a permutation of 0..n_rows-1). */
int results_table_permute(results_table *t, const size_t *order);

/* The table as CSV (header line, then rows; fields quoted by libcsv when they need it). The
 * caller frees *out. */
int results_table_csv(const results_table *t, char **out, size_t *len);

/* THE CSV reader (results_read.c, libcsv). The text is checked first (results_text_end), a
 * UTF-8 byte order mark skipped; then every record goes to a callback with the physical line it
 * starts on: the first to on_header, once its names are checked (non-empty, distinct, at most
 * RESULTS_READ_MAX_COLS), every later one to on_row, once it has the header's width. fields[i]
 * is "" for an empty field; a row's fields live until the callback returns, the header's until
 * the reader does. A callback returns 0 to go on, or -errno with `why` set (or left empty for
 * strerror); the reader stops and writes "NAME:LINE: why" into err. The reader's own refusals
 * (binary data, an empty file, malformed CSV, a wrong width, the limits) are -EBADMSG with the
 * same prefix; a file larger than RESULTS_READ_MAX_BYTES is -EFBIG. 0 or -errno. */
#define RESULTS_READ_MAX_BYTES ((size_t)1 << 30)
#define RESULTS_READ_MAX_COLS 4096
typedef struct results_csv_record {
    const char *const *fields;
    size_t n;
    size_t line;
} results_csv_record;
typedef int (*results_csv_fn)(void *ctx, const results_csv_record *rec, char *why, size_t whylen);
int results_csv_each(const char *path, results_csv_fn on_header, results_csv_fn on_row, void *ctx,
                     char *err, size_t errlen);
/* The same over `len` bytes in memory; `name` stands for the file in messages. */
int results_csv_each_buffer(const char *name, const char *buf, size_t len, results_csv_fn on_header,
                            results_csv_fn on_row, void *ctx, char *err, size_t errlen);

/* Reads a CSV file into `t` (empty fields become NULL cells) with results_csv_each, whose errors
 * it returns; on error `t` is left empty. */
int results_table_read_csv(const char *path, results_table *t, char *err, size_t errlen);

/* Where `buf` stops being text: the offset of its first NUL, DEL, control byte other than tab, CR
 * and LF, or malformed UTF-8 (overlong forms, surrogates, beyond U+10FFFF), with its line and
 * column (in characters, from 1); `len` when there is none. */
size_t results_text_end(const char *buf, size_t len, size_t *line, size_t *col);

/* Writes `len` bytes to `path` so that a reader sees the old file or the new one, never part of
 * one: a temp file in the same directory, write, fsync, rename, fsync the directory. On any
 * failure (a full disk included) the temp file is removed and `path` is untouched. 0 or -errno. */
int results_write_atomic(const char *path, const void *data, size_t len);
int results_write_csv(const char *path, const results_table *t);
int results_write_json(const char *path, const json_t *doc);
/* Copies a file atomically (e.g. to results/latest.*). */
int results_copy_atomic(const char *src, const char *dst);

/* Publishes the run `stem`'s files (`dir`/`stem``suffix` for each suffix, e.g. ".csv") as
 * `dir`/latest`suffix`, all at once: the latest.* names are symlinks through `dir`/.latest, which
 * one rename switches to a set directory holding links to this run's files, so a reader sees
 * every latest.* of one run, never a mix. The previous set is removed. 0 or -errno (on error
 * the previous latest.* stay). Implemented in results_latest.c. */
int results_publish_latest(const char *dir, const char *stem, const char *const *suffixes, size_t n);

/* Creates `dir` (and parents) when missing and proves it writable by writing, syncing and
 * removing a probe file. 0 or -errno. */
int results_check_dir(const char *dir);

#endif /* TVP_RESULTS_H */
