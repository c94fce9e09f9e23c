# cpu.gp: chart 4, CPU utilisation and voluntary/involuntary context switches per task, grouped by
# workload, bars per executor at the largest worker count.
load TVP_WORK.'/cpu.vars.gp'
load TVP_GP.'/common.gp'
set yrange [0:*]
set offsets 0, 0, graph 0.18, 0
set grid noxtics ytics
set key top right
do for [fmt in TVP_FORMATS] {
    eval (fmt eq 'png' ? TVP_TERM_PNG : TVP_TERM_SVG)
    set output TVP_OUT.'.'.fmt
    eval TVP_MULTIPLOT
    eval TVP_CAPTION_ON
    do for [p=1:TVP_NP] {
        load sprintf('%s/cpu.p%d.gp', TVP_WORK, p)
        set title P_TITLE
        set xrange [-0.5:P_NCAT-0.5]
        unset arrow
        if (p == 1) {
            set ylabel 'CPUs busy'
            if (TVP_USABLE[1] > 0) {
                set arrow 1 from graph 0, first TVP_USABLE[1] to graph 1, first TVP_USABLE[1] nohead lc rgb '#009E73' dt 4 lw 1.5 front
            }
        } else {
            set ylabel 'switches per task'
        }
        plot P_DAT index 0 using 1:2:7:5 with boxes lc rgb variable, \
             P_DAT index 0 using 1:2:6 with labels offset 0,0.6 font ',7' textcolor rgb '#222222', \
             P_DAT index 1 using 1:(NaN):xtic(2) with points, \
             for [i=1:L_N] NaN with boxes lc rgb L_C[i] title (p == 1 ? L_T[i] : ''), \
             (p == 1 && TVP_USABLE[1] > 0 ? NaN : NaN) with lines lc rgb '#009E73' dt 4 lw 1.5 title (p == 1 ? 'usable CPUs' : '')
        eval TVP_CAPTION_OFF
    }
    unset multiplot
    set output
}
