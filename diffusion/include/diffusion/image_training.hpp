#pragma once
// Training the image epsilon model: the same loss, log-SNR draws (sample_training_log_snr in
// point_training.hpp), Adam with warm-up and cosine decay, gradient clipping and weight EMA as the
// 2D trainer, on a set of images held on the training device.
#include <cstdint>
#include <deque>
#include <memory>

#include <torch/types.h>

#include "diffusion/idx_file.hpp"
#include "diffusion/image_model.hpp"
#include "diffusion/prediction_target.hpp"

namespace diffusion {

// IDX bytes as [N, 1, rows, cols] float32 in [-1, 1] (byte / 127.5 - 1), on the CPU.
torch::Tensor images_to_tensor(const IdxImages& images);
// Inverse for display and PNG: [N, C, H, W] in [-1, 1] (clamped) -> uint8 [N, C, H, W] on the CPU.
torch::Tensor tensor_to_bytes(const torch::Tensor& images);

struct ImageTrainingConfig {
  int batch_size = 128;
  double learning_rate = 1e-3;
  std::int64_t planned_steps = 10000;  // for the learning-rate decay; step() keeps working past it
  double ema_decay = 0.999;
  std::uint64_t seed = 0;              // weights, batch, log-SNR and noise draws
  bool horizontal_flip = true;         // random left-right flips (garments are near-symmetric)
  PredictionTarget target = PredictionTarget::Eps;  // what the U-Net learns to predict
};
// Throws std::invalid_argument naming the field.
void validate(const ImageTrainingConfig& config);

class ImageTrainer {
 public:
  // images: [N, C, H, W] float in [-1, 1] (any device; copied to `device`). A fresh model with
  // weights seeded from config.seed.
  ImageTrainer(const ImageModelConfig& model_config, const ImageTrainingConfig& config,
               const torch::Tensor& images, const torch::Device& device);
  // Continues from an existing model (copied; the EMA starts from it too).
  ImageTrainer(const ImageUNet& start_from, const ImageTrainingConfig& config,
               const torch::Tensor& images, const torch::Device& device);

  // One optimisation step; returns the batch's mean squared error. Throws std::runtime_error if the
  // loss or gradient becomes non-finite (weights left as before).
  double step();
  std::int64_t steps_done() const { return steps_done_; }
  double recent_loss() const;   // mean of the last (up to) 100 batch losses
  // The EMA weights as an independent copy in eval mode: what is saved and sampled.
  ImageUNet ema_model() const;
  const ImageTrainingConfig& config() const { return config_; }
  const ImageModelConfig& model_config() const { return model_config_; }
  const torch::Device& device() const;

 private:
  struct State;
  std::shared_ptr<State> state_;
  ImageModelConfig model_config_;
  ImageTrainingConfig config_;
  std::int64_t steps_done_ = 0;
  std::deque<double> recent_losses_;
};

}  // namespace diffusion
