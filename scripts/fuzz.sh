#!/bin/sh
# Build the libFuzzer targets (tests/fuzz, clang with ASan+UBSan) in their own
# build directory and run each for a bounded time on a scratch copy of its
# seed corpus, so the committed corpus is never written to. Exits non-zero
# when a fuzzer finds a crash, leak, timeout or out-of-memory; what it found
# is kept under $BUILD_DIR/fuzz-artifacts/<fuzzer>/, its log under
# $BUILD_DIR/fuzz-logs/.
#
#   scripts/fuzz.sh [seconds-per-fuzzer]      (default 20)
#
# Environment: BUILD_DIR (build-fuzz), FUZZ_CC (clang; CC is ignored because
# make and CI often set it to gcc), FUZZERS ("filter body answer config"), FUZZ_ARGS (extra
# libFuzzer flags, e.g. "-seed=1"), JOBS (build parallelism).
set -eu

cd "$(dirname "$0")/.."
ROOT=$(pwd)
SECONDS_EACH=${1:-20}
BUILD_DIR=${BUILD_DIR:-build-fuzz}
FUZZERS=${FUZZERS:-"filter body answer config"}
FUZZ_ARGS=${FUZZ_ARGS:-}
JOBS=${JOBS:-$(nproc 2>/dev/null || echo 2)}
MAX_LEN=4096
# A single input slower than this is a hang, not a slow input.
INPUT_TIMEOUT=10

case $SECONDS_EACH in
'' | *[!0-9]*)
    echo "fuzz: the time must be whole seconds, not '$SECONDS_EACH'" >&2
    exit 2
    ;;
esac

SCRATCH=$(mktemp -d "${TMPDIR:-/tmp}/erpsync-fuzz.XXXXXX")
trap 'rm -rf "$SCRATCH"' EXIT INT TERM

# Warnings do not fail this build: gcc's -Werror build guards them, and a
# clang-only warning must not stop the bug hunt.
if ! CC=${FUZZ_CC:-clang} cmake -S . -B "$BUILD_DIR" -DES_FUZZ=ON -DES_WERROR=OFF \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo >"$SCRATCH/configure.log" 2>&1; then
    cat "$SCRATCH/configure.log" >&2
    echo "fuzz: configuring $BUILD_DIR failed" >&2
    exit 2
fi
targets=""
for f in $FUZZERS; do targets="$targets fuzz_$f"; done
# shellcheck disable=SC2086
if ! cmake --build "$BUILD_DIR" -j "$JOBS" --target $targets >"$BUILD_DIR/fuzz-build.log" 2>&1; then
    tail -n 40 "$BUILD_DIR/fuzz-build.log" >&2
    echo "fuzz: building$targets failed (log: $BUILD_DIR/fuzz-build.log)" >&2
    exit 2
fi

export ACUSIM_REFERENCE="${ACUSIM_REFERENCE:-$ROOT/reference/acumatica}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1}"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1}"

# The first match of a pattern in a log, shortened (-a: logs quote binary
# inputs, and grep would otherwise only say "binary file matches").
first_match()
{
    LC_ALL=C grep -a -m1 -o "$1" "$2" | cut -c1-100
}

# What a failed run found, from its log ($1) and exit status ($2).
failure_kind()
{
    if grep -aq "ERROR: libFuzzer: timeout" "$1"; then
        echo "timeout"
    elif grep -aq "ERROR: libFuzzer: out-of-memory" "$1"; then
        echo "out-of-memory"
    elif grep -aq "ERROR: LeakSanitizer" "$1"; then
        echo "leak"
    elif grep -aq "runtime error:" "$1"; then
        echo "crash (UBSan $(first_match 'runtime error: .*' "$1"))"
    elif grep -aq "ERROR: AddressSanitizer" "$1"; then
        echo "crash ($(first_match 'AddressSanitizer: [a-z-]*' "$1"))"
    elif grep -aq "^fuzz: " "$1"; then
        echo "broken invariant ($(first_match '^fuzz: .*' "$1"))"
    elif grep -aq "deadly signal" "$1"; then
        echo "crash (signal)"
    else
        echo "exit status $2"
    fi
}

# The last value libFuzzer printed for a stat (stat::name: N).
stat_of()
{
    sed -n "s/^stat::$2: *//p" "$1" | tail -n 1
}

# Run one fuzzer; print its summary line; return non-zero when it found something.
run_one()
{
    name=$1
    bin="$BUILD_DIR/tests/fuzz/fuzz_$name"
    corpus="$SCRATCH/$name"
    artifacts="$BUILD_DIR/fuzz-artifacts/$name"
    log="$BUILD_DIR/fuzz-logs/$name.log"
    mkdir -p "$corpus" "$artifacts" "$(dirname "$log")"
    cp -R "tests/fuzz/corpus/$name/." "$corpus/"
    seeds=$(find "$corpus" -type f | wc -l)
    dict=""
    [ -f "tests/fuzz/$name.dict" ] && dict="-dict=tests/fuzz/$name.dict"
    # A hard limit too, should the fuzzer wedge before its own clock starts.
    status=0
    # shellcheck disable=SC2086
    timeout -k 10 $((SECONDS_EACH + 120)) "$bin" -max_total_time="$SECONDS_EACH" \
        -max_len=$MAX_LEN -timeout=$INPUT_TIMEOUT -print_final_stats=1 \
        -artifact_prefix="$artifacts/" $dict $FUZZ_ARGS "$corpus" >"$log" 2>&1 || status=$?
    runs=$(stat_of "$log" number_of_executed_units)
    # After a crash there are no final stats: take the last progress line.
    [ -n "$runs" ] || runs=$(sed -n 's/^#\([0-9]*\)[[:space:]].*/\1/p' "$log" | tail -n 1)
    cov=$(grep -a -o 'cov: [0-9]*' "$log" | tail -n 1 | cut -d' ' -f2)
    inputs=$(find "$corpus" -type f | wc -l)
    if [ "$status" -eq 0 ]; then
        printf 'fuzz_%s: ok, %s runs in %ss, coverage %s, corpus %s -> %s inputs\n' \
            "$name" "${runs:-?}" "$SECONDS_EACH" "${cov:-?}" "$seeds" "$inputs"
        return 0
    fi
    artifact=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -n 1)
    printf 'fuzz_%s: FAILED, %s after %s runs; input: %s; log: %s\n' "$name" \
        "$(failure_kind "$log" "$status")" "${runs:-?}" "${artifact:-none saved}" "$log"
    return 1
}

failed=0
for f in $FUZZERS; do
    run_one "$f" || failed=1
done
exit $failed
