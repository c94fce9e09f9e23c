#!/bin/sh
# fuzz.sh: builds every libFuzzer target with clang (build/fuzz) and runs each for a bounded time over its committed corpus.
#
# usage: scripts/fuzz.sh [TARGET...]      (default: every target; names as in tests/data/fuzz/)
#   FUZZ_SECONDS=60    time per target (libFuzzer -max_total_time)
#   FUZZ_BUILD=build/fuzz
#
# Targets: cli (tvp-bench's flags), delay_proto (the delay server's wire protocol), results_read
# (the tidy-CSV reader), compare (tvp-compare's CSV and JSON readers). Each runs over
# build/fuzz/corpus/<target>/ (new inputs land there) and tests/data/fuzz/<target>/ (the committed
# seeds, read only). A crash, leak, timeout or out-of-memory input is saved as
# tests/data/fuzz/<target>/{crash,leak,timeout,oom}-<sha1>: once fixed, commit it; the replay test
# (tests/test_fuzz_corpus.sh) keeps it as a regression test with gcc. Exit 1 when any target
# found something, 2 when the build failed.
set -u
cd "$(dirname "$0")/.." || exit 2
FUZZ_SECONDS=${FUZZ_SECONDS:-60}
build=${FUZZ_BUILD:-build/fuzz}

# clang-14 needs the compiler-rt libraries for -fsanitize=fuzzer: Debian ships them in
# libclang-rt-14-dev, only recommended by clang-14 (and deps.sh installs without recommends).
scripts/deps.sh clang libclang-rt-14-dev || exit 2

# Every library is instrumented (coverage + sanitizers); the fuzz binaries link libFuzzer itself.
# No build type: no -DNDEBUG, the flags below are all there is.
flags="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer -g -O1"
if ! CC=clang CXX=clang++ cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Fuzz -DTVP_FUZZ=ON -DTVP_BUILD_TESTS=OFF \
        -DCMAKE_C_FLAGS="$flags" -DCMAKE_CXX_FLAGS="$flags" >"$build.configure.log" 2>&1; then
    cat "$build.configure.log"
    echo "FAIL: cannot configure the clang fuzz build in $build"
    exit 2
fi

all=""
for src in fuzz/fuzz_*.c compare/fuzz_compare.c; do
    name=$(basename "$src" .c)
    all="$all ${name#fuzz_}"
done
targets=${*:-$all}

build_targets=""
for t in $targets; do build_targets="$build_targets fuzz_$t"; done
# shellcheck disable=SC2086
if ! cmake --build "$build" -j "$(nproc 2>/dev/null || echo 2)" --target $build_targets >"$build/build.log" 2>&1; then
    grep -E "error|Error" "$build/build.log" | head -30
    echo "FAIL: cannot build the fuzz targets (log: $build/build.log)"
    exit 2
fi

export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
passes=0 fails=0
summary=""
for t in $targets; do
    seeds="tests/data/fuzz/$t"
    work="$build/corpus/$t"
    log="$build/fuzz_$t.log"
    mkdir -p "$seeds" "$work"
    dict=""
    [ -f "fuzz/$t.dict" ] && dict="-dict=fuzz/$t.dict"
    touch "$build/.fuzz-start"
    echo "== fuzz_$t: ${FUZZ_SECONDS} s over $work and $seeds"
    # shellcheck disable=SC2086
    "$build/fuzz_$t" -max_total_time="$FUZZ_SECONDS" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$seeds/" $dict "$work" "$seeds" >"$log" 2>&1
    rc=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    secs=$(sed -n 's/^Done [0-9]* runs in \([0-9]*\) second.*/\1/p' "$log" | tail -1)
    cov=$(grep -oE 'cov: [0-9]+' "$log" | tail -1)
    corpus=$(find "$work" -type f | wc -l)
    new=$(find "$seeds" -maxdepth 1 -type f -newer "$build/.fuzz-start" \( -name 'crash-*' -o -name 'leak-*' \
        -o -name 'timeout-*' -o -name 'oom-*' \))
    line="fuzz_$t: ${execs:-?} executions in ${secs:-?} s, ${cov:-cov: ?}, $corpus corpus inputs"
    if [ "$rc" -eq 0 ] && [ -z "$new" ]; then
        echo "PASS: $line"
        passes=$((passes + 1))
    else
        echo "FAIL: $line, exit $rc; new artifacts in $seeds/:"
        echo "${new:-   (none saved: see the log)}"
        grep -E "ERROR: |SUMMARY: |broken promise|runtime error" "$log" | head -10
        echo "   (log: $log)"
        fails=$((fails + 1))
    fi
    summary="$summary
$line"
done
echo "== executions per target:$summary"
echo "$passes passed, $fails failed"
[ "$fails" -eq 0 ]
