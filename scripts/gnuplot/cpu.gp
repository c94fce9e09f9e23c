# cpu.gp: chart 4, CPU utilisation and voluntary/involuntary context switches per task, grouped by
# workload, bars per executor at the largest worker count.
load TVP_WORK.'/cpu.vars.gp'
load TVP_GP.'/common.gp'
do for [fmt in TVP_FORMATS] {
    eval TVP_BEGIN
    set grid noxtics ytics
    set xtics font ',9'
    do for [p=1:TVP_NP] {
        load sprintf('%s/cpu.p%d.gp', TVP_WORK, p)
        eval TVP_PANEL
        set title P_TITLE
        set xrange [-0.5:P_NCAT-0.5]
        set yrange [0:P_YMAX*1.15]
        unset arrow
        if (p == 1) {
            set ylabel 'CPUs busy'
            if (TVP_USABLE[1] > 0) {
                set yrange [0:(P_YMAX > TVP_USABLE[1] ? P_YMAX : TVP_USABLE[1])*1.12]
                set arrow 1 from graph 0, first TVP_USABLE[1] to graph 1, first TVP_USABLE[1] nohead lc rgb '#009E73' dt 4 lw 1.5 front
            }
        } else {
            set ylabel 'switches per task'
        }
        # Value labels where they fit (P_VLAB: 1 upright, 2 rotated, 0 none: the bars are too narrow).
        if (P_VLAB == 2) { set yrange [0:(P_YMAX > TVP_USABLE[1] || p > 1 ? P_YMAX : TVP_USABLE[1])*1.35] }
        if (P_VLAB == 2) {
            plot P_DAT index 0 using 1:2:7:5 with boxes lc rgb variable, \
                 P_DAT index 0 using 1:2:6 with labels rotate by 90 left offset 0,0.3 font ',7' textcolor rgb '#222222', \
                 P_DAT index 1 using 1:(NaN):xtic(2) with points
        } else {
            plot P_DAT index 0 using 1:2:7:5 with boxes lc rgb variable, \
                 P_DAT index 0 using 1:(P_VLAB ? $2 : NaN):6 with labels offset 0,0.6 font ',7' textcolor rgb '#222222', \
                 P_DAT index 1 using 1:(NaN):xtic(2) with points
        }
        eval TVP_CAPTION_OFF
    }
    load TVP_GP.'/legend.gp'
    eval TVP_END
}
