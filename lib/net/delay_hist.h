/* delay_hist.h: the delay server's lateness histogram: log-linear buckets (~30 KiB, bounded), quantiles. */
#ifndef TVP_DELAY_HIST_H
#define TVP_DELAY_HIST_H

/* Exact below 64 ns, then 64 sub-buckets per power of two: a quantile is within 1.6 % of the
 * true value, clamped to the observed min and max. Internal to the delay server. */

#include <stdint.h>

#define DS_HIST_SUB_BITS 6
#define DS_HIST_SUB (1u << DS_HIST_SUB_BITS)
#define DS_HIST_BUCKETS ((64 - DS_HIST_SUB_BITS + 1) * DS_HIST_SUB)

typedef struct ds_hist {
    uint64_t buckets[DS_HIST_BUCKETS];
    uint64_t count, sum, min, max;
} ds_hist;

/* Records one value (negative counts as 0). */
void ds_hist_record(ds_hist *h, int64_t v);
/* The q-quantile (nearest rank, bucket upper bound), 0 when empty. */
uint64_t ds_hist_quantile(const ds_hist *h, double q);

#endif
