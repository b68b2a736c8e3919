#pragma once
// A small Fashion-MNIST classifier whose penultimate layer is the feature space of the image
// quality measure (`diffuscope evaluate --data`: the Fréchet distance of frechet_distance.hpp, as
// FID does with Inception's pool features, Heusel et al. 2017). Trained and shipped by the project
// (assets/models/fashion-mnist-classifier.ckpt) so the figures are reproducible offline.
//
// Shape (LeCun et al. 1998 style): input [N, C, H, W] in [-1, 1] (H, W multiples of 4, >= 12);
// 3x3 conv (pad 1) -> ReLU -> 2x2 max pool; 3x3 conv (pad 1) -> ReLU -> 2x2 max pool; 3x3 conv (no
// pad) -> ReLU; flatten -> linear -> ReLU = the features; linear -> class logits.
// Checkpoints: the container of checkpoint.hpp with metadata of kind "image-classifier".
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <torch/nn/module.h>
#include <torch/nn/modules/conv.h>
#include <torch/nn/modules/linear.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

namespace diffusion {

struct ImageClassifierConfig {
  int image_channels = 1;
  int image_height = 28;
  int image_width = 28;
  int channels_1 = 32;   // full resolution
  int channels_2 = 64;   // 1/2 resolution
  int channels_3 = 64;   // 1/4 resolution, unpadded
  int features = 64;     // penultimate width: the feature space of the Fréchet distance
  int classes = 10;
  // "image-classifier/v1 c=1 28x28 ch=32,64,64 f=64 k=10": stored in checkpoints, compared on load.
  std::string architecture() const;
};
bool operator==(const ImageClassifierConfig& a, const ImageClassifierConfig& b);
inline bool operator!=(const ImageClassifierConfig& a, const ImageClassifierConfig& b) { return !(a == b); }
// Throws std::invalid_argument naming the field.
void validate(const ImageClassifierConfig& config);

class ImageClassifierImpl : public torch::nn::Module {
 public:
  explicit ImageClassifierImpl(ImageClassifierConfig config = {});
  // x: [N, C, H, W] floating point with the configured C, H, W (std::invalid_argument otherwise).
  // Returns the penultimate activations [N, features] (after the ReLU), float32.
  torch::Tensor features(const torch::Tensor& x);
  // The class logits [N, classes] of features(x).
  torch::Tensor logits(const torch::Tensor& features);
  torch::Tensor forward(const torch::Tensor& x) { return logits(features(x)); }
  // Re-draws every weight from a CPU generator seeded with `seed` (the constructor uses seed 0):
  // PyTorch's default uniform(+-1/sqrt(fan_in)) for weights and biases.
  void reset_parameters(std::uint64_t seed);
  const ImageClassifierConfig& config() const { return config_; }
  std::int64_t parameter_count() const;

 private:
  ImageClassifierConfig config_;
  torch::nn::Conv2d conv_1_{nullptr}, conv_2_{nullptr}, conv_3_{nullptr};
  torch::nn::Linear hidden_{nullptr}, output_{nullptr};
};
TORCH_MODULE(ImageClassifier);

// IDX labels as an int64 tensor [N] on the CPU.
torch::Tensor labels_to_tensor(const std::vector<std::uint8_t>& labels);

// Features and predicted classes of `images` ([N, C, H, W] in [-1, 1], any device; evaluated on
// the model's device in batches of `batch`, eval mode, no gradients).
struct ClassifierOutputs {
  torch::Tensor features;     // [N, features] float32 on the CPU
  torch::Tensor predictions;  // [N] int64 on the CPU
};
ClassifierOutputs classify_images(ImageClassifier& model, const torch::Tensor& images, int batch = 500);
// Fraction of predictions equal to labels (both [N]).
double accuracy(const torch::Tensor& predictions, const torch::Tensor& labels);

struct ClassifierTrainingConfig {
  int batch_size = 128;
  double learning_rate = 1e-3;   // Adam, short warm-up then cosine decay over the planned epochs
  int epochs = 3;
  std::uint64_t seed = 0;        // weights and the order of the images
};
// Throws std::invalid_argument naming the field.
void validate(const ClassifierTrainingConfig& config);

// Cross-entropy training with Adam on labelled images held on the training device.
class ClassifierTrainer {
 public:
  // images: [N, C, H, W] float in [-1, 1]; labels: [N] integers in [0, classes). Any device.
  ClassifierTrainer(const ImageClassifierConfig& model_config, const ClassifierTrainingConfig& config,
                    const torch::Tensor& images, const torch::Tensor& labels, const torch::Device& device);
  // One pass over the images in a fresh seeded order (the last partial batch included); returns
  // the mean batch loss. `progress(batches_done, batches)` is called after each batch if set.
  // Throws std::runtime_error on a non-finite loss or gradient.
  double train_epoch(const std::function<void(std::int64_t, std::int64_t)>& progress = {});
  int epochs_done() const { return epochs_done_; }
  // The model being trained (shared, not a copy), on the training device.
  ImageClassifier model() const;
  const ClassifierTrainingConfig& config() const { return config_; }
  const ImageClassifierConfig& model_config() const { return model_config_; }

 private:
  struct State;
  std::shared_ptr<State> state_;
  ImageClassifierConfig model_config_;
  ClassifierTrainingConfig config_;
  int epochs_done_ = 0;
  std::int64_t steps_done_ = 0;
};

struct ClassifierCheckpointMetadata {
  std::string kind = "image-classifier";   // refused on load if different
  ImageClassifierConfig model;              // architecture string is model.architecture()
  std::string dataset;                      // "fashion-mnist"
  std::uint64_t seed = 0;
  int epochs = 0;
  int batch_size = 0;
  double learning_rate = 0;
  double final_loss = 0;                    // mean training loss of the last epoch
  double test_accuracy = 0;                 // on the dataset's test images, in [0, 1]
  int test_images = 0;                      // how many
  std::string device;                       // where it was trained
  double training_seconds = 0;
  std::string library_version;
  std::string command;                      // the command line that made it ("" when in-app)
  std::string created_utc;
};

// metadata.model must equal the model's config, test_accuracy be in [0, 1] and the numbers finite
// (std::invalid_argument otherwise); write failures throw CheckpointError.
void save_image_classifier(const std::string& path, ImageClassifier& model,
                           const ClassifierCheckpointMetadata& metadata);
struct LoadedImageClassifier {
  ImageClassifier model{nullptr};           // eval mode, on the requested device
  ClassifierCheckpointMetadata metadata;
};
// Validates container, metadata (kind, architecture, fields and types), every parameter's presence
// and shape, finiteness. A diffusion model's checkpoint is refused with a CheckpointError saying so.
LoadedImageClassifier load_image_classifier(const std::string& path, const torch::Device& device);

// assets_dir()/models/fashion-mnist-classifier.ckpt: the shipped classifier.
std::string shipped_image_classifier_path();

}  // namespace diffusion
