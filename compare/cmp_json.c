/* cmp_json.c: reading Google Benchmark JSON (--benchmark_out_format=json) through jansson.
 *
 * Iteration entries are grouped by run_name (or name, for writers that have no run_name), with
 * Google Benchmark's run-setting suffixes stripped (cmp_canonical_name, the "threads" field
 * giving the thread count); aggregate entries (run_type "aggregate", an aggregate_name, or for
 * old writers a name ending in _mean, _median, _stddev or _cv) are skipped, entries with
 * error_occurred count as failed repetitions. The metric is real_time unless another field is
 * asked for; real_time and cpu_time are converted from time_unit to nanoseconds so files written
 * with different units compare. Every other iteration entry needs the metric, a number in its
 * domain (cmp_check_value); two entries with the same name and repetition_index are an error.
 * jansson refuses NaN, Infinity and numbers beyond a double with the line; errors about one
 * entry name the line it starts on, found by cmp__entry_lines.
 */
#include "cmp_internal.h"

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    const char *name;   /* file name */
    const char *metric; /* the field read */
    cmp_set *out;
    cmp_error *err;
    size_t *lines;      /* line of each entry of "benchmarks", 0 when not found */
    size_t n_lines;
    cmp_set seen;       /* (key, repetition_index) -> entry index */
    size_t iterations;  /* iteration entries, filtered or not */
} cmp__json;

static int cmp__unit_scale(const char *unit, double *scale)
{
    static const struct {
        const char *name;
        double scale;
    } units[] = {{"ns", 1.0}, {"us", 1e3}, {"ms", 1e6}, {"s", 1e9}};
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
        if (strcmp(unit, units[i].name) == 0) {
            *scale = units[i].scale;
            return 0;
        }
    return -1;
}

/* The line each element of the top-level "benchmarks" array starts on. The text is valid JSON
 * (jansson read it), so strings, nesting and commas are all there is to follow; a key spelled
 * with escapes is not recognised and leaves the lines at 0. */
static void cmp__entry_lines(const char *buf, size_t len, size_t *lines, size_t n)
{
    size_t depth = 0, line = 1, idx = 0, arr_depth = 0;
    bool key_is_benchmarks = false, expect_elem = false, done = false;
    for (size_t i = 0; i < len; i++) {
        char ch = buf[i];
        if (ch == '\n')
            line++;
        if (ch == ' ' || ch == '\t' || ch == '\r' || ch == '\n')
            continue;
        if (arr_depth && depth == arr_depth && expect_elem && ch != ']') {
            if (idx < n)
                lines[idx] = line;
            idx++;
            expect_elem = false;
        }
        if (ch == '"') {
            size_t start = ++i;
            while (i < len && buf[i] != '"')
                i += buf[i] == '\\' ? 2 : 1;
            if (depth == 1 && !arr_depth)
                key_is_benchmarks = i - start == 10 && memcmp(buf + start, "benchmarks", 10) == 0;
        } else if (ch == '{' || ch == '[') {
            depth++;
            if (ch == '[' && depth == 2 && key_is_benchmarks && !done) {
                arr_depth = depth;
                expect_elem = true;
            }
        } else if (ch == '}' || ch == ']') {
            if (arr_depth && depth == arr_depth) {
                arr_depth = 0;
                done = true;
            }
            depth--;
        } else if (ch == ',' && arr_depth && depth == arr_depth) {
            expect_elem = true;
        }
    }
}

/* "file:line: benchmarks[i]" (or without the line when it is not known) for messages. */
static const char *cmp__where(const cmp__json *j, size_t i, char *buf, size_t cap)
{
    size_t line = i < j->n_lines ? j->lines[i] : 0;
    if (line)
        snprintf(buf, cap, "%s:%zu: benchmarks[%zu]", j->name, line, i);
    else
        snprintf(buf, cap, "%s: benchmarks[%zu]", j->name, i);
    return buf;
}

/* Aggregates: run_type "aggregate", or an aggregate_name, or (writers older than both fields)
 * a name ending in one of the aggregate suffixes. */
static bool cmp__is_aggregate(json_t *b)
{
    const char *run_type = json_string_value(json_object_get(b, "run_type"));
    if (run_type)
        return strcmp(run_type, "aggregate") == 0;
    if (json_object_get(b, "aggregate_name"))
        return true;
    const char *name = json_string_value(json_object_get(b, "name"));
    static const char *const suffixes[] = {"_mean", "_median", "_stddev", "_cv"};
    size_t len = name ? strlen(name) : 0;
    for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
        size_t sl = strlen(suffixes[i]);
        if (len > sl && strcmp(name + len - sl, suffixes[i]) == 0)
            return true;
    }
    return false;
}

static bool cmp__failed(json_t *b)
{
    return json_is_true(json_object_get(b, "error_occurred"));
}

static bool cmp__has_metric(json_t *b, const char *metric)
{
    json_t *v = json_object_get(b, metric);
    return v && !json_is_null(v);
}

/* The value of the metric in entry i (b), which did not fail: -EINVAL unless it is there, a
 * number, and in the metric's domain once in nanoseconds. */
static int cmp__entry_value(cmp__json *j, size_t i, const char *key, json_t *b, double *v)
{
    char where[600];
    cmp__where(j, i, where, sizeof where);
    json_t *x = json_object_get(b, j->metric);
    if (!x || json_is_null(x))
        return cmp_errorf(j->err, "%s (%.200s): no '%s' (every repetition that did not fail "
                          "needs a value of the compared metric)", where, key, j->metric);
    if (!json_is_number(x))
        return cmp_errorf(j->err, "%s (%.200s): '%s' is not a number", where, key, j->metric);
    double value = json_number_value(x);
    if (strcmp(j->metric, "real_time") == 0 || strcmp(j->metric, "cpu_time") == 0) {
        const char *unit = json_string_value(json_object_get(b, "time_unit"));
        double scale = 1.0;
        if (unit && cmp__unit_scale(unit, &scale) < 0)
            return cmp_errorf(j->err, "%s (%.200s): unknown time_unit '%.16s'", where, key, unit);
        value *= scale;
    }
    char why[160];
    if (cmp_check_value(j->metric, &value, why, sizeof why) < 0)
        return cmp_errorf(j->err, "%s (%.200s): '%s': %s", where, key, j->metric, why);
    *v = value;
    return 0;
}

/* A second entry with the key and repetition_index of an earlier one is an error. */
static int cmp__duplicate(cmp__json *j, size_t i, const char *key, json_t *b)
{
    json_t *ri = json_object_get(b, "repetition_index");
    if (!ri) /* writers before repetition_index: nothing to tell repetitions apart by */
        return 0;
    char where[600];
    if (!json_is_integer(ri) || json_integer_value(ri) < 0)
        return cmp_errorf(j->err, "%s (%.200s): 'repetition_index' is not a non-negative integer",
                          cmp__where(j, i, where, sizeof where), key);
    unsigned long rep = (unsigned long)json_integer_value(ri);
    size_t first = 0;
    int rc = cmp_seen_add(&j->seen, "", key, rep, i, &first);
    if (rc < 0)
        return cmp_errorf(j->err, "%s: out of memory", j->name);
    if (rc == 0)
        return 0;
    size_t line = i < j->n_lines ? j->lines[i] : 0;
    size_t first_line = first < j->n_lines ? j->lines[first] : 0;
    if (line && first_line)
        return cmp_errorf(j->err, "%s:%zu: duplicate of line %zu (benchmark %.200s, repetition "
                          "%lu)", j->name, line, first_line, key, rep);
    return cmp_errorf(j->err, "%s: duplicate of benchmarks[%zu] (benchmark %.200s, repetition "
                      "%lu)", cmp__where(j, i, where, sizeof where), first, key, rep);
}

static int cmp__entry(cmp__json *j, size_t i, json_t *b)
{
    char where[600];
    if (!json_is_object(b))
        return cmp_errorf(j->err, "%s is not an object", cmp__where(j, i, where, sizeof where));
    if (cmp__is_aggregate(b))
        return 0;
    j->iterations++;
    const char *name = json_string_value(json_object_get(b, "run_name"));
    if (!name)
        name = json_string_value(json_object_get(b, "name"));
    if (!name || !name[0])
        return cmp_errorf(j->err, "%s has no \"run_name\" or \"name\" string",
                          cmp__where(j, i, where, sizeof where));
    json_t *threads = json_object_get(b, "threads");
    json_int_t nthreads = json_is_integer(threads) ? json_integer_value(threads) : 0;
    char *key = cmp_canonical_name(name, nthreads > 0 && nthreads < 1000000000
                                             ? (unsigned long)nthreads : 0);
    if (!key)
        return cmp_errorf(j->err, "%s: out of memory", j->name);
    int rc = 0;
    if (cmp_selected(j->out, key)) {
        double v = 0.0;
        bool ok = !cmp__failed(b);
        rc = cmp__duplicate(j, i, key, b);
        if (rc == 0 && ok)
            rc = cmp__entry_value(j, i, key, b, &v);
        if (rc == 0) {
            cmp_series *s = cmp_set_series(j->out, key, i < j->n_lines ? j->lines[i] : 0);
            if (!s || (ok && cmp_series_add(s, v) < 0))
                rc = cmp_errorf(j->err, "%s: out of memory", j->name);
        }
    }
    free(key);
    return rc;
}

/* True when some iteration entry that did not fail has the metric: otherwise --metric is wrong
 * for this file, which says more than "entry 0 has no ..." would. */
static bool cmp__any_value(json_t *list, const char *metric)
{
    for (size_t i = 0; i < json_array_size(list); i++) {
        json_t *b = json_array_get(list, i);
        if (json_is_object(b) && !cmp__is_aggregate(b) && !cmp__failed(b) &&
            cmp__has_metric(b, metric))
            return true;
    }
    return false;
}

int cmp_read_gbench(const char *name, const char *buf, size_t len, const cmp_metric *m,
                    cmp_set *out, cmp_error *err)
{
    json_error_t jerr;
    json_t *root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!root)
        return cmp_errorf(err, "%s:%d:%d: invalid JSON: %s", name, jerr.line, jerr.column,
                          jerr.text);
    cmp__json j;
    memset(&j, 0, sizeof j);
    j.name = name;
    j.metric = m->is_default ? "real_time" : m->name;
    j.out = out;
    j.err = err;
    cmp_set_init(&j.seen);
    json_t *list = json_is_object(root) ? json_object_get(root, "benchmarks") : NULL;
    int rc = 0;
    if (!json_is_array(list)) {
        rc = cmp_errorf(err, "%s:1: not a Google Benchmark JSON file: no \"benchmarks\" array",
                        name);
    } else {
        j.n_lines = json_array_size(list);
        j.lines = calloc(j.n_lines + 1, sizeof *j.lines);
        if (!j.lines)
            rc = cmp_errorf(err, "%s: out of memory", name);
        else
            cmp__entry_lines(buf, len, j.lines, j.n_lines);
    }
    if (rc == 0 && !cmp__any_value(list, j.metric)) {
        for (size_t i = 0; i < json_array_size(list); i++) {
            json_t *b = json_array_get(list, i);
            j.iterations += json_is_object(b) && !cmp__is_aggregate(b);
        }
        if (j.iterations > 0)
            rc = cmp_errorf(err, "%s: no benchmark has a numeric '%s'%s", name, j.metric,
                            m->is_default ? "" : " (check --metric)");
        j.iterations = 0;
    }
    for (size_t i = 0; rc == 0 && i < json_array_size(list); i++)
        rc = cmp__entry(&j, i, json_array_get(list, i));
    if (rc == 0 && j.iterations == 0)
        rc = cmp_errorf(err, "%s: no benchmark iterations in \"benchmarks\"", name);
    if (rc == 0) {
        out->format = CMP_INPUT_GBENCH;
        snprintf(out->metric, sizeof out->metric, "%s", j.metric);
    }
    free(j.lines);
    cmp_set_free(&j.seen);
    json_decref(root);
    return rc;
}
