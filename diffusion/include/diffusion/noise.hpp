#pragma once
// Seeded Gaussian noise. Draws always happen on a CPU generator and are then moved to the target
// device, so that a seed gives the same numbers on CPU and CUDA, and two configurations that draw
// the same shapes in the same order see common random numbers.
#include <cstdint>

#include <torch/types.h>

namespace diffusion {

class NoiseSource {
 public:
  explicit NoiseSource(std::uint64_t seed);
  // Standard normal, float32, of the given shape, on `device`.
  torch::Tensor normal(torch::IntArrayRef shape, const torch::Device& device = torch::kCPU);
  // Uniform integers in [low, high], int64, of the given shape (e.g. timesteps for training).
  torch::Tensor integers(std::int64_t low, std::int64_t high, torch::IntArrayRef shape,
                         const torch::Device& device = torch::kCPU);
  std::uint64_t seed() const { return seed_; }

 private:
  std::uint64_t seed_;
  at::Generator generator_;
};

}  // namespace diffusion
