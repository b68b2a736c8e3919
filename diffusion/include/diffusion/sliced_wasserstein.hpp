#pragma once
// The sliced Wasserstein-2 distance between two 2D point clouds: the root mean over directions of
// the squared 1D Wasserstein-2 distance between the clouds projected on each direction. In 2D the
// directions are evenly spaced angles in [0, pi) rather than random ones, so the figure is
// deterministic. Torch-free (plain float arrays), so the worker, the CLI and tests share it.
#include <cstddef>
#include <vector>

namespace diffusion {

// xy_a, xy_b: interleaved x, y (sizes 2 n_a and 2 n_b, n >= 1; the counts may differ: each
// projected cloud's quantile function is compared on a common grid of max(n_a, n_b) levels).
// directions >= 1. Throws std::invalid_argument on empty or odd-sized input, or non-finite points.
double sliced_wasserstein_2d(const std::vector<float>& xy_a, const std::vector<float>& xy_b,
                             int directions = 128);

}  // namespace diffusion
