#!/bin/sh
# valgrind.sh: runs every cmocka unit test of a Debug build under valgrind memcheck (errors and definite leaks fail).
#
# usage: scripts/valgrind.sh [TEST...]     (default: every tests/test_*.c)
#   VALGRIND_BUILD=build/valgrind   the Debug build used (configured and built here)
#   VALGRIND_TIMEOUT=900            seconds per test before it counts as failed
#
# Options: --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite
# --trace-children=no (programs the tests exec, e.g. tvp-compare, tvp-true, run natively; forked
# children stay under valgrind, as fork keeps the tool), suppressions from tests/valgrind.supp.
# Tests skipped here are listed in SKIP below with the reason. Valgrind 3.19 answers
# pidfd_open with ENOSYS: sched_bench.c then watches its children with waitpid polling, the
# fallback this run exercises.
set -u
cd "$(dirname "$0")/.."
root=$(pwd)
build=${VALGRIND_BUILD:-build/valgrind}
case "$build" in /*) ;; *) build="$root/$build" ;; esac
limit=${VALGRIND_TIMEOUT:-900}

# Tests that cannot give a meaningful memcheck verdict, with the reason (name|reason).
SKIP=""

scripts/deps.sh valgrind || exit 2
if ! cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Debug >"$build.configure.log" 2>&1; then
    cat "$build.configure.log"
    echo "FAIL: cannot configure $build"
    exit 2
fi
if ! cmake --build "$build" -j "$(nproc 2>/dev/null || echo 2)" >"$build/build.log" 2>&1; then
    grep -E "error" "$build/build.log" | head -20
    echo "FAIL: cannot build $build (log: $build/build.log)"
    exit 2
fi

tests=${*:-$(for f in tests/test_*.c; do basename "$f" .c; done)}
passes=0 fails=0 skips=0
for t in $tests; do
    reason=$(echo "$SKIP" | sed -n "s/^$t|//p")
    if [ -n "$reason" ]; then
        echo "SKIP: $t: $reason"
        skips=$((skips + 1))
        continue
    fi
    exe="$build/tests/$t"
    if [ ! -x "$exe" ]; then
        echo "FAIL: $t: $exe not built"
        fails=$((fails + 1))
        continue
    fi
    log="$build/valgrind-$t.log"
    rm -f "$log".*
    start=$(date +%s)
    # The tests find their data and binaries from compiled-in paths; run from the build's tests dir
    # as CTest does.
    (cd "$build/tests" && timeout "$limit" valgrind --tool=memcheck --error-exitcode=1 --leak-check=full \
        --errors-for-leak-kinds=definite --show-leak-kinds=definite --trace-children=no \
        --suppressions="$root/tests/valgrind.supp" --num-callers=30 --log-file="$log.%p" \
        "./$t" >"$log.out" 2>&1)
    rc=$?
    took=$(($(date +%s) - start))
    # One log per process (forked children included): errors anywhere count.
    errors=$(cat "$log".[0-9]* 2>/dev/null | sed -n 's/.*ERROR SUMMARY: \([0-9]*\) errors.*/\1/p' | awk '{ s += $1 } END { print s + 0 }')
    definite=$(cat "$log".[0-9]* 2>/dev/null | sed -n 's/.*definitely lost: \([0-9,]*\) bytes.*/\1/p' | tr -d , | awk '{ s += $1 } END { print s + 0 }')
    nproc_logs=$(ls "$log".[0-9]* 2>/dev/null | wc -l)
    if [ $rc -eq 0 ] && [ "$errors" -eq 0 ]; then
        echo "PASS: $t: 0 errors, 0 bytes definitely lost ($nproc_logs processes, ${took} s)"
        passes=$((passes + 1))
    else
        why="exit $rc"
        [ $rc -eq 124 ] && why="timed out after $limit s"
        echo "FAIL: $t: $why, $errors errors, $definite bytes definitely lost ($nproc_logs processes, ${took} s); logs: $log.*"
        cat "$log".[0-9]* | grep -E -A12 "^==[0-9]+== (Invalid|Conditional|Syscall param|Mismatched|Source and|[0-9,]+ bytes in [0-9,]+ blocks are definitely)" | head -60
        tail -15 "$log.out"
        fails=$((fails + 1))
    fi
done
[ $skips -eq 0 ] || echo "($skips skipped: see the SKIP lines)"
echo "$passes passed, $fails failed"
[ $fails -eq 0 ]
