#!/usr/bin/env bash
# ThreadSanitizer check of the worker protocol (issue 7, part 4): builds ONLY the torch-free
# worker_protocol_tests (Worker with a fake compute back end, cancellation, fault handling) with
# -fsanitize=thread and runs it repeatedly. LibTorch is configured but never compiled or linked
# into this binary, so its own thread pool stays out of the report.
#   scripts/tsan.sh [repeats]          (default 20; BUILD_DIR overrides build-tsan; CXX picks the compiler)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$root/build-tsan}
repeats=${1:-20}
jobs=${JOBS:-2}
flags="-fsanitize=thread -g -O1 -fno-omit-frame-pointer"

start=$(date +%s)
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_FLAGS="$flags" -DCMAKE_EXE_LINKER_FLAGS="-fsanitize=thread" >"$build.configure.log" 2>&1 ||
  { cat "$build.configure.log"; exit 1; }
cmake --build "$build" --target worker_protocol_tests -j"$jobs"

# halt_on_error: the first race fails the run; second_deadlock_stack: lock-order reports name both sites.
export TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 history_size=4 ${TSAN_OPTIONS:-}"
log="$build/tsan_worker_protocol.log"
set +e
"$build/tests/app/worker_protocol_tests" --gtest_repeat="$repeats" --gtest_brief=1 >"$log" 2>&1
status=$?
set -e
races=$(grep -c "WARNING: ThreadSanitizer" "$log" || true)
tail -n 5 "$log"
echo "tsan.sh: worker_protocol_tests x$repeats under ThreadSanitizer: exit $status, $races ThreadSanitizer warning(s)," \
     "$(( $(date +%s) - start )) s (log: $log)"
exit $status
