#pragma once
// Tensors out to the plain float arrays that frames carry (worker side only).
#include <torch/types.h>

#include <cstring>
#include <vector>

namespace diffuscope::gui {

// The tensor's values as float32, row-major, copied to the CPU.
inline std::vector<float> to_vector(const torch::Tensor& tensor) {
  const torch::Tensor cpu = tensor.detach().to(torch::kCPU, torch::kFloat32).contiguous();
  std::vector<float> out(static_cast<std::size_t>(cpu.numel()));
  if (!out.empty()) std::memcpy(out.data(), cpu.data_ptr<float>(), out.size() * sizeof(float));
  return out;
}

}  // namespace diffuscope::gui
