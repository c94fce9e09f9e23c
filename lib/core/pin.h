/* pin.h: hwloc topology of the CPUs this process may use, and worker placement policies. */
#ifndef TVP_PIN_H
#define TVP_PIN_H

#include <stdbool.h>
#include <stddef.h>

typedef enum {
    PIN_NONE = 0, /* no binding: the scheduler places workers */
    PIN_COMPACT,  /* fill PUs in logical order: worker i -> PU i mod n_pus */
    PIN_SCATTER,  /* spread over packages and cores first (hwloc_distrib) */
    PIN_CORE,     /* one worker per physical core (its first PU), wrapping around */
    PIN_POLICY_COUNT
} pin_policy;

typedef struct pin_topo pin_topo;

/* Loads the topology restricted to the CPUs this process may run on (the intersection of its
 * affinity and its cpuset: HWLOC_TOPOLOGY_FLAG_RESTRICT_TO_CPUBINDING). When the topology is
 * degraded (no cores visible, e.g. /sys hidden in a container) it falls back to treating each PU
 * as a core and says so in pin_topo_degraded(). Returns 0 or -errno. */
int pin_topo_load(pin_topo **out);
void pin_topo_free(pin_topo *t);

unsigned pin_topo_pus(const pin_topo *t);      /* usable PUs (hardware threads) */
unsigned pin_topo_cores(const pin_topo *t);    /* usable physical cores (== PUs when degraded) */
unsigned pin_topo_packages(const pin_topo *t); /* >= 1 */
unsigned pin_topo_numa_nodes(const pin_topo *t); /* >= 1 */
bool pin_topo_degraded(const pin_topo *t);
/* The usable cpuset as a list string ("0-1,4"), into buf; returns buf. */
const char *pin_topo_cpuset_str(const pin_topo *t, char *buf, size_t len);
/* One-line human summary: "1 package, 1 NUMA node, 2 cores, 2 PUs". */
const char *pin_topo_summary(const pin_topo *t, char *buf, size_t len);

const char *pin_policy_name(pin_policy p);
/* Name -> policy; -EINVAL for an unknown name. */
int pin_policy_parse(const char *name, pin_policy *out);

/* A placement: for each worker, the OS index of the PU it is bound to (-1 when PIN_NONE). */
typedef struct pin_plan {
    pin_policy policy;
    unsigned workers;
    bool oversubscribed; /* more workers than the policy's places (PUs, or cores for PIN_CORE) */
    int *cpu;            /* [workers] OS PU index, or -1 */
} pin_plan;

/* Computes where each of `workers` (>= 1) workers goes. Returns 0 or -errno. */
int pin_plan_make(const pin_topo *t, pin_policy policy, unsigned workers, pin_plan *out);
void pin_plan_free(pin_plan *p);

/* Binds the calling thread (and only it; in a single-threaded child that is the process) to
 * `cpu` (an OS PU index). cpu < 0 is a no-op. Returns 0 or -errno. Safe in a forked child. */
int pin_bind_self(const pin_topo *t, int cpu);

/* The CPU the calling thread is running on now (sched_getcpu), -1 if unknown. */
int pin_current_cpu(void);

#endif /* TVP_PIN_H */
