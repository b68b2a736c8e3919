// The learned model as a sampler Denoiser: conditioned on log-SNR only (the same level from any
// schedule gives the same prediction), the prediction targets' conversions, the rule outside the
// trained range (checked with an oracle whose x0 is known, on every extreme schedule), and a short
// trained run per target whose samples move towards the data.
#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include <ATen/CPUGeneratorImpl.h>
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "diffusion/assets.hpp"
#include "diffusion/checkpoint.hpp"
#include "diffusion/datasets2d.hpp"
#include "diffusion/exact_denoiser.hpp"
#include "diffusion/nearest_distance.hpp"
#include "diffusion/log_snr.hpp"
#include "diffusion/model_denoiser.hpp"
#include "diffusion/point_training.hpp"
#include "diffusion/prediction_target.hpp"
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
  const auto denoiser = make_model_denoiser(model, PredictionTarget::Eps, config);
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
  const auto direct = predict_output(model, x_t, std::log(ab / (1.0 - ab)));
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
  const auto eps = make_model_denoiser(model, PredictionTarget::Eps, ReverseConfig{})(x, steps.back()).eps;
  EXPECT_TRUE(torch::equal(eps, predict_output(model, x, kModelLogSnrMax)));
  EXPECT_TRUE(torch::equal(predict_output(model, x, 1e6), predict_output(model, x, kModelLogSnrMax)));
  EXPECT_THROW(predict_output(model, x, std::nan("")), std::domain_error);
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
  const auto pred = make_model_denoiser(model, PredictionTarget::Eps, ReverseConfig{})(x, steps.front());
  const double ab = 1.0 / (1.0 + std::exp(6.0));
  const auto eps = predict_output(model, x, -6.0);
  const auto expected = (x - std::sqrt(1.0 - ab) * eps) / std::sqrt(ab);
  EXPECT_LT((pred.x0 - expected).abs().max().item<double>(), 1e-9);
  // The whole run stays finite.
  NoiseSource noise(75);
  ReverseConfig ddim;
  ddim.sigma = SigmaKind::DDIM;
  const auto out =
      run_reverse(noise.normal({100, 2}), steps, make_model_denoiser(model, PredictionTarget::Eps, ddim), ddim, noise);
  EXPECT_TRUE(torch::isfinite(out).all().item<bool>());
}

class BrieflyTrained : public ::testing::TestWithParam<PredictionTarget> {};

TEST_P(BrieflyTrained, SamplesLikeTheData) {
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
  config.target = GetParam();
  PointTrainer trainer(PointModelConfig{6, 8, 32, 2}, config, torch::kCPU);
  for (int i = 0; i < 600; ++i) trainer.step();
  const auto model = trainer.ema_model();
  const Schedule schedule{ScheduleParams{}};
  const ReverseConfig small;
  NoiseSource noise(81);
  const auto x_T = noise.normal({1000, 2});
  const auto samples =
      run_reverse(x_T, sampling_steps(schedule, 200, Spacing::Leading), make_model_denoiser(model, GetParam(), small),
                  small, noise);
  const auto data = make_dataset2d(Dataset2DKind::EightGaussians, 1000, 4242).xy;
  const auto other_data = make_dataset2d(Dataset2DKind::EightGaussians, 1000, 4343).xy;
  const double before = sliced_wasserstein_2d(as_vector(x_T), data);
  const double after = sliced_wasserstein_2d(as_vector(samples), data);
  const double floor = sliced_wasserstein_2d(other_data, data);
  EXPECT_GT(before, 0.2);
  EXPECT_LT(after, 0.12) << "x_T scores " << before << ", another data draw " << floor;
}

INSTANTIATE_TEST_SUITE_P(EveryTarget, BrieflyTrained,
                         ::testing::Values(PredictionTarget::Eps, PredictionTarget::X0, PredictionTarget::V),
                         [](const auto& info) { return std::string(to_string(info.param)); });

// ---- Prediction targets and the rule outside the trained range, with an oracle ----
namespace {

// x_t = a x0 + s eps for known x0 and eps: each target's output converts back to both.
TEST(PredictionTargets, EachTargetConvertsBackToX0AndEps) {
  const auto x0 = torch::randn({64, 2}, torch::kFloat64);
  const auto eps = torch::randn({64, 2}, torch::kFloat64);
  for (const double alpha_bar : {1e-6, 0.02, 0.5, 0.97, 1.0 - 1e-6}) {
    const double a = std::sqrt(alpha_bar), s = std::sqrt(1.0 - alpha_bar);
    const auto x_t = x0 * a + eps * s;
    for (const PredictionTarget target : all_prediction_targets()) {
      const auto output = target == PredictionTarget::Eps ? eps : target == PredictionTarget::X0 ? x0 : eps * a - x0 * s;
      const TargetCoefficients c = target_coefficients(target, alpha_bar, 1.0 - alpha_bar);
      const auto x0_back = x_t * c.x0_from_xt + output * c.x0_from_output;
      const auto eps_back = x_t * c.eps_from_xt + output * c.eps_from_output;
      // Tolerances scale with the conversion's own amplification (1/a for eps, 1/s for x0).
      const double tolerance = 1e-12 * (1.0 + 1.0 / a + 1.0 / s);
      EXPECT_LT((x0_back - x0).abs().max().item<double>(), tolerance) << to_string(target) << " ab " << alpha_bar;
      EXPECT_LT((eps_back - eps).abs().max().item<double>(), tolerance) << to_string(target) << " ab " << alpha_bar;
    }
  }
  EXPECT_THROW(target_coefficients(PredictionTarget::Eps, 0.0, 1.0), std::domain_error);
  EXPECT_THROW(target_coefficients(PredictionTarget::X0, 1.0, 0.0), std::domain_error);
  EXPECT_NO_THROW(target_coefficients(PredictionTarget::V, 0.0, 1.0));
}

TEST(PredictionTargets, NamesRoundTrip) {
  for (const PredictionTarget target : all_prediction_targets())
    EXPECT_EQ(parse_prediction_target(to_string(target)), target);
  EXPECT_FALSE(parse_prediction_target("epsilon").has_value());
}

TEST(PredictionTargets, WhereTheModelIsEvaluated) {
  EXPECT_EQ(model_evaluation(PredictionTarget::V, 3.0).rule, ModelLevelRule::Direct);
  EXPECT_EQ(model_evaluation(PredictionTarget::V, 3.0).log_snr, 3.0);
  EXPECT_EQ(model_evaluation(PredictionTarget::V, 30.0).log_snr, kModelLogSnrMax);
  EXPECT_EQ(model_evaluation(PredictionTarget::Eps, 30.0).rule, ModelLevelRule::EpsAtUpperBound);
  const double minus_inf = -std::numeric_limits<double>::infinity();
  EXPECT_EQ(model_evaluation(PredictionTarget::V, minus_inf).log_snr, kModelLogSnrMin);
  EXPECT_EQ(model_evaluation(PredictionTarget::X0, -300.0).log_snr, kModelLogSnrMin);
  EXPECT_EQ(model_evaluation(PredictionTarget::Eps, -22.6).log_snr, kEpsReferenceLogSnr);
  EXPECT_EQ(model_evaluation(PredictionTarget::Eps, -22.6).rule, ModelLevelRule::X0AtLowerLevel);
  EXPECT_THROW(model_evaluation(PredictionTarget::Eps, std::nan("")), std::domain_error);
}

// A network that knows the answer: the data is the single point `center`, so at any level the
// exact x0 is `center`, eps = (x_t - a center) / s and v = a eps - s center. Run through the
// denoiser at every extreme schedule, every target must give x0_hat = center at every step; the
// old rule (clamped level, true alpha_bar) gave errors multiplied by sqrt(ab_clamped / ab_t).
ModelPredictor oracle(PredictionTarget target, torch::Tensor center) {
  return [target, center](const torch::Tensor& x_t, double log_snr) {
    EXPECT_GE(log_snr, kModelLogSnrMin);
    EXPECT_LE(log_snr, kModelLogSnrMax);
    const double a = std::sqrt(alpha_bar_from_log_snr(log_snr));
    const double s = std::sqrt(one_minus_alpha_bar_from_log_snr(log_snr));
    const auto x0 = center.expand_as(x_t);
    const auto eps = (x_t - x0 * a) / s;
    if (target == PredictionTarget::Eps) return eps;
    if (target == PredictionTarget::X0) return x0.clone();
    return eps * a - x0 * s;
  };
}

// Every family at both ends of its sliders (schedule_panel.cpp), at T from 1 to 10000, with and
// without zero terminal SNR and "scale with T"; the invalid combinations are skipped.
std::vector<ScheduleParams> extreme_schedules() {
  std::vector<ScheduleParams> out;
  for (const ScheduleKind kind : all_schedule_kinds()) {
    for (const bool high_end : {false, true}) {
      for (const int T : {1, 2, 50, 1000, 4000, 10000}) {
        for (const bool zero_terminal : {false, true}) {
          ScheduleParams p;
          p.kind = kind;
          p.T = T;
          p.zero_terminal_snr = zero_terminal;
          p.scale_with_T = high_end && T == 10000 ? false : high_end;
          p.beta_start = high_end ? 0.1 : 1e-5;
          p.beta_end = high_end ? 0.5 : 1e-4;
          p.beta = high_end ? 0.5 : 1e-5;
          p.cosine_s = high_end ? 0.5 : 1e-4;
          p.sigmoid_start = high_end ? -10.0 : 10.0;
          p.sigmoid_end = high_end ? 10.0 : -10.0;
          p.sigmoid_tau = high_end ? 0.05 : 5.0;
          try {
            Schedule{p};  // what the sliders refuse (the UI keeps the last good schedule)
          } catch (const ScheduleError&) {
            continue;
          }
          out.push_back(p);
        }
      }
    }
  }
  return out;
}

}  // namespace

TEST(PredictionTargets, X0HatIsConsistentOnEveryExtremeSchedule) {
  const auto center = torch::tensor({{1.5, -0.5}}, torch::kFloat64);
  const auto schedules = extreme_schedules();
  ASSERT_GT(schedules.size(), 40u);
  for (const PredictionTarget target : all_prediction_targets()) {
    for (const ScheduleParams& params : schedules) {
      const Schedule schedule{params};
      for (const int K : {std::min(params.T, 10), std::min(params.T, 100)}) {
        for (const SigmaKind sigma : {SigmaKind::Small, SigmaKind::Large, SigmaKind::DDIM}) {
          ReverseConfig config;
          config.sigma = sigma;
          const auto denoiser = make_learned_denoiser(oracle(target, center), target, config);
          NoiseSource noise(5);
          const auto x_T = noise.normal({16, 2}).to(torch::kFloat64);
          double worst = 0;
          const auto steps = sampling_steps(schedule, K, Spacing::Trailing);
          const auto out = run_reverse(x_T, steps, denoiser, config, noise);
          for (const auto& step : steps) {
            // Above the trained range x_t is its own x0 to within the noise (steep sigmoids keep
            // alpha_bar = 1 exactly for half of t): x0_hat = x_t there, not the oracle's point.
            if (log_snr_from_alpha_bar(step.alpha_bar, step.one_minus_alpha_bar) > kModelLogSnrMax) continue;
            const auto pred = denoiser(x_T, step);
            worst = std::max(worst, (pred.x0 - center).abs().max().item<double>());
          }
          const std::string where = std::string(to_string(target)) + " " + std::string(to_string(params.kind)) +
                                    " T " + std::to_string(params.T) + " zt " +
                                    std::to_string(params.zero_terminal_snr) + " K " + std::to_string(K) + " " +
                                    std::string(to_string(sigma)) + " beta_end " + std::to_string(params.beta_end);
          EXPECT_TRUE(torch::isfinite(out).all().item<bool>()) << where;
          EXPECT_LT(worst, 1e-6) << where;
          // The sample is the oracle's point when the last step starts inside the trained range; a
          // schedule whose last steps are all noiseless (steep sigmoids) keeps whatever noise the
          // sampler added before them, as the sampler should.
          const auto& last = steps.back();
          if (log_snr_from_alpha_bar(last.alpha_bar, last.one_minus_alpha_bar) <= kModelLogSnrMax)
            EXPECT_LT((out - center).abs().max().item<double>(), 1e-6) << where;
        }
      }
    }
  }
}

// ---- The shipped models at every slider end ----
// Every shipped model of moons, swiss_roll and 8gaussians (each target) samples every extreme
// schedule finitely; where the schedule reaches noise (alpha_bar_T < 1e-3, so x_T ~ N(0, I) is
// its own start), the default (v) models land as close to the data as the exact denoiser of 2000
// training points does with the same schedule, sampler, x_T and z (the sampler's own
// discretisation error is the exact denoiser's too): at most 2 % more samples farther than 0.3
// from the data, and none more than 0.5 farther than the exact denoiser's farthest.
TEST(ShippedModels, EverySliderEndSamplesNearTheData) {
  const auto schedules = extreme_schedules();
  for (const Dataset2DKind kind : {Dataset2DKind::Moons, Dataset2DKind::SwissRoll, Dataset2DKind::EightGaussians}) {
    const auto data = make_dataset2d(kind, 20000, 991).xy;
    const ExactDenoiser exact(torch::from_blob(const_cast<float*>(make_dataset2d(kind, 2000, 1).xy.data()), {2000, 2},
                                               torch::kFloat32).clone());
    for (const PredictionTarget target : all_prediction_targets()) {
      const LoadedPointModel loaded = load_point_model(shipped_point_model_path(kind, target), torch::kCPU,
                                                       std::string(to_string(kind)));
      ASSERT_EQ(loaded.metadata.target, target);
      for (const ScheduleParams& params : schedules) {
        const Schedule schedule{params};
        for (const int K : {10, 50}) {
          for (const SigmaKind sigma : {SigmaKind::Small, SigmaKind::Large, SigmaKind::DDIM}) {
            ReverseConfig config;
            config.sigma = sigma;
            const auto steps = sampling_steps(schedule, std::min(K, params.T), Spacing::Trailing);
            NoiseSource noise(17);
            const auto x_T = noise.normal({400, 2});
            const auto out = run_reverse(x_T, steps, make_model_denoiser(loaded.model, target, config), config, noise);
            const std::string where = std::string(to_string(kind)) + " " + std::string(to_string(target)) + " " +
                                      std::string(to_string(params.kind)) + " T " + std::to_string(params.T) +
                                      " zt " + std::to_string(params.zero_terminal_snr) + " beta_end " +
                                      std::to_string(params.beta_end) + " K " + std::to_string(K) + " " +
                                      std::string(to_string(sigma));
            ASSERT_TRUE(torch::isfinite(out).all().item<bool>()) << where;
            // A chain that jumps from noise to no noise in one or two steps (T = 1 or 2, a sigmoid
            // with tau = 0.05) cannot turn N(0, I) into data whatever the denoiser (with sigma^2 =
            // beta its last noisy step adds unit noise that no later step removes); only the exact
            // denoiser seems to, by snapping onto a training point at a noiseless step. So the
            // comparison needs at least 6 steps through the informative middle, |lambda| <= 8.
            int middle_steps = 0;
            for (const auto& step : steps)
              middle_steps += std::abs(log_snr_from_alpha_bar(step.alpha_bar, step.one_minus_alpha_bar)) <= 8.0;
            if (target != kDefaultPointTarget || !(schedule.alpha_bar(params.T) < 1e-3) || middle_steps < 6) continue;
            NoiseSource same_noise(17);
            const auto exact_out = run_reverse(same_noise.normal({400, 2}), steps, make_exact_denoiser(exact, config),
                                               config, same_noise);
            const auto model_far = nearest_distances_2d(as_vector(out), data);
            const auto exact_far = nearest_distances_2d(as_vector(exact_out), data);
            EXPECT_LE(share_above(model_far, 0.3), share_above(exact_far, 0.3) + 0.02) << where;
            EXPECT_LE(*std::max_element(model_far.begin(), model_far.end()),
                      *std::max_element(exact_far.begin(), exact_far.end()) + 0.5)
                << where;
          }
        }
      }
    }
  }
}
