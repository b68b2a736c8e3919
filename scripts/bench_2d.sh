#!/usr/bin/env bash
# Speed of 2D sampling with the learned model: Diffuscope against the plain-PyTorch peer
# (bench/peer_ddpm_2d.py), both on 2000 points x 1000 steps (linear schedule, sigma = beta_tilde)
# with one CPU thread, two runs each, interleaved so that a busy machine slows both alike.
# Builds nothing. Usage: scripts/bench_2d.sh [BUILD_DIR] (default: build)
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:-build}"
exe="$build/app/diffuscope"
peer_python="${PEER_PYTHON:-/usr/bin/python3}"  # Debian's python3-torch
[ -x "$exe" ] || { echo "bench_2d: no $exe; build it first (scripts/build.sh)" >&2; exit 2; }
"$peer_python" -c 'import torch' 2>/dev/null ||
  { echo "bench_2d: $peer_python cannot import torch (apt install python3-torch)" >&2; exit 2; }

# One thread for real: LibTorch's and PyTorch's set_num_threads do not reach OpenBLAS's own pool.
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1
# diffuscope keeps large freed blocks in its heap (mallopt in app/main.cpp); give the peer's Python
# the same glibc malloc settings, so that the comparison is of the samplers, not of the allocators.
export GLIBC_TUNABLES=glibc.malloc.mmap_threshold=67108864:glibc.malloc.trim_threshold=268435456

# The number before "point-steps/s" on the line that has it.
rate() { grep -o '[0-9.e+-]* point-steps/s' | head -1 | cut -d' ' -f1; }

ours=() peer=()
for rep in 1 2; do
  line=$("$exe" sample --denoiser model --name moons --n 2000 --threads 1 --seed 1 2>&1 >/dev/null |
         grep 'point-steps/s')
  echo "ours, run $rep: $line"
  ours+=("$(rate <<<"$line")")
  line=$("$peer_python" bench/peer_ddpm_2d.py --n 2000 --threads 1 --seed 1 2>/dev/null | grep 'point-steps/s')
  echo "peer, run $rep: $line"
  peer+=("$(rate <<<"$line")")
done

# Best of the runs for each: the run least disturbed by the rest of the machine.
"$peer_python" - "${ours[@]}" "${peer[@]}" <<'PY'
import sys
values = [float(v) for v in sys.argv[1:]]
ours, peer = max(values[:2]), max(values[2:])
print(f"ours: {ours:.3e} point-steps/s   peer: {peer:.3e} point-steps/s   "
      f"ratio ours/peer: {ours / peer:.2f}x  (best of 2 each, 2000 points x 1000 steps, 1 thread)")
PY
