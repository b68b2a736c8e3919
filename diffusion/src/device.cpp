// Device choice and LibTorch's thread count.
#include "diffusion/device.hpp"

#include <dlfcn.h>

#include <algorithm>
#include <cstring>
#include <vector>
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

namespace {
// LibTorch's CPU matrix products go to the system BLAS, which on Debian is OpenBLAS with a thread
// per core of its own, spinning between calls: limited with LibTorch's count, so that "1 thread"
// leaves the other core free (to the window's renderer in the app). Looked up at run time: other
// BLAS libraries (MKL in a pip wheel, the reference BLAS) have no such call, and then it is a no-op.
void limit_blas_threads(int count) {
  using SetThreads = void (*)(int);
  if (void* symbol = ::dlsym(RTLD_DEFAULT, "openblas_set_num_threads")) {
    reinterpret_cast<SetThreads>(symbol)(count);
  }
}
}  // namespace

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
  limit_blas_threads(count);
  return at::get_num_threads();
}

std::string describe_runtime(const torch::Device& device) {
  std::ostringstream out;
  out << "LibTorch " << TORCH_VERSION << ", device " << device.str() << ", "
      << at::get_num_threads() << " CPU thread(s)";
  if (device.is_cuda()) out << ", " << torch::cuda::device_count() << " CUDA device(s)";
  return out.str();
}

namespace {

// The GPU's marketing name through the CUDA runtime that LibTorch's CUDA build has already loaded,
// looked up by symbol so that this file needs no CUDA headers and builds against every LibTorch.
// cudaDeviceProp starts with `char name[256]` in every CUDA version; the buffer is far larger than
// the whole struct (about 1 KB in CUDA 11 and 12). "" when unavailable.
std::string cuda_device_name(int index) {
  using GetProperties = int (*)(void*, int);
  void* symbol = dlsym(RTLD_DEFAULT, "cudaGetDeviceProperties_v2");
  if (symbol == nullptr) symbol = dlsym(RTLD_DEFAULT, "cudaGetDeviceProperties");
  if (symbol == nullptr) return {};
  std::vector<char> properties(16384, '\0');
  if (reinterpret_cast<GetProperties>(symbol)(properties.data(), index) != 0) return {};
  return std::string(properties.data(), strnlen(properties.data(), 256));
}

}  // namespace

std::string device_display_name(const torch::Device& device) {
  if (device.is_cuda()) {
    const int index = device.has_index() ? device.index() : 0;
    const std::string name = cuda_device_name(index);
    return name.empty() ? "CUDA device " + std::to_string(index) : "CUDA: " + name;
  }
  const int threads = at::get_num_threads();
  return "CPU, " + std::to_string(threads) + (threads == 1 ? " thread" : " threads");
}

}  // namespace diffusion
