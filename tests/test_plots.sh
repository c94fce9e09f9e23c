#!/bin/sh
# test_plots.sh: tvp-report + scripts/gnuplot render every chart from the committed fixture; skips, overlays, bad input.
# usage: sh tests/test_plots.sh BUILD_DIR SOURCE_DIR   (exit 77 = skipped: no gnuplot)
set -u
build=$1 src=$2
bin=$build/tvp-report
fixture=$src/tests/data/plots/sample.csv
charts="speedup throughput latency convoy cpu memory costs gil"

if [ ! -x "$bin" ]; then
    echo "FAIL: $bin not built" >&2
    exit 1
fi
if ! command -v gnuplot >/dev/null 2>&1; then
    echo "SKIP: gnuplot not installed (scripts/deps.sh installs gnuplot-nox)"
    exit 77
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/tvp-test-plots.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
failures=0
fail() {
    echo "FAIL: $*" >&2
    failures=$((failures + 1))
}

# A PNG: the 8-byte signature and more than 5 KB (a drawn chart, not an empty canvas).
check_png() {
    [ -f "$1" ] || { fail "$1 missing"; return; }
    sig=$(od -An -tx1 -N8 "$1" | tr -d ' \n')
    [ "$sig" = "89504e470d0a1a0a" ] || fail "$1 is not a PNG (signature $sig)"
    size=$(wc -c <"$1")
    [ "$size" -gt 5120 ] || fail "$1 is only $size bytes"
}

# An SVG: well-formed XML with an <svg> root (xmllint when present), and not trivially small.
check_svg() {
    [ -f "$1" ] || { fail "$1 missing"; return; }
    if command -v xmllint >/dev/null 2>&1; then
        xmllint --noout --nonet "$1" 2>"$tmp/xmllint.err" || fail "$1 is not well-formed XML: $(head -3 "$tmp/xmllint.err")"
    fi
    grep -q '<svg' "$1" && grep -q '</svg>' "$1" || fail "$1 has no <svg>...</svg>"
    size=$(wc -c <"$1")
    [ "$size" -gt 5120 ] || fail "$1 is only $size bytes"
}

# 1. Every chart from the fixture, through scripts/plots.sh (the `make plots` entry point).
out=$tmp/all
if ! TVP_REPORT=$bin sh "$src/scripts/plots.sh" "$fixture" "$out" >"$tmp/all.log" 2>&1; then
    cat "$tmp/all.log" >&2
    fail "plots.sh on the fixture failed"
fi
for c in $charts; do
    check_png "$out/$c.png"
    check_svg "$out/$c.svg"
    grep -q "src=\"$c.png\"" "$out/index.html" || fail "index.html does not show $c.png"
    grep -q "href=\"$c.svg\"" "$out/index.html" || fail "index.html does not link $c.svg"
done
[ -f "$out/index.html" ] || fail "no index.html"
if command -v xmllint >/dev/null 2>&1; then
    xmllint --html --noout --nonet "$out/index.html" 2>"$tmp/html.err" || fail "index.html does not parse: $(head -3 "$tmp/html.err")"
fi
grep -q 'AMD EPYC' "$out/index.html" || fail "index.html lacks the CPU model from sample.meta.json"
grep -q 'CPU-bound' "$out/index.html" || fail "index.html lacks the CPU-bound verdict"
grep -q 'wait-bound' "$out/index.html" || fail "index.html lacks the wait-bound verdict"
grep -q 'threads under the GIL' "$out/index.html" || fail "index.html lacks the GIL finding"
grep -q 'Dispatch rate' "$out/index.html" || fail "index.html lacks the noop dispatch rate"
grep -q '&lt;SIGKILL&gt; &amp; respawned &quot;twice&quot;' "$out/index.html" ||
    fail "index.html does not escape the failure detail from the CSV"
grep -q '<SIGKILL>' "$out/index.html" && fail "index.html carries raw markup from the CSV"
grep -Eiq '(src|href)="(https?:)?//' "$out/index.html" && fail "index.html references the network"
grep -q 'data-images-loaded' "$out/index.html" || fail "index.html lacks the image-load marker script"

# 2. Without convoy rows chart 3b is skipped with a note, not drawn empty.
noconvoy=$tmp/noconvoy.csv
grep -v ',convoy,' "$fixture" >"$noconvoy"
cp "$src/tests/data/plots/sample.meta.json" "$tmp/noconvoy.meta.json"
"$bin" --out="$tmp/nc" --scripts="$src/scripts/gnuplot" "$noconvoy" >"$tmp/nc.log" 2>&1 || fail "tvp-report without convoy rows failed"
[ -e "$tmp/nc/convoy.png" ] && fail "convoy.png drawn without convoy rows"
[ -e "$tmp/nc/convoy.svg" ] && fail "convoy.svg drawn without convoy rows"
grep -q 'skipping convoy chart' "$tmp/nc.log" || fail "no skip note for the convoy chart on stderr"
grep -q 'Not drawn: no convoy workload rows' "$tmp/nc/index.html" || fail "index.html lacks the convoy skip note"
check_png "$tmp/nc/speedup.png"

# 3. Two runs overlaid: both run ids reach the legends.
sed 's/20261125T115513Z-vm/20261202T080000Z-box2/g' "$fixture" >"$tmp/b.csv"
sed 's/"vm"/"box2"/; s/20261125T115513Z-vm/20261202T080000Z-box2/; s/AMD EPYC/Intel Xeon/' \
    "$src/tests/data/plots/sample.meta.json" >"$tmp/b.meta.json"
TVP_REPORT=$bin sh "$src/scripts/plots.sh" "$fixture,$tmp/b.csv" "$tmp/ov" >"$tmp/ov.log" 2>&1 || {
    cat "$tmp/ov.log" >&2
    fail "overlay of two CSVs failed"
}
for c in speedup throughput; do
    check_png "$tmp/ov/$c.png"
    grep -q '20261125T115513Z-vm' "$tmp/ov/data/$c.vars.gp" || fail "$c legend lacks the first run id"
    grep -q '20261202T080000Z-box2' "$tmp/ov/data/$c.vars.gp" || fail "$c legend lacks the second run id"
done
grep -q 'Intel Xeon' "$tmp/ov/index.html" || fail "overlay index.html lacks the second machine"

# 4. Text from the CSV never runs as a command: gnuplot expands `...` even inside strings.
mkdir "$tmp/inj"
sed 's/,sleep,/,sl`touch pwned`eep,/' "$fixture" >"$tmp/inj/inj.csv"
(cd "$tmp/inj" && "$bin" --out=out --scripts="$src/scripts/gnuplot" inj.csv >/dev/null 2>&1) ||
    fail "tvp-report on a CSV with backquotes failed"
[ -e "$tmp/inj/pwned" ] && fail "a backquoted command from the CSV ran"
grep -q 'sl`touch pwned`eep' "$tmp/inj/out/index.html" || fail "the backquoted workload name is not in index.html"

# 5. Bad input: file:line and exit 2; bad flags: exit 2 naming the flag.
printf 'run_id,workload,executor,workers,repetition,status,wall_s,tasks\nr,hash,serial,1,0,ok,1,32\nr,hash,threads\n' \
    >"$tmp/bad.csv"
"$bin" --out="$tmp/bad" --no-render "$tmp/bad.csv" >/dev/null 2>"$tmp/bad.err"
rc=$?
[ $rc -eq 2 ] || fail "malformed CSV: exit $rc, expected 2"
grep -q "bad.csv:3:" "$tmp/bad.err" || fail "malformed CSV: no file:line in '$(cat "$tmp/bad.err")'"
: >"$tmp/empty.csv"
"$bin" --out="$tmp/bad" --no-render "$tmp/empty.csv" >/dev/null 2>"$tmp/empty.err"
rc=$?
[ $rc -eq 2 ] || fail "empty CSV: exit $rc, expected 2"
grep -q "empty.csv:1:" "$tmp/empty.err" || fail "empty CSV: no file:line in '$(cat "$tmp/empty.err")'"
"$bin" --out="$tmp/bad" --no-render "$tmp/missing.csv" >/dev/null 2>&1
[ $? -eq 2 ] || fail "missing CSV: expected exit 2"
"$bin" --bogus "$fixture" >/dev/null 2>"$tmp/flag.err"
[ $? -eq 2 ] && grep -q -- '--bogus' "$tmp/flag.err" || fail "unknown flag: expected exit 2 naming it"
"$bin" "--out=$tmp/it's" "$fixture" >/dev/null 2>"$tmp/flag.err"
[ $? -eq 2 ] && grep -q -- '--out' "$tmp/flag.err" || fail "--out with a quote: expected exit 2 naming --out"
"$bin" >/dev/null 2>&1
[ $? -eq 2 ] || fail "no CSV: expected exit 2"

if [ $failures -ne 0 ]; then
    echo "test_plots: $failures failure(s)" >&2
    exit 1
fi
echo "test_plots: ok (8 charts rendered and checked, skip note, overlay, bad input)"
exit 0
