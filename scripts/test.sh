#!/usr/bin/env bash
# Installs what is missing, builds, and runs the whole test suite (GL tests under xvfb-run -a).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
start=$(date +%s)
"$root/scripts/setup.sh"
"$root/scripts/build.sh"
cd "${BUILD_DIR:-$root/build}"
ctest --output-on-failure -j"$(nproc)" --timeout 600
echo "test.sh: whole suite (build included) took $(( $(date +%s) - start )) s"
