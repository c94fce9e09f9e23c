/* jobs.c: the plan of (configuration, repetition) runs, filtered, shuffled and registered. */
#include "jobs.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gbflags.h"
#include "progress.h"

/* Adds a configuration when the filter keeps it. */
static void add_config(job_plan *p, job_kind kind, const char *name, void *cfg, const gbflags_filter *f)
{
    if (!gbflags_filter_match(f, name))
        return;
    job_config *c = &p->configs[p->n_configs];
    c->kind = kind;
    c->name = name;
    if (kind == JOB_WORKLOAD)
        c->u.workload = cfg;
    else
        c->u.sched = cfg;
    c->index = p->n_configs++;
}

/* splitmix64: a full-period sequence from any seed, enough to shuffle a plan. */
static uint64_t next_random(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

int jobs_plan(job_plan *p, bench_case *cases, size_t n_cases, sched_set *sched, const char *filter,
              uint32_t reps, bool interleave, uint64_t seed)
{
    memset(p, 0, sizeof *p);
    if (reps == 0)
        return -EINVAL;
    gbflags_filter f;
    if (gbflags_filter_init(&f, filter) < 0)
        return -EINVAL;
    size_t n_sched = sched_set_size(sched);
    p->configs = calloc(n_cases + n_sched + 1, sizeof *p->configs);
    if (!p->configs) {
        gbflags_filter_free(&f);
        return -ENOMEM;
    }
    for (size_t i = 0; i < n_cases; i++)
        add_config(p, JOB_WORKLOAD, cases[i].name, &cases[i], &f);
    for (size_t i = 0; i < n_sched; i++) {
        sched_case *c = sched_case_at(sched, i);
        add_config(p, JOB_SCHED, c->name, c, &f);
    }
    gbflags_filter_free(&f);
    if (p->n_configs == 0) {
        jobs_free(p);
        return -ENOENT;
    }
    p->repetitions = reps;
    p->n_jobs = p->n_configs * reps;
    p->jobs = calloc(p->n_jobs, sizeof *p->jobs);
    if (!p->jobs) {
        jobs_free(p);
        return -ENOMEM;
    }
    size_t k = 0;
    for (size_t i = 0; i < p->n_configs; i++)
        for (uint32_t r = 0; r < reps; r++)
            p->jobs[k++] = (job){.config = &p->configs[i], .rep = r};
    if (interleave && p->n_jobs > 1) {
        /* Fisher-Yates, then each configuration's repetitions renumbered in run order, so that
         * repetition 0 is always the one that ran first. */
        p->shuffled = true;
        p->seed = seed;
        uint64_t s = seed;
        for (size_t i = p->n_jobs - 1; i > 0; i--) {
            size_t j = (size_t)(next_random(&s) % (i + 1));
            job t = p->jobs[i];
            p->jobs[i] = p->jobs[j];
            p->jobs[j] = t;
        }
        uint32_t *seen = calloc(p->n_configs, sizeof *seen);
        if (!seen) {
            jobs_free(p);
            return -ENOMEM;
        }
        for (size_t i = 0; i < p->n_jobs; i++)
            p->jobs[i].rep = seen[p->jobs[i].config->index]++;
        free(seen);
    }
    return 0;
}

/* Every job's body: the configuration's own, inside the progress display's window (Google
 * Benchmark prints between bodies, when the display's terminal line is erased). */
static void job_body(gb_state *st, void *ctx)
{
    const job *j = ctx;
    progress_body_begin(j);
    if (j->config->kind == JOB_WORKLOAD)
        runner_body(st, j->config->u.workload);
    else
        sched_body(st, j->config->u.sched);
    progress_body_end();
}

int jobs_register(const job_plan *p)
{
    for (size_t i = 0; i < p->n_jobs; i++) {
        const job *j = &p->jobs[i];
        /* Google Benchmark needs distinct names; the repetition is only in its own (console) name. */
        char name[RUNNER_NAME_MAX + 32];
        if (p->repetitions > 1)
            snprintf(name, sizeof name, "%s/rep:%u", j->config->name, j->rep);
        else
            snprintf(name, sizeof name, "%s", j->config->name);
        gb_bench *b = gb_register(name, job_body, (void *)j);
        b = j->config->kind == JOB_WORKLOAD ? runner_configure(b) : sched_configure(b, j->config->u.sched);
        if (!b)
            return -EINVAL;
    }
    return 0;
}

void jobs_free(job_plan *p)
{
    free(p->configs);
    free(p->jobs);
    memset(p, 0, sizeof *p);
}
