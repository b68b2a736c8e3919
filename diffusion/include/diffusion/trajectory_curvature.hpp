#pragma once
// How straight sampling trajectories are, as one number: the ratio of a path's length (the sum of
// its segment lengths) to the distance between its endpoints. 1 means a straight line walked in
// one direction; a path that bends or wanders scores more. Deterministic ODE samplers trace
// smooth, nearly straight paths; stochastic samplers (DDPM) zig-zag and score far more.
// Torch-free (plain float arrays), so the worker, the CLI and tests share it.
#include <cstddef>
#include <vector>

namespace diffusion {

// One path of `points` points of `dims` coordinates each, stored point after point. NaN when the
// path has fewer than 2 points or its endpoints coincide (the ratio is undefined there).
double path_length_ratio(const float* path, std::size_t points, int dims);

// The mean of path_length_ratio over `paths` paths stored one after another (path-major, each
// with paths_xy.size() / (paths * dims) points: the layout of the reverse panel's trajectories).
// Paths whose ratio is undefined are skipped; NaN when no path has a defined ratio.
// Throws std::invalid_argument when dims < 1, paths < 1 or the size is not a multiple of
// paths * dims.
double mean_path_length_ratio(const std::vector<float>& paths_xy, std::size_t paths, int dims = 2);

}  // namespace diffusion
