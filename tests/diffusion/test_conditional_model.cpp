// Class-conditional 2D models and classifier-free guidance with them (Ho & Salimans 2022): the
// class table and the null class, checkpoints that record the classes (and old ones that still
// load), label dropout at the configured rate, guided sampling that is exactly the null class at
// w = 0 and exactly the class at w = 1, and a short training whose samples land in the asked class.
#include <cmath>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include "diffusion/assets.hpp"
#include "diffusion/checkpoint.hpp"
#include "diffusion/class_accuracy.hpp"
#include "diffusion/datasets2d.hpp"
#include "diffusion/guidance.hpp"
#include "diffusion/log_snr.hpp"
#include "diffusion/model_denoiser.hpp"
#include "diffusion/noise.hpp"
#include "diffusion/point_training.hpp"
#include "diffusion/reverse_process.hpp"
#include "diffusion/sampling_steps.hpp"
#include "diffusion/schedule.hpp"
#include "point_model_test_util.hpp"

using namespace diffusion;
using diffusion::test::random_point_model;

namespace {

PointModelConfig conditional_config(int classes) {
  PointModelConfig config{6, 8, 32, 2};
  config.num_classes = classes;
  return config;
}

std::string temp_path(const std::string& name) {
  return (std::filesystem::temp_directory_path() / ("diffuscope-cond-" + name)).string();
}

// The guided denoiser and the plain class denoiser sampled from the same x_T and z.
torch::Tensor sample_with(const Denoiser& denoiser, const std::vector<SamplingStep>& steps,
                          const ReverseConfig& config, std::uint64_t seed, int n) {
  NoiseSource noise(seed);
  const auto x_T = noise.normal({n, 2});
  return run_reverse(x_T, steps, denoiser, config, noise);
}

}  // namespace

TEST(ConditionalPointModel, ClassTableSizesAndArchitecture) {
  const PointModelConfig unconditional{6, 8, 32, 2};
  EXPECT_EQ(unconditional.architecture(), "point-mlp-film/v1 f=6 nf=8 h=32 b=2");
  EXPECT_EQ(conditional_config(8).architecture(), "point-mlp-film/v1 f=6 nf=8 h=32 b=2 c=8");
  PointModel plain(unconditional);
  PointModel with_classes(conditional_config(8));
  EXPECT_FALSE(plain->named_parameters().contains("class_embedding"));
  ASSERT_TRUE(with_classes->named_parameters().contains("class_embedding"));
  // 8 classes + the null class, each a vector of the noise MLP's width (128).
  EXPECT_EQ(with_classes->named_parameters()["class_embedding"].sizes(), torch::IntArrayRef({9, 128}));
  std::int64_t counted = 0;
  for (const auto& p : with_classes->parameters()) counted += p.numel();
  EXPECT_EQ(counted, conditional_config(8).parameter_count());
  EXPECT_EQ(conditional_config(8).parameter_count() - unconditional.parameter_count(), 9 * 128);
  EXPECT_THROW(validate(conditional_config(-1)), std::invalid_argument);
}

TEST(ConditionalPointModel, NullClassIsTheDefaultAndClassesDiffer) {
  PointModel model = random_point_model(3, conditional_config(4));
  const auto x = torch::randn({50, 2});
  const auto level = torch::full({1}, 0.5);
  torch::NoGradGuard no_grad;
  const auto default_output = model->forward(x, level);
  EXPECT_TRUE(torch::equal(default_output, model->forward(x, level, kNullClass)));
  for (int c = 0; c < 4; ++c) {
    const auto of_class = model->forward(x, level, c);
    EXPECT_GT((of_class - default_output).abs().max().item<double>(), 1e-3) << "class " << c;
  }
  EXPECT_THROW(model->forward(x, level, 4), std::invalid_argument);
  EXPECT_THROW(model->forward(x, level, -2), std::invalid_argument);
  PointModel plain = random_point_model(3, PointModelConfig{6, 8, 32, 2});
  EXPECT_THROW(plain->forward(x, level, 0), std::invalid_argument);
  EXPECT_THROW(make_model_denoiser(plain, PredictionTarget::V, ReverseConfig{}, 0), std::invalid_argument);
}

TEST(ConditionalPointModel, GroupedEmbeddingsMatchOneGroupAtATime) {
  // Training computes one embedding per group (level and class row); each row must equal the
  // embedding of that group computed alone.
  PointModel model = random_point_model(5, conditional_config(3));
  torch::NoGradGuard no_grad;
  const auto levels = torch::tensor({-4.0, 0.0, 2.5, 7.0});
  const auto rows = torch::tensor({0, 3, 2, 1}, torch::kInt64);  // 3 = the null class
  const auto together = model->noise_embedding(levels, rows);
  for (int g = 0; g < 4; ++g) {
    const auto alone = model->noise_embedding(levels.narrow(0, g, 1), rows.narrow(0, g, 1));
    EXPECT_TRUE(torch::allclose(together.narrow(0, g, 1), alone, 1e-6, 1e-6)) << "group " << g;
  }
  EXPECT_THROW(model->noise_embedding(levels, torch::tensor({0, 4, 0, 0}, torch::kInt64)), std::invalid_argument);
}

TEST(ConditionalCheckpoint, ClassesAreStoredAndOutputsSurviveTheRoundTrip) {
  PointModel model = random_point_model(7, conditional_config(8));
  PointCheckpointMetadata metadata;
  metadata.model = model->config();
  metadata.dataset = "8gaussians";
  metadata.final_loss = 0.5;
  const std::string path = temp_path("roundtrip.ckpt");
  save_point_model(path, model, metadata);
  const auto json = nlohmann::json::parse(read_checkpoint(path).metadata_json);
  EXPECT_EQ(json["model"]["classes"], 8);
  EXPECT_EQ(json["architecture"], "point-mlp-film/v1 f=6 nf=8 h=32 b=2 c=8");
  LoadedPointModel loaded = load_point_model(path, torch::kCPU);
  EXPECT_EQ(loaded.metadata.model.num_classes, 8);
  const auto x = torch::randn({20, 2});
  const auto level = torch::full({1}, 1.0);
  torch::NoGradGuard no_grad;
  for (const int c : {kNullClass, 0, 7})
    EXPECT_TRUE(torch::equal(loaded.model->forward(x, level, c), model->forward(x, level, c))) << "class " << c;

  // An unconditional checkpoint has no "classes" field and loads as num_classes = 0.
  PointModel plain = random_point_model(7, PointModelConfig{6, 8, 32, 2});
  metadata.model = plain->config();
  save_point_model(path, plain, metadata);
  EXPECT_FALSE(nlohmann::json::parse(read_checkpoint(path).metadata_json)["model"].contains("classes"));
  EXPECT_EQ(load_point_model(path, torch::kCPU).metadata.model.num_classes, 0);
  std::filesystem::remove(path);
}

TEST(ConditionalCheckpoint, ShippedUnconditionalModelsStillLoad) {
  // Written before classes existed: no "classes" field, no class table.
  for (const auto kind : {Dataset2DKind::EightGaussians, Dataset2DKind::Moons}) {
    LoadedPointModel loaded = load_point_model(shipped_point_model_path(kind), torch::kCPU);
    EXPECT_EQ(loaded.metadata.model.num_classes, 0);
    EXPECT_FALSE(loaded.model->is_conditional());
  }
}

TEST(ConditionalTraining, LabelDropoutAndClassesFollowTheConfig) {
  // 80 steps x 128 groups = 10240 group draws. The null share is checked within 5 standard errors
  // (sqrt(0.2 * 0.8 / 10240) = 0.004, so 0.02); each class's share of the rest (1/8 each: the
  // 8 Gaussians are equally likely) within 0.025 (5 standard errors of sqrt(p (1-p) / 8192)).
  PointTrainingConfig config;
  config.dataset = Dataset2DKind::EightGaussians;
  config.batch_size = 1024;
  config.data_pool = 8000;
  config.conditional = true;
  config.label_dropout = 0.2;
  PointTrainer trainer(PointModelConfig{6, 8, 32, 2}, config, torch::kCPU);
  EXPECT_EQ(trainer.num_classes(), 8);
  std::vector<int> counts(9, 0);
  int total = 0;
  for (int step = 0; step < 80; ++step) {
    trainer.step();
    const auto& groups = trainer.last_batch_groups();
    ASSERT_EQ(groups.class_id.size(), 128u);
    ASSERT_EQ(groups.loss.size(), 128u);
    for (const int c : groups.class_id) {
      ASSERT_TRUE(c == kNullClass || (c >= 0 && c < 8)) << c;
      ++counts[c == kNullClass ? 8 : c];
      ++total;
    }
  }
  EXPECT_NEAR(counts[8] / static_cast<double>(total), 0.2, 0.02);
  for (int c = 0; c < 8; ++c)
    EXPECT_NEAR(counts[c] / static_cast<double>(total - counts[8]), 0.125, 0.025) << "class " << c;

  config.label_dropout = 0.0;
  PointTrainer never(PointModelConfig{6, 8, 32, 2}, config, torch::kCPU);
  for (int step = 0; step < 5; ++step) {
    never.step();
    for (const int c : never.last_batch_groups().class_id) EXPECT_NE(c, kNullClass);
  }
  config.label_dropout = 1.0;
  EXPECT_THROW(validate(config), std::invalid_argument);
}

TEST(ConditionalTraining, UnconditionalTrainingRecordsNoClasses) {
  PointTrainingConfig config;
  config.batch_size = 64;
  config.data_pool = 1000;
  PointTrainer trainer(PointModelConfig{6, 8, 32, 2}, config, torch::kCPU);
  trainer.step();
  EXPECT_EQ(trainer.num_classes(), 0);
  EXPECT_TRUE(trainer.last_batch_groups().class_id.empty());
  EXPECT_EQ(trainer.last_batch_groups().log_snr.size(), 8u);  // 64 points, 8 per level
}

TEST(ConditionalGuidance, WZeroIsTheNullClassAndWOneIsTheClassExactly) {
  PointModel model = random_point_model(11, conditional_config(8));
  const auto steps = sampling_steps(Schedule{ScheduleParams{}}, 40, Spacing::Trailing);
  ReverseConfig config;
  for (const auto target : {PredictionTarget::Eps, PredictionTarget::V}) {
    const auto null_samples =
        sample_with(make_model_denoiser(model, target, config, kNullClass), steps, config, 17, 300);
    const auto class_samples = sample_with(make_model_denoiser(model, target, config, 5), steps, config, 17, 300);
    EXPECT_TRUE(torch::equal(sample_with(make_guided_model_denoiser(model, target, config, 5, 0.0), steps, config, 17, 300),
                             null_samples));
    EXPECT_TRUE(torch::equal(sample_with(make_guided_model_denoiser(model, target, config, 5, 1.0), steps, config, 17, 300),
                             class_samples));
    // w = 3 is neither (the test could not pass with the class ignored).
    const auto guided = sample_with(make_guided_model_denoiser(model, target, config, 5, 3.0), steps, config, 17, 300);
    EXPECT_GT((guided - class_samples).abs().max().item<double>(), 1e-3);
  }
  EXPECT_THROW(make_guided_model_denoiser(model, PredictionTarget::V, config, 5, 10.5), std::invalid_argument);
  EXPECT_THROW(make_guided_model_denoiser(model, PredictionTarget::V, config, 8, 1.0), std::invalid_argument);
}

TEST(ConditionalTraining, ShortTrainingSamplesTheAskedClass) {
  // 1500 steps of 512 points on 8gaussians (a few seconds). Samples of class c (w = 1 and w = 3,
  // 400 each, 100 DDPM steps) should mostly have a nearest fresh data point of class c: required
  // mean accuracy >= 0.6. The same model's null class (the unconditional model it also learns)
  // spreads over all 8 Gaussians, so its samples land in class c about 1/8 of the time: required
  // <= 0.3. (Measured when written: 0.998 and 1.0 against 0.124.)
  PointTrainingConfig config;
  config.dataset = Dataset2DKind::EightGaussians;
  config.batch_size = 512;
  config.planned_steps = 1500;
  config.data_pool = 20000;
  config.seed = 1;
  config.conditional = true;
  PointTrainer trainer(PointModelConfig{}, config, torch::kCPU);
  for (int step = 0; step < 1500; ++step) trainer.step();
  PointModel model = trainer.ema_model();
  const auto reference = make_labelled_dataset2d(Dataset2DKind::EightGaussians, 4000, 99);
  const auto steps = sampling_steps(Schedule{ScheduleParams{}}, 100, Spacing::Trailing);
  const ReverseConfig reverse;
  const auto accuracy = [&](int c, double w, bool guided) {
    const Denoiser denoiser = guided ? make_guided_model_denoiser(model, config.target, reverse, c, w)
                                     : make_model_denoiser(model, config.target, reverse, kNullClass);
    const auto samples = sample_with(denoiser, steps, reverse, 23 + c, 400).contiguous();
    const std::vector<float> xy(samples.data_ptr<float>(), samples.data_ptr<float>() + samples.numel());
    return class_accuracy(xy, c, reference);
  };
  double conditional = 0, strongly_guided = 0, unconditional = 0;
  for (int c = 0; c < 8; ++c) {
    conditional += accuracy(c, 1.0, true) / 8;
    strongly_guided += accuracy(c, 3.0, true) / 8;
    unconditional += accuracy(c, 0.0, false) / 8;
  }
  EXPECT_GE(conditional, 0.6);
  EXPECT_GE(strongly_guided, 0.6);
  EXPECT_LE(unconditional, 0.3);
  std::cout << "class accuracy: w = 1 " << conditional << ", w = 3 " << strongly_guided << ", null class "
            << unconditional << '\n';
}
