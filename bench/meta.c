/* meta.c: machine, library and build facts for the .meta.json written beside each results CSV. */
#include "meta.h"

#include <csv.h>
#include <hwloc.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>

#include "metrics.h"
#include "netsvc.h"

#ifndef TVP_SOURCE_DIR
#define TVP_SOURCE_DIR "."
#endif

const char *meta_cpu_model(char *buf, size_t len)
{
    snprintf(buf, len, "unknown");
    FILE *f = fopen("/proc/cpuinfo", "re");
    if (!f)
        return buf;
    char line[512];
    while (fgets(line, sizeof line, f)) {
        char *colon = strchr(line, ':');
        if (strncmp(line, "model name", 10) == 0 && colon) {
            colon += 2;
            colon[strcspn(colon, "\n")] = '\0';
            snprintf(buf, len, "%s", colon);
            break;
        }
    }
    fclose(f);
    return buf;
}

/* The commit of the source tree tvp was built from, "-dirty" when it has local changes. */
static void git_commit(char *buf, size_t len)
{
    snprintf(buf, len, "unknown");
    FILE *p = popen("git -C '" TVP_SOURCE_DIR "' describe --always --dirty --abbrev=12 2>/dev/null", "r");
    if (!p)
        return;
    if (fgets(buf, (int)len, p))
        buf[strcspn(buf, "\n")] = '\0';
    if (pclose(p) != 0 || !buf[0])
        snprintf(buf, len, "unknown");
}

static json_t *machine_json(const pin_topo *t)
{
    char cpu[256], set[256], sum[256];
    struct utsname u;
    json_t *m = json_object();
    json_object_set_new(m, "cpu_model", json_string(meta_cpu_model(cpu, sizeof cpu)));
    json_object_set_new(m, "topology", json_string(pin_topo_summary(t, sum, sizeof sum)));
    json_object_set_new(m, "usable_cpuset", json_string(pin_topo_cpuset_str(t, set, sizeof set)));
    json_object_set_new(m, "usable_pus", json_integer(pin_topo_pus(t)));
    json_object_set_new(m, "usable_cores", json_integer(pin_topo_cores(t)));
    json_object_set_new(m, "packages", json_integer(pin_topo_packages(t)));
    json_object_set_new(m, "numa_nodes", json_integer(pin_topo_numa_nodes(t)));
    json_object_set_new(m, "topology_degraded", json_boolean(pin_topo_degraded(t)));
    if (uname(&u) == 0) {
        char k[600];
        snprintf(k, sizeof k, "%s %s %s %s", u.sysname, u.release, u.version, u.machine);
        json_object_set_new(m, "kernel", json_string(k));
    }
    return m;
}

static json_t *libraries_json(void)
{
    char v[64];
    unsigned h = hwloc_get_api_version();
    json_t *l = json_object();
    json_object_set_new(l, "google_benchmark", json_string(TVP_BENCHMARK_VERSION));
    snprintf(v, sizeof v, "%u.%u.%u", h >> 16, (h >> 8) & 0xff, h & 0xff);
    json_object_set_new(l, "hwloc_api", json_string(v));
    json_object_set_new(l, "openssl", json_string(OpenSSL_version(OPENSSL_VERSION)));
    json_object_set_new(l, "jansson", json_string(jansson_version_str()));
    snprintf(v, sizeof v, "%d.%d.%d", CSV_MAJOR, CSV_MINOR, CSV_RELEASE);
    json_object_set_new(l, "libcsv", json_string(v));
    return l;
}

static json_t *options_json(const cli_opts *o)
{
    json_t *j = json_object();
    json_object_set_new(j, "profile", json_string(cli_profile_name(o->profile)));
    json_object_set_new(j, "repetitions", json_integer(o->repetitions));
    json_object_set_new(j, "min_time_s", json_real(o->min_time));
    json_object_set_new(j, "random_interleaving", json_boolean(o->interleave));
    json_object_set_new(j, "timer_slack_ns", json_integer((json_int_t)o->timer_slack_ns));
    json_object_set_new(j, "timer_slack_ns_effective", json_integer((json_int_t)metrics_timer_slack_get()));
    json_t *w = json_array();
    for (size_t i = 0; i < o->n_workers; i++)
        json_array_append_new(w, json_integer(o->workers[i]));
    json_object_set_new(j, "workers", w);
    return j;
}

/* The net workload's delay server: external, or embedded with the priority and placement it got. */
static json_t *delay_server_json(void)
{
    netsvc_info si;
    netsvc_info_get(&si);
    if (!netsvc_embedded())
        return json_pack("{s:s}", "mode", "external");
    json_t *j = json_pack("{s:s, s:b}", "mode", "embedded", "started", si.started);
    if (!si.started)
        return j;
    json_object_set_new(j, "nice_requested", json_integer(NETSVC_NICE));
    json_object_set_new(j, "nice", json_integer(si.nice));
    json_object_set_new(j, "nice_error", si.nice_err ? json_string(strerror(-si.nice_err)) : json_null());
    json_object_set_new(j, "placement",
                        json_string("per configuration: bound to the last PU no worker is bound to when the usable "
                                    "PUs outnumber the workers (with pin=none, the last PU, which the unbound "
                                    "workers may share); else unbound (the server_cpu column)"));
    json_object_set_new(j, "placements_bound", json_integer(si.n_bound));
    json_object_set_new(j, "placements_unbound", json_integer(si.n_unbound));
    char pus[256] = "";
    size_t off = 0;
    for (int c = 0; c < 64 && off < sizeof pus - 8; c++)
        if (si.cpus_used >> c & 1)
            off += (size_t)snprintf(pus + off, sizeof pus - off, "%s%d", off ? "," : "", c);
    json_object_set_new(j, "bound_to_pus", json_string(pus));
    json_object_set_new(j, "placement_error", si.place_err ? json_string(strerror(-si.place_err)) : json_null());
    return j;
}

json_t *meta_build(const cli_opts *o, const pin_topo *t, const meta_run *run)
{
    char commit[128];
    json_t *doc = json_object();
    if (!doc)
        return NULL;
    json_object_set_new(doc, "tool", json_string("tvp"));
    json_object_set_new(doc, "tvp_version", json_string(TVP_VERSION));
    json_object_set_new(doc, "run_id", json_string(run->run_id));
    json_object_set_new(doc, "host", json_string(run->host));
    json_object_set_new(doc, "started_utc", json_string(run->started_utc));
    json_object_set_new(doc, "finished_utc", json_string(run->finished_utc));
    json_object_set_new(doc, "status", json_string(run->status));
    json_object_set_new(doc, "benchmarks", json_integer((json_int_t)run->n_benchmarks));
    json_object_set_new(doc, "configurations", json_integer((json_int_t)run->n_configurations));
    if (run->shuffled) /* as text: a 64-bit seed is beyond JSON's exact integers in many readers */
        json_object_set_new(doc, "interleave_seed", json_sprintf("%llu", (unsigned long long)run->interleave_seed));
    if (run->signal)
        json_object_set_new(doc, "signal", json_string(run->signal));
    if (run->note)
        json_object_set_new(doc, "note", json_string(run->note));
    git_commit(commit, sizeof commit);
    json_object_set_new(doc, "git_commit", json_string(commit));
    json_object_set_new(doc, "compiler", json_string(TVP_COMPILER));
    json_t *cmd = json_array();
    for (int i = 0; i < run->argc; i++)
        json_array_append_new(cmd, json_string(run->argv[i]));
    json_object_set_new(doc, "command_line", cmd);
    json_object_set_new(doc, "machine", machine_json(t));
    json_object_set_new(doc, "libraries", libraries_json());
    json_object_set_new(doc, "options", options_json(o));
    json_object_set_new(doc, "delay_server", delay_server_json());
    return doc;
}
