#!/usr/bin/env bash
# The benchmark of issue 7: `diffuscope gui --bench` in a real window under Xvfb (llvmpipe): a
# scripted ~40 s session (drag β_T, switch families, toggle compare with the worker idle, then while
# training, then the reverse view playing). Prints frame time median / p95 / p99 / max idle and busy,
# frames from a slider change to the curves and to the points, worker throughput, PASS/FAIL per bar.
# Then the baseline of issue 16 (bench/imgui_demo_baseline: a plain Dear ImGui window showing ImGui's
# demo window, vsync off) at the same size under the same display, and the ratio of the app's still
# frame-time median (frame_time.still.median_ms: frames forced while nothing changes, the default
# forward view paused) to the baseline's median (bar <= 1.5).
# Builds nothing. Usage: scripts/bench.sh [BUILD_DIR=build]
#   env: BENCH_OUT (BUILD_DIR/bench.json), BENCH_SIZE (1600x900), DIFFUSCOPE_EXE (BUILD_DIR/app/diffuscope),
#        BASELINE_EXE (BUILD_DIR/bench/imgui_demo_baseline), BASELINE_SECONDS (10)
set -uo pipefail
cd "$(dirname "$0")/.."
build="${1:-build}"
exe="${DIFFUSCOPE_EXE:-$build/app/diffuscope}"
out="${BENCH_OUT:-$build/bench.json}"
size="${BENCH_SIZE:-1600x900}"
baseline_exe="${BASELINE_EXE:-$build/bench/imgui_demo_baseline}"
baseline_seconds="${BASELINE_SECONDS:-10}"
max_baseline_ratio=1.5
[ -x "$exe" ] || { echo "bench: no $exe; build it first (scripts/build.sh)" >&2; exit 2; }
mkdir -p "$(dirname "$out")"
# Both programs run the same way: a real window, under Xvfb when there is no display.
display=()
if [ -z "${DISPLAY:-}" ]; then
  command -v xvfb-run >/dev/null || { echo "bench: no DISPLAY and no xvfb-run" >&2; exit 2; }
  display=(xvfb-run -a -s "-screen 0 1920x1080x24")
fi
rm -f "$out"
run=(${display[@]+"${display[@]}"} "$exe" gui --bench --bench-out "$out" --size "$size")
echo "bench: ${run[*]}"
LIBGL_ALWAYS_SOFTWARE=1 timeout --kill-after=20 300 "${run[@]}"
rc=$?
[ -f "$out" ] && echo "bench: report in $out"
[ "$rc" -eq 124 ] && echo "bench: FAIL: still running after 300 s"

# The app's still frame-time median from the JSON report (jq, else python3).
json_number() {  # FILE JQ_PATH
  if command -v jq >/dev/null; then
    jq -er "$2 // empty" "$1" 2>/dev/null
  else
    python3 - "$1" "$2" <<'PY' 2>/dev/null
import json, sys
v = json.load(open(sys.argv[1]))
for k in sys.argv[2].lstrip('.').split('.'):
    v = v[k]
print(v)
PY
  fi
}
app_median=""
[ -f "$out" ] && app_median="$(json_number "$out" .frame_time.still.median_ms)"
[ -n "$app_median" ] && app_median="$(awk -v a="$app_median" 'BEGIN{printf "%.3f", a}')"

baseline_median=""
if [ -x "$baseline_exe" ]; then
  base=(${display[@]+"${display[@]}"} "$baseline_exe" --size "$size" --seconds "$baseline_seconds")
  echo "bench: ${base[*]}"
  line="$(LIBGL_ALWAYS_SOFTWARE=1 timeout --kill-after=20 $((baseline_seconds + 60)) "${base[@]}" \
          | grep '^imgui_demo_baseline:')"
  echo "  $line"
  baseline_median="$(sed -n 's/.* median_ms=\([0-9.]*\).*/\1/p' <<<"$line")"
else
  echo "bench: no $baseline_exe; build the target imgui_demo_baseline" >&2
fi

echo "bench: still frame time vs a plain Dear ImGui demo window at $size (issue 16)"
if [ -n "$app_median" ] && [ -n "$baseline_median" ] && awk -v b="$baseline_median" 'BEGIN{exit !(b > 0)}'; then
  ratio="$(awk -v a="$app_median" -v b="$baseline_median" 'BEGIN{printf "%.3f", a / b}')"
  verdict="$(awk -v r="$ratio" -v m="$max_baseline_ratio" 'BEGIN{print (r <= m) ? "PASS" : "FAIL"}')"
else
  ratio="n/a"; verdict="FAIL"  # nothing measured is not a pass
fi
echo "  app still median ${app_median:-n/a} ms, baseline median ${baseline_median:-n/a} ms"
echo "  $verdict still median / baseline median: $ratio (bar $max_baseline_ratio)"
echo "bench: baseline_ratio app_still_median_ms=${app_median:-nan} baseline_median_ms=${baseline_median:-nan}" \
     "ratio=$ratio bar=$max_baseline_ratio $verdict"
[ "$rc" -eq 0 ] && [ "$verdict" = FAIL ] && rc=1
exit "$rc"
