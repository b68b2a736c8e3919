#pragma once
// How far 2D samples lie from a point set: the distance from each sample to its nearest point of
// `reference`. What "stragglers" (samples far from any data point) and "copies" (samples on a
// training point: memorisation) are counted with. Torch-free; interleaved x, y as elsewhere.
#include <cstddef>
#include <vector>

namespace diffusion {

// Distance from each sample (interleaved x, y) to its nearest reference point. Brute force over a
// uniform grid of buckets: O(N + M) for spread-out data; 2000 samples against 20000 points take
// a few milliseconds. Empty reference: every distance is +inf. Non-finite samples get +inf.
std::vector<double> nearest_distances_2d(const std::vector<float>& samples, const std::vector<float>& reference);

// The share of distances above `radius` (stragglers) or at most `radius` (copies), in [0, 1];
// 0 for an empty list.
double share_above(const std::vector<double>& distances, double radius);
double share_within(const std::vector<double>& distances, double radius);

}  // namespace diffusion
