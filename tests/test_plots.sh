#!/bin/sh
# test_plots.sh: tvp-report + scripts/gnuplot draw every chart from a small real tvp-bench run (each chart's data non-empty); skips, overlays, bad input.
# usage: sh tests/test_plots.sh BUILD_DIR SOURCE_DIR   (exit 77 = skipped: no gnuplot)
#
# The charts are checked on what tvp-bench really writes, so a chart cannot pass on a column no
# workload fills. The hand-written fixture (tests/data/plots/sample.csv) is kept for what a real
# run cannot produce (a failure detail with markup, values that are not finite or negative, a
# quoted multi-line field, 8 workers on a known machine), and every column of its header must be
# one a real run writes.
set -u
build=$1 src=$2
bin=$build/tvp-report
bench=$build/tvp-bench
fixture=$src/tests/data/plots/sample.csv
charts="speedup throughput latency convoy cpu memory costs gil"

if [ ! -x "$bin" ]; then
    echo "FAIL: $bin not built" >&2
    exit 1
fi
if [ ! -x "$bench" ]; then
    echo "FAIL: $bench not built (the charts are tested on a real run of it)" >&2
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

# 0. A small real run with rows for every chart: speedup and memory over 1 and 2 workers, bars,
#    latency and CPU at 2, the GIL at two switch intervals, the convoy (GIL on at both intervals,
#    off, and legacy: the legacy rows of the other workloads filtered out to save time), pool and
#    per-task pairs for the spawn cost, the spawn microbenchmark, 3 repetitions for the medians.
"$bench" --tvp_profile=quick --tvp_workloads=sleep,hash,convoy,noop --tvp_workers=1,2 --tvp_tasks=4 \
    --tvp_gil=off,on,legacy --tvp_switch_us=1000,5000 --tvp_probes=10 --tvp_sched=spawn \
    --benchmark_filter='-^(hash|sleep|noop)/.*/gil:legacy/' --benchmark_min_time=0.01 \
    --benchmark_repetitions=3 --tvp_out="$tmp/run" >"$tmp/run.log" 2>&1 || {
    tail -20 "$tmp/run.log" >&2
    echo "FAIL: tvp-bench (the real run the charts are drawn from) failed" >&2
    exit 1
}
real=$tmp/run/latest.csv
real_meta=$tmp/run/latest.meta.json
real_id=$(awk -F, 'NR == 2 { print $1; exit }' "$real")
real_cpu=$(sed -n 's/^ *"cpu_model": "\(.*\)",*$/\1/p' "$real_meta" | head -1)
[ -n "$real_id" ] && [ -n "$real_cpu" ] || fail "the real run has no run id or no CPU model: '$real_id' '$real_cpu'"
for w in convoy hash noop sleep sched_spawn; do
    grep -q ",$w," "$real" || fail "the real run has no $w rows"
done

# The fixture holds no column a real run does not write (a chart could pass on it alone).
real_header=$(head -1 "$real")
for col in $(head -1 "$fixture" | tr ',' ' '); do
    case ",$real_header," in
    *",$col,"*) ;;
    *) fail "the fixture's column '$col' is not one tvp-bench writes: $real_header" ;;
    esac
done

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

# The data rows of one series of a panel's data file (its "# series N: LABEL" block) that have a
# number in columns 2 to COLS: series_rows DAT LABEL COLS
series_rows() {
    awk -F'\t' -v want="$2" -v cols="$3" '
        /^# series [0-9]+: / { sub(/^# series [0-9]+: /, ""); on = ($0 == want); next }
        /^#/ || NF == 0 { next }
        on { ok = 1; for (i = 2; i <= cols; i++) if ($i !~ /^[0-9][0-9.e+-]*$/) ok = 0; n += ok }
        END { print n + 0 }' "$1"
}

# 1. Every chart from the real run, through scripts/plots.sh (the `make plots` entry point); every
#    chart has data in every panel's data file.
out=$tmp/all
if ! TVP_REPORT=$bin sh "$src/scripts/plots.sh" "$real" "$out" >"$tmp/all.log" 2>&1; then
    cat "$tmp/all.log" >&2
    fail "plots.sh on the real run failed"
fi
for c in $charts; do
    check_png "$out/$c.png"
    check_svg "$out/$c.svg"
    grep -q "src=\"$c.png\"" "$out/index.html" || fail "index.html does not show $c.png"
    grep -q "href=\"$c.svg\"" "$out/index.html" || fail "index.html does not link $c.svg"
    n=0
    for d in "$out/data/$c".p*.dat; do
        [ -f "$d" ] || continue
        n=$((n + 1))
        awk -F'\t' '!/^#/ && $2 ~ /^[0-9]/ { found = 1 } END { exit !found }' "$d" ||
            fail "$c: ${d##*/} has no data rows: $(head -5 "$d")"
    done
    [ $n -gt 0 ] || fail "$c: no data files from the real run"
done
grep -q 'Not drawn' "$out/index.html" && fail "a chart was not drawn from the real run: $(grep -o 'Not drawn[^<]*' "$out/index.html")"
[ -f "$out/index.html" ] || fail "no index.html"
if command -v xmllint >/dev/null 2>&1; then
    xmllint --html --noout --nonet "$out/index.html" 2>"$tmp/html.err" || fail "index.html does not parse: $(head -3 "$tmp/html.err")"
fi
grep -qF "$real_cpu" "$out/index.html" || fail "index.html lacks the CPU model from the run's meta ($real_cpu)"
# The findings: a sentence per workload (hash's verdict depends on how busy the machine is, the
# fixture checks it below), sleep always waits, the GIL's speedup, noop's dispatch rate.
grep -Eq '<li><b>((CPU|wait)-bound )?hash</b> \(bytes=[^)]*\), 2 workers: .* The serial run keeps [0-9.]+ CPU busy' \
    "$out/index.html" || fail "index.html lacks the hash finding"
grep -q '<li><b>wait-bound sleep</b>' "$out/index.html" || fail "index.html lacks the wait-bound verdict (sleep)"
grep -q 'threads under the GIL <b>' "$out/index.html" || fail "index.html lacks the GIL finding"
grep -q 'Dispatch rate' "$out/index.html" || fail "index.html lacks the noop dispatch rate"
grep -Eiq '(src|href)="(https?:)?//' "$out/index.html" && fail "index.html references the network"
grep -q 'data-images-loaded' "$out/index.html" || fail "index.html lacks the image-load marker script"

# The convoy chart draws the columns convoy writes: the hogs as threads and as processes (the
# executor) with the GIL on at both switch intervals (p99 and p50), the gil=off rows as no-GIL
# references and the legacy rows as references with their ticks; the finding names both.
cdat=$out/data/convoy.p1.dat
grep -q '^# convoy panel 1: convoy: hogs=1 probes=10 probe_us=1000 hog_slice=1000$' "$cdat" ||
    fail "the convoy panel is not titled by convoy's parameters: $(head -1 "$cdat")"
for s in 'threads +GIL' 'processes +GIL' 'threads per-task +GIL' 'processes per-task +GIL'; do
    [ "$(series_rows "$cdat" "$s" 3)" -eq 2 ] || fail "convoy: series '$s' lacks its two switch intervals: $(cat "$cdat")"
done
for s in 'threads, no GIL (p99)' 'processes, no GIL (p99)' 'threads +GIL:legacy 100 ticks (p99)' \
    'processes +GIL:legacy 100 ticks (p99)'; do
    [ "$(series_rows "$cdat" "$s" 2)" -eq 2 ] || fail "convoy: reference '$s' missing: $(cat "$cdat")"
done
grep -q 'legacy, no GIL' "$cdat" && fail "convoy: legacy-GIL rows labelled as without the GIL"
grep -q '<li><b>Convoy</b> (hogs=1 probes=10 probe_us=1000 hog_slice=1000): probe p99 latency with the hogs as threads: <b>[^<]*</b> at a 5 ms switch interval, <b>[^<]*</b> at 1 ms; the hogs as processes: ' \
    "$out/index.html" || fail "index.html lacks the convoy finding: $(grep -o '<li><b>Convoy.*' "$out/index.html")"

# 1b. What a real run cannot produce, or not on every machine, from the fixture: a failure detail
#     with markup in it, the machine of its meta, a serial run that keeps its CPU busy.
"$bin" --out="$tmp/fx" --no-render "$fixture" >/dev/null 2>"$tmp/fx.err" || fail "tvp-report on the fixture failed: $(cat "$tmp/fx.err")"
grep -q 'AMD EPYC' "$tmp/fx/index.html" || fail "index.html lacks the CPU model from sample.meta.json"
grep -q '<li><b>CPU-bound hash</b>' "$tmp/fx/index.html" || fail "index.html lacks the CPU-bound verdict"
grep -q '&lt;SIGKILL&gt; &amp; respawned &quot;twice&quot;' "$tmp/fx/index.html" ||
    fail "index.html does not escape the failure detail from the CSV"
grep -q '<SIGKILL>' "$tmp/fx/index.html" && fail "index.html carries raw markup from the CSV"
grep -q 'the hogs as threads: <b>5.37 ms</b> at a 5 ms switch interval, <b>225 µs</b> at 100 µs; the hogs as processes' \
    "$tmp/fx/index.html" || fail "the fixture's convoy finding: $(grep -o '<li><b>Convoy.*' "$tmp/fx/index.html")"

# 1b. The one-x rule: a line panel (speedup, memory, convoy, gil) whose points share one x value is
#     drawn as bars (P_ONEX = 1); every panel drawn as lines has two x values or more. With one
#     switch interval the convoy and GIL panels are bars.
distinct_x() {
    awk -F'\t' '/^#/ || NF == 0 { next } $1 ~ /^[0-9]/ { x[$1] = 1 } END { n = 0; for (k in x) n++; print n }' "$1"
}
check_onex() { # DIR
    for g in "$1"/data/speedup.p*.gp "$1"/data/memory.p*.gp "$1"/data/convoy.p*.gp "$1"/data/gil.p*.gp; do
        [ -f "$g" ] || continue
        d=${g%.gp}.dat
        one=$(sed -n 's/^P_ONEX = //p' "$g")
        nx=$(distinct_x "$d")
        case "$one" in
        1) [ "$nx" -eq 1 ] || fail "${g##*/}: drawn as bars (P_ONEX = 1) with $nx x values" ;;
        0) [ "$nx" -ge 2 ] || fail "${g##*/}: a line panel with $nx x value(s): $(head -3 "$d")" ;;
        *) fail "${g##*/}: no P_ONEX (the one-x rule): $(head -3 "$g")" ;;
        esac
    done
}
check_onex "$out"
onesw=$tmp/onesw.csv
grep -v 'switch_us:1000' "$real" >"$onesw"
cp "$real_meta" "$tmp/onesw.meta.json"
"$bin" --out="$tmp/onesw" --scripts="$src/scripts/gnuplot" "$onesw" >"$tmp/onesw.log" 2>&1 ||
    fail "tvp-report with one switch interval failed: $(tail -3 "$tmp/onesw.log")"
check_onex "$tmp/onesw"
grep -q '^P_ONEX = 1$' "$tmp/onesw/data/convoy.p1.gp" || fail "convoy at one switch interval is not drawn as bars"
grep -q '^P_ONEX = 1$' "$tmp/onesw/data/gil.p1.gp" || fail "gil at one switch interval is not drawn as bars"
check_png "$tmp/onesw/convoy.png"
check_png "$tmp/onesw/gil.png"
# Legends stay short (at most 12 entries) and cpu.png's groups are named by their workload alone.
for v in "$out"/data/*.vars.gp; do
    k=$(sed -n 's/^K_N = //p' "$v")
    [ "${k:-0}" -le 12 ] || fail "${v##*/}: a legend of $k entries"
done
grep -q 'count=\|bytes=' "$out/data/cpu.p1.dat" && fail "cpu.png: group labels carry the parameters: $(tail -5 "$out/data/cpu.p1.dat")"

# 2. Without convoy rows chart 3b is skipped with a note, not drawn empty.
noconvoy=$tmp/noconvoy.csv
grep -v ',convoy,' "$real" >"$noconvoy"
cp "$real_meta" "$tmp/noconvoy.meta.json"
"$bin" --out="$tmp/nc" --scripts="$src/scripts/gnuplot" "$noconvoy" >"$tmp/nc.log" 2>&1 || fail "tvp-report without convoy rows failed"
[ -e "$tmp/nc/convoy.png" ] && fail "convoy.png drawn without convoy rows"
[ -e "$tmp/nc/convoy.svg" ] && fail "convoy.svg drawn without convoy rows"
grep -q 'skipping convoy chart' "$tmp/nc.log" || fail "no skip note for the convoy chart on stderr"
grep -q 'Not drawn: no convoy workload rows' "$tmp/nc/index.html" || fail "index.html lacks the convoy skip note"
check_png "$tmp/nc/speedup.png"

# 3. Two runs overlaid: both run ids reach the legends.
other_id=20991231T000000Z-box2
sed "s/$real_id/$other_id/g" "$real" >"$tmp/b.csv"
sed "s/\"host\": \"[^\"]*\"/\"host\": \"box2\"/; s/$real_id/$other_id/; s/\"cpu_model\": \"[^\"]*\"/\"cpu_model\": \"Other CPU of box2\"/" \
    "$real_meta" >"$tmp/b.meta.json"
TVP_REPORT=$bin sh "$src/scripts/plots.sh" "$real,$tmp/b.csv" "$tmp/ov" >"$tmp/ov.log" 2>&1 || {
    cat "$tmp/ov.log" >&2
    fail "overlay of two CSVs failed"
}
for c in speedup throughput convoy; do
    check_png "$tmp/ov/$c.png"
    grep -q "$real_id" "$tmp/ov/data/$c.vars.gp" || fail "$c legend lacks the first run id"
    grep -q "$other_id" "$tmp/ov/data/$c.vars.gp" || fail "$c legend lacks the second run id"
done
grep -q 'Other CPU of box2' "$tmp/ov/index.html" || fail "overlay index.html lacks the second machine"

# 4. Text from the CSV never runs as a command: gnuplot expands `...` even inside strings.
mkdir "$tmp/inj"
sed 's/,sleep,/,sl`touch pwned`eep,/' "$real" >"$tmp/inj/inj.csv"
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

# Sets CSV cells by column name: setcells 'BENCHMARK_PREFIX' REP COL=VALUE... <in >out (rows
# without a quoted comma only, as every ok row of a run and every row of the fixture).
setcells() {
    awk -F, -v OFS=, -v bench="$1" -v rep="$2" -v sets="$3" '
        NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; n = split(sets, kv, " "); print; next }
        index($col["benchmark"], bench) == 1 && $col["repetition"] == rep {
            for (k = 1; k <= n; k++) { split(kv[k], p, "="); $col[p[1]] = p[2] }
        }
        { print }'
}

# No nan or inf anywhere in what gnuplot reads or the page shows; no negative value in a value
# column of a data file (column 1 is an x position and may be negative).
check_clean() {
    if grep -rEiwn 'nan|inf|infinity' "$1/data" "$1/index.html" >"$tmp/nan.txt"; then
        fail "$2: nan/inf text in the output: $(head -3 "$tmp/nan.txt")"
    fi
    for d in "$1"/data/*.dat; do
        awk -F'\t' -v f="$d" '!/^#/ { for (i = 2; i <= NF; i++) if ($i ~ /^-[0-9.]/) { print f ": " $0; exit 1 } }' \
            "$d" >"$tmp/neg.txt" || fail "$2: a negative value in a data file: $(cat "$tmp/neg.txt")"
    done
    if command -v xmllint >/dev/null 2>&1; then
        xmllint --html --noout --nonet "$1/index.html" 2>"$tmp/html.err" || fail "$2: index.html does not parse: $(head -3 "$tmp/html.err")"
    fi
}
check_clean "$out" "the real run"

# 6. Repetitions fold by their median (not the mean); aggregate rows of older files are ignored.
setcells 'hash/serial/pool/' 0 'tasks_per_s=100' <"$real" | setcells 'hash/serial/pool/' 1 'tasks_per_s=200' |
    setcells 'hash/serial/pool/' 2 'tasks_per_s=1000' >"$tmp/med.csv"
cp "$real_meta" "$tmp/med.meta.json"
"$bin" --out="$tmp/med" --no-render "$tmp/med.csv" >/dev/null 2>"$tmp/med.err" || fail "tvp-report on med.csv failed: $(cat "$tmp/med.err")"
# The serial hash bar: the median 200 with whiskers 100..1000 (the mean would be 433).
grep -q "$(printf '\t200\t100\t1000\t')" "$tmp/med/data/throughput.p1.dat" ||
    fail "the serial hash bar is not median 200, whiskers 100..1000: $(grep -v '^#' "$tmp/med/data/throughput.p1.dat" | head -3)"
# The same file as an older run wrote it: aggregate rows with other values change nothing.
{
    cat "$tmp/med.csv"
    for agg in median mean stddev cv; do
        { head -1 "$tmp/med.csv" && grep 'hash/serial/pool/' "$tmp/med.csv" | head -1; } |
            setcells 'hash/serial/pool/' 0 "repetition=$agg tasks_per_s=777 wall_s=9" | tail -n +2
    done
} >"$tmp/old.csv"
cp "$real_meta" "$tmp/old.meta.json"
[ "$(grep -c ',median,ok,' "$tmp/old.csv")" -eq 1 ] || fail "old.csv lacks its median row"
"$bin" --out="$tmp/old" --no-render "$tmp/old.csv" >/dev/null 2>&1 || fail "tvp-report on a CSV with aggregate rows failed"
for d in "$tmp"/med/data/*.dat; do
    cmp -s "$d" "$tmp/old/data/${d##*/}" || fail "aggregate rows changed ${d##*/}"
done

# 7. Values that cannot be charted (inf, nan, negative, text) are skipped with one warning per
#    column naming file:line of the first; a quoted multi-line field before them shifts the lines.
{
    head -1 "$fixture"
    grep ',failed,' "$fixture" | sed 's/"task 3: worker killed/"task 3:\nworker killed/'
    grep -v ',failed,' "$fixture" | tail -n +2
} | setcells 'hash/processes/pool/gil:off/workers:8/' 1 'wall_s=inf tasks_per_s=-1234.5 speedup=-inf' |
    setcells 'hash/processes/pool/gil:off/workers:8/' 2 'tasks_per_s=nan cpu_util=n/a rss_kib=1e999' |
    setcells 'sleep/threads/pool/gil:off/workers:8/' 0 'lat_p50_us=-0.5 lat_p99_us=INF wall_s=-0' >"$tmp/weird.csv"
cp "$src/tests/data/plots/sample.meta.json" "$tmp/weird.meta.json"
line_tps=$(grep -n -- '-1234.5' "$tmp/weird.csv" | cut -d: -f1)
line_p50=$(grep -n -- ',-0.5,' "$tmp/weird.csv" | cut -d: -f1)
[ "$(grep -c 'worker killed' "$tmp/weird.csv")" -eq 1 ] && [ "$line_tps" -gt 3 ] || fail "weird.csv not built as meant"
"$bin" --out="$tmp/weird" --scripts="$src/scripts/gnuplot" "$tmp/weird.csv" >/dev/null 2>"$tmp/weird.err" || {
    cat "$tmp/weird.err" >&2
    fail "tvp-report on a CSV with inf/nan/negative values failed"
}
for colspec in "tasks_per_s:$line_tps:2" "wall_s:$line_tps:1" "speedup:$line_tps:1" "cpu_util:$((line_tps + 1)):1" \
    "rss_kib:$((line_tps + 1)):1" "lat_p50_us:$line_p50:1" "lat_p99_us:$line_p50:1"; do
    c=${colspec%%:*} rest=${colspec#*:}
    l=${rest%%:*} n=${rest#*:}
    [ "$(grep -c "warning: $c '" "$tmp/weird.err")" -eq 1 ] || fail "expected one warning for $c: $(cat "$tmp/weird.err")"
    grep "warning: $c '" "$tmp/weird.err" | grep -q "weird.csv:$l: .* $n such value" ||
        fail "the $c warning lacks weird.csv:$l or the count $n: $(grep "warning: $c '" "$tmp/weird.err")"
done
grep -q "warning: wall_s '-0'" "$tmp/weird.err" && fail "-0 is a valid zero, not a warning"
grep -q 'warning: tasks_per_s .-1234.5' "$tmp/weird.err" || fail "the tasks_per_s warning does not show the value"
check_clean "$tmp/weird" "weird.csv"
grep -rq -- '1234.5' "$tmp/weird/data" && fail "the negative throughput reached a data file"
for c in throughput latency memory speedup; do
    check_png "$tmp/weird/$c.png"
done
grep -v '^tvp-report: ' "$tmp/weird.err" | grep -q . && fail "gnuplot complained about weird.csv: $(grep -v '^tvp-report: ' "$tmp/weird.err" | head -3)"

# 8. A directory instead of a CSV: a clear error, exit 2, nothing written.
mkdir "$tmp/runs"
"$bin" --out="$tmp/dirout" "$tmp/runs/" >/dev/null 2>"$tmp/dir.err"
rc=$?
[ $rc -eq 2 ] || fail "a directory: exit $rc, expected 2"
grep -q "runs/: is a directory; give a CSV file, e.g. $tmp/runs/latest.csv" "$tmp/dir.err" ||
    fail "a directory: unclear message '$(cat "$tmp/dir.err")'"
[ -e "$tmp/dirout" ] && fail "a directory: tvp-report wrote $tmp/dirout anyway"
TVP_REPORT=$bin sh "$src/scripts/plots.sh" "$tmp/runs" "$tmp/dirout" >/dev/null 2>"$tmp/dir.err"
rc=$?
[ $rc -eq 2 ] && grep -q "is a directory; give a CSV file, e.g. $tmp/runs/latest.csv" "$tmp/dir.err" ||
    fail "plots.sh on a directory: exit $rc, '$(cat "$tmp/dir.err")'"

# 9. Paths with a comma: alone (an existing file is one path), and escaped as \, in a list.
mkdir "$tmp/a,b"
cp "$real" "$tmp/a,b/x,y.csv"
cp "$real_meta" "$tmp/a,b/x,y.meta.json"
TVP_REPORT=$bin sh "$src/scripts/plots.sh" "$tmp/a,b/x,y.csv" "$tmp/comma1" >"$tmp/comma.log" 2>&1 ||
    fail "plots.sh on a path with commas failed: $(cat "$tmp/comma.log")"
check_png "$tmp/comma1/speedup.png"
grep -q 'x,y.csv' "$tmp/comma1/index.html" || fail "index.html does not name the CSV with commas"
cp "$tmp/b.csv" "$tmp/a,b/c,d.csv"
cp "$tmp/b.meta.json" "$tmp/a,b/c,d.meta.json"
TVP_REPORT=$bin sh "$src/scripts/plots.sh" "$tmp/a\\,b/x\\,y.csv,$tmp/a\\,b/c\\,d.csv" "$tmp/comma2" >"$tmp/comma.log" 2>&1 ||
    fail "plots.sh on a list of escaped paths failed: $(cat "$tmp/comma.log")"
grep -q "$other_id" "$tmp/comma2/data/speedup.vars.gp" && grep -q "$real_id" "$tmp/comma2/data/speedup.vars.gp" ||
    fail "the escaped list did not overlay both runs"
"$bin" --out="$tmp/comma3" --no-render "$tmp/a\\,b/x\\,y.csv,$tmp/a\\,b/c\\,d.csv" >/dev/null 2>&1 ||
    fail "tvp-report on an escaped list failed"
grep -q 'Other CPU of box2' "$tmp/comma3/index.html" || fail "tvp-report's escaped list lacks the second run"

if [ $failures -ne 0 ]; then
    echo "test_plots: $failures failure(s)" >&2
    exit 1
fi
echo "test_plots: ok (8 charts drawn from a real tvp-bench run, each with data, convoy hogs as threads and" \
    "processes; fixture columns all real; skip note, overlay, bad input, median folding, inf/nan/negative" \
    "skipped, directory, commas in paths)"
exit 0
