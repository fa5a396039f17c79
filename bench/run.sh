#!/bin/sh
# Run the benchmarks and print their figures (see docs/performance.md).
#   bench/run.sh [build-dir] [dataset]     (defaults: build, large)
set -eu
cd "$(dirname "$0")/.."
BUILD=${1:-build}
DATASET=${2:-large}
[ -x "$BUILD/bench/acusim_bench" ] || { echo "bench: build first ('make')" >&2; exit 1; }
echo "== acusim serving ($(nproc) cores, $(date -u +%Y-%m-%d))"
"$BUILD/bench/acusim_bench" "$BUILD/acusim" reference/acumatica "$DATASET"
echo
echo "== erpsync pull ($(nproc) cores, $(date -u +%Y-%m-%d))"
"$BUILD/bench/pull_bench" "$BUILD/acusim" "$BUILD/erpsync" reference/acumatica "$DATASET"
echo
echo "== erpsync push ($(nproc) cores, $(date -u +%Y-%m-%d))"
"$BUILD/bench/push_bench" "$BUILD/acusim" "$BUILD/erpsync" reference/acumatica 100
