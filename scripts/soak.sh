#!/usr/bin/env bash
# The soak of issue 7: `diffuscope gui --soak SECONDS` in a real window under Xvfb (llvmpipe):
# random interaction from a seeded RNG (extreme slider values, scenes, resizes, training, dropped
# files, views, playback). Passes when the app neither crashes nor hangs, resident memory grows
# under 10 % after warm-up, and the worker answers every forward job within 10 s.
# Builds nothing. Usage: scripts/soak.sh [SECONDS=600] [BUILD_DIR=build]
#   env: SOAK_SEED (1), SOAK_OUT (BUILD_DIR/soak.json), DIFFUSCOPE_EXE (BUILD_DIR/app/diffuscope)
# Exit code: the app's (non-zero when a bar fails); 124 when it hung past the watchdog.
set -uo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-600}"
build="${2:-build}"
exe="${DIFFUSCOPE_EXE:-$build/app/diffuscope}"
seed="${SOAK_SEED:-1}"
out="${SOAK_OUT:-$build/soak.json}"
[ -x "$exe" ] || { echo "soak: no $exe; build it first (scripts/build.sh)" >&2; exit 2; }
[[ "$seconds" =~ ^[0-9]+$ ]] && [ "$seconds" -ge 10 ] || { echo "soak: SECONDS must be an integer >= 10" >&2; exit 2; }
mkdir -p "$(dirname "$out")"
rm -f "$out"

# A deadlock never ends the session: a watchdog well past its length does (exit 124).
watchdog=$(( seconds * 3 / 2 + 180 ))
run=("$exe" gui --soak "$seconds" --soak-seed "$seed" --soak-out "$out" --size 1280x720)
if [ -z "${DISPLAY:-}" ]; then
  command -v xvfb-run >/dev/null || { echo "soak: no DISPLAY and no xvfb-run" >&2; exit 2; }
  run=(xvfb-run -a -s "-screen 0 1920x1080x24" "${run[@]}")
fi
echo "soak: ${seconds} s, seed ${seed}: ${run[*]}"
start=$(date +%s)
LIBGL_ALWAYS_SOFTWARE=1 timeout --kill-after=20 "$watchdog" "${run[@]}"
rc=$?
echo "soak: exit code $rc after $(( $(date +%s) - start )) s"
if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
  echo "soak: FAIL: still running after ${watchdog} s (hung or deadlocked)"
  exit 124
elif [ "$rc" -ge 128 ]; then
  echo "soak: FAIL: killed by signal $(( rc - 128 )) (crash)"
fi
if [ -f "$out" ]; then
  python3 - "$out" <<'PY' || cat "$out"
import json, sys
r = json.load(open(sys.argv[1]))
ft, rss, w = r["frame_time"], r["rss"], r["worker"]
print(f"soak figures: {r['frames']} frames in {r['seconds']:.0f} s; frame time median {ft['median_ms']:.1f} ms, "
      f"p99 {ft['p99_ms']:.1f} ms, max {ft['max_ms']:.1f} ms")
print(f"  resident memory after {rss['warmup_seconds']:.0f} s warm-up: {rss['baseline_bytes']/2**20:.1f} -> "
      f"{rss['max_bytes']/2**20:.1f} MiB, growth {rss['growth_percent']:.2f} % ({rss['samples']} samples)")
print(f"  worker: {w['forward_jobs_answered']} forward jobs answered, longest wait {w['forward_answer_max_seconds']:.2f} s")
for b in r["bars"]:
    print(f"  {'PASS' if b['pass'] else 'FAIL'} {b['name']}: {b['value']:.3g} (bar {b['limit']:.3g})")
print("soak:", "PASS" if r["pass"] else "FAIL")
PY
else
  echo "soak: FAIL: no report written to $out"
  [ "$rc" -eq 0 ] && rc=1
fi
exit "$rc"
