/* report.h: tvp-report's shared model: runs, configurations folded from repetitions, selections, labels.
 *
 * Modules (tools/report/): util (memory, numbers for people, HTML escaping), meta (a run's
 * machine), data (CSV reading, columns classified by the registry, repetitions folded by median),
 * select (the placement and switch interval each run shows; which configurations a chart or
 * finding uses, their order, panels), style (colours, markers, labels), verdict (the verdict
 * tables, from each run's repetitions through lib/stats/verdict), findings and html (index.html), main; the gnuplot side and the chart registry are declared in plot.h.
 */
#ifndef TVP_REPORT_H
#define TVP_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifndef TVP_GNUPLOT_DIR
#define TVP_GNUPLOT_DIR "scripts/gnuplot"
#endif

#define RPT_DEFAULT_SWITCH_US 5000 /* CPython's default switch interval: the one charts 1-5 show */
#define RPT_DEFAULT_TICKS 100      /* CPython 2's check interval, for the legacy GIL */
#define RPT_MAX_RUNS 16
#define RPT_MAX_KEYS 96

/* ---- the model ---- */

/* The measurements a chart or finding reads, by column (rpt_metric_cols). */
enum rpt_metric {
    M_WALL, M_TPS, M_SPEEDUP, M_EFF, M_CPU_S, M_UTIL, M_CTXV, M_CTXI, M_P50, M_P90, M_P99, M_RSS,
    M_COUNT
};
extern const char *const rpt_metric_cols[M_COUNT];

/* One CSV: one run, and the machine its .meta.json names. */
typedef struct rpt_run {
    char *csv, *id, *host, *label, *cpu, *profile, *started, *cpuset, *topology, *kernel, *compiler,
        *commit, *status;
    long usable;       /* usable CPUs (PUs), 0 when unknown */
    const char *pin;   /* the placement the charts show */
    long switch_pref;  /* the GIL switch interval charts 1-5 show, -1 when no GIL rows */
    long ticks_pref;   /* the legacy GIL check interval they show, -1 when no legacy rows */
    bool other_pins, other_switches;
    size_t n_rows;
    /* The calibration (meta.c, from the .meta.json): NAN when the file has none. */
    double capacity_cpus, background_cpus, loadavg1, steal_pct;
} rpt_run;

#define RPT_CV_WARN 0.10 /* as tvp-bench's console warning (CALIBRATE_CV_WARN) */

/* A run's noise, from the summary CSV beside its CSV (<stem>.summary.csv): every ok configuration
 * with a CV of its batch time (wall_s_cv, the figure tvp-bench's console warning counts). */
typedef struct rpt_noise {
    size_t n, n_noisy; /* configurations with a CV; those above RPT_CV_WARN */
    struct rpt_cv {
        char *name;
        double cv, median_s;
        long reps;
    } *v;
} rpt_noise;

/* One configuration of one run: its repetition rows folded into one value per measurement. */
typedef struct rpt_cfg {
    size_t run;
    uint64_t hash;
    char *key;
    const char *workload, *executor, *spawn, *gil, *pin; /* point into `strs` */
    char *params; /* the panel's parameters: "bytes=262144 algo=sha256" */
    char *strs;
    long switch_us, ticks, workers, tasks; /* -1 when empty (switch_us, ticks) */
    size_t n_ok, n_bad; /* repetition rows with status ok, and the others (failed, interrupted) */
    double *reps;       /* n_ok x M_COUNT values of the ok repetitions, NAN where missing; freed once folded */
    double lo[M_COUNT], hi[M_COUNT]; /* the smallest and largest repetition */
    double v[M_COUNT]; /* the value shown: median of the ok repetitions; NAN if none */
    char *detail;      /* the first failure's detail */
} rpt_cfg;

typedef struct rpt_opts {
    const char *out, *scripts, *gnuplot;
    bool render;
    char **csv;
    size_t n_csv;
} rpt_opts;

/* A legend entry or the style of a series. kind: 1 line (+ points unless pt < 0), 2 box, 3 point. */
typedef struct rpt_key {
    char label[256];
    char color[8];
    int dt, pt, kind;
} rpt_key;

typedef struct rpt_chart_def rpt_chart_def; /* plot.h: a chart of the registry */

/* A chart of this report: its definition and what became of it. */
typedef struct rpt_chart {
    const rpt_chart_def *def;
    char note[512];    /* why it was skipped, or what it leaves out */
    bool drawn;        /* data written */
    bool rendered;     /* gnuplot made the files */
    int panels;
} rpt_chart;

typedef struct rpt {
    rpt_opts o;
    rpt_run runs[RPT_MAX_RUNS];
    size_t n_runs;
    rpt_cfg *cfgs;
    size_t n_cfgs, cap_cfgs;
    char *work; /* OUT/data */
    rpt_chart *charts; /* one per registered chart (rpt_charts), in page order */
    size_t n_charts;
    rpt_key keys[RPT_MAX_KEYS]; /* the legend of the chart being written */
    size_t n_keys;
    size_t max_cat; /* the longest rotated category label of the chart being written */
} rpt;

/* ---- util.c ---- */

void *rpt_xmalloc(size_t n);
void *rpt_xrealloc(void *p, size_t n);
char *rpt_strdup(const char *s);
char *rpt_asprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
FILE *rpt_memstream(char **buf, size_t *len);
void rpt_oom(void) __attribute__((noreturn));
bool rpt_eq(const char *a, const char *b);
double rpt_num(const char *s);
long rpt_long(const char *s, long dflt);
uint64_t rpt_hash(const char *s);
int rpt_rank(const char *s, const char *const *order, int n);
void rpt_fmt_rate(double v, char *buf, size_t len);   /* 1.23M, 13.2k, 492 */
void rpt_fmt_x(double v, char *buf, size_t len);      /* 1.96x */
void rpt_fmt_us(double us, char *buf, size_t len);    /* 12.3 ms */
void rpt_fmt_switch(long us, char *buf, size_t len);  /* 5 ms, 100 us */
void rpt_html_esc(FILE *f, const char *s);

/* ---- meta.c ---- */

/* Fills the machine facts of a run (host, CPU, ...) from the .meta.json beside run->csv. */
void rpt_read_meta(rpt_run *run);
/* The run's noise (empty when there is no summary CSV); rpt_noise_free frees it. */
rpt_noise rpt_read_noise(const rpt_run *run);
void rpt_noise_free(rpt_noise *n);

/* ---- data.c ---- */

/* Reads one CSV (and its .meta.json) as a new run: its repetition rows become configurations.
 * Errors (named with file:line on stderr): -errno. */
int rpt_read_csv(rpt *r, const char *path);
/* Folds the ok repetitions of every configuration: the median, min and max per measurement. */
void rpt_finish_cfgs(rpt *r);
void rpt_free_data(rpt *r);

/* ---- select.c ---- */

/* Which placement and which GIL switch interval the summary charts show, per run. */
void rpt_choose_views(rpt *r);

bool rpt_is_sched(const rpt_cfg *c);
bool rpt_is_convoy(const rpt_cfg *c);
bool rpt_is_serial(const rpt_cfg *c);
bool rpt_per_task(const rpt_cfg *c);
bool rpt_has(const rpt_cfg *c, int m);
/* The configurations of the summary charts: ok, the run's placement, its switch interval. */
bool rpt_main_view(const rpt *r, const rpt_cfg *c);
int rpt_exec_rank(const char *e);
int rpt_gil_rank(const char *g);

/* Series identity: executor, spawn, gil, switch (optional), then the run. */
typedef struct rpt_sort_ctx {
    bool with_switch; /* switch_us part of the key (else it is the x value) */
    bool with_run;
    int x_metric; /* -1: x is workers, -2: x is switch_us */
} rpt_sort_ctx;

int rpt_cmp_cfg_key(const rpt_cfg *a, const rpt_cfg *b, const rpt_sort_ctx *s);

/* A list of configuration pointers. */
typedef struct rpt_list {
    rpt_cfg **v;
    size_t n;
} rpt_list;

typedef bool (*rpt_pred)(const rpt *r, const rpt_cfg *c);

rpt_list rpt_select(rpt *r, rpt_pred pred);
void rpt_sort(rpt_list *l, rpt_sort_ctx *s);

/* Panels: distinct (workload, params) of a sorted list. */
typedef struct rpt_panel {
    const char *workload, *params;
    size_t from, to; /* range in the sorted list */
} rpt_panel;

size_t rpt_panels(const rpt_list *l, rpt_panel *out, size_t max);

/* Selections that charts and findings share. */
bool rpt_pick_main(const rpt *r, const rpt_cfg *c);
bool rpt_pick_pool(const rpt *r, const rpt_cfg *c);   /* pool configurations with a per-task twin to compare */
bool rpt_pick_convoy(const rpt *r, const rpt_cfg *c); /* convoy rows of the run's placement with a p50 */
/* The per-task configuration that matches a pool one (same everything but the spawn), or NULL. */
const rpt_cfg *rpt_per_task_twin(const rpt *r, const rpt_cfg *pool);
/* The gil=off twin of a GIL configuration (same everything else), or NULL. */
const rpt_cfg *rpt_gil_off_twin(const rpt *r, const rpt_cfg *g);
/* Spawn cost per task in us: (per-task - pool batch time) / tasks. */
double rpt_spawn_cost_us(const rpt_cfg *pool, const rpt_cfg *pt);
/* Whether some configuration has several ok repetitions (medians and whiskers mean something). */
bool rpt_has_spread(const rpt *r);

/* ---- style.c ---- */

const char *rpt_color(const rpt_cfg *c);
const char *rpt_run_color(size_t run);
void rpt_tint(const char *hex, char out[8]); /* a lighter tint of #rrggbb (per-task bars) */
unsigned rpt_rgb(const char *hex);
int rpt_point_type(const rpt_cfg *c);
int rpt_dash(const rpt_cfg *c);
/* "threads per-task +GIL 5 ms" (+ the run when several are overlaid). */
void rpt_label(const rpt *r, const rpt_cfg *c, bool with_switch, char *buf, size_t len);
/* Category label of a bar: "processes per-task +GIL" (the run goes in the legend). */
void rpt_cat_label(const rpt_cfg *c, char *buf, size_t len);
/* "hash: bytes=1048576 algo=sha256" */
void rpt_panel_title(const rpt_panel *p, char *buf, size_t len);

/* ---- findings.c, html.c ---- */

/* The findings of every run, as HTML lists. */
void rpt_findings(const rpt *r, FILE *f);
/* OUT/index.html: findings, machines, every chart with its caption (or why it is not drawn). */
int rpt_write_html(rpt *r);

/* ---- verdict.c ---- */

/* The verdicts section that opens index.html: per run and workload, threads vs processes, pool vs
 * per-task and GIL on vs off below, at and above the usable CPUs, with 95% intervals and the advice
 * (lib/stats/verdict: the same verdicts as tvp-bench's console). */
void rpt_verdicts(const rpt *r, FILE *f);
/* The findings' best for a panel of a run: named only when its 95% interval beats every other
 * executor's best; else the ones it cannot be told apart from, and why. */
void rpt_verdict_best(const rpt *r, FILE *f, size_t run, const char *wl_name, const char *params);
/* A run's configurations with the tasks/s of their ok repetitions, read again from its CSV (data.c
 * keeps medians only). NULL when the CSV cannot be read. */
typedef struct rpt_vrun rpt_vrun;
rpt_vrun *rpt_vrun_load(const rpt *r, size_t run);
void rpt_vrun_free(rpt_vrun *v);
/* The ok repetitions' tasks/s of configuration c (0 and NULL when it has none). */
size_t rpt_vrun_samples(const rpt_vrun *v, const rpt_cfg *c, const double **tps);
/* The verdict tables' style, appended to the page's. */
#define RPT_VERDICT_CSS                                                                                          \
    ".verdict{margin:.6em 0 1.4em}.verdict h3{margin:.8em 0 .3em}.verdict h3 small{font-weight:normal;color:#555}" \
    ".verdicts{table-layout:fixed;width:100%;max-width:70em}.verdicts td,.verdicts th{text-align:center}"          \
    ".verdicts tr>th:first-child{text-align:left;width:17em}"                                                       \
    ".verdicts .ci{color:#444;font-size:.92em}.vf{background:#e6f4ea}.vs{background:#fbe9e7}"                      \
    ".vf.vsmall,.vs.vsmall{background:#f6faf6}.vn{color:#555}.vt{color:#8a5a00;background:#fff7e6}.vx{color:#999}" \
    ".advice{max-width:80em;margin:.5em 0;padding:.35em .8em;border-left:4px solid #3a7d44;background:#f5faf6}"    \
    ".vhow{max-width:80em;color:#333}"

#endif /* TVP_REPORT_H */
