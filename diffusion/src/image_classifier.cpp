// The Fashion-MNIST classifier behind the image quality measure: a small convolutional network
// (LeCun et al. 1998, with ReLU and max pooling), trained with cross-entropy and Adam (Kingma & Ba
// 2015), saved in the shared checkpoint container with "image-classifier" metadata.
#include "diffusion/image_classifier.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>
#include <stdexcept>

#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include "checkpoint_detail.hpp"
#include "diffusion/assets.hpp"
#include "diffusion/checkpoint.hpp"
#include "diffusion/seeding.hpp"
#include "model_support.hpp"
#include "training_support.hpp"

namespace diffusion {
namespace {

using checkpoint_detail::fail;
using checkpoint_detail::json;
using checkpoint_detail::MetadataReader;
using model_support::check_range;
using model_support::fill_uniform;

constexpr char kClassifierKind[] = "image-classifier";
constexpr std::uint64_t kClassifierWeightStream = 601;
constexpr std::uint64_t kOrderStream = 602;
constexpr double kClassifierMaxGradNorm = 5.0;
constexpr double kMaxWarmupSteps = 100.0;

torch::nn::Conv2d conv3x3(int in, int out, int padding) {
  return torch::nn::Conv2d(torch::nn::Conv2dOptions(in, out, 3).padding(padding));
}

// Spatial size after the two poolings and the unpadded convolution.
int final_side(int side) { return side / 4 - 2; }

}  // namespace

std::string ImageClassifierConfig::architecture() const {
  std::ostringstream out;
  out << "image-classifier/v1 c=" << image_channels << ' ' << image_height << 'x' << image_width
      << " ch=" << channels_1 << ',' << channels_2 << ',' << channels_3 << " f=" << features << " k=" << classes;
  return out.str();
}

bool operator==(const ImageClassifierConfig& a, const ImageClassifierConfig& b) {
  return a.image_channels == b.image_channels && a.image_height == b.image_height &&
         a.image_width == b.image_width && a.channels_1 == b.channels_1 && a.channels_2 == b.channels_2 &&
         a.channels_3 == b.channels_3 && a.features == b.features && a.classes == b.classes;
}

void validate(const ImageClassifierConfig& config) {
  check_range("ImageClassifierConfig", "image_channels", config.image_channels, 4);
  check_range("ImageClassifierConfig", "image_height", config.image_height, 1024);
  check_range("ImageClassifierConfig", "image_width", config.image_width, 1024);
  check_range("ImageClassifierConfig", "channels_1", config.channels_1, 512);
  check_range("ImageClassifierConfig", "channels_2", config.channels_2, 512);
  check_range("ImageClassifierConfig", "channels_3", config.channels_3, 512);
  check_range("ImageClassifierConfig", "features", config.features, 4096);
  check_range("ImageClassifierConfig", "classes", config.classes, 1000);
  for (int side : {config.image_height, config.image_width}) {
    if (side % 4 != 0 || side < 12)
      throw std::invalid_argument("ImageClassifierConfig: image height and width must be multiples of 4 and >= 12, got " +
                                  std::to_string(config.image_height) + "x" + std::to_string(config.image_width));
  }
}

ImageClassifierImpl::ImageClassifierImpl(ImageClassifierConfig config) : config_(config) {
  validate(config_);
  conv_1_ = register_module("conv_1", conv3x3(config_.image_channels, config_.channels_1, 1));
  conv_2_ = register_module("conv_2", conv3x3(config_.channels_1, config_.channels_2, 1));
  conv_3_ = register_module("conv_3", conv3x3(config_.channels_2, config_.channels_3, 0));
  const int flat = config_.channels_3 * final_side(config_.image_height) * final_side(config_.image_width);
  hidden_ = register_module("hidden", torch::nn::Linear(flat, config_.features));
  output_ = register_module("output", torch::nn::Linear(config_.features, config_.classes));
  reset_parameters(0);
}

std::int64_t ImageClassifierImpl::parameter_count() const { return model_support::count_parameters(*this); }

void ImageClassifierImpl::reset_parameters(std::uint64_t seed) {
  torch::NoGradGuard no_grad;
  auto generator = at::detail::createCPUGenerator(seed);
  const auto parameters = named_parameters();
  for (auto& item : parameters) {
    auto& tensor = item.value();
    const std::string& name = item.key();
    auto cpu = torch::empty(tensor.sizes(), torch::kFloat32);
    model_support::fill_default_uniform(cpu, name, parameters, generator);
    tensor.copy_(cpu);
  }
}

torch::Tensor ImageClassifierImpl::features(const torch::Tensor& x) {
  if (!x.defined() || x.dim() != 4 || !x.is_floating_point() || x.size(0) < 1 ||
      x.size(1) != config_.image_channels || x.size(2) != config_.image_height || x.size(3) != config_.image_width)
    throw std::invalid_argument("ImageClassifier: x must be a floating-point [N, " +
                                std::to_string(config_.image_channels) + ", " + std::to_string(config_.image_height) +
                                ", " + std::to_string(config_.image_width) + "] tensor with N >= 1");
  auto h = torch::max_pool2d(torch::relu(conv_1_(x.to(torch::kFloat32))), 2);
  h = torch::max_pool2d(torch::relu(conv_2_(h)), 2);
  h = torch::relu(conv_3_(h));
  return torch::relu(hidden_(h.flatten(1)));
}

torch::Tensor ImageClassifierImpl::logits(const torch::Tensor& features) { return output_(features); }

torch::Tensor labels_to_tensor(const std::vector<std::uint8_t>& labels) {
  if (labels.empty()) throw std::invalid_argument("labels_to_tensor: no labels");
  return torch::from_blob(const_cast<std::uint8_t*>(labels.data()), {static_cast<std::int64_t>(labels.size())},
                          torch::kUInt8)
      .to(torch::kInt64);
}

ClassifierOutputs classify_images(ImageClassifier& model, const torch::Tensor& images, int batch) {
  if (!model) throw std::invalid_argument("classify_images: the model is not set");
  if (!images.defined() || images.dim() != 4 || images.size(0) < 1)
    throw std::invalid_argument("classify_images: images must be an [N, C, H, W] tensor with N >= 1");
  if (batch < 1) throw std::invalid_argument("classify_images: batch must be >= 1");
  torch::NoGradGuard no_grad;
  const bool was_training = model->is_training();
  model->eval();
  const auto parameters = model->parameters();
  const torch::Device device = parameters.empty() ? torch::Device(torch::kCPU) : parameters.front().device();
  std::vector<torch::Tensor> features, predictions;
  for (std::int64_t start = 0; start < images.size(0); start += batch) {
    const auto chunk = images.slice(0, start, std::min<std::int64_t>(start + batch, images.size(0))).to(device);
    const auto f = model->features(chunk);
    features.push_back(f.to(torch::kCPU));
    predictions.push_back(model->logits(f).argmax(1).to(torch::kCPU));
  }
  model->train(was_training);
  return {torch::cat(features), torch::cat(predictions)};
}

double accuracy(const torch::Tensor& predictions, const torch::Tensor& labels) {
  if (!predictions.defined() || !labels.defined() || predictions.dim() != 1 ||
      predictions.sizes() != labels.sizes() || predictions.size(0) < 1)
    throw std::invalid_argument("accuracy: predictions and labels must be [N] tensors of the same N >= 1");
  return predictions.to(torch::kCPU, torch::kInt64).eq(labels.to(torch::kCPU, torch::kInt64))
      .to(torch::kFloat64)
      .mean()
      .item<double>();
}

void validate(const ClassifierTrainingConfig& config) {
  auto bad = [](const std::string& what) { throw std::invalid_argument("classifier training: " + what); };
  if (config.batch_size < 1 || config.batch_size > 65536)
    bad("batch_size = " + std::to_string(config.batch_size) + " must be in 1..65536");
  if (!(config.learning_rate > 0.0 && config.learning_rate <= 1.0))
    bad("learning_rate = " + training_support::number(config.learning_rate) + " must be in (0, 1]");
  if (config.epochs < 1 || config.epochs > 1000)
    bad("epochs = " + std::to_string(config.epochs) + " must be in 1..1000");
}

struct ClassifierTrainer::State {
  ImageClassifier model{nullptr};
  std::unique_ptr<torch::optim::Adam> optimizer;
  torch::Tensor images;   // [P, C, H, W] on the device
  torch::Tensor labels;   // [P] int64 on the device
  at::Generator generator;
  torch::Device device{torch::kCPU};
};

ClassifierTrainer::ClassifierTrainer(const ImageClassifierConfig& model_config, const ClassifierTrainingConfig& config,
                                     const torch::Tensor& images, const torch::Tensor& labels,
                                     const torch::Device& device)
    : model_config_(model_config), config_(config) {
  validate(model_config_);
  validate(config_);
  if (!images.defined() || images.dim() != 4 || images.size(0) < 1 || images.size(1) != model_config_.image_channels ||
      images.size(2) != model_config_.image_height || images.size(3) != model_config_.image_width)
    throw std::invalid_argument("ClassifierTrainer: images must be [N, C, H, W] with the model's C, H and W");
  if (!labels.defined() || labels.dim() != 1 || labels.size(0) != images.size(0))
    throw std::invalid_argument("ClassifierTrainer: labels must be [N] with one label per image");
  const auto integer_labels = labels.to(torch::kCPU, torch::kInt64);
  if (integer_labels.min().item<std::int64_t>() < 0 ||
      integer_labels.max().item<std::int64_t>() >= model_config_.classes)
    throw std::invalid_argument("ClassifierTrainer: labels must be in 0.." + std::to_string(model_config_.classes - 1));
  state_ = std::make_shared<State>();
  State& s = *state_;
  s.device = device;
  s.model = ImageClassifier(model_config_);
  s.model->reset_parameters(derive_seed(config_.seed, kClassifierWeightStream));
  s.model->to(device);
  s.model->train();
  s.optimizer = std::make_unique<torch::optim::Adam>(s.model->parameters(),
                                                     torch::optim::AdamOptions(config_.learning_rate));
  s.images = images.to(device, torch::kFloat32).contiguous();
  s.labels = integer_labels.to(device);
  s.generator = at::detail::createCPUGenerator(derive_seed(config_.seed, kOrderStream));
}

double ClassifierTrainer::train_epoch(const std::function<void(std::int64_t, std::int64_t)>& progress) {
  State& s = *state_;
  const std::int64_t count = s.images.size(0);
  const std::int64_t batch = config_.batch_size;
  const std::int64_t batches = (count + batch - 1) / batch;
  const std::int64_t planned = batches * config_.epochs;
  // The order on the CPU generator: one seed trains the same way on every device.
  const auto order = torch::randperm(count, s.generator, torch::TensorOptions().dtype(torch::kInt64)).to(s.device);
  s.model->train();
  double total = 0;
  for (std::int64_t b = 0; b < batches; ++b) {
    const auto index = order.slice(0, b * batch, std::min(count, (b + 1) * batch));
    const auto loss = torch::cross_entropy_loss(s.model->forward(s.images.index_select(0, index)),
                                                s.labels.index_select(0, index));
    const double rate =
        config_.learning_rate * training_support::learning_rate_factor(steps_done_, planned, kMaxWarmupSteps);
    total += training_support::optimise(loss, *s.optimizer, s.model->parameters(), rate, kClassifierMaxGradNorm, steps_done_,
                                        "classifier training");
    ++steps_done_;
    if (progress) progress(b + 1, batches);
  }
  ++epochs_done_;
  return total / static_cast<double>(batches);
}

ImageClassifier ClassifierTrainer::model() const { return state_->model; }

// ---------------------------------------------------------------------------------------------
// Checkpoints.

namespace {

json metadata_to_json(const ClassifierCheckpointMetadata& m) {
  const json model = {{"image_channels", m.model.image_channels}, {"image_height", m.model.image_height},
                      {"image_width", m.model.image_width},       {"channels_1", m.model.channels_1},
                      {"channels_2", m.model.channels_2},         {"channels_3", m.model.channels_3},
                      {"features", m.model.features},             {"classes", m.model.classes}};
  return json{{"kind", m.kind},
              {"architecture", m.model.architecture()},
              {"model", model},
              {"dataset", m.dataset},
              {"seed", m.seed},
              {"epochs", m.epochs},
              {"batch_size", m.batch_size},
              {"learning_rate", m.learning_rate},
              {"final_loss", m.final_loss},
              {"test_accuracy", m.test_accuracy},
              {"test_images", m.test_images},
              {"device", m.device},
              {"training_seconds", m.training_seconds},
              {"library_version", m.library_version},
              {"command", m.command},
              {"created_utc", m.created_utc}};
}

ClassifierCheckpointMetadata classifier_metadata_from_json(const std::string& path, const std::string& text) {
  const json root = checkpoint_detail::parse_metadata_object(path, text);
  const MetadataReader top(path, root);
  ClassifierCheckpointMetadata m;
  m.kind = top.text("kind");
  if (m.kind != kClassifierKind)
    fail(path, "holds a '" + m.kind + "', not a '" + kClassifierKind + "' (image classifier)" +
                   (m.kind == "image-model" || m.kind == "image-eps-model"
                        ? ": it is the image diffusion model; pass it as --model"
                        : ""));
  const MetadataReader model(path, top.object("model"));
  auto field = [&](const char* name, int high) { return static_cast<int>(model.integer(name, 1, high)); };
  m.model.image_channels = field("image_channels", 4);
  m.model.image_height = field("image_height", 1024);
  m.model.image_width = field("image_width", 1024);
  m.model.channels_1 = field("channels_1", 512);
  m.model.channels_2 = field("channels_2", 512);
  m.model.channels_3 = field("channels_3", 512);
  m.model.features = field("features", 4096);
  m.model.classes = field("classes", 1000);
  checkpoint_detail::check_stored_architecture(path, top, m.model);
  m.dataset = top.text("dataset");
  m.seed = top.unsigned_integer("seed");
  m.epochs = static_cast<int>(top.integer("epochs", 0, 1 << 30));
  m.batch_size = static_cast<int>(top.integer("batch_size", 0, 1 << 30));
  m.learning_rate = top.number("learning_rate");
  m.final_loss = top.number("final_loss");
  m.test_accuracy = top.number("test_accuracy");
  if (!(m.test_accuracy >= 0.0 && m.test_accuracy <= 1.0))
    fail(path, "metadata field 'test_accuracy' = " + std::to_string(m.test_accuracy) + " is not in [0, 1]");
  m.test_images = static_cast<int>(top.integer("test_images", 0, 1 << 30));
  m.device = top.text("device");
  m.training_seconds = top.number("training_seconds");
  m.library_version = top.text("library_version");
  m.command = top.text("command");
  m.created_utc = top.text("created_utc");
  return m;
}

}  // namespace

void save_image_classifier(const std::string& path, ImageClassifier& model,
                           const ClassifierCheckpointMetadata& metadata) {
  if (!model) throw std::invalid_argument("save_image_classifier: the model is not set");
  if (metadata.kind != kClassifierKind)
    throw std::invalid_argument("save_image_classifier: metadata.kind must be '" + std::string(kClassifierKind) + "'");
  if (metadata.model != model->config())
    throw std::invalid_argument("save_image_classifier: metadata.model (" + metadata.model.architecture() +
                                ") differs from the model's config (" + model->config().architecture() + ")");
  if (!std::isfinite(metadata.final_loss) || !std::isfinite(metadata.training_seconds) ||
      !std::isfinite(metadata.learning_rate))
    throw std::invalid_argument("save_image_classifier: final_loss, learning_rate and training_seconds must be finite");
  if (!(metadata.test_accuracy >= 0.0 && metadata.test_accuracy <= 1.0))
    throw std::invalid_argument("save_image_classifier: test_accuracy must be in [0, 1]");
  const auto tensors = checkpoint_detail::finite_parameters(*model, "save_image_classifier");
  write_checkpoint(path, metadata_to_json(metadata).dump(2), tensors);
}

LoadedImageClassifier load_image_classifier(const std::string& path, const torch::Device& device) {
  return checkpoint_detail::load_module_checkpoint<LoadedImageClassifier, ImageClassifier>(path, device,
                                                                                          classifier_metadata_from_json);
}

std::string shipped_image_classifier_path() { return assets_dir() + "/models/fashion-mnist-classifier.ckpt"; }

}  // namespace diffusion
