#!/bin/sh
# test_report_html.sh: plots/index.html from a small real tvp-bench run parses, carries no nan/inf (nor its data files,
# even from a CSV full of them), and loads in headless Chromium offline: every <img> must load.
# usage: sh tests/test_report_html.sh BUILD_DIR SOURCE_DIR   (exit 77 = skipped: no chromium or gnuplot)
#
# index.html carries a small inline script that, once the page has loaded, writes the number of
# images and of images that loaded (naturalWidth > 0) into data attributes of <body>; Chromium's
# --dump-dom prints the DOM after that, and the test reads the two numbers back.
set -u
build=$1 src=$2
bin=$build/tvp-report
bench=$build/tvp-bench
chromium=${CHROMIUM:-/usr/bin/chromium}

if ! command -v gnuplot >/dev/null 2>&1; then
    echo "SKIP: gnuplot not installed (scripts/deps.sh installs gnuplot-nox)"
    exit 77
fi
for b in "$bin" "$bench"; do
    if [ ! -x "$b" ]; then
        echo "FAIL: $b not built" >&2
        exit 1
    fi
done
tmp=$(mktemp -d "${TMPDIR:-/tmp}/tvp-test-html.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM

# Static checks of a report (no browser needed): the page parses as HTML (xmllint, when present),
# and neither it nor any data file gnuplot read carries nan or inf.
check_static() {
    if command -v xmllint >/dev/null 2>&1; then
        if ! xmllint --html --noout --nonet "$1/index.html" 2>"$tmp/html.err"; then
            echo "FAIL: $2: index.html does not parse: $(head -3 "$tmp/html.err")" >&2
            exit 1
        fi
    fi
    if grep -rEiwn 'nan|inf|infinity' "$1/index.html" "$1/data" >"$tmp/nan.txt"; then
        echo "FAIL: $2: nan/inf text in the report: $(head -3 "$tmp/nan.txt")" >&2
        exit 1
    fi
    grep -q '</html>' "$1/index.html" || { echo "FAIL: $2: index.html is cut short" >&2; exit 1; }
}

# Prints "loaded total" for a page, read from the <body> attributes in Chromium's DOM dump.
load_counts() {
    profile=$(mktemp -d "$tmp/profile.XXXXXX")
    # No network: every host name resolves to nothing; no background fetches, no updates.
    timeout 120 "$chromium" --headless --no-sandbox --disable-gpu --disable-dev-shm-usage \
        --disable-background-networking --disable-component-update --disable-sync --no-first-run \
        --disable-default-apps --disable-extensions --host-resolver-rules='MAP * ~NOTFOUND' \
        --user-data-dir="$profile" --virtual-time-budget=15000 --dump-dom "file://$1" \
        >"$tmp/dom.html" 2>"$tmp/chromium.err"
    body=$(grep -o '<body[^>]*>' "$tmp/dom.html" | head -1)
    loaded=$(printf '%s' "$body" | sed -n 's/.*data-images-loaded="\([0-9]*\)".*/\1/p')
    total=$(printf '%s' "$body" | sed -n 's/.*data-images-total="\([0-9]*\)".*/\1/p')
    echo "${loaded:-none} ${total:-none}"
}

# A small real run with rows for all 8 charts (the GIL at two switch intervals for the GIL and
# convoy charts, 1 and 2 workers for the speedup and memory lines, the spawn microbenchmark).
if ! "$bench" --tvp_profile=quick --tvp_workloads=sleep,hash,convoy,noop --tvp_workers=1,2 --tvp_tasks=4 \
    --tvp_switch_us=1000,5000 --tvp_probes=10 --tvp_sched=spawn --benchmark_min_time=0.01 \
    --tvp_out="$tmp/run" >"$tmp/run.log" 2>&1; then
    tail -20 "$tmp/run.log" >&2
    echo "FAIL: tvp-bench (the real run the report is drawn from) failed" >&2
    exit 1
fi
real=$tmp/run/latest.csv
out=$tmp/plots
if ! "$bin" --out="$out" --scripts="$src/scripts/gnuplot" "$real" >"$tmp/report.log" 2>&1; then
    cat "$tmp/report.log" >&2
    echo "FAIL: tvp-report on the real run failed" >&2
    exit 1
fi
check_static "$out" "the real run"
# Honesty on the page: the calibration line (what the machine gave of the usable CPUs, the load)
# and the noise paragraph (the run's CVs), before the charts.
grep -q '<p class="calib[^"]*"><b>Calibration</b> (run [^)]*): the machine gave <b>[0-9.]* of [0-9]*</b> usable CPUs' \
    "$out/index.html" || { echo "FAIL: the page lacks the calibration line" >&2; exit 1; }
grep -q 'other processes kept [0-9.]* CPUs busy (load average [0-9.]*)' "$out/index.html" ||
    { echo "FAIL: the calibration line lacks the background load" >&2; exit 1; }
grep -q '<p class="noise' "$out/index.html" || { echo "FAIL: the page lacks the noise paragraph" >&2; exit 1; }
n_calib=$(grep -n 'class="calib' "$out/index.html" | head -1 | cut -d: -f1)
n_fig=$(grep -n '<figure>' "$out/index.html" | head -1 | cut -d: -f1)
[ "${n_calib:-0}" -gt 0 ] && [ "$n_calib" -lt "${n_fig:-0}" ] ||
    { echo "FAIL: the calibration line is not above the charts" >&2; exit 1; }

# The same run with inf, nan and negative measurements in it (on every third ok row, each kind):
# skipped with warnings, the page still parses and shows no nan or inf.
awk -F, -v OFS=, '
    NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; print; next }
    $col["status"] == "ok" && NR % 3 == 0 { $col["speedup"] = "inf"; $col["lat_p99_us"] = "-1" }
    $col["status"] == "ok" && NR % 3 == 1 { $col["wall_s"] = "nan"; $col["tasks_per_s"] = "-" $col["tasks_per_s"] }
    $col["status"] == "ok" && NR % 3 == 2 { $col["cpu_util"] = "-inf"; $col["rss_kib"] = "1e400" }
    { print }' "$real" >"$tmp/weird.csv"
cp "$tmp/run/latest.meta.json" "$tmp/weird.meta.json"
if ! "$bin" --out="$tmp/weird" --scripts="$src/scripts/gnuplot" "$tmp/weird.csv" >"$tmp/weird.log" 2>&1; then
    cat "$tmp/weird.log" >&2
    echo "FAIL: tvp-report on a CSV with inf/nan/negative values failed" >&2
    exit 1
fi
if [ "$(grep -c 'warning: .* such value' "$tmp/weird.log")" -ne 6 ]; then
    echo "FAIL: expected 6 warnings (one per column with bad values), got: $(cat "$tmp/weird.log")" >&2
    exit 1
fi
if grep -v '^tvp-report: ' "$tmp/weird.log" | grep -q .; then
    echo "FAIL: gnuplot complained about the data: $(grep -v '^tvp-report: ' "$tmp/weird.log" | head -3)" >&2
    exit 1
fi
check_static "$tmp/weird" "weird.csv"

if [ ! -x "$chromium" ]; then
    echo "SKIP: chromium not installed (apt-get install chromium); the static checks passed"
    exit 77
fi
charts=$(grep -c '<img ' "$out/index.html")
set -- $(load_counts "$out/index.html")
if [ "$1" = none ] || [ "$2" = none ]; then
    echo "FAIL: the page did not report its images (did Chromium run the inline script?)" >&2
    tail -5 "$tmp/chromium.err" >&2
    exit 1
fi
if [ "$2" -ne 8 ] || [ "$charts" -ne 8 ]; then
    echo "FAIL: expected 8 charts on the page, the DOM has $2 images ($charts <img> in the file)" >&2
    exit 1
fi
if [ "$1" -ne "$2" ]; then
    echo "FAIL: only $1 of $2 images loaded" >&2
    exit 1
fi

# The check can fail: a missing PNG must show up as an image that did not load.
rm "$out/memory.png"
set -- $(load_counts "$out/index.html")
if [ "$1" != 7 ] || [ "$2" != 8 ]; then
    echo "FAIL: with memory.png removed the page reported $1 of $2 images loaded, expected 7 of 8" >&2
    exit 1
fi
echo "test_report_html: ok (a real run's report parses, no nan/inf even from a CSV full of them; 8 of 8 images loaded in headless" \
    "Chromium, offline; a missing one is noticed)"
exit 0
