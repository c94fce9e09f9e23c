#!/usr/bin/env python3
"""validate-gil.py: the same GIL experiments in this machine's CPython and in tvp's emulation, side by side.

usage: scripts/validate-gil.py [TVP_BENCH] [--quick]
Prints, for each experiment, the ratio CPython shows and the ratio tvp shows: countdown 1 thread vs
2 threads vs 2 processes; sleep overlap; hashing in 2047- vs 2048-byte updates (hashlib releases
the GIL from 2048 bytes); a sleeping probe's wakeup delay next to a spinning thread vs a spinning
process at switch intervals 5 ms, 1 ms, 0.1 ms. Only the Python standard library is used.
"""
import csv
import hashlib
import multiprocessing as mp
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time

QUICK = "--quick" in sys.argv
ARGS = [a for a in sys.argv[1:] if not a.startswith("--")]
TVP = ARGS[0] if ARGS else os.path.join(os.path.dirname(__file__), "..", "build", "tvp-bench")
REPS = 3 if QUICK else 5


def best(fn, reps=REPS):
    """Median wall time of fn() over reps runs."""
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


# ---- CPython side ----

def countdown(n):
    while n > 0:
        n -= 1


def run_threads(target, args_list):
    ts = [threading.Thread(target=target, args=a) for a in args_list]
    for t in ts:
        t.start()
    for t in ts:
        t.join()


def run_procs(target, args_list):
    ps = [mp.Process(target=target, args=a) for a in args_list]
    for p in ps:
        p.start()
    for p in ps:
        p.join()


def py_countdown(n):
    one = best(lambda: countdown(n))
    two_t = best(lambda: run_threads(countdown, [(n // 2,), (n // 2,)]))
    two_p = best(lambda: run_procs(countdown, [(n // 2,), (n // 2,)]))
    return one / two_t, one / two_p


def py_sleep(k, s):
    serial = best(lambda: [time.sleep(s) for _ in range(k)], 2)
    thr = best(lambda: run_threads(time.sleep, [(s,)] * k), 2)
    prc = best(lambda: run_procs(time.sleep, [(s,)] * k), 2)
    return serial / thr, serial / prc


BUF = bytes(range(256)) * (4 * 4096)  # 4 MiB


BLOCKS = {c: BUF[:c] for c in (2047, 2048)}


def hash_chunks(chunk):
    """4 MiB through update() calls of `chunk` bytes (a prebuilt block: no slicing in the loop)."""
    h = hashlib.sha256()
    block = BLOCKS[chunk]
    update = h.update
    for _ in range(len(BUF) // chunk):
        update(block)
    return h.digest()


def py_hash(chunk):
    one = best(lambda: (hash_chunks(chunk), hash_chunks(chunk)))
    two = best(lambda: run_threads(hash_chunks, [(chunk,), (chunk,)]))
    return one / two


def spin(stop):
    while not stop.is_set():
        pass


def probe(n=100 if QUICK else 300, s=0.001):
    lat = []
    for _ in range(n):
        t0 = time.perf_counter()
        time.sleep(s)
        lat.append((time.perf_counter() - t0 - s) * 1e6)
    return statistics.median(lat)


def py_convoy(interval):
    sys.setswitchinterval(interval)
    alone = probe()
    stop = threading.Event()
    t = threading.Thread(target=spin, args=(stop,))
    t.start()
    with_thread = probe()
    stop.set()
    t.join()
    pstop = mp.Event()
    p = mp.Process(target=spin, args=(pstop,))
    p.start()
    time.sleep(0.1)
    with_proc = probe()
    pstop.set()
    p.join()
    sys.setswitchinterval(0.005)
    return alone, with_thread, with_proc


# ---- tvp side ----

def tvp(*flags):
    with tempfile.TemporaryDirectory() as out:
        cmd = [TVP, "--tvp_profile=quick", "--tvp_out=" + out, "--benchmark_repetitions=%d" % REPS,
               "--benchmark_min_time=0.2", *flags]
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        # The summary file: one row per configuration, medians over the repetitions.
        with open(os.path.join(out, "latest.summary.csv"), newline="") as f:
            rows = [r for r in csv.DictReader(f) if r["status"] == "ok"]
    for r in rows:
        r["speedup"], r["lat_p50_us"] = r["speedup_median"], r["lat_p50_us_median"]
    return rows


def pick(rows, **kw):
    for r in rows:
        if all(r.get(k) == v for k, v in kw.items()):
            return r
    raise LookupError(kw)


def main():
    if not os.access(TVP, os.X_OK):
        sys.exit("validate-gil: %s not found: run `make` first" % TVP)
    print("validate-gil: CPython %s vs tvp's emulation (%s), on %d CPUs%s" %
          (sys.version.split()[0], TVP, os.cpu_count(), " (quick)" if QUICK else ""))
    print("%-56s %12s %12s" % ("experiment", "CPython", "tvp"))

    def line(name, py, tv, fmt="%.2fx"):
        print("%-56s %12s %12s" % (name, fmt % py, fmt % tv))

    n = 5_000_000 if QUICK else 20_000_000
    py_t, py_p = py_countdown(n)
    rows = tvp("--tvp_workloads=countdown", "--tvp_gil=on", "--tvp_workers=2", "--tvp_tasks=2",
               "--tvp_spawn=pool", "--tvp_count=%d" % (n * 2))
    tv_t = float(pick(rows, executor="threads")["speedup"])
    tv_p = float(pick(rows, executor="processes")["speedup"])
    line("countdown: speedup of 2 threads over 1 (GIL on)", py_t, tv_t)
    line("countdown: speedup of 2 processes over 1", py_p, tv_p)

    py_t, py_p = py_sleep(16, 0.05)
    rows = tvp("--tvp_workloads=sleep", "--tvp_gil=on", "--tvp_workers=16", "--tvp_tasks=16",
               "--tvp_spawn=pool", "--tvp_sleep_us=50000")
    line("sleep 16 x 50 ms: speedup of 16 threads", py_t, float(pick(rows, executor="threads")["speedup"]))
    line("sleep 16 x 50 ms: speedup of 16 processes", py_p, float(pick(rows, executor="processes")["speedup"]))

    rows = tvp("--tvp_workloads=hash", "--tvp_gil=on", "--tvp_workers=2", "--tvp_tasks=2", "--tvp_spawn=pool",
               "--tvp_executors=serial,threads", "--tvp_bytes=4194304", "--tvp_chunk=2047,2048")
    for chunk in (2047, 2048):
        line("sha256 4 MiB in %d-byte updates: 2 threads over 1" % chunk, py_hash(chunk),
             float(pick(rows, executor="threads", chunk=str(chunk))["speedup"]))

    rows = tvp("--tvp_workloads=convoy", "--tvp_gil=on", "--tvp_switch_us=5000,1000,100", "--tvp_spawn=pool",
               "--tvp_probes=%d" % (100 if QUICK else 300))
    for interval_us in (5000, 1000, 100):
        alone, with_thread, with_proc = py_convoy(interval_us / 1e6)
        th = float(pick(rows, executor="threads", switch_us=str(interval_us))["lat_p50_us"])
        pr = float(pick(rows, executor="processes", switch_us=str(interval_us))["lat_p50_us"])
        line("sleep(1 ms) overshoot beside a CPU thread, %g ms (us)" % (interval_us / 1000), with_thread, th, "%.0f")
        line("sleep(1 ms) overshoot beside a CPU process, %g ms (us)" % (interval_us / 1000), with_proc, pr, "%.0f")
    print("(ratios: wall time of the serial run over the parallel one; overshoot: median microseconds past 1 ms)")


if __name__ == "__main__":
    main()
