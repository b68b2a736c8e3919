#!/usr/bin/env bash
# Installs the Debian 12 packages Diffuscope needs, when any is missing.
#   scripts/setup.sh          everything (GUI + tests)
#   scripts/setup.sh --core   only what the core, the CLI and their tests need (no GL)
set -euo pipefail

core=(cmake g++ make pkg-config libtorch-dev libopenblas0-pthread libcli11-dev nlohmann-json3-dev
      zlib1g-dev libgtest-dev libstb-dev libgif-dev dataset-fashion-mnist)
gui=(libglfw3-dev libimgui-dev libepoxy-dev libfontconfig-dev fonts-dejavu-core
     xvfb xauth libgl1-mesa-dri)

packages=("${core[@]}")
[ "${1:-}" = "--core" ] || packages+=("${gui[@]}")

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "setup: installing ${missing[*]}" >&2
sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
"${sudo_cmd[@]}" apt-get update -q
DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
