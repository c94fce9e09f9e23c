#!/bin/sh
# crosscheck.sh: perf bench sched pipe and hackbench beside tvp's pipe ping-pong, measured in one go.
#
# usage: scripts/crosscheck.sh [TVP_BENCH]          (default: build/tvp-bench, or $TVP_BENCH)
# env:   LOOPS=200000  perf round trips per run      HLOOPS=20000  hackbench messages per sender
#        RUNS=3        runs of each external tool    REPS=5        tvp repetitions
#
# Both tools are optional: a missing one is reported with how to install it and skipped (exit 0).
# perf bench sched pipe passes one byte back and forth over two pipes between two processes (-T:
# threads) and prints usecs per round trip: exactly what sched/pingpong/pipe/<executor> times.
# hackbench is a many-task throughput test (senders x receivers over pipes with -p); only its
# threads-versus-processes ratio is comparable. Unpinned hand-offs are bimodal on small VMs (~5 us
# when the scheduler keeps both sides on one CPU, 30-60 us across CPUs), so the pinned lines are
# the ones to compare; the tvp lines say where its sides ran.
set -u

here=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-${TVP_BENCH:-$here/build/tvp-bench}}
LOOPS=${LOOPS:-200000}
HLOOPS=${HLOOPS:-20000}
RUNS=${RUNS:-3}
REPS=${REPS:-5}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/tvp-crosscheck.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM

# The first CPU this shell may run on: where the "one CPU" runs are pinned (tvp's cpus:same picks
# the first usable PU too).
cpu=$(sed -n 's/^Cpus_allowed_list:[[:space:]]*\([0-9]*\).*/\1/p' /proc/self/status)
cpu=${cpu:-0}

spread() { # numbers on stdin -> "median [min-max]"
    sort -g | awk '{v[NR] = $1} END {if (NR == 0) {print "-"; exit}
        m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
        if (NR == 1) printf "%.2f\n", m; else printf "%.2f [%.2f-%.2f]\n", m, v[1], v[NR]}'
}

# ---- perf bench sched pipe ----
perf_ok=no
if ! command -v perf >/dev/null 2>&1; then
    echo "perf: not installed; skipped (Debian: apt-get install linux-perf; Ubuntu: apt-get install linux-tools-common linux-tools-\$(uname -r))"
elif ! perf bench sched pipe -l 1000 >"$tmp/perf.probe" 2>&1; then
    echo "perf: 'perf bench sched pipe' does not run here; skipped:"
    sed 's/^/  /' "$tmp/perf.probe" | head -5
else
    perf_ok=yes
fi
perf_pipe() { # [taskset prefix...] [-T] -> median [min-max] usecs/op over RUNS runs
    i=0
    while [ $i -lt "$RUNS" ]; do
        "$@" -l "$LOOPS" 2>&1 | awk '/usecs\/op/ {print $1}'
        i=$((i + 1))
    done | spread
}
if [ $perf_ok = yes ]; then
    echo "perf bench sched pipe -l $LOOPS, $RUNS runs each ..."
    perf_p_none=$(perf_pipe perf bench sched pipe)
    perf_t_none=$(perf_pipe perf bench sched pipe -T)
    perf_p_same=$(perf_pipe taskset -c "$cpu" perf bench sched pipe)
    perf_t_same=$(perf_pipe taskset -c "$cpu" perf bench sched pipe -T)
fi

# ---- hackbench ----
hb_ok=no
if ! command -v hackbench >/dev/null 2>&1; then
    echo "hackbench: not installed; skipped (Debian/Ubuntu: apt-get install rt-tests)"
else
    hb_ok=yes
fi
# 1 group of 2 senders and 2 receivers over pipes: 2 x 2 x HLOOPS messages; us per message.
hackbench_us() { # [taskset prefix...] -T|-P
    i=0
    while [ $i -lt "$RUNS" ]; do
        "$@" -p -g 1 -f 2 -l "$HLOOPS" 2>&1 | awk -v n=$((2 * 2 * HLOOPS)) '/^Time:/ {printf "%.3f\n", $2 * 1e6 / n}'
        i=$((i + 1))
    done | spread
}
if [ $hb_ok = yes ]; then
    echo "hackbench -p -g 1 -f 2 -l $HLOOPS, $RUNS runs each ..."
    hb_t_none=$(hackbench_us hackbench -T)
    hb_p_none=$(hackbench_us hackbench -P)
    hb_t_same=$(hackbench_us taskset -c "$cpu" hackbench -T)
    hb_p_same=$(hackbench_us taskset -c "$cpu" hackbench -P)
fi

# ---- tvp ----
tvp_ok=no
if [ ! -x "$bin" ]; then
    echo "tvp-bench: $bin not found; build it first (make, or cmake --build build); skipped"
elif ! command -v jq >/dev/null 2>&1 && ! command -v python3 >/dev/null 2>&1; then
    echo "tvp: needs jq or python3 to read Google Benchmark's JSON (apt-get install jq); skipped"
else
    echo "tvp-bench sched/pingpong/pipe, $REPS repetitions ..."
    if "$bin" --tvp_profile=quick --tvp_sched=pingpong --tvp_out="$tmp/results" \
        --benchmark_filter='^sched/pingpong/pipe/(threads|processes)/cpus:(none|same)/' \
        --benchmark_repetitions="$REPS" --benchmark_report_aggregates_only=true \
        --benchmark_out="$tmp/tvp.json" --benchmark_out_format=json >"$tmp/tvp.log" 2>&1 &&
        [ -s "$tmp/tvp.json" ]; then
        tvp_ok=yes
    else
        echo "tvp-bench failed; its output:"
        tail -20 "$tmp/tvp.log" | sed 's/^/  /'
    fi
fi
# tvp_get EXECUTOR CPUS FIELD: the median aggregate's (or with one repetition, the run's) real_time
# in us per round trip, or a counter, to 2 decimals ("-" when absent).
# shellcheck disable=SC2016 # $p and $f are jq variables
tvp_jq='[.benchmarks[] | select(.name | startswith($p))] | (map(select(.aggregate_name == "median")) + .)[0]
    | if . == null then "-"
      else (if $f == "real_time" then .real_time * ({"ns": 0.001, "us": 1, "ms": 1000, "s": 1000000}[.time_unit])
            else .[$f] end) | if . == null then "-" else (. * 100 | round / 100) end end'
tvp_py='import json, sys
doc, prefix, field = json.load(open(sys.argv[1])), sys.argv[2], sys.argv[3]
rows = [b for b in doc["benchmarks"] if b["name"].startswith(prefix)]
rows = [b for b in rows if b.get("aggregate_name") == "median"] + rows
v = None
if rows and field == "real_time":
    v = rows[0]["real_time"] * {"ns": 1e-3, "us": 1, "ms": 1e3, "s": 1e6}[rows[0]["time_unit"]]
elif rows:
    v = rows[0].get(field)
print("-" if v is None else round(v, 2))'
tvp_get() {
    if command -v jq >/dev/null 2>&1; then
        jq -r --arg p "sched/pingpong/pipe/$1/cpus:$2/" --arg f "$3" "$tvp_jq" "$tmp/tvp.json"
    else
        python3 -c "$tvp_py" "$tmp/tvp.json" "sched/pingpong/pipe/$1/cpus:$2/" "$3"
    fi
}
# "mean (p50) N%": N the share of round trips with both sides on one CPU
tvp_cell() {
    printf '%s (%s) %s\n' "$(tvp_get "$1" "$2" real_time)" "$(tvp_get "$1" "$2" lat_p50_us)" \
        "$(tvp_get "$1" "$2" same_cpu_frac | awk '{if ($1 == "-") print "-"; else printf "%.0f%%", $1 * 100}')"
}
if [ $tvp_ok = yes ]; then
    tp_none=$(tvp_cell processes none) tt_none=$(tvp_cell threads none)
    tp_same=$(tvp_cell processes same) tt_same=$(tvp_cell threads same)
fi

# ---- side by side ----
ratio() { awk -v t="$1" -v p="$2" 'BEGIN {if (t + 0 > 0 && p + 0 > 0) printf "%.2f", t / p; else print "-"}'; }
row() { # label processes threads
    printf '%-40s %-22s %-22s %8s\n' "$1" "$2" "$3" "$(ratio "$3" "$2")"
}
header() { printf '%-40s %-22s %-22s %8s\n' "" "$1" "$2" "thr/proc"; }
if [ $perf_ok = yes ] || [ $tvp_ok = yes ]; then
    echo
    echo "Round trip over two pipes, us (lower is better)."
    [ $perf_ok = no ] || echo "perf: median [min-max] of $RUNS runs, each the mean of $LOOPS round trips."
    [ $tvp_ok = no ] || echo "tvp: median of $REPS repetitions: mean (p50) N%, N the round trips with both sides on one CPU."
    header processes threads
    [ $perf_ok = no ] || row "perf bench sched pipe, unpinned" "$perf_p_none" "$perf_t_none"
    [ $tvp_ok = no ] || row "tvp sched/pingpong/pipe/*/cpus:none" "$tp_none" "$tt_none"
    [ $perf_ok = no ] || row "perf bench sched pipe, taskset -c $cpu" "$perf_p_same" "$perf_t_same"
    [ $tvp_ok = no ] || row "tvp sched/pingpong/pipe/*/cpus:same" "$tp_same" "$tt_same"
fi
if [ $hb_ok = yes ]; then
    echo
    echo "hackbench -p -g 1 -f 2 (2 senders x 2 receivers), us per message: median [min-max] of $RUNS runs."
    header "processes (-P)" "threads (-T)"
    row "hackbench, unpinned" "$hb_p_none" "$hb_t_none"
    row "hackbench, taskset -c $cpu" "$hb_p_same" "$hb_t_same"
fi
if [ $perf_ok = no ] && [ $tvp_ok = no ] && [ $hb_ok = no ]; then
    echo "(nothing could be measured)"
fi
exit 0
