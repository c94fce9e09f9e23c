/* runner.c: the benchmark matrix and the body that times one configuration's batches. */
#include "runner.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "array.h"
#include "gbench.h"
#include "sample.h"

#define RUNNER_MAX_CASES 20000

const char *runner_param_text(const bench_case *c, size_t i, char *buf, size_t len)
{
    const wl_param *sp = &c->wl->params[i];
    if (sp->type == WL_PARAM_ENUM)
        snprintf(buf, len, "%s", sp->choices[c->args.v[i]]);
    else
        snprintf(buf, len, "%lld", (long long)c->args.v[i]);
    return buf;
}

static void case_name(bench_case *c)
{
    int off = snprintf(c->name, sizeof c->name, "%s/%s/%s/gil:%s/workers:%u/pin:%s", c->wl->name,
                       pool_executor_name(c->exec), pool_spawn_name(c->spawn), gil_mode_name(c->gil),
                       c->workers, pin_policy_name(c->pin));
    if (c->gil == GIL_ON && off < (int)sizeof c->name)
        off += snprintf(c->name + off, sizeof c->name - (size_t)off, "/switch_us:%u", c->switch_us);
    if (c->gil == GIL_LEGACY && off < (int)sizeof c->name)
        off += snprintf(c->name + off, sizeof c->name - (size_t)off, "/check_ticks:%u", c->check_ticks);
    for (size_t i = 0; i < c->wl->n_params && off < (int)sizeof c->name; i++) {
        char v[64];
        off += snprintf(c->name + off, sizeof c->name - (size_t)off, "/%s:%s", c->wl->params[i].name,
                        runner_param_text(c, i, v, sizeof v));
    }
}

typedef struct matrix {
    bench_case *cases;
    size_t n, cap;
} matrix;

static int add_case(matrix *m, const bench_case *proto, pool_executor e, pool_spawn s, uint32_t workers)
{
    if (m->n == RUNNER_MAX_CASES)
        return -E2BIG;
    bench_case *cases = array_grow(m->cases, m->n, &m->cap, sizeof *cases, 64);
    if (!cases)
        return -ENOMEM;
    m->cases = cases;
    bench_case *c = &m->cases[m->n];
    *c = *proto;
    c->exec = e;
    c->spawn = s;
    c->workers = workers;
    int rc = pin_plan_make(c->env->topo, c->pin, workers, &c->plan);
    if (rc < 0)
        return rc;
    case_name(c);
    m->n++;
    return 0;
}

/* Every executor x spawn x workers for one workload, parameter set and pin policy. */
static int add_executors(matrix *m, const cli_opts *o, const bench_case *proto)
{
    int rc = 0;
    /* A workload with cooperating tasks fixes its worker count; serial cannot run it then. */
    uint32_t fixed = proto->wl->workers_for ? proto->wl->workers_for(&proto->args) : 0;
    size_t n_workers = fixed ? 1 : o->n_workers;
    if (o->exec_on[EXEC_SERIAL] && fixed <= 1)
        rc = add_case(m, proto, EXEC_SERIAL, SPAWN_POOL, 1);
    for (int e = EXEC_THREADS; e < EXEC_COUNT && rc == 0; e++) {
        if (!o->exec_on[e])
            continue;
        for (int s = 0; s < SPAWN_COUNT && rc == 0; s++)
            for (size_t w = 0; w < n_workers && rc == 0 && o->spawn_on[s]; w++)
                rc = add_case(m, proto, (pool_executor)e, (pool_spawn)s, fixed ? fixed : o->workers[w]);
    }
    return rc;
}

/* Walks the product of the workload's parameter lists (odometer order). */
static int add_param_sets(matrix *m, const cli_opts *o, bench_case *proto)
{
    const workload *wl = proto->wl;
    size_t idx[WL_MAX_PARAMS] = {0}, len[WL_MAX_PARAMS];
    const int64_t *lists[WL_MAX_PARAMS];
    for (size_t i = 0; i < wl->n_params; i++)
        lists[i] = cli_param_values(o, wl, i, &len[i]);
    for (;;) {
        for (size_t i = 0; i < wl->n_params; i++)
            proto->args.v[i] = lists[i][idx[i]];
        if (wl->tasks_for)
            proto->tasks = wl->tasks_for(&proto->args);
        for (int p = 0; p < PIN_POLICY_COUNT; p++) {
            if (!o->pin_on[p])
                continue;
            proto->pin = (pin_policy)p;
            int rc = add_executors(m, o, proto);
            if (rc < 0)
                return rc;
        }
        size_t i = 0;
        while (i < wl->n_params && ++idx[i] == len[i])
            idx[i++] = 0;
        if (i == wl->n_params)
            return 0;
    }
}

/* The switch intervals gil=on sweeps for `wl`: the profile's list for that workload (a "switch_us"
 * profile default: the convoy's 5, 1 and 0.1 ms under the default profile; --tvp_switch_us drops
 * them), else o->switch_us. */
static size_t switch_list(const cli_opts *o, const workload *wl, uint32_t out[CLI_MAX_LIST])
{
    for (size_t k = 0; k < o->n_defaults; k++) {
        const cli_default *d = &o->defaults[k];
        if (strcmp(d->workload, wl->name) == 0 && strcmp(d->param, "switch_us") == 0) {
            for (size_t i = 0; i < d->n; i++)
                out[i] = (uint32_t)d->v[i];
            return d->n;
        }
    }
    memcpy(out, o->switch_us, o->n_switch_us * sizeof out[0]);
    return o->n_switch_us;
}

int runner_build(const cli_opts *o, bench_env *env, bench_case **cases, size_t *n)
{
    matrix m = {0};
    int rc = 0;
    for (size_t w = 0; w < workload_count() && rc == 0; w++) {
        if (!o->workload_on[w])
            continue;
        bench_case proto;
        memset(&proto, 0, sizeof proto);
        proto.wl = workload_at(w);
        proto.env = env;
        proto.tasks = o->tasks ? o->tasks : proto.wl->default_tasks;
        proto.check_ticks = o->check_ticks;
        for (int g = 0; g < GIL_MODE_COUNT && rc == 0; g++) {
            if (!o->gil_on[g])
                continue;
            proto.gil = (gil_mode)g;
            /* Only gil=on has a switch interval to sweep. */
            uint32_t sw[CLI_MAX_LIST];
            size_t n_sw = g == GIL_ON ? switch_list(o, proto.wl, sw) : 1;
            for (size_t k = 0; k < n_sw && rc == 0; k++) {
                proto.switch_us = g == GIL_ON ? sw[k] : 0;
                rc = add_param_sets(&m, o, &proto);
            }
        }
    }
    if (rc < 0) {
        runner_free_cases(m.cases, m.n);
        return rc;
    }
    *cases = m.cases;
    *n = m.n;
    return 0;
}

void runner_free_cases(bench_case *cases, size_t n)
{
    for (size_t i = 0; i < n; i++)
        pin_plan_free(&cases[i].plan);
    free(cases);
}

/* ---- the live configuration ---- */

void runner_release(bench_env *env)
{
    if (env->active_pool)
        pool_destroy(env->active_pool);
    if (env->active && env->active->wl->teardown)
        env->active->wl->teardown(env->active_shared);
    env->active_pool = NULL;
    env->active_shared = NULL;
    env->active = NULL;
}

/* Makes `c` the live configuration: workload state and pool, built outside any timing. */
static int activate(bench_case *c, char *err, size_t errlen)
{
    bench_env *env = c->env;
    if (env->active == c && env->active_pool)
        return 0;
    runner_release(env);
    int rc = 0;
    if (c->wl->setup && (rc = c->wl->setup(&c->args, c->tasks, &env->active_shared)) < 0) {
        snprintf(err, errlen, "workload setup: %s", strerror(-rc));
        return rc;
    }
    env->active = c;
    pool_config cfg = {
        .executor = c->exec,
        .spawn = c->spawn,
        .workers = c->workers,
        .max_tasks = c->tasks,
        .wl = c->wl,
        .wl_shared = env->active_shared,
        .topo = c->pin == PIN_NONE ? NULL : env->topo,
        .plan = c->pin == PIN_NONE ? NULL : &c->plan,
        .timer_slack_ns = env->timer_slack_ns,
        .gil = c->gil,
        .switch_us = c->switch_us ? c->switch_us : GIL_DEFAULT_SWITCH_US,
        .check_ticks = c->check_ticks,
        .respawn_budget = c->workers * 2,
        .task_timeout_ms = env->task_timeout_ms,
        .stop = env->stop,
    };
    rc = pool_create(&cfg, &env->active_pool);
    if (rc < 0) {
        if (rc == -EAGAIN) {
            char nproc[32] = "unlimited";
            struct rlimit rl;
            if (getrlimit(RLIMIT_NPROC, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
                snprintf(nproc, sizeof nproc, "%llu", (unsigned long long)rl.rlim_cur);
            snprintf(err, errlen, "cannot create %u %s: the system refused more (EAGAIN; see ulimit -u: "
                     "RLIMIT_NPROC is %s, and the pids cgroup limit; or memory for their stacks ran out)",
                     c->workers, pool_executor_name(c->exec), nproc);
        } else if (rc == -ENOMEM)
            snprintf(err, errlen, "cannot create %u %s: out of memory (ENOMEM; see ulimit -v and free memory)",
                     c->workers, pool_executor_name(c->exec));
        else if (rc == -EMFILE || rc == -ENFILE)
            snprintf(err, errlen, "cannot create the %s pool: too many open files (%s; see ulimit -n)",
                     pool_executor_name(c->exec), rc == -EMFILE ? "EMFILE" : "ENFILE");
        else
            snprintf(err, errlen, "cannot create the %s pool: %s", pool_executor_name(c->exec), strerror(-rc));
        env->active_pool = NULL;
        runner_release(env);
    }
    return rc;
}

/* ---- one body call's accumulators ---- */

typedef struct run_acc {
    uint64_t batches, wall_ns, cpu_ns, ctx_vol, ctx_invol, failed, respawns;
    sample_reservoir lat; /* task latencies (us) in the env's RUNNER_LAT_CAP buffer */
    uint64_t cpus_seen; /* bit per CPU (first 64) the tasks ran on */
    gil_stats gil;
    char detail[160];
} run_acc;

/* Checks every task of the batch and folds its figures into `a`. */
static void collect_batch(bench_case *c, run_acc *a, const pool_batch *b)
{
    bench_env *env = c->env;
    a->batches++;
    a->wall_ns += b->wall_ns;
    a->cpu_ns += b->usage.cpu_ns;
    a->ctx_vol += b->usage.ctx_vol;
    a->ctx_invol += b->usage.ctx_invol;
    a->respawns += b->respawns;
    gil_stats_add(&a->gil, &b->gil);
    for (uint32_t i = 0; i < c->tasks; i++) {
        const queue_slot *s = pool_slot(env->active_pool, i);
        char why[WL_DETAIL_MAX] = "";
        bool ok = atomic_load(&s->state) == SLOT_OK;
        if (!ok)
            snprintf(why, sizeof why, "%s", s->out.detail[0] ? s->out.detail : "task did not finish");
        else if (c->wl->check && c->wl->check(env->active_shared, i, &s->out, why, sizeof why) < 0)
            ok = false;
        if (!ok) {
            if (!a->failed++)
                snprintf(a->detail, sizeof a->detail, "task %u: %s", i, why);
            continue;
        }
        if (c->wl->latency == WL_LAT_VALUE) {
            if (s->out.value_ns)
                sample_reservoir_add(&a->lat, (double)s->out.value_ns / 1e3);
        } else {
            sample_reservoir_add(&a->lat, (double)(s->end_ns - s->start_ns) / 1e3);
        }
        if (s->cpu >= 0 && s->cpu < 64)
            a->cpus_seen |= 1ull << s->cpu;
    }
}

static void set_counters(gb_state *st, bench_case *c, run_acc *a)
{
    double iters = (double)a->batches, wall_s = (double)a->wall_ns / 1e9;
    gb_counter_set(st, "tasks_per_s", wall_s > 0 ? iters * c->tasks / wall_s : 0, GB_COUNTER_DEFAULTS);
    gb_counter_set(st, "cpu_s", (double)a->cpu_ns / 1e9 / iters, GB_COUNTER_DEFAULTS);
    gb_counter_set(st, "cpu_util", wall_s > 0 ? (double)a->cpu_ns / (double)a->wall_ns : 0, GB_COUNTER_DEFAULTS);
    gb_counter_set(st, "ctx_vol", (double)a->ctx_vol / iters, GB_COUNTER_DEFAULTS);
    gb_counter_set(st, "ctx_invol", (double)a->ctx_invol / iters, GB_COUNTER_DEFAULTS);
    gb_counter_set(st, "lat_p50_us", sample_reservoir_quantile(&a->lat, 0.50), GB_COUNTER_DEFAULTS);
    gb_counter_set(st, "lat_p90_us", sample_reservoir_quantile(&a->lat, 0.90), GB_COUNTER_DEFAULTS);
    gb_counter_set(st, "lat_p99_us", sample_reservoir_quantile(&a->lat, 0.99), GB_COUNTER_DEFAULTS);
    gb_counter_set(st, "cpus_used", (double)__builtin_popcountll(a->cpus_seen), GB_COUNTER_DEFAULTS);
    gb_counter_set(st, "respawns", (double)a->respawns, GB_COUNTER_DEFAULTS);
    if (c->gil != GIL_OFF) {
        const gil_stats *g = &a->gil;
        gb_counter_set(st, "gil_acquisitions", (double)g->acquisitions / iters, GB_COUNTER_DEFAULTS);
        gb_counter_set(st, "gil_switches", (double)g->switches / iters, GB_COUNTER_DEFAULTS);
        gb_counter_set(st, "gil_drop_requests", (double)g->drop_requests / iters, GB_COUNTER_DEFAULTS);
        gb_counter_set(st, "gil_forced_drops", (double)g->forced_drops / iters, GB_COUNTER_DEFAULTS);
        gb_counter_set(st, "gil_held_s", (double)g->held_ns / 1e9 / iters, GB_COUNTER_DEFAULTS);
        gb_counter_set(st, "gil_waited_s", (double)g->waited_ns / 1e9 / iters, GB_COUNTER_DEFAULTS);
        gb_counter_set(st, "gil_held_p50_us", gil_hist_percentile(g->held_hist, 50) / 1e3, GB_COUNTER_DEFAULTS);
        gb_counter_set(st, "gil_held_p99_us", gil_hist_percentile(g->held_hist, 99) / 1e3, GB_COUNTER_DEFAULTS);
        gb_counter_set(st, "gil_wait_p50_us", gil_hist_percentile(g->waited_hist, 50) / 1e3, GB_COUNTER_DEFAULTS);
        gb_counter_set(st, "gil_wait_p99_us", gil_hist_percentile(g->waited_hist, 99) / 1e3, GB_COUNTER_DEFAULTS);
    }
    if (c->wl->extra_names && c->wl->extra_values) {
        double v[WL_MAX_EXTRAS]; /* workload_registry_check keeps extra_names within it */
        size_t n = 0;
        while (n < WL_MAX_EXTRAS && c->wl->extra_names[n])
            v[n++] = NAN;
        c->wl->extra_values(c->env->active_shared, v);
        for (size_t i = 0; i < n; i++)
            if (!isnan(v[i]))
                gb_counter_set(st, c->wl->extra_names[i], v[i], GB_COUNTER_DEFAULTS);
    }
    uint64_t kib = 0;
    if (pool_pss_kib(c->env->active_pool, &kib) == 0)
        gb_counter_set(st, "rss_kib", (double)kib, GB_COUNTER_DEFAULTS);
    gb_set_items_processed(st, (int64_t)(a->batches * c->tasks));
}

void runner_body(gb_state *st, void *ctx)
{
    bench_case *c = ctx;
    char err[256];
    if (*c->env->stop) {
        gb_skip_with_error(st, "interrupted");
        return;
    }
    if (c->env->hung) {
        gb_skip_with_error(st, "interrupted: the run stopped after a thread worker hung past --tvp_task_timeout");
        return;
    }
    if (activate(c, err, sizeof err) < 0) {
        gb_skip_with_error(st, err);
        return;
    }
    run_acc a;
    memset(&a, 0, sizeof a);
    sample_reservoir_init(&a.lat, c->env->lat, RUNNER_LAT_CAP, SAMPLE_SEED);
    int rc = 0;
    if (c->wl->run_begin)
        c->wl->run_begin(c->env->active_shared);
    while (gb_keep_running(st)) {
        pool_batch b;
        if (c->wl->batch_begin)
            c->wl->batch_begin(c->env->active_shared, c->tasks);
        rc = pool_run(c->env->active_pool, c->tasks, &b);
        if (rc < 0)
            break;
        gb_set_iteration_time(st, (double)b.wall_ns / 1e9);
        collect_batch(c, &a, &b);
    }
    if (rc == -ETIMEDOUT) {
        /* A thread is stuck in a task: it keeps using the pool's and the workload's memory, so
         * neither is freed; the remaining benchmarks are skipped and the process ends soon. */
        pool_destroy(c->env->active_pool);
        c->env->active_pool = NULL;
        c->env->active = NULL;
        c->env->hung = true;
        snprintf(err, sizeof err, "a task ran past --tvp_task_timeout=%u ms; %s workers cannot be killed, "
                 "so the run stops here", c->env->task_timeout_ms, pool_executor_name(c->exec));
        gb_skip_with_error(st, err);
        return;
    }
    /* A batch that went wrong once the run was told to stop was cut short by the stop (a
     * group-wide signal also reaches workers and the delay server): interrupted, with the reason. */
    bool stopping = *c->env->stop != 0;
    if (rc < 0) {
        /* The pool is in an unknown state: the next call builds a new one. */
        runner_release(c->env);
        snprintf(err, sizeof err, "%s%s", stopping && rc != -EINTR ? "interrupted: " : "",
                 rc == -EINTR    ? "interrupted"
                 : rc == -ECHILD ? "workers kept dying: respawn budget used up"
                                 : strerror(-rc));
        gb_skip_with_error(st, err);
        return;
    }
    if (a.failed) {
        snprintf(err, sizeof err, "%s%llu of %llu tasks failed; first: %s", stopping ? "interrupted: " : "",
                 (unsigned long long)a.failed, (unsigned long long)(a.batches * c->tasks), a.detail);
        gb_skip_with_error(st, err);
        return;
    }
    set_counters(st, c, &a);
}

gb_bench *runner_configure(gb_bench *b) { return gb_unit(gb_use_manual_time(b), GB_MS); }
