# latency.gp: chart 3, task latency percentiles (p50, p90, p99) per executor at the largest worker
# count, one panel per workload, log scale.
load TVP_WORK.'/latency.vars.gp'
load TVP_GP.'/common.gp'
set logscale y 10
set format y '%g'
set ylabel 'task latency (µs, log scale)'
set xtics rotate by 25 right font ',8' nomirror
set grid noxtics ytics mytics
set mytics 10
set key top left
do for [fmt in TVP_FORMATS] {
    eval (fmt eq 'png' ? TVP_TERM_PNG : TVP_TERM_SVG)
    set output TVP_OUT.'.'.fmt
    eval TVP_MULTIPLOT
    eval TVP_CAPTION_ON
    do for [p=1:TVP_NP] {
        load sprintf('%s/latency.p%d.gp', TVP_WORK, p)
        set title P_TITLE
        set xrange [-0.6:P_NCAT-0.4]
        plot P_DAT index 0 using 1:2:(0):($4-$2):5 with vectors nohead lw 2.5 lc rgb variable, \
             P_DAT index 0 using 1:2:5 with points pt 7 ps 1.3 lc rgb variable, \
             P_DAT index 0 using 1:3:5 with points pt 9 ps 1.3 lc rgb variable, \
             P_DAT index 0 using 1:4:5 with points pt 5 ps 1.3 lc rgb variable, \
             P_DAT index 1 using 1:(NaN):xtic(2) with points, \
             NaN with points pt 7 lc rgb '#444444' title 'p50', \
             NaN with points pt 9 lc rgb '#444444' title 'p90', \
             NaN with points pt 5 lc rgb '#444444' title 'p99', \
             for [i=1:L_N] NaN with boxes lc rgb L_C[i] title L_T[i]
        eval TVP_CAPTION_OFF
    }
    unset multiplot
    set output
}
