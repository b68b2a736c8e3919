// The image U-Net, its training, sampling with it, and its checkpoints. Tiny configurations
// (base 8 channels, 4 groups) and small batches keep the suite cheap on 2 CPU cores.
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <numeric>
#include <string>
#include <vector>

#include <ATen/CPUGeneratorImpl.h>
#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include "diffusion/checkpoint.hpp"
#include "diffusion/idx_file.hpp"
#include "diffusion/image_checkpoint.hpp"
#include "diffusion/image_denoiser.hpp"
#include "diffusion/image_model.hpp"
#include "diffusion/image_training.hpp"
#include "diffusion/log_snr.hpp"
#include "diffusion/noise.hpp"
#include "diffusion/point_model.hpp"
#include "diffusion/sampler.hpp"
#include "diffusion/sampling_steps.hpp"
#include "diffusion/schedule.hpp"

using namespace diffusion;
namespace fs = std::filesystem;

namespace {

ImageModelConfig tiny_config(int base_channels = 8) {
  ImageModelConfig config;
  config.base_channels = base_channels;
  config.multiplier_1 = 2;
  config.multiplier_2 = 2;
  config.groups = 4;
  config.noise_features = 8;
  config.attention = true;
  return config;
}

// Every weight random (a fresh model zeroes its residual branches and output, which would hide
// mistakes in those paths): matrices N(0, 1 / fan_in), norm scales 1 + N(0, 0.1^2), biases and
// shifts N(0, 0.1^2), so activations stay O(1).
ImageUNet random_image_model(std::uint64_t seed, const ImageModelConfig& config = tiny_config()) {
  ImageUNet model(config);
  auto generator = at::detail::createCPUGenerator(seed);
  torch::NoGradGuard no_grad;
  for (auto& item : model->named_parameters()) {
    torch::Tensor& parameter = item.value();
    const torch::Tensor draw = torch::randn(parameter.sizes(), generator, torch::TensorOptions());
    if (parameter.dim() >= 2) {
      const double fan_in = static_cast<double>(parameter.numel() / parameter.size(0));
      parameter.copy_(draw / std::sqrt(fan_in));
    } else {
      const bool norm_scale = item.key().find("norm") != std::string::npos &&
                              item.key().size() >= 7 && item.key().substr(item.key().size() - 7) == ".weight";
      parameter.copy_(draw * 0.1 + (norm_scale ? 1.0 : 0.0));
    }
  }
  model->eval();
  return model;
}

torch::Tensor normal(torch::IntArrayRef shape, std::uint64_t seed) {
  auto generator = at::detail::createCPUGenerator(seed);
  return torch::randn(shape, generator, torch::TensorOptions());
}

double max_abs(const torch::Tensor& t) { return t.abs().max().item<double>(); }

// ---------------------------------------------------------------------------------------------
// The network

TEST(ImageUNet, OutputShapeEqualsInputShape) {
  ImageUNet model = random_image_model(1);
  torch::NoGradGuard no_grad;
  for (int side : {28, 32}) {
    for (int batch : {1, 3}) {
      SCOPED_TRACE(std::to_string(batch) + " x " + std::to_string(side) + "x" + std::to_string(side));
      const torch::Tensor x = normal({batch, 1, side, side}, 10 + side + batch);
      const torch::Tensor log_snr = torch::linspace(-6.0, 6.0, batch);
      const torch::Tensor eps_hat = model->forward(x, log_snr);
      EXPECT_EQ(eps_hat.sizes(), x.sizes());
      EXPECT_EQ(eps_hat.scalar_type(), torch::kFloat32);
      EXPECT_TRUE(torch::isfinite(eps_hat).all().item<bool>());
      EXPECT_GT(eps_hat.std().item<double>(), 1e-3);  // not a constant
    }
  }
  // A rectangular image and float64 input: the same shape and the input's type back.
  const torch::Tensor x = normal({2, 1, 28, 32}, 5).to(torch::kFloat64);
  const torch::Tensor eps_hat = model->forward(x, torch::zeros({1}));
  EXPECT_EQ(eps_hat.sizes(), x.sizes());
  EXPECT_EQ(eps_hat.scalar_type(), torch::kFloat64);
}

TEST(ImageUNet, BroadcastLogSnrAgreesWithPerImageLevels) {
  ImageUNet model = random_image_model(2);
  torch::NoGradGuard no_grad;
  const torch::Tensor x = normal({3, 1, 28, 28}, 20);
  const torch::Tensor one = model->forward(x, torch::full({1}, 2.5));
  const torch::Tensor each = model->forward(x, torch::full({3}, 2.5));
  EXPECT_TRUE(torch::allclose(one, each, 1e-5, 1e-5)) << max_abs(one - each);

  // Different levels per image: image i's output is what it gets alone at its own level (group
  // norm and attention never mix images), and the level matters.
  const std::vector<double> levels = {-3.0, 0.0, 4.0};
  const torch::Tensor mixed = model->forward(x, torch::tensor(levels, torch::kFloat32));
  for (int i = 0; i < 3; ++i) {
    const torch::Tensor alone = model->forward(x.narrow(0, i, 1), torch::full({1}, levels[i]));
    EXPECT_TRUE(torch::allclose(mixed.narrow(0, i, 1), alone, 1e-4, 1e-4)) << "image " << i << ": " << max_abs(mixed.narrow(0, i, 1) - alone);
  }
  const torch::Tensor at_low = model->forward(x, torch::full({1}, -3.0));
  const torch::Tensor at_high = model->forward(x, torch::full({1}, 4.0));
  EXPECT_GT(max_abs(at_low - at_high), 1e-3);
}

TEST(ImageUNet, NanLogSnrThrows) {
  ImageUNet model = random_image_model(3);
  const torch::Tensor x = normal({2, 1, 28, 28}, 30);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  EXPECT_THROW(model->forward(x, torch::full({1}, nan)), std::invalid_argument);
  EXPECT_THROW(model->forward(x, torch::tensor({0.0, nan})), std::invalid_argument);
  EXPECT_THROW(predict_image_output(model, x, nan), std::domain_error);
}

TEST(ImageUNet, BadShapesThrow) {
  ImageUNet model = random_image_model(4);
  const torch::Tensor level = torch::zeros({1});
  EXPECT_THROW(model->forward(torch::zeros({1, 1, 30, 30}), level), std::invalid_argument);
  EXPECT_THROW(model->forward(torch::zeros({1, 1, 28, 26}), level), std::invalid_argument);
  EXPECT_THROW(model->forward(torch::zeros({1, 1, 2, 2}), level), std::invalid_argument);
  EXPECT_THROW(model->forward(torch::zeros({1, 3, 28, 28}), level), std::invalid_argument);  // channels
  EXPECT_THROW(model->forward(torch::zeros({1, 28, 28}), level), std::invalid_argument);     // rank
  EXPECT_THROW(model->forward(torch::zeros({3, 1, 28, 28}), torch::zeros({2})), std::invalid_argument);
}

TEST(ImageUNet, InvalidConfigIsRefused) {
  ImageModelConfig odd_groups = tiny_config();
  odd_groups.groups = 3;  // does not divide 8
  EXPECT_THROW(ImageUNet{odd_groups}, std::invalid_argument);
  ImageModelConfig no_channels = tiny_config();
  no_channels.base_channels = 0;
  EXPECT_THROW(validate(no_channels), std::invalid_argument);
  EXPECT_NO_THROW(validate(tiny_config()));
  EXPECT_NO_THROW(validate(ImageModelConfig{}));
}

TEST(ImageUNet, ResetParametersIsDeterministicPerSeed) {
  ImageUNet a(tiny_config()), b(tiny_config()), c(tiny_config());
  a->reset_parameters(5);
  b->reset_parameters(5);
  c->reset_parameters(6);
  const auto pa = a->named_parameters(), pb = b->named_parameters(), pc = c->named_parameters();
  bool any_different = false;
  for (const auto& item : pa) {
    EXPECT_TRUE(torch::equal(item.value(), pb[item.key()])) << item.key();
    any_different = any_different || !torch::equal(item.value(), pc[item.key()]);
  }
  EXPECT_TRUE(any_different);
  // Bigger models have more parameters; the count is the sum of the tensors' sizes.
  std::int64_t total = 0;
  for (const auto& item : pa) total += item.value().numel();
  EXPECT_EQ(a->parameter_count(), total);
  EXPECT_GT(ImageUNet(tiny_config(16))->parameter_count(), a->parameter_count());
}

TEST(ImageUNet, CloneIsAnIndependentCopy) {
  ImageUNet model = random_image_model(7);
  ImageUNet copy = clone_image_model(model);
  torch::NoGradGuard no_grad;
  const torch::Tensor x = normal({2, 1, 28, 28}, 70);
  const torch::Tensor level = torch::full({1}, 1.0);
  const torch::Tensor before = model->forward(x, level);
  EXPECT_TRUE(torch::equal(copy->forward(x, level), before));
  EXPECT_FALSE(copy->is_training());
  for (auto& p : model->parameters()) p.add_(0.5);
  EXPECT_TRUE(torch::equal(copy->forward(x, level), before));
}

// ---------------------------------------------------------------------------------------------
// Training and sampling, on one briefly trained model shared by the tests of these suites.

// Garment-like synthetic images when the dataset is not installed: a bright rectangle of random
// size and place on a dark background.
torch::Tensor synthetic_images(int count) {
  auto generator = at::detail::createCPUGenerator(99);
  torch::Tensor images = torch::full({count, 1, 28, 28}, -1.0);
  const torch::Tensor draws = torch::randint(0, 8, {count, 4}, generator, torch::TensorOptions().dtype(torch::kInt64));
  auto d = draws.accessor<std::int64_t, 2>();
  for (int i = 0; i < count; ++i) {  // top/left in 2..9, height/width in 8..15: inside 28 x 28
    images[i].narrow(1, 2 + d[i][0], 8 + d[i][1]).narrow(2, 2 + d[i][2], 8 + d[i][3]).fill_(0.8);
  }
  return images;
}

torch::Tensor training_images() {
  constexpr int kCount = 320;
  if (fs::exists(kFashionMnistTestImages)) return images_to_tensor(read_idx_images(kFashionMnistTestImages, kCount));
  return synthetic_images(kCount);
}

struct TrainedModel {
  std::vector<double> losses;
  ImageUNet ema{nullptr};
  double recent_loss = 0;
  std::int64_t steps_done = 0;
};

constexpr int kTrainingSteps = 80;

// Trained once per process (the suites below share it).
const TrainedModel& trained_model() {
  static const TrainedModel trained = [] {
    ImageTrainingConfig config;
    config.batch_size = 16;
    config.learning_rate = 2e-3;
    config.planned_steps = kTrainingSteps;
    config.ema_decay = 0.9;
    config.seed = 11;
    ImageTrainer trainer(tiny_config(), config, training_images(), torch::kCPU);
    TrainedModel result;
    for (int i = 0; i < kTrainingSteps; ++i) result.losses.push_back(trainer.step());
    result.ema = trainer.ema_model();
    result.recent_loss = trainer.recent_loss();
    result.steps_done = trainer.steps_done();
    return result;
  }();
  return trained;
}

double mean(std::vector<double>::const_iterator begin, std::vector<double>::const_iterator end) {
  return std::accumulate(begin, end, 0.0) / static_cast<double>(end - begin);
}

TEST(ImageTraining, ShortRunLowersTheLoss) {
  const TrainedModel& trained = trained_model();
  ASSERT_EQ(trained.losses.size(), static_cast<std::size_t>(kTrainingSteps));
  for (double loss : trained.losses) ASSERT_TRUE(std::isfinite(loss));
  // The untrained model predicts eps = 0 (loss E[eps^2] = 1); a model that has learnt anything
  // about the images does clearly better. Means of 15 batches of 16 images, seed fixed
  // (measured: 0.92 for the first 15, 0.30 for the last 15).
  const double first = mean(trained.losses.begin(), trained.losses.begin() + 15);
  const double last = mean(trained.losses.end() - 15, trained.losses.end());
  EXPECT_GT(first, 0.5);
  EXPECT_LT(last, 0.6 * first) << "first 15: " << first << ", last 15: " << last;
  // recent_loss is the mean of the last 100 batch losses; computed here from the returned values.
  const std::ptrdiff_t recent = std::min<std::ptrdiff_t>(100, kTrainingSteps);
  EXPECT_NEAR(trained.recent_loss, mean(trained.losses.end() - recent, trained.losses.end()), 1e-9);
  EXPECT_EQ(trained.steps_done, kTrainingSteps);
  EXPECT_FALSE(trained.ema->is_training());
}

TEST(ImageTraining, OneSeedGivesTheSameRunAndAnotherSeedAnother) {
  const torch::Tensor images = synthetic_images(64);
  auto first_losses = [&](std::uint64_t seed) {
    ImageTrainingConfig config;
    config.batch_size = 8;
    config.seed = seed;
    ImageTrainer trainer(tiny_config(), config, images, torch::kCPU);
    std::vector<double> losses;
    for (int i = 0; i < 3; ++i) losses.push_back(trainer.step());
    return losses;
  };
  const std::vector<double> a = first_losses(4), b = first_losses(4), c = first_losses(5);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
}

TEST(ImageTraining, BadInputsAreRefused) {
  const torch::Tensor images = synthetic_images(8);
  ImageTrainingConfig zero_batch;
  zero_batch.batch_size = 0;
  EXPECT_THROW(ImageTrainer(tiny_config(), zero_batch, images, torch::kCPU), std::invalid_argument);
  ImageTrainingConfig nan_rate;
  nan_rate.learning_rate = std::numeric_limits<double>::quiet_NaN();
  EXPECT_THROW(ImageTrainer(tiny_config(), nan_rate, images, torch::kCPU), std::invalid_argument);
  EXPECT_THROW(ImageTrainer(tiny_config(), ImageTrainingConfig{}, torch::zeros({4, 3, 28, 28}), torch::kCPU),
               std::invalid_argument);
  EXPECT_THROW(ImageTrainer(tiny_config(), ImageTrainingConfig{}, torch::zeros({4, 1, 30, 30}), torch::kCPU),
               std::invalid_argument);
}

TEST(ImageTraining, ImagesToTensorAndBackAreExact) {
  IdxImages idx;
  idx.count = 2;
  idx.rows = 4;
  idx.cols = 4;
  for (int i = 0; i < 32; ++i) idx.bytes.push_back(static_cast<std::uint8_t>(i * 8 + (i == 31 ? 7 : 0)));
  const torch::Tensor images = images_to_tensor(idx);
  ASSERT_EQ(images.sizes(), (torch::IntArrayRef{2, 1, 4, 4}));
  EXPECT_NEAR(images.min().item<double>(), -1.0, 1e-7);  // byte 0
  EXPECT_NEAR(images.max().item<double>(), 1.0, 1e-7);   // byte 255
  EXPECT_NEAR(images[0][0][0][1].item<double>(), 8 / 127.5 - 1.0, 1e-6);
  const torch::Tensor bytes = tensor_to_bytes(images);
  ASSERT_EQ(bytes.scalar_type(), torch::kUInt8);
  for (int i = 0; i < 32; ++i) EXPECT_EQ(bytes.flatten()[i].item<int>(), idx.bytes[static_cast<std::size_t>(i)]);
}

// x_T for n images and the first K steps of the linear schedule (T = 1000) with trailing spacing.
torch::Tensor sample_with(const ImageUNet& model, bool clip, int n, int K, std::uint64_t seed) {
  const Schedule schedule{ScheduleParams{}};
  const std::vector<SamplingStep> steps = sampling_steps(schedule, K, Spacing::Trailing);
  ReverseConfig config;
  config.clip_x0 = clip;
  NoiseSource noise(seed);
  const torch::Tensor x_T = noise.normal({n, 1, 28, 28});
  return run_reverse(x_T, steps, make_image_denoiser(model, PredictionTarget::Eps, config), config, noise);
}

// In the training suite: it samples the model trained there (once per process, once per CTest entry).
TEST(ImageTraining, BrieflyTrainedModelSamplesFiniteImagesInASaneRange) {
  const ImageUNet& model = trained_model().ema;
  // Clipping x0_hat to [-1, 1] (the data range): the last step (t = 1, no noise) returns x0_hat
  // itself, so the samples lie in [-1, 1].
  const torch::Tensor clipped = sample_with(model, /*clip=*/true, 8, 50, 21);
  ASSERT_EQ(clipped.sizes(), (torch::IntArrayRef{8, 1, 28, 28}));
  ASSERT_TRUE(torch::isfinite(clipped).all().item<bool>());
  EXPECT_LE(clipped.max().item<double>(), 1.0 + 1e-5);
  EXPECT_GE(clipped.min().item<double>(), -1.0 - 1e-5);
  // Not collapsed: the samples differ from each other.
  EXPECT_GT(clipped.std(0).mean().item<double>(), 0.05);
  // Same seed, same samples (common random numbers).
  EXPECT_TRUE(torch::equal(clipped, sample_with(model, true, 8, 50, 21)));

  // Without clipping the samples stay finite, and far smaller than those of the untrained model:
  // it predicts eps_hat = 0 (zero output layer), so each step divides x by sqrt(alpha_t) and the
  // run ends near x_T / sqrt(alpha_bar_T) (measured: max |x| = 786). A model this briefly
  // trained still under-predicts eps at low SNR (measured: max |x| = 325, ratio 0.41; the
  // tolerance is 0.6), so |x| <= 3 is left to a fully trained model.
  const torch::Tensor free = sample_with(model, /*clip=*/false, 8, 50, 21);
  ASSERT_TRUE(torch::isfinite(free).all().item<bool>());
  const torch::Tensor untrained = sample_with(ImageUNet(tiny_config()), /*clip=*/false, 8, 50, 21);
  EXPECT_GT(max_abs(untrained), 100.0);
  EXPECT_LT(max_abs(free), 0.6 * max_abs(untrained)) << "untrained: " << max_abs(untrained);
}

TEST(ImageSampling, PredictImageEpsClampsTheLevelToTheModelRange) {
  ImageUNet model = random_image_model(8);
  const torch::Tensor x = normal({2, 1, 28, 28}, 80);
  torch::NoGradGuard no_grad;
  const torch::Tensor at_max = model->forward(x, torch::full({1}, kModelLogSnrMax));
  EXPECT_TRUE(torch::allclose(predict_image_output(model, x, 1e6), at_max, 1e-6, 1e-6));
  EXPECT_TRUE(torch::allclose(predict_image_output(model, x, -std::numeric_limits<double>::infinity()),
                              model->forward(x, torch::full({1}, kModelLogSnrMin)), 1e-6, 1e-6));
  EXPECT_TRUE(torch::allclose(predict_image_output(model, x, 1.5), model->forward(x, torch::full({1}, 1.5)), 1e-6,
                              1e-6));
}

// ---------------------------------------------------------------------------------------------
// Checkpoints

class ImageCheckpoint : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("diffuscope-image-checkpoint-test-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    model_ = random_image_model(41);
    metadata_ = metadata_for(model_->config());
    good_ = path("fashion.ckpt");
    save_image_model(good_, model_, metadata_);
  }
  void TearDown() override {
    std::error_code error;
    fs::remove_all(dir_, error);
  }

  static ImageCheckpointMetadata metadata_for(const ImageModelConfig& config) {
    ImageCheckpointMetadata m;
    m.model = config;
    m.dataset = "fashion-mnist";
    m.image_height = 28;
    m.image_width = 28;
    m.log_snr_min = kModelLogSnrMin;
    m.log_snr_max = kModelLogSnrMax;
    m.seed = 18446744073709551615ull;  // the largest seed must survive JSON
    m.steps = 4321;
    m.final_loss = 0.0456;
    m.batch_size = 128;
    m.learning_rate = 1e-3;
    m.device = "cpu (2 threads)";
    m.training_seconds = 123.5;
    m.library_version = checkpoint_library_version();
    m.command = "diffuscope train --data fashion-mnist --steps 4321 --out fashion.ckpt";
    m.created_utc = utc_timestamp();
    return m;
  }

  std::string path(const std::string& name) const { return (dir_ / name).string(); }
  std::vector<char> bytes_of(const std::string& file) const {
    std::ifstream in(file, std::ios::binary);
    return std::vector<char>(std::istreambuf_iterator<char>(in), {});
  }
  std::string write_bytes(const std::string& name, const std::vector<char>& bytes) const {
    const std::string file = path(name);
    std::ofstream out(file, std::ios::binary);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    return file;
  }
  // The load error's message; a failure if the load succeeds or throws something else.
  std::string load_error(const std::string& file) const {
    try {
      load_image_model(file, torch::kCPU);
    } catch (const CheckpointError& e) {
      return e.what();
    } catch (const std::exception& e) {
      ADD_FAILURE() << file << ": expected CheckpointError, got: " << e.what();
      return e.what();
    }
    ADD_FAILURE() << file << " was loaded";
    return "";
  }

  fs::path dir_;
  ImageUNet model_{nullptr};
  ImageCheckpointMetadata metadata_;
  std::string good_;
};

void expect_contains(const std::string& message, const std::string& part) {
  EXPECT_NE(message.find(part), std::string::npos) << "'" << message << "' lacks '" << part << "'";
}

TEST_F(ImageCheckpoint, RoundTripGivesIdenticalOutputs) {
  LoadedImageModel loaded = load_image_model(good_, torch::kCPU);
  EXPECT_FALSE(loaded.model->is_training());
  EXPECT_EQ(loaded.model->config(), model_->config());
  torch::NoGradGuard no_grad;
  const torch::Tensor x = normal({3, 1, 28, 28}, 90);
  const torch::Tensor levels = torch::tensor({-8.0f, 0.5f, 9.0f});
  EXPECT_TRUE(torch::equal(loaded.model->forward(x, levels), model_->forward(x, levels)));

  const ImageCheckpointMetadata& m = loaded.metadata;
  EXPECT_EQ(m.kind, "image-model");
  EXPECT_EQ(m.dataset, metadata_.dataset);
  EXPECT_EQ(m.image_height, 28);
  EXPECT_EQ(m.image_width, 28);
  EXPECT_EQ(m.seed, metadata_.seed);
  EXPECT_EQ(m.steps, metadata_.steps);
  EXPECT_EQ(m.final_loss, metadata_.final_loss);
  EXPECT_EQ(m.batch_size, metadata_.batch_size);
  EXPECT_EQ(m.learning_rate, metadata_.learning_rate);
  EXPECT_EQ(m.device, metadata_.device);
  EXPECT_EQ(m.training_seconds, metadata_.training_seconds);
  EXPECT_EQ(m.command, metadata_.command);
  EXPECT_EQ(m.created_utc, metadata_.created_utc);
  EXPECT_EQ(m.log_snr_min, kModelLogSnrMin);
  EXPECT_EQ(m.log_snr_max, kModelLogSnrMax);
}

TEST_F(ImageCheckpoint, SaveRefusesMetadataOfAnotherArchitecture) {
  ImageCheckpointMetadata other = metadata_;
  other.model.base_channels = 16;
  EXPECT_THROW(save_image_model(path("x.ckpt"), model_, other), std::invalid_argument);
  EXPECT_FALSE(fs::exists(path("x.ckpt")));
  EXPECT_THROW(save_image_model((dir_ / "no-such-dir" / "x.ckpt").string(), model_, metadata_), CheckpointError);
}

TEST_F(ImageCheckpoint, OtherArchitectureIsRefusedSayingWhy) {
  // Weights of a base-16 model under metadata that says base 8: the shapes do not fit.
  ImageUNet wide = random_image_model(42, tiny_config(16));
  const std::string wide_file = path("wide.ckpt");
  save_image_model(wide_file, wide, metadata_for(wide->config()));
  EXPECT_NO_THROW(load_image_model(wide_file, torch::kCPU));  // valid by itself
  const std::string mixed = path("mixed.ckpt");
  write_checkpoint(mixed, read_checkpoint(good_).metadata_json, read_checkpoint(wide_file).tensors);
  std::string message = load_error(mixed);
  expect_contains(message, mixed);
  expect_contains(message, "shape");

  // An architecture string from another version of the network.
  nlohmann::json metadata = nlohmann::json::parse(read_checkpoint(good_).metadata_json);
  metadata["architecture"] = "image-unet/v2 c=1 b=8 m=1,2,2 g=4 nf=8 attn=1";
  const std::string v2 = path("v2.ckpt");
  write_checkpoint(v2, metadata.dump(), read_checkpoint(good_).tensors);
  message = load_error(v2);
  expect_contains(message, v2);
  expect_contains(message, "architecture");

  // A tensor missing.
  CheckpointContents contents = read_checkpoint(good_);
  contents.tensors.erase(contents.tensors.begin());
  const std::string missing = path("missing-tensor.ckpt");
  write_checkpoint(missing, contents.metadata_json, contents.tensors);
  expect_contains(load_error(missing), missing);
}

TEST_F(ImageCheckpoint, PointModelCheckpointIsRefusedAndViceVersa) {
  PointModel point(PointModelConfig{4, 8, 16, 2});
  PointCheckpointMetadata point_metadata;
  point_metadata.model = point->config();
  point_metadata.dataset = "moons";
  point_metadata.log_snr_min = -20;
  point_metadata.log_snr_max = 14;
  point_metadata.steps = 10;
  point_metadata.batch_size = 64;
  point_metadata.learning_rate = 1e-3;
  point_metadata.library_version = checkpoint_library_version();
  point_metadata.created_utc = utc_timestamp();
  const std::string point_file = path("moons.ckpt");
  save_point_model(point_file, point, point_metadata);
  const std::string message = load_error(point_file);
  expect_contains(message, point_file);
  expect_contains(message, "point-model");
  expect_contains(message, "it is a 2D point model");
  EXPECT_THROW(load_point_model(good_, torch::kCPU), CheckpointError);
}

TEST_F(ImageCheckpoint, DamagedFilesAreRefused) {
  const std::vector<char> bytes = bytes_of(good_);
  ASSERT_GT(bytes.size(), 1000u);
  std::vector<char> truncated(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(bytes.size() / 2));
  std::vector<char> flipped = bytes;
  flipped[flipped.size() * 3 / 4] ^= 0x10;
  const std::vector<std::pair<std::string, std::vector<char>>> damaged = {
      {"truncated.ckpt", truncated},
      {"flipped.ckpt", flipped},
      {"empty.ckpt", {}},
      {"garbage.ckpt", std::vector<char>(4096, 'x')},
  };
  for (const auto& [name, content] : damaged) {
    SCOPED_TRACE(name);
    const std::string file = write_bytes(name, content);
    expect_contains(load_error(file), file);
  }
  const std::string absent = path("absent.ckpt");
  expect_contains(load_error(absent), absent);

  // A NaN weight in a valid container.
  CheckpointContents contents = read_checkpoint(good_);
  contents.tensors.begin()->second.view({-1})[0] = std::numeric_limits<float>::quiet_NaN();
  const std::string nan_file = path("nan.ckpt");
  write_checkpoint(nan_file, contents.metadata_json, contents.tensors);
  expect_contains(load_error(nan_file), nan_file);
}

}  // namespace
