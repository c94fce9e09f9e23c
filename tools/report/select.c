/* select.c: what each run's summary charts show (placement, switch interval) and which configurations a chart or finding uses, in which order, in which panels. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"

bool rpt_is_sched(const rpt_cfg *c) { return strncmp(c->workload, "sched_", 6) == 0; }
bool rpt_is_convoy(const rpt_cfg *c) { return strcmp(c->workload, "convoy") == 0; }
bool rpt_is_serial(const rpt_cfg *c) { return strcmp(c->executor, "serial") == 0; }
bool rpt_per_task(const rpt_cfg *c) { return rpt_eq(c->spawn, "per-task"); }
bool rpt_has(const rpt_cfg *c, int m) { return !isnan(c->v[m]); }

bool rpt_main_view(const rpt *r, const rpt_cfg *c)
{
    const rpt_run *ru = &r->runs[c->run];
    if (c->n_ok == 0)
        return false;
    if (!rpt_eq(c->pin, ru->pin) || rpt_is_sched(c) || rpt_is_convoy(c))
        return false;
    if (c->ticks >= 0 && c->ticks != ru->ticks_pref)
        return false;
    return rpt_eq(c->gil, "off") || c->switch_us == ru->switch_pref || c->switch_us < 0;
}

int rpt_exec_rank(const char *e)
{
    static const char *const o[] = {"serial", "threads", "processes"};
    return rpt_rank(e, o, 3);
}

int rpt_gil_rank(const char *g)
{
    static const char *const o[] = {"off", "on", "legacy"};
    return rpt_rank(g, o, 3);
}

int rpt_cmp_cfg_key(const rpt_cfg *a, const rpt_cfg *b, const rpt_sort_ctx *s)
{
    int d;
    if ((d = strverscmp(a->workload, b->workload)) || (d = strverscmp(a->params, b->params)))
        return d;
    if ((d = rpt_exec_rank(a->executor) - rpt_exec_rank(b->executor)) || (d = strcmp(a->executor, b->executor)))
        return d;
    if ((d = strcmp(b->spawn, a->spawn))) /* pool before per-task */
        return d;
    if ((d = rpt_gil_rank(a->gil) - rpt_gil_rank(b->gil)) || (d = strcmp(a->gil, b->gil)))
        return d;
    if (s->with_switch && ((d = (a->switch_us > b->switch_us) - (a->switch_us < b->switch_us)) ||
                           (d = (a->ticks > b->ticks) - (a->ticks < b->ticks))))
        return d;
    if (s->with_run && (d = (a->run > b->run) - (a->run < b->run)))
        return d;
    return 0;
}

static int rpt_cmp_series(const void *pa, const void *pb, void *arg)
{
    const rpt_cfg *a = *(rpt_cfg *const *)pa, *b = *(rpt_cfg *const *)pb;
    const rpt_sort_ctx *s = arg;
    int d = rpt_cmp_cfg_key(a, b, s);
    if (d)
        return d;
    long xa = s->x_metric == -2 ? a->switch_us : a->workers, xb = s->x_metric == -2 ? b->switch_us : b->workers;
    return (xa > xb) - (xa < xb);
}

static void rpt_list_add(rpt_list *l, rpt_cfg *c)
{
    l->v = rpt_xrealloc(l->v, (l->n + 1) * sizeof *l->v);
    l->v[l->n++] = c;
}

rpt_list rpt_select(rpt *r, rpt_pred pred)
{
    rpt_list l = {0};
    for (size_t i = 0; i < r->n_cfgs; i++)
        if (pred(r, &r->cfgs[i]))
            rpt_list_add(&l, &r->cfgs[i]);
    return l;
}

void rpt_sort(rpt_list *l, rpt_sort_ctx *s)
{
    if (l->n)
        qsort_r(l->v, l->n, sizeof *l->v, rpt_cmp_series, s);
}

size_t rpt_panels(const rpt_list *l, rpt_panel *out, size_t max)
{
    size_t n = 0;
    for (size_t i = 0; i < l->n; i++) {
        const rpt_cfg *c = l->v[i];
        if (n && rpt_eq(out[n - 1].workload, c->workload) && rpt_eq(out[n - 1].params, c->params)) {
            out[n - 1].to = i + 1;
            continue;
        }
        if (n == max)
            break;
        out[n++] = (rpt_panel){c->workload, c->params, i, i + 1};
    }
    return n;
}

/* ---- what the summary charts show ---- */

void rpt_choose_views(rpt *r)
{
    for (size_t ri = 0; ri < r->n_runs; ri++) {
        rpt_run *ru = &r->runs[ri];
        ru->switch_pref = ru->ticks_pref = -1;
        for (size_t i = 0; i < r->n_cfgs; i++) {
            const rpt_cfg *c = &r->cfgs[i];
            if (c->run != ri)
                continue;
            if (!ru->pin || rpt_eq(c->pin, "none") || (!rpt_eq(ru->pin, "none") && strcmp(c->pin, ru->pin) < 0))
                ru->pin = c->pin;
            if (!rpt_eq(c->gil, "off") && c->switch_us >= 0 &&
                (ru->switch_pref < 0 ||
                 labs(c->switch_us - RPT_DEFAULT_SWITCH_US) < labs(ru->switch_pref - RPT_DEFAULT_SWITCH_US)))
                ru->switch_pref = c->switch_us;
            if (c->ticks >= 0 && (ru->ticks_pref < 0 || labs(c->ticks - RPT_DEFAULT_TICKS) <
                                                            labs(ru->ticks_pref - RPT_DEFAULT_TICKS)))
                ru->ticks_pref = c->ticks;
        }
        for (size_t i = 0; i < r->n_cfgs; i++) {
            const rpt_cfg *c = &r->cfgs[i];
            if (c->run != ri)
                continue;
            ru->other_pins |= !rpt_eq(c->pin, ru->pin);
            ru->other_switches |= !rpt_eq(c->gil, "off") && c->switch_us >= 0 && c->switch_us != ru->switch_pref;
            ru->other_switches |= c->ticks >= 0 && c->ticks != ru->ticks_pref;
        }
    }
}

/* ---- shared selections ---- */

bool rpt_pick_main(const rpt *r, const rpt_cfg *c) { return rpt_main_view(r, c); }

bool rpt_pick_pool(const rpt *r, const rpt_cfg *c)
{
    return rpt_main_view(r, c) && !rpt_is_serial(c) && !rpt_per_task(c) && rpt_has(c, M_WALL) && c->tasks > 0;
}

bool rpt_pick_convoy(const rpt *r, const rpt_cfg *c)
{
    return rpt_is_convoy(c) && rpt_eq(c->pin, r->runs[c->run].pin) && rpt_has(c, M_P50);
}

const rpt_cfg *rpt_per_task_twin(const rpt *r, const rpt_cfg *pool)
{
    for (size_t i = 0; i < r->n_cfgs; i++) {
        const rpt_cfg *c = &r->cfgs[i];
        if (c->run == pool->run && rpt_per_task(c) && c->workers == pool->workers && c->tasks == pool->tasks &&
            c->switch_us == pool->switch_us && c->ticks == pool->ticks && rpt_eq(c->workload, pool->workload) &&
            rpt_eq(c->params, pool->params) && rpt_eq(c->executor, pool->executor) &&
            rpt_eq(c->gil, pool->gil) && rpt_eq(c->pin, pool->pin) && rpt_has(c, M_WALL))
            return c;
    }
    return NULL;
}

const rpt_cfg *rpt_gil_off_twin(const rpt *r, const rpt_cfg *g)
{
    for (size_t i = 0; i < r->n_cfgs; i++) {
        const rpt_cfg *c = &r->cfgs[i];
        if (c->run == g->run && rpt_eq(c->gil, "off") && c->workers == g->workers && c->tasks == g->tasks &&
            rpt_eq(c->workload, g->workload) && rpt_eq(c->params, g->params) && rpt_eq(c->executor, g->executor) &&
            rpt_eq(c->spawn, g->spawn) && rpt_eq(c->pin, g->pin) && rpt_has(c, M_TPS))
            return c;
    }
    return NULL;
}

double rpt_spawn_cost_us(const rpt_cfg *pool, const rpt_cfg *pt)
{
    return (pt->v[M_WALL] - pool->v[M_WALL]) / (double)pool->tasks * 1e6;
}

bool rpt_has_spread(const rpt *r)
{
    for (size_t i = 0; i < r->n_cfgs; i++)
        if (r->cfgs[i].n_ok > 1)
            return true;
    return false;
}
