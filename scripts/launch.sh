#!/usr/bin/env bash
# Installs what is missing, builds, and opens Diffuscope on its default scene.
# Arguments go to `diffuscope gui` (e.g. --ui-scale 2 --image photo.jpg).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/setup.sh"
"$root/scripts/build.sh"
exec "${BUILD_DIR:-$root/build}/app/diffuscope" gui "$@"
