// The learned model as a sampler Denoiser: conditioned on log-SNR only (the same level from any
// schedule gives the same eps_hat), clamping, zero terminal SNR, and a short trained run whose
// samples move towards the data.
#include <cmath>
#include <vector>

#include <ATen/CPUGeneratorImpl.h>
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "diffusion/datasets2d.hpp"
#include "diffusion/log_snr.hpp"
#include "diffusion/model_denoiser.hpp"
#include "diffusion/point_training.hpp"
#include "diffusion/sampler.hpp"
#include "diffusion/sampling_steps.hpp"
#include "diffusion/schedule.hpp"
#include "diffusion/sliced_wasserstein.hpp"
#include "point_model_test_util.hpp"

using namespace diffusion;
using diffusion::test::random_point_model;

namespace {

const SamplingStep& step_at(const std::vector<SamplingStep>& steps, int t) {
  for (const auto& step : steps)
    if (step.t == t) return step;
  throw std::runtime_error("no step at t = " + std::to_string(t));
}

std::vector<float> as_vector(const torch::Tensor& x) {
  const auto c = x.contiguous().to(torch::kFloat32);
  return std::vector<float>(c.data_ptr<float>(), c.data_ptr<float>() + c.numel());
}

}  // namespace

TEST(ModelDenoiser, SameLogSnrSameEpsWhateverTheSchedule) {
  // Linear T = 1000 at t = 400; the same chain respaced to 50 linspace steps (other betas, same
  // alpha_bar at the same t); and a constant-beta schedule with T = 200 whose beta is chosen so
  // that its alpha_bar at t' = 100 equals the linear one: (1 - beta)^100 = ab, i.e.
  // beta = -expm1(log(ab) / 100).
  auto model = random_point_model(71);
  const ReverseConfig config;
  const auto denoiser = make_model_denoiser(model, config);
  const Schedule linear{ScheduleParams{}};
  const auto full = sampling_steps(linear, 0, Spacing::Leading);
  const auto respaced = sampling_steps(linear, 50, Spacing::Linspace);
  const SamplingStep* in_respaced = nullptr;
  for (const auto& step : respaced)
    if (step.t > 300 && step.t < 700) in_respaced = &step;
  ASSERT_NE(in_respaced, nullptr);
  const int t = in_respaced->t;
  const SamplingStep& in_full = step_at(full, t);
  ASSERT_NE(in_full.beta, in_respaced->beta);

  ScheduleParams constant;
  constant.kind = ScheduleKind::Constant;
  constant.T = 200;
  constant.beta = -std::expm1(std::log(linear.alpha_bar(t)) / 100.0);
  const Schedule flat{constant};
  const auto flat_steps = sampling_steps(flat, 0, Spacing::Leading);
  const SamplingStep& in_flat = step_at(flat_steps, 100);
  ASSERT_NEAR(in_flat.alpha_bar, in_full.alpha_bar, 1e-12);

  const auto x_t = torch::randn({300, 2}, at::detail::createCPUGenerator(72), torch::TensorOptions());
  const auto eps_full = denoiser(x_t, in_full).eps;
  EXPECT_LT((denoiser(x_t, *in_respaced).eps - eps_full).abs().max().item<double>(), 1e-6);
  EXPECT_LT((denoiser(x_t, in_flat).eps - eps_full).abs().max().item<double>(), 1e-5);
  // And it is the model at that level: lambda = log(ab / (1 - ab)), computed here directly.
  const double ab = linear.alpha_bar(t);
  const auto direct = predict_eps(model, x_t, std::log(ab / (1.0 - ab)));
  EXPECT_LT((direct - eps_full).abs().max().item<double>(), 1e-5);
  // A different level gives a different prediction (the check above is not vacuous).
  EXPECT_GT((denoiser(x_t, step_at(full, t + 100)).eps - eps_full).abs().max().item<double>(), 1e-3);
}

TEST(ModelDenoiser, LevelsOutsideTheTrainingRangeAreClamped) {
  auto model = random_point_model(73);
  const auto x = torch::randn({50, 2});
  // beta_1 = 1e-9: lambda_1 = log((1 - 1e-9) / 1e-9) = 20.7 > 14.
  ScheduleParams params;
  params.beta_start = 1e-9;
  const Schedule schedule{params};
  const auto steps = sampling_steps(schedule, 0, Spacing::Leading);
  ASSERT_GT(std::log(schedule.alpha_bar(1) / schedule.one_minus_alpha_bar(1)), kModelLogSnrMax);
  const auto eps = make_model_denoiser(model, ReverseConfig{})(x, steps.back()).eps;
  EXPECT_TRUE(torch::equal(eps, predict_eps(model, x, kModelLogSnrMax)));
  EXPECT_TRUE(torch::equal(predict_eps(model, x, 1e6), predict_eps(model, x, kModelLogSnrMax)));
  EXPECT_THROW(predict_eps(model, x, std::nan("")), std::domain_error);
}

TEST(ModelDenoiser, ZeroTerminalSnrUsesTheReferenceLevel) {
  // At alpha_bar_T = 0 x0_hat comes from the model at lambda = -6:
  // x0 = (x - sqrt(1 - ab) eps) / sqrt(ab) with ab = 1 / (1 + e^6).
  auto model = random_point_model(74);
  ScheduleParams params;
  params.zero_terminal_snr = true;
  const Schedule schedule{params};
  const auto steps = sampling_steps(schedule, 20, Spacing::Trailing);
  ASSERT_EQ(steps.front().alpha_bar, 0.0);
  const auto x = torch::randn({40, 2}, torch::kFloat64);
  const auto pred = make_model_denoiser(model, ReverseConfig{})(x, steps.front());
  const double ab = 1.0 / (1.0 + std::exp(6.0));
  const auto eps = predict_eps(model, x, -6.0);
  const auto expected = (x - std::sqrt(1.0 - ab) * eps) / std::sqrt(ab);
  EXPECT_LT((pred.x0 - expected).abs().max().item<double>(), 1e-9);
  // The whole run stays finite.
  NoiseSource noise(75);
  ReverseConfig ddim;
  ddim.sigma = SigmaKind::DDIM;
  const auto out = run_reverse(noise.normal({100, 2}), steps, make_model_denoiser(model, ddim), ddim, noise);
  EXPECT_TRUE(torch::isfinite(out).all().item<bool>());
}

TEST(ModelDenoiser, ABrieflyTrainedModelSamplesLikeTheData) {
  // 600 steps (batch 256) on 8 Gaussians, then the 1000-step linear schedule respaced to 200
  // steps with sigma = beta_tilde, from x_T. Sliced Wasserstein distances to 1000 fresh data
  // points: x_T itself scores 0.29 and another 1000-point data draw 0.064 (sampling noise); the
  // samples must land below 0.12 (measured: 0.057).
  PointTrainingConfig config;
  config.dataset = Dataset2DKind::EightGaussians;
  config.batch_size = 256;
  config.planned_steps = 600;
  config.data_pool = 20000;
  config.seed = 3;
  PointTrainer trainer(PointModelConfig{6, 8, 32, 2}, config, torch::kCPU);
  for (int i = 0; i < 600; ++i) trainer.step();
  const auto model = trainer.ema_model();
  const Schedule schedule{ScheduleParams{}};
  const ReverseConfig small;
  NoiseSource noise(81);
  const auto x_T = noise.normal({1000, 2});
  const auto samples =
      run_reverse(x_T, sampling_steps(schedule, 200, Spacing::Leading), make_model_denoiser(model, small), small, noise);
  const auto data = make_dataset2d(Dataset2DKind::EightGaussians, 1000, 4242).xy;
  const auto other_data = make_dataset2d(Dataset2DKind::EightGaussians, 1000, 4343).xy;
  const double before = sliced_wasserstein_2d(as_vector(x_T), data);
  const double after = sliced_wasserstein_2d(as_vector(samples), data);
  const double floor = sliced_wasserstein_2d(other_data, data);
  EXPECT_GT(before, 0.2);
  EXPECT_LT(after, 0.12) << "x_T scores " << before << ", another data draw " << floor;
}
