# latency.gp: chart 3, task latency percentiles (p50, p90, p99) per executor at the largest worker
# count, one panel per workload, log scale when the values span a decade.
load TVP_WORK.'/latency.vars.gp'
load TVP_GP.'/common.gp'
do for [fmt in TVP_FORMATS] {
    eval TVP_BEGIN
    set xtics rotate by 25 right font ',9' nomirror
    set grid noxtics ytics
    do for [p=1:TVP_NP] {
        load sprintf('%s/latency.p%d.gp', TVP_WORK, p)
        eval TVP_PANEL
        set title P_TITLE
        set xrange [-0.6:P_NCAT-0.4]
        eval TVP_LOGY
        if (P_LOGY) {
            set ylabel 'task latency (µs, log scale)'
            set yrange [P_YMIN/1.6:P_YMAX*1.6]
        } else {
            set ylabel 'task latency (µs)'
            set yrange [P_YMIN-(P_YMAX-P_YMIN)*0.15-P_YMAX*0.001:P_YMAX+(P_YMAX-P_YMIN)*0.15+P_YMAX*0.001]
        }
        plot P_DAT index 0 using 1:2:(0):($4-$2):5 with vectors nohead lw 2.5 lc rgb variable, \
             P_DAT index 0 using 1:2:5 with points pt 7 ps 1.3 lc rgb variable, \
             P_DAT index 0 using 1:($3):5 with points pt 9 ps 1.3 lc rgb variable, \
             P_DAT index 0 using 1:($4):5 with points pt 5 ps 1.3 lc rgb variable, \
             P_DAT index 1 using 1:(NaN):xtic(2) with points
        eval TVP_CAPTION_OFF
    }
    load TVP_GP.'/legend.gp'
    eval TVP_END
}
