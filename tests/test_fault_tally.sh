#!/bin/sh
# test_fault_tally.sh: faults at random moments, many times, under the default profile's 3 interleaved repetitions (killed workers and delay server, task timeouts, stop signals, same-second pairs); prints one tally.
# usage: test_fault_tally.sh BUILD_DIR SOURCE_DIR
#
# Every run keeps the default profile's repetition settings (3 repetitions, random interleaving:
# no --tvp_profile), small otherwise. Each run is checked the same way: its exit code (a signal
# exit other than the one sent is a crash), no hang (killed after a generous limit), the time
# from a stop signal to the exit (late: over 2 s), rows = configurations (--tvp_list with the same
# flags) x 3 in the run's CSV, every *.csv (python3's csv module: every row as wide as the
# header) and *.json (json.load refusing NaN/Infinity; jq too when present) parseable, latest.*
# all of one run, no process with the run's unique results path left 1 s after the exit and no
# child of this script left, no temp file (*.tmp*, *.partial, .*.running, .tvp-link.*,
# .tvp-probe*) left. Each fault adds what it should lead to (status and detail of the rows, the
# meta's status and signal); a run that breaks it counts as an unexpected outcome.
# Counts: FAULT_TALLY_KILLS (30), _SERVER (10), _TIMEOUTS (10), _SIGNALS (20), _PAIRS (5); a
# sanitizer build (BUILD_DIR ending in asan/tsan, or linking libasan/libtsan) runs a third of each
# (at least 2) with longer limits. KEEP=1 keeps the scratch directory.
set -u
build=${1%/}
bin="$build/tvp-bench"
[ -x "$bin" ] || { echo "SKIP: $bin is not built"; exit 77; }
py=python3
[ -x /usr/bin/python3 ] && py=/usr/bin/python3
command -v "$py" >/dev/null 2>&1 || { echo "SKIP: python3 is not installed"; exit 77; }
have_jq=no
command -v jq >/dev/null 2>&1 && have_jq=yes
# A job started in the background by a non-interactive sh ignores SIGINT: start tvp-bench with
# the default action, as from a terminal, so that an early Ctrl-C behaves as it would there.
dflt=""
env --default-signal=INT true 2>/dev/null && dflt="env --default-signal=INT,QUIT"
have_setsid=no
command -v setsid >/dev/null 2>&1 && have_setsid=yes

san=""
case "$build" in *asan) san=asan ;; *tsan) san=tsan ;; esac
if [ -z "$san" ]; then
    libs=$(ldd "$bin" 2>/dev/null)
    case "$libs" in *libasan*) san=asan ;; *libtsan*) san=tsan ;; esac
fi
scale() { # $1: the count; a third of it (at least 2) in a sanitizer build
    if [ -n "$san" ]; then
        n=$(($1 / 3))
        [ "$n" -ge 2 ] || n=2
        [ "$1" -ge "$n" ] || n=$1
        echo "$n"
    else
        echo "$1"
    fi
}
n_kills=$(scale "${FAULT_TALLY_KILLS:-30}")
n_server=$(scale "${FAULT_TALLY_SERVER:-10}")
n_timeouts=$(scale "${FAULT_TALLY_TIMEOUTS:-10}")
n_signals=$(scale "${FAULT_TALLY_SIGNALS:-20}")
n_pairs=$(scale "${FAULT_TALLY_PAIRS:-5}")
reps=3        # the default profile's repetitions
hang_s=60      # a run still going after this long is a hang
late_ms=2000   # a stop signal must end the run within this
[ -n "$san" ] && hang_s=120
# ThreadSanitizer holds an asynchronous signal back until the thread next enters an intercepted
# call (a CPU loop such as the calibration postpones it by seconds); see test_faults.sh.
[ "$san" = tsan ] && late_ms=10000

tmp=$(mktemp -d /tmp/tvp-test-fault-tally-XXXXXX)
started="" # wrapper subshells started in the background; tvp-bench pids in runpids
runpids=""
cleanup() {
    for p in $runpids; do kill -KILL "$p" 2>/dev/null; kill -KILL -- "-$p" 2>/dev/null; done
    for p in $started; do kill -KILL "$p" 2>/dev/null; done
    [ -n "${KEEP:-}" ] || rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

runs=0 crashes=0 hangs=0 late=0 lost=0 unparseable=0 leftover_procs=0 leftover_tmp=0 unexpected=0
problem() { echo "FAIL: $*"; }

# A random integer in 0..$1-1.
rnd() { echo $(($(od -An -N4 -tu4 /dev/urandom | tr -d ' \n') % $1)); }
# Sleeps $1 milliseconds.
msleep() { sleep "$(awk -v m="$1" 'BEGIN { printf "%.3f", m / 1000 }')"; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }

# The checker: every file of a results directory parsed strictly, each run's rows summarised,
# latest.* traced to their runs.
cat >"$tmp/check.py" <<'PY'
import csv, io, json, os, sys

def no_constant(name):
    raise ValueError("non-standard JSON constant " + name)

def read_csv(path):
    with open(path, "rb") as f:
        text = f.read().decode("utf-8")
    rows = list(csv.reader(io.StringIO(text, newline=""), strict=True))
    if not rows:
        raise ValueError("empty")
    width = len(rows[0])
    for n, r in enumerate(rows[1:], 2):
        if len(r) != width:
            raise ValueError("line %d has %d fields, the header %d" % (n, len(r), width))
    return [dict(zip(rows[0], r)) for r in rows[1:]]

def read_json(path):
    with open(path, "rb") as f:
        return json.loads(f.read().decode("utf-8"), parse_constant=no_constant)

def one_line(s):
    return " ".join(str(s).split())

d = sys.argv[1]
parsed = {}
for name in sorted(os.listdir(d)):
    p = os.path.join(d, name)
    if not (name.endswith(".csv") or name.endswith(".json")):
        continue
    if os.path.islink(p) and not os.path.exists(p):
        print("BAD %s: dangling symlink to %s" % (name, os.readlink(p)))
        continue
    if os.path.isdir(p):
        continue
    try:
        parsed[name] = read_csv(p) if name.endswith(".csv") else read_json(p)
    except Exception as e:
        print("BAD %s: %s" % (name, one_line(e)))

def ids(rows):
    return ";".join(sorted({r.get("run_id", "?") for r in rows})) or "-"

for name in sorted(parsed):
    if not name.endswith(".csv") or name.endswith(".summary.csv") or name.startswith("latest"):
        continue
    stem = name[: -len(".csv")]
    rows = parsed[name]
    count = {"ok": 0, "failed": 0, "interrupted": 0}
    other = 0
    for r in rows:
        if r.get("status") in count:
            count[r["status"]] += 1
        else:
            other += 1
    meta = parsed.get(stem + ".meta.json")
    meta_status = meta.get("status", "-") if isinstance(meta, dict) else "-"
    meta_signal = (meta.get("signal") or "-") if isinstance(meta, dict) else "-"
    meta_id = meta.get("run_id", "-") if isinstance(meta, dict) else "-"
    summ = parsed.get(stem + ".summary.csv")
    # Each configuration's repetitions: the integers 0..n-1, once each, n the same for all.
    reps = {}
    for r in rows:
        reps.setdefault(r.get("benchmark"), []).append(r.get("repetition"))
    want = None
    reps_ok = "yes"
    for v in reps.values():
        if want is None:
            want = [str(k) for k in range(len(v))]
        if sorted(v, key=lambda x: (len(x), x)) != want:
            reps_ok = "no"
    print("RUN %s rows=%d ok=%d failed=%d interrupted=%d other=%d ids=%s configs=%d reps=%s meta=%s signal=%s meta_id=%s summary_ids=%s"
          % (stem, len(rows), count["ok"], count["failed"], count["interrupted"], other, ids(rows), len(reps),
             reps_ok, meta_status, meta_signal, meta_id, ids(summ) if summ is not None else "-"))
    for r in rows:
        if r.get("status") != "ok":
            print("ROW %s %s %s %s" % (stem, r.get("status"), r.get("repetition"), one_line(r.get("detail", ""))))
if any(n.startswith("latest") for n in os.listdir(d)):
    lc, ls, lm, lj = (parsed.get("latest" + s) for s in (".csv", ".summary.csv", ".meta.json", ".json"))
    print("LATEST csv=%s summary=%s meta=%s json=%s" % (
        ids(lc) if lc is not None else "-", ids(ls) if ls is not None else "-",
        lm.get("run_id", "-") if isinstance(lm, dict) else "-",
        (lj.get("context") or {}).get("tvp_run_id", "-") if isinstance(lj, dict) else "-"))
PY

# The killer, kill_child.py PID DELAY_MS TIMEOUT_S GLOB...: waits for PID's first child process,
# then DELAY_MS more, then SIGKILLs a random child as soon as there is one, and prints its pid;
# gives up after TIMEOUT_S or once a file matching a GLOB exists (the run ended or is ending).
# Children that share PID's memory are not workers (LeakSanitizer's tracer, cloned at exit in
# an ASan build: killing it leaves the exit spinning), nor are zombies. One process that polls
# every millisecond: per-task workers live ~20 ms, and a loaded machine takes longer than that
# to start a pgrep or a python.
cat >"$tmp/kill_child.py" <<'PY'
import ctypes, glob, os, platform, random, signal, sys, time

pid, delay, timeout, stops = int(sys.argv[1]), float(sys.argv[2]) / 1000, float(sys.argv[3]), sys.argv[4:]
nr_kcmp = {"x86_64": 312, "aarch64": 272, "riscv64": 272, "i686": 349, "armv7l": 378}.get(platform.machine())
libc = ctypes.CDLL(None, use_errno=True)

def same_vm(child):
    if nr_kcmp is not None:
        r = libc.syscall(nr_kcmp, pid, child, 1, 0, 0)  # KCMP_VM
        if r >= 0:
            return r == 0
    try:  # no kcmp: the same memory has the same counters
        with open("/proc/%d/statm" % pid) as a, open("/proc/%d/statm" % child) as b:
            return a.read() == b.read()
    except OSError:
        return True

def children():
    out = []
    for task in glob.glob("/proc/%d/task/*/children" % pid):
        try:
            with open(task) as f:
                out += [int(c) for c in f.read().split()]
        except OSError:
            pass
    live = []
    for c in out:
        try:
            with open("/proc/%d/stat" % c) as f:
                state = f.read().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            continue
        if state not in "ZX" and not same_vm(c):
            live.append(c)
    return live

def going():
    return time.monotonic() < end and os.path.exists("/proc/%d" % pid) and not any(glob.glob(g) for g in stops)

end = time.monotonic() + timeout
while going() and not children():
    time.sleep(0.005)
time.sleep(delay)
while going():
    kids = children()
    if kids:
        victim = random.choice(kids)
        try:
            os.kill(victim, signal.SIGKILL)
            print(victim)
            sys.exit(0)
        except ProcessLookupError:
            pass
    time.sleep(0.001)
sys.exit(1)
PY

# expect_rows KEY FLAGS...: sets want to the rows a run with these flags writes: configurations
# (tvp-bench's --tvp_list, asked once per KEY) x repetitions.
expect_rows() {
    key=$1
    shift
    [ -s "$tmp/configs-$key" ] || "$bin" "$@" --tvp_list 2>/dev/null | grep -c . >"$tmp/configs-$key"
    want=$(($(cat "$tmp/configs-$key") * reps))
    if [ "$want" -eq 0 ]; then
        echo "FAIL: tvp-bench $* --tvp_list lists no configuration: $("$bin" "$@" --tvp_list 2>&1 | tail -2)"
        exit 1
    fi
}

# launch TAG GROUP ARGS...: starts tvp-bench in the background (in a new session when GROUP is
# "group"), through a wrapper that records its exit code and the moment it ended. Sets run_pid.
# With sig (INT, TERM or HUP) set, the wrapper itself sends that signal sig_delay seconds after
# the start, to the process or (GROUP "group") its process group, unless the run has ended by
# then; it records the moment in TAG.sigt and whether it sent it in TAG.sent.
sig=""
sig_delay=0
launch() {
    tag=$1 grp=$2
    shift 2
    rm -f "$tag.pid" "$tag.rc" "$tag.end" "$tag.out" "$tag.err" "$tag.sigt" "$tag.sent"
    pre=""
    [ "$grp" = group ] && pre=setsid
    (
        # shellcheck disable=SC2086
        $pre $dflt "$bin" "$@" >"$tag.out" 2>"$tag.err" &
        p=$!
        echo $p >"$tag.pid"
        if [ -n "$sig" ]; then
            sleep "$sig_delay"
            st=""
            [ -r "/proc/$p/stat" ] && read -r st <"/proc/$p/stat"
            case "$st" in
            "" | *") Z "* | *") X "*) echo no >"$tag.sent" ;; # gone (a zombie: not reaped yet)
            *)
                date +%s%N >"$tag.sigt"
                to=$p
                [ "$grp" = group ] && to=-$p
                if kill -s "$sig" -- "$to" 2>/dev/null; then echo yes >"$tag.sent"; else echo no >"$tag.sent"; fi
                ;;
            esac
        fi
        wait $p
        rc=$?
        date +%s%N >"$tag.end.tmp" && mv "$tag.end.tmp" "$tag.end"
        echo $rc >"$tag.rc.tmp" && mv "$tag.rc.tmp" "$tag.rc"
    ) 2>/dev/null & # (no "Terminated" from the wrapper when a signal ends tvp-bench)
    started="$started $!"
    while [ ! -s "$tag.pid" ]; do sleep 0.01; done
    run_pid=$(cat "$tag.pid")
    runpids="$runpids $run_pid"
}

# finish TAG PID: waits for the run to end (a hang after hang_s: killed, counted); sets rc to its
# exit code, and hung=yes when it had to be killed.
finish() {
    t0=$(now_ms)
    hung=no
    while [ ! -e "$1.rc" ]; do
        if [ $(($(now_ms) - t0)) -gt $((hang_s * 1000)) ] && [ $hung = no ]; then
            hung=yes
            kill -KILL "$2" 2>/dev/null
            kill -KILL -- "-$2" 2>/dev/null
        fi
        sleep 0.02
    done
    rc=$(cat "$1.rc")
}

# Waits up to 1 s for every process whose command line holds $1 to be gone; prints the rest
# (and kills them, so that one leftover does not count again).
none_left() {
    nl=0
    while [ $nl -lt 20 ]; do
        pgrep -f -- "$1" >/dev/null || return 0
        sleep 0.05
        nl=$((nl + 1))
    done
    pgrep -af -- "$1"
    pkill -KILL -f -- "$1"
    return 1
}

# common DIR RC SENT_SIG EXPECTED_ROWS LABEL: the checks every run gets (SENT_SIG: the number of
# the signal sent to it, or 0). Leaves the checker's report in $tmp/report. Returns 1 when it
# counted a problem (the caller then skips its own expectations).
common() {
    dir=$1 rc=$2 sent_sig=$3 want_rows=$4 label=$5
    hard=0
    runs=$((runs + 1))
    if [ "$hung" = yes ]; then
        hangs=$((hangs + 1))
        problem "$label: still running after $hang_s s (killed): $(tail -2 "$tag.err" 2>/dev/null | tr '\n' ' ')"
        hard=1
    elif [ "$rc" -ge 128 ] && [ "$rc" -ne $((128 + sent_sig)) ]; then
        crashes=$((crashes + 1))
        problem "$label: exit $rc (a signal: crash): $(tail -3 "$tag.err" 2>/dev/null | tr '\n' ' ')"
        hard=1
    fi
    # Leftover processes: the run's unique path, then any child of this script.
    if ! left=$(none_left "$dir"); then
        leftover_procs=$((leftover_procs + 1))
        problem "$label: processes left 1 s after the exit: $left"
        hard=1
    fi
    for p in $started; do wait "$p" 2>/dev/null; done
    started=""
    runpids=""
    pgrep -P $$ >"$tmp/kids"
    if [ -s "$tmp/kids" ]; then
        leftover_procs=$((leftover_procs + 1))
        problem "$label: children of the test left: $(ps -o pid=,args= -p "$(tr '\n' ',' <"$tmp/kids" | sed 's/,$//')")"
        xargs kill -KILL <"$tmp/kids" 2>/dev/null
        hard=1
    fi
    [ -d "$dir" ] || { : >"$tmp/report"; return $hard; }
    # Temp files (not after a run this script SIGKILLed).
    if [ "$hung" = no ]; then
        temps=$(find "$dir" \( -name '*.tmp*' -o -name '*.partial' -o -name '.*.running' -o -name '.tvp-link.*' \
            -o -name '.tvp-probe*' \) -print | sed "s|^$dir/||" | tr '\n' ' ')
        if [ -n "$temps" ]; then
            leftover_tmp=$((leftover_tmp + 1))
            problem "$label: temp files left: $temps"
            hard=1
        fi
    fi
    "$py" "$tmp/check.py" "$dir" >"$tmp/report" 2>&1 || echo "BAD checker: $(tail -1 "$tmp/report")" >>"$tmp/report"
    if [ "$have_jq" = yes ]; then
        for f in "$dir"/*.json; do
            [ -e "$f" ] || continue
            jq empty "$f" >/dev/null 2>"$tmp/jq.err" || echo "BAD $(basename "$f"): jq: $(head -1 "$tmp/jq.err")" >>"$tmp/report"
        done
    fi
    if grep -q '^BAD ' "$tmp/report"; then
        unparseable=$((unparseable + 1))
        problem "$label: unparseable: $(grep '^BAD ' "$tmp/report" | tr '\n' ' ')"
        hard=1
    fi
    # Lost rows: every run's CSV holds configurations x repetitions rows of its own.
    while read -r _ stem nrows _ _ _ _ idset nconf repok _; do
        [ -n "$stem" ] || continue
        if [ "$nrows" != "rows=$want_rows" ] || [ "$idset" != "ids=$stem" ] || [ "$repok" != reps=yes ] ||
            [ "${nconf#configs=}" -ne $((want_rows / reps)) ]; then
            lost=$((lost + 1))
            problem "$label: $stem.csv: $nrows ($idset, $nconf, every configuration's repetitions 0..2 once: ${repok#reps=}), expected rows=$want_rows of its own"
            hard=1
        fi
    done <<EOF
$(grep '^RUN ' "$tmp/report")
EOF
    # latest.* all from one run, and that run's meta and summary agree.
    if grep -q '^LATEST ' "$tmp/report"; then
        # shellcheck disable=SC2046 # four words on purpose
        set -- $(sed -n 's/^LATEST csv=\(.*\) summary=\(.*\) meta=\(.*\) json=\(.*\)$/\1 \2 \3 \4/p' "$tmp/report")
        if [ $# -ne 4 ] || [ "$1" != "$2" ] || [ "$1" != "$3" ] || [ "$1" != "$4" ] || ! grep -q "^RUN $1 " "$tmp/report"; then
            unexpected=$((unexpected + 1))
            problem "$label: latest.* not of one run: $(grep '^LATEST ' "$tmp/report")"
            hard=1
        fi
    fi
    # shellcheck disable=SC2013 # run ids hold no spaces
    for stem in $(sed -n 's/^RUN \([^ ]*\) .*meta_id=\([^ ]*\) summary_ids=\([^ ]*\)$/\1 \2 \3/p' "$tmp/report" |
        awk '$1 != $2 || $1 != $3 { print $1 }'); do
        unexpected=$((unexpected + 1))
        problem "$label: $stem: its meta or summary names another run: $(grep "^RUN $stem " "$tmp/report")"
        hard=1
    done
    return $hard
}

# field NAME: the value of NAME=... on the report's (single) RUN line.
field() { sed -n "s/^RUN .* $1=\([^ ]*\).*/\1/p" "$tmp/report" | head -1; }
nruns() { grep -c '^RUN ' "$tmp/report"; }
details() { sed -n 's/^ROW [^ ]* //p' "$tmp/report"; }
wrong() {
    unexpected=$((unexpected + 1))
    problem "$*"
}

t_start=$(now_ms)
t_lap=$t_start
lap() { # lap_s: seconds since the last lap
    lap_now=$(now_ms)
    lap_s=$(((lap_now - t_lap + 500) / 1000))
    t_lap=$lap_now
}
echo "fault tally: ${san:-release} build; $n_kills worker kills, $n_server server kills, $n_timeouts timeouts, $n_signals signals, $n_pairs pairs"

# ---------------------------------------------------------------------------------------------
# 1. A process worker SIGKILLed at a random moment (spawn=pool and per-task in turn): the task it
#    held fails naming signal 9 (one row failed, exit 1) or it was idle and replaced (every row
#    ok, exit 0). Every other row ok either way.
k_failed=0 k_ok=0 k_missed=0 i=0
while [ $i -lt "$n_kills" ]; do
    i=$((i + 1))
    spawn=pool
    [ $((i % 2)) -eq 0 ] && spawn=per-task
    out="$tmp/kill-$i"
    set -- --tvp_workloads=sleep --tvp_sleep_us=20000 --tvp_tasks=4 --tvp_workers=1,2 --tvp_gil=off \
        --tvp_executors=processes --tvp_spawn=$spawn --benchmark_min_time=0.1 --tvp_sched=none --tvp_out="$out"
    expect_rows "kill-$spawn" "$@"
    launch "$tmp/k" solo "$@"
    pid=$run_pid
    # The first worker comes after the calibration; a random moment into the benchmarks from there.
    victim=$("$py" "$tmp/kill_child.py" "$pid" "$(rnd 900)" 20 "$tmp/k.rc" "$out/*.meta.json")
    finish "$tmp/k" "$pid"
    common "$out" "$rc" 0 "$want" "worker kill $i ($spawn)" || continue
    status=$(field meta) failed=$(field failed) okrows=$(field ok)
    if [ "$(nruns)" -ne 1 ]; then
        wrong "worker kill $i ($spawn): exit $rc and $(nruns) run CSVs, expected 1: $(tail -2 "$tmp/k.err" | tr '\n' ' ')"
    elif [ "$rc" -eq 1 ] && [ "$failed" = 1 ] && [ "$okrows" -eq $((want - 1)) ] && [ "$status" = failed ] &&
        details | grep -q "killed by signal 9"; then
        k_failed=$((k_failed + 1))
    elif [ "$rc" -eq 0 ] && [ "$okrows" -eq "$want" ] && [ "$status" = complete ]; then
        if [ -n "$victim" ]; then k_ok=$((k_ok + 1)); else k_missed=$((k_missed + 1)); fi
    else
        wrong "worker kill $i ($spawn, victim ${victim:-none}): exit $rc, meta $status, ok $okrows failed $failed of $want rows: $(details | head -3 | tr '\n' ' ')"
    fi
done
lap
echo "worker kills: $n_kills runs: $k_failed failed the task's row naming signal 9 (exit 1), $k_ok all ok (the victim held no task; exit 0), $k_missed found no worker to kill ($lap_s s)"

# ---------------------------------------------------------------------------------------------
# 2. The embedded delay server SIGKILLed at a random moment: the repetition in flight may fail
#    (one row at most: a run is one benchmark at a time), every later one gets a new server.
#    Thread and serial executors, so that the server is tvp-bench's only child.
s_failed=0 s_ok=0 s_missed=0 i=0
while [ $i -lt "$n_server" ]; do
    i=$((i + 1))
    out="$tmp/server-$i"
    set -- --tvp_workloads=net --tvp_delay_us=20000 --tvp_tasks=4 --tvp_workers=2 --tvp_gil=off \
        --tvp_executors=serial,threads --tvp_spawn=pool --benchmark_min_time=0.2 --tvp_sched=none --tvp_out="$out"
    expect_rows server "$@"
    launch "$tmp/s" solo "$@"
    pid=$run_pid
    server=$("$py" "$tmp/kill_child.py" "$pid" "$(rnd 1500)" 20 "$tmp/s.rc" "$out/*.meta.json")
    finish "$tmp/s" "$pid"
    common "$out" "$rc" 0 "$want" "server kill $i" || continue
    status=$(field meta) failed=$(field failed) okrows=$(field ok)
    if [ "$(nruns)" -ne 1 ]; then
        wrong "server kill $i: exit $rc and $(nruns) run CSVs, expected 1: $(tail -2 "$tmp/s.err" | tr '\n' ' ')"
    elif [ "$rc" -eq 1 ] && [ "$failed" = 1 ] && [ "$okrows" -eq $((want - 1)) ] && [ "$status" = failed ] &&
        details | grep -q "127\.0\.0\.1:[0-9]*: "; then
        s_failed=$((s_failed + 1))
    elif [ "$rc" -eq 0 ] && [ "$okrows" -eq "$want" ] && [ "$status" = complete ]; then
        if [ -n "$server" ]; then s_ok=$((s_ok + 1)); else s_missed=$((s_missed + 1)); fi
    else
        wrong "server kill $i (server ${server:-not found}): exit $rc, meta $status, ok $okrows failed $failed of $want rows (at most the one in flight may fail): $(details | head -4 | tr '\n' ' ')"
    fi
done
lap
echo "server kills: $n_server runs: $s_failed failed the repetition in flight only (exit 1), $s_ok all ok (killed between repetitions, exit 0), $s_missed found no server to kill ($lap_s s)"

# ---------------------------------------------------------------------------------------------
# 3. Tasks that outlive --tvp_task_timeout: a process worker is terminated and replaced and the
#    task fails naming the timeout (every row failed: every task sleeps 4x the limit); a thread
#    cannot be stopped, so the run stops there: one row failed, the rest interrupted. Exit 1.
to_proc=0 to_thr=0 i=0
while [ $i -lt "$n_timeouts" ]; do
    i=$((i + 1))
    exec=processes
    [ $((i % 2)) -eq 0 ] && exec=threads
    out="$tmp/timeout-$i"
    set -- --tvp_workloads=sleep --tvp_sleep_us=400000 --tvp_task_timeout=100 --tvp_tasks=2 --tvp_workers=2 \
        --tvp_gil=off --tvp_executors=$exec --tvp_spawn=pool,per-task --benchmark_min_time=0.1 --tvp_sched=none \
        --tvp_out="$out"
    expect_rows "timeout-$exec" "$@"
    launch "$tmp/t" solo "$@"
    finish "$tmp/t" "$run_pid"
    common "$out" "$rc" 0 "$want" "timeout $i ($exec)" || continue
    status=$(field meta) failed=$(field failed) okrows=$(field ok) intr=$(field interrupted)
    if [ "$(nruns)" -ne 1 ]; then
        wrong "timeout $i ($exec): exit $rc and $(nruns) run CSVs, expected 1: $(tail -2 "$tmp/t.err" | tr '\n' ' ')"
    elif [ $exec = processes ] && [ "$rc" -eq 1 ] && [ "$failed" -eq "$want" ] && [ "$status" = failed ] &&
        ! details | grep -qv "timed out after 100 ms\|respawn budget" && details | grep -q "timed out after 100 ms"; then
        to_proc=$((to_proc + 1))
    elif [ $exec = threads ] && [ "$rc" -eq 1 ] && [ "$failed" = 1 ] && [ "$intr" -eq $((want - 1)) ] &&
        [ "$status" = failed ] && details | grep -q "^failed .*tvp_task_timeout=100"; then
        to_thr=$((to_thr + 1))
    else
        wrong "timeout $i ($exec): exit $rc, meta $status, ok $okrows failed $failed interrupted $intr of $want rows (a 400 ms task under a 100 ms timeout cannot be ok): $(details | head -3 | tr '\n' ' ')"
    fi
done
lap
echo "task timeouts: $n_timeouts runs: $to_proc with processes (every row failed: timed out, worker terminated), $to_thr with threads (one row failed, the rest interrupted); exit 1 each ($lap_s s)"

# ---------------------------------------------------------------------------------------------
# 4. SIGINT, SIGTERM, SIGHUP in turn at a random moment (a quarter of them in the first 80 ms,
#    while tvp-bench starts), to the process or, for every fifth run started with setsid, to its
#    process group (workers and the delay server too): exit 128+signal within 2 s; the meta interrupted naming the signal (or,
#    after the last benchmark, complete with the signal named); rows ok or interrupted, all
#    there. A signal before the handler is in place ends the run by its default action: exit
#    128+signal, nothing written, nothing left behind.
g_handled=0 g_after=0 g_early=0 g_missed=0 g_group=0 worst_ms=0 i=0
while [ $i -lt "$n_signals" ]; do
    i=$((i + 1))
    case $((i % 3)) in 0) s=INT num=2 ;; 1) s=TERM num=15 ;; *) s=HUP num=1 ;; esac
    target=process
    [ $((i % 5)) -eq 4 ] && [ "$have_setsid" = yes ] && target=group
    out="$tmp/signal-$i"
    if [ $((i % 2)) -eq 0 ]; then
        set -- --tvp_workloads=sleep --tvp_sleep_us=20000 --tvp_tasks=4 --tvp_workers=2 --tvp_gil=off \
            --tvp_executors=serial,threads,processes --tvp_spawn=pool,per-task --benchmark_min_time=0.1 \
            --tvp_sched=none --tvp_out="$out"
        span=3200 # about the run's length: a few signals come after its end
    else
        set -- --tvp_workloads=net --tvp_delay_us=5000 --tvp_tasks=4 --tvp_workers=2 --tvp_gil=off \
            --tvp_executors=threads,processes --tvp_spawn=pool --benchmark_min_time=0.1 --tvp_sched=none --tvp_out="$out"
        span=2000
    fi
    expect_rows "signal-$((i % 2))" "$@"
    if [ "$(rnd 4)" -eq 0 ]; then delay=$(rnd 80); else delay=$(rnd $span); fi
    sig_delay=$(awk -v m="$delay" 'BEGIN { printf "%.3f", m / 1000 }')
    sig=$s
    launch "$tmp/g" "$target" "$@"
    pid=$run_pid
    finish "$tmp/g" "$pid"
    sig=""
    sent=$(cat "$tmp/g.sent" 2>/dev/null)
    t_end=$(($(cat "$tmp/g.end") / 1000000))
    label="signal $i (SIG$s to the $target at $delay ms)"
    if [ "$sent" = yes ]; then
        took=$((t_end - $(cat "$tmp/g.sigt") / 1000000))
        [ $took -gt $worst_ms ] && worst_ms=$took
        if [ $took -gt $late_ms ] && [ "$hung" = no ]; then
            late=$((late + 1))
            problem "$label: exit $rc $took ms after the signal (limit $late_ms ms)"
        fi
        common "$out" "$rc" "$num" "$want" "$label" || continue
    else
        common "$out" "$rc" 0 "$want" "$label" || continue
    fi
    status=$(field meta) signal=$(field signal) okrows=$(field ok) intr=$(field interrupted)
    [ $target = group ] && g_group=$((g_group + 1))
    if [ "$sent" != yes ]; then
        if [ "$rc" -eq 0 ] && [ "$status" = complete ]; then
            g_missed=$((g_missed + 1))
        else
            wrong "$label: not sent (the run had ended), yet exit $rc, meta $status"
        fi
    elif [ "$rc" -ne $((128 + num)) ]; then
        wrong "$label: exit $rc $took ms after the signal, expected $((128 + num)) (meta ${status:-none}, signal ${signal:-none}): $(tail -2 "$tmp/g.err" | tr '\n' ' ')"
    elif [ "$(nruns)" -eq 0 ]; then
        # Ended by the default action before the handler was in place: nothing written (and
        # the temp file check above saw nothing left behind).
        if ls "$out"/*.csv >/dev/null 2>&1; then
            wrong "$label: files but no run CSV: $(find "$out" -mindepth 1 -maxdepth 1 | tr '\n' ' ')"
        else
            g_early=$((g_early + 1))
        fi
    elif [ "$(nruns)" -ne 1 ]; then
        wrong "$label: $(nruns) run CSVs, expected 1"
    elif [ "$signal" = "-" ] && [ "$status" = complete ] && [ "$okrows" -eq "$want" ] &&
        grep -q "after the result files were written" "$tmp/g.err"; then
        g_after=$((g_after + 1)) # the meta was already whole and true when it came
    elif [ "$signal" != "SIG$s" ]; then
        wrong "$label: exit $rc, but the meta names signal '$signal', expected SIG$s (status $status)"
    elif [ "$status" = interrupted ] && [ $((okrows + intr)) -eq "$want" ]; then
        g_handled=$((g_handled + 1))
    elif [ "$status" = complete ] && [ "$okrows" -eq "$want" ]; then
        g_after=$((g_after + 1))
    else
        wrong "$label: exit $rc, meta $status, ok $okrows interrupted $intr of $want rows (finished rows ok, the rest interrupted): $(details | grep -v '^interrupted' | head -3 | tr '\n' ' ')"
    fi
done
lap
echo "signals: $n_signals runs ($g_group to a process group): $g_handled interrupted (rows ok + interrupted, exit 128+sig), $g_after after the last benchmark (complete, signal named), $g_early before the handler (default action, nothing written), $g_missed after the exit (not sent); slowest stop $worst_ms ms ($lap_s s)"

# ---------------------------------------------------------------------------------------------
# 5. Two runs started in the same second into one results directory: distinct run ids, each CSV
#    whole with its own rows only, latest.* all of one of the two (common() checks both).
p_ok=0 i=0
while [ $i -lt "$n_pairs" ]; do
    i=$((i + 1))
    out="$tmp/pair-$i"
    set -- --tvp_workloads=sleep --tvp_sleep_us=10000 --tvp_tasks=4 --tvp_workers=2 --tvp_gil=off \
        --tvp_executors=serial,threads --tvp_spawn=pool --benchmark_min_time=0.1 --tvp_sched=none --tvp_out="$out"
    expect_rows pair "$@"
    # Start just after a second begins, so that both stamps are the same second.
    msleep "$(date +%N | awk '{ printf "%d", (1000000000 - $1) / 1000000 + 20 }')"
    launch "$tmp/p1" solo "$@"
    pid1=$run_pid
    launch "$tmp/p2" solo "$@"
    pid2=$run_pid
    finish "$tmp/p1" "$pid1"
    rc1=$rc h1=$hung
    finish "$tmp/p2" "$pid2"
    rc2=$rc
    [ "$h1" = yes ] && hung=yes
    rc=$rc1
    [ "$rc2" -gt "$rc" ] && rc=$rc2
    common "$out" "$rc" 0 "$want" "pair $i" || continue
    ids=$(sed -n 's/^RUN \([^ ]*\) .*/\1/p' "$tmp/report" | tr '\n' ' ')
    latest=$(sed -n 's/^LATEST csv=\([^ ]*\) .*/\1/p' "$tmp/report")
    id1=$(sed -n 's/^tvp: run \([^,]*\),.*/\1/p' "$tmp/p1.out")
    id2=$(sed -n 's/^tvp: run \([^,]*\),.*/\1/p' "$tmp/p2.out")
    if [ "$rc1" -ne 0 ] || [ "$rc2" -ne 0 ]; then
        wrong "pair $i: exits $rc1 and $rc2, expected 0: $(tail -2 "$tmp/p1.err" "$tmp/p2.err" | tr '\n' ' ')"
    elif [ "$(nruns)" -ne 2 ] || [ -z "$id1" ] || [ "$id1" = "$id2" ]; then
        wrong "pair $i: run ids '$id1' and '$id2', run CSVs: $ids"
    elif [ "$(field ok | head -1)" != "$want" ] || [ "$(sed -n 's/^RUN .* ok=\([0-9]*\) .*/\1/p' "$tmp/report" | tail -1)" != "$want" ]; then
        wrong "pair $i: not every row ok: $(grep '^RUN ' "$tmp/report" | tr '\n' ' ')"
    elif [ "$latest" != "$id1" ] && [ "$latest" != "$id2" ]; then
        wrong "pair $i: latest.* belong to '$latest', neither '$id1' nor '$id2'"
    else
        p_ok=$((p_ok + 1))
        sets=$(find "$out/.latest-sets" -mindepth 1 -maxdepth 1 | wc -l)
        [ "$sets" -le 1 ] || echo "note: pair $i left $sets sets in .latest-sets (one is current)"
    fi
done
lap
echo "same-second pairs: $n_pairs: $p_ok with distinct run ids, whole CSVs of their own rows, latest.* of one run ($lap_s s)"

secs=$((($(now_ms) - t_start) / 1000))
echo "tally: runs $runs, crashes $crashes, hangs $hangs, late stops $late, lost rows $lost, unparseable files $unparseable, leftover processes $leftover_procs, leftover temp files $leftover_tmp, unexpected outcomes $unexpected ($secs s)"
[ $((crashes + hangs + late + lost + unparseable + leftover_procs + leftover_tmp + unexpected)) -eq 0 ]
