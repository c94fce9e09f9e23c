#!/bin/sh
# deps.sh: install the Debian packages tvp builds, tests and plots with, when any is missing.
# Idempotent and fast when nothing is missing. As root it installs directly, otherwise through
# `sudo -n` when that works, otherwise it prints the exact command to run and fails.
# Extra packages may be named on the command line (e.g. `scripts/deps.sh chromium`).
set -eu

PKGS="cmake make pkg-config gcc g++ git libbenchmark-dev libhwloc-dev hwloc libssl-dev \
libcmocka-dev libjansson-dev libcsv-dev gnuplot-nox"
PKGS="$PKGS $*"

missing=""
for p in $PKGS; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
        missing="$missing $p"
    fi
done

if [ -z "$missing" ]; then
    exit 0
fi

echo "deps.sh: installing:$missing" >&2
if [ "$(id -u)" -eq 0 ]; then
    SUDO=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO="sudo -n"
else
    echo "deps.sh: missing packages and no root: run this, then retry:" >&2
    echo "  sudo apt-get update && sudo apt-get install -y --no-install-recommends$missing" >&2
    exit 1
fi

export DEBIAN_FRONTEND=noninteractive
# An install can fail on a stale package list: update first, then install.
$SUDO apt-get update -qq >&2 || echo "deps.sh: apt-get update failed; trying the install anyway" >&2
# shellcheck disable=SC2086
if ! $SUDO apt-get install -y -qq --no-install-recommends $missing >&2; then
    echo "deps.sh: apt-get install failed for:$missing" >&2
    exit 1
fi
