#pragma once
// Whether conditional samples land in the class they were asked for: each sample is given the
// class of its nearest labelled reference point (a 1-nearest-neighbour classifier on a fresh draw
// of the data), and the accuracy is the share given the requested class. Nearest point rather
// than nearest class centre: a moon's centre lies nearer the other moon's tips than its own.
// Torch-free; interleaved x, y as elsewhere.
#include <vector>

#include "diffusion/datasets2d.hpp"

namespace diffusion {

// The class of each sample's nearest reference point (brute force: 2000 x 2000 in a few ms).
// Throws std::invalid_argument for an empty reference or odd-sized samples. Non-finite samples
// get kNullClass (they belong to no class).
std::vector<int> nearest_point_classes(const std::vector<float>& samples, const LabelledPoints2D& reference);

// The share of samples whose nearest reference point has class class_id, in [0, 1] (0 for none).
double class_accuracy(const std::vector<float>& samples, int class_id, const LabelledPoints2D& reference);

}  // namespace diffusion
