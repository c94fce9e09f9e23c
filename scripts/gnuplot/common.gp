# common.gp: the shared frame of tvp's charts: terminals, panel layout, caption, legend, log axes.
# Loaded by every chart script after tvp-report's <chart>.vars.gp (TVP_W, TVP_H, TVP_TITLE, ...).
# A chart script runs, per output format: TVP_BEGIN, its panels (TVP_PANEL sets each one's
# margins), then legend.gp and TVP_END.
set encoding utf8
if (!exists("TVP_FORMATS")) TVP_FORMATS = "png svg"
TVP_TERM_PNG = sprintf("set terminal pngcairo noenhanced size %d,%d font 'DejaVu Sans,10' background rgb 'white'", TVP_W, TVP_H)
TVP_TERM_SVG = sprintf("set terminal svg noenhanced size %d,%d dynamic font 'DejaVu Sans,10' background rgb 'white'", TVP_W, TVP_H)
TVP_BEGIN = "reset; eval (fmt eq 'png' ? TVP_TERM_PNG : TVP_TERM_SVG); set output TVP_OUT.'.'.fmt; load TVP_GP.'/style.gp'; set multiplot title TVP_TITLE font ',14'; eval TVP_CAPTION_ON"
TVP_END = "unset multiplot; set output"

# Panel p of TVP_ROWS x TVP_COLS inside the margins TVP_ML..TVP_MR, TVP_MB..TVP_MT (screen).
TVP_PW = (TVP_MR - TVP_ML - (TVP_COLS - 1) * TVP_SX) / TVP_COLS
TVP_PH = (TVP_MT - TVP_MB - (TVP_ROWS - 1) * TVP_SY) / TVP_ROWS
TVP_PANEL = "tvp_c = (p - 1) % TVP_COLS; tvp_r = (p - 1) / TVP_COLS; set lmargin at screen TVP_ML + tvp_c * (TVP_PW + TVP_SX); set rmargin at screen TVP_ML + tvp_c * (TVP_PW + TVP_SX) + TVP_PW; set tmargin at screen TVP_MT - tvp_r * (TVP_PH + TVP_SY); set bmargin at screen TVP_MT - tvp_r * (TVP_PH + TVP_SY) - TVP_PH"

# The machines, bottom left, drawn once (label 900 is removed after the first panel).
TVP_CAPTION_ON = "set label 900 TVP_CAPTION at screen 0.008, screen TVP_CAPY left front font ',9' textcolor rgb '#333333'"
TVP_CAPTION_OFF = "unset label 900"

# Legend entries (K_* arrays from tvp-report): boxes, points, then lines (+ points unless pt < 0).
TVP_KEYS = "for [i=1:K_N] NaN with boxes lc rgb K_C[i] title (K_W[i] == 2 ? K_T[i] : ''), for [i=1:K_N] NaN with points lc rgb K_C[i] pt K_PT[i] ps 1.3 title (K_W[i] == 3 ? K_T[i] : ''), for [i=1:K_N] NaN with linespoints lw 2 lc rgb K_C[i] dt K_DT[i] pt K_PT[i] ps 1.1 title (K_W[i] == 1 ? K_T[i] : '')"

# Log y axis when the panel's values span a decade or more (P_LOGY from tvp-report), else linear.
TVP_LOGY = "load TVP_GP.'/logy.gp'"
