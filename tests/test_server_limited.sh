#!/bin/sh
# test_server_limited.sh: a real small run: net rows say server_limited yes/no by the README's rule (recomputed here from their own cells), other rows leave it empty; the summary, console and meta agree.
# usage: test_server_limited.sh BUILD_DIR SOURCE_DIR
set -u
bin="$1/tvp-bench"
[ -x "$bin" ] || { echo "SKIP: tvp-bench is not built"; exit 77; }
py=python3
[ -x /usr/bin/python3 ] && py=/usr/bin/python3
tmp=$(mktemp -d /tmp/tvp-test-server-limited-XXXXXX)
trap '[ -n "${KEEP:-}" ] || rm -rf "$tmp"' EXIT
# Both pools, many workers and a short wait (the server is busiest), beside a workload without a server.
"$bin" --tvp_workloads=net,sleep --tvp_executors=serial,threads,processes --tvp_workers=1,16 --tvp_tasks=16 \
    --tvp_delay_us=500 --tvp_sleep_us=500 --tvp_gil=off --tvp_pin=none --tvp_sched=none \
    --benchmark_repetitions=2 --benchmark_min_time=0.02 --tvp_out="$tmp/r" >"$tmp/out" 2>"$tmp/err" ||
    { echo "FAIL: run: exit $?: $(tail -3 "$tmp/err")"; exit 1; }
"$py" - "$tmp" <<'PY'
import csv, json, math, sys
tmp = sys.argv[1]
fails, checks = [], 0
def rows(p):
    with open(p, newline="") as f:
        return list(csv.DictReader(f))
main, summ = rows(tmp + "/r/latest.csv"), rows(tmp + "/r/latest.summary.csv")
meta = json.load(open(tmp + "/r/latest.meta.json"))
out = open(tmp + "/out").read()
for col in ("server_limited", "server_cpu", "server_nice"):
    if col not in main[0]: fails.append(f"main CSV has no {col} column")
if "server_limited" not in summ[0]: fails.append("summary CSV has no server_limited column")
if fails:
    print("\n".join("FAIL: " + f for f in fails)); sys.exit(1)
judged = 0
for r in main:
    v = r["server_limited"]
    checks += 1
    if v not in ("yes", "no", ""): fails.append(f"{r['benchmark']} rep {r['repetition']}: server_limited={v!r}")
    if r["workload"] != "net" or r["status"] != "ok":
        if v: fails.append(f"{r['benchmark']}: server_limited={v} on a {r['workload']}/{r['status']} row")
        continue
    # The rule, from the row's own cells (README's column table).
    p50, p99, lat = float(r["server_late_p50_us"]), float(r["server_late_p99_us"]), float(r["lat_p50_us"])
    tasks, workers = int(r["tasks"]), int(r["workers"])
    rounds = math.ceil(tasks / min(tasks, workers))
    want = "yes" if p50 > 0.10 * lat or p99 > 0.25 * rounds * lat else "no"
    if v != want: fails.append(f"{r['benchmark']} rep {r['repetition']}: server_limited={v}, the rule says {want}")
    judged += 1
    if r["server_nice"] == "": fails.append(f"{r['benchmark']}: no server_nice for the embedded server")
    # With a PU to spare the server is bound (pool workers say where they run before the run;
    # per-task ones only as they start); with none to spare it is not.
    pus, bound = int(meta["machine"]["usable_pus"]), r["server_cpu"] != ""
    if pus <= workers and bound:
        fails.append(f"{r['benchmark']}: bound to PU {r['server_cpu']} with {pus} PUs for {workers} workers")
    if pus > workers and not bound and r["spawn"] == "pool":
        fails.append(f"{r['benchmark']}: unbound with {pus} PUs for {workers} workers")
if judged == 0: fails.append("no net row was judged")
for s in summ:
    checks += 1
    reps = [r["server_limited"] for r in main if r["benchmark"] == s["benchmark"] and r["server_limited"]]
    want = ("yes" if "yes" in reps else "no") if reps else ""
    if s["server_limited"] != want: fails.append(f"summary {s['benchmark']}: {s['server_limited']!r}, rows say {want!r}")
    if s["server_limited"] == "yes" and "server-limited" not in out:
        fails.append("a server-limited configuration but no 'server-limited' in the console summary")
ds = meta.get("delay_server", {})
checks += 1
if ds.get("mode") != "embedded" or ds.get("started") is not True or not isinstance(ds.get("nice"), int):
    fails.append(f"meta delay_server: {ds}")
for f in fails: print("FAIL: " + f)
print(f"{checks - len(fails)} passed, {len(fails)} failed ({judged} net rows judged)")
sys.exit(1 if fails else 0)
PY
