#!/usr/bin/env bash
# Speed of image sampling: Diffuscope (`diffuscope sample --data fashion-mnist`) against the same
# U-Net written the plain PyTorch way (bench/peer_unet.py), both on N images x STEPS steps (linear
# schedule, sigma = beta_tilde, x0_hat clipped) with the same CPU threads, two runs each,
# interleaved so that a busy machine slows both alike. Both use the same checkpoint: the shipped
# assets/models/fashion-mnist.ckpt if there is one, else a random-weight model of the default
# architecture written by BUILD_DIR/tests/cli/make_image_checkpoint (the speed does not depend on
# the weights). With the same seed both sample the same images; the script compares the grids.
# Builds nothing. Usage: scripts/bench_images.sh [BUILD_DIR] (default: build)
# Environment: THREADS (default 2), N (64), STEPS (1000), MODEL (a checkpoint to use instead).
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:-build}"
threads="${THREADS:-2}" n="${N:-64}" steps="${STEPS:-1000}"
exe="$build/app/diffuscope"
peer_python="${PEER_PYTHON:-/usr/bin/python3}"  # Debian's python3-torch
[ -x "$exe" ] || { echo "bench_images: no $exe; build it first (scripts/build.sh)" >&2; exit 2; }
"$peer_python" -c 'import torch' 2>/dev/null ||
  { echo "bench_images: $peer_python cannot import torch (apt install python3-torch)" >&2; exit 2; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
model="${MODEL:-assets/models/fashion-mnist.ckpt}"
if [ ! -f "$model" ]; then
  maker="$build/tests/cli/make_image_checkpoint"
  [ -x "$maker" ] || { echo "bench_images: no $model and no $maker to write a random-weight model" \
                            "(build the target make_image_checkpoint)" >&2; exit 2; }
  model="$work/random.ckpt"
  "$maker" "$model" default 1 >&2
  echo "bench_images: no shipped model; using random weights ($model)"
fi

# The thread count for real: LibTorch's and PyTorch's set_num_threads do not reach OpenBLAS's pool.
export OPENBLAS_NUM_THREADS="$threads" OMP_NUM_THREADS="$threads"
# diffuscope keeps large freed blocks in its heap (mallopt in app/main.cpp); give the peer's Python
# the same glibc malloc settings, so that the comparison is of the samplers, not of the allocators.
export GLIBC_TUNABLES=glibc.malloc.mmap_threshold=67108864:glibc.malloc.trim_threshold=268435456

# The number before "image-steps/s" on the line that has it.
rate() { grep -o '[0-9.e+-]* image-steps/s' | head -1 | cut -d' ' -f1; }

ours=() peer=()
for rep in 1 2; do
  line=$("$exe" sample --data fashion-mnist --model "$model" --n "$n" --steps "$steps" --threads "$threads" \
         --seed 1 --out "$work/ours.png" | grep 'image-steps/s')
  echo "ours, run $rep: $line"
  ours+=("$(rate <<<"$line")")
  line=$("$peer_python" bench/peer_unet.py --checkpoint "$model" --n "$n" --steps "$steps" --threads "$threads" \
         --seed 1 --out "$work/peer.png" 2>/dev/null | grep 'image-steps/s')
  echo "peer, run $rep: $line"
  peer+=("$(rate <<<"$line")")
done

# Best of the runs for each: the run least disturbed by the rest of the machine. Then the grids:
# the same weights, x_T and z, so they differ only by floating-point rounding.
"$peer_python" - "$work/ours.png" "$work/peer.png" "$n" "$steps" "$threads" "${ours[@]}" "${peer[@]}" <<'PY'
import sys
ours_png, peer_png, n, steps, threads = sys.argv[1:6]
values = [float(v) for v in sys.argv[6:]]
ours, peer = max(values[:2]), max(values[2:])
print(f"ours: {ours:.3e} image-steps/s   peer: {peer:.3e} image-steps/s   "
      f"ratio ours/peer: {ours / peer:.2f}x  (best of 2 each, {n} images x {steps} steps, {threads} threads)")
try:
    import numpy as np
    from PIL import Image
except ImportError:
    sys.exit(0)
a = np.asarray(Image.open(ours_png), dtype=np.int16)
b = np.asarray(Image.open(peer_png), dtype=np.int16)
if a.shape != b.shape:
    print(f"grids differ in size: {a.shape} vs {b.shape}")
else:
    d = np.abs(a - b)
    print(f"grids (same weights and noise): mean |difference| {d.mean():.3f} / 255, "
          f"{(d > 8).mean() * 100:.2f}% of pixels differ by more than 8 / 255")
PY
