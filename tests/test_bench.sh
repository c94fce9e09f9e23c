#!/bin/sh
# test_bench.sh: tvp-bench end to end: bad input exits 2 naming the flag, a small run writes the
# contract CSV/JSON/meta, an unwritable results directory is refused up front, Ctrl-C leaves
# interrupted rows and no process behind, the dispatch floor and noop's multiple of it.
# usage: test_bench.sh BUILD_DIR SOURCE_DIR
set -u
build=$1
bin="$build/tvp-bench"
tmp=$(mktemp -d /tmp/tvp-test-bench-XXXXXX)
trap '[ -n "${KEEP:-}" ] || rm -rf "$tmp"' EXIT
fails=0 passes=0
ok() { passes=$((passes + 1)); }
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }

# 1. Every bad value exits 2 and names its flag.
while read -r flag name; do
    "$bin" "$flag" --tvp_out="$tmp/never" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    if [ $rc -ne 2 ]; then bad "$flag: exit $rc, expected 2"; continue; fi
    if ! grep -q -- "$name" "$tmp/err"; then bad "$flag: message does not name $name: $(cat "$tmp/err")"; continue; fi
    if [ -e "$tmp/never" ]; then bad "$flag: created the results directory"; continue; fi
    ok
done <<'LIST'
--tvp_workers=0 --tvp_workers
--tvp_workers=-3 --tvp_workers
--tvp_workers=lots --tvp_workers
--tvp_workers=100000 --tvp_workers
--tvp_tasks=0 --tvp_tasks
--tvp_tasks=999999999999 --tvp_tasks
--tvp_executors=fibers --tvp_executors
--tvp_spawn=vfork --tvp_spawn
--tvp_pin=here --tvp_pin
--tvp_workloads=none --tvp_workloads
--tvp_profile=fast --tvp_profile
--tvp_bytes=0 --tvp_bytes
--tvp_sleep_us=-5 --tvp_sleep_us
--tvp_algo=md5 --tvp_algo
--tvp_timer_slack_ns=0 --tvp_timer_slack_ns
--tvp_gil=maybe --tvp_gil
--tvp_switch_us=0 --tvp_switch_us
--tvp_check_ticks=-1 --tvp_check_ticks
--tvp_task_timeout=0 --tvp_task_timeout
--tvp_net_target=localhost --tvp_net_target
--tvp_net_target=host:99999 --tvp_net_target
--tvp_delay_us=20000000 --tvp_delay_us
--tvp_conn=udp --tvp_conn
--tvp_hogs=0 --tvp_hogs
--tvp_bogus=1 --tvp_bogus
--benchmark_bogus=1 benchmark_bogus
LIST

# 2. An unwritable results directory is refused before anything runs.
"$bin" --tvp_out=/proc/tvp-results --tvp_workloads=noop >"$tmp/out" 2>"$tmp/err"
rc=$?
if [ $rc -eq 2 ] && grep -q "not writable" "$tmp/err" && ! grep -q "tvp: run" "$tmp/out"; then ok; else bad "unwritable dir: exit $rc: $(cat "$tmp/err")"; fi

# 3. A small real run writes the contract files.
out="$tmp/results"
"$bin" --tvp_profile=quick --tvp_workloads=hash,sleep,noop --tvp_gil=off --tvp_workers=2 --tvp_tasks=8 \
    --tvp_sleep_us=1000 --tvp_bytes=4096 --benchmark_min_time=0.01 --tvp_out="$out" >"$tmp/out" 2>"$tmp/err"
rc=$?
if [ $rc -ne 0 ]; then bad "small run exit $rc: $(tail -5 "$tmp/err")"; fi
for f in latest.csv latest.json latest.meta.json; do
    if [ -s "$out/$f" ]; then ok; else bad "missing $out/$f"; fi
done
first_csv=$(ls "$out"/*-*.csv 2>/dev/null | grep -v '\.summary\.csv$')
n_csv=$(echo "$first_csv" | grep -c .)
if [ "$n_csv" -eq 1 ]; then ok; else bad "expected one stamped CSV, found $n_csv"; fi
contract="run_id,benchmark,workload,executor,spawn,gil,switch_us,workers,pin,tasks,repetition,status,wall_s,tasks_per_s,speedup,efficiency,cpu_s,cpu_util,ctx_vol,ctx_invol,lat_p50_us,lat_p99_us,rss_kib"
if head -1 "$out/latest.csv" | grep -q "^$contract,"; then ok; else bad "CSV header: $(head -1 "$out/latest.csv")"; fi
rows=$(($(wc -l <"$out/latest.csv") - 1))
if [ "$rows" -eq 15 ]; then ok; else bad "expected 15 rows (3 workloads x 5 configurations), got $rows"; fi
if [ "$(cut -d, -f12 "$out/latest.csv" | sort -u | tr '\n' ' ')" = "ok status " ]; then ok; else bad "statuses: $(cut -d, -f12 "$out/latest.csv" | sort | uniq -c)"; fi
if grep -q '"benchmarks"' "$out/latest.json" && grep -q '"usable_cpuset"' "$out/latest.meta.json"; then ok; else bad "json/meta content"; fi
if grep -q "== tvp summary" "$tmp/out" && grep -q "speedup" "$tmp/out"; then ok; else bad "no summary table printed"; fi
# serial rows have speedup 1
if awk -F, 'NR>1 && $4=="serial" && $15!=1 {exit 1}' "$out/latest.csv"; then ok; else bad "serial speedup is not 1"; fi

# 4. SIGINT mid-run: exit 130, previous latest.* replaced by a valid interrupted run, no process left.
cp "$out/latest.csv" "$tmp/before.csv"
"$bin" --tvp_profile=quick --tvp_workloads=sleep --tvp_sleep_us=200000 --tvp_tasks=4 --tvp_workers=2 \
    --tvp_executors=serial,processes --benchmark_min_time=2 --tvp_out="$out" >"$tmp/out" 2>"$tmp/err" &
pid=$!
sleep 2
kill -INT $pid
wait $pid
rc=$?
if [ $rc -eq 130 ]; then ok; else bad "interrupted run exit $rc, expected 130"; fi
if grep -q ",interrupted," "$out/latest.csv"; then ok; else bad "no interrupted row: $(cat "$out/latest.csv")"; fi
if head -1 "$out/latest.csv" | grep -q "^$contract,"; then ok; else bad "interrupted CSV header"; fi
if grep -q '"status": "interrupted"' "$out/latest.meta.json"; then ok; else bad "meta status"; fi
sleep 0.5
if pgrep -f "tvp-bench.*$out" >/dev/null; then bad "processes left: $(pgrep -af "tvp-bench.*$out")"; else ok; fi
if cmp -s "$tmp/before.csv" "$first_csv"; then ok; else bad "the first run's CSV changed"; fi

# 5. The harness SIGKILLed mid-run: its process workers die with it (parent-death signal).
"$bin" --tvp_profile=quick --tvp_workloads=sleep --tvp_sleep_us=500000 --tvp_tasks=4 --tvp_workers=4 \
    --tvp_executors=processes --tvp_spawn=pool --benchmark_min_time=5 --tvp_out="$tmp/killed" >/dev/null 2>&1 &
pid=$!
sleep 1.5
n_before=$(pgrep -f "tvp-bench.*$tmp/killed" | wc -l)
kill -KILL $pid
wait $pid 2>/dev/null
sleep 1
n_after=$(pgrep -f "tvp-bench.*$tmp/killed" | wc -l)
if [ "$n_before" -ge 5 ] && [ "$n_after" -eq 0 ]; then ok; else bad "harness killed: $n_before processes before, $n_after left"; fi

# 6. The dispatch floor: sched/dispatch rows beside noop's, and noop's time per task as a multiple
#    of the floor's (same executor and workers) in the console and the summary's x_floor; serial
#    has none. The default profile's repetitions (3) so the multiple is a ratio of medians.
"$bin" --tvp_profile=quick --tvp_workloads=noop --tvp_sched=dispatch --tvp_gil=off --tvp_workers=2 \
    --tvp_spawn=pool --benchmark_repetitions=3 --benchmark_min_time=0.02 --tvp_out="$tmp/floor" \
    >"$tmp/floor.out" 2>"$tmp/floor.err"
rc=$?
if [ $rc -eq 0 ] && grep -q "x floor" "$tmp/floor.out"; then ok; else bad "dispatch floor run: exit $rc, $(tail -3 "$tmp/floor.err")"; fi
if python3 - "$tmp/floor/latest.csv" "$tmp/floor/latest.summary.csv" <<'PY'; then ok; else bad "dispatch floor rows or x_floor wrong"; fi
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
summ = list(csv.DictReader(open(sys.argv[2], newline="")))
floor = {(r["executor"], r["workers"]) for r in rows if r["workload"] == "sched_dispatch" and r["status"] == "ok"
         and r["batch"] == "2000" and float(r["wall_s"]) > 0}
assert floor == {("threads", "2"), ("processes", "2")}, floor
noop = {r["executor"]: r["x_floor"] for r in summ if r["workload"] == "noop"}
assert noop["serial"] == "", noop
for e in ("threads", "processes"):
    assert float(noop[e]) > 0, noop
assert all(r["x_floor"] == "" for r in summ if r["workload"] != "noop")
PY

echo "$passes passed, $fails failed"
[ $fails -eq 0 ]
