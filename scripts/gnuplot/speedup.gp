# speedup.gp: chart 1, speedup vs workers per workload, one line per executor x spawn x GIL, with
# the ideal (speedup = workers) and the usable CPU count. Data: tvp-report's speedup.* files.
load TVP_WORK.'/speedup.vars.gp'
load TVP_GP.'/common.gp'
do for [fmt in TVP_FORMATS] {
    eval TVP_BEGIN
    set logscale x 2
    set logscale y 2
    set format x '%g'
    set format y '%.2gx'
    set xlabel 'workers (log scale)'
    set ylabel 'speedup vs serial (log scale)'
    do for [p=1:TVP_NP] {
        load sprintf('%s/speedup.p%d.gp', TVP_WORK, p)
        eval TVP_PANEL
        set title P_TITLE
        set xrange [0.8:P_XMAX*1.25]
        set yrange [(P_YMIN < 1 ? P_YMIN : 1)/1.4:(P_XMAX > P_YMAX ? P_XMAX : P_YMAX)*1.4]
        unset arrow
        unset label
        do for [i=1:TVP_NRUNS] {
            if (TVP_USABLE[i] > 0) {
                set arrow i from TVP_USABLE[i], graph 0 to TVP_USABLE[i], graph 1 nohead lc rgb '#009E73' lw 1.5 dt 4 back
                set label i sprintf('%d usable CPUs', TVP_USABLE[i]) at TVP_USABLE[i], graph 0.03 offset 0.6,0 left textcolor rgb '#009E73' font ',8'
            }
        }
        if (p == 1) { eval TVP_CAPTION_ON }
        if (P_ONEX) {
            TVP_ONEX_X = sprintf('all at %g workers', P_ONEX_AT)
            TVP_ONEX_P3 = 0
            set yrange [(P_YMIN < 1 ? P_YMIN : 1)/1.4:P_YMAX*1.6]
            load TVP_GP.'/onex.gp'
        } else {
            set logscale x 2
            set xlabel 'workers (log scale)'
            set grid xtics ytics
            set xtics autofreq norotate font ',10'
            plot x with lines dt 2 lw 1.2 lc rgb '#000000', \
                 1 with lines dt 3 lw 1.2 lc rgb '#888888', \
                 for [i=1:P_NS] P_DAT index (i-1) using 1:2 with linespoints lw 2 lc rgb S_C[i] dt S_DT[i] pt S_PT[i]
        }
        eval TVP_CAPTION_OFF
    }
    load TVP_GP.'/legend.gp'
    eval TVP_END
}
