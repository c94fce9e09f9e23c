# costs.gp: chart 6, the cost of starting a worker per task (per-task minus pool batch time, per
# task) vs workers, and scheduler microbenchmarks (sched_* workloads) when present.
load TVP_WORK.'/costs.vars.gp'
load TVP_GP.'/common.gp'
do for [fmt in TVP_FORMATS] {
    eval TVP_BEGIN
    set logscale x 2
    set format x '%g'
    set xlabel 'workers (log scale)'
    do for [p=1:TVP_NP] {
        load sprintf('%s/costs.p%d.gp', TVP_WORK, p)
        eval TVP_PANEL
        set title P_TITLE
        eval TVP_LOGY
        set ylabel (P_LOGY ? 'µs per task (log scale)' : 'µs per task')
        if (P_LOGY) { set yrange [P_YMIN/1.6:P_YMAX*1.6] } else { set yrange [0:P_YMAX*1.15] }
        set offsets graph 0.05, graph 0.05, 0, 0
        plot for [i=1:P_NS] P_DAT index (i-1) using 1:2 with linespoints lw 2 lc rgb S_C[i] dt S_DT[i] pt S_PT[i]
        eval TVP_CAPTION_OFF
    }
    load TVP_GP.'/legend.gp'
    eval TVP_END
}
