#!/bin/sh
# test_readme.sh: the README's "adding a workload" example is the real, compiled workloads file, and
# its column tables name every column of the registry (lib/io/columns.c) and every workload's own.
# usage: test_readme.sh BUILD_DIR SOURCE_DIR
set -u
build=$1
src=$2
fails=0 passes=0
marker='<!-- example-workload: '
file=$(sed -n "s|^$marker\(.*\) -->\$|\1|p" "$src/README.md")
[ -n "$file" ] || { echo "FAIL: no example marker in README.md"; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
awk -v m="$marker" 'index($0, m) == 1 {on = 1; next} on && /^```c$/ {code = 1; next}
    code && /^```$/ {exit} code {print}' "$src/README.md" >"$tmp/example"
if diff -u "$src/$file" "$tmp/example"; then
    passes=$((passes + 1))
else
    echo "FAIL: README.md's example differs from $file (update the README)"
    fails=$((fails + 1))
fi

# Every column a run can write is in a README table: the registry's, and every workload's
# parameters and result columns (a real run's header). A table row names a column in backticks,
# or a family with a * (`gil_*`, `server_late_*_us`).
grep '^|' "$src/README.md" | grep -o '`[a-z0-9_*]*`' | tr -d '`' | sort -u >"$tmp/documented"
sed -n 's/^    {"\([a-z0-9_]*\)", COL_.*/\1/p' "$src/lib/io/columns.c" >"$tmp/columns"
[ -s "$tmp/columns" ] || { echo "FAIL: no column found in lib/io/columns.c"; exit 1; }
bin="$build/tvp-bench"
if [ -x "$bin" ] && "$bin" --tvp_profile=quick --tvp_sched=none --tvp_workloads=noop --tvp_executors=serial \
    --benchmark_min_time=0.001 --tvp_out="$tmp/run" >/dev/null 2>&1; then
    head -1 "$tmp/run/latest.csv" | tr ',' '\n' >>"$tmp/columns"
else
    echo "FAIL: a small tvp-bench run for its header failed"
    fails=$((fails + 1))
fi
for col in $(sort -u "$tmp/columns"); do
    found=0
    while read -r doc; do
        case "$col" in $doc) found=1; break ;; esac
    done <"$tmp/documented"
    if [ $found -eq 1 ]; then
        passes=$((passes + 1))
    else
        echo "FAIL: column '$col' is written but not in README.md's column tables"
        fails=$((fails + 1))
    fi
done
echo "$passes passed, $fails failed"
[ $fails -eq 0 ]
