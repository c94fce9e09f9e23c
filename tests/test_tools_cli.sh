#!/bin/sh
# test_tools_cli.sh: every tool's command line as a user meets it: --version (commit-shaped), --help, "did you mean", stray arguments and bad numbers (exit 2, the tool's name, the flag, the range), and the version header's git capture.
# usage: test_tools_cli.sh BUILD_DIR SOURCE_DIR
set -u
build=$1
src=$2
tools="tvp-bench tvp-report tvp-compare tvp-delayd delayd-load"
for t in $tools; do
    [ -x "$build/$t" ] || { echo "SKIP: $t is not built"; exit 77; }
done
tmp=$(mktemp -d /tmp/tvp-test-tools-cli-XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fails=0 passes=0
ok() { passes=$((passes + 1)); }
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }

# run TOOL ARGS...: the exit status in $rc, stdout in $tmp/out, stderr in $tmp/err.
run() {
    t=$1
    shift
    "$build/$t" "$@" >"$tmp/out" 2>"$tmp/err"
    rc=$?
}

# expect_error TOOL 'ARGS' TEXT...: exit 2, nothing on stdout, stderr one line "TOOL: ..." with each TEXT.
expect_error() {
    t=$1 args=$2
    shift 2
    # shellcheck disable=SC2086 # ARGS is a word list on purpose
    run "$t" $args
    what="$t $args"
    [ $rc -eq 2 ] || { bad "$what: exit $rc, want 2: $(cat "$tmp/err")"; return; }
    [ ! -s "$tmp/out" ] || { bad "$what: wrote on stdout: $(head -2 "$tmp/out")"; return; }
    [ "$(wc -l <"$tmp/err")" -eq 1 ] || { bad "$what: want one line on stderr: $(cat "$tmp/err")"; return; }
    grep -q "^$t: " "$tmp/err" || { bad "$what: stderr lacks the '$t: ' prefix: $(cat "$tmp/err")"; return; }
    for want in "$@"; do
        grep -qF -- "$want" "$tmp/err" || { bad "$what: stderr lacks '$want': $(cat "$tmp/err")"; return; }
    done
    ok
}

# --version: "<tool> <version> (<12 hex>[-dirty] | unknown)" on stdout, exit 0; --help names it.
version=$(sed -n 's/^project(tvp VERSION \([0-9.]*\).*/\1/p' "$src/CMakeLists.txt")
[ -n "$version" ] || bad "no project(tvp VERSION ...) in CMakeLists.txt"
for t in $tools; do
    run "$t" --version
    line=$(cat "$tmp/out")
    if [ $rc -eq 0 ] && [ ! -s "$tmp/err" ] && [ "$(wc -l <"$tmp/out")" -eq 1 ] &&
        echo "$line" | grep -Eq "^$t $version \\(([0-9a-f]{12}(-dirty)?|unknown)\\)\$"; then ok
    else bad "$t --version: exit $rc: '$line' $(cat "$tmp/err")"; fi
    for h in --help -h; do
        run "$t" $h
        [ $rc -eq 0 ] && grep -q "usage: $t" "$tmp/out" && grep -q -- "--version" "$tmp/out" && ok ||
            bad "$t $h: exit $rc, or no usage line or --version in it"
    done
done
# Every tool reports the same commit (one header, one build).
commits=$(for t in $tools; do "$build/$t" --version | sed 's/.*(\(.*\))$/\1/'; done | sort -u | wc -l)
[ "$commits" -eq 1 ] && ok || bad "the tools report $commits different commits"

# tvp-bench: tvp's prefix and a suggestion for every unknown flag, Google Benchmark's included.
expect_error tvp-bench --benchmark_repetiton=3 "unknown flag '--benchmark_repetiton=3'" \
    "did you mean --benchmark_repetitions?"
expect_error tvp-bench --benchmark_filer=sleep "did you mean --benchmark_filter?"
expect_error tvp-bench --tvp_worker=2 "did you mean --tvp_workers?"
expect_error tvp-bench --tvp_sleepus=5 "did you mean --tvp_sleep_us?"
expect_error tvp-bench --tvp_repetitions=3 "did you mean --benchmark_repetitions?"
expect_error tvp-bench --verison "did you mean --version?"
expect_error tvp-bench --benchmark_nonsense=1 "unknown flag '--benchmark_nonsense=1'" "tvp-bench --help"
# Stray arguments are errors, before anything runs or is written.
expect_error tvp-bench "--tvp_list foo" "unexpected argument 'foo'"
expect_error tvp-bench "--tvp_workloads=noop foo --tvp_out=$tmp/never" "unexpected argument 'foo'"
[ ! -e "$tmp/never" ] && ok || bad "a run with a stray argument created its results directory"
expect_error tvp-bench --tvp_list=foo "--tvp_list=foo: takes no value"
expect_error tvp-bench --tvp_workers "--tvp_workers: needs a value"
expect_error tvp-bench --v "--v: needs a value"
expect_error tvp-bench --tvp_workers=0 "--tvp_workers=0:" "1..1024"
expect_error tvp-bench --benchmark_repetitions=0 "--benchmark_repetitions=0:" "1..1000"
# --help's A-B is what the parser does: 3-5 runs 3, 4 and 5 workers.
run tvp-bench --tvp_workloads=noop --tvp_executors=threads --tvp_spawn=pool --tvp_gil=off --tvp_workers=3-5 --tvp_list
got=$(sed -n 's|.*/workers:\([0-9]*\)/.*|\1|p' "$tmp/out" | tr '\n' ' ')
[ $rc -eq 0 ] && [ "$got" = "3 4 5 " ] && ok || bad "--tvp_workers=3-5 lists workers '$got' (exit $rc)"
"$build/tvp-bench" --help | tr -s ' \n' '  ' | grep -q "3-5: 3,4,5" && ok || bad "--help does not say 3-5: 3,4,5"

# tvp-delayd and delayd-load: bad numbers name the flag and the range; unknown flags get a suggestion.
expect_error tvp-delayd --port=70000 "--port=70000: expected an integer in 0..65535"
expect_error tvp-delayd --port=-1 "--port=-1:" "0..65535"
expect_error tvp-delayd --idle_timeout_ms=1e3 "--idle_timeout_ms=1e3:" "0..86400000"
expect_error tvp-delayd --send_timeout_ms= "--send_timeout_ms=:" "0..86400000"
expect_error tvp-delayd --port "--port: needs a value" "0..65535"
expect_error tvp-delayd --prot=8080 "unknown flag '--prot=8080'; did you mean --port?"
expect_error tvp-delayd stray "unexpected argument 'stray'"
expect_error delayd-load --conns=0 "--conns=0: expected an integer in 1..100000"
expect_error delayd-load --conns=100001 "--conns=100001:" "1..100000"
expect_error delayd-load --rounds=x "--rounds=x:" "1..1000"
expect_error delayd-load --delay_us=+5 "--delay_us=+5:" "0..10000000"
expect_error delayd-load --bytes=99999999999 "--bytes=99999999999:" "0..16777216"
expect_error delayd-load --target=nohost "--target=nohost:" "1..65535"
expect_error delayd-load --conn=5 "did you mean --conns?"
expect_error delayd-load stray "unexpected argument 'stray'"

# tvp-report and tvp-compare.
expect_error tvp-report "--no-rendr x.csv" "unknown flag '--no-rendr'; did you mean --no-render?"
expect_error tvp-report "--no-render=1 x.csv" "--no-render=1: takes no value"
expect_error tvp-report --out "--out: needs a value"
expect_error tvp-compare "--treshold=5 a.csv b.csv" "unknown flag '--treshold=5'; did you mean --threshold?"
expect_error tvp-compare "--strict=1 a.csv b.csv" "--strict=1: takes no value"
expect_error tvp-compare "a.csv b.csv c.csv" "unexpected argument 'c.csv'"

# The version header's git capture (cmake/part-cli.cmake in script mode): a commit in a checkout,
# "-dirty" with changes, "unknown" without .git (a tarball) or inside someone else's checkout,
# and no rewrite when nothing changed (so nothing recompiles).
if command -v git >/dev/null && command -v cmake >/dev/null; then
    gen() { cmake -DTVP_SRC="$1" -DTVP_OUT="$2" -DTVP_VER=9.8.7 -DTVP_GIT="$(command -v git)" \
        -P "$src/cmake/part-cli.cmake" >/dev/null 2>&1; }
    commit_of() { sed -n 's/^#define TVP_BUILD_COMMIT "\(.*\)"$/\1/p' "$1"; }
    mkdir -p "$tmp/tarball" "$tmp/repo/nested"
    gen "$tmp/tarball" "$tmp/h1"
    [ "$(commit_of "$tmp/h1")" = unknown ] && grep -q '"9.8.7"' "$tmp/h1" && ok ||
        bad "outside git: $(cat "$tmp/h1" 2>&1)"
    (cd "$tmp/repo" && git init -q && echo a >f && git add f &&
        git -c user.name=t -c user.email=t@t commit -qm one) >/dev/null 2>&1
    head=$(git -C "$tmp/repo" rev-parse --short=12 HEAD 2>/dev/null)
    if [ -n "$head" ]; then
        gen "$tmp/repo" "$tmp/h2"
        [ "$(commit_of "$tmp/h2")" = "$head" ] && ok || bad "clean checkout: $(commit_of "$tmp/h2"), want $head"
        touch -d '2000-01-01' "$tmp/h2"
        gen "$tmp/repo" "$tmp/h2"
        [ "$(find "$tmp/h2" -newermt '2001-01-01' | wc -l)" -eq 0 ] && ok ||
            bad "an unchanged header was rewritten (everything would recompile)"
        echo b >"$tmp/repo/f"
        gen "$tmp/repo" "$tmp/h2"
        [ "$(commit_of "$tmp/h2")" = "$head-dirty" ] && ok || bad "changed checkout: $(commit_of "$tmp/h2")"
        gen "$tmp/repo/nested" "$tmp/h3"
        [ "$(commit_of "$tmp/h3")" = unknown ] && ok ||
            bad "a tree unpacked inside another checkout took its commit: $(commit_of "$tmp/h3")"
    else
        echo "SKIP: git cannot commit here: the checkout cases"
    fi
else
    echo "SKIP: git or cmake missing: the version header's capture"
fi

echo "$passes passed, $fails failed"
[ $fails -eq 0 ]
