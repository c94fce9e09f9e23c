# Thin wrapper over CMake: make, make bench [PROFILE=quick|default|full], make test, make plots, make clean.
PROFILE ?= default
ARGS ?=
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
BUILD := build

.PHONY: all deps configure build bench test plots clean asan tsan validate-gil

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

# CPython's GIL vs tvp's emulation, side by side (needs python3; QUICK=1 for a shorter run).
validate-gil: build
	@if command -v python3 >/dev/null; then python3 scripts/validate-gil.py $(BUILD)/tvp-bench $(if $(QUICK),--quick); \
	else echo "validate-gil: python3 not found: nothing to compare against"; fi

# Sanitizer builds: make asan / make tsan build and run the whole suite under that preset.
asan tsan: deps
	@cmake --preset $@ >/dev/null
	@cmake --build $(BUILD)/$@ -j $(JOBS)
	@ctest --preset $@ -j $(JOBS)

clean:
	@rm -rf $(BUILD)
