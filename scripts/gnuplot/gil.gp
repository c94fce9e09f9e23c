# gil.gp: chart 7, the GIL switch-interval trade-off: throughput (left) and p99 task latency
# (right) vs the switch interval, one row per workload; dotted: the same executor without the GIL.
load TVP_WORK.'/gil.vars.gp'
load TVP_GP.'/common.gp'
set logscale x 10
set format x '%g'
set xlabel 'GIL switch interval (µs, log scale)'
set key top left
do for [fmt in TVP_FORMATS] {
    eval (fmt eq 'png' ? TVP_TERM_PNG : TVP_TERM_SVG)
    set output TVP_OUT.'.'.fmt
    eval TVP_MULTIPLOT
    eval TVP_CAPTION_ON
    do for [p=1:TVP_NP] {
        load sprintf('%s/gil.p%d.gp', TVP_WORK, p)
        set title P_TITLE
        set offsets graph 0.05, graph 0.05, graph 0.1, graph 0.05
        if (P_KIND == 1) {
            unset logscale y
            set yrange [0:*]
            set format y '%.3s%c'
            set ylabel 'tasks per second'
        } else {
            set logscale y 10
            set yrange [*:*]
            set format y '%g'
            set ylabel 'p99 task latency (µs, log scale)'
        }
        plot for [i=1:P_NS] P_DAT index (i-1) using 1:2 with linespoints lw 2 lc rgb S_C[i] dt S_DT[i] pt S_PT[i] title S_T[i]
        eval TVP_CAPTION_OFF
    }
    unset multiplot
    set output
}
