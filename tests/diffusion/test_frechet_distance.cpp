// The Fréchet distance of two Gaussians (Heusel et al. 2017) against values computed here
// independently: the diagonal closed form, 2x2 cases worked by hand, sample estimates.
#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>

#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include "diffusion/frechet_distance.hpp"

namespace {

using diffusion::frechet_distance;
using diffusion::gaussian_statistics;

torch::Tensor f64(std::initializer_list<double> values) {
  return torch::tensor(std::vector<double>(values), torch::kFloat64);
}

torch::Tensor matrix2(double a, double b, double c, double d) { return f64({a, b, c, d}).view({2, 2}); }

// A random symmetric positive definite D x D matrix A A^T / D + 0.1 I.
torch::Tensor random_covariance(int d, at::Generator& generator) {
  const auto a = torch::randn({d, d}, generator, torch::kFloat64);
  return torch::matmul(a, a.t()) / d + 0.1 * torch::eye(d, torch::kFloat64);
}

TEST(FrechetDistance, DiagonalCovariancesMatchTheClosedForm) {
  // With S1 = diag(a), S2 = diag(b): d² = |mu1 - mu2|² + sum_i (sqrt(a_i) - sqrt(b_i))².
  const std::vector<double> mu_1 = {0.5, -1.0, 2.0, 0.0}, mu_2 = {1.5, -1.0, 0.0, 0.25};
  const std::vector<double> a = {1.0, 4.0, 0.25, 9.0}, b = {2.0, 1.0, 0.25, 0.01};
  double expected = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    expected += (mu_1[i] - mu_2[i]) * (mu_1[i] - mu_2[i]);
    expected += (std::sqrt(a[i]) - std::sqrt(b[i])) * (std::sqrt(a[i]) - std::sqrt(b[i]));
  }
  const auto t = [](const std::vector<double>& v) { return torch::tensor(v, torch::kFloat64); };
  const double d = frechet_distance(t(mu_1), torch::diag(t(a)), t(mu_2), torch::diag(t(b)));
  EXPECT_NEAR(d, expected, 1e-12 * expected);
  // float32 inputs are computed in float64 all the same.
  const double d32 = frechet_distance(t(mu_1).to(torch::kFloat32), torch::diag(t(a)).to(torch::kFloat32),
                                      t(mu_2).to(torch::kFloat32), torch::diag(t(b)).to(torch::kFloat32));
  EXPECT_NEAR(d32, expected, 1e-6 * expected);
}

TEST(FrechetDistance, NonDiagonalTwoByTwoWorkedByHand) {
  // S1 = I, S2 = [[2, 1], [1, 2]] (eigenvalues 3 and 1): tr S2^{1/2} = sqrt(3) + 1, so
  // d² = tr I + tr S2 - 2 (sqrt(3) + 1) = 2 + 4 - 2 sqrt(3) - 2 = 4 - 2 sqrt(3).
  const auto zero = f64({0.0, 0.0});
  EXPECT_NEAR(frechet_distance(zero, torch::eye(2, torch::kFloat64), zero, matrix2(2, 1, 1, 2)),
              4.0 - 2.0 * std::sqrt(3.0), 1e-12);
  // S1 = diag(4, 1), S2 = [[2, 1], [1, 2]], mu2 - mu1 = (1, 2). M = S1^{1/2} S2 S1^{1/2} =
  // [[8, 2], [2, 2]]: tr M = 10, det M = 12, and for a 2x2 PSD M, tr M^{1/2} = sqrt(tr M + 2 sqrt(det M))
  // (the square roots of its eigenvalues r1, r2 satisfy (r1 + r2)² = l1 + l2 + 2 sqrt(l1 l2)).
  // d² = |(1, 2)|² + tr S1 + tr S2 - 2 sqrt(10 + 2 sqrt(12)) = 5 + 5 + 4 - 2 sqrt(10 + 2 sqrt(12)).
  const double expected = 14.0 - 2.0 * std::sqrt(10.0 + 2.0 * std::sqrt(12.0));   // 5.77122...
  const double d = frechet_distance(f64({1.0, -1.0}), matrix2(4, 0, 0, 1), f64({2.0, 1.0}), matrix2(2, 1, 1, 2));
  EXPECT_NEAR(d, expected, 1e-12);
  EXPECT_NEAR(d, 5.7712, 1e-4);
  // The distance is symmetric in its two Gaussians (tr (S1 S2)^{1/2} = tr (S2 S1)^{1/2}).
  EXPECT_NEAR(frechet_distance(f64({2.0, 1.0}), matrix2(2, 1, 1, 2), f64({1.0, -1.0}), matrix2(4, 0, 0, 1)),
              expected, 1e-12);
}

TEST(FrechetDistance, SymmetricAndInvariantUnderRotation) {
  auto generator = at::detail::createCPUGenerator(11);
  const int d = 16;
  const auto s1 = random_covariance(d, generator), s2 = random_covariance(d, generator);
  const auto m1 = torch::randn({d}, generator, torch::kFloat64), m2 = torch::randn({d}, generator, torch::kFloat64);
  const double forward = frechet_distance(m1, s1, m2, s2);
  EXPECT_GT(forward, 0.1);
  EXPECT_NEAR(frechet_distance(m2, s2, m1, s1), forward, 1e-9 * forward);
  // An orthogonal change of basis Q (x -> Q x) moves both Gaussians alike: the distance stays.
  const auto q = std::get<0>(torch::linalg_qr(torch::randn({d, d}, generator, torch::kFloat64), "reduced"));
  const double rotated = frechet_distance(torch::matmul(q, m1), torch::matmul(torch::matmul(q, s1), q.t()),
                                          torch::matmul(q, m2), torch::matmul(torch::matmul(q, s2), q.t()));
  EXPECT_NEAR(rotated, forward, 1e-9 * forward);
  // Same covariance, means apart: only the mean term remains.
  EXPECT_NEAR(frechet_distance(m1, s1, m2, s1), (m1 - m2).pow(2).sum().item<double>(), 1e-9 * forward);
}

TEST(FrechetDistance, IdenticalSetsGiveZero) {
  auto generator = at::detail::createCPUGenerator(3);
  // Correlated, rank-deficient features (the last 8 of 64 are copies), like dead or tied units.
  auto features = torch::matmul(torch::randn({1000, 56}, generator, torch::kFloat32),
                                torch::randn({56, 56}, generator, torch::kFloat32));
  features = torch::cat({features, features.slice(1, 0, 8)}, 1);
  const auto statistics = gaussian_statistics(features);
  const double trace = statistics.covariance.trace().item<double>();
  const double d = frechet_distance(statistics, statistics);
  EXPECT_GE(d, 0.0);
  // The square roots amplify round-off near zero eigenvalues (about sqrt(1e-16) of the largest).
  EXPECT_LT(d, 1e-6 * trace);
  // A constant dimension (zero variance in both) is fine too.
  auto with_constant = features.clone();
  with_constant.select(1, 3).fill_(2.0);
  const auto constant_statistics = gaussian_statistics(with_constant);
  EXPECT_LT(frechet_distance(constant_statistics, constant_statistics), 1e-6 * trace);
  EXPECT_TRUE(std::isfinite(frechet_distance(constant_statistics, statistics)));
}

TEST(FrechetDistance, StatisticsAreTheUnbiasedMeanAndCovariance) {
  // Points (0, 0), (2, 0), (0, 2), (2, 3): mean (1, 1.25); centred x = (-1, 1, -1, 1),
  // y = (-1.25, -1.25, 0.75, 1.75); with N - 1 = 3: var x = 4/3, var y = (1.5625 * 2 + 0.5625 +
  // 3.0625) / 3 = 6.75 / 3 = 2.25, cov = (1.25 - 1.25 - 0.75 + 1.75) / 3 = 1/3.
  const auto points = f64({0, 0, 2, 0, 0, 2, 2, 3}).view({4, 2}).to(torch::kFloat32);
  const auto s = gaussian_statistics(points);
  EXPECT_EQ(s.count, 4);
  ASSERT_EQ(s.mean.scalar_type(), torch::kFloat64);
  EXPECT_NEAR(s.mean[0].item<double>(), 1.0, 1e-12);
  EXPECT_NEAR(s.mean[1].item<double>(), 1.25, 1e-12);
  EXPECT_NEAR(s.covariance[0][0].item<double>(), 4.0 / 3.0, 1e-12);
  EXPECT_NEAR(s.covariance[1][1].item<double>(), 2.25, 1e-12);
  EXPECT_NEAR(s.covariance[0][1].item<double>(), 1.0 / 3.0, 1e-12);
  EXPECT_EQ(s.covariance[0][1].item<double>(), s.covariance[1][0].item<double>());
}

TEST(FrechetDistance, SampleEstimatesApproachTheExactValue) {
  // 20,000 draws each of N((1, -1), diag(4, 1)) and N((2, 1), [[2, 1], [1, 2]]) (via Cholesky
  // factors): the distance of their estimates is near the hand-worked 5.7712 of the 2x2 test.
  auto generator = at::detail::createCPUGenerator(5);
  const int n = 20000;
  const auto l1 = torch::linalg_cholesky(matrix2(4, 0, 0, 1));
  const auto l2 = torch::linalg_cholesky(matrix2(2, 1, 1, 2));
  const auto x1 = torch::matmul(torch::randn({n, 2}, generator, torch::kFloat64), l1.t()) + f64({1.0, -1.0});
  const auto x2 = torch::matmul(torch::randn({n, 2}, generator, torch::kFloat64), l2.t()) + f64({2.0, 1.0});
  const double d = frechet_distance(gaussian_statistics(x1), gaussian_statistics(x2));
  EXPECT_NEAR(d, 14.0 - 2.0 * std::sqrt(10.0 + 2.0 * std::sqrt(12.0)), 0.15);
  // Two draws of the same Gaussian: small, and smaller with more points (the bias of finite N).
  const auto y1 = torch::matmul(torch::randn({n, 2}, generator, torch::kFloat64), l2.t());
  const auto y2 = torch::matmul(torch::randn({n, 2}, generator, torch::kFloat64), l2.t());
  const double same = frechet_distance(gaussian_statistics(y1), gaussian_statistics(y2));
  const double same_small = frechet_distance(gaussian_statistics(y1.slice(0, 0, 200)),
                                             gaussian_statistics(y2.slice(0, 0, 200)));
  EXPECT_LT(same, 0.01);
  EXPECT_LT(same, same_small);
}

TEST(FrechetDistance, RefusesBadInputs) {
  const auto zero2 = f64({0.0, 0.0}), zero3 = f64({0.0, 0.0, 0.0});
  EXPECT_THROW(frechet_distance(zero2, torch::eye(2, torch::kFloat64), zero3, torch::eye(3, torch::kFloat64)),
               std::invalid_argument);
  EXPECT_THROW(frechet_distance(zero2, torch::eye(3, torch::kFloat64), zero2, torch::eye(2, torch::kFloat64)),
               std::invalid_argument);
  EXPECT_THROW(frechet_distance(f64({NAN, 0.0}), torch::eye(2, torch::kFloat64), zero2, torch::eye(2, torch::kFloat64)),
               std::invalid_argument);
  EXPECT_THROW(gaussian_statistics(torch::zeros({1, 4})), std::invalid_argument);
  EXPECT_THROW(gaussian_statistics(torch::zeros({4})), std::invalid_argument);
  EXPECT_THROW(gaussian_statistics(torch::full({3, 2}, INFINITY)), std::invalid_argument);
  EXPECT_THROW(gaussian_statistics(torch::zeros({3, 2}, torch::kInt64)), std::invalid_argument);
}

}  // namespace
