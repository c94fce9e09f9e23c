/* workload.c: the registry of workloads, collected from the `tvp_workloads` linker section. */
#include "workload.h"

#include <stdlib.h>
#include <string.h>

extern const workload *const __start_tvp_workloads[] __attribute__((weak));
extern const workload *const __stop_tvp_workloads[] __attribute__((weak));

static const workload *sorted[64];
static size_t n_sorted;
static int loaded;

static int by_name(const void *a, const void *b)
{
    const workload *const *x = a, *const *y = b;
    return strcmp((*x)->name, (*y)->name);
}

static void load(void)
{
    if (loaded)
        return;
    loaded = 1;
    if (!__start_tvp_workloads)
        return;
    for (const workload *const *p = __start_tvp_workloads; p < __stop_tvp_workloads; p++)
        if (*p && n_sorted < sizeof sorted / sizeof sorted[0])
            sorted[n_sorted++] = *p;
    qsort(sorted, n_sorted, sizeof sorted[0], by_name);
}

size_t workload_count(void)
{
    load();
    return n_sorted;
}

const workload *workload_at(size_t i)
{
    load();
    return i < n_sorted ? sorted[i] : NULL;
}

const workload *workload_find(const char *name)
{
    load();
    for (size_t i = 0; i < n_sorted; i++)
        if (strcmp(sorted[i]->name, name) == 0)
            return sorted[i];
    return NULL;
}

int workload_param_index(const workload *w, const char *name)
{
    for (size_t i = 0; i < w->n_params; i++)
        if (strcmp(w->params[i].name, name) == 0)
            return (int)i;
    return -1;
}
