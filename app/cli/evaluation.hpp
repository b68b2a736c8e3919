#pragma once
// How close samples are to the data: the sliced Wasserstein distance (sliced_wasserstein.hpp) to a
// fresh draw of the dataset. Fresh draws use seeds derived from the user's seed on a stream of
// their own, so they never coincide with the training points (drawn with the seed itself).
// Torch-free.
#include <cstdint>
#include <vector>

#include "diffusion/datasets2d.hpp"

namespace diffuscope::cli {

inline constexpr int kSwdDirections = 128;

// The seed of fresh draw number `draw` (0, 1, ...) for user seed `seed`.
std::uint64_t fresh_data_seed(std::uint64_t seed, int draw);

// make_dataset2d(kind, n, fresh_data_seed(seed, draw)) as interleaved x, y.
std::vector<float> fresh_data(diffusion::Dataset2DKind kind, int n, std::uint64_t seed, int draw);

// sliced_wasserstein_2d(samples, reference, kSwdDirections).
double sliced_wasserstein(const std::vector<float>& samples, const std::vector<float>& reference);

// Stragglers: samples far from every data point, measured against a dense fresh draw of
// kStragglerReferencePoints (its own nearest-neighbour spacing is well below the radius).
inline constexpr int kStragglerReferencePoints = 20000;
inline constexpr double kStragglerRadius = 0.3;
struct Stragglers {
  double share_beyond = 0;   // share of samples farther than kStragglerRadius from the data
  double max_distance = 0;   // the farthest sample's distance to the data
};
Stragglers stragglers(diffusion::Dataset2DKind kind, const std::vector<float>& samples, std::uint64_t seed);
// The same against given points (a CSV file's: no fresh draw of them exists).
Stragglers stragglers_from(const std::vector<float>& reference, const std::vector<float>& samples);

}  // namespace diffuscope::cli
