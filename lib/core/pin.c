/* pin.c: hwloc topology of the usable CPUs, worker placement plans (none/compact/scatter/core) and self-binding. */
#include "pin.h"

#include <errno.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <hwloc.h>

struct pin_topo {
    hwloc_topology_t topo;
    hwloc_bitmap_t usable; /* topology cpuset & allowed cpuset */
    unsigned n_pus, n_cores, n_packages, n_numa;
    bool degraded;
    int *pu_os;   /* [n_pus] OS index of each usable PU, in logical order */
    int *core_os; /* [n_cores] OS index of each usable core's first usable PU, cores in logical order */
};

static const char *const pin_names[PIN_POLICY_COUNT] = {"none", "compact", "scatter", "core"};

const char *pin_policy_name(pin_policy p)
{
    return (unsigned)p < PIN_POLICY_COUNT ? pin_names[p] : "?";
}

int pin_policy_parse(const char *name, pin_policy *out)
{
    if (!name || !out)
        return -EINVAL;
    for (int i = 0; i < PIN_POLICY_COUNT; i++)
        if (strcmp(name, pin_names[i]) == 0) {
            *out = (pin_policy)i;
            return 0;
        }
    return -EINVAL;
}

/* -errno from the errno hwloc left behind, never 0. */
static int neg_errno(int fallback)
{
    return errno > 0 ? -errno : -fallback;
}

/* Number of objects of `type` whose cpuset meets the usable set. */
static unsigned count_usable(const pin_topo *t, hwloc_obj_type_t type)
{
    unsigned n = 0;
    hwloc_obj_t o = NULL;
    while ((o = hwloc_get_next_obj_by_type(t->topo, type, o)) != NULL)
        if (o->cpuset && hwloc_bitmap_intersects(o->cpuset, t->usable))
            n++;
    return n;
}

void pin_topo_free(pin_topo *t)
{
    if (!t)
        return;
    free(t->pu_os);
    free(t->core_os);
    if (t->usable)
        hwloc_bitmap_free(t->usable);
    if (t->topo)
        hwloc_topology_destroy(t->topo);
    free(t);
}

/* Fills the PU and core tables and the counts of a loaded topology. */
static int topo_scan(pin_topo *t)
{
    hwloc_const_cpuset_t all = hwloc_topology_get_topology_cpuset(t->topo);
    hwloc_const_cpuset_t allowed = hwloc_topology_get_allowed_cpuset(t->topo);
    t->usable = hwloc_bitmap_alloc();
    if (!t->usable)
        return -ENOMEM;
    if (hwloc_bitmap_and(t->usable, all, allowed) < 0)
        return -ENOMEM;

    int npu = hwloc_get_nbobjs_by_type(t->topo, HWLOC_OBJ_PU);
    if (npu <= 0)
        return -ENODEV;
    t->pu_os = calloc((size_t)npu, sizeof *t->pu_os);
    if (!t->pu_os)
        return -ENOMEM;
    hwloc_obj_t o = NULL;
    while ((o = hwloc_get_next_obj_by_type(t->topo, HWLOC_OBJ_PU, o)) != NULL)
        if (hwloc_bitmap_isset(t->usable, o->os_index) && t->n_pus < (unsigned)npu)
            t->pu_os[t->n_pus++] = (int)o->os_index;
    if (t->n_pus == 0)
        return -ENODEV;

    unsigned ncore = count_usable(t, HWLOC_OBJ_CORE);
    if (ncore == 0) {
        /* Degraded (no cores visible, e.g. /sys hidden): every PU stands for a core. */
        t->degraded = true;
        t->n_cores = t->n_pus;
        t->core_os = calloc(t->n_pus, sizeof *t->core_os);
        if (!t->core_os)
            return -ENOMEM;
        memcpy(t->core_os, t->pu_os, t->n_pus * sizeof *t->core_os);
    } else {
        t->core_os = calloc(ncore, sizeof *t->core_os);
        if (!t->core_os)
            return -ENOMEM;
        hwloc_obj_t c = NULL;
        while ((c = hwloc_get_next_obj_by_type(t->topo, HWLOC_OBJ_CORE, c)) != NULL) {
            if (!c->cpuset || !hwloc_bitmap_intersects(c->cpuset, t->usable))
                continue;
            /* The core's first usable PU in logical order. */
            hwloc_obj_t pu = NULL;
            while ((pu = hwloc_get_next_obj_inside_cpuset_by_type(t->topo, c->cpuset,
                                                                  HWLOC_OBJ_PU, pu)) != NULL)
                if (hwloc_bitmap_isset(t->usable, pu->os_index))
                    break;
            if (pu && t->n_cores < ncore)
                t->core_os[t->n_cores++] = (int)pu->os_index;
        }
        if (t->n_cores == 0)
            return -ENODEV;
    }

    t->n_packages = count_usable(t, HWLOC_OBJ_PACKAGE);
    if (t->n_packages == 0)
        t->n_packages = 1;
    t->n_numa = count_usable(t, HWLOC_OBJ_NUMANODE);
    if (t->n_numa == 0)
        t->n_numa = 1;
    return 0;
}

int pin_topo_load(pin_topo **out)
{
    if (!out)
        return -EINVAL;
    *out = NULL;
    pin_topo *t = calloc(1, sizeof *t);
    if (!t)
        return -ENOMEM;
    int rc;
    errno = 0;
    if (hwloc_topology_init(&t->topo) < 0) {
        rc = neg_errno(ENOMEM);
        t->topo = NULL;
        goto fail;
    }
    /* RESTRICT_TO_CPUBINDING requires IS_THISSYSTEM (hwloc rejects it alone with EINVAL). */
    errno = 0;
    if (hwloc_topology_set_flags(t->topo, HWLOC_TOPOLOGY_FLAG_IS_THISSYSTEM |
                                              HWLOC_TOPOLOGY_FLAG_RESTRICT_TO_CPUBINDING) < 0) {
        rc = neg_errno(EINVAL);
        goto fail;
    }
    errno = 0;
    if (hwloc_topology_load(t->topo) < 0) {
        rc = neg_errno(EIO);
        goto fail;
    }
    rc = topo_scan(t);
    if (rc < 0)
        goto fail;
    *out = t;
    return 0;
fail:
    pin_topo_free(t);
    return rc;
}

unsigned pin_topo_pus(const pin_topo *t) { return t ? t->n_pus : 0; }
unsigned pin_topo_cores(const pin_topo *t) { return t ? t->n_cores : 0; }
unsigned pin_topo_packages(const pin_topo *t) { return t ? t->n_packages : 0; }
unsigned pin_topo_numa_nodes(const pin_topo *t) { return t ? t->n_numa : 0; }
bool pin_topo_degraded(const pin_topo *t) { return t ? t->degraded : false; }

const char *pin_topo_cpuset_str(const pin_topo *t, char *buf, size_t len)
{
    if (!buf || len == 0)
        return buf;
    buf[0] = '\0';
    if (t && t->usable)
        hwloc_bitmap_list_snprintf(buf, len, t->usable);
    return buf;
}

const char *pin_topo_summary(const pin_topo *t, char *buf, size_t len)
{
    if (!buf || len == 0)
        return buf;
    buf[0] = '\0';
    if (!t)
        return buf;
    snprintf(buf, len, "%u package%s, %u NUMA node%s, %u core%s, %u PU%s%s", t->n_packages,
             t->n_packages == 1 ? "" : "s", t->n_numa, t->n_numa == 1 ? "" : "s", t->n_cores,
             t->n_cores == 1 ? "" : "s", t->n_pus, t->n_pus == 1 ? "" : "s",
             t->degraded ? " (degraded: no cores visible, PUs used as cores)" : "");
    return buf;
}

/* Scatter: hwloc_distrib over the root for min(workers, n_pus) sets, one PU from each. */
static int plan_scatter(const pin_topo *t, pin_plan *p)
{
    unsigned m = p->workers < t->n_pus ? p->workers : t->n_pus;
    hwloc_cpuset_t *sets = calloc(m, sizeof *sets);
    if (!sets)
        return -ENOMEM;
    hwloc_obj_t root = hwloc_get_root_obj(t->topo);
    int rc = 0;
    errno = 0;
    if (hwloc_distrib(t->topo, &root, 1, sets, m, INT_MAX, 0) < 0) {
        rc = neg_errno(EINVAL);
        goto out;
    }
    for (unsigned i = 0; i < m; i++) {
        if (!sets[i]) {
            rc = -ENOMEM;
            goto out;
        }
        /* Only usable PUs (the root is restricted already; this is a guard). */
        hwloc_bitmap_and(sets[i], sets[i], t->usable);
        int cpu = -1;
        if (!hwloc_bitmap_iszero(sets[i])) {
            hwloc_bitmap_singlify(sets[i]);
            cpu = hwloc_bitmap_first(sets[i]);
        }
        p->cpu[i] = cpu >= 0 ? cpu : t->pu_os[i % t->n_pus];
    }
    for (unsigned i = m; i < p->workers; i++)
        p->cpu[i] = p->cpu[i % m];
out:
    for (unsigned i = 0; i < m; i++)
        if (sets[i])
            hwloc_bitmap_free(sets[i]);
    free(sets);
    return rc;
}

int pin_plan_make(const pin_topo *t, pin_policy policy, unsigned workers, pin_plan *out)
{
    if (!out)
        return -EINVAL;
    memset(out, 0, sizeof *out);
    if (!t || workers == 0 || (unsigned)policy >= PIN_POLICY_COUNT)
        return -EINVAL;
    int *cpu = calloc(workers, sizeof *cpu);
    if (!cpu)
        return -ENOMEM;
    out->policy = policy;
    out->workers = workers;
    out->cpu = cpu;
    int rc = 0;
    switch (policy) {
    case PIN_NONE:
        for (unsigned i = 0; i < workers; i++)
            cpu[i] = -1;
        out->oversubscribed = false;
        break;
    case PIN_COMPACT:
        for (unsigned i = 0; i < workers; i++)
            cpu[i] = t->pu_os[i % t->n_pus];
        out->oversubscribed = workers > t->n_pus;
        break;
    case PIN_SCATTER:
        rc = plan_scatter(t, out);
        out->oversubscribed = workers > t->n_pus;
        break;
    case PIN_CORE:
        for (unsigned i = 0; i < workers; i++)
            cpu[i] = t->core_os[i % t->n_cores];
        out->oversubscribed = workers > t->n_cores;
        break;
    default:
        rc = -EINVAL;
        break;
    }
    if (rc < 0)
        pin_plan_free(out);
    return rc;
}

void pin_plan_free(pin_plan *p)
{
    if (!p)
        return;
    free(p->cpu);
    memset(p, 0, sizeof *p);
}

int pin_bind_self(const pin_topo *t, int cpu)
{
    if (cpu < 0)
        return 0;
    if (!t)
        return -EINVAL;
    if (!hwloc_bitmap_isset(t->usable, (unsigned)cpu))
        return -EINVAL;
    /* The PU object's cpuset is exactly {cpu}: nothing to allocate, read-only, fork-safe. */
    hwloc_obj_t pu = hwloc_get_pu_obj_by_os_index(t->topo, (unsigned)cpu);
    if (!pu || !pu->cpuset)
        return -EINVAL;
    errno = 0;
    if (hwloc_set_cpubind(t->topo, pu->cpuset, HWLOC_CPUBIND_THREAD) < 0)
        return neg_errno(EIO);
    return 0;
}

int pin_current_cpu(void)
{
    int c = sched_getcpu();
    return c < 0 ? -1 : c;
}
