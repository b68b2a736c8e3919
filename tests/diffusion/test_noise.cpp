// Seeded noise: reproducible, seed-dependent, device-independent, correctly distributed.
#include <cmath>
#include <stdexcept>

#include <gtest/gtest.h>
#include <torch/cuda.h>
#include <torch/torch.h>

#include "diffusion/noise.hpp"

using namespace diffusion;

TEST(NoiseSource, SameSeedGivesIdenticalSequences) {
  NoiseSource a(1234), b(1234);
  for (int i = 0; i < 3; ++i) {
    EXPECT_TRUE(torch::equal(a.normal({257, 3}), b.normal({257, 3})));
    EXPECT_TRUE(torch::equal(a.integers(1, 1000, {100}), b.integers(1, 1000, {100})));
  }
  EXPECT_EQ(a.seed(), 1234u);
}

TEST(NoiseSource, DifferentSeedsGiveDifferentDraws) {
  NoiseSource a(1), b(2);
  EXPECT_FALSE(torch::equal(a.normal({1000}), b.normal({1000})));
}

TEST(NoiseSource, SuccessiveDrawsDiffer) {
  NoiseSource a(7);
  EXPECT_FALSE(torch::equal(a.normal({1000}), a.normal({1000})));
}

TEST(NoiseSource, NormalIsFloat32OnTheRequestedDevice) {
  NoiseSource a(3);
  const auto x = a.normal({4, 5, 6});
  EXPECT_EQ(x.scalar_type(), torch::kFloat32);
  EXPECT_TRUE(x.device().is_cpu());
  EXPECT_EQ(x.sizes(), (std::vector<std::int64_t>{4, 5, 6}));
}

TEST(NoiseSource, DrawsDoNotDependOnTheTargetDevice) {
  // Draws happen on the CPU generator, so the numbers are the same whatever the device.
  NoiseSource a(99), b(99);
  const torch::Device target =
      torch::cuda::is_available() ? torch::Device(torch::kCUDA, 0) : torch::Device(torch::kCPU);
  const auto on_cpu = a.normal({1000}, torch::kCPU);
  const auto on_target = b.normal({1000}, target);
  EXPECT_EQ(on_target.device(), target);
  EXPECT_TRUE(torch::equal(on_cpu, on_target.cpu()));
  const auto ints_cpu = a.integers(1, 10, {100}, torch::kCPU);
  const auto ints_target = b.integers(1, 10, {100}, target);
  EXPECT_TRUE(torch::equal(ints_cpu, ints_target.cpu()));
}

TEST(NoiseSource, NormalHasZeroMeanAndUnitVariance) {
  // n = 400k: standard error of the mean 1/sqrt(n) = 1.6e-3; of the variance sqrt(2/n) = 2.2e-3.
  // Tolerance: 5 standard errors.
  NoiseSource a(2024);
  const int n = 400000;
  const auto x = a.normal({n}).to(torch::kFloat64);
  const double mean = x.mean().item<double>();
  const double var = x.var().item<double>();
  EXPECT_NEAR(mean, 0.0, 5.0 / std::sqrt(n));
  EXPECT_NEAR(var, 1.0, 5.0 * std::sqrt(2.0 / n));
}

TEST(NoiseSource, IntegersAreUniformOnTheClosedRange) {
  // 6 values, n = 60000: each count ~ Binomial(n, 1/6), sd = sqrt(n p (1 - p)) ~ 91; 5 sd bound.
  NoiseSource a(5);
  const int n = 60000;
  const auto k = a.integers(1, 6, {n});
  EXPECT_EQ(k.scalar_type(), torch::kInt64);
  EXPECT_EQ(k.min().item<std::int64_t>(), 1);
  EXPECT_EQ(k.max().item<std::int64_t>(), 6);
  const double p = 1.0 / 6.0, sd = std::sqrt(n * p * (1 - p));
  for (int v = 1; v <= 6; ++v) {
    const double count = k.eq(v).sum().item<std::int64_t>();
    EXPECT_NEAR(count, n * p, 5 * sd) << "value " << v;
  }
}

TEST(NoiseSource, SingleValueRangeAndBadRange) {
  NoiseSource a(5);
  EXPECT_TRUE(torch::all(a.integers(4, 4, {10}).eq(4)).item<bool>());
  EXPECT_THROW(a.integers(5, 4, {10}), std::invalid_argument);
}
