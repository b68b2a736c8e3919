#!/usr/bin/env bash
# Idle CPU of the lecture window (issue 16, render on demand): starts `diffuscope gui` with the
# default scene under Xvfb, lets it settle, then measures the process's CPU time (all threads:
# utime + stime from /proc/PID/stat) over a window of seconds and prints it against the bar.
#   scripts/idle_cpu.sh [--exe build/app/diffuscope] [--settle 15] [--measure 10] [--bar 3] [-- extra gui flags]
# Exit 0 when the figure is within the bar, 1 when not, 2 when it could not be measured.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
exe="$here/build/app/diffuscope"
settle=15
measure=10
bar=3
extra=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --exe) exe="$2"; shift 2 ;;
    --settle) settle="$2"; shift 2 ;;
    --measure) measure="$2"; shift 2 ;;
    --bar) bar="$2"; shift 2 ;;
    --) shift; extra=("$@"); break ;;
    *) echo "idle_cpu.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
[[ -x "$exe" ]] || { echo "idle_cpu.sh: no executable at $exe (build the diffuscope target)" >&2; exit 2; }
command -v xvfb-run >/dev/null || { echo "idle_cpu.sh: xvfb-run is not installed" >&2; exit 2; }

log="$(mktemp)"
trap 'rm -f "$log"' EXIT
# xvfb-run forks Xvfb and the app; the app's pid is found as xvfb-run's descendant below.
xvfb-run -a -s "-screen 0 1920x1080x24" "$exe" gui "${extra[@]}" >"$log" 2>&1 &
runner=$!
cleanup() {
  [[ -n "${app:-}" ]] && kill "$app" 2>/dev/null || true
  wait "$runner" 2>/dev/null || true
  rm -f "$log"
}
trap cleanup EXIT

app=""
for _ in $(seq 1 100); do
  app="$(pgrep -P "$runner" -f "$(basename "$exe") gui" || true)"
  [[ -z "$app" ]] && for child in $(pgrep -P "$runner" || true); do
    app="$(pgrep -P "$child" -f "$(basename "$exe") gui" || true)"
    [[ -n "$app" ]] && break
  done
  [[ -n "$app" ]] && break
  sleep 0.1
done
[[ -n "$app" ]] || { echo "idle_cpu.sh: the app did not start" >&2; cat "$log" >&2; exit 2; }
app="$(echo "$app" | head -n1)"

sleep "$settle"
ticks() {  # utime + stime of the whole process (all threads), in clock ticks
  awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$app/stat"
}
[[ -r "/proc/$app/stat" ]] || { echo "idle_cpu.sh: the app exited while settling" >&2; cat "$log" >&2; exit 2; }
hz="$(getconf CLK_TCK)"
t0="$(ticks)"; s0="$(date +%s.%N)"
sleep "$measure"
[[ -r "/proc/$app/stat" ]] || { echo "idle_cpu.sh: the app exited while measured" >&2; cat "$log" >&2; exit 2; }
t1="$(ticks)"; s1="$(date +%s.%N)"
percent="$(awk -v a="$t0" -v b="$t1" -v hz="$hz" -v s0="$s0" -v s1="$s1" 'BEGIN { printf "%.1f", 100 * (b - a) / hz / (s1 - s0) }')"
if awk -v p="$percent" -v bar="$bar" 'BEGIN { exit !(p <= bar) }'; then verdict=PASS; code=0; else verdict=FAIL; code=1; fi
echo "idle CPU: $percent % of one core over ${measure} s after ${settle} s settling (bar $bar %): $verdict"
exit "$code"
