// Seeded noise drawn on a CPU generator, then moved: the same seed gives the same numbers on
// every device, and equal seeds give common random numbers across configurations.
#include "diffusion/noise.hpp"

#include <stdexcept>
#include <string>

#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

namespace diffusion {

NoiseSource::NoiseSource(std::uint64_t seed)
    : seed_(seed), generator_(at::detail::createCPUGenerator(seed)) {}

torch::Tensor NoiseSource::normal(torch::IntArrayRef shape, const torch::Device& device) {
  // LibTorch's CPU kernels lock the generator's mutex themselves while drawing.
  torch::Tensor draw = torch::randn(shape, generator_, torch::TensorOptions().dtype(torch::kFloat32));
  return device.is_cpu() ? draw : draw.to(device);
}

torch::Tensor NoiseSource::integers(std::int64_t low, std::int64_t high, torch::IntArrayRef shape,
                                    const torch::Device& device) {
  if (high < low)
    throw std::invalid_argument("integers: high (" + std::to_string(high) + ") < low (" +
                                std::to_string(low) + ")");
  torch::Tensor draw =
      torch::randint(low, high + 1, shape, generator_, torch::TensorOptions().dtype(torch::kInt64));
  return device.is_cpu() ? draw : draw.to(device);
}

}  // namespace diffusion
