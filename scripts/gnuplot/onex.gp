# onex.gp: the one-x rule of every line chart. When all of a panel's points share one x value
# (P_ONEX from tvp-report: one worker count, one switch interval), lines would be a column of dots:
# one bar per series instead, the series' label under it, its value on it. Column 2 is the bar;
# column 3, when the series has it (the convoy's p50), a point on the bar. Set TVP_ONEX_X (what the
# one x value is, e.g. 'at 8 workers') and the y axis before loading this.
tvp_v(v) = v >= 1e6 ? sprintf('%.3gM', v / 1e6) : v >= 1e4 ? sprintf('%.3gk', v / 1e3) : v >= 100 ? sprintf('%.0f', v) : sprintf('%.3g', v)
unset logscale x
unset arrow
unset label
set xrange [0.4:P_NS+0.6]
set xtics () rotate by 25 right font ',8' nomirror
do for [tvp_i=1:P_NS] { set xtics add (S_T[tvp_i] tvp_i) }
set grid noxtics ytics
set xlabel TVP_ONEX_X
if (!P_LOGY) { set yrange [0:P_YMAX*1.18] }
plot for [i=1:P_NS] P_DAT index (i-1) every ::0::0 using (i):2:(0.7) with boxes lc rgb S_C[i] fs solid (S_DT[i] == 1 ? 0.85 : 0.3), \
     for [i=1:P_NS] P_DAT index (i-1) every ::0::0 using (i):2:(tvp_v($2)) with labels offset 0,0.6 font ',7' textcolor rgb '#222222', \
     for [i=1:P_NS] P_DAT index (i-1) every ::0::0 using (i):(TVP_ONEX_P3 ? column(3) : NaN) with points pt 7 ps 0.9 lc rgb '#222222'
