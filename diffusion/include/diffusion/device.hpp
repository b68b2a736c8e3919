#pragma once
// Choosing where tensors live, and how many CPU threads LibTorch uses.
#include <string>
#include <string_view>

#include <torch/types.h>

namespace diffusion {

// "auto" (CUDA when this LibTorch has it and a GPU is present, else CPU), "cpu" or "cuda".
// Throws std::invalid_argument for other names, std::runtime_error when "cuda" is unavailable.
torch::Device pick_device(std::string_view request);

// Sets LibTorch's intra-op thread count: `threads` if > 0, else half the hardware threads (at least 1).
// Returns the count set. Call once, before the first tensor operation.
int configure_threads(int threads = 0);

// For the UI and speed lines: "CUDA: NVIDIA H100 80GB HBM3" (or "CUDA device 0" when the name
// cannot be read), or "CPU, 2 threads" (LibTorch's current intra-op thread count).
std::string device_display_name(const torch::Device& device);

// One line for logs: LibTorch version, device, thread count.
std::string describe_runtime(const torch::Device& device);

}  // namespace diffusion
