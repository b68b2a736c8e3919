#pragma once
// What the device selector shows: the device's name for a lecturer ("CPU, 2 threads",
// "CUDA: NVIDIA H200") and whether CUDA can be chosen. Torch-free header.
#include <string>

#include "gui/protocol/jobs.hpp"

namespace diffuscope::gui {

// For the device the worker uses ("cpu", "cuda:0"); call on the worker thread (it asks LibTorch).
// request is copied into the result; revision is left 0.
DeviceStatus describe_device(const std::string& device_name, const std::string& request);

}  // namespace diffuscope::gui
