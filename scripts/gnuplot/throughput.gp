# throughput.gp: chart 2, tasks per second per executor at the largest worker count, one panel per
# workload; bars are medians, whiskers the fastest and slowest repetition.
load TVP_WORK.'/throughput.vars.gp'
load TVP_GP.'/common.gp'
# Value labels above the bars; upright when several runs put their bars side by side.
TVP_VALUE = (TVP_NRUNS > 1 ? "rotate by 90 left offset 0,0.4" : "center offset 0,0.7")
TVP_HEAD = (TVP_NRUNS > 1 ? 1.35 : 1.15)
do for [fmt in TVP_FORMATS] {
    eval TVP_BEGIN
    set format y '%g'
    set xtics rotate by 25 right font ',9' nomirror
    set grid noxtics ytics
    do for [p=1:TVP_NP] {
        load sprintf('%s/throughput.p%d.gp', TVP_WORK, p)
        eval TVP_PANEL
        set title P_TITLE
        set ylabel P_YLABEL
        set xrange [-0.6:P_NCAT-0.4]
        set yrange [0:P_YMAX*TVP_HEAD]
        plot P_DAT index 0 using 1:2:7:5 with boxes lc rgb variable, \
             P_DAT index 0 using 1:3:(0):($4-$3) with vectors nohead lc rgb '#222222' lw 1, \
             P_DAT index 0 using ($1-$7/6):3:($7/3):(0) with vectors nohead lc rgb '#222222' lw 1, \
             P_DAT index 0 using ($1-$7/6):4:($7/3):(0) with vectors nohead lc rgb '#222222' lw 1, \
             P_DAT index 0 using 1:4:6 with labels @TVP_VALUE font ',8' textcolor rgb '#222222', \
             P_DAT index 1 using 1:(NaN):xtic(2) with points
        eval TVP_CAPTION_OFF
    }
    load TVP_GP.'/legend.gp'
    eval TVP_END
}
