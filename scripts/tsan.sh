#!/bin/sh
# tsan.sh: builds the ThreadSanitizer configuration (the tsan preset's flags) and runs the CTest suite under it, minus documented exclusions.
#
# usage: scripts/tsan.sh            TSAN_BUILD=build/tsan (the preset's directory) to change where
#
# Exclusions: tests/tsan-exclude.txt ("name: reason" lines) are left out with -E and printed with
# their reason. Suppressions: tests/tsan.supp (runtime blind spots, each explained). TSan and fork:
# a child forked from a multithreaded parent runs with TSan's checks off (the runtime cannot trust
# its own state after such a fork), so process workers are exercised but not checked; the thread
# executor, the queue, the GIL and the delay server's threads are what TSan checks here.
set -u
cd "$(dirname "$0")/.." || exit 2
root=$(pwd)
build=${TSAN_BUILD:-build/tsan}
jobs=$(nproc 2>/dev/null || echo 2)

scripts/deps.sh || exit 2
. scripts/cmake-build.sh
flags="-fsanitize=thread -fno-omit-frame-pointer"
cmake_build "$build" "$jobs" -DCMAKE_BUILD_TYPE=Debug -DCMAKE_C_FLAGS="$flags" -DCMAKE_CXX_FLAGS="$flags" \
    -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=thread" || exit 2

names=$(sed -n 's/^\([A-Za-z0-9_]*\): .*/\1/p' tests/tsan-exclude.txt)
exclude=$(echo $names | tr ' ' '|')
for n in $names; do
    echo "SKIP: $n: $(sed -n "s/^$n: //p" tests/tsan-exclude.txt)"
done

export TSAN_OPTIONS="${TSAN_OPTIONS:-halt_on_error=1:second_deadlock_stack=1}:suppressions=$root/tests/tsan.supp"
log="$build/ctest-tsan.log"
if [ -n "$exclude" ]; then
    ctest --test-dir "$build" --output-on-failure -j "$jobs" -E "^($exclude)\$" >"$log" 2>&1
else
    ctest --test-dir "$build" --output-on-failure -j "$jobs" >"$log" 2>&1
fi
passes=0 fails=0
for t in $(sed -n 's/.*Test *#[0-9]*: \([A-Za-z0-9_]*\) \.*  *Passed.*/\1/p' "$log"); do
    echo "PASS: $t"
    passes=$((passes + 1))
done
for t in $(sed -n 's/.*Test *#[0-9]*: \([A-Za-z0-9_]*\) \.*\**\(Failed\|Timeout\|Exception\|Not Run\).*/\1/p' "$log"); do
    echo "FAIL: $t"
    fails=$((fails + 1))
done
if [ "$fails" -gt 0 ]; then
    echo "ThreadSanitizer reports (count, place):"
    sed -n 's/.*SUMMARY: ThreadSanitizer: //p' "$log" | sort | uniq -c | sort -rn
fi
for t in $(sed -n 's/.*Test *#[0-9]*: \([A-Za-z0-9_]*\) \.*  *Skipped.*/\1/p' "$log"); do
    echo "SKIP: $t (the test skipped itself)"
done
echo "(ctest log: $log)"
echo "$passes passed, $fails failed"
[ "$fails" -eq 0 ]
