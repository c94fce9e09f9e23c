/* delay_hist.c: log-linear lateness histogram of the delay server: record and quantiles. */
#include "delay_hist.h"

#include <stddef.h>

static size_t hist_index(uint64_t v)
{
    if (v < DS_HIST_SUB)
        return (size_t)v;
    int e = 63 - __builtin_clzll(v);
    uint64_t sub = (v >> (e - DS_HIST_SUB_BITS)) & (DS_HIST_SUB - 1);
    return (size_t)(e - DS_HIST_SUB_BITS + 1) * DS_HIST_SUB + (size_t)sub;
}

static uint64_t hist_upper(size_t idx)
{
    if (idx < DS_HIST_SUB)
        return idx;
    int e = (int)(idx / DS_HIST_SUB) + DS_HIST_SUB_BITS - 1;
    uint64_t sub = idx % DS_HIST_SUB;
    uint64_t width = 1ull << (e - DS_HIST_SUB_BITS);
    return ((DS_HIST_SUB + sub) << (e - DS_HIST_SUB_BITS)) + (width - 1);
}

void ds_hist_record(ds_hist *h, int64_t value)
{
    uint64_t v = value > 0 ? (uint64_t)value : 0;
    h->buckets[hist_index(v)]++;
    if (h->count == 0 || v < h->min)
        h->min = v;
    if (v > h->max)
        h->max = v;
    h->count++;
    h->sum += v;
}

uint64_t ds_hist_quantile(const ds_hist *h, double q)
{
    if (h->count == 0)
        return 0;
    uint64_t rank = (uint64_t)(q * (double)h->count);
    if ((double)rank < q * (double)h->count)
        rank++;
    if (rank < 1)
        rank = 1;
    uint64_t cum = 0;
    for (size_t i = 0; i < DS_HIST_BUCKETS; i++) {
        cum += h->buckets[i];
        if (cum >= rank) {
            uint64_t v = hist_upper(i);
            return v < h->min ? h->min : v > h->max ? h->max : v;
        }
    }
    return h->max;
}
