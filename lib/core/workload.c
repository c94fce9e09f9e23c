/* workload.c: the registry of workloads, collected from the `tvp_workloads` linker section (the
 * workloads themselves are in workloads/, linked in as objects), and the hooks they may call. */
#include "workload.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "metrics.h"

extern const workload *const __start_tvp_workloads[] __attribute__((weak));
extern const workload *const __stop_tvp_workloads[] __attribute__((weak));

static const workload *sorted[WL_MAX_WORKLOADS];
static size_t n_sorted, n_registered; /* beyond WL_MAX_WORKLOADS: counted, refused by the check */
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
    for (const workload *const *p = __start_tvp_workloads; p < __stop_tvp_workloads; p++) {
        if (!*p)
            continue;
        n_registered++;
        if (n_sorted < sizeof sorted / sizeof sorted[0])
            sorted[n_sorted++] = *p;
    }
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

int workload_registry_check(char *err, size_t len)
{
    load();
    if (n_registered > WL_MAX_WORKLOADS) {
        snprintf(err, len, "%zu workloads are registered; at most %d (WL_MAX_WORKLOADS)", n_registered,
                 WL_MAX_WORKLOADS);
        return -E2BIG;
    }
    for (size_t i = 0; i < n_sorted; i++) {
        const workload *w = sorted[i];
        size_t extras = 0;
        for (const char *const *e = w->extra_names; e && *e; e++)
            extras++;
        if (w->n_params > WL_MAX_PARAMS || extras > WL_MAX_EXTRAS) {
            snprintf(err, len, "workload %s declares %zu parameters and %zu result columns; at most %d and %d",
                     w->name, w->n_params, extras, WL_MAX_PARAMS, WL_MAX_EXTRAS);
            return -E2BIG;
        }
        if (i > 0 && strcmp(sorted[i - 1]->name, w->name) == 0) {
            snprintf(err, len, "two workloads are named %s", w->name);
            return -EINVAL;
        }
    }
    return 0;
}

size_t workload_result_names(const char **out)
{
    size_t n = 0;
    for (size_t w = 0; w < workload_count(); w++)
        for (const char *const *e = sorted[w]->extra_names; e && *e && n < WL_MAX_RESULTS; e++) {
            size_t k = 0;
            while (k < n && strcmp(out[k], *e) != 0)
                k++;
            if (k == n)
                out[n++] = *e;
        }
    return n;
}

int workload_param_index(const workload *w, const char *name)
{
    for (size_t i = 0; i < w->n_params; i++)
        if (strcmp(w->params[i].name, name) == 0)
            return (int)i;
    return -1;
}

uint64_t wl_now_ns(void) { return metrics_now_ns(); }

void *wl_shared_alloc(size_t len)
{
    void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    return p == MAP_FAILED ? NULL : p; /* anonymous mappings start zeroed */
}

void wl_shared_free(void *p, size_t len)
{
    if (p)
        munmap(p, len);
}
