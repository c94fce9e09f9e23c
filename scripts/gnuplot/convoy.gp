# convoy.gp: chart 3b, the convoy probe's latency against the GIL switch interval, hog as a thread
# vs as a process; p99 solid, p50 dashed; rows without a switch interval as flat references.
load TVP_WORK.'/convoy.vars.gp'
load TVP_GP.'/common.gp'
set logscale x 10
set logscale y 10
set format x '%g'
set format y '%g'
set xlabel 'GIL switch interval (µs, log scale)'
set ylabel 'probe latency (µs, log scale)'
set mytics 10
set key top left
do for [fmt in TVP_FORMATS] {
    eval (fmt eq 'png' ? TVP_TERM_PNG : TVP_TERM_SVG)
    set output TVP_OUT.'.'.fmt
    eval TVP_MULTIPLOT
    eval TVP_CAPTION_ON
    do for [p=1:TVP_NP] {
        load sprintf('%s/convoy.p%d.gp', TVP_WORK, p)
        set title P_TITLE
        set offsets graph 0.05, graph 0.05, 0, 0
        plot for [i=1:P_NS] P_DAT index (i-1) using 1:2 with linespoints lw 2 lc rgb S_C[i] dt S_DT[i] pt S_PT[i] title S_T[i].' p99', \
             for [i=1:P_NS] P_DAT index (i-1) using 1:3 with linespoints lw 1.5 lc rgb S_C[i] dt 2 pt S_PT[i] title (i == 1 ? 'p50 (dashed)' : '')
        eval TVP_CAPTION_OFF
    }
    unset multiplot
    set output
}
