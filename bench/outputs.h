/* outputs.h: a run's files: a run id no other run can take, the CSV, summary, JSON and meta
 * written atomically, then published as latest.* in one step. */
#ifndef TVP_OUTPUTS_H
#define TVP_OUTPUTS_H

#include <jansson.h>
#include <limits.h>

#include "results.h"

typedef struct outputs {
    char dir[PATH_MAX];
    char run_id[256]; /* "<UTC stamp>-<host>", "-2", "-3"... when taken */
    char csv[PATH_MAX], summary[PATH_MAX], json[PATH_MAX], meta[PATH_MAX];
    char claim[PATH_MAX]; /* ".<run_id>.running": held while the run runs, so no other takes the id */
} outputs;

/* Picks the run id and claims it with an exclusive create in `dir` (which must exist): two runs
 * started in the same second get different ids. 0 or -errno. */
int outputs_claim(outputs *o, const char *dir, const char *stamp, const char *host);
/* Writes the CSV, the summary, the JSON (also to json_copy when not NULL) and the meta last, each
 * atomically, then publishes them as latest.*. Prints what failed to stderr. 0 or the first -errno. */
int outputs_write(const outputs *o, const results_table *csv, const results_table *summary, const json_t *json,
                  const char *json_copy, const json_t *meta);
/* Gives the run id's claim up (the files keep it). */
void outputs_release(outputs *o);

#endif /* TVP_OUTPUTS_H */
