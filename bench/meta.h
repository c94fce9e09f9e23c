/* meta.h: the .meta.json beside each results CSV: machine, libraries, build and command line. */
#ifndef TVP_META_H
#define TVP_META_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "cli.h"
#include "pin.h"

typedef struct meta_run {
    const char *run_id;
    const char *host;
    const char *started_utc;
    const char *finished_utc;
    const char *status;   /* complete | interrupted | failed */
    int argc;
    char **argv;          /* the command line as given */
    size_t n_benchmarks;  /* Google Benchmark runs: configurations x repetitions */
    size_t n_configurations;
    bool shuffled;        /* random interleaving: the order came from interleave_seed */
    uint64_t interleave_seed;
    const char *signal;   /* "SIGINT", ... when one arrived, else NULL */
    const char *note;     /* what the signal did (or NULL) */
} meta_run;

/* Builds the document. NULL when out of memory. */
json_t *meta_build(const cli_opts *o, const pin_topo *t, const meta_run *run);

/* "Vendor model name" from /proc/cpuinfo, or "unknown". */
const char *meta_cpu_model(char *buf, size_t len);

#endif /* TVP_META_H */
