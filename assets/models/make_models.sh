#!/usr/bin/env bash
# Remakes the shipped 2D checkpoints with `diffuscope train`, one after another on one thread, and
# writes NAME.txt beside each: the exact command, wall time, final loss, and `evaluate` tables:
# the default sampler (1000 steps, linear schedule, sigma = beta_tilde, 2000 points) and DDIM
# eta = 0 at K = 50 and K = 10 over 20000 points (stragglers: share of samples farther than 0.3
# from the data, and the farthest sample's distance).
# Usage: assets/models/make_models.sh BUILD_DIR STEPS BATCH [NAME[:TARGET]...]
#   (default: every dataset with the default target v). NAME:TARGET with a target other than v
#   writes NAME-TARGET.ckpt and NAME-TARGET.txt (the prediction-target comparison).
#   NAME:flow trains a flow-matching velocity model (`train --process flow`) into NAME-flow.ckpt
#   and writes NAME-flow.txt with `evaluate --process flow` at NFE 5..50 (Euler and Heun).
#   NAME:cond trains a class-conditional model (`train --conditional`) into NAME-cond.ckpt and
#   writes NAME-cond.txt with `evaluate --per-class` at guidance w = 0, 1, 3, 7.
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
  [ "$target" = "flow" ] && continue  # flow-matching models: the loop below
  [ "$target" = "cond" ] && continue  # class-conditional models: the last loop
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

# Flow matching (NAME:flow): the same network as a velocity model. The evaluate tables compare the
# exact velocity field of 2000 training points and the model on 20000 points at about equal cost:
# Euler with K = 5, 10, 20, 50 steps (NFE = K) and Heun with K = 3, 5, 10, 25 (NFE = 2K - 1:
# 5, 9, 19, 49; the last step is Euler).
for spec in "${specs[@]}"; do
  name="${spec%%:*}"
  [ "$spec" = "$name:flow" ] || continue
  out="assets/models/$name-flow.ckpt"
  command=("$exe" train --process flow --name "$name" --steps "$steps" --batch "$batch" --seed 1 --threads 1 --out "$out")
  log=$(mktemp)
  start=$(date +%s.%N)
  "${command[@]}" | tee "$log"
  end=$(date +%s.%N)
  {
    echo "command: OPENBLAS_NUM_THREADS=1 ${command[*]}"
    echo "wall time: $(printf '%.1f' "$(echo "$end - $start" | bc)") s (2-vCPU machine shared with other builds)"
    echo "final loss: $(grep -o 'final loss [0-9.]*' "$log" | cut -d' ' -f3) (mean of the last 100 batches; flow matching, |v_hat - (eps - x_0)|^2)"
    for sampler in "euler 5" "euler 10" "euler 20" "euler 50" "heun 3" "heun 5" "heun 10" "heun 25"; do
      read -r solver k <<< "$sampler"
      evaluate=("$exe" evaluate --process flow --name "$name" --model "$out" --threads 1 --n 20000 --seed 3
                --solver "$solver" --steps "$k")
      echo
      echo "evaluate: OPENBLAS_NUM_THREADS=1 ${evaluate[*]}"
      "${evaluate[@]}" 2>"$log.err"
      cat "$log.err"
    done
  } > "assets/models/$name-flow.txt"
  rm -f "$log" "$log.err"
  cat "assets/models/$name-flow.txt"
done

# Class-conditional models (NAME:cond, classifier-free guidance): label dropout 0.1 to the null
# class. The evaluate tables give, per class and guidance scale w, the sliced Wasserstein distance
# of 2000 samples to the class's points in a fresh draw and the class accuracy (share of samples
# whose nearest fresh labelled point has the class), for the default sampler (1000 steps) and
# DDIM eta = 0 at K = 50. NFE is twice the steps (null class and class each step).
for spec in "${specs[@]}"; do
  name="${spec%%:*}"
  [ "$spec" = "$name:cond" ] || continue
  out="assets/models/$name-cond.ckpt"
  command=("$exe" train --conditional --name "$name" --steps "$steps" --batch "$batch" --seed 1 --threads 1 --out "$out")
  log=$(mktemp)
  start=$(date +%s.%N)
  "${command[@]}" | tee "$log"
  end=$(date +%s.%N)
  {
    echo "command: OPENBLAS_NUM_THREADS=1 ${command[*]}"
    echo "wall time: $(printf '%.1f' "$(echo "$end - $start" | bc)") s (2-vCPU machine shared with other builds)"
    echo "final loss: $(grep -o 'final loss [0-9.]*' "$log" | cut -d' ' -f3) (mean of the last 100 batches; v-prediction, 10 % of groups with the null class)"
    echo "loss by log-SNR band over the last progress interval:$(grep 'by log-SNR band' "$log" | tail -1 | sed 's/^ *by log-SNR band//')"
    for sampler in "--n 2000 --seed 1" "--n 2000 --seed 3 --steps 50 --sigma ddim --eta 0"; do
      # shellcheck disable=SC2206
      evaluate=("$exe" evaluate --per-class --name "$name" --model "$out" --threads 1 --guidance 0 1 3 7 $sampler)
      echo
      echo "evaluate: OPENBLAS_NUM_THREADS=1 ${evaluate[*]}"
      "${evaluate[@]}" 2>"$log.err"
      cat "$log.err"
    done
  } > "assets/models/$name-cond.txt"
  rm -f "$log" "$log.err"
  cat "assets/models/$name-cond.txt"
done
