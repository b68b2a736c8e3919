// Nearest-point distances against a plain O(N M) loop, on clustered data, samples far outside the
// data's box, duplicates, non-finite samples and an empty reference.
#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include <gtest/gtest.h>

#include "diffusion/datasets2d.hpp"
#include "diffusion/nearest_distance.hpp"

using namespace diffusion;

namespace {

std::vector<double> brute_force(const std::vector<float>& samples, const std::vector<float>& reference) {
  std::vector<double> out;
  for (std::size_t i = 0; i + 1 < samples.size(); i += 2) {
    double best = std::numeric_limits<double>::infinity();
    for (std::size_t j = 0; j + 1 < reference.size(); j += 2)
      best = std::min(best, std::hypot(double(samples[i]) - reference[j], double(samples[i + 1]) - reference[j + 1]));
    out.push_back(best);
  }
  return out;
}

}  // namespace

TEST(NearestDistance, MatchesBruteForceOnEveryDataset) {
  std::mt19937 rng(3);
  std::normal_distribution<float> wide(0.0f, 6.0f);
  for (const Dataset2DKind kind : all_dataset2d_kinds()) {
    const auto reference = make_dataset2d(kind, 3000, 11).xy;
    std::vector<float> samples = make_dataset2d(kind, 300, 12).xy;
    for (int i = 0; i < 200; ++i) samples.push_back(wide(rng));  // 100 points, many outside the box
    samples.push_back(reference[10]);                              // exactly on a reference point
    samples.push_back(reference[11]);
    const auto fast = nearest_distances_2d(samples, reference);
    const auto slow = brute_force(samples, reference);
    ASSERT_EQ(fast.size(), slow.size());
    for (std::size_t i = 0; i < fast.size(); ++i) EXPECT_NEAR(fast[i], slow[i], 1e-9) << to_string(kind) << " " << i;
    EXPECT_EQ(fast.back(), 0.0);
  }
}

TEST(NearestDistance, EdgeCases) {
  const std::vector<float> one_point = {1.0f, 2.0f};
  const auto d = nearest_distances_2d({4.0f, 6.0f, NAN, 0.0f}, one_point);
  EXPECT_DOUBLE_EQ(d[0], 5.0);
  EXPECT_TRUE(std::isinf(d[1]));
  EXPECT_TRUE(std::isinf(nearest_distances_2d({0.0f, 0.0f}, {})[0]));
  // All reference points equal: a degenerate box.
  const auto same = nearest_distances_2d({3.0f, 4.0f}, {0.0f, 0.0f, 0.0f, 0.0f});
  EXPECT_DOUBLE_EQ(same[0], 5.0);
  EXPECT_DOUBLE_EQ(share_above({0.1, 0.5, 2.0, INFINITY}, 0.3), 0.75);
  EXPECT_DOUBLE_EQ(share_within({0.1, 0.5, 2.0, INFINITY}, 0.3), 0.25);
  EXPECT_EQ(share_above({}, 0.3), 0.0);
}
