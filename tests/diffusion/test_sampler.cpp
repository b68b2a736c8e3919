// The reverse loop with the exact denoiser: landing on the data, common random numbers,
// zero terminal SNR, cancellation, and a statistical check on a two-point dataset.
#include <cmath>
#include <stdexcept>
#include <vector>

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "diffusion/exact_denoiser.hpp"
#include "diffusion/noise.hpp"
#include "diffusion/sampler.hpp"
#include "diffusion/sampling_steps.hpp"
#include "diffusion/schedule.hpp"

using namespace diffusion;

namespace {

ReverseConfig config_of(SigmaKind kind, double eta = 0.0) {
  ReverseConfig c;
  c.sigma = kind;
  c.eta = eta;
  return c;
}

// Distance from each sample to its nearest training point.
torch::Tensor nearest_distance(const torch::Tensor& x, const torch::Tensor& train) {
  return torch::cdist(x.to(torch::kFloat64), train.to(torch::kFloat64)).amin(1);
}

}  // namespace

TEST(Sampler, DeterministicExactSamplingLandsOnTrainingPoints) {
  // sigma = 0 (DDIM eta = 0) with the exact denoiser, from x_T: every sample ends on a training
  // point (distance < 1e-3), on the full chain and on 100 leading-spaced steps (which end at t = 1).
  // The last step returns E[x0 | x_1], whose noise scale is sqrt(1 - ab_1) = 0.01: training points
  // closer than a few times that are not told apart, so they sit on a jittered grid, >= 0.3 apart.
  NoiseSource data(51);
  const auto grid = torch::linspace(-1.5, 1.5, 7);
  const auto train =
      torch::stack({grid.repeat_interleave(7), grid.repeat({7})}, 1) + 0.1 * data.normal({49, 2}).clamp(-1, 1);
  const auto gaps = torch::cdist(train, train) + 10.0 * torch::eye(49);
  ASSERT_GT(gaps.min().item<double>(), 0.29);
  const ExactDenoiser exact(train);
  const Schedule schedule{ScheduleParams{}};
  const auto config = config_of(SigmaKind::DDIM, 0.0);
  for (int K : {1000, 100}) {
    NoiseSource noise(52);
    const auto x_T = noise.normal({500, 2});
    const auto steps = sampling_steps(schedule, K, Spacing::Leading);
    ASSERT_EQ(steps.back().t, 1);
    const auto x0 = run_reverse(x_T, steps, make_exact_denoiser(exact, config), config, noise);
    EXPECT_LT(nearest_distance(x0, train).max().item<double>(), 1e-3) << "K = " << K;
  }
}

TEST(Sampler, StochasticExactSamplingOnTwoPointsSplitsEvenly) {
  // Dataset {-1, +1} (1-D), full 1000-step linear schedule, sigma small, 4000 samples. Every
  // sample must end within 1e-3 of -1 or +1, and the fraction at +1 must be 1/2 within 5 standard
  // errors (sd of the fraction sqrt(1/4 / 4000) = 0.0079, so |fraction - 0.5| < 0.04).
  const auto train = torch::tensor({-1.0f, 1.0f}).reshape({2, 1});
  const ExactDenoiser exact(train);
  const Schedule schedule{ScheduleParams{}};
  const auto config = config_of(SigmaKind::Small);
  NoiseSource noise(53);
  const int n = 4000;
  const auto x0 = run_reverse(noise.normal({n, 1}), sampling_steps(schedule, 0, Spacing::Leading),
                              make_exact_denoiser(exact, config), config, noise);
  EXPECT_LT(nearest_distance(x0, train).max().item<double>(), 1e-3);
  const double positive = x0.gt(0).to(torch::kFloat64).mean().item<double>();
  EXPECT_NEAR(positive, 0.5, 5 * std::sqrt(0.25 / n));
}

TEST(Sampler, EqualSeedsGiveCommonRandomNumbersAcrossSigmaChoices) {
  // DDIM with eta = 1 on consecutive steps is DDPM with beta_tilde; with the same seed the two
  // runs see the same z at every step, so the samples agree to rounding (float64: 1e-9).
  NoiseSource data(54);
  const auto train = data.normal({64, 2}).to(torch::kFloat64);
  const ExactDenoiser exact(train);
  const Schedule schedule{ScheduleParams{}};
  const auto steps = sampling_steps(schedule, 0, Spacing::Leading);
  const auto ddim = config_of(SigmaKind::DDIM, 1.0), small = config_of(SigmaKind::Small);
  NoiseSource noise_a(55), noise_b(55);
  const auto x_T = NoiseSource(56).normal({300, 2}).to(torch::kFloat64);
  const auto a = run_reverse(x_T, steps, make_exact_denoiser(exact, ddim), ddim, noise_a);
  const auto b = run_reverse(x_T, steps, make_exact_denoiser(exact, small), small, noise_b);
  EXPECT_EQ(a.scalar_type(), torch::kFloat64);
  EXPECT_LT((a - b).abs().max().item<double>(), 1e-9);
}

TEST(Sampler, DrawsOneZPerNonFinalStepWhateverSigma) {
  // Even deterministic DDIM consumes one draw of x's shape per non-final step, so a following
  // draw matches a source that made exactly K - 1 such draws.
  const auto train = torch::tensor({-1.0f, 1.0f}).reshape({2, 1});
  const ExactDenoiser exact(train);
  const Schedule schedule{ScheduleParams{}};
  const auto steps = sampling_steps(schedule, 20, Spacing::Trailing);
  const auto config = config_of(SigmaKind::DDIM, 0.0);
  NoiseSource used(57), reference(57);
  const auto x_T = NoiseSource(58).normal({10, 1});
  run_reverse(x_T, steps, make_exact_denoiser(exact, config), config, used);
  for (std::size_t i = 0; i + 1 < steps.size(); ++i) reference.normal({10, 1});
  EXPECT_TRUE(torch::equal(used.normal({10, 1}), reference.normal({10, 1})));
}

TEST(Sampler, ZeroTerminalSnrGivesFiniteSamples) {
  // alpha_bar_T = 0: the exact denoiser predicts x0 directly, so every sigma choice stays finite,
  // on the full chain and on trailing-spaced steps (which start at T).
  ScheduleParams p;
  p.zero_terminal_snr = true;
  const Schedule schedule(p);
  NoiseSource data(59);
  const auto train = data.normal({100, 2});
  const ExactDenoiser exact(train);
  for (int K : {0, 25}) {
    const auto steps = sampling_steps(schedule, K, Spacing::Trailing);
    ASSERT_EQ(steps.front().t, 1000);
    for (auto kind : {SigmaKind::Small, SigmaKind::Large, SigmaKind::Interpolated, SigmaKind::DDIM}) {
      const auto config = config_of(kind, 0.5);
      NoiseSource noise(60);
      const auto x0 = run_reverse(noise.normal({200, 2}), steps, make_exact_denoiser(exact, config),
                                  config, noise);
      EXPECT_TRUE(torch::isfinite(x0).all().item<bool>()) << "K = " << K << " " << to_string(kind);
    }
  }
}

TEST(Sampler, ExactDenoiserServesStepsWithoutNoise) {
  // sigmoid start -10, tau 0.05: alpha_bar_t = 1 exactly for the first half of t. The exact
  // denoiser used to throw "alpha_bar = 1 must lie in [0, 1)" there; now x0_hat = x_t.
  ScheduleParams params;
  params.kind = ScheduleKind::Sigmoid;
  params.T = 100;
  params.sigmoid_start = -10;
  params.sigmoid_tau = 0.05;
  const Schedule schedule(params);
  ASSERT_EQ(schedule.alpha_bar(1), 1.0);
  const ExactDenoiser exact(torch::tensor({{1.0, 0.0}, {-1.0, 0.0}}, torch::kFloat64));
  for (const SigmaKind sigma : {SigmaKind::Small, SigmaKind::Large, SigmaKind::DDIM}) {
    ReverseConfig config;
    config.sigma = sigma;
    NoiseSource noise(3);
    const auto x_T = noise.normal({64, 2}).to(torch::kFloat64);
    const auto out = run_reverse(x_T, sampling_steps(schedule, 0, Spacing::Leading), make_exact_denoiser(exact, config),
                                 config, noise);
    ASSERT_TRUE(torch::isfinite(out).all().item<bool>());
    // Every sample is one of the two training points (the noisy half of the chain decides).
    EXPECT_LT((out.select(1, 0).abs() - 1.0).abs().max().item<double>(), 1e-6) << to_string(sigma);
  }
}

TEST(Sampler, CallbackSeesEveryStepAndCanStop) {
  const auto train = torch::tensor({-1.0f, 1.0f}).reshape({2, 1});
  const ExactDenoiser exact(train);
  const Schedule schedule{ScheduleParams{}};
  const auto steps = sampling_steps(schedule, 10, Spacing::Linspace);
  const auto config = config_of(SigmaKind::Large);
  int denoiser_calls = 0;
  const auto inner = make_exact_denoiser(exact, config);
  const Denoiser counting = [&](const torch::Tensor& x, const SamplingStep& step) {
    ++denoiser_calls;
    return inner(x, step);
  };
  std::vector<int> seen;
  torch::Tensor at_stop;
  NoiseSource noise(61);
  const auto x = run_reverse(noise.normal({5, 1}), steps, counting, config, noise,
                             [&](const torch::Tensor& state, const SamplingStep& step, int index) {
                               seen.push_back(step.t);
                               at_stop = state;
                               return index < 3;
                             });
  EXPECT_EQ(denoiser_calls, 4);
  ASSERT_EQ(seen.size(), 4u);
  for (int i = 0; i < 4; ++i) EXPECT_EQ(seen[i], steps[i].t);
  EXPECT_TRUE(torch::equal(x, at_stop));
}

TEST(Sampler, RejectsBadArguments) {
  const auto train = torch::tensor({-1.0f, 1.0f}).reshape({2, 1});
  const ExactDenoiser exact(train);
  const Schedule schedule{ScheduleParams{}};
  const auto steps = sampling_steps(schedule, 10, Spacing::Linspace);
  NoiseSource noise(62);
  ReverseConfig bad;
  bad.eta = -1;
  EXPECT_THROW(make_exact_denoiser(exact, bad), std::invalid_argument);
  EXPECT_THROW(run_reverse(torch::zeros({3, 1}), steps, make_exact_denoiser(exact, {}), bad, noise),
               std::invalid_argument);
  EXPECT_THROW(run_reverse(torch::zeros({3, 1}), {}, make_exact_denoiser(exact, {}), {}, noise),
               std::invalid_argument);
}
