// The 2D eps model: sizes, determinism, the shared-level fast path against the per-point path,
// clamping of the log-SNR, and input checks.
#include <cmath>
#include <limits>
#include <string>

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "diffusion/log_snr.hpp"
#include "diffusion/point_model.hpp"
#include "point_model_test_util.hpp"

using namespace diffusion;
using diffusion::test::random_point_model;

namespace {

int64_t counted_parameters(PointModel& model) {
  int64_t total = 0;
  for (const auto& p : model->parameters()) total += p.numel();
  return total;
}

double max_abs_difference(const torch::Tensor& a, const torch::Tensor& b) {
  return (a - b).abs().max().item<double>();
}

}  // namespace

TEST(PointModel, ParameterCountMatchesTheModule) {
  for (const auto& config : {PointModelConfig{}, PointModelConfig{4, 8, 32, 2}, PointModelConfig{1, 1, 1, 1}}) {
    PointModel model(config);
    EXPECT_EQ(config.parameter_count(), counted_parameters(model)) << config.architecture();
  }
  // By hand for f=1, nf=1, h=1, b=1: input (2 + 4) * 1 + 1 = 7; noise MLP (2 + 1) * 128 + 128 +
  // 128 * 2 + 2 = 770; block 1 + 1 + 1 = 3; output 2 + 2 = 4.
  EXPECT_EQ((PointModelConfig{1, 1, 1, 1}.parameter_count()), 7 + 770 + 3 + 4);
}

TEST(PointModel, ArchitectureStringNamesEverySize) {
  EXPECT_EQ((PointModelConfig{8, 16, 64, 3}.architecture()), "point-mlp-film/v1 f=8 nf=16 h=64 b=3");
  EXPECT_EQ((PointModelConfig{4, 8, 32, 2}.architecture()), "point-mlp-film/v1 f=4 nf=8 h=32 b=2");
  EXPECT_TRUE((PointModelConfig{4, 8, 32, 2} == PointModelConfig{4, 8, 32, 2}));
  EXPECT_FALSE((PointModelConfig{4, 8, 32, 2} == PointModelConfig{4, 8, 32, 3}));
}

TEST(PointModel, InvalidConfigNamesTheField) {
  PointModelConfig config;
  config.hidden = 0;
  try {
    PointModel model(config);
    FAIL() << "hidden = 0 was accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("hidden"), std::string::npos) << e.what();
  }
  config = PointModelConfig{};
  config.frequencies = 17;
  EXPECT_THROW(validate(config), std::invalid_argument);
}

TEST(PointModel, InitialWeightsDependOnlyOnTheSeed) {
  torch::manual_seed(1);
  PointModel a;
  torch::manual_seed(2);   // LibTorch's global generator must not matter
  PointModel b;
  for (std::size_t i = 0; i < a->parameters().size(); ++i)
    EXPECT_TRUE(torch::equal(a->parameters()[i], b->parameters()[i]));
  b->reset_parameters(7);
  EXPECT_FALSE(torch::equal(a->parameters()[0], b->parameters()[0]));
  a->reset_parameters(7);
  EXPECT_TRUE(torch::equal(a->parameters()[0], b->parameters()[0]));
}

TEST(PointModel, SharedLogSnrMatchesPerPointLogSnr) {
  // The [1] path folds FiLM into the weights; the [N] path applies it per point. Same function.
  auto model = random_point_model(11);
  torch::NoGradGuard no_grad;
  const auto x = torch::randn({64, 2}, at::detail::createCPUGenerator(12), torch::TensorOptions());
  for (double lambda : {-15.0, -2.5, 0.0, 3.0, 12.0}) {
    const auto shared = model->forward(x, torch::full({1}, lambda));
    const auto per_point = model->forward(x, torch::full({64}, lambda));
    ASSERT_EQ(shared.sizes(), (torch::IntArrayRef{64, 2}));
    // float32 with O(1) activations: the two orders of operations agree to a few ulps.
    EXPECT_LT(max_abs_difference(shared, per_point), 1e-4) << "lambda = " << lambda;
    EXPECT_GT(shared.abs().max().item<double>(), 1e-2);  // not trivially zero
  }
}

TEST(PointModel, GroupedEmbeddingMatchesPerPointLevels) {
  auto model = random_point_model(13);
  torch::NoGradGuard no_grad;
  const auto x = torch::randn({12, 2}, at::detail::createCPUGenerator(14), torch::TensorOptions());
  const auto levels = torch::tensor({-8.0f, 0.5f, 6.0f});
  const auto grouped = model->forward_from_embedding(x, model->noise_embedding(levels));
  const auto per_point = model->forward(x, levels.repeat_interleave(4));
  EXPECT_LT(max_abs_difference(grouped, per_point), 1e-5);
  // A level for each point gives a different answer than one level for all (the level matters).
  EXPECT_GT(max_abs_difference(per_point, model->forward(x, torch::full({1}, 0.5))), 1e-3);
}

TEST(PointModel, LogSnrIsClampedToTheTrainingRange) {
  auto model = random_point_model(15);
  torch::NoGradGuard no_grad;
  const auto x = torch::randn({8, 2}, at::detail::createCPUGenerator(16), torch::TensorOptions());
  const auto at = [&](double lambda) { return model->forward(x, torch::full({1}, lambda)); };
  EXPECT_TRUE(torch::equal(at(kModelLogSnrMax + 30), at(kModelLogSnrMax)));
  EXPECT_TRUE(torch::equal(at(std::numeric_limits<double>::infinity()), at(kModelLogSnrMax)));
  EXPECT_TRUE(torch::equal(at(-std::numeric_limits<double>::infinity()), at(kModelLogSnrMin)));
  EXPECT_FALSE(torch::equal(at(kModelLogSnrMin + 1), at(kModelLogSnrMin)));
}

TEST(PointModel, KeepsTheInputTypeAndRejectsBadInput) {
  auto model = random_point_model(17);
  torch::NoGradGuard no_grad;
  const auto x64 = torch::randn({5, 2}, torch::kFloat64);
  const auto out = model->forward(x64, torch::zeros({1}));
  EXPECT_EQ(out.scalar_type(), torch::kFloat64);
  EXPECT_TRUE(torch::allclose(out, model->forward(x64.to(torch::kFloat32), torch::zeros({1})).to(torch::kFloat64)));
  EXPECT_THROW(model->forward(torch::zeros({5, 3}), torch::zeros({1})), std::invalid_argument);
  EXPECT_THROW(model->forward(torch::zeros({5, 2}), torch::zeros({4})), std::invalid_argument);
  EXPECT_THROW(model->forward(torch::zeros({5, 2}), torch::full({1}, std::nan(""))), std::invalid_argument);
  EXPECT_THROW(model->forward_from_embedding(torch::zeros({5, 2}), model->noise_embedding(torch::zeros({2}))),
               std::invalid_argument);
}

TEST(PointModel, CloneIsIndependent) {
  auto model = random_point_model(18);
  auto copy = clone_point_model(model);
  EXPECT_EQ(copy->config(), model->config());
  EXPECT_FALSE(copy->is_training());
  torch::NoGradGuard no_grad;
  const auto x = torch::randn({4, 2});
  EXPECT_TRUE(torch::equal(copy->forward(x, torch::zeros({1})), model->forward(x, torch::zeros({1}))));
  copy->parameters()[0].add_(1.0);
  EXPECT_FALSE(torch::equal(copy->parameters()[0], model->parameters()[0]));
}

TEST(PointModel, GradientsReachEveryParameter) {
  auto model = random_point_model(19);
  model->train();
  const auto x = torch::randn({16, 2});
  const auto levels = torch::linspace(-10, 10, 16);
  model->forward(x, levels).pow(2).sum().backward();
  for (const auto& item : model->named_parameters()) {
    ASSERT_TRUE(item.value().grad().defined()) << item.key();
    EXPECT_GT(item.value().grad().abs().sum().item<double>(), 0.0) << item.key();
  }
}
