# style.gp: the look shared by every panel of tvp's charts (reloaded after each `reset`).
set border 3 lc rgb '#444444'
set tics nomirror out scale 0.6 textcolor rgb '#222222'
set grid xtics ytics back lc rgb '#e2e2e2' lw 1 dt 1
set key noautotitle
unset key
set title font ',9'   # panel titles carry the workload's parameters: keep them inside the panel
set xlabel font ',9' offset 0,0.4
set ylabel font ',9' offset 0.8,0
set style fill solid 0.9 border rgb '#333333'
set pointsize 1.0
# tvp-report writes a missing value (none, or inf/nan/negative in the CSV) as `?`: not a number, so a
# column expression like ($3) reads it as undefined and the point is left out. (Not `set datafile
# missing`, which would drop the whole line and warn about series with no points.)
