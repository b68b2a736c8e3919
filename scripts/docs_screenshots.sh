#!/bin/sh
# Regenerates the screenshots in docs/ (run from the repository root; needs xvfb-run).
# Usage: scripts/docs_screenshots.sh [path/to/diffuscope]
set -e
EXE=${1:-build/app/diffuscope}
shot() { out=$1; shift; xvfb-run -a -s "-screen 0 1920x1080x24" "$EXE" gui --size 1600x900 --device cpu --view reverse "$@" --screenshot "$out"; }
shot docs/screenshot-reverse-moons-mid.png --dataset moons --t 150 --overlay score,x0 --track 3
shot docs/screenshot-reverse-moons-t0.png --dataset moons --overlay paths --track 2
shot docs/screenshot-reverse-swiss-roll-mid.png --dataset swiss_roll --t 400 --overlay x0,posterior --track 3
shot docs/screenshot-reverse-swiss-roll-t0.png --dataset swiss_roll
shot docs/screenshot-reverse-sigma-comparison.png --dataset moons --reverse-compare sigma --steps 100
# The forward view (now with the Forward | Reverse switch at the top of the left column).
fwd() { out=$1; shift; xvfb-run -a -s "-screen 0 1920x1080x24" "$EXE" gui --device cpu "$@" --screenshot "$out"; }
fwd docs/screenshot-default-1920x1080.png --size 1920x1080
fwd docs/screenshot-default-1280x800.png --size 1280x800
fwd docs/screenshot-compare-cosine-linear.png --size 1920x1080 --compare
fwd docs/screenshot-forward-flow-path.png --size 1600x900 --b-flow --t 250   # B: flow matching's path
# Images: the Images view mid-way (K = 100, at t = 200, sample #5 selected; two panels compared),
# and a grid of 64 samples from the shipped Fashion-MNIST model with every one of the 1000 steps.
img() { out=$1; shift; xvfb-run -a -s "-screen 0 1920x1080x24" "$EXE" gui --size 1600x900 --device cpu --view images "$@" --screenshot "$out"; }
img docs/screenshot-images-mid.png --images-steps 100 --image-t 200 --image-select 5
img docs/screenshot-images-sigma-comparison.png --images-steps 100 --image-t 100 --reverse-compare sigma
"$EXE" sample --data fashion-mnist --n 64 --steps 1000 --seed 1 --out docs/fashion-mnist-samples.png
# Every shipped lecture scene, as the audience sees it (docs/scenes/<scene>.png), and one in presenter mode.
mkdir -p docs/scenes
for scene in assets/scenes/*.json; do
  name=$(basename "$scene" .json)
  xvfb-run -a -s "-screen 0 1920x1080x24" "$EXE" gui --size 1600x900 --device cpu --scene "$scene" --screenshot "docs/scenes/$name.png"
done
xvfb-run -a -s "-screen 0 1920x1080x24" "$EXE" gui --size 1600x900 --device cpu --scene 3 --presenter --screenshot docs/scenes/presenter-mode.png
