# Thin wrapper over CMake: make, make bench [PROFILE=quick|default|full], make test, make plots, make clean.
PROFILE ?= default
ARGS ?=
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
BUILD := build

.PHONY: all deps configure build bench test plots clean asan tsan fuzz valgrind validate-gil regress history trend

all: build

deps:
	@scripts/deps.sh

configure: deps
	@cmake --preset release >/dev/null

build: configure
	@cmake --build $(BUILD) -j $(JOBS)

bench: build
	@scripts/run-bench.sh $(BUILD)/tvp-bench . $(PROFILE) $(ARGS)

test: build
	@ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS)

plots: deps
	@scripts/plots.sh $(or $(CSV),results/latest.csv) plots

# Regression gate: a quick run with repetitions, compared with BASELINE (a tvp CSV); exit 1 when a
# row regressed beyond THRESHOLD percent with p < ALPHA. REPS, THRESHOLD, ALPHA, FILTER adjustable.
REPS ?= 5
THRESHOLD ?= 5
ALPHA ?= 0.05
FILTER ?= .
regress: build
	@test -n "$(BASELINE)" || { echo "usage: make regress BASELINE=path/to/baseline.csv [REPS=5 THRESHOLD=5 ALPHA=0.05 FILTER=regex]"; exit 2; }
	@test -f "$(BASELINE)" || { echo "regress: $(BASELINE) not found"; exit 2; }
	@scripts/run-bench.sh $(BUILD)/tvp-bench . quick --benchmark_repetitions=$(REPS) --benchmark_filter='$(FILTER)' $(ARGS)
	@$(BUILD)/tvp-compare --threshold=$(THRESHOLD) --alpha=$(ALPHA) --filter='$(FILTER)' $(BASELINE) results/latest.csv

# History: keep the latest run, and chart a metric over the kept runs (plots/trend.png).
history:
	@scripts/history.sh add $(or $(CSV),results/latest.csv)
trend: build
	@scripts/history.sh trend plots $(or $(METRIC),wall_s) '$(or $(FILTER),/pool/)'

# CPython's GIL vs tvp's emulation, side by side (needs python3; QUICK=1 for a shorter run).
validate-gil: build
	@if command -v python3 >/dev/null; then python3 scripts/validate-gil.py $(BUILD)/tvp-bench $(if $(QUICK),--quick); \
	else echo "validate-gil: python3 not found: nothing to compare against"; fi

# Sanitizer builds: make asan builds and runs the whole suite under AddressSanitizer + UBSan;
# make tsan under ThreadSanitizer, minus the exclusions in tests/tsan-exclude.txt (with reasons).
asan: deps
	@cmake --preset $@ >/dev/null
	@cmake --build $(BUILD)/$@ -j $(JOBS)
	@ctest --preset $@ -j $(JOBS)
tsan:
	@scripts/tsan.sh

# libFuzzer (clang) over every parser of outside input, FUZZ_SECONDS each (default 60).
fuzz:
	@scripts/fuzz.sh

# valgrind memcheck over the unit tests of a Debug build.
valgrind:
	@scripts/valgrind.sh

clean:
	@rm -rf $(BUILD)
