// Device names for the selector. Only the small LibTorch headers are included (no <torch/torch.h>).
#include "gui/compute/device_info.hpp"

#include <exception>

#include <c10/core/Device.h>
#include <torch/cuda.h>

#include "diffusion/device.hpp"

namespace diffuscope::gui {

DeviceStatus describe_device(const std::string& device_name, const std::string& request) {
  DeviceStatus status;
  status.request = request;
  status.name = device_name;
  status.cuda_available = torch::cuda::is_available();
  if (!status.cuda_available) {
    status.cuda_unavailable_reason = "no CUDA: this LibTorch has no CUDA support or no GPU is visible";
  }
  try {
    const c10::Device device(device_name);
    status.description = diffusion::device_display_name(device);
  } catch (const std::exception& e) {
    status.description = device_name + " (" + e.what() + ")";
  }
  return status;
}

}  // namespace diffuscope::gui
