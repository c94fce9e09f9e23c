#!/bin/sh
# plots.sh: charts + index.html from tvp results: `make plots` and the end of `make bench` run it.
# usage: scripts/plots.sh CSV[,CSV...] OUTDIR
#   Several CSVs (comma-separated) are overlaid, each run labelled by its run id and host.
#   A path with a comma in it: when the whole argument names an existing file it is that one path
#   (make plots CSV=results/a,b.csv); in a list, write the path's comma as \, (quoted:
#   scripts/plots.sh 'results/latest.csv,old\,runs/x.csv' plots; through make, CSV=a.csv,old\\,runs/x.csv).
#   Repetitions are folded by the median of the ok repetition rows; values that are not finite
#   and non-negative (inf, nan, -1) are skipped with a warning naming file:line.
#   Needs build/tvp-report (run `make`) and gnuplot (scripts/deps.sh installs gnuplot-nox).
set -u
usage() {
    echo "usage: $0 CSV[,CSV...] OUTDIR" >&2
    echo "  a path with a comma: give it alone (an existing file is taken whole), or write its comma as \\, in a list" >&2
}
if [ $# -ne 2 ]; then
    usage
    exit 2
fi
csv=$1 out=$2
root=$(cd "$(dirname "$0")/.." && pwd) || exit 1
bin=${TVP_REPORT:-$root/build/tvp-report}
if [ ! -x "$bin" ]; then
    echo "plots: $bin not found: build it first with 'make' (or cmake --build build)" >&2
    exit 1
fi
if ! command -v "${GNUPLOT:-gnuplot}" >/dev/null 2>&1; then
    echo "plots: gnuplot not found: no charts. Install it with scripts/deps.sh (Debian package gnuplot-nox)," >&2
    echo "       then run 'make plots'. The CSV results are intact." >&2
    exit 1
fi

# One results file, checked: a file (a directory gets a hint), appended to the positional list.
add_csv() {
    if [ -d "$1" ]; then
        echo "plots: $1: is a directory; give a CSV file, e.g. ${1%/}/latest.csv" >&2
        exit 2
    fi
    if [ ! -f "$1" ]; then
        echo "plots: no such results file: $1 (run 'make bench' first, or pass CSV=path)" >&2
        exit 2
    fi
    files="$files$1$nl"
}
nl='
'
files=
if [ -e "$csv" ]; then
    add_csv "$csv" # the whole argument, commas and all
else
    # Split on commas; \, is a comma inside a path. Empty items are dropped.
    rest=$csv item=
    while [ -n "$rest" ]; do
        case $rest in
        '\,'*) item="$item," rest=${rest#??} ;;
        ,*)
            [ -n "$item" ] && add_csv "$item"
            item='' rest=${rest#?}
            ;;
        *)
            c=${rest%"${rest#?}"}
            item="$item$c" rest=${rest#?}
            ;;
        esac
    done
    [ -n "$item" ] && add_csv "$item"
fi
if [ -z "$files" ]; then
    usage
    exit 2
fi
# Each path as its own argument (tvp-report takes an existing file whole).
set --
set -f
old_ifs=$IFS
IFS=$nl
for f in $files; do
    set -- "$@" "$f"
done
IFS=$old_ifs
set +f
"$bin" --out="$out" --scripts="$root/scripts/gnuplot" --gnuplot="${GNUPLOT:-gnuplot}" -- "$@"
rc=$?
if [ $rc -eq 0 ]; then
    echo "plots: open $out/index.html"
fi
exit $rc
