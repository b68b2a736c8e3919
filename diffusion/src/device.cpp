// Device choice and LibTorch's thread count.
#include "diffusion/device.hpp"

#include <algorithm>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>

#include <ATen/Parallel.h>
#include <torch/cuda.h>
#include <torch/version.h>

namespace diffusion {

torch::Device pick_device(std::string_view request) {
  if (request == "cpu") return torch::Device(torch::kCPU);
  if (request == "cuda") {
    if (!torch::cuda::is_available())
      throw std::runtime_error(
          "device: 'cuda' requested but this LibTorch has no CUDA support or no GPU is visible");
    return torch::Device(torch::kCUDA, 0);
  }
  if (request == "auto")
    return torch::cuda::is_available() ? torch::Device(torch::kCUDA, 0) : torch::Device(torch::kCPU);
  throw std::invalid_argument("device: expected auto, cpu or cuda, got '" + std::string(request) + "'");
}

int configure_threads(int threads) {
  int count = threads;
  if (count <= 0) {
    // Half the hardware threads: SMT siblings share one core's vector units, the app's UI thread
    // needs a core of its own, and LibTorch's OpenMP workers spin while they wait. On a 2-vCPU
    // machine, `sample --name moons --n 2000` took 5.8 s with 1 thread and 10.9 s with 2.
    const unsigned hw = std::thread::hardware_concurrency();
    count = std::max(1, static_cast<int>(hw / 2));
  }
  at::set_num_threads(count);
  return at::get_num_threads();
}

std::string describe_runtime(const torch::Device& device) {
  std::ostringstream out;
  out << "LibTorch " << TORCH_VERSION << ", device " << device.str() << ", "
      << at::get_num_threads() << " CPU thread(s)";
  if (device.is_cuda()) out << ", " << torch::cuda::device_count() << " CUDA device(s)";
  return out.str();
}

}  // namespace diffusion
