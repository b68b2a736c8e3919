#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz with clang (ASan + UBSan) and runs each for
# SECONDS_PER_TARGET seconds (default 300) from its seed corpus, two targets at a time, then
# prints per target: executions, exec/s, coverage (edges), corpus size and crashes.
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET]
#
# Environment: FUZZ_BUILD_DIR (default build-fuzz), FUZZ_TARGETS (default: all five),
# FUZZ_PARALLEL (default 2), FUZZ_BUILD_JOBS (default 2), CXX (default clang++-14 or clang++),
# FUZZ_MERGE=1 to minimise what the run found back into tests/fuzz/corpus/<target> (-merge=1;
# new inputs over 16 KiB are left out so that the corpora stay small).
# Before fuzzing, every saved crash in tests/fuzz/regressions/<target>/ is replayed: a fixed bug
# that comes back fails the script. The working corpus and any new crash (crash-*, oom-*,
# timeout-*, leak-*) stay under $FUZZ_BUILD_DIR/run/<target>/. Exit code 1 if anything crashed.
set -euo pipefail

SECONDS_PER_TARGET="${1:-300}"
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
FUZZ_DIR="$ROOT/tests/fuzz"
BUILD="${FUZZ_BUILD_DIR:-$ROOT/build-fuzz}"
TARGETS="${FUZZ_TARGETS:-fuzz_scene fuzz_checkpoint fuzz_idx fuzz_image fuzz_cli}"
PARALLEL="${FUZZ_PARALLEL:-2}"
JOBS="${FUZZ_BUILD_JOBS:-2}"
if [[ -z "${CXX:-}" ]]; then
  if command -v clang++-14 >/dev/null; then CXX=clang++-14; else CXX=clang++; fi
fi

echo "== configure and build ($CXX) in $BUILD"
nice cmake -S "$FUZZ_DIR" -B "$BUILD" -DCMAKE_CXX_COMPILER="$CXX" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
# shellcheck disable=SC2086
nice cmake --build "$BUILD" -j"$JOBS" --target $TARGETS make_checkpoint_seeds

# libFuzzer's options, the same for every target. Inputs that take 10 s or 2 GB are bugs too.
COMMON=(-rss_limit_mb=2048 -timeout=10 -print_final_stats=1)
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=0}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"

status=0
echo "== replay tests/fuzz/regressions"
for target in $TARGETS; do
  dir="$FUZZ_DIR/regressions/$target"
  [[ -d "$dir" ]] && [[ -n "$(ls -A "$dir")" ]] || continue
  if "$BUILD/$target" "${COMMON[@]}" "$dir"/* >"$BUILD/replay-$target.log" 2>&1; then
    echo "$target: $(ls "$dir" | wc -l) saved crash input(s) pass"
  else
    echo "$target: a saved crash input FAILS again (see $BUILD/replay-$target.log)"
    status=1
  fi
done

run_target() {
  local target="$1" work="$BUILD/run/$1"
  mkdir -p "$work/corpus" "$work/artifacts"
  local args=("${COMMON[@]}" -max_total_time="$SECONDS_PER_TARGET" -artifact_prefix="$work/artifacts/")
  [[ -f "$FUZZ_DIR/dict/$target.dict" ]] && args+=(-dict="$FUZZ_DIR/dict/$target.dict")
  # New inputs go to the first folder (the working corpus); the seeds are read, never written.
  (cd "$work" && nice "$BUILD/$target" "${args[@]}" corpus "$FUZZ_DIR/corpus/$target" >"$work/fuzz.log" 2>&1) || true
}

echo "== fuzz: ${SECONDS_PER_TARGET} s per target, $PARALLEL at a time"
running=0
for target in $TARGETS; do
  run_target "$target" &
  running=$((running + 1))
  if (( running >= PARALLEL )); then wait -n; running=$((running - 1)); fi
done
wait

echo "== results"
printf '%-16s %12s %9s %8s %8s %9s %8s\n' target executions exec/s "cov" features corpus crashes
for target in $TARGETS; do
  work="$BUILD/run/$target"
  log="$work/fuzz.log"
  execs=$(grep -o 'stat::number_of_executed_units:[[:space:]]*[0-9]*' "$log" | awk '{print $2}' | tail -1)
  speed=$(grep -o 'stat::average_exec_per_sec:[[:space:]]*[0-9]*' "$log" | awk '{print $2}' | tail -1)
  # The last status line ("#N DONE cov: C ft: F corp: K/B ...", or the last before a crash).
  last=$(grep -E '^#[0-9]+' "$log" | tail -1)
  cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
  ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
  corp=$(sed -n 's/.* corp: \([0-9]*\/[0-9A-Za-z]*\).*/\1/p' <<<"$last")
  crashes=$(find "$work/artifacts" -type f \( -name 'crash-*' -o -name 'oom-*' -o -name 'timeout-*' -o -name 'leak-*' \) | wc -l)
  printf '%-16s %12s %9s %8s %8s %9s %8s\n' "$target" "${execs:-?}" "${speed:-?}" "${cov:-?}" "${ft:-?}" "${corp:-?}" "$crashes"
  if (( crashes > 0 )); then
    status=1
    find "$work/artifacts" -type f | sed 's/^/    /'
    grep -m1 -E 'ERROR: (AddressSanitizer|libFuzzer)|runtime error|SUMMARY' "$log" | sed 's/^/    /' || true
  fi
  if [[ "${FUZZ_MERGE:-0}" == 1 ]]; then
    merged="$work/merged"
    rm -rf "$merged" && mkdir -p "$merged"
    nice "$BUILD/$target" -merge=1 "${COMMON[@]}" "$merged" "$FUZZ_DIR/corpus/$target" "$work/corpus" >"$work/merge.log" 2>&1
    # The committed corpora stay small (tests/fuzz/corpus under ~2 MB): new inputs over 16 KiB are
    # dropped; the big seeds already there (the image checkpoints) are kept as they are.
    find "$merged" -type f -size +16k -delete
    find "$FUZZ_DIR/corpus/$target" -type f -size +16k -exec cp {} "$merged"/ \;
    rm -rf "${FUZZ_DIR:?}/corpus/$target" && cp -r "$merged" "$FUZZ_DIR/corpus/$target"
    echo "    merged corpus: $(ls "$FUZZ_DIR/corpus/$target" | wc -l) files, $(du -sh "$FUZZ_DIR/corpus/$target" | cut -f1)"
  fi
done
exit $status
