/* cmp_json.c: reading Google Benchmark JSON (--benchmark_out_format=json) through jansson.
 *
 * Iteration entries are grouped by run_name (or name, for writers that have no run_name);
 * aggregate entries (run_type "aggregate", an aggregate_name, or for old writers a name ending
 * in _mean, _median, _stddev or _cv) are skipped, entries with error_occurred count as failed
 * repetitions. The metric is real_time unless another field is asked for; real_time and cpu_time
 * are converted from time_unit to nanoseconds so files written with different units compare.
 */
#include "cmp_internal.h"

#include <jansson.h>
#include <math.h>
#include <string.h>

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

/* The value of the metric in entry b: 1 with *v set, 0 when absent, -EINVAL when not a number. */
static int cmp__entry_value(const char *name, size_t i, const char *key, json_t *b,
                            const char *metric, double *v, cmp_error *err)
{
    json_t *j = json_object_get(b, metric);
    if (!j || json_is_null(j))
        return 0;
    if (!json_is_number(j))
        return cmp_errorf(err, "%s: benchmarks[%zu] (%s): '%s' is not a number", name, i, key,
                          metric);
    double x = json_number_value(j);
    if (strcmp(metric, "real_time") == 0 || strcmp(metric, "cpu_time") == 0) {
        const char *unit = json_string_value(json_object_get(b, "time_unit"));
        double scale = 1.0;
        if (unit && cmp__unit_scale(unit, &scale) < 0)
            return cmp_errorf(err, "%s: benchmarks[%zu] (%s): unknown time_unit '%.16s'", name, i,
                              key, unit);
        x *= scale;
    }
    if (!isfinite(x))
        return cmp_errorf(err, "%s: benchmarks[%zu] (%s): '%s' is not finite", name, i, key,
                          metric);
    *v = x;
    return 1;
}

static int cmp__entry(const char *name, size_t i, json_t *b, const char *metric, cmp_set *out,
                      size_t *values, cmp_error *err)
{
    if (!json_is_object(b))
        return cmp_errorf(err, "%s: benchmarks[%zu] is not an object", name, i);
    if (cmp__is_aggregate(b))
        return 0;
    const char *key = json_string_value(json_object_get(b, "run_name"));
    if (!key)
        key = json_string_value(json_object_get(b, "name"));
    if (!key || !key[0])
        return cmp_errorf(err, "%s: benchmarks[%zu] has no \"run_name\" or \"name\" string", name,
                          i);
    double v = 0.0;
    int has = 0;
    if (!json_is_true(json_object_get(b, "error_occurred"))) {
        has = cmp__entry_value(name, i, key, b, metric, &v, err);
        if (has < 0)
            return has;
    }
    cmp_series *s = cmp_set_series(out, key, 0);
    if (!s || (has && cmp_series_add(s, v) < 0))
        return cmp_errorf(err, "%s: out of memory", name);
    *values += (size_t)has;
    return 0;
}

int cmp_read_gbench(const char *name, const char *buf, size_t len, const cmp_metric *m,
                    cmp_set *out, cmp_error *err)
{
    json_error_t jerr;
    json_t *root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!root)
        return cmp_errorf(err, "%s:%d:%d: invalid JSON: %s", name, jerr.line, jerr.column,
                          jerr.text);
    const char *metric = m->is_default ? "real_time" : m->name;
    json_t *list = json_is_object(root) ? json_object_get(root, "benchmarks") : NULL;
    int rc = 0;
    size_t values = 0;
    if (!json_is_array(list))
        rc = cmp_errorf(err, "%s:1: not a Google Benchmark JSON file: no \"benchmarks\" array",
                        name);
    for (size_t i = 0; rc == 0 && i < json_array_size(list); i++)
        rc = cmp__entry(name, i, json_array_get(list, i), metric, out, &values, err);
    if (rc == 0 && out->n == 0)
        rc = cmp_errorf(err, "%s: no benchmark iterations in \"benchmarks\"", name);
    else if (rc == 0 && values == 0)
        rc = cmp_errorf(err, "%s: no benchmark has a numeric '%s'%s", name, metric,
                        m->is_default ? "" : " (check --metric)");
    if (rc == 0) {
        out->format = CMP_INPUT_GBENCH;
        snprintf(out->metric, sizeof out->metric, "%s", metric);
    }
    json_decref(root);
    return rc;
}
