#!/bin/sh
# history.sh: keep results over time in results/history/ and draw a trend chart from them.
#   scripts/history.sh add [CSV]                      copy a run (default results/latest.csv) and its meta
#   scripts/history.sh trend [OUTDIR] [METRIC] [REGEX] chart METRIC (default wall_s) of the benchmarks
#                                                     matching REGEX over the runs, as OUTDIR/trend.png
# The trend compares every run with the first through tvp-compare, so the medians, the matching of
# rows and the CSV reading are tvp-compare's, not this script's.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
hist="$root/results/history"
compare="${TVP_COMPARE:-$root/build/tvp-compare}"

add() {
    csv=${1:-$root/results/latest.csv}
    [ -f "$csv" ] || { echo "history: $csv not found (run make bench first)" >&2; exit 2; }
    run_id=$(sed -n '2{s/,.*//;p;q}' "$csv")
    case "$run_id" in ""|*/*|.*) echo "history: $csv has no run_id in its first row" >&2; exit 2 ;; esac
    mkdir -p "$hist"
    cp "$csv" "$hist/$run_id.csv.tmp" && mv "$hist/$run_id.csv.tmp" "$hist/$run_id.csv"
    meta="${csv%.csv}.meta.json"
    [ -f "$meta" ] && cp "$meta" "$hist/$run_id.meta.json"
    echo "history: added $run_id ($(ls "$hist"/*.csv | wc -l) runs in $hist)"
}

trend() {
    out=${1:-$root/plots} metric=${2:-wall_s} filter=${3:-/pool/}
    [ -x "$compare" ] || { echo "history: $compare not found: run make" >&2; exit 2; }
    command -v gnuplot >/dev/null || { echo "history: gnuplot not found (scripts/deps.sh installs it)" >&2; exit 2; }
    runs=$(ls "$hist"/*.csv 2>/dev/null | sort)
    [ -n "$runs" ] || { echo "history: no runs in $hist (scripts/history.sh add)" >&2; exit 2; }
    first=$(echo "$runs" | head -1)
    mkdir -p "$out"
    dat="$out/trend.dat"
    : >"$dat"
    i=0
    for run in $runs; do
        i=$((i + 1))
        # tvp-compare's CSV: benchmark,metric,better,n_baseline,n_new,baseline_median,new_median,...
        "$compare" --format=csv --metric="$metric" --filter="$filter" "$first" "$run" 2>/dev/null |
            tail -n +2 | awk -F'","|",|,"|,' -v i="$i" -v run="$(basename "$run" .csv)" \
            '{gsub(/"/, "", $1); if ($7 != "") print "\"" $1 "\"", i, $7, "\"" run "\""}' >>"$dat" || true
    done
    [ -s "$dat" ] || { echo "history: no rows of $metric match $filter" >&2; exit 2; }
    # One block per benchmark (gnuplot's `index`), runs in order, so each gets a connected line.
    blocks="$out/trend.blocks.dat"
    sort -t'"' -k2,2 -s "$dat" | awk -F'"' 'NR > 1 && $2 != prev {print ""; print ""} {prev = $2; print}' >"$blocks"
    n=$(cut -d'"' -f2 "$dat" | sort -u | wc -l)
    gnuplot <<GP
set terminal pngcairo size 1200,700 font "sans,10" noenhanced
set output "$out/trend.png"
set title "tvp trend: $metric (median over repetitions) per run; benchmarks matching $filter"
set xlabel "run (oldest first)"
set ylabel "$metric"
set xtics 1
set offsets 0.2, 0.2, 0, 0
set key outside below font ",8"
set grid
names = system("cut -d'\"' -f2 '$dat' | sort -u")
plot for [i=0:$n-1] '$blocks' index i using 2:3 with linespoints title word(names, i+1)
GP
    echo "history: $out/trend.png ($i runs)"
}

cmd=${1:-}
[ $# -gt 0 ] && shift
case "$cmd" in
    add) add "$@" ;;
    trend) trend "$@" ;;
    *) echo "usage: history.sh add [CSV] | trend [OUTDIR] [METRIC] [REGEX]" >&2; exit 2 ;;
esac
