#!/bin/sh
# test_progress_run.sh: tvp-bench's progress on stderr: piped, a line within 10 s of the start and at
# most ~10 s apart, one while a 12 s run lasts, counts up to total/total; --tvp_quiet prints none
# and the result files keep their form; Ctrl-C still exits 130 with whole files and a "stopped"
# line; on a terminal (script(1)) one line redrawn in place, erased before Google Benchmark's;
# the display's process never outlives the run.
# usage: test_progress_run.sh BUILD_DIR SOURCE_DIR
set -u
build=$1
bin="$build/tvp-bench"
[ -x "$bin" ] || { echo "SKIP: tvp-bench is not built"; exit 77; }
command -v python3 >/dev/null || { echo "SKIP: python3 is not installed"; exit 77; }
tmp=$(mktemp -d /tmp/tvp-test-progress-XXXXXX)
trap '[ -n "${KEEP:-}" ] || rm -rf "$tmp"' EXIT

# run.py NAME SIGINT_AFTER_S CMD...: runs CMD with stdout and stderr piped, each line stamped with
# the seconds since the start into NAME.lines ("out|err SECONDS TEXT"), sends SIGINT after
# SIGINT_AFTER_S (0: never), writes the exit code to NAME.rc, and "ticker left" to NAME.left when
# a display process (tvp-bench's sibling, so our child) is alive once the run has ended.
cat >"$tmp/run.py" <<'PY'
import os, selectors, signal, subprocess, sys, time
name, after, cmd = sys.argv[1], float(sys.argv[2]), sys.argv[3:]
t0 = time.monotonic()
p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
sel = selectors.DefaultSelector()
sel.register(p.stdout, selectors.EVENT_READ, "out")
sel.register(p.stderr, selectors.EVENT_READ, "err")
bufs, lines, sent = {"out": b"", "err": b""}, [], False
while sel.get_map():
    timeout = None if after <= 0 or sent else max(0, after - (time.monotonic() - t0))
    ready = sel.select(timeout)
    if after > 0 and not sent and time.monotonic() - t0 >= after:
        p.send_signal(signal.SIGINT)
        sent = True
    for key, _ in ready:
        data = os.read(key.fileobj.fileno(), 65536)
        if not data:
            sel.unregister(key.fileobj)
            continue
        t = time.monotonic() - t0
        bufs[key.data] += data
        *done, bufs[key.data] = bufs[key.data].split(b"\n")
        lines += ["%s %.2f %s" % (key.data, t, l.decode(errors="replace")) for l in done]
rc = p.wait()
with open(name + ".lines", "w") as f:
    f.write("\n".join(lines) + "\n")
with open(name + ".rc", "w") as f:
    f.write("%d\n" % rc)
time.sleep(0.3)
left = []
for task in os.listdir("/proc/self/task"):
    try:
        kids = open("/proc/self/task/%s/children" % task).read().split()
    except OSError:
        continue
    for k in kids:
        try:
            if open("/proc/%s/cmdline" % k, "rb").read().startswith(b"tvp-bench-progress"):
                left.append(k)
        except OSError:
            pass
        try:
            os.waitpid(int(k), os.WNOHANG)  # reap it (our child: tvp-bench's sibling)
        except OSError:
            pass
with open(name + ".left", "w") as f:
    f.write("ticker left: %s\n" % " ".join(left) if left else "")
PY

# The configurations: noop serial and threads (short), then sleep serial (16 x 0.75 s: one
# batch, one run of 12 s) and threads (6 s): ~20 s in all.
flags="--tvp_profile=quick --tvp_workloads=noop,sleep --tvp_executors=serial,threads --tvp_spawn=pool \
--tvp_gil=off --tvp_workers=2 --tvp_sleep_us=750000 --benchmark_min_time=0.2"
# shellcheck disable=SC2086
python3 "$tmp/run.py" "$tmp/a" 0 "$bin" $flags --tvp_tasks=16 --tvp_out="$tmp/a"
# shellcheck disable=SC2086
python3 "$tmp/run.py" "$tmp/q" 0 "$bin" $flags --tvp_tasks=2 --tvp_quiet --tvp_out="$tmp/q"
# Ctrl-C 6 s in: inside the 12 s run.
# shellcheck disable=SC2086
python3 "$tmp/run.py" "$tmp/i" 6 "$bin" $flags --tvp_tasks=16 --tvp_out="$tmp/i"

# On a terminal: one line in place, erased before Google Benchmark prints (stdout, the same
# terminal). A run of ~4 s with one 1.5 s run, so the line is redrawn in place.
tty_run=""
if command -v script >/dev/null && script -qec true /dev/null >/dev/null 2>&1; then
    TERM=xterm script -qec "$bin --tvp_profile=quick --tvp_workloads=noop,sleep --tvp_executors=serial,threads \
--tvp_spawn=pool --tvp_workers=2 --tvp_gil=off --tvp_sleep_us=100000 --tvp_tasks=15 --benchmark_min_time=0.05 \
--tvp_out=$tmp/t --benchmark_color=false" /dev/null >"$tmp/t.typescript" 2>&1 </dev/null
    echo $? >"$tmp/t.rc"
    tty_run=yes
else
    echo "SKIP: no script(1) that gives a terminal: the in-place line is not checked"
fi

python3 - "$tmp" "$tty_run" <<'PY'
import csv, json, os, re, sys
tmp, tty_run = sys.argv[1], sys.argv[2]
fails, passes = [], 0
def check(cond, msg):
    global passes
    if cond: passes += 1
    else: fails.append(msg)
line_re = re.compile(r"^tvp-bench: progress (\d+)/(\d+) configurations(?: x repetitions)?, "
                     r"(\d+h\d\dm|\d+m\d\ds|\d+s) elapsed, (.*)$")
def run(name):
    lines = [l.split(" ", 2) for l in open(os.path.join(tmp, name + ".lines")).read().splitlines() if l]
    lines = [(s, float(t), text) for s, t, text in lines]
    rc = int(open(os.path.join(tmp, name + ".rc")).read())
    left = open(os.path.join(tmp, name + ".left")).read().strip()
    check(not left, f"{name}: the display outlived the run: {left}")
    prog = [(t, text) for s, t, text in lines if s == "err" and "progress" in text]
    for t, text in prog:
        check(line_re.match(text), f"{name}: not a progress line: {text!r}")
    return lines, rc, prog
def table(path):
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    for i, r in enumerate(rows[1:], 2):
        check(len(r) == len(rows[0]), f"{path}:{i}: {len(r)} fields, header {len(rows[0])}")
    return rows

# A: piped, progress on.
lines, rc, prog = run("a")
check(rc == 0, f"a: exit {rc}")
n_cfg = sum(1 for s, t, text in lines if s == "out" and "/manual_time" in text)
check(n_cfg == 4, f"a: {n_cfg} Google Benchmark lines, expected 4")
check(prog and prog[0][0] <= 10, f"a: first progress line at {prog[0][0] if prog else None} s (> 10 s)")
gaps = [b[0] - a[0] for a, b in zip(prog, prog[1:])]
check(prog and max(gaps, default=0) <= 12, f"a: progress lines {gaps} s apart (> 12 s)")
counts = [tuple(map(int, line_re.match(t).groups()[:2])) for _, t in prog if line_re.match(t)]
check(counts and counts[-1] == (4, 4) and prog[-1][1].endswith(", done"), f"a: last progress line {prog[-1:]}")
check(all(a[0] <= b[0] and b[1] == 4 for a, b in zip(counts, counts[1:])), f"a: counts {counts}")
# A progress line while the 12 s run lasted (between its neighbours' Google Benchmark lines).
gb = [t for s, t, text in lines if s == "out" and "/manual_time" in text]
long = [(a, b) for a, b in zip(gb, gb[1:]) if b - a > 10]
check(long and any(a < t < b for a, b in long for t, _ in prog),
      f"a: no progress line inside the long run: GB lines at {gb}, progress at {[t for t, _ in prog]}")

# Q: --tvp_quiet prints no progress; the files have the same form as A's.
lines, rc, prog = run("q")
check(rc == 0, f"q: exit {rc}")
check(not prog and not any("progress" in text for s, t, text in lines if s == "err"), f"q: progress printed: {prog}")
for f in ("latest.csv", "latest.summary.csv"):
    a, q = table(os.path.join(tmp, "a", f)), table(os.path.join(tmp, "q", f))
    check(a[0] == q[0], f"{f}: headers differ between the progress and the quiet run")
    check(len(a) == len(q) == 5, f"{f}: {len(a) - 1} and {len(q) - 1} rows, expected 4")
    check([r[1] for r in a[1:]] == [r[1] for r in q[1:]], f"{f}: benchmarks differ")
for f in ("latest.json", "latest.meta.json"):
    a, q = json.load(open(os.path.join(tmp, "a", f))), json.load(open(os.path.join(tmp, "q", f)))
    check(sorted(a) == sorted(q), f"{f}: keys differ: {sorted(a)} vs {sorted(q)}")
    if f == "latest.meta.json":
        check(a["status"] == q["status"] == "complete", f"meta status {a['status']}, {q['status']}")

# I: SIGINT in the long run: 130, whole files, interrupted rows, the last progress line "stopped".
lines, rc, prog = run("i")
check(rc == 130, f"i: exit {rc}, expected 130")
rows = table(os.path.join(tmp, "i", "latest.csv"))
status = [dict(zip(rows[0], r))["status"] for r in rows[1:]]
check(len(rows) == 5 and "interrupted" in status, f"i: rows {status}")
meta = json.load(open(os.path.join(tmp, "i", "latest.meta.json")))
check(meta["status"] == "interrupted", f"i: meta status {meta['status']}")
check(prog and prog[-1][1].endswith(", stopped"), f"i: last progress line {prog[-1:]}")
err = [text for s, t, text in lines if s == "err"]
check(any("interrupted by signal 2" in e for e in err), f"i: no interruption message: {err[-3:]}")

# T: on a terminal.
if tty_run:
    rc = int(open(os.path.join(tmp, "t.rc")).read())
    check(rc == 0, f"t: exit {rc}")
    raw = open(os.path.join(tmp, "t.typescript"), "rb").read().decode(errors="replace").replace("\r\n", "\n")
    draw = re.compile(r"\rtvp-bench: progress [^\r\n\x1b]*\x1b\[K")
    draws = draw.findall(raw)
    check(len(draws) >= 2, f"t: {len(draws)} in-place progress lines")
    rest = draw.sub("", raw).replace("\r\x1b[K", "")
    # What is left: Google Benchmark's lines from their first column, the final line, no stray \r.
    check("\r" not in rest, "t: a carriage return outside a progress line or its erasure")
    gb = [l for l in rest.split("\n") if "/manual_time" in l]
    check(len(gb) == 4 and all(l.startswith(("noop/", "sleep/")) for l in gb), f"t: Google Benchmark lines {gb}")
    last = [l for l in rest.split("\n") if "tvp-bench: progress" in l]
    check(len(last) == 1 and last[0].startswith("tvp-bench: progress 4/4") and last[0].endswith(", done"),
          f"t: the last line {last}")
    check(all(len(d) - 4 <= 80 for d in draws), "t: a line wider than the terminal")

for f in fails:
    print("FAIL:", f)
print(f"test_progress_run: {passes} passed, {len(fails)} failed")
sys.exit(1 if fails else 0)
PY
