# common.gp: the shared look of tvp's charts: terminals, fonts, grid, multiplot layout, caption.
# Loaded by every chart script after tvp-report's <chart>.vars.gp (TVP_W, TVP_H, TVP_TITLE, ...).
set encoding utf8
if (!exists("TVP_FORMATS")) TVP_FORMATS = "png svg"
TVP_TERM_PNG = sprintf("set terminal pngcairo noenhanced size %d,%d font 'DejaVu Sans,10' background rgb 'white'", TVP_W, TVP_H)
TVP_TERM_SVG = sprintf("set terminal svg noenhanced size %d,%d dynamic font 'DejaVu Sans,10' background rgb 'white'", TVP_W, TVP_H)
TVP_MULTIPLOT = "set multiplot layout TVP_ROWS,TVP_COLS title TVP_TITLE font ',14' margins TVP_ML,TVP_MR,TVP_MB,TVP_MT spacing TVP_SX,TVP_SY"
# The machines, bottom left, drawn once (label 900 is removed after the first panel).
TVP_CAPTION_ON = "set label 900 TVP_CAPTION at screen 0.008, screen TVP_CAPY left front font ',9' textcolor rgb '#333333'"
TVP_CAPTION_OFF = "unset label 900"

set border 3 lc rgb '#444444'
set tics nomirror out scale 0.6 textcolor rgb '#222222'
set grid xtics ytics back lc rgb '#e2e2e2' lw 1 dt 1
set key font ',8' spacing 1.05 samplen 2.6 noautotitle
set key opaque box lc rgb '#cccccc' width 0.5
set title font ',11'
set xlabel font ',9' offset 0,0.4
set ylabel font ',9' offset 0.8,0
set style fill solid 0.9 border rgb '#333333'
set pointsize 1.0
