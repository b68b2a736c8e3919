#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>

#include "renderer/histogram.hpp"

using namespace renderer;

TEST(DensityHistogram, HandCountedBinsAndMoments) {
  // Interleaved (x, y): only x (stride 2) is binned.
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float data[] = {-1.5f, 100.f, -0.5f, 100.f, 0.25f, 100.f, 0.75f, 100.f, 5.0f, 100.f, nan, 100.f};
  DensityHistogram h = density_histogram(data, 6, 2, -2.0, 2.0, 4);
  ASSERT_EQ(h.density.size(), 4u);
  EXPECT_EQ(h.finite_count, 5);
  EXPECT_EQ(h.outside_count, 1);
  // Bin width 1; densities = count / (5 * 1).
  EXPECT_DOUBLE_EQ(h.density[0], 0.2);
  EXPECT_DOUBLE_EQ(h.density[1], 0.2);
  EXPECT_DOUBLE_EQ(h.density[2], 0.4);
  EXPECT_DOUBLE_EQ(h.density[3], 0.0);
  // Mean of {-1.5, -0.5, 0.25, 0.75, 5} = 4/5; variance by hand: sum of squares 2.25+0.25+0.0625
  // +0.5625+25 = 28.125, /5 = 5.625, minus 0.64 = 4.985.
  EXPECT_NEAR(h.mean, 0.8, 1e-12);
  EXPECT_NEAR(h.variance, 4.985, 1e-12);
  EXPECT_DOUBLE_EQ(h.bin_width(), 1.0);
}

TEST(DensityHistogram, UpperEdgeFallsInLastBin) {
  const float data[] = {2.0f};
  DensityHistogram h = density_histogram(data, 1, 1, 0.0, 2.0, 2);
  EXPECT_DOUBLE_EQ(h.density[1], 1.0);
  EXPECT_EQ(h.outside_count, 0);
}

TEST(DensityHistogram, StandardNormalSampleMatchesDensity) {
  // Fixed seed; 200k samples, bin width 0.25: each bin's density is within 0.01 of the pdf at its
  // centre (sampling sd ~ 0.002 plus curvature error < 0.003).
  std::mt19937 rng(42);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::vector<float> samples(200000);
  for (float& s : samples) s = normal(rng);
  DensityHistogram h = density_histogram(samples.data(), static_cast<int>(samples.size()), 1, -4.0, 4.0, 32);
  for (std::size_t b = 0; b < h.density.size(); ++b) {
    double centre = -4.0 + 0.25 * (b + 0.5);
    EXPECT_NEAR(h.density[b], normal_pdf(centre), 0.01) << "bin " << b;
  }
  EXPECT_NEAR(h.mean, 0.0, 0.01);
  EXPECT_NEAR(h.variance, 1.0, 0.01);
}

TEST(DensityHistogram, InvalidArgumentsGiveEmptyResult) {
  const float data[] = {1.0f};
  EXPECT_TRUE(density_histogram(data, 1, 1, 1.0, 1.0, 4).density.empty());
  EXPECT_TRUE(density_histogram(data, 1, 1, 0.0, 1.0, 0).density.empty());
  DensityHistogram none = density_histogram(nullptr, 5, 1, 0.0, 1.0, 4);
  EXPECT_EQ(none.density.size(), 4u);
  EXPECT_EQ(none.finite_count, 0);
}

TEST(NormalPdf, KnownValues) {
  EXPECT_NEAR(normal_pdf(0.0), 0.3989422804014327, 1e-15);       // 1/sqrt(2 pi)
  EXPECT_NEAR(normal_pdf(1.0), 0.24197072451914337, 1e-15);      // exp(-1/2)/sqrt(2 pi)
  EXPECT_NEAR(normal_pdf(3.0, 1.0, 2.0), 0.12098536225957168, 1e-15);
  EXPECT_EQ(normal_pdf(0.0, 0.0, 0.0), 0.0);
}
