#!/bin/sh
# test_verdicts.sh: the verdicts of a small real run: the console block (words that follow the
# intervals, the advice), index.html opening with the same tables and sentences, and the too-few
# case (one repetition: no word, no winner named anywhere).
# usage: sh tests/test_verdicts.sh BUILD_DIR SOURCE_DIR   (exit 77 = skipped: no python3)
#
# The console and the page are both drawn from lib/stats/verdict; this test reads both back and
# requires the same ratio, interval, word and sentence for every cell, and for every cell the rule
# the words promise: "faster" only with the whole interval above 1, "slower" below 1, "no
# significant difference" with 1 inside it.
set -u
build=$1 src=$2
bench=$build/tvp-bench
report=$build/tvp-report
py=python3
[ -x /usr/bin/python3 ] && py=/usr/bin/python3
for b in "$bench" "$report"; do
    if [ ! -x "$b" ]; then
        echo "FAIL: $b not built" >&2
        exit 1
    fi
done
if ! command -v "$py" >/dev/null 2>&1; then
    echo "SKIP: python3 not installed (it reads the console and the page back)"
    exit 77
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/tvp-test-verdicts.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
failures=0
fail() {
    echo "FAIL: $*" >&2
    failures=$((failures + 1))
}

# 1. A small real run: 4 repetitions (one pair of 4 and 4 gives a 95% interval), workers below,
#    at and above 2 CPUs on the 2-vCPU machines this runs on (any machine: the regimes follow its
#    usable CPU count).
if ! "$bench" --tvp_profile=quick --tvp_workloads=sleep,hash --tvp_workers=1,2,4 --benchmark_repetitions=4 \
    --tvp_tasks=8 --benchmark_min_time=0.01 --tvp_out="$tmp/run" >"$tmp/run.log" 2>&1; then
    tail -20 "$tmp/run.log" >&2
    echo "FAIL: tvp-bench (the real run) failed" >&2
    exit 1
fi
grep -q '^verdicts (95% intervals' "$tmp/run.log" || fail "the console has no verdict block"
grep -q '^what to use on this machine' "$tmp/run.log" || fail "the console has no advice"
grep -q 'On this machine, for CPU-bound work like hash' "$tmp/run.log" || fail "no advice for hash"
grep -q 'On this machine, for waiting work like sleep' "$tmp/run.log" || fail "no advice for sleep"
# The block is the end of the summary: after the last workload table, before the calibration.
awk '/^== tvp summary/ { s = NR } /^verdicts \(95%/ { v = NR } /^calibration:/ && s { c = NR }
     END { exit !(s && v > s && (!c || c > v)) }' "$tmp/run.log" || fail "the verdict block is not at the end of the summary"

# 2. The page, from the same CSV (no charts needed).
if ! "$report" --no-render --out="$tmp/page" "$tmp/run/latest.csv" >"$tmp/report.log" 2>&1; then
    cat "$tmp/report.log" >&2
    echo "FAIL: tvp-report failed" >&2
    exit 1
fi

# 3. Console and page, cell by cell.
cat >"$tmp/check.py" <<'EOF'
import html, html.parser, re, sys

log, page, mode = sys.argv[1], sys.argv[2], sys.argv[3]
errors = []

def word_ok(word, lo, hi):
    if word.startswith("faster"):
        return lo is not None and lo > 1
    if word.startswith("slower"):
        return hi is not None and hi < 1
    if word == "no significant difference":
        return lo is not None and lo <= 1 <= hi
    return word.startswith("not enough repetitions for a verdict (") and lo is None

def num(s):
    return None if s in ("-", "") else float(s)

# -- the console: "  <comparison>  <workers> (<regime>)  <ratio>  <lo>-<hi>|-  <word>"
cells_c, advice_c, panel = {}, [], None
text = open(log).read()
block = text[text.index("\nverdicts (95% intervals"):]
lines = block.split("\n")
i = 0
while i < len(lines):
    ln = lines[i]
    if ln.startswith("what to use on this machine"):
        i += 1
        cur = None
        while i < len(lines) and lines[i].startswith("  "):
            if lines[i].startswith("  On this machine"):
                cur = lines[i].strip()
                advice_c.append(cur)
            else:
                advice_c[-1] += " " + lines[i].strip()
            i += 1
        break
    if ln and not ln.startswith(" ") and not ln.startswith("verdicts") and not ln.startswith("configurations") \
            and not ln.startswith('"faster"') and not ln.startswith("a stratified"):
        panel = ln.split("  (the GIL")[0].strip()
        comp = None
    m = re.match(r"^  (.{40}) (\S+) \((below|at|above|all)\)\s+(\S+)\s+(\S+)  (.*)$", ln)
    if m and panel:
        if m.group(1).strip():
            comp = m.group(1).strip()
        ratio, iv, word = m.group(4), m.group(5), m.group(6).strip()
        lo, hi = (None, None) if iv == "-" else map(float, iv.split("-"))
        cells_c[(panel, comp, m.group(3))] = (ratio, iv, word)
        if not word_ok(word, lo, hi):
            errors.append("console: %s / %s / %s: word %r does not follow the interval %s" % (panel, comp, m.group(3), word, iv))
    i += 1

# -- the page
class P(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.h2 = []
        self.panels = []
        self.stack = []
        self.text = None
        self.advice = []
        self.inside = False  # in a <div class="verdict">
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "div" and a.get("class") == "verdict":
            self.inside = True
        if not self.inside and tag != "h2":
            return
        if tag == "h2":
            self.text = ""; self.stack.append("h2")
        elif tag == "div" and a.get("class") == "verdict":
            self.panels.append({"title": "", "head": [], "rows": []})
        elif tag == "h3" and self.panels and not self.panels[-1]["title"]:
            self.text = ""; self.stack.append("h3")
        elif tag == "tr" and self.panels:
            self.panels[-1]["rows"].append([])
        elif tag in ("td", "th") and self.panels and self.panels[-1]["rows"]:
            self.text = ""; self.stack.append(tag)
        elif tag == "br" and self.text is not None:
            self.text += "|"
        elif tag == "p" and a.get("class") == "advice":
            self.text = ""; self.stack.append("p")
    def handle_data(self, d):
        if self.text is not None:
            self.text += d
    def handle_endtag(self, tag):
        if tag == "div":
            self.inside = False
        if not self.stack or self.stack[-1] != tag:
            return
        self.stack.pop()
        t, self.text = self.text, None
        if tag == "h2":
            self.h2.append(t.strip())
        elif tag == "h3":
            self.panels[-1]["title"] = t.strip()
        elif tag in ("td", "th"):
            self.panels[-1]["rows"][-1].append(t.strip())
        elif tag == "p":
            self.advice.append(" ".join(t.split()))

p = P()
p.feed(open(page).read())
if not p.h2 or not p.h2[0].startswith("Verdicts"):
    errors.append("index.html does not open with the verdicts (first h2: %r)" % (p.h2[:1],))
cells_h = {}
for pn in p.panels:
    title = pn["title"].split(" CPU-bound")[0].split(" wait-bound")[0]
    # "hash CPU-bound · bytes=... · the GIL at ..." -> "hash bytes=..."
    parts = [s.strip() for s in pn["title"].split("\u00b7")]
    name = parts[0].split()[0]
    params = [s for s in parts[1:] if not s.startswith("the GIL")]
    panel_name = name + (" " + params[0] if params else "")
    head = pn["rows"][0]
    regimes = [h.split()[0] for h in head[1:]]
    for row in pn["rows"][1:]:
        comp = row[0]
        for g, cell in zip(regimes, row[1:]):
            if cell == "not measured":
                continue
            top, word = cell.split("|", 1)
            bits = top.split()
            ratio = bits[0]
            iv = bits[1].replace("\u2013", "-") if len(bits) > 1 else "-"
            cells_h[(panel_name, comp, g)] = (ratio, iv, word.strip())
            lo, hi = (None, None) if iv == "-" else map(float, iv.split("-"))
            if not word_ok(word.strip(), lo, hi):
                errors.append("page: %s / %s / %s: word %r does not follow the interval %s" % (panel_name, comp, g, word, iv))

if mode == "full":
    if not cells_c:
        errors.append("no verdict rows read from the console")
    if cells_c != cells_h:
        only_c = {k: v for k, v in cells_c.items() if cells_h.get(k) != v}
        only_h = {k: v for k, v in cells_h.items() if cells_c.get(k) != v}
        errors.append("console and page differ: console %r, page %r" % (list(only_c.items())[:3], list(only_h.items())[:3]))
    if advice_c != p.advice:
        errors.append("console and page advice differ:\n  %r\n  %r" % (advice_c, p.advice))
    if not any(w.startswith(("faster", "slower")) for (_, _, w) in cells_c.values()):
        errors.append("no significant verdict at all: pool vs a process per task should be one")
else:  # too few repetitions: no word, no winner
    if not cells_h:
        errors.append("no verdict cells on the page")
    for k, (r, iv, w) in cells_h.items():
        if not w.startswith("not enough repetitions for a verdict (4 needed)"):
            errors.append("with one repetition %s says %r" % (k, w))
    if not p.advice or not all("No recommendation yet: rerun with --benchmark_repetitions=4 or more." in a for a in p.advice):
        errors.append("with one repetition the advice should ask for 4 repetitions: %r" % p.advice)
    if any(re.search(r"\buse (threads|processes|a thread pool|a process pool|either)\b", a) for a in p.advice):
        errors.append("with one repetition the advice names a choice: %r" % p.advice)
for e in errors:
    print(e)
sys.exit(1 if errors else 0)
EOF
"$py" "$tmp/check.py" "$tmp/run.log" "$tmp/page/index.html" full >"$tmp/check.out" 2>&1 || fail "$(cat "$tmp/check.out")"

# 4. One repetition per configuration (the first of each): a 95% interval is impossible, so every
#    cell says how many repetitions are needed, the advice recommends nothing, and the findings
#    name no best.
awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "repetition") c = i; print; next } $c == "0"' \
    "$tmp/run/latest.csv" >"$tmp/one.csv"
cp "$tmp/run/latest.meta.json" "$tmp/one.meta.json"
if ! "$report" --no-render --out="$tmp/one" "$tmp/one.csv" >"$tmp/one.log" 2>&1; then
    cat "$tmp/one.log" >&2
    fail "tvp-report on one repetition failed"
else
    printf '\nverdicts (95%% intervals\nwhat to use on this machine\n' >"$tmp/empty.log"
    "$py" "$tmp/check.py" "$tmp/empty.log" "$tmp/one/index.html" few >"$tmp/check1.out" 2>&1 || fail "$(cat "$tmp/check1.out")"
    if grep -q 'Best: ' "$tmp/one/index.html"; then
        fail "with one repetition the findings still name a best: $(grep -o 'Best: [^<]*' "$tmp/one/index.html" | head -1)"
    fi
    grep -q 'No best named: the largest, .*cannot be told apart from any other executor.s best with these repetitions (95% needs 4 per configuration' \
        "$tmp/one/index.html" || fail "the findings do not say why no best is named"
fi

if [ "$failures" -ne 0 ]; then
    echo "test_verdicts: $failures failure(s)" >&2
    exit 1
fi
echo "test_verdicts: ok (console and page agree cell by cell and sentence by sentence; every word follows its 95%" \
    "interval; one repetition gives no word, no advice and no best)"
exit 0
