# memory.gp: chart 5, proportional set size of the harness and its workers vs workers, threads vs
# processes, one panel per workload.
load TVP_WORK.'/memory.vars.gp'
load TVP_GP.'/common.gp'
do for [fmt in TVP_FORMATS] {
    eval TVP_BEGIN
    set logscale x 2
    set format x '%g'
    set xlabel 'workers (log scale)'
    set ylabel 'PSS, harness + workers (MiB)'
    do for [p=1:TVP_NP] {
        load sprintf('%s/memory.p%d.gp', TVP_WORK, p)
        eval TVP_PANEL
        set title P_TITLE
        set xrange [0.8:P_XMAX*1.25]
        set yrange [0:P_YMAX/1024.0*1.15]
        if (P_ONEX) {
            # onex.gp draws column 2 (KiB): the axis in KiB here
            set ylabel 'PSS, harness + workers (KiB)'
            set yrange [0:P_YMAX*1.18]
            TVP_ONEX_X = sprintf('all at %g workers', P_ONEX_AT)
            TVP_ONEX_P3 = 0
            load TVP_GP.'/onex.gp'
            set ylabel 'PSS, harness + workers (MiB)'
        } else {
            set logscale x 2
            set xlabel 'workers (log scale)'
            set grid xtics ytics
            set xtics autofreq norotate font ',10'
            plot for [i=1:P_NS] P_DAT index (i-1) using 1:($2/1024.0) with linespoints lw 2 lc rgb S_C[i] dt S_DT[i] pt S_PT[i]
        }
        eval TVP_CAPTION_OFF
    }
    load TVP_GP.'/legend.gp'
    eval TVP_END
}
