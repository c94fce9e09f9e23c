# costs.gp: chart 6, the cost of starting a worker per task (per-task minus pool batch time, per
# task) vs workers (P_KIND 1), and one panel per scheduler microbenchmark (sched_* workloads, P_KIND
# 2): the time of one operation per configuration as p50/p90/p99, drawn like the latency chart.
load TVP_WORK.'/costs.vars.gp'
load TVP_GP.'/common.gp'
do for [fmt in TVP_FORMATS] {
    eval TVP_BEGIN
    do for [p=1:TVP_NP] {
        load sprintf('%s/costs.p%d.gp', TVP_WORK, p)
        eval TVP_PANEL
        set title P_TITLE
        eval TVP_LOGY
        if (P_LOGY) { set yrange [P_YMIN/1.6:P_YMAX*1.6] } else { set yrange [0:P_YMAX*1.15] }
        if (P_KIND == 1) {
            # All points at one worker count (a run with one worker list entry): a range around it,
            # not gnuplot's empty-range warning.
            stats [*:*][*:*] P_DAT using 1 nooutput
            if (STATS_min == STATS_max) { set xrange [STATS_min/2.0:STATS_max*2.0] } else { set autoscale x }
            set logscale x 2
            set format x '%g'
            set xtics autofreq norotate font ',10'
            set grid xtics ytics
            set xlabel 'workers (log scale)'
            set ylabel (P_LOGY ? 'µs per task (log scale)' : 'µs per task')
            set offsets graph 0.05, graph 0.05, 0, 0
            plot for [i=1:P_NS] P_DAT index (i-1) using 1:2 with linespoints lw 2 lc rgb S_C[i] dt S_DT[i] pt S_PT[i]
            set autoscale x
        } else {
            unset logscale x
            unset xlabel
            set xtics rotate by 90 right font ',8'
            set grid noxtics ytics
            set ylabel (P_LOGY ? 'µs per operation (log scale)' : 'µs per operation')
            set offsets 0, 0, 0, 0
            set xrange [-0.6:P_NCAT-0.4]
            plot P_DAT index 0 using 1:2:(0):($4-$2):5 with vectors nohead lw 2.5 lc rgb variable, \
                 P_DAT index 0 using 1:2:5 with points pt 7 ps 1.2 lc rgb variable, \
                 P_DAT index 0 using 1:($3):5 with points pt 9 ps 1.2 lc rgb variable, \
                 P_DAT index 0 using 1:($4):5 with points pt 5 ps 1.2 lc rgb variable, \
                 P_DAT index 1 using 1:(NaN):xtic(2) with points
            set autoscale x
        }
        eval TVP_CAPTION_OFF
    }
    load TVP_GP.'/legend.gp'
    eval TVP_END
}
