#!/usr/bin/env bash
# The benchmark of issue 7: `diffuscope gui --bench` in a real window under Xvfb (llvmpipe): a
# scripted ~40 s session (drag β_T, switch families, toggle compare with the worker idle, then while
# training, then the reverse view playing). Prints frame time median / p95 / p99 / max idle and busy,
# frames from a slider change to the curves and to the points, worker throughput, PASS/FAIL per bar.
# Builds nothing. Usage: scripts/bench.sh [BUILD_DIR=build]
#   env: BENCH_OUT (BUILD_DIR/bench.json), BENCH_SIZE (1600x900), DIFFUSCOPE_EXE (BUILD_DIR/app/diffuscope)
set -uo pipefail
cd "$(dirname "$0")/.."
build="${1:-build}"
exe="${DIFFUSCOPE_EXE:-$build/app/diffuscope}"
out="${BENCH_OUT:-$build/bench.json}"
size="${BENCH_SIZE:-1600x900}"
[ -x "$exe" ] || { echo "bench: no $exe; build it first (scripts/build.sh)" >&2; exit 2; }
mkdir -p "$(dirname "$out")"
run=("$exe" gui --bench --bench-out "$out" --size "$size")
if [ -z "${DISPLAY:-}" ]; then
  command -v xvfb-run >/dev/null || { echo "bench: no DISPLAY and no xvfb-run" >&2; exit 2; }
  run=(xvfb-run -a -s "-screen 0 1920x1080x24" "${run[@]}")
fi
echo "bench: ${run[*]}"
LIBGL_ALWAYS_SOFTWARE=1 timeout --kill-after=20 300 "${run[@]}"
rc=$?
[ -f "$out" ] && echo "bench: report in $out"
[ "$rc" -eq 124 ] && echo "bench: FAIL: still running after 300 s"
exit "$rc"
