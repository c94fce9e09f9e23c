#!/bin/sh
# plots.sh: charts + index.html from tvp results: `make plots` and the end of `make bench` run it.
# usage: scripts/plots.sh CSV[,CSV...] OUTDIR
#   Several CSVs (comma-separated) are overlaid, each run labelled by its run id and host.
#   Needs build/tvp-report (run `make`) and gnuplot (scripts/deps.sh installs gnuplot-nox).
set -u
if [ $# -ne 2 ]; then
    echo "usage: $0 CSV[,CSV...] OUTDIR" >&2
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
old_ifs=$IFS
IFS=,
for f in $csv; do
    if [ ! -f "$f" ]; then
        echo "plots: no such results file: $f (run 'make bench' first, or pass CSV=path)" >&2
        exit 2
    fi
done
IFS=$old_ifs
"$bin" --out="$out" --scripts="$root/scripts/gnuplot" --gnuplot="${GNUPLOT:-gnuplot}" "$csv"
rc=$?
if [ $rc -eq 0 ]; then
    echo "plots: open $out/index.html"
fi
exit $rc
