# convoy.gp: chart 3b, the convoy probe's latency against the GIL switch interval, hog as a thread
# vs as a process; p99 solid, p50 dashed; rows without a switch interval as flat references.
load TVP_WORK.'/convoy.vars.gp'
load TVP_GP.'/common.gp'
do for [fmt in TVP_FORMATS] {
    eval TVP_BEGIN
    set logscale x 10
    set format x '%g'
    set xlabel 'GIL switch interval (µs, log scale)'
    do for [p=1:TVP_NP] {
        load sprintf('%s/convoy.p%d.gp', TVP_WORK, p)
        eval TVP_PANEL
        set title P_TITLE
        eval TVP_LOGY
        set ylabel (P_LOGY ? 'probe latency (µs, log scale)' : 'probe latency (µs)')
        if (P_LOGY) { set yrange [P_YMIN/1.6:P_YMAX*1.6] } else { set yrange [P_YMIN-(P_YMAX-P_YMIN)*0.15-P_YMAX*0.001:P_YMAX+(P_YMAX-P_YMIN)*0.15+P_YMAX*0.001] }
        if (P_ONEX) {
            # One switch interval: a bar per series (p99), its p50 as a dot on it.
            TVP_ONEX_X = sprintf('all at a %g µs switch interval (bar: p99, dot: p50)', P_ONEX_AT)
            TVP_ONEX_P3 = 1
            load TVP_GP.'/onex.gp'
        } else {
            set logscale x 10
            set xlabel 'GIL switch interval (µs, log scale)'
            set grid xtics ytics
            set xrange [P_XMIN/1.6:P_XMAX*1.6]
            set xtics () norotate font ',10'
            do for [tvp_w in P_XT] { set xtics add (tvp_w real(tvp_w)) }
            plot for [i=1:P_NS] P_DAT index (i-1) using 1:($2) with linespoints lw 2 lc rgb S_C[i] dt S_DT[i] pt S_PT[i], \
                 for [i=1:P_NS] P_DAT index (i-1) using 1:($3) with linespoints lw 1.5 lc rgb S_C[i] dt 2 pt S_PT[i]
        }
        eval TVP_CAPTION_OFF
    }
    load TVP_GP.'/legend.gp'
    eval TVP_END
}
