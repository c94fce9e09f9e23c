#!/bin/sh
# test_outputs.sh: the files of two real runs (quick profile vs default profile, different flags) read by strict, independent readers: names stable, JSON strict, CSV tidy, summary right, Google Benchmark flags validated.
# usage: test_outputs.sh BUILD_DIR SOURCE_DIR
#
# Readers: Python's json with parse_constant raising (always), jq, Google Benchmark's compare.py
# (/usr/share/benchmark, Debian's libbenchmark-tools, needs python3-scipy) and pandas when
# installed (.ci/run installs them; without them those checks say SKIP), and tvp-compare.
set -u
build=$1
bin="$build/tvp-bench"
cmpbin="$build/tvp-compare"
[ -x "$bin" ] && [ -x "$cmpbin" ] || { echo "SKIP: tvp-bench or tvp-compare is not built"; exit 77; }
tmp=$(mktemp -d /tmp/tvp-test-outputs-XXXXXX)
trap '[ -n "${KEEP:-}" ] || rm -rf "$tmp"' EXIT
fails=0 passes=0
ok() { passes=$((passes + 1)); }
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }
skip() { echo "SKIP: $*"; }

# Debian's python3 has the Debian packages (scipy, pandas); any python3 has json and csv.
py=python3
[ -x /usr/bin/python3 ] && py=/usr/bin/python3

common="--tvp_workloads=sleep,noop,hash --tvp_workers=2 --tvp_sleep_us=1000 --tvp_tasks=8 --tvp_bytes=4096 --tvp_chunk=4096"
# A: the quick profile, one repetition, the wakeup microbenchmarks, flags in one order.
"$bin" --tvp_profile=quick $common --tvp_sched=wakeup --benchmark_min_time=0.02 --tvp_out="$tmp/a" \
    >"$tmp/a.out" 2>"$tmp/a.err" || bad "run A: exit $?: $(tail -3 "$tmp/a.err")"
# B: the default profile (3 repetitions, random interleaving), Google Benchmark 1.8's "s" suffix,
# the JSON also written where --benchmark_out says, flags in another order.
"$bin" --benchmark_min_time=0.02s --tvp_sched=wakeup $common --tvp_out="$tmp/b" --benchmark_out="$tmp/b-copy.json" \
    >"$tmp/b.out" 2>"$tmp/b.err" || bad "run B: exit $?: $(tail -3 "$tmp/b.err")"

"$py" - "$tmp" <<'PY' || bad "strict readers (Python): see above"
import csv, glob, json, math, os, re, statistics, sys
tmp = sys.argv[1]
fails = []
def no(x): raise ValueError("bare " + x)
def load(p):
    with open(p) as f:
        return json.load(f, parse_constant=no)
def rows(p):
    with open(p, newline="") as f:
        r = list(csv.reader(f))
    for i, row in enumerate(r[1:], 2):
        if len(row) != len(r[0]):
            fails.append(f"{p}:{i}: {len(row)} fields, header has {len(r[0])}")
    return [dict(zip(r[0], row)) for row in r[1:]]
settings = re.compile(r"/(min_time|min_warmup_time|repeats|iterations|threads|rep):|/(manual_time|real_time|process_time)")
names = {}
for run in "ab":
    d = os.path.join(tmp, run)
    for p in glob.glob(d + "/*.json") + glob.glob(d + "/.latest/*.json"):
        try: load(p)
        except Exception as e: fails.append(f"{p} is not strict JSON: {e}")
    main, summ = rows(d + "/latest.csv"), rows(d + "/latest.summary.csv")
    run_ids = {r["run_id"] for r in main} | {r["run_id"] for r in summ}
    meta, gb = load(d + "/latest.meta.json"), load(d + "/latest.json")
    run_ids |= {meta["run_id"], gb["context"]["tvp_run_id"]}
    if len(run_ids) != 1: fails.append(f"{run}: latest.* of several runs: {run_ids}")
    for r in main:
        if not r["repetition"].isdigit(): fails.append(f"{run}: repetition {r['repetition']!r}")
        if r["status"] != "ok": fails.append(f"{run}: {r['benchmark']} {r['status']}: {r['detail']}")
    for n in [r["benchmark"] for r in main + summ] + [b["name"] for b in gb["benchmarks"]]:
        if settings.search(n): fails.append(f"{run}: a name carries run settings: {n}")
    configs = {r["benchmark"] for r in main}
    names[run] = configs
    reps = 1 if run == "a" else 3
    if len(main) != reps * len(configs): fails.append(f"{run}: {len(main)} rows for {len(configs)} configurations x {reps}")
    if [r["benchmark"] for r in summ] != sorted(configs, key=[r["benchmark"] for r in main].index):
        fails.append(f"{run}: the summary is not one row per configuration in matrix order")
    # The summary's medians are the medians of the repetition rows.
    for s in summ:
        walls = [float(r["wall_s"]) for r in main if r["benchmark"] == s["benchmark"] and r["status"] == "ok"]
        if int(s["n"]) != reps or int(s["n_ok"]) != len(walls) or s["status"] != "ok":
            fails.append(f"{run}: summary n/n_ok/status of {s['benchmark']}: {s['n']}/{s['n_ok']}/{s['status']}")
        if not math.isclose(float(s["wall_s_median"]), statistics.median(walls), rel_tol=1e-6):
            fails.append(f"{run}: wall_s_median of {s['benchmark']}: {s['wall_s_median']} vs {statistics.median(walls)}")
        if s["workload"] != "sched_wakeup" and s["executor"] != "serial" and not s["speedup_median"]:
            fails.append(f"{run}: no speedup_median for {s['benchmark']}")
        if reps == 1 and s["wall_s_cv"]: fails.append(f"{run}: a cv of one repetition")
    # The JSON: one iteration entry per row (same names), aggregates only with repetitions.
    its = [b for b in gb["benchmarks"] if b["run_type"] == "iteration"]
    aggs = [b for b in gb["benchmarks"] if b["run_type"] == "aggregate"]
    if sorted(b["name"] for b in its) != sorted(r["benchmark"] for r in main): fails.append(f"{run}: JSON names differ from the CSV's")
    if len(aggs) != (0 if reps == 1 else 4 * len(configs)): fails.append(f"{run}: {len(aggs)} aggregate entries")
    for b in its:
        for k in ("real_time", "cpu_time", "time_unit", "iterations", "repetition_index", "repetitions"):
            if k not in b: fails.append(f"{run}: {b['name']} lacks {k}")
        unit = "us" if b["name"].startswith("sched/") else "ms"
        if b.get("time_unit") != unit: fails.append(f"{run}: {b['name']} time_unit {b.get('time_unit')}")
if names.get("a") != names.get("b"):
    fails.append(f"the same configurations have different names: {sorted(names['a'] ^ names['b'])[:4]}")
if load(os.path.join(tmp, "b-copy.json")) != load(os.path.join(tmp, "b/latest.json")):
    fails.append("--benchmark_out's copy differs from the run's JSON")
for f in fails: print("FAIL:", f)
sys.exit(1 if fails else 0)
PY
[ $? -eq 0 ] && ok

# jq: strict too (it refuses NaN as a token).
if command -v jq >/dev/null; then
    for f in "$tmp"/a/*.json "$tmp"/b/*.json; do
        jq -e '.benchmarks // .run_id' "$f" >/dev/null 2>&1 && ok || bad "jq cannot read $f"
    done
else skip "jq not installed"; fi

# Google Benchmark's own client: the two runs' configurations match by name.
cmp_py=/usr/share/benchmark/compare.py
if [ -f "$cmp_py" ] && "$py" -c 'import scipy' 2>/dev/null; then
    if "$py" "$cmp_py" benchmarks "$tmp/a/latest.json" "$tmp/b/latest.json" >"$tmp/cmp.out" 2>&1; then
        n=$(grep -c 'sleep/threads/pool/gil:off/workers:2/pin:none/sleep_us:1000' "$tmp/cmp.out")
        [ "$n" -ge 1 ] && ok || bad "compare.py matched no row: $(head -5 "$tmp/cmp.out")"
    else bad "compare.py failed: $(tail -5 "$tmp/cmp.out")"; fi
else skip "compare.py or scipy not installed (Debian: libbenchmark-tools python3-scipy)"; fi

# tvp-compare reads both runs (CSV and JSON) and matches every configuration.
for kind in csv json; do
    "$cmpbin" --format=csv "$tmp/a/latest.$kind" "$tmp/b/latest.$kind" >"$tmp/tc.$kind" 2>"$tmp/tc.err"
    rc=$?
    if [ $rc -le 1 ] && grep -q 'sleep/processes/pool/gil:off/workers:2/pin:none/sleep_us:1000' "$tmp/tc.$kind" &&
        ! grep -qi 'only in' "$tmp/tc.$kind"; then ok; else bad "tvp-compare $kind: exit $rc: $(head -3 "$tmp/tc.err") $(grep -i 'only in' "$tmp/tc.$kind" | head -2)"; fi
done

# pandas: the first pivot a user writes gives the right numbers on both files.
if "$py" -c 'import pandas' 2>/dev/null; then
    "$py" - "$tmp/b" <<'PY' && ok || bad "pandas pivots"
import sys, pandas as pd
d = pd.read_csv(sys.argv[1] + "/latest.csv"); s = pd.read_csv(sys.argv[1] + "/latest.summary.csv")
assert d["repetition"].dtype.kind == "i", d["repetition"].dtype
sel = lambda x: x[(x.workload == "sleep") & (x.spawn == "pool") & (x.gil == "off")]
piv = sel(d).pivot_table(index="workers", columns="executor", values="tasks_per_s", aggfunc="median")
spiv = sel(s).pivot_table(index="workers", columns="executor", values="tasks_per_s_median")
for e in ("threads", "processes"):
    a, b = piv.loc[2, e], spiv.loc[2, e]
    assert abs(a - b) <= 1e-6 * abs(b), (e, a, b)
    assert 100 < a < 1e7, (e, a)  # 8 tasks of 1 ms on 2 workers: about 2000 tasks/s
PY
else skip "pandas not installed (Debian: python3-pandas)"; fi

# Google Benchmark's flags are validated like tvp's: exit 2 naming the flag, nothing written.
prev=$(cat "$tmp/a/latest.csv")
while IFS='|' read -r flag want; do
    rm -rf "$tmp/v"
    "$bin" --tvp_workloads=noop --tvp_sched=none "$flag" --tvp_out="$tmp/v" >"$tmp/v.out" 2>"$tmp/v.err"
    rc=$?
    if [ $rc -eq 2 ] && grep -q -- "$want" "$tmp/v.err" && [ ! -e "$tmp/v" ]; then ok
    else bad "$flag: exit $rc, stderr '$(head -2 "$tmp/v.err")', out dir $(ls -A "$tmp/v" 2>/dev/null | tr '\n' ' ')"; fi
done <<'LIST'
--benchmark_filter=(|--benchmark_filter=(
--benchmark_filter=^nothing/matches$|matches no configuration
--benchmark_repetitions=-1|--benchmark_repetitions=-1
--benchmark_repetitions=0|--benchmark_repetitions=0
--benchmark_format=bogus|--benchmark_format=bogus
--benchmark_min_time=-1|--benchmark_min_time=-1
--benchmark_out_format=csv|--benchmark_out_format
--benchmark_bogus|--benchmark_bogus
stray|unexpected argument 'stray'
LIST
[ "$(cat "$tmp/a/latest.csv")" = "$prev" ] && ok || bad "a refused run changed another directory's latest.csv"
"$bin" --tvp_list stray >/dev/null 2>&1; [ $? -eq 2 ] && ok || bad "--tvp_list with a stray argument was accepted"

# A repeated value runs once; a long --tvp_out works whole or is refused, never truncated.
"$bin" --tvp_profile=quick --tvp_workloads=noop --tvp_sched=none --tvp_executors=threads --tvp_spawn=pool \
    --tvp_gil=off --tvp_workers=2,2 --tvp_list >"$tmp/list" 2>&1
[ "$(grep -c . "$tmp/list")" -eq 1 ] && ok || bad "--tvp_workers=2,2 lists $(cat "$tmp/list")"
long="$tmp/$(printf '%0200d' 0)/$(printf '%0200d' 1)/$(printf '%0200d' 2)/$(printf '%0200d' 3)/$(printf '%0150d' 4)"
"$bin" --tvp_profile=quick --tvp_workloads=noop --tvp_sched=none --tvp_executors=threads --tvp_spawn=pool \
    --tvp_gil=off --tvp_workers=2,2 --benchmark_min_time=0.01 --tvp_out="$long" >"$tmp/l.out" 2>&1
rc=$?
n=$(ls "$long" 2>/dev/null | grep -c '^2.*\(\.csv\|\.json\)$')
[ $rc -eq 0 ] && [ "$n" -eq 4 ] && ok || bad "a ${#long}-byte --tvp_out: exit $rc, $n run files: $(tail -2 "$tmp/l.out")"
toolong="$long/$(printf '%02500d' 5)"
"$bin" --tvp_workloads=noop --tvp_out="$toolong" >/dev/null 2>"$tmp/l.err"
[ $? -eq 2 ] && grep -q "too long" "$tmp/l.err" && ok || bad "a ${#toolong}-byte --tvp_out: $(cat "$tmp/l.err")"

echo "$passes passed, $fails failed"
[ $fails -eq 0 ]
