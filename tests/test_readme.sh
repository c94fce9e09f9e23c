#!/bin/sh
# test_readme.sh: the README's "adding a workload" example is the real, compiled workloads file.
# usage: test_readme.sh BUILD_DIR SOURCE_DIR
set -u
src=$2
marker='<!-- example-workload: '
file=$(sed -n "s|^$marker\(.*\) -->\$|\1|p" "$src/README.md")
[ -n "$file" ] || { echo "FAIL: no example marker in README.md"; exit 1; }
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
awk -v m="$marker" 'index($0, m) == 1 {on = 1; next} on && /^```c$/ {code = 1; next}
    code && /^```$/ {exit} code {print}' "$src/README.md" >"$tmp"
if diff -u "$src/$file" "$tmp"; then
    echo "1 passed, 0 failed"
else
    echo "FAIL: README.md's example differs from $file (update the README)"
    exit 1
fi
