#!/usr/bin/env bash
# The figures of docs/ode_solvers.md. (1) Sample quality against network evaluations: the sliced
# Wasserstein distance of the shipped model's (and the exact denoiser's) samples at NFE about 5, 10,
# 20 and 50 for each probability-flow ODE solver, DDIM eta = 0 and DDPM (sigma small), as a
# Markdown table. (2) Speed per network evaluation: `sample` with the learned model, ODE against
# DDPM, REPS runs each (default 5), interleaved, and their medians. One CPU thread. Builds nothing.
# Usage: scripts/ode_solvers.sh [DATASET ...] (default: moons) ; BENCH_ONLY=1 skips (1), TABLE_ONLY=1 (2).
set -euo pipefail
cd "$(dirname "$0")/.."
exe="${DIFFUSCOPE:-build/app/diffuscope}"
[ -x "$exe" ] || { echo "ode_solvers: no $exe; build it first (scripts/build.sh)" >&2; exit 2; }
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1
datasets=("${@:-moons}")
n="${N:-20000}"

# K for a target NFE: Heun spends 2K - 1 evaluations on K steps, the others K.
steps_for() { if [ "$1" = heun ]; then echo $(( ($2 + 1) / 2 )); else echo "$2"; fi; }

if [ -z "${BENCH_ONLY:-}" ]; then
  for name in "${datasets[@]}"; do
    echo "### $name (n = $n, seed 3, linear schedule T = 1000, trailing spacing)"
    echo
    echo "| sampler | denoiser | NFE 5 | NFE 10 | NFE 20 | NFE 50 |"
    echo "|---|---|---|---|---|---|"
    for sampler in euler heun dpmpp2m ddim ddpm; do
      exact_row="| $sampler | exact |" model_row="| $sampler | model |"
      for nfe in 5 10 20 50; do
        case $sampler in
          ddim) flags=(--sigma ddim --eta 0 --steps "$nfe") ;;
          ddpm) flags=(--sigma small --steps "$nfe") ;;
          *) flags=(--sigma ode --solver "$sampler" --steps "$(steps_for "$sampler" "$nfe")") ;;
        esac
        out=$("$exe" evaluate --name "$name" --threads 1 --n "$n" --seed 3 "${flags[@]}" 2>/tmp/ode_solvers.err)
        used=$(grep -o 'NFE [0-9]*' /tmp/ode_solvers.err | cut -d' ' -f2)
        exact=$(awk -F, '$1 == "exact" { print $2 }' <<<"$out")
        model=$(awk -F, '$1 == "model" { print $2 }' <<<"$out")
        mark=$([ "$used" = "$nfe" ] && echo "" || echo " ($used)")
        exact_row+=" $(printf '%.4f' "$exact")$mark |" model_row+=" $(printf '%.4f' "$model")$mark |"
      done
      echo "$exact_row"
      echo "$model_row"
    done
    floor=$("$exe" evaluate --name "$name" --threads 1 --n "$n" --seed 3 --steps 1 2>/dev/null | awk -F, '$1 == "data" { print $2 }')
    echo
    echo "Floor (a second fresh draw of $n points): $(printf '%.4f' "$floor")"
    echo
  done
fi

if [ -z "${TABLE_ONLY:-}" ]; then
  # Point-evaluations/s = N x NFE / seconds of the sampling loop (learned moons model, 20000 points,
  # NFE 100 or 99), and the median over the runs of each sampler.
  rate() { grep -o '[0-9.e+-]* point-evaluations/s' | head -1 | cut -d' ' -f1; }
  samplers=("--sigma small --steps 100" "--sigma ode --solver euler --steps 100"
            "--sigma ode --solver heun --steps 50" "--sigma ode --solver dpmpp2m --steps 100")
  declare -A rates
  for rep in $(seq "${REPS:-5}"); do
    for flags in "${samplers[@]}"; do
      # shellcheck disable=SC2086
      line=$("$exe" sample --denoiser model --name moons --n 20000 --threads 1 --seed 1 $flags 2>&1 >/dev/null |
             grep 'point-evaluations/s')
      echo "run $rep, $flags: $line"
      rates[$flags]+="$(rate <<<"$line") "
    done
  done
  for flags in "${samplers[@]}"; do
    # shellcheck disable=SC2086
    median=$(printf '%s\n' ${rates[$flags]} | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
    echo "median point-evaluations/s, $flags: $median"
  done
fi
