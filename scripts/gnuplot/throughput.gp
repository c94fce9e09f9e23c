# throughput.gp: chart 2, tasks per second per executor at the largest worker count, one panel per
# workload; bars are medians, whiskers the fastest and slowest repetition.
load TVP_WORK.'/throughput.vars.gp'
load TVP_GP.'/common.gp'
set ylabel 'tasks per second'
set format y '%.3s%c'
set yrange [0:*]
set offsets 0, 0, graph 0.12, 0
set xtics rotate by 25 right font ',8' nomirror
set grid noxtics ytics
set key top right
do for [fmt in TVP_FORMATS] {
    eval (fmt eq 'png' ? TVP_TERM_PNG : TVP_TERM_SVG)
    set output TVP_OUT.'.'.fmt
    eval TVP_MULTIPLOT
    eval TVP_CAPTION_ON
    do for [p=1:TVP_NP] {
        load sprintf('%s/throughput.p%d.gp', TVP_WORK, p)
        set title P_TITLE
        set xrange [-0.6:P_NCAT-0.4]
        plot P_DAT index 0 using 1:2:7:5 with boxes lc rgb variable, \
             P_DAT index 0 using 1:2:3:4 with yerrorbars lc rgb '#222222' pt -1 lw 1, \
             P_DAT index 0 using 1:4:6 with labels offset 0,0.7 font ',8' textcolor rgb '#222222', \
             P_DAT index 1 using 1:(NaN):xtic(2) with points, \
             for [i=1:L_N] NaN with boxes lc rgb L_C[i] title L_T[i]
        eval TVP_CAPTION_OFF
    }
    unset multiplot
    set output
}
