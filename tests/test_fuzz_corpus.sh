#!/bin/sh
# test_fuzz_corpus.sh: replays every committed fuzz input (seeds and fixed crashes, tests/data/fuzz/<target>/) through the gcc-built fuzz-replay-<target> programs.
# usage: test_fuzz_corpus.sh BUILD_DIR SOURCE_DIR
#
# The libFuzzer binaries need clang (scripts/fuzz.sh); their targets' code also builds with the
# normal compiler into fuzz-replay-<target> (cmake/part-fuzz.cmake), which runs
# LLVMFuzzerTestOneInput on each file once. A target aborts on a broken promise, so every
# crash-* file here (an input that once crashed, since fixed) must now pass: the regression test.
# Every target must have a corpus directory with at least one input, and every corpus directory
# a replay program, so neither can be forgotten.
set -u
build=$1
src=$2
fails=0 passes=0
ok() { echo "PASS: $*"; passes=$((passes + 1)); }
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }

corpus="$src/tests/data/fuzz"
if [ ! -d "$corpus" ]; then
    echo "SKIP: no $corpus"
    exit 77
fi

targets=""
for f in "$src"/fuzz/fuzz_*.c "$src"/compare/fuzz_compare.c; do
    [ -f "$f" ] || continue
    name=$(basename "$f" .c)
    targets="$targets ${name#fuzz_}"
done

for t in $targets; do
    bin="$build/fuzz-replay-$t"
    dir="$corpus/$t"
    if [ ! -x "$bin" ]; then bad "$t: no replay program $bin"; continue; fi
    n=$(find "$dir" -maxdepth 1 -type f 2>/dev/null | wc -l)
    if [ "$n" -eq 0 ]; then bad "$t: no committed inputs in $dir"; continue; fi
    crashes=$(find "$dir" -maxdepth 1 -type f \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' \) | wc -l)
    # One input per process: a crash names its file, and a leak or abort in one input cannot
    # hide the others. ASan/UBSan settings apply when the build is sanitized.
    failed_inputs=0
    for input in "$dir"/*; do
        [ -f "$input" ] || continue
        if ! ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}" "$bin" "$input" >"$build/fuzz-replay.out" 2>&1; then
            bad "$t: $(basename "$input"): $(grep -E 'broken promise|ERROR|runtime error' "$build/fuzz-replay.out" | head -1)"
            failed_inputs=$((failed_inputs + 1))
        fi
    done
    if [ "$failed_inputs" -eq 0 ]; then ok "$t: $n inputs replayed ($crashes former crashes)"; fi
done

for d in "$corpus"/*/; do
    t=$(basename "$d")
    case " $targets " in
    *" $t "*) ;;
    *) bad "corpus $d has no fuzz target fuzz_$t" ;;
    esac
done
rm -f "$build/fuzz-replay.out"

echo "$passes passed, $fails failed"
[ "$fails" -eq 0 ]
