// Forward processes: formulas against independently computed coefficients, and the closed form
// against the iterated Markov chain in distribution.
#include <cmath>
#include <stdexcept>
#include <vector>

#include <gtest/gtest.h>

#include "../support/tensor_difference.hpp"
#include <torch/torch.h>

#include "diffusion/forward_process.hpp"
#include "diffusion/noise.hpp"
#include "diffusion/schedule.hpp"

using namespace diffusion;

namespace {

// Linear betas and their cumulative products, computed here without the code under test.
struct Reference {
  std::vector<double> beta, alpha_bar;
};
Reference linear_reference(int T, double beta_1, double beta_T) {
  Reference r;
  r.beta.assign(T + 1, 0.0);
  r.alpha_bar.assign(T + 1, 1.0);
  for (int t = 1; t <= T; ++t) {
    r.beta[t] = beta_1 + (beta_T - beta_1) * (t - 1) / (T - 1);
    r.alpha_bar[t] = r.alpha_bar[t - 1] * (1.0 - r.beta[t]);
  }
  return r;
}

Schedule default_linear() { return Schedule(ScheduleParams{}); }  // linear 1e-4..0.02, T = 1000

using diffuscope::testing::max_abs_diff;

// x0 ~ uniform on {-1, 3}: mean 1, variance 4 (deliberately not Gaussian).
torch::Tensor two_point_x0(NoiseSource& noise, int n) {
  return noise.integers(0, 1, {n}).to(torch::kFloat64) * 4.0 - 1.0;
}

struct Moments {
  double mean, var, se_mean, se_var;
};
// Sample mean and variance with their standard errors (the variance's from the sample's own
// fourth central moment: Var(s^2) ~ (m4 - s^4) / n).
Moments moments(const torch::Tensor& x_any) {
  const auto x = x_any.to(torch::kFloat64).flatten();
  const double n = x.numel();
  const double mean = x.mean().item<double>();
  const auto c = x - mean;
  const double var = c.pow(2).mean().item<double>();
  const double m4 = c.pow(4).mean().item<double>();
  return {mean, var, std::sqrt(var / n), std::sqrt(std::max(m4 - var * var, 0.0) / n)};
}

}  // namespace

TEST(ForwardProcess, ClosedFormMatchesFormula) {
  const auto schedule = default_linear();
  const auto ref = linear_reference(1000, 1e-4, 0.02);
  NoiseSource noise(11);
  const auto x0 = noise.normal({64, 2}).to(torch::kFloat64);
  const auto eps = noise.normal({64, 2}).to(torch::kFloat64);
  for (int t : {1, 2, 250, 999, 1000}) {
    const auto expected = std::sqrt(ref.alpha_bar[t]) * x0 + std::sqrt(1.0 - ref.alpha_bar[t]) * eps;
    EXPECT_LT(max_abs_diff(q_sample(schedule, x0, t, eps), expected), 1e-12) << "t = " << t;
  }
  EXPECT_TRUE(torch::equal(q_sample(schedule, x0, 0, eps), x0));
}

TEST(ForwardProcess, KeepsDtypeAndShape) {
  const auto schedule = default_linear();
  NoiseSource noise(12);
  const auto x0 = noise.normal({3, 1, 4, 4});
  const auto xt = q_sample(schedule, x0, 500, noise.normal({3, 1, 4, 4}));
  EXPECT_EQ(xt.scalar_type(), torch::kFloat32);
  EXPECT_EQ(xt.sizes(), x0.sizes());
}

TEST(ForwardProcess, PerSampleTimestepsMatchScalarTimesteps) {
  const auto schedule = default_linear();
  NoiseSource noise(13);
  const auto x0 = noise.normal({5, 1, 3, 3}).to(torch::kFloat64);
  const auto eps = noise.normal({5, 1, 3, 3}).to(torch::kFloat64);
  const std::vector<std::int64_t> ts = {1, 17, 500, 999, 1000};
  const auto batched = q_sample(schedule, x0, torch::tensor(ts), eps);
  for (int i = 0; i < 5; ++i) {
    const auto single = q_sample(schedule, x0[i], static_cast<int>(ts[i]), eps[i]);
    EXPECT_LT(max_abs_diff(batched[i], single), 1e-15) << "t = " << ts[i];
  }
}

TEST(ForwardProcess, MarkovStepMatchesFormula) {
  const auto schedule = default_linear();
  const auto ref = linear_reference(1000, 1e-4, 0.02);
  NoiseSource noise(14);
  const auto x = noise.normal({100}).to(torch::kFloat64);
  const auto eps = noise.normal({100}).to(torch::kFloat64);
  for (int t : {1, 500, 1000}) {
    const auto expected = std::sqrt(1.0 - ref.beta[t]) * x + std::sqrt(ref.beta[t]) * eps;
    EXPECT_LT(max_abs_diff(q_step(schedule, x, t, eps), expected), 1e-14) << "t = " << t;
  }
}

TEST(ForwardProcess, RejectsBadArguments) {
  const auto schedule = default_linear();
  const auto x = torch::zeros({4, 2});
  EXPECT_THROW(q_sample(schedule, x, -1, x), std::invalid_argument);
  EXPECT_THROW(q_sample(schedule, x, 1001, x), std::invalid_argument);
  EXPECT_THROW(q_sample(schedule, x, 5, torch::zeros({4, 3})), std::invalid_argument);
  EXPECT_THROW(q_sample(schedule, x, torch::tensor(std::vector<std::int64_t>{1, 2, 3, 1001}), x),
               std::invalid_argument);
  EXPECT_THROW(q_sample(schedule, x, torch::tensor(std::vector<std::int64_t>{1, 2}), x),
               std::invalid_argument);
  EXPECT_THROW(q_step(schedule, x, 0, x), std::invalid_argument);
  EXPECT_THROW(naive_sample(x, -1, 0.01, x), std::invalid_argument);
  EXPECT_THROW(naive_sample(x, 5, std::nan(""), x), std::invalid_argument);
  EXPECT_THROW(naive_sample(x, 5, -0.1, x), std::invalid_argument);
}

TEST(ForwardProcess, ClosedFormAndMarkovChainAgreeInDistribution) {
  // 200k scalars, x0 uniform on {-1, 3}. Predicted: mean sqrt(ab) E[x0], variance
  // ab Var[x0] + 1 - ab. Each sample moment must lie within 5 standard errors of the prediction,
  // and the closed form and the chain within 5 combined standard errors of each other.
  const auto schedule = default_linear();
  const auto ref = linear_reference(1000, 1e-4, 0.02);
  NoiseSource noise(15);
  const int n = 200000;
  const auto x0 = two_point_x0(noise, n).to(torch::kFloat32);
  auto chain = x0.clone();
  const std::vector<int> checkpoints = {1, 10, 100, 500, 1000};
  std::size_t next = 0;
  for (int t = 1; t <= 1000 && next < checkpoints.size(); ++t) {
    chain = q_step(schedule, chain, t, noise.normal({n}));
    if (t != checkpoints[next]) continue;
    ++next;
    const auto closed = q_sample(schedule, x0, t, noise.normal({n}));
    const double ab = ref.alpha_bar[t];
    const double mean = std::sqrt(ab) * 1.0, var = ab * 4.0 + 1.0 - ab;
    const auto c = moments(closed), m = moments(chain);
    EXPECT_NEAR(c.mean, mean, 5 * c.se_mean) << "closed form, t = " << t;
    EXPECT_NEAR(m.mean, mean, 5 * m.se_mean) << "Markov chain, t = " << t;
    EXPECT_NEAR(c.var, var, 5 * c.se_var) << "closed form, t = " << t;
    EXPECT_NEAR(m.var, var, 5 * m.se_var) << "Markov chain, t = " << t;
    EXPECT_NEAR(c.mean, m.mean, 5 * std::hypot(c.se_mean, m.se_mean)) << "t = " << t;
    EXPECT_NEAR(c.var, m.var, 5 * std::hypot(c.se_var, m.se_var)) << "t = " << t;
  }
  EXPECT_EQ(next, checkpoints.size());
}

TEST(ForwardProcess, NaiveProcessMatchesFormula) {
  NoiseSource noise(16);
  const auto x0 = noise.normal({50}).to(torch::kFloat64);
  const auto eps = noise.normal({50}).to(torch::kFloat64);
  EXPECT_LT(max_abs_diff(naive_sample(x0, 300, 0.01, eps), x0 + std::sqrt(3.0) * eps), 1e-14);
  EXPECT_TRUE(torch::equal(naive_sample(x0, 0, 0.01, eps), x0));
}

TEST(ForwardProcess, NaiveProcessVarianceGrowsLikeTBeta) {
  // Variance exploding: mean stays E[x0] = 1, variance Var[x0] + t beta = 4 + t beta.
  // 200k samples; 5 standard errors.
  NoiseSource noise(17);
  const int n = 200000;
  const double beta = 0.01;
  const auto x0 = two_point_x0(noise, n);
  for (int t : {1, 10, 100, 1000, 10000}) {
    const auto m = moments(naive_sample(x0, t, beta, noise.normal({n})));
    EXPECT_NEAR(m.mean, 1.0, 5 * m.se_mean) << "t = " << t;
    EXPECT_NEAR(m.var, 4.0 + t * beta, 5 * m.se_var) << "t = " << t;
  }
}
