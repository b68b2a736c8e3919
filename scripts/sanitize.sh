#!/usr/bin/env bash
# AddressSanitizer + UndefinedBehaviorSanitizer check of the core and renderer tests (issue 7,
# part 4). Configures the project with GCC, -fsanitize=address,undefined (GUI on: the renderer
# needs it), builds ONLY the test executables below (and the `diffuscope` binary cli_tests runs),
# runs each one, and prints per binary: tests passed/failed and sanitizer reports (0 expected).
#
#   scripts/sanitize.sh [BUILD_DIR=build-asan]
#
# Environment: JOBS (2), NICE (10), CXX (g++), SANITIZE_BINARIES (a subset of the list below),
# GTEST_ARGS (extra arguments for every test binary, e.g. --gtest_filter=...).
# Takes far longer than the default suite (LibTorch TUs under ASan): run it by hand, not in ctest.
# AddressSanitizer/LeakSanitizer reports go to $BUILD_DIR/sanitizer-logs/<binary>/report.<pid>
# (log_path), so one from a child process (cli_tests runs `diffuscope`) is counted too. GCC's
# UBSan runtime ignores log_path and prints "runtime error:" to stderr (counted from output.log);
# in a child it also exits 1 (halt_on_error), which fails the cli test that ran it.
# Exit code: 0 when every binary passed with no report; 1 otherwise.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-${BUILD_DIR:-$root/build-asan}}
case "$build" in /*) ;; *) build="$root/$build" ;; esac
jobs=${JOBS:-2}
nice_level=${NICE:-10}
export CXX=${CXX:-g++}
binaries=${SANITIZE_BINARIES:-"diffusion_math_tests diffusion_tests model_tests image_model_tests cli_tests renderer_tests renderer_gl_tests app_ui_tests"}
san="-fsanitize=address,undefined"
flags="$san -fno-omit-frame-pointer -fno-sanitize-recover=undefined"

start=$(date +%s)
mkdir -p "$build"
echo "== configure ($CXX, RelWithDebInfo, $flags) in $build"
nice -n "$nice_level" cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DDIFFUSCOPE_GUI=ON \
  -DCMAKE_CXX_FLAGS="$flags" -DCMAKE_EXE_LINKER_FLAGS="$san" -DCMAKE_SHARED_LINKER_FLAGS="$san" \
  >"$build/sanitize.configure.log" 2>&1 || { cat "$build/sanitize.configure.log"; exit 1; }

targets="$binaries"
case " $binaries " in *" cli_tests "*) targets="$targets diffuscope" ;; esac
echo "== build: $targets"
# shellcheck disable=SC2086
nice -n "$nice_level" cmake --build "$build" -j"$jobs" --target $targets >"$build/sanitize.build.log" 2>&1 ||
  { tail -n 60 "$build/sanitize.build.log"; echo "sanitize.sh: build failed (log: $build/sanitize.build.log)"; exit 1; }
built=$(date +%s)
echo "== built in $(( built - start )) s"

# Leak checking is on and needs no suppressions file: LibTorch, OpenBLAS and fontconfig leave
# nothing LeakSanitizer reports (renderer/src/fonts.cpp destroys its fontconfig configuration), and
# Mesa is handled below.
export ASAN_OPTIONS="detect_leaks=1:strict_string_checks=1:check_initialization_order=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"

# Mesa's driver (swrast_dri.so: llvmpipe) is dlclose'd by glfwTerminate before the leak check at
# exit, and blocks it allocated that only its own globals pointed to then read as leaked, with
# stacks into an unmapped library that no suppression can name. Preloading the driver keeps it
# mapped, so those blocks stay reachable; a real leak inside Mesa would still be reported, by name.
# (fast_unwind_on_malloc=0, the other way to get Mesa's frames, deadlocks in llvmpipe's JIT.)
gl_preload() {
  local asan driver
  asan=$(ldd "$1" | awk '/libasan/ {print $3; exit}')
  driver="/usr/lib/$(gcc -print-multiarch 2>/dev/null)/dri/swrast_dri.so"
  [ -n "$asan" ] && [ -f "$driver" ] && echo "$asan $driver"
}

path_of() {
  case "$1" in
    diffusion_math_tests|diffusion_tests|model_tests|image_model_tests) echo "$build/tests/diffusion/$1" ;;
    cli_tests) echo "$build/tests/cli/$1" ;;
    renderer_tests|renderer_gl_tests) echo "$build/tests/renderer/$1" ;;
    *) echo "$build/tests/app/$1" ;;
  esac
}

status=0
summary=()
for bin in $binaries; do
  exe=$(path_of "$bin")
  logs="$build/sanitizer-logs/$bin"
  rm -rf "$logs"; mkdir -p "$logs"
  run=("$exe" --gtest_brief=1 ${GTEST_ARGS:-})
  if [ "$bin" = renderer_gl_tests ]; then
    preload=$(gl_preload "$exe" || true)
    [ -n "$preload" ] && run=(env LD_PRELOAD="$preload" "${run[@]}")
    [ -z "${DISPLAY:-}" ] && run=(xvfb-run -a -s "-screen 0 1920x1080x24" "${run[@]}")
  fi
  echo "== run $bin"
  t0=$(date +%s)
  ASAN_OPTIONS="$ASAN_OPTIONS:log_path=$logs/report" \
  LIBGL_ALWAYS_SOFTWARE=1 timeout --kill-after=30 3600 nice -n "$nice_level" "${run[@]}" >"$logs/output.log" 2>&1
  rc=$?
  secs=$(( $(date +%s) - t0 ))
  passed=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) tests\?\..*/\1/p' "$logs/output.log" | tail -n 1)
  failed=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) tests\?, listed below.*/\1/p' "$logs/output.log" | tail -n 1)
  # A report is a file under log_path (ASan, LSan), or a UBSan "runtime error:" on stderr.
  reports=0
  for f in "$logs"/report.*; do
    [ -e "$f" ] || continue
    n=$(grep -cE "ERROR: (Address|Leak)Sanitizer|runtime error:" "$f" || true)
    reports=$(( reports + (n > 0 ? n : 1) ))
  done
  printed=$(grep -cE "ERROR: (Address|Leak)Sanitizer|runtime error:" "$logs/output.log" || true)
  reports=$(( reports + printed ))
  line=$(printf '%-20s exit %3s  passed %4s  failed %3s  sanitizer reports %2s  %5s s' \
         "$bin" "$rc" "${passed:-?}" "${failed:-0}" "$reports" "$secs")
  echo "   $line"
  summary+=("$line")
  if [ "$rc" -ne 0 ] || [ "$reports" -ne 0 ] || [ -z "$passed" ]; then
    status=1
    tail -n 20 "$logs/output.log"
    for f in "$logs"/report.*; do [ -e "$f" ] && { echo "--- $f"; head -n 40 "$f"; }; done
  fi
done

echo
echo "== sanitize.sh summary (ASan + UBSan, $build)"
for line in "${summary[@]}"; do echo "   $line"; done
echo "   build $(( built - start )) s, runs $(( $(date +%s) - built )) s, total $(( $(date +%s) - start )) s"
echo "   logs: $build/sanitizer-logs/<binary>/{output.log,report.<pid>}"
[ "$status" -eq 0 ] && echo "sanitize.sh: PASS" || echo "sanitize.sh: FAIL"
exit $status
