// Sliced Wasserstein distance: closed forms for shifted clouds (SW_2 = |d| / sqrt 2 for a shift d,
// since the mean of cos^2 over evenly spaced angles is 1/2), symmetry, and input checks.
#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>
#include <vector>

#include "diffusion/datasets2d.hpp"
#include "diffusion/sliced_wasserstein.hpp"

namespace diffusion {
namespace {

std::vector<float> shifted(std::vector<float> xy, float dx, float dy) {
  for (std::size_t i = 0; i < xy.size(); i += 2) {
    xy[i] += dx;
    xy[i + 1] += dy;
  }
  return xy;
}

TEST(SlicedWasserstein, IdenticalCloudsAreAtZero) {
  const Dataset2D data = make_dataset2d(Dataset2DKind::Moons, 500, 3);
  EXPECT_DOUBLE_EQ(sliced_wasserstein_2d(data.xy, data.xy), 0.0);
}

TEST(SlicedWasserstein, ShiftGivesLengthOverRootTwo) {
  const Dataset2D data = make_dataset2d(Dataset2DKind::SwissRoll, 400, 5);
  EXPECT_NEAR(sliced_wasserstein_2d(data.xy, shifted(data.xy, 3.0f, 4.0f)), 3.5355339059327373, 1e-5);
  EXPECT_NEAR(sliced_wasserstein_2d(data.xy, shifted(data.xy, -1.0f, 0.0f), 7), 0.7071067811865476, 1e-5);
}

TEST(SlicedWasserstein, UnequalSizesUseQuantiles) {
  // One point at the origin against two at (+-1, 0): on direction theta the quantiles differ by
  // |cos theta| at both levels, so SW_2^2 = mean cos^2 = 1/2.
  EXPECT_NEAR(sliced_wasserstein_2d({0.0f, 0.0f}, {1.0f, 0.0f, -1.0f, 0.0f}), std::sqrt(0.5), 1e-12);
}

TEST(SlicedWasserstein, SymmetricAndSmallBetweenDrawsOfOneDataset) {
  const Dataset2D a = make_dataset2d(Dataset2DKind::EightGaussians, 2000, 1);
  const Dataset2D b = make_dataset2d(Dataset2DKind::EightGaussians, 2000, 2);
  const Dataset2D other = make_dataset2d(Dataset2DKind::Checkerboard, 2000, 2);
  const double same = sliced_wasserstein_2d(a.xy, b.xy);
  EXPECT_DOUBLE_EQ(same, sliced_wasserstein_2d(b.xy, a.xy));
  EXPECT_LT(same, 0.1);
  EXPECT_GT(sliced_wasserstein_2d(a.xy, other.xy), 3.0 * same);
}

TEST(SlicedWasserstein, RejectsBadInput) {
  EXPECT_THROW(sliced_wasserstein_2d({}, {0.0f, 0.0f}), std::invalid_argument);
  EXPECT_THROW(sliced_wasserstein_2d({0.0f, 0.0f, 1.0f}, {0.0f, 0.0f}), std::invalid_argument);
  EXPECT_THROW(sliced_wasserstein_2d({0.0f, NAN}, {0.0f, 0.0f}), std::invalid_argument);
  EXPECT_THROW(sliced_wasserstein_2d({0.0f, 0.0f}, {0.0f, 0.0f}, 0), std::invalid_argument);
}

}  // namespace
}  // namespace diffusion
