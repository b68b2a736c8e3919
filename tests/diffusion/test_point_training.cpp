// Training the 2D eps model: the log-SNR draws, determinism, the loss falling, a briefly
// trained model beating the zero prediction on held-out data, and failure handling.
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include <ATen/CPUGeneratorImpl.h>
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "diffusion/datasets2d.hpp"
#include "diffusion/log_snr.hpp"
#include "diffusion/checkpoint.hpp"
#include "diffusion/point_training.hpp"
#include "point_model_test_util.hpp"

using namespace diffusion;

namespace {

PointTrainingConfig small_config(Dataset2DKind dataset, std::uint64_t seed, int steps) {
  PointTrainingConfig config;
  config.dataset = dataset;
  config.batch_size = 256;
  config.planned_steps = steps;
  config.seed = seed;
  config.data_pool = 20000;
  return config;
}

// A small model keeps the tests quick; the shipped default is exercised by the CLI.
PointModelConfig small_model() { return PointModelConfig{6, 8, 32, 2}; }

// P(lambda < c) for lambda = -2 log tan(pi u / 2), u uniform: lambda < c <=> u > (2/pi) atan(e^(-c/2)).
double cosine_cdf(double c) { return 1.0 - 2.0 / M_PI * std::atan(std::exp(-c / 2.0)); }

}  // namespace

TEST(PointTraining, LogSnrDrawsFollowTheDocumentedMixture) {
  // Half uniform on [-20, 14], half the cosine schedule's log-SNR. 200000 draws; each fraction
  // is checked within 5 standard errors (sqrt(p (1 - p) / n) <= 0.0012, so 0.006).
  auto generator = at::detail::createCPUGenerator(21);
  const int64_t n = 200000;
  const auto draws = sample_training_log_snr(n, generator);
  ASSERT_EQ(draws.numel(), n);
  EXPECT_GE(draws.min().item<double>(), kModelLogSnrMin);
  EXPECT_LE(draws.max().item<double>(), kModelLogSnrMax);
  const auto fraction = [&](double low, double high) {
    return (draws.ge(low) & draws.lt(high)).to(torch::kFloat64).mean().item<double>();
  };
  const double width = kModelLogSnrMax - kModelLogSnrMin;
  for (const auto& [low, high] : std::vector<std::pair<double, double>>{{-2, 2}, {-20, -10}, {5, 14}, {-6, -2}}) {
    const double expected = 0.5 * (high - low) / width + 0.5 * (cosine_cdf(high) - cosine_cdf(low));
    EXPECT_NEAR(fraction(low, high), expected, 0.006) << "[" << low << ", " << high << ")";
  }
  // Same seed, same draws.
  auto again = at::detail::createCPUGenerator(21);
  EXPECT_TRUE(torch::equal(sample_training_log_snr(n, again), draws));
}

TEST(PointTraining, ConfigErrorsNameTheField) {
  const auto message = [](PointTrainingConfig config) {
    try {
      validate(config);
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  PointTrainingConfig c;
  c.batch_size = 0;
  EXPECT_NE(message(c).find("batch_size"), std::string::npos);
  c = {};
  c.learning_rate = std::nan("");
  EXPECT_NE(message(c).find("learning_rate"), std::string::npos);
  c = {};
  c.ema_decay = 1.0;
  EXPECT_NE(message(c).find("ema_decay"), std::string::npos);
  c = {};
  c.data_pool = 0;
  EXPECT_NE(message(c).find("data_pool"), std::string::npos);
  c = {};
  c.planned_steps = 0;
  EXPECT_NE(message(c).find("planned_steps"), std::string::npos);
  EXPECT_EQ(message(PointTrainingConfig{}), "accepted");
}

TEST(PointTraining, SameSeedSameLossesOtherSeedOthers) {
  const auto losses = [](std::uint64_t seed) {
    PointTrainer trainer(small_model(), small_config(Dataset2DKind::Moons, seed, 100), torch::kCPU);
    std::vector<double> out;
    for (int i = 0; i < 5; ++i) out.push_back(trainer.step());
    return out;
  };
  EXPECT_EQ(losses(3), losses(3));
  EXPECT_NE(losses(3), losses(4));
}

TEST(PointTraining, LossFallsAndTheModelBeatsPredictingZero) {
  // 400 steps of batch 256 on moons, fixed seed. At the start eps_hat is near 0, so the loss (a
  // mean over both coordinates) is near E[eps^2] = 1; it must fall below 0.7 of its start.
  // The eps target: its loss has the known start and the known "predict zero" reference.
  const int steps = 400;
  PointTrainingConfig config = small_config(Dataset2DKind::Moons, 5, steps);
  config.target = PredictionTarget::Eps;
  PointTrainer trainer(small_model(), config, torch::kCPU);
  double first = 0, last = 0;
  for (int i = 0; i < steps; ++i) {
    const double loss = trainer.step();
    ASSERT_TRUE(std::isfinite(loss));
    if (i < 20) first += loss / 20;
    if (i >= steps - 20) last += loss / 20;
  }
  EXPECT_EQ(trainer.steps_done(), steps);
  EXPECT_LT(last, 0.7 * first) << "first 20 steps " << first << ", last 20 " << last;
  EXPECT_NEAR(trainer.recent_loss(), last, 0.1);

  // Held-out: fresh moons points (another seed), fresh levels and noise. E|eps|^2 = 2 per point is
  // what eps_hat = 0 scores; the trained EMA model must score clearly lower (below 1.2).
  auto model = trainer.ema_model();
  EXPECT_FALSE(model->is_training());
  const int n = 4000;
  const auto data = make_dataset2d(Dataset2DKind::Moons, n, 9999);
  const auto x0 = torch::from_blob(const_cast<float*>(data.xy.data()), {n, 2}, torch::kFloat32).clone();
  auto generator = at::detail::createCPUGenerator(77);
  const auto lambda = sample_training_log_snr(n, generator);
  const auto eps = torch::randn({n, 2}, generator, torch::TensorOptions());
  const auto sqrt_ab = torch::sqrt(torch::sigmoid(lambda)).to(torch::kFloat32).unsqueeze(1);
  const auto sqrt_one_minus = torch::sqrt(torch::sigmoid(-lambda)).to(torch::kFloat32).unsqueeze(1);
  torch::NoGradGuard no_grad;
  const auto eps_hat = model->forward(x0 * sqrt_ab + eps * sqrt_one_minus, lambda.to(torch::kFloat32));
  const double model_error = (eps_hat - eps).pow(2).sum(1).mean().item<double>();
  const double zero_error = eps.pow(2).sum(1).mean().item<double>();
  EXPECT_NEAR(zero_error, 2.0, 0.15);
  EXPECT_LT(model_error, 1.2) << "eps_hat = 0 scores " << zero_error;
}

TEST(PointTraining, EachTargetRegressesItsOwnQuantity) {
  // training_target against values computed here: eps, x0, and v = a eps - s x0 per row.
  const auto x0 = torch::tensor({{1.0, -2.0}, {0.5, 0.25}});
  const auto eps = torch::tensor({{0.3, 0.7}, {-1.0, 2.0}});
  const auto a = torch::tensor({{0.6}, {0.8}});
  const auto s = torch::tensor({{0.8}, {0.6}});
  EXPECT_TRUE(torch::equal(training_target(PredictionTarget::Eps, x0, eps, a, s), eps));
  EXPECT_TRUE(torch::equal(training_target(PredictionTarget::X0, x0, eps, a, s), x0));
  const auto v = torch::tensor({{0.6 * 0.3 - 0.8 * 1.0, 0.6 * 0.7 + 0.8 * 2.0}, {-0.8 - 0.6 * 0.5, 1.6 - 0.6 * 0.25}});
  EXPECT_TRUE(torch::allclose(training_target(PredictionTarget::V, x0, eps, a, s), v, 1e-6, 1e-6));
  // The trainer's checkpoint metadata carries its target.
  PointTrainingConfig config = small_config(Dataset2DKind::Moons, 5, 1);
  config.target = PredictionTarget::X0;
  PointTrainer trainer(small_model(), config, torch::kCPU);
  EXPECT_EQ(point_checkpoint_metadata(trainer).target, PredictionTarget::X0);
}

TEST(PointTraining, NonFiniteLossThrowsAndLeavesTheWeights) {
  // Output weights of 1e30 make eps_hat overflow float32: the loss is inf.
  auto start = diffusion::test::random_point_model(31, small_model());
  {
    torch::NoGradGuard no_grad;
    start->named_parameters()["output.weight"].fill_(1e30);
  }
  PointTrainer trainer(start, small_config(Dataset2DKind::Moons, 1, 10), torch::kCPU);
  try {
    trainer.step();
    FAIL() << "an infinite loss was accepted";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("loss"), std::string::npos) << e.what();
  }
  EXPECT_EQ(trainer.steps_done(), 0);
  const auto after = trainer.ema_model();
  for (const auto& item : start->named_parameters())
    EXPECT_TRUE(torch::equal(item.value(), after->named_parameters()[item.key()])) << item.key();
}

TEST(PointTraining, ContinuingStartsFromTheGivenWeights) {
  auto start = diffusion::test::random_point_model(41, small_model());
  PointTrainer trainer(start, small_config(Dataset2DKind::Spiral, 2, 10), torch::kCPU);
  EXPECT_EQ(trainer.model_config(), small_model());
  auto copy = trainer.ema_model();
  for (const auto& item : start->named_parameters())
    EXPECT_TRUE(torch::equal(item.value(), copy->named_parameters()[item.key()])) << item.key();
  trainer.step();
  // The EMA moved, the caller's model did not.
  auto moved = trainer.ema_model();
  EXPECT_FALSE(torch::equal(moved->parameters()[0], start->parameters()[0]));
  EXPECT_TRUE(torch::equal(copy->parameters()[0], start->parameters()[0]));
}

TEST(PointTraining, GivenPointsAreThePoolAndCheckpointsCallThemDrawn) {
  // data_points equal to the pool make_dataset2d would draw give the very same losses; shifted
  // points give others; the metadata names the dataset "drawn".
  const PointTrainingConfig named = small_config(Dataset2DKind::Moons, 5, 100);
  PointTrainingConfig given = named;
  given.data_points = make_dataset2d(Dataset2DKind::Moons, named.data_pool, named.seed).xy;
  PointTrainingConfig shifted = given;
  for (float& v : shifted.data_points) v += 1.0f;
  const auto losses = [](const PointTrainingConfig& config) {
    PointTrainer trainer(small_model(), config, torch::kCPU);
    std::vector<double> out;
    for (int i = 0; i < 5; ++i) out.push_back(trainer.step());
    return out;
  };
  EXPECT_EQ(losses(given), losses(named));
  EXPECT_NE(losses(shifted), losses(named));
  const PointTrainer trainer(small_model(), given, torch::kCPU);
  EXPECT_EQ(point_checkpoint_metadata(trainer, "").dataset, std::string(kDrawnDatasetName));
  EXPECT_EQ(point_checkpoint_metadata(PointTrainer(small_model(), named, torch::kCPU), "").dataset, "moons");
  PointTrainingConfig odd = given;
  odd.data_points = {1.0f, 2.0f, 3.0f};
  EXPECT_THROW(validate(odd), std::invalid_argument);
  odd.data_points = {1.0f, std::nanf("")};
  EXPECT_THROW(validate(odd), std::invalid_argument);
}
