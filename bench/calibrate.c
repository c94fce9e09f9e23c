/* calibrate.c: measures the parallel CPU capacity, clock cost, sleep floor and background load of a run. */
#include "calibrate.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "metrics.h"
#include "stats.h"

#define KERNEL_STEPS 2048         /* one unit of the CPU kernel: ~5-10 us */
#define ROUNDS 3
#define PHASE_NS 100000000ull     /* each single or parallel phase */
#define SLEEP_WINDOW_NS 250000000ull
#define SLEEP_DEFAULT_WINDOW_NS 100000000ull
#define SLEEP_MAX_SAMPLES 8000
#define CLOCK_BATCH 20000
#define CLOCK_BATCHES 5
#define WORST_SHOWN 3

/* The q-quantile (0..1, type 7) of v[0..n-1]; NaN when n is 0. */
static double quantile(const double *v, size_t n, double q)
{
    double out;
    return stats_quantile(v, n, q, &out) == 0 ? out : NAN;
}

/* ---- /proc readers ---- */

typedef struct cpu_ticks {
    unsigned long long busy, steal, total;
} cpu_ticks;

/* The aggregate "cpu" line of /proc/stat: busy = user+nice+system+irq+softirq (guest time is
 * inside user), total = everything but guest. */
static int read_stat(cpu_ticks *out)
{
    FILE *f = fopen("/proc/stat", "re");
    if (!f)
        return -errno;
    unsigned long long v[8] = {0};
    int n = fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5],
                   &v[6], &v[7]);
    fclose(f);
    if (n < 4)
        return -ENODATA;
    out->busy = v[0] + v[1] + v[2] + v[5] + v[6];
    out->steal = v[7];
    out->total = 0;
    for (int i = 0; i < 8; i++)
        out->total += v[i];
    return 0;
}

static void read_loadavg(double *l1, double *l5)
{
    *l1 = *l5 = NAN;
    FILE *f = fopen("/proc/loadavg", "re");
    if (!f)
        return;
    if (fscanf(f, "%lf %lf", l1, l5) != 2)
        *l1 = *l5 = NAN;
    fclose(f);
}

static uint64_t process_cpu_ns(void)
{
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) < 0)
        return 0;
    return (uint64_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000000u +
           (uint64_t)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000u;
}

/* ---- the CPU kernel ---- */

static uint64_t kernel_unit(uint64_t x)
{
    for (int i = 0; i < KERNEL_STEPS; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x *= 0x9E3779B97F4A7C15ull;
    }
    return x;
}

/* Where the burner threads meet: each reports itself bound, then waits for the start. */
typedef struct gate {
    pthread_mutex_t mx;
    pthread_cond_t cv;
    unsigned bound;
    bool released, abort;
    uint64_t start_ns, end_ns;
} gate;

typedef struct burner {
    const pin_topo *t;
    int cpu;
    gate *g;
    double rate;   /* units per second over [start, end] */
    uint64_t sink;
    int rc;
} burner;

static void *burner_main(void *arg)
{
    burner *b = arg;
    gate *g = b->g;
    b->rc = pin_bind_self(b->t, b->cpu);
    pthread_mutex_lock(&g->mx);
    g->bound++;
    pthread_cond_broadcast(&g->cv);
    while (!g->released)
        pthread_cond_wait(&g->cv, &g->mx);
    bool abort = g->abort;
    uint64_t start = g->start_ns, end = g->end_ns;
    pthread_mutex_unlock(&g->mx);
    if (abort)
        return NULL;
    struct timespec ts = {.tv_sec = (time_t)(start / 1000000000u), .tv_nsec = (long)(start % 1000000000u)};
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
        ;
    uint64_t x = 0x1234567ull + (uint64_t)b->cpu, units = 0, now;
    do {
        x = kernel_unit(x);
        units++;
        now = metrics_now_ns();
    } while (now < end);
    /* Counted from the common start: a thread the machine did not run for a while did less. */
    b->rate = (double)units / ((double)(now - start) / 1e9);
    b->sink = x;
    return NULL;
}

/* Runs the kernel on each of cpus[0..n-1] at once for PHASE_NS; rates[i] per thread. */
static int burn_phase(const pin_topo *t, const int *cpus, unsigned n, double *rates)
{
    pthread_t *th = calloc(n, sizeof *th);
    burner *b = calloc(n, sizeof *b);
    gate g = {.bound = 0};
    if (!th || !b) {
        free(th);
        free(b);
        return -ENOMEM;
    }
    pthread_mutex_init(&g.mx, NULL);
    pthread_cond_init(&g.cv, NULL);
    unsigned started = 0;
    int rc = 0;
    for (; started < n; started++) {
        b[started] = (burner){.t = t, .cpu = cpus[started], .g = &g};
        if ((rc = -pthread_create(&th[started], NULL, burner_main, &b[started])) < 0)
            break;
    }
    pthread_mutex_lock(&g.mx);
    while (rc == 0 && g.bound < n)
        pthread_cond_wait(&g.cv, &g.mx);
    g.start_ns = metrics_now_ns() + 2000000u; /* every thread asleep until the same instant */
    g.end_ns = g.start_ns + PHASE_NS;
    g.abort = rc < 0;
    g.released = true;
    pthread_cond_broadcast(&g.cv);
    pthread_mutex_unlock(&g.mx);
    for (unsigned i = 0; i < started; i++) {
        pthread_join(th[i], NULL);
        rates[i] = b[i].rate;
        if (b[i].rc < 0 && rc == 0)
            rc = b[i].rc;
    }
    pthread_cond_destroy(&g.cv);
    pthread_mutex_destroy(&g.mx);
    free(th);
    free(b);
    return rc;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median3(double *v, size_t n)
{
    qsort(v, n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static int measure_capacity(const pin_topo *t, calib *c)
{
    pin_plan plan;
    unsigned n = pin_topo_pus(t);
    int rc = pin_plan_make(t, PIN_COMPACT, n, &plan);
    if (rc < 0)
        return rc;
    double *rates = calloc(n, sizeof *rates);
    double single[ROUNDS], parallel[ROUNDS];
    c->pu_share_min = INFINITY;
    c->pu_share_max = 0;
    double *shares = calloc((size_t)n * ROUNDS, sizeof *shares);
    if (!rates || !shares)
        rc = -ENOMEM;
    for (int r = 0; r < ROUNDS && rc == 0; r++) {
        if ((rc = burn_phase(t, plan.cpu, 1, &single[r])) < 0)
            break;
        if ((rc = burn_phase(t, plan.cpu, n, rates)) < 0)
            break;
        parallel[r] = 0;
        for (unsigned i = 0; i < n; i++) {
            parallel[r] += rates[i];
            shares[(size_t)r * n + i] = rates[i];
        }
    }
    if (rc == 0) {
        c->rounds = ROUNDS;
        c->single_rate = median3(single, ROUNDS);
        c->parallel_rate = median3(parallel, ROUNDS);
        c->capacity_cpus = c->single_rate > 0 ? c->parallel_rate / c->single_rate : NAN;
        for (size_t i = 0; i < (size_t)n * ROUNDS; i++) {
            double s = c->single_rate > 0 ? shares[i] / c->single_rate : NAN;
            c->pu_share_min = s < c->pu_share_min ? s : c->pu_share_min;
            c->pu_share_max = s > c->pu_share_max ? s : c->pu_share_max;
        }
    }
    free(rates);
    free(shares);
    pin_plan_free(&plan);
    return rc;
}

/* ---- clock and sleep floors ---- */

static double measure_clock_ns(void)
{
    double per[CLOCK_BATCHES];
    for (int b = 0; b < CLOCK_BATCHES; b++) {
        struct timespec ts;
        uint64_t t0 = metrics_now_ns();
        for (int i = 0; i < CLOCK_BATCH; i++)
            clock_gettime(CLOCK_MONOTONIC, &ts);
        per[b] = (double)(metrics_now_ns() - t0) / CLOCK_BATCH;
    }
    return median3(per, CLOCK_BATCHES);
}

typedef struct sleeper {
    uint64_t slack_ns, window_ns;
    double p50, p99;
    int rc;
} sleeper;

/* nanosleep(1 us) again and again for the window, with the given slack (this thread's only). */
static void *sleeper_main(void *arg)
{
    sleeper *s = arg;
    s->p50 = s->p99 = NAN;
    double *v = malloc(SLEEP_MAX_SAMPLES * sizeof *v);
    if (!v) {
        s->rc = -ENOMEM;
        return NULL;
    }
    if ((s->rc = metrics_timer_slack_set(s->slack_ns)) < 0) {
        free(v);
        return NULL;
    }
    size_t n = 0;
    uint64_t end = metrics_now_ns() + s->window_ns;
    const struct timespec one_us = {0, 1000};
    while (n < SLEEP_MAX_SAMPLES) {
        uint64_t t0 = metrics_now_ns();
        nanosleep(&one_us, NULL);
        uint64_t t1 = metrics_now_ns();
        v[n++] = ((double)(t1 - t0) - 1000.0) / 1e3;
        if (t1 >= end)
            break;
    }
    s->p50 = quantile(v, n, 0.50);
    s->p99 = quantile(v, n, 0.99);
    free(v);
    return NULL;
}

static int measure_sleep(uint64_t slack_ns, uint64_t window_ns, double *p50, double *p99)
{
    sleeper s = {.slack_ns = slack_ns, .window_ns = window_ns};
    pthread_t th;
    int rc = pthread_create(&th, NULL, sleeper_main, &s);
    if (rc)
        return -rc;
    pthread_join(th, NULL);
    *p50 = s.p50;
    *p99 = s.p99;
    return s.rc;
}

int calibrate_run(const pin_topo *t, uint64_t timer_slack_ns, calib *out)
{
    if (!t || !out || pin_topo_pus(t) == 0)
        return -EINVAL;
    memset(out, 0, sizeof *out);
    calib *c = out;
    uint64_t t_begin = metrics_now_ns();
    c->usable_cpus = pin_topo_pus(t);
    c->timer_slack_ns = timer_slack_ns;
    read_loadavg(&c->loadavg1, &c->loadavg5);
    cpu_ticks s0 = {0}, q0 = {0}, q1 = {0}, s1 = {0};
    bool have_stat = read_stat(&s0) == 0;

    c->clock_ns = measure_clock_ns();

    /* The quiet part: we mostly sleep, so what the machine was busy with is someone else's. */
    uint64_t w0 = metrics_now_ns(), own0 = process_cpu_ns();
    have_stat = have_stat && read_stat(&q0) == 0;
    int rc = measure_sleep(timer_slack_ns, SLEEP_WINDOW_NS, &c->sleep_floor_us_p50, &c->sleep_floor_us_p99);
    if (rc == 0)
        rc = measure_sleep(CALIBRATE_DEFAULT_SLACK_NS, SLEEP_DEFAULT_WINDOW_NS, &c->sleep_default_us_p50,
                           &c->sleep_default_us_p99);
    have_stat = have_stat && read_stat(&q1) == 0;
    uint64_t w1 = metrics_now_ns(), own1 = process_cpu_ns();
    if (rc < 0)
        return rc;
    long hz = sysconf(_SC_CLK_TCK);
    c->background_cpus = NAN;
    if (have_stat && hz > 0 && w1 > w0) {
        double busy_s = (double)(q1.busy - q0.busy) / (double)hz - (double)(own1 - own0) / 1e9;
        c->background_cpus = busy_s > 0 ? busy_s / ((double)(w1 - w0) / 1e9) : 0;
    }

    if ((rc = measure_capacity(t, c)) < 0)
        return rc;

    c->steal_pct = NAN;
    if (have_stat && read_stat(&s1) == 0 && s1.total > s0.total)
        c->steal_pct = 100.0 * (double)(s1.steal - s0.steal) / (double)(s1.total - s0.total);
    c->duration_s = (double)(metrics_now_ns() - t_begin) / 1e9;
    return 0;
}

/* ---- output ---- */

static json_t *num(double v) { return isfinite(v) ? json_real(v) : json_null(); }

json_t *calibrate_json(const calib *c)
{
    if (!c)
        return NULL;
    json_t *o = json_object();
    if (!o)
        return NULL;
    struct {
        const char *key;
        json_t *v;
    } kv[] = {
        {"usable_cpus", json_integer(c->usable_cpus)},
        {"capacity_cpus", num(c->capacity_cpus)},
        {"single_rate_per_s", num(c->single_rate)},
        {"parallel_rate_per_s", num(c->parallel_rate)},
        {"pu_share_min", num(c->pu_share_min)},
        {"pu_share_max", num(c->pu_share_max)},
        {"rounds", json_integer(c->rounds)},
        {"phase_s", json_real((double)PHASE_NS / 1e9)},
        {"kernel", json_string("xorshift64 + multiply chain, 2048 steps per unit, registers only")},
        {"clock_ns", num(c->clock_ns)},
        {"timer_slack_ns", json_integer((json_int_t)c->timer_slack_ns)},
        {"sleep_floor_us_p50", num(c->sleep_floor_us_p50)},
        {"sleep_floor_us_p99", num(c->sleep_floor_us_p99)},
        {"default_timer_slack_ns", json_integer(CALIBRATE_DEFAULT_SLACK_NS)},
        {"sleep_default_slack_us_p50", num(c->sleep_default_us_p50)},
        {"sleep_default_slack_us_p99", num(c->sleep_default_us_p99)},
        {"loadavg1", num(c->loadavg1)},
        {"loadavg5", num(c->loadavg5)},
        {"background_cpus", num(c->background_cpus)},
        {"steal_pct", num(c->steal_pct)},
        {"duration_s", num(c->duration_s)},
    };
    for (size_t i = 0; i < sizeof kv / sizeof kv[0]; i++) {
        if (!kv[i].v || json_object_set_new(o, kv[i].key, kv[i].v) < 0) {
            for (size_t j = i + 1; j < sizeof kv / sizeof kv[0]; j++)
                json_decref(kv[j].v);
            json_decref(o);
            return NULL;
        }
    }
    return o;
}

void calibrate_print(const calib *c, FILE *f)
{
    if (!c)
        return;
    fprintf(f, "calibration: the machine gave %.2f of %u CPUs (each PU %.2f-%.2f of one alone); clock %.0f ns; "
               "sleep floor p50 %.0f us, p99 %.0f us with %llu ns timer slack (p50 %.0f us with the default 50 us)\n",
            c->capacity_cpus, c->usable_cpus, c->pu_share_min, c->pu_share_max, c->clock_ns, c->sleep_floor_us_p50,
            c->sleep_floor_us_p99, (unsigned long long)c->timer_slack_ns, c->sleep_default_us_p50);
    fprintf(f, "             load %.2f (1 min), others used %.2f CPUs, steal %.1f%%; calibration took %.1f s\n",
            c->loadavg1, c->background_cpus, c->steal_pct, c->duration_s);
}

typedef struct noisy {
    const char *name;
    double cv;
} noisy;

static int by_cv_desc(const void *a, const void *b)
{
    double x = ((const noisy *)a)->cv, y = ((const noisy *)b)->cv;
    return (x < y) - (x > y);
}

static int cv_warning(const results_table *t, FILE *f)
{
    size_t total = 0, n_noisy = 0;
    noisy worst[WORST_SHOWN + 1];
    for (size_t i = 0; i < t->n_rows; i++) {
        const char *st = results_table_get(t, i, "status"), *wall = results_table_get(t, i, "wall_s_cv");
        if (!st || strcmp(st, "ok") != 0 || !wall)
            continue;
        total++;
        double cv = strtod(wall, NULL);
        if (!(cv > CALIBRATE_CV_WARN))
            continue;
        const char *name = results_table_get(t, i, "benchmark");
        noisy x = {name ? name : "?", cv};
        if (n_noisy < WORST_SHOWN)
            worst[n_noisy] = x;
        else {
            worst[WORST_SHOWN] = x;
            qsort(worst, WORST_SHOWN + 1, sizeof *worst, by_cv_desc);
        }
        n_noisy++;
        if (n_noisy <= WORST_SHOWN)
            qsort(worst, n_noisy, sizeof *worst, by_cv_desc);
    }
    if (!n_noisy)
        return 0;
    fprintf(f, "warning: %zu of %zu configurations had CV > %.0f%%: results are noisy; rerun with more "
               "--benchmark_repetitions or on a quieter machine (worst:",
            n_noisy, total, CALIBRATE_CV_WARN * 100);
    size_t shown = n_noisy < WORST_SHOWN ? n_noisy : WORST_SHOWN;
    for (size_t k = 0; k < shown; k++)
        fprintf(f, "%s %s %.0f%%", k ? "," : "", worst[k].name, worst[k].cv * 100);
    fprintf(f, ")\n");
    return 1;
}

int calibrate_warnings(const calib *c, const results_table *t, FILE *f)
{
    int n = 0;
    if (c && c->usable_cpus && !isfinite(c->capacity_cpus)) {
        fprintf(f, "warning: the parallel CPU capacity could not be measured: scaling results cannot be checked "
                   "against what the machine gave\n");
        n++;
    } else if (c && c->usable_cpus && c->capacity_cpus < CALIBRATE_CAPACITY_WARN * c->usable_cpus) {
        fprintf(f, "warning: the machine gave only %.2f of %u CPUs' worth of parallel work during calibration: "
                   "speedups and efficiencies are bounded by that, not by the executors (see capacity_cpus in "
                   "the meta file)\n", c->capacity_cpus, c->usable_cpus);
        n++;
    }
    if (c && c->background_cpus > CALIBRATE_BACKGROUND_WARN) {
        fprintf(f, "warning: other processes kept %.2f CPUs busy during calibration (load average %.2f): "
                   "results include their interference\n", c->background_cpus, c->loadavg1);
        n++;
    }
    if (c && c->steal_pct > CALIBRATE_STEAL_WARN) {
        fprintf(f, "warning: the hypervisor stole %.1f%% of the CPU time during calibration\n", c->steal_pct);
        n++;
    }
    if (t)
        n += cv_warning(t, f);
    return n;
}
