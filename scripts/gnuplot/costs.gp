# costs.gp: chart 6, the cost of starting a worker per task (per-task minus pool batch time, per
# task) vs workers, and scheduler microbenchmarks (sched_* workloads) when present.
load TVP_WORK.'/costs.vars.gp'
load TVP_GP.'/common.gp'
set logscale x 2
set logscale y 10
set format x '%g'
set format y '%g'
set mytics 10
set xlabel 'workers (log scale)'
set ylabel 'µs per task (log scale)'
set key top left
do for [fmt in TVP_FORMATS] {
    eval (fmt eq 'png' ? TVP_TERM_PNG : TVP_TERM_SVG)
    set output TVP_OUT.'.'.fmt
    eval TVP_MULTIPLOT
    eval TVP_CAPTION_ON
    do for [p=1:TVP_NP] {
        load sprintf('%s/costs.p%d.gp', TVP_WORK, p)
        set title P_TITLE
        set offsets graph 0.05, graph 0.05, graph 0.1, 0
        plot for [i=1:P_NS] P_DAT index (i-1) using 1:2 with linespoints lw 2 lc rgb S_C[i] dt S_DT[i] pt S_PT[i] title S_T[i]
        eval TVP_CAPTION_OFF
    }
    unset multiplot
    set output
}
