// One reverse step: parametrisations, posterior mean, sigma choices, DDIM, respaced steps.
// Expected values are computed here from an independent linear schedule.
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "../support/tensor_difference.hpp"
#include <torch/torch.h>

#include "diffusion/forward_process.hpp"
#include "diffusion/noise.hpp"
#include "diffusion/reverse_process.hpp"
#include "diffusion/sampling_steps.hpp"
#include "diffusion/schedule.hpp"

using namespace diffusion;

namespace {

constexpr int kT = 1000;

// alpha_bar_t of the linear schedule 1e-4..0.02, T = 1000, computed without the code under test.
std::vector<double> reference_alpha_bar() {
  std::vector<double> ab(kT + 1, 1.0);
  for (int t = 1; t <= kT; ++t) ab[t] = ab[t - 1] * (1.0 - (1e-4 + (0.02 - 1e-4) * (t - 1) / (kT - 1)));
  return ab;
}

// A step from t down to t_prev built by hand (consecutive when t_prev = t - 1, respaced otherwise).
SamplingStep make_step(const std::vector<double>& ab, int t, int t_prev) {
  SamplingStep s;
  s.t = t;
  s.t_prev = t_prev;
  s.alpha_bar = ab[t];
  s.alpha_bar_prev = ab[t_prev];
  s.one_minus_alpha_bar = 1.0 - ab[t];
  s.one_minus_alpha_bar_prev = 1.0 - ab[t_prev];
  s.beta = 1.0 - ab[t] / ab[t_prev];
  return s;
}

using diffuscope::testing::max_abs_diff;

ReverseConfig config_of(SigmaKind kind, double eta = 0.0, double v = 0.5) {
  ReverseConfig c;
  c.sigma = kind;
  c.eta = eta;
  c.interpolation = v;
  return c;
}

// Pairs (t, t_prev): consecutive steps including the first and last, and respaced ones.
const std::vector<std::pair<int, int>> kStepPairs = {
    {1, 0}, {2, 1}, {500, 499}, {1000, 999}, {21, 1}, {20, 0}, {1000, 950}, {600, 100}};

}  // namespace

TEST(ReverseProcess, SigmaKindNamesRoundTrip) {
  for (auto kind : {SigmaKind::Small, SigmaKind::Large, SigmaKind::Interpolated, SigmaKind::DDIM})
    EXPECT_EQ(parse_sigma_kind(to_string(kind)), kind);
  EXPECT_EQ(parse_sigma_kind("ddpm"), std::nullopt);
}

TEST(ReverseProcess, ValidateNamesTheBadField) {
  auto expect_named = [](ReverseConfig c, const std::string& field) {
    try {
      validate(c);
      ADD_FAILURE() << "expected std::invalid_argument for " << field;
    } catch (const std::invalid_argument& e) {
      EXPECT_NE(std::string(e.what()).find(field), std::string::npos) << e.what();
    }
  };
  const double nan = std::numeric_limits<double>::quiet_NaN();
  ReverseConfig c;
  c.eta = -0.1; expect_named(c, "eta");
  c.eta = 1.5; expect_named(c, "eta");
  c.eta = nan; expect_named(c, "eta");
  c = {}; c.interpolation = 2; expect_named(c, "interpolation");
  c = {}; c.interpolation = nan; expect_named(c, "interpolation");
  c = {}; c.clip_min = 1; c.clip_max = 1; expect_named(c, "clip_min");
  c = {}; c.clip_max = nan; expect_named(c, "clip_max");
  EXPECT_NO_THROW(validate(ReverseConfig{}));
  // Every entry point validates, so a bad config never reaches the arithmetic.
  const auto ab = reference_alpha_bar();
  c = {}; c.eta = 2;
  EXPECT_THROW(reverse_sigma(make_step(ab, 10, 9), c), std::invalid_argument);
  const auto x = torch::zeros({2, 2});
  EXPECT_THROW(reverse_step(x, {x, x}, make_step(ab, 10, 9), c, x), std::invalid_argument);
}

TEST(ReverseProcess, X0AndEpsParametrisationsMatchFormulas) {
  // float64: 1e-12 relative to the magnitudes involved.
  const auto ab = reference_alpha_bar();
  NoiseSource noise(21);
  const auto x_t = noise.normal({32, 2}).to(torch::kFloat64);
  const auto eps = noise.normal({32, 2}).to(torch::kFloat64);
  for (auto [t, t_prev] : kStepPairs) {
    const auto step = make_step(ab, t, t_prev);
    const auto x0 = predict_x0_from_eps(x_t, eps, step);
    const auto expected = (x_t - std::sqrt(1.0 - ab[t]) * eps) / std::sqrt(ab[t]);
    const double scale = expected.abs().max().item<double>();
    EXPECT_LT(max_abs_diff(x0, expected), 1e-12 * scale) << "t = " << t;
    EXPECT_LT(max_abs_diff(predict_eps_from_x0(x_t, x0, step), eps), 1e-12 * scale) << "t = " << t;
  }
}

TEST(ReverseProcess, EpsFromX0AtZeroAlphaBarPointsToX0Prediction) {
  SamplingStep step;
  step.t = 1000; step.t_prev = 999;
  step.alpha_bar = 0.0; step.one_minus_alpha_bar = 1.0;
  step.alpha_bar_prev = 0.01; step.one_minus_alpha_bar_prev = 0.99; step.beta = 1.0;
  const auto x = torch::ones({3, 2});
  try {
    predict_x0_from_eps(x, x, step);
    FAIL() << "expected std::domain_error";
  } catch (const std::domain_error& e) {
    EXPECT_NE(std::string(e.what()).find("x0"), std::string::npos) << e.what();
  }
  EXPECT_THROW(prediction_from_eps(x, x, step, {}), std::domain_error);
  // An x0 prediction is fine there: eps = x_t / 1.
  const auto pred = prediction_from_x0(x, torch::zeros({3, 2}), step, {});
  EXPECT_TRUE(torch::allclose(pred.eps, x));
}

TEST(ReverseProcess, PosteriorMeanMatchesFormula) {
  const auto ab = reference_alpha_bar();
  NoiseSource noise(22);
  const auto x_t = noise.normal({32, 2}).to(torch::kFloat64);
  const auto x0 = noise.normal({32, 2}).to(torch::kFloat64);
  for (auto [t, t_prev] : kStepPairs) {
    const double beta = 1.0 - ab[t] / ab[t_prev];
    const auto expected = std::sqrt(ab[t_prev]) * beta / (1.0 - ab[t]) * x0 +
                          std::sqrt(1.0 - beta) * (1.0 - ab[t_prev]) / (1.0 - ab[t]) * x_t;
    EXPECT_LT(max_abs_diff(posterior_mean(x_t, x0, make_step(ab, t, t_prev)), expected), 1e-12)
        << "t = " << t << ", t_prev = " << t_prev;
  }
}

TEST(ReverseProcess, EpsFormMeanEqualsPosteriorMeanAtX0Hat) {
  // float64: 1e-12 absolute (values are O(1)); float32: 2e-5 absolute.
  const auto ab = reference_alpha_bar();
  NoiseSource noise(23);
  const auto x_t = noise.normal({256, 2});
  const auto eps = noise.normal({256, 2});
  for (auto [t, t_prev] : kStepPairs) {
    const auto step = make_step(ab, t, t_prev);
    for (auto dtype : {torch::kFloat64, torch::kFloat32}) {
      const auto xt = x_t.to(dtype), e = eps.to(dtype);
      const auto eps_form = posterior_mean_from_eps(xt, e, step);
      const auto x0_form = posterior_mean(xt, predict_x0_from_eps(xt, e, step), step);
      EXPECT_EQ(eps_form.scalar_type(), dtype);
      const double tol = dtype == torch::kFloat64 ? 1e-12 : 2e-5;
      EXPECT_LT(max_abs_diff(eps_form, x0_form), tol) << "t = " << t << ", t_prev = " << t_prev;
    }
  }
}

TEST(ReverseProcess, SigmaChoicesMatchFormulas) {
  const auto ab = reference_alpha_bar();
  for (auto [t, t_prev] : kStepPairs) {
    const auto step = make_step(ab, t, t_prev);
    const double beta = 1.0 - ab[t] / ab[t_prev];
    const double beta_tilde = (1.0 - ab[t_prev]) / (1.0 - ab[t]) * beta;
    const double tol = 1e-12 * std::sqrt(beta);
    if (t_prev == 0) {
      // The last step adds no noise, whatever the choice.
      for (auto kind : {SigmaKind::Small, SigmaKind::Large, SigmaKind::Interpolated, SigmaKind::DDIM})
        EXPECT_EQ(reverse_sigma(step, config_of(kind, 1.0)), 0.0) << to_string(kind);
      continue;
    }
    EXPECT_NEAR(reverse_sigma(step, config_of(SigmaKind::Small)), std::sqrt(beta_tilde), tol);
    EXPECT_NEAR(reverse_sigma(step, config_of(SigmaKind::Large)), std::sqrt(beta), tol);
    EXPECT_NEAR(reverse_sigma(step, config_of(SigmaKind::Interpolated, 0, 0.0)),
                std::sqrt(beta_tilde), tol);
    EXPECT_NEAR(reverse_sigma(step, config_of(SigmaKind::Interpolated, 0, 1.0)), std::sqrt(beta), tol);
    // v = 0.5: sigma^2 is the geometric mean of beta and beta_tilde.
    EXPECT_NEAR(reverse_sigma(step, config_of(SigmaKind::Interpolated, 0, 0.5)),
                std::sqrt(std::sqrt(beta * beta_tilde)), tol);
    EXPECT_EQ(reverse_sigma(step, config_of(SigmaKind::DDIM, 0.0)), 0.0);
    const double ddim_1 = std::sqrt((1 - ab[t_prev]) / (1 - ab[t])) * std::sqrt(1 - ab[t] / ab[t_prev]);
    EXPECT_NEAR(reverse_sigma(step, config_of(SigmaKind::DDIM, 1.0)), ddim_1, tol);
    EXPECT_NEAR(reverse_sigma(step, config_of(SigmaKind::DDIM, 0.3)), 0.3 * ddim_1, tol);
  }
}

TEST(ReverseProcess, DdimEtaOneEqualsDdpmSmallGivenTheSameZ) {
  // Consecutive steps, float64: equal to 1e-12 absolute.
  const auto ab = reference_alpha_bar();
  NoiseSource noise(24);
  const auto x_t = noise.normal({64, 2}).to(torch::kFloat64);
  const auto eps = noise.normal({64, 2}).to(torch::kFloat64);
  const auto z = noise.normal({64, 2}).to(torch::kFloat64);
  for (int t : {1, 2, 3, 100, 500, 999, 1000}) {
    const auto step = make_step(ab, t, t - 1);
    const auto pred = prediction_from_eps(x_t, eps, step, {});
    const auto ddim = reverse_step(x_t, pred, step, config_of(SigmaKind::DDIM, 1.0), z);
    const auto small = reverse_step(x_t, pred, step, config_of(SigmaKind::Small), z);
    EXPECT_LT(max_abs_diff(ddim, small), 1e-12) << "t = " << t;
  }
}

TEST(ReverseProcess, StepAddsSigmaZExceptOnTheLastStep) {
  const auto ab = reference_alpha_bar();
  NoiseSource noise(25);
  const auto x_t = noise.normal({16, 3}).to(torch::kFloat64);
  const auto eps = noise.normal({16, 3}).to(torch::kFloat64);
  const auto z = noise.normal({16, 3}).to(torch::kFloat64);
  for (auto [t, t_prev] : kStepPairs) {
    const auto step = make_step(ab, t, t_prev);
    const auto pred = prediction_from_eps(x_t, eps, step, {});
    const auto mean = posterior_mean(x_t, pred.x0, step);
    const double beta = 1.0 - ab[t] / ab[t_prev];
    const double sigma = t_prev == 0 ? 0.0 : std::sqrt(beta);
    const auto large = reverse_step(x_t, pred, step, config_of(SigmaKind::Large), z);
    EXPECT_LT(max_abs_diff(large, mean + sigma * z), 1e-12) << "t = " << t;
  }
  // z may be left undefined where no noise is added.
  const auto last = make_step(ab, 1, 0);
  const auto pred = prediction_from_eps(x_t, eps, last, {});
  EXPECT_NO_THROW(reverse_step(x_t, pred, last, config_of(SigmaKind::Large), torch::Tensor()));
}

TEST(ReverseProcess, DdimMatchesFormula) {
  const auto ab = reference_alpha_bar();
  NoiseSource noise(26);
  const auto x_t = noise.normal({16, 2}).to(torch::kFloat64);
  const auto eps = noise.normal({16, 2}).to(torch::kFloat64);
  const auto z = noise.normal({16, 2}).to(torch::kFloat64);
  for (auto [t, t_prev] : kStepPairs) {
    const auto step = make_step(ab, t, t_prev);
    const auto pred = prediction_from_eps(x_t, eps, step, {});
    const double eta = 0.5;
    const double sigma = t_prev == 0 ? 0.0
        : eta * std::sqrt((1 - ab[t_prev]) / (1 - ab[t])) * std::sqrt(1 - ab[t] / ab[t_prev]);
    const auto x0 = (x_t - std::sqrt(1 - ab[t]) * eps) / std::sqrt(ab[t]);
    const auto expected = std::sqrt(ab[t_prev]) * x0 +
                          std::sqrt(1 - ab[t_prev] - sigma * sigma) * eps + sigma * z;
    const double scale = x0.abs().max().item<double>();
    EXPECT_LT(max_abs_diff(reverse_step(x_t, pred, step, config_of(SigmaKind::DDIM, eta), z), expected),
              1e-12 * scale) << "t = " << t << ", t_prev = " << t_prev;
  }
}

TEST(ReverseProcess, TrueEpsWithDdimEtaZeroRecoversX0) {
  // float64; feeding eps_t = (x_t - sqrt(ab_t) x0) / sqrt(1 - ab_t) at each step, DDIM with
  // eta = 0 must walk back to x0 exactly (1e-9 absolute after up to 1000 steps), on the full chain
  // and on respaced steps of every spacing.
  const Schedule schedule{ScheduleParams{}};
  NoiseSource noise(27);
  const auto x0 = noise.normal({128, 2}).to(torch::kFloat64) * 2.0;
  const auto eps_T = noise.normal({128, 2}).to(torch::kFloat64);
  const auto config = config_of(SigmaKind::DDIM, 0.0);
  struct Case { int K; Spacing spacing; };
  for (auto c : {Case{kT, Spacing::Leading}, Case{50, Spacing::Leading}, Case{50, Spacing::Trailing},
                 Case{50, Spacing::Linspace}, Case{7, Spacing::Trailing}}) {
    const auto steps = sampling_steps(schedule, c.K, c.spacing);
    ASSERT_FALSE(steps.empty());
    auto x = q_sample(schedule, x0, steps.front().t, eps_T);
    for (const auto& step : steps) {
      const auto true_eps = (x - std::sqrt(step.alpha_bar) * x0) / std::sqrt(step.one_minus_alpha_bar);
      x = reverse_step(x, prediction_from_eps(x, true_eps, step, config), step, config, torch::Tensor());
    }
    EXPECT_LT(max_abs_diff(x, x0), 1e-9) << "K = " << c.K << " " << to_string(c.spacing);
  }
}

TEST(ReverseProcess, ClippingKeepsEpsConsistentWithX0) {
  const auto ab = reference_alpha_bar();
  NoiseSource noise(28);
  const auto x_t = noise.normal({200, 2}).to(torch::kFloat64) * 3.0;
  const auto eps = noise.normal({200, 2}).to(torch::kFloat64);
  ReverseConfig c;
  c.clip_x0 = true;
  const auto step = make_step(ab, 300, 299);
  const auto pred = prediction_from_eps(x_t, eps, step, c);
  EXPECT_LE(pred.x0.max().item<double>(), 1.0);
  EXPECT_GE(pred.x0.min().item<double>(), -1.0);
  // Some values really were clipped, and eps now reproduces the clipped x0.
  EXPECT_GT(predict_x0_from_eps(x_t, eps, step).abs().max().item<double>(), 1.0);
  EXPECT_LT(max_abs_diff(predict_x0_from_eps(x_t, pred.eps, step), pred.x0), 1e-12);
  const auto from_x0 = prediction_from_x0(x_t, torch::full({200, 2}, 5.0, torch::kFloat64), step, c);
  EXPECT_TRUE(torch::all(from_x0.x0.eq(1.0)).item<bool>());
}

TEST(ReverseProcess, WorksOnImageShapedFloat32Tensors) {
  const auto ab = reference_alpha_bar();
  NoiseSource noise(29);
  const auto x_t = noise.normal({3, 1, 8, 8});
  const auto eps = noise.normal({3, 1, 8, 8});
  const auto z = noise.normal({3, 1, 8, 8});
  for (auto kind : {SigmaKind::Small, SigmaKind::Large, SigmaKind::Interpolated, SigmaKind::DDIM}) {
    const auto step = make_step(ab, 400, 380);
    const auto out = reverse_step(x_t, prediction_from_eps(x_t, eps, step, {}), step,
                                  config_of(kind, 0.5), z);
    EXPECT_EQ(out.sizes(), x_t.sizes());
    EXPECT_EQ(out.scalar_type(), torch::kFloat32);
    EXPECT_TRUE(torch::isfinite(out).all().item<bool>());
  }
}

TEST(ReverseProcess, ZeroTerminalSnrStepIsFiniteWithX0Prediction) {
  ScheduleParams p;
  p.zero_terminal_snr = true;
  const Schedule schedule(p);
  const auto steps = sampling_steps(schedule, 0, Spacing::Leading);
  const auto& first = steps.front();
  ASSERT_EQ(first.t, kT);
  ASSERT_EQ(first.alpha_bar, 0.0);
  NoiseSource noise(30);
  const auto x_t = noise.normal({32, 2});
  const auto z = noise.normal({32, 2});
  const auto pred = prediction_from_x0(x_t, torch::zeros({32, 2}), first, {});
  for (auto kind : {SigmaKind::Small, SigmaKind::Large, SigmaKind::Interpolated, SigmaKind::DDIM}) {
    const auto out = reverse_step(x_t, pred, first, config_of(kind, 1.0), z);
    EXPECT_TRUE(torch::isfinite(out).all().item<bool>()) << to_string(kind);
  }
}
