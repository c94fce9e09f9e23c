/* gbjson.h: the run as Google Benchmark 1.7.1's JSON document, strict RFC 8259 (no NaN/Infinity:
 * an undefined counter is left out, an undefined time is 0 as Google Benchmark writes it). */
#ifndef TVP_GBJSON_H
#define TVP_GBJSON_H

#include <jansson.h>
#include <stdbool.h>

#include "report.h"

/* {"context": Google Benchmark's (context_json may be NULL), "benchmarks": one "iteration" entry
 * per (configuration, repetition) in matrix order, failed ones with error_occurred and
 * error_message, then mean/median/stddev/cv "aggregate" entries (over the ok repetitions) for
 * configurations with several repetitions}. aggregates_only drops the iteration entries. Names
 * are the configurations' (no run settings). After report_finish; NULL on out of memory. */
json_t *gbjson_build(const report *r, const char *context_json, bool aggregates_only);

#endif /* TVP_GBJSON_H */
