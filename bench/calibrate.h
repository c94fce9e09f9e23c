/* calibrate.h: what the machine actually gives a run: parallel CPU capacity, clock and sleep floors, load. */
#ifndef TVP_CALIBRATE_H
#define TVP_CALIBRATE_H

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>

#include "pin.h"
#include "results.h"

#define CALIBRATE_DEFAULT_SLACK_NS 50000u /* the kernel's default timer slack */
#define CALIBRATE_CAPACITY_WARN 0.8       /* warn below this fraction of the usable CPUs */
#define CALIBRATE_CV_WARN 0.10            /* warn about configurations noisier than this */
#define CALIBRATE_BACKGROUND_WARN 0.25    /* warn when others used more CPUs than this */
#define CALIBRATE_STEAL_WARN 5.0          /* warn above this steal percentage */

typedef struct calib {
    unsigned usable_cpus;        /* PUs this process may use */
    /* The same CPU-bound kernel (a multiply/xorshift chain: registers only) run for a fixed time
     * on one PU alone, then on every usable PU at once (a thread pinned per PU, started together);
     * alternated `rounds` times, medians taken. */
    double single_rate;          /* kernel units per second on one PU alone */
    double parallel_rate;        /* summed over every PU at once */
    double capacity_cpus;        /* parallel_rate / single_rate: how many CPUs' worth happened */
    double pu_share_min, pu_share_max; /* slowest and fastest PU in the parallel runs, as a
                                        * fraction of the single rate */
    unsigned rounds;
    double clock_ns;             /* one clock_gettime(CLOCK_MONOTONIC) */
    uint64_t timer_slack_ns;     /* the slack the sleep floor was measured with */
    double sleep_floor_us_p50, sleep_floor_us_p99; /* nanosleep(1 us) overshoot with that slack */
    double sleep_default_us_p50, sleep_default_us_p99; /* ... with the default 50 us slack */
    double loadavg1, loadavg5;   /* /proc/loadavg at the start */
    double background_cpus;      /* CPUs' worth others used while the calibration slept */
    double steal_pct;            /* steal time over the calibration, % of all CPU time */
    double duration_s;           /* how long calibrate_run took */
} calib;

/* Measures all of the above in about one second. timer_slack_ns is the slack the benchmarks run
 * with (the calling thread's own slack is left as it was). Returns 0 or -errno. */
int calibrate_run(const pin_topo *t, uint64_t timer_slack_ns, calib *out);

/* The calibration as a JSON object for the meta file (NULL when out of memory). */
json_t *calibrate_json(const calib *c);

/* Two lines for the console: "calibration: the machine gave 1.93 of 2 CPUs ..." */
void calibrate_print(const calib *c, FILE *f);

/* Warnings about the run's trustworthiness, to `f`: capacity below 0.8 x usable CPUs, others'
 * load, steal, and (when t, the run's summary table, is not NULL) how many ok configurations had a
 * wall_s_cv above 10%. c may be NULL (only the CV check). Returns the number of warnings printed. */
int calibrate_warnings(const calib *c, const results_table *t, FILE *f);

#endif /* TVP_CALIBRATE_H */
