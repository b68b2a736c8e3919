// The exact conditional denoiser (posterior mean over one class's points) and classifier-free
// guidance: against a double brute force, landing on the class's points, w = 0 and w = 1 against
// the unconditional and conditional runs (bit for bit, same seed), and a statistical check.
#include <cmath>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "diffusion/datasets2d.hpp"
#include "diffusion/exact_denoiser.hpp"
#include "diffusion/guidance.hpp"
#include "diffusion/noise.hpp"
#include "diffusion/sampler.hpp"
#include "diffusion/sampling_steps.hpp"
#include "diffusion/schedule.hpp"

using namespace diffusion;

namespace {

constexpr double kGuidancePi = 3.14159265358979323846;

torch::Tensor guidance_train_tensor(const LabelledPoints2D& points) {
  return torch::tensor(points.xy).reshape({points.size(), 2});
}

// E[x0 | x_t, c] for one 2D query by a plain double loop over class c's points.
std::vector<double> guidance_brute_force_class_mean(const LabelledPoints2D& points, int c, double qx, double qy,
                                           double ab) {
  std::vector<double> logit;
  std::vector<int> member;
  double best = -INFINITY;
  for (int i = 0; i < points.size(); ++i) {
    if (points.class_id[i] != c) continue;
    const double dx = qx - std::sqrt(ab) * points.xy[2 * i], dy = qy - std::sqrt(ab) * points.xy[2 * i + 1];
    logit.push_back(-(dx * dx + dy * dy) / (2 * (1 - ab)));
    member.push_back(i);
    best = std::max(best, logit.back());
  }
  double total = 0, x = 0, y = 0;
  for (std::size_t k = 0; k < logit.size(); ++k) {
    const double w = std::exp(logit[k] - best);
    total += w;
    x += w * points.xy[2 * member[k]];
    y += w * points.xy[2 * member[k] + 1];
  }
  return {x / total, y / total};
}

// Which of the eight centres (at angles k pi/4) a 2D point is nearest to.
int nearest_eight_centre(float x, float y) {
  double angle = std::atan2(y, x);
  if (angle < 0) angle += 2 * kGuidancePi;
  return static_cast<int>(std::lround(angle / (kGuidancePi / 4))) % 8;
}

ReverseConfig guidance_small_sigma() { return ReverseConfig{}; }

}  // namespace

TEST(ConditionalExactDenoiser, MatchesBruteForceOverTheClassPoints) {
  const LabelledPoints2D points = make_labelled_dataset2d(Dataset2DKind::GaussianMixture, 300, 21);
  const ConditionalExactDenoiser exact(guidance_train_tensor(points).to(torch::kFloat64), points.class_id,
                                       points.num_classes);
  NoiseSource noise(22);
  const torch::Tensor queries = noise.normal({40, 2}).to(torch::kFloat64);
  for (double ab : {0.05, 0.5, 0.99}) {
    for (int c = 0; c < 3; ++c) {
      const torch::Tensor x0 = exact.expected_x0(queries, ab, c);
      for (int n = 0; n < 40; ++n) {
        const auto expected = guidance_brute_force_class_mean(points, c, queries[n][0].item<double>(),
                                                     queries[n][1].item<double>(), ab);
        EXPECT_NEAR(x0[n][0].item<double>(), expected[0], 1e-9) << "ab " << ab << " class " << c;
        EXPECT_NEAR(x0[n][1].item<double>(), expected[1], 1e-9) << "ab " << ab << " class " << c;
      }
    }
  }
}

TEST(ConditionalExactDenoiser, AtSmallTLandsOnAPointOfTheClass) {
  // 1 - ab = 1e-6 (noise sd 1e-3): the posterior mean over class c's points is the point of class
  // c nearest to x_t / sqrt(ab), wherever x_t is (also right beside a point of another class).
  const LabelledPoints2D points = make_labelled_dataset2d(Dataset2DKind::EightGaussians, 160, 23);
  const torch::Tensor train = guidance_train_tensor(points);
  const ConditionalExactDenoiser exact(train, points.class_id, points.num_classes);
  NoiseSource noise(24);
  const torch::Tensor queries = torch::cat({noise.normal({200, 2}) * 1.5, train});
  for (int c = 0; c < 8; ++c) {
    const torch::Tensor x0 = exact.expected_x0(queries, 1.0 - 1e-6, c).to(torch::kFloat64);
    const torch::Tensor distances = torch::cdist(x0, train.to(torch::kFloat64));  // [N, M]
    const torch::Tensor nearest = distances.argmin(1);
    for (std::int64_t n = 0; n < queries.size(0); ++n) {
      const std::int64_t i = nearest[n].item<std::int64_t>();
      ASSERT_EQ(points.class_id[static_cast<std::size_t>(i)], c) << "query " << n;
      ASSERT_LT(distances[n][i].item<double>(), 1e-3) << "query " << n << " class " << c;
    }
  }
}

TEST(ConditionalExactDenoiser, NullClassIsTheUnconditionalDenoiser) {
  const LabelledPoints2D points = make_labelled_dataset2d(Dataset2DKind::Moons, 200, 25);
  const torch::Tensor train = guidance_train_tensor(points);
  const ConditionalExactDenoiser conditional(train, points.class_id, points.num_classes);
  const ExactDenoiser plain(train);
  const torch::Tensor queries = NoiseSource(26).normal({50, 2});
  EXPECT_TRUE(torch::equal(conditional.expected_x0(queries, 0.3, kNullClass), plain.expected_x0(queries, 0.3)));
  EXPECT_EQ(conditional.class_size(0) + conditional.class_size(1), 200);
}

TEST(ConditionalExactDenoiser, RejectsBadClasses) {
  const torch::Tensor train = torch::tensor({0.0f, 0.0f, 1.0f, 1.0f}).reshape({2, 2});
  EXPECT_THROW(ConditionalExactDenoiser(train, {0}, 1), std::invalid_argument);      // one class for two points
  EXPECT_THROW(ConditionalExactDenoiser(train, {0, 2}, 2), std::invalid_argument);   // class out of range
  EXPECT_THROW(ConditionalExactDenoiser(train, {0, -1}, 2), std::invalid_argument);
  EXPECT_THROW(ConditionalExactDenoiser(train, {0, 0}, 0), std::invalid_argument);
  const ConditionalExactDenoiser with_gap(train, {0, 2}, 3);  // class 1 has no points
  EXPECT_EQ(with_gap.class_size(1), 0);
  try {
    with_gap.denoiser(1);
    ADD_FAILURE() << "no error for an empty class";
  } catch (const std::invalid_argument& e) {
    EXPECT_EQ(std::string(e.what()), "class 1 has no training points");
  }
  try {
    with_gap.denoiser(3);
    ADD_FAILURE() << "no error for class 3";
  } catch (const std::invalid_argument& e) {
    EXPECT_EQ(std::string(e.what()), "class 3 is out of range: the training points have 3 classes (0..2)");
  }
}

TEST(Guidance, CombinesEpsAsHoAndSalimans) {
  // Two made-up consistent predictions at one step: eps_w = eps_null + w (eps_c - eps_null), and
  // x0 stays consistent with eps_w: x0 = (x_t - s eps) / a.
  const Schedule schedule{ScheduleParams{}};
  const SamplingStep step = sampling_steps(schedule, 10, Spacing::Trailing)[3];
  NoiseSource noise(27);
  const torch::Tensor x_t = noise.normal({30, 2}).to(torch::kFloat64);
  const torch::Tensor eps_null = noise.normal({30, 2}).to(torch::kFloat64);
  const torch::Tensor eps_c = noise.normal({30, 2}).to(torch::kFloat64);
  const Prediction p_null = prediction_from_eps(x_t, eps_null, step, guidance_small_sigma());
  const Prediction p_c = prediction_from_eps(x_t, eps_c, step, guidance_small_sigma());
  for (double w : {0.0, 0.5, 1.0, 2.5, 10.0}) {
    const Prediction guided = guided_prediction(x_t, p_null, p_c, w, step, guidance_small_sigma());
    const torch::Tensor expected_eps = eps_null + w * (eps_c - eps_null);
    EXPECT_LT((guided.eps - expected_eps).abs().max().item<double>(), 1e-12) << "w " << w;
    const torch::Tensor expected_x0 =
        (x_t - std::sqrt(step.one_minus_alpha_bar) * expected_eps) / std::sqrt(step.alpha_bar);
    EXPECT_LT((guided.x0 - expected_x0).abs().max().item<double>(), 1e-9) << "w " << w;
  }
}

TEST(Guidance, RejectsScalesOutsideZeroToTen) {
  for (double w : {-0.1, 10.5, std::nan("")}) {
    EXPECT_THROW(validate_guidance_scale(w), std::invalid_argument) << w;
    EXPECT_THROW(make_guided_denoiser([](const torch::Tensor&, const SamplingStep&) { return Prediction{}; },
                                      [](const torch::Tensor&, const SamplingStep&) { return Prediction{}; }, w,
                                      guidance_small_sigma()),
                 std::invalid_argument);
  }
  EXPECT_NO_THROW(validate_guidance_scale(0.0));
  EXPECT_NO_THROW(validate_guidance_scale(10.0));
}

TEST(GuidedSampling, ZeroIsUnconditionalAndOneIsConditionalBitForBit) {
  const LabelledPoints2D points = make_labelled_dataset2d(Dataset2DKind::EightGaussians, 400, 28);
  const ConditionalExactDenoiser exact(guidance_train_tensor(points), points.class_id, points.num_classes);
  const Schedule schedule{ScheduleParams{}};
  const auto steps = sampling_steps(schedule, 50, Spacing::Trailing);
  const ReverseConfig config = guidance_small_sigma();
  const Denoiser unconditional = make_exact_denoiser(exact.denoiser(kNullClass), config);
  const Denoiser conditional = make_exact_denoiser(exact.denoiser(5), config);
  const auto run = [&](const Denoiser& denoiser) {
    NoiseSource noise(29);
    const torch::Tensor x_T = noise.normal({300, 2});
    return run_reverse(x_T, steps, denoiser, config, noise);
  };
  const torch::Tensor plain = run(unconditional), class_five = run(conditional);
  EXPECT_TRUE(torch::equal(run(make_guided_denoiser(unconditional, conditional, 0.0, config)), plain));
  EXPECT_TRUE(torch::equal(run(make_guided_denoiser(unconditional, conditional, 1.0, config)), class_five));
  EXPECT_FALSE(torch::equal(plain, class_five));  // the check above could fail
}

TEST(GuidedSampling, GuidedExactDenoiserIsTheCombinationOfItsTwoHalves) {
  // make_guided_exact_denoiser (the GUI's and the CLI's): the same predictions as
  // make_guided_denoiser over the null-class and class denoisers built by hand, at every w.
  const LabelledPoints2D points = make_labelled_dataset2d(Dataset2DKind::Moons, 300, 31);
  auto exact = std::make_shared<const ConditionalExactDenoiser>(guidance_train_tensor(points), points.class_id,
                                                                points.num_classes);
  const ReverseConfig config = guidance_small_sigma();
  const Denoiser unconditional = make_exact_denoiser(exact->denoiser(kNullClass), config);
  const Denoiser conditional = make_exact_denoiser(exact->denoiser(1), config);
  const Schedule schedule{ScheduleParams{}};
  const SamplingStep step = sampling_steps(schedule, 20, Spacing::Trailing)[10];
  NoiseSource noise(32);
  const torch::Tensor x_t = noise.normal({50, 2});
  for (const double w : {0.0, 1.0, 3.0}) {
    const Prediction by_hand = make_guided_denoiser(unconditional, conditional, w, config)(x_t, step);
    const Prediction built = make_guided_exact_denoiser(exact, 1, w, config)(x_t, step);
    EXPECT_TRUE(torch::allclose(built.eps, by_hand.eps, 1e-6, 1e-6)) << w;
    EXPECT_TRUE(torch::allclose(built.x0, by_hand.x0, 1e-6, 1e-6)) << w;
  }
  EXPECT_FALSE(torch::allclose(unconditional(x_t, step).eps, conditional(x_t, step).eps, 1e-3, 1e-3));
  EXPECT_THROW(make_guided_exact_denoiser(exact, 2, 1.0, config), std::invalid_argument);   // moons: 0, 1
  EXPECT_THROW(make_guided_exact_denoiser(exact, 1, 10.5, config), std::invalid_argument);  // w > 10
  EXPECT_THROW(make_guided_exact_denoiser(nullptr, 1, 1.0, config), std::invalid_argument);
}

TEST(GuidedSampling, EightGaussiansClassSamplesSitAtTheirCentre) {
  // 600 samples of class c at w = 1 (and w = 3) with the exact denoiser over 1000 points, 50 steps:
  // >= 95% are nearest to centre c (the class's data themselves put ~99.7% there); unconditional
  // samples (w = 0) spread over all eight (~1/8 at c).
  const LabelledPoints2D points = make_labelled_dataset2d(Dataset2DKind::EightGaussians, 1000, 30);
  const ConditionalExactDenoiser exact(guidance_train_tensor(points), points.class_id, points.num_classes);
  const Schedule schedule{ScheduleParams{}};
  const auto steps = sampling_steps(schedule, 50, Spacing::Trailing);
  const ReverseConfig config = guidance_small_sigma();
  const Denoiser unconditional = make_exact_denoiser(exact.denoiser(kNullClass), config);
  constexpr int kSamples = 600;
  for (const auto& [c, w] : std::vector<std::pair<int, double>>{{3, 0.0}, {3, 1.0}, {6, 1.0}, {6, 3.0}}) {
    const Denoiser conditional = make_exact_denoiser(exact.denoiser(c), config);
    NoiseSource noise(31);
    const torch::Tensor x_T = noise.normal({kSamples, 2});
    const torch::Tensor x0 =
        run_reverse(x_T, steps, make_guided_denoiser(unconditional, conditional, w, config), config, noise)
            .contiguous();
    const float* xy = x0.data_ptr<float>();
    int at_c = 0;
    for (int i = 0; i < kSamples; ++i) at_c += nearest_eight_centre(xy[2 * i], xy[2 * i + 1]) == c;
    if (w == 0.0) {
      EXPECT_LT(at_c, 150) << "class " << c;  // binomial(600, 1/8): mean 75, sd 8.1
    } else {
      EXPECT_GE(at_c, 0.95 * kSamples) << "class " << c << " w " << w;
    }
  }
}
