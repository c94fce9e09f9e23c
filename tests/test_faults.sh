#!/bin/sh
# test_faults.sh: fault injection against tvp-bench end to end: killed workers (at random and between finishing and counting a task), Ctrl-C, RLIMIT_NPROC, a cpuset, full and read-only filesystems, a taken port.
# usage: test_faults.sh BUILD_DIR SOURCE_DIR
#
# Every case asserts the exact outcome: the exit code, the rows and their status and detail, the
# result files whole (the CSV parsed by tvp-compare, every row as wide as the header), the
# previous files intact where the run could not replace them, and no process of the run left
# (pgrep -f on the run's unique results path). Cases that need root (mount) or an unprivileged
# user (root ignores RLIMIT_NPROC and permissions; setpriv switches to uid 65534) are skipped
# with a message when neither is possible; so is the gdb case without gdb or ptrace rights.
# FAULT_KILLS / FAULT_INTS change the loop counts (default 20 and 10).
set -u
build=$1
bin="$build/tvp-bench"
cmpbin="$build/tvp-compare"
delayd="$build/tvp-delayd"
for b in "$bin" "$cmpbin" "$delayd"; do
    [ -x "$b" ] || { echo "SKIP: $b is not built"; exit 77; }
done
kills=${FAULT_KILLS:-20}
ints=${FAULT_INTS:-10}

tmp=$(mktemp -d /tmp/tvp-test-faults-XXXXXX)
chmod 755 "$tmp" # an unprivileged user must reach the directories made for it below
mnt=""
started="" # pids this script started in the background, killed on exit
cleanup() {
    for p in $started; do kill -KILL "$p" 2>/dev/null; done
    if [ -n "$mnt" ]; then umount "$mnt" 2>/dev/null || umount -l "$mnt" 2>/dev/null; fi
    [ -n "${KEEP:-}" ] || rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

fails=0 passes=0 skips=0
ok() { echo "PASS: $*"; passes=$((passes + 1)); }
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }
skip() { echo "SKIP: $*"; skips=$((skips + 1)); }

contract="run_id,benchmark,workload,executor,spawn,gil,switch_us,workers,pin,tasks,repetition,status,wall_s,tasks_per_s,speedup,efficiency,cpu_s,cpu_util,ctx_vol,ctx_invol,lat_p50_us,lat_p99_us,rss_kib"

# A random integer in 0..$1-1.
rnd() { echo $(($(od -An -N4 -tu4 /dev/urandom | tr -d ' \n') % $1)); }
# Sleeps $1 milliseconds.
msleep() { sleep "$(awk -v m="$1" 'BEGIN { printf "%.3f", m / 1000 }')"; }

# CSV fields with quotes (tvp quotes only detail-like text); prints the column named $2 of every
# data row of file $1, one per line; with $2 = "-width" prints "bad" for a row narrower or wider
# than the header.
csv_col() {
    awk -v want="$2" '
    function split_csv(s, f,    n, i, c, q, cur) {
        n = 0; cur = ""; q = 0
        for (i = 1; i <= length(s); i++) {
            c = substr(s, i, 1)
            if (q) {
                if (c == "\"") { if (substr(s, i + 1, 1) == "\"") { cur = cur "\""; i++ } else q = 0 }
                else cur = cur c
            } else if (c == "\"") q = 1
            else if (c == ",") { f[++n] = cur; cur = "" }
            else cur = cur c
        }
        f[++n] = cur
        return n
    }
    NR == 1 { width = split_csv($0, h); for (i = 1; i <= width; i++) col[h[i]] = i; next }
    { n = split_csv($0, f)
      if (want == "-width") { if (n != width) print "bad" }
      else print f[col[want]] }' "$1"
}

# The CSV is whole: the contract header, every row as wide as the header, and tvp-compare (libcsv,
# strict) reads it. Prints why not; returns 1 then.
csv_whole() {
    if [ ! -s "$1" ]; then echo "$1 missing or empty"; return 1; fi
    if ! head -1 "$1" | grep -q "^$contract,"; then echo "$1: header breaks the contract"; return 1; fi
    if [ -n "$(csv_col "$1" -width)" ]; then echo "$1: a row is not as wide as the header"; return 1; fi
    "$cmpbin" --format=csv "$1" "$1" >/dev/null 2>"$tmp/cmp.err"
    rc=$?
    if [ $rc -ne 0 ] && [ $rc -ne 1 ]; then echo "$1: tvp-compare: $(cat "$tmp/cmp.err")"; return 1; fi
    return 0
}

# Waits up to 3 s for every process whose command line holds $1 to be gone; prints the rest.
none_left() {
    i=0
    while [ $i -lt 30 ]; do
        pgrep -f -- "$1" >/dev/null || return 0
        sleep 0.1
        i=$((i + 1))
    done
    pgrep -af -- "$1"
    return 1
}

meta_status() { sed -n 's/^  "status": "\(.*\)",*$/\1/p' "$1/latest.meta.json" 2>/dev/null; }

# Starts "$@" in the background, remembered for the cleanup; its pid in $pid.
start_bg() {
    "$@" &
    pid=$!
    started="$started $pid"
}

# Waits while process $1 runs and has no child yet (its first worker): at most $2 times 50 ms.
await_worker() {
    t=0
    while [ -z "$(pgrep -P "$1")" ] && [ $t -lt "$2" ] && kill -0 "$1" 2>/dev/null; do
        sleep 0.05
        t=$((t + 1))
    done
}

# Runs "$@" as an unprivileged user (uid/gid 65534) when we are root; as ourselves otherwise.
# Empty when root cannot drop privileges here.
as_user=""
if [ "$(id -u)" -ne 0 ]; then
    as_user="env"
elif command -v setpriv >/dev/null && setpriv --reuid=65534 --regid=65534 --clear-groups true 2>/dev/null; then
    as_user="setpriv --reuid=65534 --regid=65534 --clear-groups"
fi
user_dir() { mkdir -p "$1" && { [ "$(id -u)" -ne 0 ] || chown 65534:65534 "$1"; }; }

# Every run: the quick profile, no emulated GIL (one configuration per executor and worker count).
q1=--tvp_profile=quick
q2=--tvp_gil=off

# ---------------------------------------------------------------------------------------------
# a. A process worker SIGKILLed at a random moment, many times: the task it held fails with the
#    signal (row failed, exit 1), or it was idle and a replacement took its place before the next
#    batch (row ok, exit 0; the pool is back to two live workers, the victim not among them: a
#    pool that went on with one worker would measure the wrong configuration). Never a hang, never
#    a crash, nothing left running. Even runs keep both workers busy (8 tasks); odd runs give one
#    task to two workers, so the victim is idle about half of the time. (The respawns column counts
#    the measured run only, not Google Benchmark's earlier sizing runs: not asserted.)
n_failed=0 n_ok=0 n_missed=0 n_unchecked=0 i=0
while [ $i -lt "$kills" ]; do
    out="$tmp/kill/$i"
    tasks=$((i % 2 ? 1 : 8))
    start_bg "$bin" "$q1" "$q2" --tvp_workloads=sleep --tvp_sleep_us=5000 --tvp_tasks=$tasks --tvp_workers=2 \
        --tvp_executors=processes --tvp_spawn=pool --benchmark_min_time=0.6 --tvp_out="$out" \
        >"$tmp/a.out" 2>"$tmp/a.err"
    await_worker $pid 100
    msleep "$(rnd 500)"
    workers=$(pgrep -P $pid)
    victim=""
    if [ -n "$workers" ]; then
        victim=$(echo "$workers" | sed -n "$(($(rnd "$(echo "$workers" | wc -l)") + 1))p")
        kill -KILL "$victim" 2>/dev/null || victim=""
    fi
    # Replaced? Two live workers again, the victim gone (checked while the run lasts, <= 2 s).
    replaced=""
    t=0
    while [ -n "$victim" ] && [ $t -lt 40 ] && kill -0 $pid 2>/dev/null; do
        now=$(pgrep -P $pid)
        if [ "$(echo "$now" | grep -c .)" -eq 2 ] && ! echo "$now" | grep -qx "$victim"; then
            replaced=yes
            break
        fi
        sleep 0.05
        t=$((t + 1))
    done
    wait $pid
    rc=$?
    i=$((i + 1))
    why=$(csv_whole "$out/latest.csv") || { bad "kill $i: $why (exit $rc)"; continue; }
    status=$(csv_col "$out/latest.csv" status)
    detail=$(csv_col "$out/latest.csv" detail)
    left=$(none_left "$out") || { bad "kill $i: processes left: $left"; continue; }
    if [ "$(echo "$status" | wc -l)" -ne 1 ]; then
        bad "kill $i: expected 1 row, got: $status"
    elif [ $rc -eq 1 ] && [ "$status" = failed ] && echo "$detail" | grep -q "killed by signal 9" &&
        [ "$(meta_status "$out")" = failed ]; then
        n_failed=$((n_failed + 1))
    elif [ $rc -eq 0 ] && [ "$status" = ok ] && [ "$(meta_status "$out")" = complete ] && [ -z "$victim" ]; then
        n_missed=$((n_missed + 1))
    elif [ $rc -eq 0 ] && [ "$status" = ok ] && [ "$(meta_status "$out")" = complete ] && [ "$replaced" = yes ]; then
        n_ok=$((n_ok + 1))
    elif [ $rc -eq 0 ] && [ "$status" = ok ] && [ "$(meta_status "$out")" = complete ] && [ $t -lt 40 ]; then
        n_unchecked=$((n_unchecked + 1)) # the run ended before the replacement could be seen
    else
        bad "kill $i ($tasks tasks): exit $rc, status '$status', detail '$detail', meta $(meta_status "$out"), victim replaced: ${replaced:-no}: $(tail -3 "$tmp/a.err")"
    fi
done
if [ $n_failed -ge 1 ] && [ $((n_failed + n_ok + n_missed + n_unchecked)) -eq "$kills" ]; then
    ok "worker SIGKILLed at random moments, $kills runs: $n_failed failed the task with 'killed by signal 9' (exit 1), $n_ok idle victims replaced before the next batch (ok, exit 0), $n_unchecked ok but ended before the check, $n_missed kills after the run; files whole, nothing left"
else
    bad "worker kills: $n_failed failed, $n_ok ok and replaced, $n_unchecked unchecked, $n_missed missed of $kills"
fi

# a2. The one moment random kills almost never hit: a worker SIGKILLed after marking its task
#    finished and before counting it (queue_complete: the state store, then the atomic add on the
#    done count). gdb stops a worker on that add and kills it there. The batch must still end
#    (the task did finish: row ok, exit 0) instead of waiting forever for a count that never
#    comes; for a pool and for per-task workers. Needs gdb and ptrace rights; the instruction is
#    found in queue_complete's disassembly (lock xadd, or TSan's fetch_add call).
off=""
if command -v gdb >/dev/null; then
    off=$(gdb -q -batch -ex 'disassemble queue_complete' "$bin" 2>/dev/null |
        sed -n 's/.*<+\([0-9]*\)>:[[:space:]]*\(lock xadd\|call.*__tsan_atomic32_fetch_add\).*/\1/p' | head -1)
fi
if ! command -v gdb >/dev/null; then
    skip "kill between finishing and counting a task: gdb not installed"
elif [ -z "$off" ]; then
    skip "kill between finishing and counting a task: no atomic add found in queue_complete's code"
else
    for spawn in pool per-task; do
        out="$tmp/count-$spawn"
        # Tasks long enough for gdb to attach to a per-task worker before its task ends: gdb takes
        # over a second to start and attach on a loaded 2-vCPU machine (ptrace then finds the
        # worker gone: "No such process").
        start_bg "$bin" "$q1" "$q2" --tvp_workloads=sleep --tvp_sleep_us=2500000 --tvp_tasks=4 --tvp_workers=2 \
            --tvp_executors=processes --tvp_spawn=$spawn --benchmark_min_time=2 --tvp_out="$out" \
            >"$tmp/a2.out" 2>"$tmp/a2.err"
        await_worker $pid 200
        hit=0 try=0
        : >"$tmp/a2.gdb"
        # On a loaded machine gdb may attach after the victim's task ended (a per-task worker then
        # exits without passing the breakpoint): try the newest worker, several times.
        while [ "$hit" -eq 0 ] && [ $try -lt 8 ] && kill -0 $pid 2>/dev/null; do
            try=$((try + 1))
            victim=$(pgrep -n -P $pid) # a per-task worker may be gone by now: try another
            [ -n "$victim" ] || { sleep 0.1; continue; }
            timeout 20 gdb -q -p "$victim" -batch -ex "break *queue_complete+$off" -ex continue -ex kill \
                >"$tmp/a2.gdb" 2>&1
            hit=$(grep -c "Breakpoint 1, " "$tmp/a2.gdb")
        done
        t=0
        while kill -0 $pid 2>/dev/null && [ $t -lt 200 ]; do
            sleep 0.1
            t=$((t + 1))
        done
        if kill -0 $pid 2>/dev/null; then
            kill -KILL $pid
            wait $pid
            bad "kill between finishing and counting a task ($spawn): tvp-bench still waiting 20 s later (the batch never completes)"
            continue
        fi
        wait $pid
        rc=$?
        if [ "$hit" -ne 1 ]; then
            if grep -qi "not permitted" "$tmp/a2.gdb"; then
                skip "kill between finishing and counting a task ($spawn): gdb cannot attach here: $(grep -i 'not permitted' "$tmp/a2.gdb" | head -1)"
            else
                bad "kill between finishing and counting a task ($spawn): the breakpoint was not hit (worker $victim): $(tail -2 "$tmp/a2.gdb")"
            fi
            continue
        fi
        why=$(csv_whole "$out/latest.csv") || { bad "kill at count ($spawn): $why (exit $rc)"; continue; }
        status=$(csv_col "$out/latest.csv" status)
        left=$(none_left "$out") || { bad "kill at count ($spawn): processes left: $left"; continue; }
        if [ $rc -eq 0 ] && [ "$status" = ok ]; then
            ok "worker SIGKILLed between finishing its task and counting it ($spawn, gdb at queue_complete+$off): the batch completes, row ok, exit 0, nothing left"
        else
            bad "kill at count ($spawn): exit $rc, status '$status', detail '$(csv_col "$out/latest.csv" detail)'"
        fi
    done
fi

# ---------------------------------------------------------------------------------------------
# b. SIGINT at random moments: exit 130; once the handler is in place (tvp-bench printed its
#    "tvp: run" line) the files hold every finished row plus interrupted ones and the meta says
#    interrupted; before that the default action ends it and the previous files stay as they were.
out="$tmp/int"
"$bin" "$q1" "$q2" --tvp_workloads=noop --tvp_executors=serial --benchmark_min_time=0.01 --tvp_out="$out" >/dev/null 2>&1
cp "$out/latest.csv" "$tmp/int-before.csv"
n_handled=0 n_early=0 i=0
while [ $i -lt "$ints" ]; do
    i=$((i + 1))
    start_bg "$bin" "$q1" "$q2" --tvp_workloads=sleep --tvp_sleep_us=20000 --tvp_tasks=4 --tvp_workers=2 \
        --tvp_executors=serial,processes --tvp_spawn=pool --benchmark_min_time=1.5 --tvp_out="$out" \
        >"$tmp/b.out" 2>"$tmp/b.err"
    msleep $((200 + $(rnd 2800)))
    kill -INT $pid
    wait $pid
    rc=$?
    left=$(none_left "$out") || { bad "SIGINT $i: processes left: $left"; continue; }
    if [ $rc -ne 130 ]; then bad "SIGINT $i: exit $rc, expected 130: $(tail -3 "$tmp/b.err")"; continue; fi
    if ! grep -q "^tvp: run" "$tmp/b.out"; then
        # Before the handler: killed by the signal, nothing written.
        if cmp -s "$out/latest.csv" "$tmp/int-before.csv"; then n_early=$((n_early + 1)); else bad "SIGINT $i: early kill changed latest.csv"; fi
        continue
    fi
    why=$(csv_whole "$out/latest.csv") || { bad "SIGINT $i: $why"; continue; }
    statuses=$(csv_col "$out/latest.csv" status | sort -u | tr '\n' ' ')
    case "$statuses" in
    "interrupted " | "interrupted ok " | "ok interrupted ") ;;
    *) bad "SIGINT $i: row statuses '$statuses', expected ok and interrupted only, at least one interrupted"; continue ;;
    esac
    if [ "$(csv_col "$out/latest.csv" status | wc -l)" -ne 2 ]; then bad "SIGINT $i: expected 2 rows (serial, processes)"; continue; fi
    if [ "$(meta_status "$out")" != interrupted ]; then bad "SIGINT $i: meta status $(meta_status "$out")"; continue; fi
    if ! grep -q "interrupted by signal 2" "$tmp/b.err"; then bad "SIGINT $i: no message on stderr"; continue; fi
    cp "$out/latest.csv" "$tmp/int-before.csv"
    n_handled=$((n_handled + 1))
done
if [ $((n_handled + n_early)) -eq "$ints" ] && [ $n_handled -ge 1 ]; then
    ok "SIGINT at random moments (0.2..3 s), $ints runs: exit 130 each; $n_handled wrote ok+interrupted rows and meta interrupted, $n_early ended before the handler with the previous files untouched; nothing left"
else
    bad "SIGINT: $n_handled handled, $n_early early of $ints"
fi

# A second SIGINT right after the first ends the run at once (default action); whatever was
# written is whole, and the workers die with it. "At once": within 2 s (it takes about 1 ms);
# 10 s under ThreadSanitizer, whose runtime holds an asynchronous signal back until the thread
# next enters an intercepted call, which a CPU loop (the calibration) postpones by seconds.
second_int_ds=20
if ldd "$bin" 2>/dev/null | grep -q libtsan; then second_int_ds=100; fi
i=0 n_whole=0
while [ $i -lt 3 ]; do
    i=$((i + 1))
    start_bg "$bin" "$q1" "$q2" --tvp_workloads=sleep --tvp_sleep_us=200000 --tvp_tasks=4 --tvp_workers=2 \
        --tvp_executors=serial,processes --benchmark_min_time=2 --tvp_out="$out" >"$tmp/b.out" 2>"$tmp/b.err"
    msleep $((500 + $(rnd 1500)))
    kill -INT $pid
    msleep 50
    kill -INT $pid 2>/dev/null
    t=0
    while kill -0 $pid 2>/dev/null && [ $t -lt "$second_int_ds" ]; do sleep 0.1; t=$((t + 1)); done
    if kill -0 $pid 2>/dev/null; then
        bad "double SIGINT $i: still running $((second_int_ds / 10)) s after the second signal"
        kill -KILL $pid
        wait $pid
        continue
    fi
    wait $pid
    rc=$?
    left=$(none_left "$out") || { bad "double SIGINT $i: processes left: $left"; continue; }
    if [ $rc -ne 130 ]; then bad "double SIGINT $i: exit $rc, expected 130"; continue; fi
    why=$(csv_whole "$out/latest.csv") || { bad "double SIGINT $i: $why"; continue; }
    n_whole=$((n_whole + 1))
done
[ $n_whole -eq 3 ] && ok "double SIGINT, 3 runs: exit 130 within $((second_int_ds / 10)) s of the second signal, latest.csv whole, workers gone"

# ---------------------------------------------------------------------------------------------
# c. RLIMIT_NPROC: 64 process (or thread) workers under a limit of a few more than the user
#    already has: the configuration fails naming EAGAIN and ulimit -u, after bounded retries the
#    partial pool is gone, exit 1. Root is exempt from RLIMIT_NPROC: run as uid 65534.
if ! command -v prlimit >/dev/null; then
    skip "RLIMIT_NPROC: prlimit (util-linux) not installed"
elif [ -z "$as_user" ]; then
    skip "RLIMIT_NPROC: running as root and cannot drop privileges (setpriv missing or refused); root ignores RLIMIT_NPROC"
else
    uid=$(if [ "$(id -u)" -eq 0 ]; then echo 65534; else id -u; fi)
    have=$(ps -L -u "$uid" --no-headers 2>/dev/null | wc -l)
    limit=$((have + 12))
    for exec in processes threads; do
        out="$tmp/nproc-$exec"
        user_dir "$out"
        start=$(date +%s)
        # shellcheck disable=SC2086
        prlimit --nproc=$limit $as_user "$bin" "$q1" "$q2" --tvp_workloads=noop --tvp_executors=$exec --tvp_spawn=pool \
            --tvp_workers=64 --benchmark_min_time=0.05 --tvp_out="$out/r" >"$tmp/c.out" 2>"$tmp/c.err"
        rc=$?
        took=$(($(date +%s) - start))
        why=$(csv_whole "$out/r/latest.csv")
        if [ -n "$why" ]; then bad "NPROC $exec: $why (exit $rc: $(tail -2 "$tmp/c.err"))"; continue; fi
        status=$(csv_col "$out/r/latest.csv" status)
        detail=$(csv_col "$out/r/latest.csv" detail)
        left=$(none_left "$out/r") || { bad "NPROC $exec: processes left: $left"; continue; }
        if [ $rc -eq 1 ] && [ "$status" = failed ] && echo "$detail" | grep -q "cannot create 64 $exec" &&
            echo "$detail" | grep -q "EAGAIN; see ulimit -u" && [ "$took" -lt 30 ]; then
            ok "RLIMIT_NPROC=$limit, 64 $exec workers: exit 1, row failed: '$detail', nothing left (${took} s)"
        else
            bad "NPROC $exec: exit $rc, status '$status', detail '$detail', ${took} s"
        fi
    done
fi

# ---------------------------------------------------------------------------------------------
# d. A cpuset of one CPU (taskset): the meta says so, two pinned workers share it and say
#    oversubscribed=yes, and the tasks ran on that one CPU.
if ! command -v taskset >/dev/null; then
    skip "cpuset: taskset (util-linux) not installed"
else
    cpu=$(taskset -pc $$ | sed 's/.*: *//; s/[,-].*//')
    out="$tmp/cpuset"
    taskset -c "$cpu" "$bin" "$q1" "$q2" --tvp_workloads=noop --tvp_executors=threads --tvp_spawn=pool \
        --tvp_workers=2 --tvp_pin=compact,none --tvp_tasks=64 --benchmark_min_time=0.05 --tvp_out="$out" \
        >"$tmp/d.out" 2>"$tmp/d.err"
    rc=$?
    why=$(csv_whole "$out/latest.csv")
    if [ -n "$why" ]; then
        bad "cpuset: $why (exit $rc)"
    else
        rows=$(awk 'NR > 1' "$out/latest.csv" | wc -l)
        pins=$(csv_col "$out/latest.csv" pin | tr '\n' ' ')
        over=$(csv_col "$out/latest.csv" oversubscribed | tr '\n' ' ')
        used=$(csv_col "$out/latest.csv" cpus_used | tr '\n' ' ')
        status=$(csv_col "$out/latest.csv" status | sort -u | tr '\n' ' ')
        if [ $rc -eq 0 ] && [ "$rows" -eq 2 ] && [ "$status" = "ok " ] &&
            grep -q "\"usable_cpuset\": \"$cpu\"" "$out/latest.meta.json" &&
            grep -Eq '"usable_pus": 1,?$' "$out/latest.meta.json" &&
            awk -v p="$pins" -v o="$over" -v u="$used" 'BEGIN {
                np = split(p, P, " "); split(o, O, " "); split(u, U, " ")
                for (i = 1; i <= np; i++) {
                    if (P[i] == "compact" && O[i] != "yes") exit 1
                    if (U[i] != 1) exit 1
                }
                exit 0 }'; then
            ok "taskset -c $cpu: meta usable_cpuset \"$cpu\", usable_pus 1; pin=compact with 2 workers oversubscribed=yes; cpus_used 1 on every row (pins: $pins, oversubscribed: $over)"
        else
            bad "cpuset: exit $rc, rows $rows, status '$status', pins '$pins', oversubscribed '$over', cpus_used '$used', meta: $(grep -E '"usable_(cpuset|pus)"' "$out/latest.meta.json" | tr -d '\n')"
        fi
    fi
fi

# ---------------------------------------------------------------------------------------------
# e. Full and read-only filesystems: a small tmpfs (root only). With no room at all the run is
#    refused up front (exit 2, ENOSPC named); with room for the probe but not for the results, the
#    final write fails with a message and exit 1 and the previous latest.* stay byte for byte.
#    A read-only mount and a read-only directory (an unprivileged user: root ignores modes) are
#    refused up front with exit 2.
small_run() { # $1: results dir; the rest: extra flags
    d=$1
    shift
    "$bin" "$q1" "$q2" --tvp_workloads=noop --tvp_executors=serial --benchmark_min_time=0.01 --tvp_out="$d" "$@"
}
if [ "$(id -u)" -ne 0 ]; then
    skip "full filesystem: mounting a tmpfs needs root"
elif ! { mkdir -p "$tmp/fs" && mount -t tmpfs -o size=256k tvp-test-faults "$tmp/fs"; }; then
    skip "full filesystem: mount -t tmpfs refused here"
else
    mnt="$tmp/fs"
    out="$mnt/r"
    small_run "$out" >/dev/null 2>&1
    if ! csv_whole "$out/latest.csv" >/dev/null; then
        bad "full fs: the first run on the tmpfs did not write its files"
    else
        mkdir -p "$tmp/before"
        cp "$out"/latest.* "$tmp/before/"
        n_stamped=$(ls "$out"/*-*.csv | wc -l)
        # No room at all.
        dd if=/dev/zero of="$mnt/fill" bs=4k 2>/dev/null
        small_run "$out" >"$tmp/e.out" 2>"$tmp/e.err"
        rc=$?
        if [ $rc -eq 2 ] && grep -q "not writable: No space left on device" "$tmp/e.err" && ! grep -q "^tvp: run" "$tmp/e.out" &&
            cmp -s "$out/latest.csv" "$tmp/before/latest.csv"; then
            ok "full filesystem: refused up front, exit 2: $(cat "$tmp/e.err")"
        else
            bad "full fs: exit $rc: $(cat "$tmp/e.err")"
        fi
        # Room for the probe (one page), not for the results.
        rm -f "$mnt/fill"
        avail=$(df -k "$mnt" | awk 'NR == 2 { print $4 }')
        dd if=/dev/zero of="$mnt/fill" bs=4k count=$((avail / 4 - 1)) 2>/dev/null
        small_run "$out" >"$tmp/e.out" 2>"$tmp/e.err"
        rc=$?
        same=yes
        for f in latest.csv latest.json latest.meta.json; do cmp -s "$out/$f" "$tmp/before/$f" || same="no ($f changed)"; done
        if [ $rc -eq 1 ] && grep -q "^tvp: run" "$tmp/e.out" && grep -q "cannot write .*: No space left on device" "$tmp/e.err" &&
            [ "$same" = yes ] && [ "$(ls "$out"/*-*.csv | wc -l)" -eq "$n_stamped" ]; then
            ok "filesystem full at the final write: exit 1, '$(grep "cannot write" "$tmp/e.err" | head -1)', previous latest.csv/json/meta.json byte-identical, no stamped CSV added"
        else
            bad "fs full at the end: exit $rc, previous files same: $same, stderr: $(cat "$tmp/e.err")"
        fi
        # Read-only mount.
        rm -f "$mnt/fill"
        if mount -o remount,ro "$mnt" 2>/dev/null; then
            small_run "$out" >"$tmp/e.out" 2>"$tmp/e.err"
            rc=$?
            if [ $rc -eq 2 ] && grep -q "not writable: Read-only file system" "$tmp/e.err" && cmp -s "$out/latest.csv" "$tmp/before/latest.csv"; then
                ok "read-only filesystem: refused up front, exit 2: $(cat "$tmp/e.err")"
            else
                bad "read-only fs: exit $rc: $(cat "$tmp/e.err")"
            fi
        else
            skip "read-only filesystem: remount,ro refused"
        fi
    fi
    umount "$mnt" && mnt=""
fi
if [ -z "$as_user" ]; then
    skip "read-only directory: root ignores permissions and cannot drop privileges here"
else
    ro="$tmp/ro"
    user_dir "$ro"
    chmod 555 "$ro"
    # shellcheck disable=SC2086
    $as_user "$bin" "$q1" "$q2" --tvp_workloads=noop --tvp_out="$ro/r" >"$tmp/e.out" 2>"$tmp/e.err"
    rc1=$?
    # shellcheck disable=SC2086
    $as_user "$bin" "$q1" "$q2" --tvp_workloads=noop --tvp_out="$ro" >"$tmp/e2.out" 2>"$tmp/e2.err"
    rc2=$?
    if [ $rc1 -eq 2 ] && [ $rc2 -eq 2 ] && grep -q "not writable: Permission denied" "$tmp/e.err" &&
        grep -q "not writable: Permission denied" "$tmp/e2.err" && [ -z "$(ls -A "$ro")" ]; then
        ok "read-only directory (mode 555, unprivileged user): refused up front, exit 2, for the directory and a new one under it, nothing created"
    else
        bad "read-only dir: exits $rc1/$rc2: $(cat "$tmp/e.err" "$tmp/e2.err")"
    fi
fi

# ---------------------------------------------------------------------------------------------
# f. The delay server's port taken: a second tvp-delayd on the same port exits 1 naming the
#    address and the error; tvp-bench's embedded server binds port 0, so the net workload runs
#    while another process holds a port.
start_bg "$delayd" --port=0 >"$tmp/f1.out" 2>&1
dpid=$pid
t=0
port=""
while [ -z "$port" ] && [ $t -lt 50 ]; do
    sleep 0.1
    port=$(sed -n 's/^listening on .*:\([0-9][0-9]*\)$/\1/p' "$tmp/f1.out")
    t=$((t + 1))
done
if [ -z "$port" ]; then
    bad "delay server: the first tvp-delayd did not report its port: $(cat "$tmp/f1.out")"
else
    "$delayd" --port="$port" >"$tmp/f2.out" 2>"$tmp/f2.err"
    rc=$?
    if [ $rc -eq 1 ] && grep -q "cannot listen on 127.0.0.1 port $port: Address already in use" "$tmp/f2.err"; then
        ok "port $port taken: the second tvp-delayd exits 1: $(cat "$tmp/f2.err")"
    else
        bad "port taken: exit $rc: $(cat "$tmp/f2.out" "$tmp/f2.err")"
    fi
    out="$tmp/net"
    "$bin" "$q1" "$q2" --tvp_workloads=net --tvp_delay_us=500 --tvp_bytes=64 --tvp_executors=threads --tvp_workers=2 \
        --tvp_tasks=8 --benchmark_min_time=0.05 --tvp_out="$out" >"$tmp/f.out" 2>"$tmp/f.err"
    rc=$?
    why=$(csv_whole "$out/latest.csv")
    status=$(csv_col "$out/latest.csv" status 2>/dev/null | sort -u | tr '\n' ' ')
    left=$(none_left "$out")
    if [ $rc -eq 0 ] && [ -z "$why" ] && [ "$status" = "ok " ] && [ -z "$left" ] && kill -0 $dpid 2>/dev/null; then
        ok "net workload with its embedded server (port 0) while tvp-delayd holds port $port: exit 0, rows ok, the embedded server gone after the run"
    else
        bad "net with a port taken: exit $rc, $why, statuses '$status', left '$left': $(tail -3 "$tmp/f.err")"
    fi
fi
kill -TERM $dpid 2>/dev/null
t=0
while kill -0 $dpid 2>/dev/null && [ $t -lt 50 ]; do sleep 0.1; t=$((t + 1)); done
kill -KILL $dpid 2>/dev/null
wait $dpid 2>/dev/null

[ $skips -eq 0 ] || echo "($skips skipped: see the SKIP lines)"
echo "$passes passed, $fails failed"
[ $fails -eq 0 ]
