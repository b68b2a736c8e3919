#pragma once
// Checkpoints of the image model: the container of checkpoint.hpp (validated the same way) with
// metadata of kind "image-model" (and its prediction target).
#include <cstdint>
#include <string>

#include <torch/types.h>

#include "diffusion/checkpoint.hpp"
#include "diffusion/image_model.hpp"

namespace diffusion {

struct ImageCheckpointMetadata {
  std::string kind = "image-model";        // refused on load if different ("image-eps-model": legacy, eps)
  PredictionTarget target = PredictionTarget::Eps;  // what the U-Net predicts
  ImageModelConfig model;                  // architecture string is model.architecture()
  std::string dataset;                     // "fashion-mnist"
  int image_height = 0;                    // what it was trained on
  int image_width = 0;
  double log_snr_min = 0;                  // the training range
  double log_snr_max = 0;
  std::uint64_t seed = 0;
  std::int64_t steps = 0;
  double final_loss = 0;
  int batch_size = 0;
  double learning_rate = 0;
  std::string device;                      // where it was trained, e.g. "CPU, 2 threads"
  double training_seconds = 0;             // wall time of the training loop
  std::string library_version;
  std::string command;                     // the command line that made it ("" when in-app)
  std::string created_utc;
};

class ImageTrainer;
// Everything a trainer knows (config, dataset name given, image size, seed, steps, recent loss,
// batch, learning rate, version, time now); device and training_seconds as given.
ImageCheckpointMetadata image_checkpoint_metadata(const ImageTrainer& trainer, const std::string& dataset,
                                                  int image_height, int image_width,
                                                  const std::string& device_description,
                                                  double training_seconds, const std::string& command = "");

// metadata.model must equal the model's config (std::invalid_argument otherwise); write failures
// throw CheckpointError.
void save_image_model(const std::string& path, ImageUNet& model, const ImageCheckpointMetadata& metadata);

struct LoadedImageModel {
  ImageUNet model{nullptr};                // eval mode, on the requested device
  ImageCheckpointMetadata metadata;
};
// Validates container, metadata (kind, architecture against the stored config, fields and types),
// every parameter's presence and shape, finiteness. A 2D point checkpoint, or an image checkpoint
// of another architecture, is refused with a CheckpointError that says so.
LoadedImageModel load_image_model(const std::string& path, const torch::Device& device);

}  // namespace diffusion
