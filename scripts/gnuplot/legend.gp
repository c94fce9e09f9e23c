# legend.gp: the chart's one legend, as a plot of its own across the width under the panels.
if (K_N > 0) {
    unset title
    unset xlabel
    unset ylabel
    unset border
    unset tics
    unset grid
    unset arrow
    unset label
    unset logscale
    unset offsets
    set lmargin at screen 0.01
    set rmargin at screen 0.99
    set bmargin at screen TVP_KEYB
    set tmargin at screen TVP_KEYY
    set xrange [0:1]
    set yrange [0:1]
    set key center center horizontal maxcols K_COLS reverse Left nobox noopaque font ',9' samplen 3 spacing 1.2 width 2
    plot @TVP_KEYS
}
