#include "cli/stopwatch.hpp"
#include "cli/image_evaluation.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <random>
#include <sstream>
#include <vector>

#include "cli/choices.hpp"
#include "cli/image_sampling.hpp"
#include "cli/usage_error.hpp"
#include "diffusion/assets.hpp"
#include "diffusion/device.hpp"
#include "diffusion/frechet_distance.hpp"
#include "diffusion/idx_file.hpp"
#include "diffusion/image_classifier.hpp"
#include "diffusion/image_training.hpp"
#include "diffusion/seeding.hpp"

namespace diffuscope::cli {

namespace {

// Images per reverse run: bounds the memory of a large N and gives a progress line per batch.
constexpr int kSampleBatch = 250;
// Seed streams (diffusion::derive_seed) for the floor row's training images and the sample batches
// after the first (the first uses --seed itself, so it equals `sample --data --n 250 --seed S`).
constexpr std::uint64_t kTrainPickStream = 701;
constexpr std::uint64_t kSampleBatchStream = 702;

struct LabelledImages {
  torch::Tensor images;  // [N, 1, H, W] float32 in [-1, 1]
  torch::Tensor labels;  // [N] int64
  int rows = 0;
  int cols = 0;
};

LabelledImages read_labelled(const char* images_path, const char* labels_path, const char* what) {
  try {
    const diffusion::IdxImages idx = diffusion::read_idx_images(images_path);
    const std::vector<std::uint8_t> labels = diffusion::read_idx_labels(labels_path);
    if (labels.size() != static_cast<std::size_t>(idx.count))
      throw diffusion::IdxError(std::string(labels_path) + ": " + std::to_string(labels.size()) + " labels for " +
                                std::to_string(idx.count) + " images");
    return {diffusion::images_to_tensor(idx), diffusion::labels_to_tensor(labels), idx.rows, idx.cols};
  } catch (const diffusion::IdxError& e) {
    throw std::runtime_error(std::string("cannot read the ") + what + ": " + e.what());
  }
}

diffusion::LoadedImageClassifier load_classifier_choice(const std::string& data, const std::string& path,
                                                        const torch::Device& device) {
  if (!path.empty()) return diffusion::load_image_classifier(path, device);
  const std::string shipped = diffusion::shipped_image_classifier_path();
  std::error_code error;
  if (!std::filesystem::exists(shipped, error)) {
    throw diffusion::CheckpointError("no shipped classifier for --data " + data + " at '" + shipped +
                                     "'; pass --classifier PATH (made by `diffuscope train --data " + data +
                                     " --classifier`)");
  }
  return diffusion::load_image_classifier(shipped, device);
}

// `count` distinct indices out of 0..total-1 (a partial Fisher-Yates shuffle on SplitMix64-seeded
// mt19937_64: the same on every platform).
std::vector<std::int64_t> pick_indices(std::int64_t total, std::int64_t count, std::uint64_t seed) {
  std::vector<std::int64_t> all(static_cast<std::size_t>(total));
  for (std::int64_t i = 0; i < total; ++i) all[static_cast<std::size_t>(i)] = i;
  std::mt19937_64 random(diffusion::derive_seed(seed, kTrainPickStream));
  for (std::int64_t i = 0; i < count; ++i) {
    const std::int64_t j = i + static_cast<std::int64_t>(random() % static_cast<std::uint64_t>(total - i));
    std::swap(all[static_cast<std::size_t>(i)], all[static_cast<std::size_t>(j)]);
  }
  all.resize(static_cast<std::size_t>(count));
  return all;
}

// "small", "large", "interpolated(v=0.5)", "ddim(eta=0)", "ode(heun)": one CSV field, no commas.
std::string sigma_field(const ReversePlan& plan) {
  const diffusion::ReverseConfig& config = plan.config;
  if (plan.ode_solver) return "ode(" + std::string(diffusion::to_string(*plan.ode_solver)) + ")";
  std::ostringstream field;
  field << diffusion::to_string(config.sigma);
  if (config.sigma == diffusion::SigmaKind::DDIM) field << "(eta=" << config.eta << ')';
  if (config.sigma == diffusion::SigmaKind::Interpolated) field << "(v=" << config.interpolation << ')';
  return field.str();
}

std::string percent(double fraction) {
  std::ostringstream text;
  text << std::fixed << std::setprecision(2) << 100.0 * fraction << '%';
  return text.str();
}

}  // namespace

int run_image_evaluate(const ImageEvaluateRequest& request, ReversePlan plan, const torch::Device& device,
                       int threads) {
  check_image_dataset_flag(request.data);
  if (request.n < 2 || request.n > kMaxImageEvaluateCount) {
    throw UsageError("--n must be in 2..." + std::to_string(kMaxImageEvaluateCount) + " with --data, got " +
                     std::to_string(request.n));
  }
  plan.config.clip_x0 = request.clip_x0;
  plan.config.clip_min = -1.0;
  plan.config.clip_max = 1.0;

  struct Row {
    std::string images, sigma;
    std::size_t steps = 0;
    double distance = 0, seconds = 0;
  };
  std::vector<Row> rows;
  std::ostringstream about;
  try {
    // Both files are loaded first so that a bad one fails before minutes of sampling.
    diffusion::LoadedImageClassifier classifier = load_classifier_choice(request.data, request.classifier_path, device);
    const diffusion::LoadedImageModel model = load_image_model_choice(request.data, request.model_path, device);
    const std::string classifier_name =
        request.classifier_path.empty() ? diffusion::shipped_image_classifier_path() : request.classifier_path;
    const std::string model_name =
        request.model_path.empty() ? diffusion::shipped_image_model_path() : request.model_path;

    const LabelledImages test = read_labelled(diffusion::kFashionMnistTestImages, diffusion::kFashionMnistTestLabels,
                                              "test images");
    const auto& config = classifier.model->config();
    if (config.image_height != test.rows || config.image_width != test.cols)
      throw UsageError("the classifier " + classifier_name + " takes " + std::to_string(config.image_height) + "x" +
                       std::to_string(config.image_width) + " images; " + request.data + " has " +
                       std::to_string(test.rows) + "x" + std::to_string(test.cols));
    const auto test_start = std::chrono::steady_clock::now();
    const diffusion::ClassifierOutputs test_outputs = diffusion::classify_images(classifier.model, test.images);
    const double test_accuracy = diffusion::accuracy(test_outputs.predictions, test.labels);
    const diffusion::GaussianStatistics test_statistics = diffusion::gaussian_statistics(test_outputs.features);
    std::ostringstream accuracy_line;
    accuracy_line << "evaluate: classifier " << classifier_name << " (" << config.architecture()
                  << "): test accuracy " << percent(test_accuracy) << " on the " << test.images.size(0)
                  << " test images (" << std::fixed << std::setprecision(1) << seconds_since(test_start) << " s)\n";
    std::cerr << accuracy_line.str() << std::flush;

    // The floor: N real training images against the test set.
    {
      const LabelledImages train = read_labelled(diffusion::kFashionMnistTrainImages,
                                                 diffusion::kFashionMnistTrainLabels, "training images");
      if (request.n > train.images.size(0))
        throw UsageError("--n " + std::to_string(request.n) + " is more than the " +
                         std::to_string(train.images.size(0)) + " training images");
      const auto start = std::chrono::steady_clock::now();
      const std::vector<std::int64_t> picked = pick_indices(train.images.size(0), request.n, request.seed);
      const auto index = torch::tensor(picked, torch::TensorOptions().dtype(torch::kInt64));
      const auto features = diffusion::classify_images(classifier.model, train.images.index_select(0, index)).features;
      const double distance = diffusion::frechet_distance(diffusion::gaussian_statistics(features), test_statistics);
      rows.push_back({"train", "-", 0, distance, seconds_since(start)});
    }

    // The model: N samples with the plan, in batches, as `sample --data` draws them.
    const int height = model.metadata.image_height > 0 ? model.metadata.image_height : test.rows;
    const int width = model.metadata.image_width > 0 ? model.metadata.image_width : test.cols;
    if (height != test.rows || width != test.cols)
      throw UsageError("the model " + model_name + " makes " + std::to_string(height) + "x" + std::to_string(width) +
                       " images; the classifier takes " + std::to_string(test.rows) + "x" + std::to_string(test.cols));
    std::vector<torch::Tensor> batches;
    double sampling_seconds = 0;
    for (int done = 0, batch_index = 0; done < request.n; ++batch_index) {
      const int count = std::min(kSampleBatch, request.n - done);
      const std::uint64_t seed =
          batch_index == 0 ? request.seed : diffusion::derive_seed(request.seed, kSampleBatchStream, batch_index);
      const TimedImages images = run_timed_image_reverse(model.model, model.metadata.target, plan, count, height, width, seed, device);
      if (!torch::isfinite(images.images).all().item<bool>())
        throw std::runtime_error("the sampled images contain NaN or infinite values (" + model_name + ")");
      // As a PNG shows them: clamped to [-1, 1] and rounded to 8 bits, like the real images.
      batches.push_back(diffusion::tensor_to_bytes(images.images).to(torch::kFloat32) / 127.5 - 1.0);
      done += count;
      sampling_seconds += images.seconds;
      if (done < request.n) {
        std::ostringstream progress;
        progress << "evaluate: " << done << '/' << request.n << " samples (" << plan.steps.size() << " steps) in "
                 << std::fixed << std::setprecision(1) << sampling_seconds << " s\n";
        std::cerr << progress.str() << std::flush;
      }
    }
    const auto features = diffusion::classify_images(classifier.model, torch::cat(batches)).features;
    const double distance = diffusion::frechet_distance(diffusion::gaussian_statistics(features), test_statistics);
    rows.push_back({"model", sigma_field(plan), plan.steps.size(), distance, sampling_seconds});

    about << "evaluate: Fréchet distance (Heusel et al. 2017) in the classifier's " << config.features
          << " penultimate features to the " << test.images.size(0) << " test images; train: " << request.n
          << " training images (seed " << request.seed << "); model: " << request.n << " samples of " << model_name
          << ", " << plan.schedule_name << ", " << plan.steps.size() << " sampling steps, sigma "
          << sigma_field(plan) << (request.clip_x0 ? ", x0_hat clipped to [-1, 1]" : "")
          << ", rounded to 8 bits; " << device.str() << " (" << threads << (threads == 1 ? " thread" : " threads")
          << ")\n";
  } catch (const c10::Error& e) {
    throw std::runtime_error(e.what_without_backtrace());  // LibTorch's backtrace helps nobody here
  }

  std::ostringstream table;
  table << "images,steps,sigma,n,frechet_distance,seconds\n";
  for (const Row& row : rows) {
    table << row.images << ',' << row.steps << ',' << row.sigma << ',' << request.n << ',' << std::fixed
          << std::setprecision(4) << row.distance << ',' << std::setprecision(3) << row.seconds << '\n';
  }
  std::cout << table.str() << std::flush;
  std::cerr << about.str();
  return 0;
}

int run_classifier_train(const ClassifierTrainRequest& request, const torch::Device& device) {
  check_image_dataset_flag(request.data);
  diffusion::ClassifierTrainingConfig config;
  config.epochs = request.epochs;
  if (request.batch > 0) config.batch_size = request.batch;
  if (request.learning_rate > 0) config.learning_rate = request.learning_rate;
  config.seed = request.seed;
  if (config.epochs < 1 || config.epochs > 1000)
    throw UsageError("--epochs must be in 1..1000, got " + std::to_string(config.epochs));
  diffusion::validate(config);
  check_output_file("--out", request.out);

  LabelledImages train = read_labelled(diffusion::kFashionMnistTrainImages, diffusion::kFashionMnistTrainLabels,
                                       "training images");
  if (request.max_images > 0 && request.max_images < train.images.size(0)) {
    train.images = train.images.slice(0, 0, request.max_images);
    train.labels = train.labels.slice(0, 0, request.max_images);
  }
  const LabelledImages test = read_labelled(diffusion::kFashionMnistTestImages, diffusion::kFashionMnistTestLabels,
                                            "test images");
  diffusion::ImageClassifierConfig model_config;
  model_config.image_height = train.rows;
  model_config.image_width = train.cols;
  const std::string where = diffusion::device_display_name(device);
  try {
    diffusion::ClassifierTrainer trainer(model_config, config, train.images, train.labels, device);
    diffusion::ImageClassifier model = trainer.model();
    std::ostringstream header;
    header << "train: " << request.data << " classifier (" << train.images.size(0) << " images, " << train.rows << "x"
           << train.cols << "), " << config.epochs << " epochs, batch " << config.batch_size << ", lr "
           << config.learning_rate << ", seed " << config.seed << "; model " << model_config.architecture() << " ("
           << model->parameter_count() << " parameters); " << where << "\n";
    std::cout << header.str() << std::flush;
    double training_seconds = 0, loss = 0, test_accuracy = 0;
    for (int epoch = 1; epoch <= config.epochs; ++epoch) {
      const auto start = std::chrono::steady_clock::now();
      loss = trainer.train_epoch();
      training_seconds += seconds_since(start);
      test_accuracy = diffusion::accuracy(diffusion::classify_images(model, test.images).predictions, test.labels);
      std::ostringstream line;
      line << "epoch " << epoch << '/' << config.epochs << "  loss " << std::fixed << std::setprecision(4) << loss
           << "  test accuracy " << percent(test_accuracy) << "  training " << std::setprecision(1)
           << training_seconds << " s\n";
      std::cout << line.str() << std::flush;
    }
    diffusion::ClassifierCheckpointMetadata metadata;
    metadata.model = model_config;
    metadata.dataset = request.data;
    metadata.seed = config.seed;
    metadata.epochs = trainer.epochs_done();
    metadata.batch_size = config.batch_size;
    metadata.learning_rate = config.learning_rate;
    metadata.final_loss = loss;
    metadata.test_accuracy = test_accuracy;
    metadata.test_images = static_cast<int>(test.images.size(0));
    metadata.device = where;
    metadata.training_seconds = training_seconds;
    metadata.library_version = diffusion::checkpoint_library_version();
    metadata.command = request.command_line;
    metadata.created_utc = diffusion::utc_timestamp();
    diffusion::save_image_classifier(request.out, model, metadata);
    std::ostringstream done;
    done << "saved " << request.out << ": " << metadata.epochs << " epochs in " << std::fixed << std::setprecision(1)
         << training_seconds << " s of training on " << where << ", test accuracy " << percent(test_accuracy)
         << " on the " << metadata.test_images << " test images, final loss " << std::setprecision(4) << loss << '\n';
    std::cout << done.str() << std::flush;
  } catch (const c10::Error& e) {
    throw std::runtime_error(e.what_without_backtrace());
  }
  return 0;
}

}  // namespace diffuscope::cli
