#!/usr/bin/env bash
# Remakes the shipped 2D checkpoints with `diffuscope train`, one after another on one thread, and
# writes NAME.txt beside each: the exact command, wall time, final loss, and the `evaluate` table
# (1000 steps, linear schedule, sigma = beta_tilde, 2000 points).
# Usage: assets/models/make_models.sh BUILD_DIR STEPS BATCH [NAME...] (default: every dataset)
set -euo pipefail
cd "$(dirname "$0")/../.."
build="$1" steps="$2" batch="$3"
shift 3
names=("$@")
[ ${#names[@]} -gt 0 ] || names=(moons 8gaussians swiss_roll checkerboard circles spiral gaussian_mixture)
exe="$build/app/diffuscope"
export OPENBLAS_NUM_THREADS=1  # one thread for real (LibTorch's thread count does not reach OpenBLAS)

for name in "${names[@]}"; do
  out="assets/models/$name.ckpt"
  command=("$exe" train --name "$name" --steps "$steps" --batch "$batch" --seed 1 --threads 1 --out "$out")
  log=$(mktemp)
  start=$(date +%s.%N)
  "${command[@]}" | tee "$log"
  end=$(date +%s.%N)
  evaluate=("$exe" evaluate --name "$name" --n 2000 --seed 1 --threads 1)
  table=$("${evaluate[@]}" 2>/tmp/evaluate-$name.err)
  {
    echo "command: OPENBLAS_NUM_THREADS=1 ${command[*]}"
    echo "wall time: $(printf '%.1f' "$(echo "$end - $start" | bc)") s (2-vCPU machine shared with other builds)"
    echo "final loss: $(grep -o 'final loss [0-9.]*' "$log" | cut -d' ' -f3) (mean of the last 100 batches)"
    echo
    echo "evaluate: OPENBLAS_NUM_THREADS=1 ${evaluate[*]}"
    echo "(defaults: linear schedule, T = 1000, all 1000 steps, sigma small = beta_tilde)"
    echo "$table"
    cat /tmp/evaluate-$name.err
  } > "assets/models/$name.txt"
  rm -f "$log"
  cat "assets/models/$name.txt"
done
