#pragma once
// Internal to the learned models (point_model.cpp, image_model.cpp): what both share about their
// configuration checks, their noise-level input and their seeded initialisation. Not installed.
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>

#include <torch/torch.h>

#include "diffusion/log_snr.hpp"

namespace diffusion::model_support {

// Throws std::invalid_argument "<config_name>: <name> = <value> must be in 1..<limit>".
inline void check_range(const char* config_name, const char* name, int value, int limit) {
  if (value < 1 || value > limit)
    throw std::invalid_argument(std::string(config_name) + ": " + name + " = " + std::to_string(value) +
                                " must be in 1.." + std::to_string(limit));
}

// The log-SNR scaled onto [-1, 1] over the training range (log_snr.hpp), clamped there.
inline torch::Tensor scaled_log_snr(const torch::Tensor& log_snr) {
  const double middle = 0.5 * (kModelLogSnrMax + kModelLogSnrMin);
  const double half = 0.5 * (kModelLogSnrMax - kModelLogSnrMin);
  return (log_snr.clamp(kModelLogSnrMin, kModelLogSnrMax) - middle) / half;
}

// Uniform(-bound, bound) drawn from `generator` into `tensor` (PyTorch's default Linear and Conv2d
// initialisation uses bound = 1 / sqrt(fan_in)); the models never touch LibTorch's global RNG.
inline void fill_uniform(torch::Tensor& tensor, double bound, at::Generator& generator) {
  auto draw = torch::rand(tensor.sizes(), generator, torch::TensorOptions().dtype(torch::kFloat32));
  tensor.copy_((draw * 2.0 - 1.0) * bound);
}

// PyTorch's default initialisation of Linear and Conv2d, for the parameter `name` (a layer's weight
// or bias): uniform with bound 1 / sqrt(fan_in) of that layer's weight, drawn into `tensor`.
inline void fill_default_uniform(torch::Tensor& tensor, const std::string& name,
                                 const torch::OrderedDict<std::string, torch::Tensor>& parameters,
                                 at::Generator& generator) {
  const auto& weight = parameters[name.substr(0, name.rfind('.')) + ".weight"];
  const double fan_in = static_cast<double>(weight.numel() / weight.size(0));
  fill_uniform(tensor, 1.0 / std::sqrt(fan_in), generator);
}

// The number of trainable values of a module.
inline std::int64_t count_parameters(const torch::nn::Module& module) {
  std::int64_t count = 0;
  for (const auto& p : module.parameters()) count += p.numel();
  return count;
}

}  // namespace diffusion::model_support
