#!/usr/bin/env bash
# Remakes the shipped 2D checkpoints with `diffuscope train`, one after another on one thread, and
# writes NAME.txt beside each: the exact command, wall time, final loss, and `evaluate` tables:
# the default sampler (1000 steps, linear schedule, sigma = beta_tilde, 2000 points) and DDIM
# eta = 0 at K = 50 and K = 10 over 20000 points (stragglers: share of samples farther than 0.3
# from the data, and the farthest sample's distance).
# Usage: assets/models/make_models.sh BUILD_DIR STEPS BATCH [NAME[:TARGET]...]
#   (default: every dataset with the default target v). NAME:TARGET with a target other than v
#   writes NAME-TARGET.ckpt and NAME-TARGET.txt (the prediction-target comparison).
set -euo pipefail
cd "$(dirname "$0")/../.."
build="$1" steps="$2" batch="$3"
shift 3
specs=("$@")
[ ${#specs[@]} -gt 0 ] || specs=(moons 8gaussians swiss_roll checkerboard circles spiral gaussian_mixture)
exe="$build/app/diffuscope"
export OPENBLAS_NUM_THREADS=1  # one thread for real (LibTorch's thread count does not reach OpenBLAS)

for spec in "${specs[@]}"; do
  name="${spec%%:*}" target="v"
  [ "$spec" = "$name" ] || target="${spec#*:}"
  stem="$name"
  [ "$target" = "v" ] || stem="$name-$target"
  out="assets/models/$stem.ckpt"
  command=("$exe" train --name "$name" --target "$target" --steps "$steps" --batch "$batch" --seed 1 --threads 1 --out "$out")
  log=$(mktemp)
  start=$(date +%s.%N)
  "${command[@]}" | tee "$log"
  end=$(date +%s.%N)
  {
    echo "command: OPENBLAS_NUM_THREADS=1 ${command[*]}"
    echo "wall time: $(printf '%.1f' "$(echo "$end - $start" | bc)") s (2-vCPU machine shared with other builds)"
    echo "final loss: $(grep -o 'final loss [0-9.]*' "$log" | cut -d' ' -f3) (mean of the last 100 batches; $target-prediction)"
    for sampler in "--n 2000 --seed 1" "--n 20000 --seed 3 --steps 50 --sigma ddim --eta 0" "--n 20000 --seed 3 --steps 10 --sigma ddim --eta 0"; do
      # shellcheck disable=SC2206
      evaluate=("$exe" evaluate --name "$name" --model "$out" --threads 1 $sampler)
      echo
      echo "evaluate: OPENBLAS_NUM_THREADS=1 ${evaluate[*]}"
      "${evaluate[@]}" 2>"$log.err"
      cat "$log.err"
    done
  } > "assets/models/$stem.txt"
  rm -f "$log" "$log.err"
  cat "assets/models/$stem.txt"
done
