/* sample.h: a bounded uniform sample of a stream (reservoir, Algorithm R) and its quantiles. */
#ifndef TVP_SAMPLE_H
#define TVP_SAMPLE_H

#include <stddef.h>
#include <stdint.h>

/* The seed tvp's reservoirs use (any nonzero value will do; a fixed one makes runs repeatable). */
#define SAMPLE_SEED 0x2545F4914F6CDD1Dull

/* xorshift64 (Marsaglia 2003, shifts 13, 7, 17): advances *state and returns the new state. A
 * nonzero state never becomes zero; zero stays zero, so seed with a nonzero value. */
uint64_t sample_xorshift64(uint64_t *state);

/* Keeps a uniform random sample of at most `cap` of the values offered to it (Vitter's Algorithm
 * R): the first cap values are kept in order; value number k (1-based) after that replaces a
 * random kept one with probability cap/k. Memory is the caller's buffer; nothing is allocated. */
typedef struct sample_reservoir {
    double *v;     /* the caller's buffer of cap values; v[0..n) are the sample */
    size_t cap;
    size_t n;      /* values kept: min(seen, cap) */
    uint64_t seen; /* values offered */
    uint64_t rng;  /* xorshift64 state */
} sample_reservoir;

/* Empties r over buf[0..cap); seed 0 means SAMPLE_SEED. */
void sample_reservoir_init(sample_reservoir *r, double *buf, size_t cap, uint64_t seed);
void sample_reservoir_add(sample_reservoir *r, double x);

/* The q-quantile (q in [0, 1], stats_quantile's type 7: numpy's default) of v[0..n), or NaN when
 * there is none (n 0, a NaN value, q out of range, no memory). */
double sample_quantile(const double *v, size_t n, double q);
/* sample_quantile of what r holds. */
double sample_reservoir_quantile(const sample_reservoir *r, double q);

#endif /* TVP_SAMPLE_H */
