/* cli.h: tvp-bench's own --tvp_* flags: profiles, parsing and validation with ranges. */
#ifndef TVP_CLI_H
#define TVP_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "gbflags.h"
#include "gil.h"
#include "pin.h"
#include "pool.h"
#include "sched_group.h"
#include "workload.h"

#define CLI_MAX_LIST 32   /* values in one comma list */
#define CLI_MAX_PARAMS 32 /* distinct workload parameter names */
#define CLI_MAX_WORKERS 1024
#define CLI_MAX_TASKS 100000
#define CLI_MAX_OUT_DIR 3000 /* bytes of --tvp_out: run file names must still fit PATH_MAX */
#define CLI_MAX_KNOWN 96     /* flags tvp-bench takes: its own, the parameters', Google Benchmark's */

typedef enum { PROFILE_QUICK = 0, PROFILE_DEFAULT, PROFILE_FULL, PROFILE_COUNT } cli_profile;

/* A workload parameter flag (one per name, shared by the workloads that declare it). */
typedef struct cli_param {
    const char *name;
    const wl_param *spec; /* the first workload's declaration of it */
    bool user_set;        /* --tvp_<name> was given: its values apply to every workload */
    size_t n;
    int64_t v[CLI_MAX_LIST]; /* for enums: indices into choices */
} cli_param;

/* A profile's value list for one workload's parameter. */
typedef struct cli_default {
    const char *workload, *param;
    size_t n;
    int64_t v[4];
} cli_default;

typedef struct cli_opts {
    cli_profile profile;
    bool workload_on[WL_MAX_WORKLOADS]; /* by index in the registry */
    bool exec_on[EXEC_COUNT];
    bool spawn_on[SPAWN_COUNT];
    bool pin_on[PIN_POLICY_COUNT];
    bool gil_on[GIL_MODE_COUNT];
    size_t n_workers;
    uint32_t workers[CLI_MAX_LIST];
    size_t n_switch_us;
    uint32_t switch_us[CLI_MAX_LIST]; /* gil=on: intervals to sweep */
    uint32_t check_ticks;             /* gil=legacy: polls between releases */
    uint32_t tasks;                  /* 0: each workload's default */
    uint64_t timer_slack_ns;
    uint32_t task_timeout_ms;        /* per-task deadline */
    const char *out_dir;
    const char *net_target;          /* NULL: the embedded delay server */
    size_t n_params;
    cli_param params[CLI_MAX_PARAMS];
    size_t n_defaults;
    cli_default defaults[16];
    /* What the profile chooses unless the user passed Google Benchmark's flag; tvp applies them. */
    int repetitions;
    double min_time;
    bool interleave;
    gbflags gb;                      /* Google Benchmark's flags (filter, JSON file, ...) */
    bool list_only;                  /* --tvp_list: print the matrix and exit */
    bool quiet;                      /* --tvp_quiet: no progress display on stderr */
    bool user_workloads;             /* --tvp_workloads was given */
    bool user_sched;                 /* --tvp_sched was given */
    bool sched_on[SCHED_GROUP_COUNT]; /* scheduler microbenchmark groups (sched_bench.h) */
} cli_opts;

/* Parses and removes every --tvp_* flag from argv (the rest is for Google Benchmark), applies
 * the profile's defaults and then the explicit flags. Returns 0, 1 when --help or --version was
 * printed, or -EINVAL after printing "tvp-bench: --tvp_X=...: <reason> (<range or names>)" to
 * stderr (an unknown flag: "tvp-bench: unknown flag '...'; did you mean --X?"). */
int cli_parse(int *argc, char **argv, cli_opts *o);

const char *cli_profile_name(cli_profile p);
/* The flag of parameter `name`, or NULL when no workload declares it. */
const cli_param *cli_param_find(const cli_opts *o, const char *name);
/* The values workload w sweeps for its parameter i: the flag's when given, else the profile's
 * for that workload, else the workload's own default. Returns the list, *n its length. */
const int64_t *cli_param_values(const cli_opts *o, const workload *w, size_t i, size_t *n);

/* "1,2,4" or "A-B": A, the powers of two between A and B, and B (3-20: 3,4,8,16,20; 3-5:
 * 3,4,5). 0 or -EINVAL (exposed for the tests). */
int cli_parse_workers(const char *s, uint32_t *out, size_t *n);
/* Every flag tvp-bench takes ("--help", "--version", "--tvp_...", the workloads' parameters,
 * "--benchmark_...", "--v"), at most cap of them into out; returns how many. */
size_t cli_known_flags(const char **out, size_t cap);

void cli_usage(FILE *f);

#endif /* TVP_CLI_H */
