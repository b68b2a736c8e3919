#pragma once
// Shared by the model tests: a PointModel whose every weight is random (a fresh model starts with
// its FiLM and second block layers at zero, which would hide mistakes in those paths). Weights
// are N(0, 1 / fan_in) and biases N(0, 0.1^2), so activations stay O(1) as in a trained model.
#include <cmath>
#include <cstdint>

#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include "diffusion/point_model.hpp"

namespace diffusion::test {

inline PointModel random_point_model(std::uint64_t seed, PointModelConfig config = {}) {
  PointModel model(config);
  auto generator = at::detail::createCPUGenerator(seed);
  torch::NoGradGuard no_grad;
  for (auto& parameter : model->parameters()) {
    const double scale = parameter.dim() == 2 ? 1.0 / std::sqrt(static_cast<double>(parameter.size(1))) : 0.1;
    parameter.copy_(torch::randn(parameter.sizes(), generator, torch::TensorOptions()) * scale);
  }
  model->eval();
  return model;
}

}  // namespace diffusion::test
