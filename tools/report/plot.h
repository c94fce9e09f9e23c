/* plot.h: the chart registry, the gnuplot driver (data and include files, running gnuplot) and shared chart pieces.
 *
 * A chart is one file, tools/report/chart_<name>.c, that defines `const rpt_chart_def
 * rpt_chart_<name>` (its name, number, title, caption and draw function) and is listed once in
 * charts.c; scripts/gnuplot/<name>.gp draws what the draw function wrote into OUT/data/:
 *   <name>.p<N>.gp / .dat   one include file and one tab-separated data file per panel
 *   <name>.vars.gp          the chart-wide include: title, caption (the machines), legend, layout
 * A draw function writes its panels (rpt_panel_begin ... rpt_panel_end) and ends with
 * rpt_chart_vars(), or with rpt_skip() when it has nothing to show.
 */
#ifndef TVP_REPORT_PLOT_H
#define TVP_REPORT_PLOT_H

#include "report.h"

/* ---- the registry (charts.c) ---- */

typedef int (*rpt_draw_fn)(rpt *r, rpt_chart *ch); /* 0, or -errno when a file could not be written */

struct rpt_chart_def {
    const char *name;  /* files: OUT/<name>.png/.svg, scripts/gnuplot/<name>.gp, OUT/data/<name>.* */
    const char *num;   /* its number on the page: "3b" */
    const char *title; /* the chart's title, on it and on the page */
    const char *about; /* the caption on the page: what it shows and how to read it */
    rpt_draw_fn draw;
    int xlab_h; /* pixels below the panels for x tics and label when no category labels; 0: 60 */
};

extern const rpt_chart_def *const rpt_charts[];
extern const size_t rpt_n_charts;

/* ---- gnuplot.c: text for gnuplot ---- */

/* A string for gnuplot: double-quoted, with its escapes; backquotes (commands) become quotes. */
void rpt_gp_str(FILE *f, const char *s);
/* A quoted string field of a .dat file. */
void rpt_dat_str(FILE *f, const char *s);
/* A number field of a .dat file, tab first: never nan or inf; a missing value is `?`. */
void rpt_dat_val(FILE *f, double v);
/* A rotated category label (x tic) of a data block; remembers the longest for the layout. */
void rpt_cat_str(size_t *max_cat, FILE *f, size_t x, const char *label);

/* ---- gnuplot.c: panels ---- */

/* The panel being written: its include, its data file, its series, the range of its values. */
typedef struct rpt_panel_out {
    rpt *r;
    FILE *gp, *dat;
    rpt_key *s;
    size_t ns, cap;
    bool block_open;
    double ymin, ymax; /* of the positive values written */
} rpt_panel_out;

int rpt_panel_begin(rpt *r, rpt_panel_out *po, const char *chart, int panel, const char *title);
int rpt_panel_end(rpt_panel_out *po);
/* Starts a data block (gnuplot `index`) that is not a series of its own. */
void rpt_block(rpt_panel_out *po, const char *what);
/* Starts a data block for a new series, with its legend entry. */
void rpt_series(rpt_panel_out *po, const char *label, const char *color, int dt, int pt);
/* Takes a value into the panel's y range (positive, finite values only). */
void rpt_y(rpt_panel_out *po, double v);

/* ---- gnuplot.c: charts ---- */

/* Adds a legend entry to the chart being written (once per label). */
void rpt_key_add(rpt *r, const char *label, const char *color, int dt, int pt, int kind);
/* Writes <chart>.vars.gp for `panels` panels in `cols` columns and marks the chart drawn. */
int rpt_chart_vars(rpt *r, rpt_chart *ch, int panels, int cols, int panel_h, const char *note);
/* Marks a chart not drawn, saying why (stderr and the page). */
void rpt_skip(rpt *r, rpt_chart *ch, const char *why);
int rpt_cols_for(int panels);
/* Runs gnuplot for every drawn chart: 0, or -EIO when one failed (its note says why). */
int rpt_render(rpt *r);
/* Removes what an earlier report left: charts and data files. */
void rpt_clean(rpt *r);

/* ---- chartkit.c: pieces several charts use ---- */

/* One line-chart panel: a series per key, x = workers or switch_us, the given y columns. */
void rpt_write_lines(const rpt *r, rpt_panel_out *po, const rpt_list *l, const rpt_panel *p,
                     const rpt_sort_ctx *s, const int *ycols, int ny, bool with_switch);
/* How the shown values were folded from repetitions, for the chart captions. */
const char *rpt_rep_note(const rpt *r);

/* The configurations of a panel shown in bar charts: serial, and the others at the run's largest
 * worker count. */
long rpt_max_workers(const rpt_list *l, const rpt_panel *p, size_t run);
bool rpt_bar_member(const rpt_list *l, const rpt_panel *p, const rpt_cfg *c);
void rpt_bar_color(const rpt *r, const rpt_cfg *c, char out[8]);
/* Legend entries for bar charts: the runs when overlaid (the colours of the bars). */
void rpt_run_keys(rpt *r);
/* Legend entries for percentile points: p50 (circle), p90 (triangle), p99 (square). */
void rpt_pct_keys(rpt *r);

/* A bar chart at the largest worker count, one panel per workload: a value with min/max whiskers
 * (m2 < 0), or three percentiles as points (m, m2, m3). */
typedef struct rpt_bar_spec {
    int m, m2, m3;
    rpt_pred pick;
    const char *empty, *note;
    int panel_h;
} rpt_bar_spec;

int rpt_chart_bars(rpt *r, rpt_chart *ch, const rpt_bar_spec *b);

/* The start of most charts: the configurations `pick` keeps, sorted by `s`, cut into panels (at
 * most `cap`). Returns the number of panels; 0 when there is nothing to draw, after telling the
 * page why (`empty`) and freeing the list. */
size_t rpt_chart_begin(rpt *r, rpt_chart *ch, rpt_pred pick, rpt_sort_ctx *s, rpt_list *l, rpt_panel *p,
                       size_t cap, const char *empty);
/* The end of a chart whose panels are written (`rc`: 0, or how writing them failed): when `drawn`
 * panels were, its vars file (rpt_chart_vars with `cols`, `panel_h`, `note`); when none was,
 * rpt_skip saying `empty`. Returns rc, else the vars file's result. */
int rpt_chart_end(rpt *r, rpt_chart *ch, int rc, int drawn, int cols, int panel_h, const char *empty,
                  const char *note);
/* One line panel per workload of measure `m` vs workers (x up to the largest worker count). */
int rpt_line_panels(rpt *r, rpt_chart *ch, const rpt_list *l, const rpt_panel *p, size_t np,
                    const rpt_sort_ctx *s, int m);

/* The distinct switch intervals of a panel, for the x tics: P_XT = "100 1000 5000". */
typedef struct rpt_xt {
    long v[32];
    size_t n;
} rpt_xt;

void rpt_xt_add(rpt_xt *x, long v);
void rpt_xt_write(const rpt_xt *x, FILE *gp);

/* The one-x rule of every line panel: when its points share one x value (one worker count, one
 * switch interval), a line is a column of dots, so the panel is drawn as bars, one per series,
 * labelled under the axis (scripts/gnuplot/onex.gp). Writes P_ONEX (and P_ONEX_AT, the x) and
 * makes room for the labels. Call after the panel's series are written. */
void rpt_onex(rpt_panel_out *po, const rpt_xt *xt);

#endif /* TVP_REPORT_PLOT_H */
