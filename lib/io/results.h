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

/* Reads a CSV file (a header line, then rows) into `t` with libcsv. Every row must have as many
 * fields as the header. On error returns -errno (-EBADMSG for malformed input) and writes
 * "FILE:LINE: what is wrong" into `err`. Implemented in results_read.c. */
int results_table_read_csv(const char *path, results_table *t, char *err, size_t errlen);

/* Length of the well-formed UTF-8 sequence at p (n bytes available), 0 when it is not one
 * (overlong forms, surrogates and code points above U+10FFFF are rejected). */
size_t results_utf8_len(const unsigned char *p, size_t n);

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
