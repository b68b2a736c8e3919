#pragma once
// The "device" row the Reverse and Images views show: where the worker computes.
#include <string>

#include "gui/protocol/jobs.hpp"

namespace diffuscope::gui {

// A combo of auto / cpu / cuda (choice_tables.hpp, kDeviceChoices) showing the device in use
// ("CPU, 2 threads"); cuda is disabled with the reason when it is not available. Returns the new
// request, or "" if unchanged.
std::string draw_device_selector(const DeviceStatus& status, float label_width);

}  // namespace diffuscope::gui
