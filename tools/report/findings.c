/* findings.c: the page's findings, computed from the folded data and written as sentences (HTML list items). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
#include "results.h"

/* The configuration of a run matching the filters, at `workers` (0 = the largest). */
static const rpt_cfg *rpt_find(const rpt *r, size_t run, const char *workload, const char *params,
                               const char *executor, const char *spawn, const char *gil, long workers)
{
    const rpt_cfg *best = NULL;
    for (size_t i = 0; i < r->n_cfgs; i++) {
        const rpt_cfg *c = &r->cfgs[i];
        if (c->run != run || !rpt_main_view(r, c) || !rpt_eq(c->workload, workload) || !rpt_eq(c->params, params) ||
            !rpt_eq(c->executor, executor) || !rpt_eq(c->spawn, spawn) || !rpt_eq(c->gil, gil) || !rpt_has(c, M_WALL))
            continue;
        if (workers ? c->workers == workers : (!best || c->workers > best->workers))
            best = c;
    }
    return best;
}

static const char *rpt_verdict(double util)
{
    if (isnan(util))
        return NULL;
    return util >= 0.7 ? "CPU-bound" : util <= 0.3 ? "wait-bound" : "mixed";
}

/* "processes 1.96x, threads 1.97x, threads under the GIL 0.98x of serial" */
static void rpt_speedup_sentence(const rpt *r, FILE *f, size_t run, const rpt_panel *p, long w)
{
    static const struct {
        const char *exec, *spawn, *gil, *name;
    } parts[] = {{"processes", "pool", "off", "processes"},
                 {"threads", "pool", "off", "threads"},
                 {"threads", "pool", "on", "threads under the GIL"},
                 {"threads", "pool", "legacy", "threads under the legacy GIL"},
                 {"processes", "per-task", "off", "a process per task"},
                 {"threads", "per-task", "off", "a thread per task"}};
    int n = 0;
    for (size_t i = 0; i < sizeof parts / sizeof *parts; i++) {
        const rpt_cfg *c = rpt_find(r, run, p->workload, p->params, parts[i].exec, parts[i].spawn, parts[i].gil, w);
        if (!c || !rpt_has(c, M_SPEEDUP))
            continue;
        char x[32];
        rpt_fmt_x(c->v[M_SPEEDUP], x, sizeof x);
        fprintf(f, "%s%s <b>%s</b>", n ? ", " : "", parts[i].name, x);
        n++;
    }
    if (n)
        fputs(" of serial", f);
    else
        fputs("no parallel rows", f);
}

/* Whether row `i` of a run's CSV has every "name=value" of a panel's parameters. */
static bool rpt_row_in_panel(const results_table *t, size_t i, const char *params)
{
    char *dup = rpt_strdup(params), *save = NULL;
    bool in = true;
    for (char *tok = strtok_r(dup, " ", &save); tok && in; tok = strtok_r(NULL, " ", &save)) {
        char *eq = strchr(tok, '=');
        if (!eq)
            continue;
        *eq = '\0';
        const char *v = results_table_get(t, i, tok);
        in = v && strcmp(v, eq + 1) == 0;
    }
    free(dup);
    return in;
}

/* net: how many of the panel's ok rows (repetitions, the run's placement) had a delay server late
 * by a material part of the task time (server_limited, judged by tvp-bench), and where. Silent for
 * CSVs without the column (older runs). */
static void rpt_finding_net_server(const rpt *r, FILE *f, size_t run, const rpt_panel *p)
{
    const rpt_run *ru = &r->runs[run];
    results_table t;
    char err[256];
    if (results_table_read_csv(ru->csv, &t, err, sizeof err) < 0)
        return;
    size_t judged = 0, limited = 0, shown = 0;
    char where[512] = "", last[96] = "";
    for (size_t i = 0; results_table_col(&t, "server_limited") >= 0 && i < t.n_rows; i++) {
        const char *v = results_table_get(&t, i, "server_limited"), *pin = results_table_get(&t, i, "pin");
        if (!v || !rpt_eq(results_table_get(&t, i, "workload"), "net") || (ru->pin && !rpt_eq(pin, ru->pin)) ||
            !rpt_row_in_panel(&t, i, p->params))
            continue;
        judged++;
        if (strcmp(v, "yes") != 0)
            continue;
        limited++;
        const char *ex = results_table_get(&t, i, "executor"), *sp = results_table_get(&t, i, "spawn"),
                   *gil = results_table_get(&t, i, "gil"), *w = results_table_get(&t, i, "workers");
        char here[96];
        snprintf(here, sizeof here, "%s%s%s%s at %s", ex ? ex : "?", rpt_eq(sp, "per-task") ? " per-task" : "",
                 gil && !rpt_eq(gil, "off") ? " gil:" : "", gil && !rpt_eq(gil, "off") ? gil : "", w ? w : "?");
        if (strcmp(here, last) == 0) /* repetitions of one configuration: named once */
            continue;
        snprintf(last, sizeof last, "%s", here);
        size_t off = strlen(where);
        if (shown++ < 8)
            snprintf(where + off, sizeof where - off, "%s%s", off ? ", " : "", here);
        else if (shown == 9)
            snprintf(where + off, sizeof where - off, ", ...");
    }
    results_table_free(&t);
    if (!judged)
        return;
    if (!limited) {
        fprintf(f, " The delay server kept up in all %zu rows (server_limited=no).", judged);
        return;
    }
    fprintf(f, " The delay server was late by a material part of the task time in <b>%zu of %zu</b> rows (", limited,
            judged);
    rpt_html_esc(f, where);
    fputs(" workers; server_limited=yes): their efficiency measures the server as much as the executors.", f);
}

static void rpt_finding_workload(const rpt *r, FILE *f, size_t run, const rpt_panel *p)
{
    const rpt_run *ru = &r->runs[run];
    const rpt_cfg *serial = rpt_find(r, run, p->workload, p->params, "serial", "pool", "off", 0);
    double util = serial ? serial->v[M_UTIL] : NAN;
    const char *verdict = strcmp(p->workload, "noop") == 0 ? "dispatch-bound" : rpt_verdict(util);
    long w = 0;
    for (size_t i = 0; i < r->n_cfgs; i++) {
        const rpt_cfg *c = &r->cfgs[i];
        if (c->run == run && rpt_main_view(r, c) && !rpt_is_serial(c) && rpt_eq(c->workload, p->workload) &&
            rpt_eq(c->params, p->params) && c->workers > w)
            w = c->workers;
    }
    fputs("<li><b>", f);
    if (verdict && strcmp(verdict, "mixed") != 0)
        fprintf(f, "%s ", verdict);
    rpt_html_esc(f, p->workload);
    fputs("</b>", f);
    if (*p->params) {
        fputs(" (", f);
        rpt_html_esc(f, p->params);
        fputs(")", f);
    }
    fprintf(f, ", %ld workers: ", w);
    rpt_speedup_sentence(r, f, run, p, w);
    fputs(".", f);
    if (!isnan(util) && verdict && strcmp(p->workload, "noop") != 0) {
        fprintf(f, util < 0.1 ? " The serial run keeps %.3f CPU busy: " : " The serial run keeps %.2f CPU busy: ", util);
        if (util >= 0.7 && ru->usable > 0)
            fprintf(f, "the work competes for the %ld usable CPUs, so no executor can pass %ldx.", ru->usable,
                    ru->usable);
        else if (util >= 0.7)
            fputs("the work competes for the CPUs, so speedup stops at the CPU count.", f);
        else if (util <= 0.3)
            fputs("tasks mostly wait, so workers overlap their waits and speedup grows with workers "
                  "past the CPU count, for threads and processes alike.", f);
        else
            fputs("partly computing, partly waiting.", f);
    }
    rpt_verdict_best(r, f, run, p->workload, p->params); /* named only outside the noise (verdict.c) */
    if (strcmp(p->workload, "net") == 0)
        rpt_finding_net_server(r, f, run, p);
    fputs("</li>\n", f);
}

/* The dispatch floor's time per task (sched/dispatch: a row's wall_s is one task) for an executor
 * and worker count in a run, NAN when the run has none. */
static double rpt_dispatch_floor(const rpt *r, size_t run, const char *executor, long workers)
{
    for (size_t i = 0; i < r->n_cfgs; i++) {
        const rpt_cfg *c = &r->cfgs[i];
        if (c->run == run && rpt_eq(c->workload, "sched_dispatch") && rpt_eq(c->executor, executor) &&
            c->workers == workers && rpt_has(c, M_WALL))
            return c->v[M_WALL];
    }
    return NAN;
}

static void rpt_finding_dispatch(const rpt *r, FILE *f, size_t run)
{
    static const struct {
        const char *exec, *spawn, *name;
    } parts[] = {{"serial", "pool", "serial"},
                 {"threads", "pool", "thread pool"},
                 {"processes", "pool", "process pool"},
                 {"threads", "per-task", "a thread per task"},
                 {"processes", "per-task", "a process per task"}};
    int n = 0, floors = 0;
    for (size_t i = 0; i < sizeof parts / sizeof *parts; i++) {
        const rpt_cfg *c = rpt_find(r, run, "noop", "", parts[i].exec, parts[i].spawn, "off", 0);
        if (!c || !rpt_has(c, M_TPS))
            continue;
        char rate[32];
        rpt_fmt_rate(c->v[M_TPS], rate, sizeof rate);
        fprintf(f, "%s%s <b>%s tasks/s</b>", n ? ", " : "<li><b>Dispatch rate</b> (noop tasks, largest worker count): ",
                parts[i].name, rate);
        if (!rpt_is_serial(c))
            fprintf(f, " (%ld workers)", c->workers);
        double floor = strcmp(parts[i].spawn, "pool") == 0 ? rpt_dispatch_floor(r, run, c->executor, c->workers) : NAN;
        if (floor > 0 && c->tasks > 0) {
            fprintf(f, ", %.1fx the dispatch floor", c->v[M_WALL] / (double)c->tasks / floor);
            floors++;
        }
        n++;
    }
    if (n)
        fputs(". This is the ceiling on how many tasks per second an executor can hand out.", f);
    if (floors)
        fputs(" The dispatch floor (sched/dispatch, same run) hands empty tasks through the same shared memory "
              "with the same clock stamps and wakeups and a bare atomic index: the multiple is what tvp's own "
              "queue, slots and accounting add, so figures near 1 mean the other workloads measure the "
              "operating system, not the harness.", f);
    if (n)
        fputs("</li>\n", f);
}

static int rpt_cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The heap_kib of a run's unpinned sched/spawn/fork row ("heap_kib=65536 method=fork cpus=none"),
 * or -1 when c is not one with a time per op. */
static long rpt_spawner_fork_kib(const rpt_cfg *c, size_t run)
{
    if (c->run != run || !rpt_eq(c->workload, "sched_spawn") || !rpt_has(c, M_WALL) || !(c->v[M_WALL] > 0))
        return -1;
    const char *m = strstr(c->params, "method=fork"), *cpus = strstr(c->params, "cpus="),
               *h = strstr(c->params, "heap_kib=");
    if (!m || (m[11] && m[11] != ' ') || (cpus && strncmp(cpus, "cpus=none", 9) != 0) || !h)
        return -1;
    char *end;
    long kib = strtol(h + 9, &end, 10);
    return end > h + 9 && (*end == ' ' || !*end) && kib >= 0 ? kib : -1;
}

/* A process per task against a fork from a minimal process (tvp-spawner's sched/spawn/fork with
 * no heap, same run), and fork's cost against the parent's resident memory (the heap sweep):
 * sentences of the spawn finding; returns how many it wrote. */
static int rpt_spawn_vs_fork(const rpt *r, FILE *f, size_t run, int n)
{
    const rpt_cfg *sweep[16];
    size_t ns = 0;
    for (size_t i = 0; i < r->n_cfgs; i++) {
        long kib = rpt_spawner_fork_kib(&r->cfgs[i], run);
        if (kib < 0 || ns == 16)
            continue;
        size_t k = ns++; /* insertion by heap size */
        for (; k > 0 && rpt_spawner_fork_kib(sweep[k - 1], run) > kib; k--)
            sweep[k] = sweep[k - 1];
        sweep[k] = &r->cfgs[i];
    }
    if (!ns || rpt_spawner_fork_kib(sweep[0], run) != 0)
        return 0; /* no minimal fork in this run */
    double fork0 = sweep[0]->v[M_WALL], per_task[256];
    size_t np = 0;
    for (size_t i = 0; i < r->n_cfgs && np < 256; i++) {
        const rpt_cfg *c = &r->cfgs[i];
        if (c->run == run && rpt_main_view(r, c) && rpt_eq(c->workload, "noop") && rpt_eq(c->executor, "processes") &&
            rpt_per_task(c) && rpt_eq(c->gil, "off") && rpt_has(c, M_WALL) && c->tasks > 0)
            per_task[np++] = c->v[M_WALL] / (double)c->tasks;
    }
    char t0[32], x[32];
    rpt_fmt_us(fork0 * 1e6, t0, sizeof t0);
    int wrote = 0;
    if (np) {
        qsort(per_task, np, sizeof *per_task, rpt_cmp_double);
        rpt_fmt_x(per_task[np / 2] / fork0, x, sizeof x);
        fprintf(f, "%sa process per task takes <b>%s</b> a fork + _exit + waitpid from a minimal process (%s, "
                   "tvp-spawner in the same run; noop, median over worker counts)",
                n ? ". Against the floor, " : "<li><b>Spawn cost</b>: ", x, t0);
        wrote++;
    }
    if (ns < 2)
        return wrote;
    const rpt_cfg *big = sweep[ns - 1];
    double mib = (double)rpt_spawner_fork_kib(big, run) / 1024;
    rpt_fmt_x(big->v[M_WALL] / fork0, x, sizeof x);
    fprintf(f, "%sfork from a parent with %.0f MiB touched costs <b>%s</b> a minimal one: ~%.3g \xc2\xb5s per MiB of "
               "resident memory (",
            n || wrote ? ". A " : "<li><b>Spawn cost</b>: a ", mib, x, (big->v[M_WALL] - fork0) * 1e6 / mib);
    for (size_t k = 0; k < ns; k++)
        fprintf(f, "%s%ld", k ? ", " : "", rpt_spawner_fork_kib(sweep[k], run) / 1024);
    fputs(" MiB: ", f);
    for (size_t k = 0; k < ns; k++) {
        char t[32];
        rpt_fmt_us(sweep[k]->v[M_WALL] * 1e6, t, sizeof t);
        fprintf(f, "%s%s", k ? ", " : "", t);
    }
    fputs("), what forking a program of that size costs", f);
    return wrote + 1;
}

static void rpt_finding_spawn(const rpt *r, FILE *f, size_t run)
{
    static const char *const execs[] = {"threads", "processes"};
    int n = 0;
    for (int e = 0; e < 2; e++) {
        double costs[256];
        size_t nc = 0;
        for (size_t i = 0; i < r->n_cfgs && nc < 256; i++) {
            const rpt_cfg *c = &r->cfgs[i], *pt;
            if (c->run == run && rpt_eq(c->workload, "noop") && rpt_eq(c->executor, execs[e]) &&
                rpt_eq(c->gil, "off") && rpt_pick_pool(r, c) && (pt = rpt_per_task_twin(r, c)))
                costs[nc++] = rpt_spawn_cost_us(c, pt);
        }
        if (!nc)
            continue;
        qsort(costs, nc, sizeof *costs, rpt_cmp_double);
        char us[32];
        rpt_fmt_us(costs[nc / 2], us, sizeof us);
        fprintf(f, "%s%s <b>%s</b>", n ? ", " : "<li><b>Spawn cost</b>: starting a worker for each task costs ",
                execs[e], us);
        n++;
    }
    if (n)
        fputs(" per task over the pool (noop workload, median over worker counts)", f);
    if (rpt_spawn_vs_fork(r, f, run, n) || n)
        fputs(".</li>\n", f);
}

static void rpt_finding_memory(const rpt *r, FILE *f, size_t run)
{
    const rpt_cfg *best[2] = {NULL, NULL};
    static const char *const execs[] = {"threads", "processes"};
    for (size_t i = 0; i < r->n_cfgs; i++) {
        const rpt_cfg *c = &r->cfgs[i];
        for (int e = 0; e < 2; e++)
            if (c->run == run && rpt_main_view(r, c) && rpt_eq(c->executor, execs[e]) && !rpt_per_task(c) &&
                rpt_eq(c->gil, "off") && rpt_has(c, M_RSS) &&
                (!best[e] || c->workers > best[e]->workers ||
                 (c->workers == best[e]->workers && c->v[M_RSS] > best[e]->v[M_RSS])))
                best[e] = c;
    }
    if (!best[0] || !best[1])
        return;
    fprintf(f, "<li><b>Memory</b> (PSS of the largest pool, heaviest workload): threads %.1f MiB at %ld workers, processes %.1f MiB at %ld "
               "workers.</li>\n",
            best[0]->v[M_RSS] / 1024.0, best[0]->workers, best[1]->v[M_RSS] / 1024.0, best[1]->workers);
}

/* The convoy, per parameter set (hogs, probes, ...): the probe's p99 latency with the hogs as
 * threads and as processes (the executor: threads share the probe's lock, processes have their
 * own), at the smallest and the largest switch interval with the GIL on. Pool workers, unless the
 * run has convoy rows with a switch interval only for a worker per task. */
static void rpt_finding_convoy(const rpt *r, FILE *f, size_t run)
{
    static const struct {
        const char *exec, *name;
    } hogs[] = {{"threads", "threads"}, {"processes", "processes"}};
    rpt_list l = rpt_select((rpt *)r, rpt_pick_convoy);
    rpt_sort_ctx s = {.with_switch = false, .with_run = true, .x_metric = -2};
    rpt_sort(&l, &s);
    rpt_panel p[16];
    size_t np = rpt_panels(&l, p, 16);
    bool pool = false;
    for (size_t i = 0; i < l.n; i++)
        pool |= l.v[i]->run == run && !rpt_per_task(l.v[i]) && l.v[i]->switch_us >= 0 && rpt_has(l.v[i], M_P99);
    for (size_t k = 0; k < np; k++) {
        int n = 0;
        for (size_t h = 0; h < sizeof hogs / sizeof *hogs; h++) {
            const rpt_cfg *lo = NULL, *hi = NULL;
            for (size_t i = p[k].from; i < p[k].to; i++) {
                const rpt_cfg *c = l.v[i];
                if (c->run != run || !rpt_eq(c->executor, hogs[h].exec) || rpt_per_task(c) == pool ||
                    c->switch_us < 0 || !rpt_has(c, M_P99))
                    continue;
                if (!lo || c->switch_us < lo->switch_us)
                    lo = c;
                if (!hi || c->switch_us > hi->switch_us)
                    hi = c;
            }
            if (!lo)
                continue;
            if (n == 0) {
                fputs("<li><b>Convoy</b>", f);
                if (*p[k].params) {
                    fputs(" (", f);
                    rpt_html_esc(f, p[k].params);
                    fputs(")", f);
                }
                fputs(": probe p99 latency with", f);
            }
            char a[32], b[32], sa[32], sb[32];
            rpt_fmt_us(hi->v[M_P99], a, sizeof a);
            rpt_fmt_us(lo->v[M_P99], b, sizeof b);
            rpt_fmt_switch(hi->switch_us, sa, sizeof sa);
            rpt_fmt_switch(lo->switch_us, sb, sizeof sb);
            fprintf(f, "%s the hogs as %s%s: <b>%s</b> at a %s switch interval", n ? ";" : "", hogs[h].name,
                    pool ? "" : " (one per task)", a, sa);
            if (lo != hi)
                fprintf(f, ", <b>%s</b> at %s", b, sb);
            n++;
        }
        if (n)
            fputs(".</li>\n", f);
    }
    free(l.v);
}

static void rpt_finding_failures(const rpt *r, FILE *f, size_t run)
{
    size_t n = 0;
    for (size_t i = 0; i < r->n_cfgs; i++)
        n += r->cfgs[i].run == run && r->cfgs[i].n_bad > 0;
    if (!n)
        return;
    fprintf(f, "<li class=\"bad\"><b>%zu configuration(s) had failed or interrupted repetitions</b>; those without "
               "an ok repetition are missing from the charts, the others are charted from their ok ones:<ul>\n",
            n);
    size_t shown = 0;
    for (size_t i = 0; i < r->n_cfgs && shown < 20; i++) {
        const rpt_cfg *c = &r->cfgs[i];
        if (c->run != run || !c->n_bad)
            continue;
        char label[256];
        rpt_label(r, c, true, label, sizeof label);
        fputs("<li>", f);
        rpt_html_esc(f, c->workload);
        fputs(" ", f);
        rpt_html_esc(f, label);
        fprintf(f, ", %ld workers", c->workers);
        if (c->n_ok)
            fprintf(f, " (%zu of %zu repetitions ok)", c->n_ok, c->n_ok + c->n_bad);
        fputs(": ", f);
        rpt_html_esc(f, c->detail);
        fputs("</li>\n", f);
        shown++;
    }
    if (n > shown)
        fprintf(f, "<li>and %zu more</li>\n", n - shown);
    fputs("</ul></li>\n", f);
}

void rpt_findings(const rpt *r, FILE *f)
{
    for (size_t run = 0; run < r->n_runs; run++) {
        if (r->n_runs > 1) {
            fputs("<h3>", f);
            rpt_html_esc(f, r->runs[run].label);
            fputs("</h3>\n", f);
        }
        fputs("<ul class=\"findings\">\n", f);
        rpt_list l = rpt_select((rpt *)r, rpt_pick_main);
        rpt_sort_ctx s = {.with_switch = true, .with_run = true, .x_metric = -1};
        rpt_sort(&l, &s);
        rpt_panel p[64];
        size_t np = rpt_panels(&l, p, 64);
        for (size_t k = 0; k < np; k++) {
            bool in_run = false;
            for (size_t i = p[k].from; i < p[k].to; i++)
                in_run |= l.v[i]->run == run;
            if (in_run && strcmp(p[k].workload, "noop") != 0)
                rpt_finding_workload(r, f, run, &p[k]);
        }
        free(l.v);
        rpt_finding_dispatch(r, f, run);
        rpt_finding_spawn(r, f, run);
        rpt_finding_memory(r, f, run);
        rpt_finding_convoy(r, f, run);
        rpt_finding_failures(r, f, run);
        fputs("</ul>\n", f);
    }
}
