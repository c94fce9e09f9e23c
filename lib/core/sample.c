/* sample.c: reservoir sampling, xorshift64 and quantile-or-NaN (see sample.h). */
#include "sample.h"

#include <math.h>

#include "stats.h"

uint64_t sample_xorshift64(uint64_t *state)
{
    uint64_t x = *state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return *state = x;
}

void sample_reservoir_init(sample_reservoir *r, double *buf, size_t cap, uint64_t seed)
{
    *r = (sample_reservoir){.v = buf, .cap = cap, .rng = seed ? seed : SAMPLE_SEED};
}

void sample_reservoir_add(sample_reservoir *r, double x)
{
    r->seen++;
    if (r->n < r->cap) {
        r->v[r->n++] = x;
        return;
    }
    uint64_t j = sample_xorshift64(&r->rng) % r->seen;
    if (j < r->cap)
        r->v[j] = x;
}

double sample_quantile(const double *v, size_t n, double q)
{
    double out;
    return stats_quantile(v, n, q, &out) == 0 ? out : NAN;
}

double sample_reservoir_quantile(const sample_reservoir *r, double q) { return sample_quantile(r->v, r->n, q); }
