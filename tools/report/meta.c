/* meta.c: the machine of a run, from the .meta.json beside its CSV (unknown facts say "unknown"). */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "report.h"
#include "results.h"

static char *rpt_json_str(json_t *root, const char *a, const char *b)
{
    json_t *v = json_object_get(root, a);
    if (b)
        v = json_object_get(v, b);
    if (json_is_string(v))
        return rpt_strdup(json_string_value(v));
    if (json_is_integer(v))
        return rpt_asprintf("%lld", (long long)json_integer_value(v));
    return NULL;
}

static char *rpt_meta_path(const char *csv)
{
    size_t n = strlen(csv);
    if (n > 4 && strcmp(csv + n - 4, ".csv") == 0)
        return rpt_asprintf("%.*s.meta.json", (int)(n - 4), csv);
    return rpt_asprintf("%s.meta.json", csv);
}

static double rpt_json_num(json_t *obj, const char *key)
{
    json_t *v = json_object_get(obj, key);
    return json_is_number(v) ? json_number_value(v) : NAN;
}

static char *rpt_or_unknown(char *s) { return s ? s : rpt_strdup("unknown"); }

void rpt_read_meta(rpt_run *run)
{
    char *path = rpt_meta_path(run->csv);
    json_error_t jerr;
    json_t *root = json_load_file(path, 0, &jerr);
    if (!root && access(path, F_OK) == 0)
        fprintf(stderr, "tvp-report: %s:%d: not valid JSON (%s); machine facts unknown\n", path, jerr.line,
                jerr.text);
    else if (!root)
        fprintf(stderr, "tvp-report: no %s: machine facts unknown\n", path);
    free(path);
    run->host = rpt_or_unknown(rpt_json_str(root, "host", NULL));
    run->cpu = rpt_or_unknown(rpt_json_str(root, "machine", "cpu_model"));
    run->profile = rpt_or_unknown(rpt_json_str(root, "options", "profile"));
    run->started = rpt_or_unknown(rpt_json_str(root, "started_utc", NULL));
    run->cpuset = rpt_or_unknown(rpt_json_str(root, "machine", "usable_cpuset"));
    run->topology = rpt_or_unknown(rpt_json_str(root, "machine", "topology"));
    run->kernel = rpt_or_unknown(rpt_json_str(root, "machine", "kernel"));
    run->compiler = rpt_or_unknown(rpt_json_str(root, "compiler", NULL));
    run->commit = rpt_or_unknown(rpt_json_str(root, "git_commit", NULL));
    run->status = rpt_or_unknown(rpt_json_str(root, "status", NULL));
    char *id = rpt_json_str(root, "run_id", NULL);
    if (id && !run->id)
        run->id = id;
    else
        free(id);
    json_t *pus = json_object_get(json_object_get(root, "machine"), "usable_pus");
    run->usable = json_is_integer(pus) ? (long)json_integer_value(pus) : 0;
    json_t *cal = json_object_get(root, "calibration");
    run->capacity_cpus = rpt_json_num(cal, "capacity_cpus");
    run->background_cpus = rpt_json_num(cal, "background_cpus");
    run->loadavg1 = rpt_json_num(cal, "loadavg1");
    run->steal_pct = rpt_json_num(cal, "steal_pct");
    json_decref(root);
}

rpt_noise rpt_read_noise(const rpt_run *run)
{
    rpt_noise nz = {0, 0, NULL};
    size_t n = strlen(run->csv);
    char *path = n > 4 && strcmp(run->csv + n - 4, ".csv") == 0
                     ? rpt_asprintf("%.*s.summary.csv", (int)(n - 4), run->csv)
                     : rpt_asprintf("%s.summary.csv", run->csv);
    results_table t;
    char err[256];
    if (access(path, R_OK) != 0 || results_table_read_csv(path, &t, err, sizeof err) < 0) {
        free(path);
        return nz;
    }
    free(path);
    nz.v = rpt_xmalloc((t.n_rows ? t.n_rows : 1) * sizeof *nz.v);
    for (size_t i = 0; i < t.n_rows; i++) {
        const char *st = results_table_get(&t, i, "status"), *cv = results_table_get(&t, i, "wall_s_cv");
        const char *name = results_table_get(&t, i, "benchmark");
        double v = cv ? rpt_num(cv) : NAN;
        if (!rpt_eq(st, "ok") || !isfinite(v))
            continue;
        nz.v[nz.n++] = (struct rpt_cv){rpt_strdup(name ? name : "?"), v,
                                       rpt_num(results_table_get(&t, i, "wall_s_median")),
                                       rpt_long(results_table_get(&t, i, "n_ok"), 0)};
        nz.n_noisy += v > RPT_CV_WARN;
    }
    results_table_free(&t);
    return nz;
}

void rpt_noise_free(rpt_noise *nz)
{
    for (size_t i = 0; i < nz->n; i++)
        free(nz->v[i].name);
    free(nz->v);
    *nz = (rpt_noise){0, 0, NULL};
}
