# logy.gp: a y axis for values P_YMIN..P_YMAX: logarithmic with 1-2-5 labels when they span a
# decade or more (P_LOGY), else linear.
set ytics autofreq
set mytics default
if (P_LOGY) {
    set logscale y 10
    set format y '%g'
    set ytics ()
    do for [tvp_k = floor(log10(P_YMIN / 1.6)) : ceil(log10(P_YMAX * 1.6))] {
        set ytics add (sprintf('%g', 10.0**tvp_k) 10.0**tvp_k, sprintf('%g', 2 * 10.0**tvp_k) 2 * 10.0**tvp_k, sprintf('%g', 5 * 10.0**tvp_k) 5 * 10.0**tvp_k)
    }
    set mytics 1
} else {
    unset logscale y
    set format y '%g'
}
