/* sched_bench.c: the scheduler microbenchmarks' names, configurations, Google Benchmark body and rows. */
#include "sched_bench.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "array.h"
#include "metrics.h"
#include "sample.h"
#include "sched_internal.h"

/* ---- names ---- */

static const char *const group_names[SCHED_GROUP_COUNT] = {"spawn", "pingpong", "wakeup", "dispatch"};
static const char *const spawn_names[SCHED_SPAWN_COUNT] = {"pthread", "fork", "vfork", "posix_spawn"};
static const char *const channel_names[SCHED_CHAN_COUNT] = {"pipe", "futex", "eventfd", "condvar"};
static const char *const cpus_names[SCHED_CPUS_COUNT] = {"none", "same", "different"};

const char *sched_group_name(sched_group g) { return (unsigned)g < SCHED_GROUP_COUNT ? group_names[g] : "?"; }
const char *sched_spawn_name(sched_spawn_method m) { return (unsigned)m < SCHED_SPAWN_COUNT ? spawn_names[m] : "?"; }
const char *sched_channel_name(sched_channel c) { return (unsigned)c < SCHED_CHAN_COUNT ? channel_names[c] : "?"; }
const char *sched_cpus_name(sched_cpus c) { return (unsigned)c < SCHED_CPUS_COUNT ? cpus_names[c] : "?"; }

const char *sched_group_list(char *buf, size_t len)
{
    size_t off = 0;
    buf[0] = '\0';
    for (int g = 0; g < SCHED_GROUP_COUNT && off < len; g++)
        off += (size_t)snprintf(buf + off, len - off, "%s%s", g ? " " : "", group_names[g]);
    return buf;
}

int sched_group_parse(const char *list, bool on[SCHED_GROUP_COUNT])
{
    if (!list || !*list || !on)
        return -EINVAL;
    if (strcmp(list, "none") == 0 || strcmp(list, "all") == 0) {
        for (int g = 0; g < SCHED_GROUP_COUNT; g++)
            on[g] = list[0] == 'a';
        return 0;
    }
    bool want[SCHED_GROUP_COUNT] = {false};
    const char *p = list;
    for (;;) {
        size_t len = strcspn(p, ",");
        int g = 0;
        while (g < SCHED_GROUP_COUNT && !(strlen(group_names[g]) == len && strncmp(p, group_names[g], len) == 0))
            g++;
        if (g == SCHED_GROUP_COUNT)
            return -EINVAL; /* unknown, empty, or "none"/"all" inside a list */
        want[g] = true;
        if (!p[len])
            break;
        p += len + 1;
    }
    memcpy(on, want, sizeof want);
    return 0;
}

/* Every profile runs every group: with quick's 1 repetition of 0.05 s they take about 3 s in all
 * on 2 vCPUs (default: ~26 s, full: see sched_print_times), and CI gates on them. */
void sched_group_defaults(cli_profile p, bool on[SCHED_GROUP_COUNT])
{
    (void)p;
    for (int g = 0; g < SCHED_GROUP_COUNT; g++)
        on[g] = true;
}

/* ---- Google Benchmark cases ---- */

struct sched_set {
    sched_case *cases;
    size_t n, cap;
    const pin_topo *topo;
    volatile sig_atomic_t *stop;
    char true_path[PATH_MAX];
    uint64_t group_ns[SCHED_GROUP_COUNT];
    double *lat;       /* SCHED_LAT_CAP: the run's reservoir */
    double *batch_lat; /* SCHED_BATCH_MAX: one call's samples */
};

static int case_add(sched_set *s, const sched_case *proto)
{
    sched_case *cases = array_grow(s->cases, s->n, &s->cap, sizeof *cases, 32);
    if (!cases)
        return -ENOMEM;
    s->cases = cases;
    sched_case *c = &s->cases[s->n++];
    *c = *proto;
    c->set = s;
    switch (c->group) {
    case SCHED_GROUP_SPAWN: {
        int off = snprintf(c->name, sizeof c->name, "sched/spawn/%s", sched_spawn_name(c->method));
        if (c->method == SCHED_SPAWN_FORK)
            off += snprintf(c->name + off, sizeof c->name - (size_t)off, "/heap_kib:%zu", c->heap_kib);
        if (c->cpus != SCHED_CPUS_NONE)
            snprintf(c->name + off, sizeof c->name - (size_t)off, "/cpus:%s", sched_cpus_name(c->cpus));
        c->executor = c->method == SCHED_SPAWN_PTHREAD ? EXEC_THREADS : EXEC_PROCESSES;
        break;
    }
    case SCHED_GROUP_PINGPONG:
        snprintf(c->name, sizeof c->name, "sched/pingpong/%s/%s/cpus:%s", sched_channel_name(c->channel),
                 pool_executor_name(c->executor), sched_cpus_name(c->cpus));
        break;
    case SCHED_GROUP_DISPATCH:
        snprintf(c->name, sizeof c->name, "sched/dispatch/%s/workers:%u/batch:%u", pool_executor_name(c->executor),
                 c->workers, c->batch);
        break;
    default:
        snprintf(c->name, sizeof c->name, "sched/wakeup/%s/cpus:%s", pool_executor_name(c->executor),
                 sched_cpus_name(c->cpus));
        break;
    }
    return 0;
}

/* One floor per pool executor that is on and per worker count of the matrix, with noop's tasks
 * per batch (at most SCHED_BATCH_MAX per push). */
static int build_dispatch(sched_set *s, const cli_opts *o)
{
    const workload *noop = workload_find("noop");
    uint32_t batch = o->tasks ? o->tasks : noop ? noop->default_tasks : 2000;
    if (batch > SCHED_BATCH_MAX)
        batch = SCHED_BATCH_MAX;
    int rc = 0;
    for (int e = EXEC_THREADS; e <= EXEC_PROCESSES && rc == 0; e++) {
        if (!o->exec_on[e])
            continue;
        for (size_t w = 0; w < o->n_workers && rc == 0; w++) {
            sched_case c = {.group = SCHED_GROUP_DISPATCH, .executor = (pool_executor)e, .workers = o->workers[w],
                            .batch = batch, .cpus = SCHED_CPUS_NONE};
            rc = case_add(s, &c);
        }
    }
    return rc;
}

static int build_cases(sched_set *s, const cli_opts *o, const bool on[SCHED_GROUP_COUNT])
{
    bool full = o->profile == PROFILE_FULL;
    int rc = 0;
    if (on[SCHED_GROUP_SPAWN]) {
        /* The fork heap sweep, KiB the spawner touches first: fork's cost against the parent's
         * resident memory (quick: the ends; full adds 1 GiB). */
        static const size_t quick_heaps[] = {0, 65536}, heaps[] = {0, 16384, 65536, 262144, 1048576};
        bool quick = o->profile == PROFILE_QUICK;
        const size_t *sweep = quick ? quick_heaps : heaps;
        size_t n_sweep = quick ? SCHED_N(quick_heaps) : full ? SCHED_N(heaps) : SCHED_N(heaps) - 1;
        for (int cp = 0; cp < (full ? 2 : 1) && rc == 0; cp++) {
            sched_cpus cpus = cp ? SCHED_CPUS_SAME : SCHED_CPUS_NONE;
            for (int m = 0; m < SCHED_SPAWN_COUNT && rc == 0; m++) {
                size_t nh = m != SCHED_SPAWN_FORK || cp ? 1 : n_sweep;
                for (size_t h = 0; h < nh && rc == 0; h++) {
                    sched_case c = {.group = SCHED_GROUP_SPAWN, .method = (sched_spawn_method)m,
                                    .heap_kib = sweep[h], .cpus = cpus};
                    rc = case_add(s, &c);
                }
            }
        }
    }
    if (on[SCHED_GROUP_PINGPONG]) {
        int n_chan = full ? SCHED_CHAN_COUNT : SCHED_CHAN_CONDVAR;
        static const sched_cpus order[] = {SCHED_CPUS_SAME, SCHED_CPUS_DIFFERENT, SCHED_CPUS_NONE};
        for (int ch = 0; ch < n_chan && rc == 0; ch++)
            for (int e = EXEC_THREADS; e <= EXEC_PROCESSES && rc == 0; e++)
                for (size_t k = 0; k < SCHED_N(order) && rc == 0; k++) {
                    sched_case c = {.group = SCHED_GROUP_PINGPONG, .channel = (sched_channel)ch,
                                    .executor = (pool_executor)e, .cpus = order[k]};
                    rc = case_add(s, &c);
                }
    }
    if (on[SCHED_GROUP_WAKEUP]) {
        static const sched_cpus order[] = {SCHED_CPUS_NONE, SCHED_CPUS_SAME, SCHED_CPUS_DIFFERENT};
        for (int e = EXEC_THREADS; e <= EXEC_PROCESSES && rc == 0; e++)
            for (size_t k = 0; k < (full ? SCHED_N(order) : 1) && rc == 0; k++) {
                sched_case c = {.group = SCHED_GROUP_WAKEUP, .executor = (pool_executor)e, .cpus = order[k],
                                .channel = SCHED_CHAN_FUTEX};
                rc = case_add(s, &c);
            }
    }
    if (on[SCHED_GROUP_DISPATCH] && rc == 0)
        rc = build_dispatch(s, o);
    return rc;
}

/* One benchmark run's accumulators. */
typedef struct body_acc {
    uint64_t ops, total_ns, max_ns, cpu_ns, ctx_vol, ctx_invol, same_cpu_ops;
    sample_reservoir lat; /* per-op times (us) in the set's SCHED_LAT_CAP buffer */
    uint64_t cpus_seen;   /* bit per CPU (first 64) the sides were seen on */
} body_acc;

/* Folds one call's result in, keeping a uniform sample of per-op times. */
static void acc_add(body_acc *a, const sched_result *r)
{
    a->ops += r->ops;
    a->total_ns += r->total_ns;
    a->max_ns = r->max_ns > a->max_ns ? r->max_ns : a->max_ns;
    a->cpu_ns += r->cpu_ns;
    a->ctx_vol += r->ctx_vol;
    a->ctx_invol += r->ctx_invol;
    a->same_cpu_ops += r->same_cpu_ops;
    for (int k = 0; k < 2; k++)
        if (r->cpu[k] >= 0 && r->cpu[k] < 64)
            a->cpus_seen |= 1ull << r->cpu[k];
    for (uint32_t i = 0; i < r->ops; i++)
        sample_reservoir_add(&a->lat, r->lat_ns[i] / 1e3);
}

static void set_counters(gb_state *st, sched_set *s, const sched_case *c, body_acc *a, const int cpu[2])
{
    double ops = (double)a->ops, total_s = (double)a->total_ns / 1e9;
    gb_counter_set(st, "tasks_per_s", total_s > 0 ? ops / total_s : 0, GB_COUNTER_DEFAULTS);
    gb_counter_set(st, "lat_p50_us", sample_reservoir_quantile(&a->lat, 0.50), GB_COUNTER_DEFAULTS);
    gb_counter_set(st, "lat_p90_us", sample_reservoir_quantile(&a->lat, 0.90), GB_COUNTER_DEFAULTS);
    gb_counter_set(st, "lat_p99_us", sample_reservoir_quantile(&a->lat, 0.99), GB_COUNTER_DEFAULTS);
    gb_counter_set(st, "lat_max_us", (double)a->max_ns / 1e3, GB_COUNTER_DEFAULTS);
    gb_counter_set(st, "cpu_s", (double)a->cpu_ns / 1e9 / ops, GB_COUNTER_DEFAULTS);
    if (c->group != SCHED_GROUP_WAKEUP) /* a wakeup's time is its latency, not the time the CPU was used in */
        gb_counter_set(st, "cpu_util", a->total_ns ? (double)a->cpu_ns / (double)a->total_ns : 0, GB_COUNTER_DEFAULTS);
    gb_counter_set(st, "ctx_vol", (double)a->ctx_vol / ops, GB_COUNTER_DEFAULTS);
    gb_counter_set(st, "ctx_invol", (double)a->ctx_invol / ops, GB_COUNTER_DEFAULTS);
    if (a->cpus_seen)
        gb_counter_set(st, "cpus_used", (double)__builtin_popcountll(a->cpus_seen), GB_COUNTER_DEFAULTS);
    if (c->group == SCHED_GROUP_PINGPONG || c->group == SCHED_GROUP_WAKEUP)
        gb_counter_set(st, "same_cpu_frac", (double)a->same_cpu_ops / ops, GB_COUNTER_DEFAULTS);
    gb_set_items_processed(st, (int64_t)a->ops);
    char label[PATH_MAX + 16];
    if (c->group == SCHED_GROUP_SPAWN && c->method == SCHED_SPAWN_POSIX_SPAWN) {
        snprintf(label, sizeof label, "spawns %s", s->true_path); /* tvp-true (static) or /bin/true */
        gb_set_label(st, label);
    } else if (c->group != SCHED_GROUP_DISPATCH && (c->group != SCHED_GROUP_SPAWN || c->cpus != SCHED_CPUS_NONE)) {
        snprintf(label, sizeof label, "last ran on cpu %d and %d", cpu[0], cpu[1]);
        gb_set_label(st, label);
    }
}

/* Why a case cannot run here, or NULL. */
static const char *precheck(const sched_case *c, char *buf, size_t len)
{
    if (c->cpus == SCHED_CPUS_DIFFERENT && pin_topo_pus(c->set->topo) < 2)
        return "needs 2 usable CPUs";
    uint64_t avail = 0;
    if (c->heap_kib && metrics_proc_kib("/proc/meminfo", "MemAvailable", &avail) == 0 &&
        avail < 2 * (uint64_t)c->heap_kib) {
        snprintf(buf, len, "needs %zu MiB of available memory (%llu MiB available)", 2 * c->heap_kib / 1024,
                 (unsigned long long)(avail / 1024));
        return buf;
    }
    return NULL;
}

static int measure_case(sched_case *c, sched_dispatch_team *team, uint32_t n, sched_result *r)
{
    sched_set *s = c->set;
    if (c->group == SCHED_GROUP_DISPATCH)
        return sched_measure_dispatch(team, n, r);
    if (c->group == SCHED_GROUP_SPAWN) {
        sched_spawn_cfg cfg = {.method = c->method, .program = s->true_path, .heap_kib = c->heap_kib,
                               .cpus = c->cpus, .topo = s->topo};
        return sched_measure_spawn(&cfg, n, r);
    }
    sched_pair_cfg cfg = {.channel = c->channel, .executor = c->executor, .cpus = c->cpus, .topo = s->topo};
    return c->group == SCHED_GROUP_PINGPONG ? sched_measure_pingpong(&cfg, n, r) : sched_measure_wakeup(&cfg, n, r);
}

static void body_run(gb_state *st, sched_case *c)
{
    sched_set *s = c->set;
    char buf[160];
    const char *why = precheck(c, buf, sizeof buf);
    if (s->stop && *s->stop)
        why = "interrupted";
    if (why) {
        gb_skip_with_error(st, why);
        return;
    }
    int rc = 0; /* a spawn case's heap is tvp-spawner's: it touches heap_kib itself */
    sched_dispatch_team *team = NULL;
    if (c->group == SCHED_GROUP_DISPATCH &&
        (rc = sched_dispatch_start(c->executor, c->workers, c->batch, &team, buf, sizeof buf)) < 0) {
        gb_skip_with_error(st, buf[0] ? buf : strerror(-rc));
        return;
    }
    /* A dispatch call is one push of `batch` tasks, as a noop batch is. */
    uint32_t call_max = c->group == SCHED_GROUP_DISPATCH ? c->batch : SCHED_BATCH_MAX;
    body_acc a;
    memset(&a, 0, sizeof a);
    sample_reservoir_init(&a.lat, s->lat, SCHED_LAT_CAP, SAMPLE_SEED);
    int cpu[2] = {-1, -1};
    int64_t done = 0;
    for (;;) {
        int64_t left = gb_max_iterations(st) - done;
        uint32_t batch = left < 1 ? 1 : left > (int64_t)call_max ? call_max : (uint32_t)left;
        if (!gb_keep_running_batch(st, batch))
            break;
        done += batch;
        sched_result r = {.lat_ns = s->batch_lat};
        if ((rc = measure_case(c, team, batch, &r)) < 0) {
            gb_skip_with_error(st, r.detail[0] ? r.detail : strerror(-rc));
            break;
        }
        gb_set_iteration_time(st, (double)r.total_ns / 1e9);
        acc_add(&a, &r);
        cpu[0] = r.cpu[0];
        cpu[1] = r.cpu[1];
        if (s->stop && *s->stop) {
            gb_skip_with_error(st, "interrupted");
            break;
        }
    }
    sched_dispatch_stop(team);
    if (!gb_error_occurred(st) && a.ops)
        set_counters(st, s, c, &a, cpu);
}

void sched_body(gb_state *st, void *ctx)
{
    sched_case *c = ctx;
    uint64_t t0 = metrics_now_ns();
    body_run(st, c);
    c->set->group_ns[c->group] += metrics_now_ns() - t0;
    c->body_calls++;
}

gb_bench *sched_configure(gb_bench *b, const sched_case *c)
{
    b = gb_unit(gb_use_manual_time(b), GB_US);
    /* A wakeup's manual time is its latency, a few us of a ~120 us cycle: a min time would
     * mean 30x as much wall time, so wakeups run a fixed count whatever the flags say. */
    if (c->group == SCHED_GROUP_WAKEUP)
        b = gb_iterations(b, SCHED_WAKEUP_ITERS);
    return b;
}

int sched_build(const cli_opts *o, const pin_topo *t, const bool on[SCHED_GROUP_COUNT],
                volatile sig_atomic_t *stop, sched_set **out)
{
    if (!o || !t || !on || !out)
        return -EINVAL;
    sched_set *s = calloc(1, sizeof *s);
    if (!s)
        return -ENOMEM;
    s->topo = t;
    s->stop = stop;
    if (sched_find_true(s->true_path, sizeof s->true_path) < 0)
        s->true_path[0] = '\0'; /* the posix_spawn case then fails with a reason */
    int rc = build_cases(s, o, on);
    if (rc == 0 && s->n) {
        s->lat = malloc(SCHED_LAT_CAP * sizeof *s->lat);
        s->batch_lat = malloc(SCHED_BATCH_MAX * sizeof *s->batch_lat);
        if (!s->lat || !s->batch_lat)
            rc = -ENOMEM;
    }
    if (rc < 0) {
        sched_set_free(s);
        return rc;
    }
    *out = s;
    return 0;
}

sched_case *sched_case_at(sched_set *s, size_t i) { return s && i < s->n ? &s->cases[i] : NULL; }

size_t sched_set_size(const sched_set *s) { return s ? s->n : 0; }

void sched_set_free(sched_set *s)
{
    if (!s)
        return;
    free(s->cases);
    free(s->lat);
    free(s->batch_lat);
    free(s);
}

double sched_group_seconds(const sched_set *s, sched_group g)
{
    return s && (unsigned)g < SCHED_GROUP_COUNT ? (double)s->group_ns[g] / 1e9 : 0;
}

void sched_print_times(const sched_set *s, FILE *f)
{
    if (!s || !s->n)
        return;
    fprintf(f, "sched:");
    const char *sep = " ";
    unsigned ran[SCHED_GROUP_COUNT] = {0};
    for (size_t i = 0; i < s->n; i++)
        ran[s->cases[i].group] += s->cases[i].body_calls > 0;
    for (int g = 0; g < SCHED_GROUP_COUNT; g++) {
        if (!ran[g])
            continue;
        fprintf(f, "%s%s %.1f s (%u configuration%s)", sep, group_names[g], (double)s->group_ns[g] / 1e9, ran[g],
                ran[g] == 1 ? "" : "s");
        sep = ", ";
    }
    if (*sep == ',')
        fprintf(f, " in the benchmark bodies\n");
    else
        fprintf(f, " no benchmark ran\n");
}

/* ---- tidy CSV rows ---- */

static void set_counter_col(results_table *t, size_t row, const gb_run *run, const char *name)
{
    results_table_set_num(t, row, name, gb_run_counter(run, name, NAN));
}

void sched_fill_row(results_table *t, size_t row, const gb_run *run, const sched_case *c)
{
    if (!t || !c || row >= t->n_rows)
        return;
    static const char *const workloads[SCHED_GROUP_COUNT] = {"sched_spawn", "sched_pingpong", "sched_wakeup",
                                                             "sched_dispatch"};
    results_table_set(t, row, "workload", workloads[c->group]);
    results_table_set(t, row, "executor", pool_executor_name(c->executor));
    results_table_set(t, row, "spawn", pool_spawn_name(c->group == SCHED_GROUP_SPAWN ? SPAWN_PER_TASK : SPAWN_POOL));
    results_table_set(t, row, "gil", "off");
    if (c->group == SCHED_GROUP_DISPATCH)
        results_table_setf(t, row, "workers", "%u", c->workers);
    else
        results_table_set(t, row, "workers", c->group == SCHED_GROUP_SPAWN ? "1" : "2");
    results_table_set(t, row, "pin", pin_policy_name(c->cpus == SCHED_CPUS_NONE ? PIN_NONE : PIN_COMPACT));
    results_table_set(t, row, "tasks", "1");
    bool over = c->group == SCHED_GROUP_DISPATCH && c->workers > pin_topo_pus(c->set->topo);
    results_table_set(t, row, "oversubscribed", over ? "yes" : "no");
    results_table_set(t, row, "cpus", sched_cpus_name(c->cpus));
    if (c->group == SCHED_GROUP_SPAWN) {
        results_table_set(t, row, "method", sched_spawn_name(c->method));
        results_table_setf(t, row, "heap_kib", "%zu", c->heap_kib);
    } else if (c->group == SCHED_GROUP_DISPATCH) {
        results_table_setf(t, row, "batch", "%u", c->batch);
    } else {
        results_table_set(t, row, "channel", sched_channel_name(c->channel));
    }
    if (!run || run->error)
        return;
    results_table_setf(t, row, "iterations", "%lld", (long long)run->iterations);
    static const char *const counters[] = {"tasks_per_s", "lat_p50_us", "lat_p90_us", "lat_p99_us", "cpu_s",
                                           "cpu_util", "ctx_vol", "ctx_invol", "cpus_used", "same_cpu_frac"};
    for (size_t i = 0; i < SCHED_N(counters); i++)
        set_counter_col(t, row, run, counters[i]);
}
