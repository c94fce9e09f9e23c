# gil.gp: chart 7, the GIL switch-interval trade-off: throughput (left) and p99 task latency
# (right) vs the switch interval, one row per workload; dotted: the same executor without the GIL.
load TVP_WORK.'/gil.vars.gp'
load TVP_GP.'/common.gp'
do for [fmt in TVP_FORMATS] {
    eval TVP_BEGIN
    set logscale x 10
    set format x '%g'
    set xlabel 'GIL switch interval (µs, log scale)'
    do for [p=1:TVP_NP] {
        load sprintf('%s/gil.p%d.gp', TVP_WORK, p)
        eval TVP_PANEL
        set title P_TITLE
        if (P_KIND == 1) {
            unset logscale y
            set ytics autofreq
            set format y '%g'
            set yrange [0:P_YMAX*1.15]
            set ylabel 'tasks per second'
        } else {
            eval TVP_LOGY
            if (P_LOGY) { set yrange [P_YMIN/1.6:P_YMAX*1.6] } else { set yrange [P_YMIN-(P_YMAX-P_YMIN)*0.15-P_YMAX*0.001:P_YMAX+(P_YMAX-P_YMIN)*0.15+P_YMAX*0.001] }
            set ylabel (P_LOGY ? 'p99 task latency (µs, log scale)' : 'p99 task latency (µs)')
        }
        if (P_ONEX) {
            # One switch interval: a bar per series; pale bars are the same configuration without the GIL.
            TVP_ONEX_X = sprintf('all at a %g µs switch interval (pale: without the GIL)', P_ONEX_AT)
            TVP_ONEX_P3 = 0
            load TVP_GP.'/onex.gp'
        } else {
            set logscale x 10
            set xlabel 'GIL switch interval (µs, log scale)'
            set grid xtics ytics
            set xrange [P_XMIN/1.6:P_XMAX*1.6]
            set xtics () norotate font ',10'
            do for [tvp_w in P_XT] { set xtics add (tvp_w real(tvp_w)) }
            plot for [i=1:P_NS] P_DAT index (i-1) using 1:2 with linespoints lw 2 lc rgb S_C[i] dt S_DT[i] pt S_PT[i]
        }
        eval TVP_CAPTION_OFF
    }
    load TVP_GP.'/legend.gp'
    eval TVP_END
}
