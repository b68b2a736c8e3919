// The evaluation classifier: shapes and parameter count worked out by hand, seeded initialisation,
// training on a tiny separable set, and its checkpoints (round trip and refusals).
#include <gtest/gtest.h>

#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include "diffusion/checkpoint.hpp"
#include "diffusion/image_classifier.hpp"

namespace {

using diffusion::ImageClassifier;
using diffusion::ImageClassifierConfig;

// A small configuration for the tests that train: 12 x 12 images, 4 channels, 8 features.
ImageClassifierConfig tiny_config() {
  ImageClassifierConfig config;
  config.image_height = 12;
  config.image_width = 12;
  config.channels_1 = 4;
  config.channels_2 = 4;
  config.channels_3 = 4;
  config.features = 8;
  config.classes = 2;
  return config;
}

// Two classes a small CNN separates at once: bright top half (0) or bright bottom half (1), with
// noise. Images in [-1, 1], [2 n, 1, 12, 12], labels [2 n].
std::pair<torch::Tensor, torch::Tensor> two_class_images(int n, std::uint64_t seed) {
  auto generator = at::detail::createCPUGenerator(seed);
  auto images = torch::full({2 * n, 1, 12, 12}, -0.8) + 0.2 * torch::randn({2 * n, 1, 12, 12}, generator);
  images.slice(0, 0, n).slice(2, 0, 6) += 1.2;
  images.slice(0, n, 2 * n).slice(2, 6, 12) += 1.2;
  const auto labels = torch::cat({torch::zeros({n}, torch::kInt64), torch::ones({n}, torch::kInt64)});
  return {images.clamp(-1.0, 1.0), labels};
}

class TempFolder {
 public:
  TempFolder() {
    std::string pattern = (std::filesystem::temp_directory_path() / "diffuscope-classifier-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~TempFolder() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

diffusion::ClassifierCheckpointMetadata metadata_for(const ImageClassifierConfig& config) {
  diffusion::ClassifierCheckpointMetadata m;
  m.model = config;
  m.dataset = "two-halves";
  m.seed = 7;
  m.epochs = 2;
  m.batch_size = 16;
  m.learning_rate = 0.003;
  m.final_loss = 0.25;
  m.test_accuracy = 0.875;
  m.test_images = 40;
  m.device = "CPU, 1 thread";
  m.training_seconds = 1.5;
  m.library_version = diffusion::checkpoint_library_version();
  m.command = "test";
  m.created_utc = diffusion::utc_timestamp();
  return m;
}

// Expects load_image_classifier to throw a CheckpointError whose message contains every needle.
void expect_refused(const std::string& path, const std::vector<std::string>& needles) {
  try {
    diffusion::load_image_classifier(path, torch::kCPU);
    ADD_FAILURE() << path << " was accepted";
  } catch (const diffusion::CheckpointError& e) {
    const std::string message = e.what();
    for (const std::string& needle : needles) EXPECT_NE(message.find(needle), std::string::npos) << message;
  }
}

TEST(ImageClassifier, ShapesAndParameterCountOfTheDefault) {
  ImageClassifier model;
  // 28 -> pool 14 -> pool 7 -> unpadded 3x3 conv 5: the hidden layer sees 64 * 5 * 5 = 1600 values.
  // conv_1 1*32*9 + 32 = 320; conv_2 32*64*9 + 64 = 18,496; conv_3 64*64*9 + 64 = 36,928;
  // hidden 1600*64 + 64 = 102,464; output 64*10 + 10 = 650: 158,858 parameters (635 kB as float32).
  EXPECT_EQ(model->parameter_count(), 158858);
  EXPECT_EQ(model->config().architecture(), "image-classifier/v1 c=1 28x28 ch=32,64,64 f=64 k=10");
  const auto x = torch::rand({3, 1, 28, 28}) * 2 - 1;
  const auto features = model->features(x);
  EXPECT_EQ(features.sizes(), (std::vector<std::int64_t>{3, 64}));
  EXPECT_GE(features.min().item<double>(), 0.0);   // after the ReLU
  EXPECT_EQ(model->forward(x).sizes(), (std::vector<std::int64_t>{3, 10}));
  EXPECT_THROW(model->features(torch::zeros({3, 1, 24, 28})), std::invalid_argument);
  EXPECT_THROW(model->features(torch::zeros({3, 2, 28, 28})), std::invalid_argument);
  ImageClassifierConfig odd;
  odd.image_height = 30;
  EXPECT_THROW(diffusion::validate(odd), std::invalid_argument);
  ImageClassifierConfig no_features;
  no_features.features = 0;
  EXPECT_THROW(ImageClassifier{no_features}, std::invalid_argument);
}

TEST(ImageClassifier, SeededInitialisationIsReproducibleAndBounded) {
  ImageClassifier a, b, c;
  a->reset_parameters(5);
  b->reset_parameters(5);
  c->reset_parameters(6);
  const auto pa = a->named_parameters(), pb = b->named_parameters(), pc = c->named_parameters();
  for (const auto& item : pa) {
    SCOPED_TRACE(item.key());
    EXPECT_TRUE(torch::equal(item.value(), pb[item.key()]));
    EXPECT_FALSE(torch::equal(item.value(), pc[item.key()]));
  }
  // PyTorch's default bound 1/sqrt(fan_in): conv_2's fan-in is 32 * 9.
  EXPECT_LE(pa["conv_2.weight"].abs().max().item<double>(), 1.0 / std::sqrt(32.0 * 9.0));
  EXPECT_GT(pa["conv_2.weight"].abs().max().item<double>(), 0.9 / std::sqrt(32.0 * 9.0));
}

TEST(ImageClassifier, TrainsToSeparateTwoClassesReproducibly) {
  const auto [images, labels] = two_class_images(128, 1);
  const auto [test_images, test_labels] = two_class_images(50, 2);
  diffusion::ClassifierTrainingConfig config;
  config.batch_size = 16;
  config.learning_rate = 1e-2;
  config.epochs = 6;
  config.seed = 9;
  diffusion::ClassifierTrainer trainer(tiny_config(), config, images, labels, torch::kCPU);
  diffusion::ClassifierTrainer twin(tiny_config(), config, images, labels, torch::kCPU);
  std::int64_t calls = 0, last_total = 0;
  double first = 0, last = 0;
  for (int epoch = 0; epoch < config.epochs; ++epoch) {
    last = trainer.train_epoch([&](std::int64_t done, std::int64_t total) {
      ++calls;
      last_total = total;
      EXPECT_LE(done, total);
    });
    if (epoch == 0) first = last;
    EXPECT_EQ(twin.train_epoch(), last);   // same seed: the same run
  }
  EXPECT_EQ(trainer.epochs_done(), 6);
  EXPECT_EQ(last_total, 16);               // 256 images in batches of 16
  EXPECT_EQ(calls, 6 * 16);
  EXPECT_LT(last, first);
  ImageClassifier model = trainer.model();
  const auto outputs = diffusion::classify_images(model, test_images, 7);   // batches of 7, one partial
  EXPECT_EQ(outputs.features.sizes(), (std::vector<std::int64_t>{100, 8}));
  EXPECT_EQ(outputs.predictions.sizes(), (std::vector<std::int64_t>{100}));
  EXPECT_GE(diffusion::accuracy(outputs.predictions, test_labels), 0.95);
  EXPECT_DOUBLE_EQ(diffusion::accuracy(test_labels, test_labels), 1.0);
  EXPECT_DOUBLE_EQ(diffusion::accuracy(torch::zeros({4}, torch::kInt64), torch::tensor({0, 1, 1, 0})), 0.5);

  EXPECT_THROW(diffusion::ClassifierTrainer(tiny_config(), config, images, labels + 1, torch::kCPU),
               std::invalid_argument);   // label 2 with 2 classes
  diffusion::ClassifierTrainingConfig bad = config;
  bad.epochs = 0;
  EXPECT_THROW(diffusion::validate(bad), std::invalid_argument);
}

TEST(ImageClassifierCheckpoint, RoundTripKeepsWeightsAndMetadata) {
  TempFolder folder;
  const std::string path = folder.file("classifier.ckpt");
  ImageClassifier model(tiny_config());
  model->reset_parameters(3);
  const auto metadata = metadata_for(tiny_config());
  diffusion::save_image_classifier(path, model, metadata);
  auto loaded = diffusion::load_image_classifier(path, torch::kCPU);
  EXPECT_FALSE(loaded.model->is_training());
  EXPECT_EQ(loaded.metadata.model, tiny_config());
  EXPECT_EQ(loaded.metadata.kind, "image-classifier");
  EXPECT_EQ(loaded.metadata.dataset, "two-halves");
  EXPECT_EQ(loaded.metadata.epochs, 2);
  EXPECT_DOUBLE_EQ(loaded.metadata.test_accuracy, 0.875);
  EXPECT_EQ(loaded.metadata.test_images, 40);
  EXPECT_EQ(loaded.metadata.command, "test");
  const auto x = torch::rand({5, 1, 12, 12});
  EXPECT_TRUE(torch::equal(loaded.model->forward(x), model->forward(x)));

  // Saving refuses metadata that does not describe the model.
  auto wrong = metadata;
  wrong.model.features = 9;
  EXPECT_THROW(diffusion::save_image_classifier(folder.file("x.ckpt"), model, wrong), std::invalid_argument);
  wrong = metadata;
  wrong.test_accuracy = 1.5;
  EXPECT_THROW(diffusion::save_image_classifier(folder.file("x.ckpt"), model, wrong), std::invalid_argument);
}

TEST(ImageClassifierCheckpoint, RefusesOtherKindsAndBadMetadata) {
  TempFolder folder;
  ImageClassifier model(tiny_config());
  std::map<std::string, torch::Tensor> tensors;
  for (const auto& item : model->named_parameters()) tensors.emplace(item.key(), item.value().detach());
  nlohmann::json good;
  {
    const std::string path = folder.file("good.ckpt");
    diffusion::save_image_classifier(path, model, metadata_for(tiny_config()));
    good = nlohmann::json::parse(diffusion::read_checkpoint(path).metadata_json);
  }
  auto write = [&](const std::string& name, const nlohmann::json& metadata,
                   const std::map<std::string, torch::Tensor>& weights) {
    const std::string path = folder.file(name);
    diffusion::write_checkpoint(path, metadata.dump(), weights);
    return path;
  };
  // The image diffusion model's checkpoint: said so, with where it belongs.
  nlohmann::json unet = good;
  unet["kind"] = "image-model";
  expect_refused(write("unet.ckpt", unet, tensors), {"unet.ckpt", "image-model", "--model"});
  nlohmann::json bad_accuracy = good;
  bad_accuracy["test_accuracy"] = 1.5;
  expect_refused(write("accuracy.ckpt", bad_accuracy, tensors), {"test_accuracy"});
  nlohmann::json no_features = good;
  no_features["model"].erase("features");
  expect_refused(write("fields.ckpt", no_features, tensors), {"features", "missing"});
  nlohmann::json other_architecture = good;
  other_architecture["architecture"] = "image-classifier/v0";
  expect_refused(write("architecture.ckpt", other_architecture, tensors), {"architecture"});
  auto missing_weight = tensors;
  missing_weight.erase("hidden.weight");
  expect_refused(write("weights.ckpt", good, missing_weight), {"hidden.weight", "missing"});
  auto wrong_shape = tensors;
  wrong_shape["output.bias"] = torch::zeros({3});
  expect_refused(write("shape.ckpt", good, wrong_shape), {"output.bias", "shape"});
  expect_refused(folder.file("nothing-here.ckpt"), {"nothing-here.ckpt"});
}

}  // namespace
