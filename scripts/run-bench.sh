#!/bin/sh
# run-bench.sh: what `make bench` runs: tvp-bench with a profile into results/, then the charts.
# usage: run-bench.sh TVP_BENCH_BINARY SOURCE_DIR PROFILE [extra tvp-bench flags...]
set -u
bin=$1 src=$2 profile=$3
shift 3
cd "$src" || exit 1
"$bin" --tvp_profile="$profile" --tvp_out=results "$@"
rc=$?
# Charts from whatever was written, even after a failed or interrupted run.
if [ -f results/latest.csv ] && [ -x scripts/plots.sh ]; then
    if command -v gnuplot >/dev/null 2>&1; then
        scripts/plots.sh results/latest.csv plots || echo "run-bench: charts failed (results are intact)" >&2
    else
        echo "run-bench: gnuplot not found: no charts. Install it (scripts/deps.sh does) and run 'make plots'." >&2
    fi
fi
exit $rc
