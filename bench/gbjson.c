/* gbjson.c: the run as Google Benchmark's JSON (what its compare.py reads), written by tvp: names
 * are configurations, repetitions and aggregates are tvp's, and every number is finite. */
#include "gbjson.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "stats.h"

/* Sets key to a finite number, or leaves it out (strict JSON has no NaN or Infinity). */
static void set_num(json_t *o, const char *key, double v)
{
    if (isfinite(v))
        json_object_set_new(o, key, json_real(v));
}

/* The context Google Benchmark reported (machine, caches, load, tvp's custom keys). */
static json_t *context_of(const char *context_json)
{
    json_t *ctx = NULL;
    if (context_json) {
        json_t *doc = json_loads(context_json, 0, NULL);
        ctx = doc ? json_incref(json_object_get(doc, "context")) : NULL;
        json_decref(doc);
    }
    return ctx && json_is_object(ctx) ? ctx : json_object();
}

/* Time unit of a configuration's times: what Google Benchmark displays it in. */
static void unit_of(const job_config *c, const char **unit, double *scale)
{
    *unit = c->kind == JOB_SCHED ? "us" : "ms";
    *scale = c->kind == JOB_SCHED ? 1e6 : 1e3;
}

static json_t *entry(const job_config *c)
{
    json_t *o = json_object();
    json_object_set_new(o, "name", json_string(c->name));
    json_object_set_new(o, "family_index", json_integer((json_int_t)c->index));
    json_object_set_new(o, "per_family_instance_index", json_integer(0));
    json_object_set_new(o, "run_name", json_string(c->name));
    return o;
}

static json_t *iteration(const report_row *row, const char *detail, size_t reps)
{
    const job_config *c = row->job->config;
    const char *unit;
    double scale;
    unit_of(c, &unit, &scale);
    json_t *o = entry(c);
    json_object_set_new(o, "run_type", json_string("iteration"));
    json_object_set_new(o, "repetitions", json_integer((json_int_t)reps));
    json_object_set_new(o, "repetition_index", json_integer(row->job->rep));
    json_object_set_new(o, "threads", json_integer(1));
    bool ok = strcmp(row->status, "ok") == 0;
    if (!ok) {
        /* As Google Benchmark writes a skipped run: the reason, and zero times. */
        json_object_set_new(o, "error_occurred", json_true());
        json_object_set_new(o, "error_message", json_string(detail ? detail : row->status));
    }
    json_object_set_new(o, "iterations", json_integer(ok ? row->iterations : 0));
    json_object_set_new(o, "real_time", json_real(ok && isfinite(row->m[REPORT_WALL]) ? row->m[REPORT_WALL] * scale : 0));
    json_object_set_new(o, "cpu_time", json_real(ok && isfinite(row->m[REPORT_CPU_S]) ? row->m[REPORT_CPU_S] * scale : 0));
    json_object_set_new(o, "time_unit", json_string(unit));
    if (ok && row->counters)
        json_object_update(o, row->counters);
    return o;
}

typedef enum { AGG_MEAN = 0, AGG_MEDIAN, AGG_STDDEV, AGG_CV, AGG_COUNT } agg_kind;
static const char *const agg_names[AGG_COUNT] = {"mean", "median", "stddev", "cv"};

/* One statistic of v[0..n); NaN when it does not exist (a stddev of one value, a cv of mean 0). */
static double stat(const double *v, size_t n, agg_kind k)
{
    double mean = NAN, sd = NAN, med = NAN;
    if (n == 0)
        return NAN;
    stats_mean_stddev(v, n, &mean, n > 1 ? &sd : NULL);
    switch (k) {
    case AGG_MEAN:
        return mean;
    case AGG_MEDIAN:
        stats_median(v, n, &med);
        return med;
    case AGG_STDDEV:
        return sd;
    default:
        return mean != 0 ? sd / mean : NAN;
    }
}

/* The value of counter `key` in each ok row; returns how many. */
static size_t values(const report_row *rows, size_t n, const char *key, double *v)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (strcmp(rows[i].status, "ok") != 0 || !rows[i].counters)
            continue;
        double x = json_number_value(json_object_get(rows[i].counters, key));
        if (isfinite(x))
            v[k++] = x;
    }
    return k;
}

/* A time aggregate the summary already computed (report_config), in the JSON's unit; a cv is a
 * ratio, unscaled; 0 when it does not exist, as Google Benchmark writes it. */
static double time_stat(const report_config *s, report_measure m, agg_kind k, double scale)
{
    double v = k == AGG_MEAN ? s->mean[m] : k == AGG_MEDIAN ? s->median[m] : k == AGG_STDDEV ? s->stddev[m] : s->cv[m];
    v *= k == AGG_CV ? 1 : scale;
    return isfinite(v) ? v : 0;
}

static json_t *aggregate(const report_config *s, const report_row *rows, agg_kind k, double *v)
{
    const job_config *c = s->config;
    const char *unit;
    double scale;
    unit_of(c, &unit, &scale);
    json_t *o = entry(c);
    char name[512];
    snprintf(name, sizeof name, "%s_%s", c->name, agg_names[k]);
    json_object_set_new(o, "name", json_string(name));
    json_object_set_new(o, "run_type", json_string("aggregate"));
    json_object_set_new(o, "repetitions", json_integer((json_int_t)s->n));
    json_object_set_new(o, "threads", json_integer(1));
    json_object_set_new(o, "aggregate_name", json_string(agg_names[k]));
    json_object_set_new(o, "aggregate_unit", json_string(k == AGG_CV ? "percentage" : "time"));
    json_object_set_new(o, "iterations", json_integer((json_int_t)s->n_ok));
    json_object_set_new(o, "real_time", json_real(time_stat(s, REPORT_WALL, k, scale)));
    json_object_set_new(o, "cpu_time", json_real(time_stat(s, REPORT_CPU_S, k, scale)));
    json_object_set_new(o, "time_unit", json_string(unit));
    /* Counters: those of the first ok repetition, aggregated over every ok one. */
    for (size_t i = 0; i < s->n; i++) {
        if (!rows[i].counters)
            continue;
        const char *key;
        json_t *val;
        json_object_foreach(rows[i].counters, key, val)
        {
            (void)val;
            set_num(o, key, stat(v, values(rows, s->n, key, v), k));
        }
        break;
    }
    return o;
}

json_t *gbjson_build(const report *r, const char *context_json, bool aggregates_only)
{
    size_t n_rows, n_cfg;
    const report_row *rows = report_rows(r, &n_rows);
    const report_config *cf = report_configs(r, &n_cfg);
    const results_table *t = report_table(r);
    json_t *doc = json_object(), *list = json_array();
    double *v = malloc((n_rows ? n_rows : 1) * sizeof *v);
    if (!doc || !list || !v) {
        json_decref(doc);
        json_decref(list);
        free(v);
        return NULL;
    }
    json_object_set_new(doc, "context", context_of(context_json));
    for (size_t i = 0; i < n_cfg; i++) {
        const report_config *s = &cf[i];
        const report_row *cr = &rows[s->first_row];
        for (size_t k = 0; k < s->n && !aggregates_only; k++)
            json_array_append_new(list, iteration(&cr[k], results_table_get(t, s->first_row + k, "detail"), s->n));
        /* Google Benchmark aggregates only over several repetitions; so does tvp. */
        for (int a = 0; a < AGG_COUNT && s->n > 1 && s->n_ok > 0; a++)
            json_array_append_new(list, aggregate(s, cr, (agg_kind)a, v));
    }
    free(v);
    json_object_set_new(doc, "benchmarks", list);
    return doc;
}
