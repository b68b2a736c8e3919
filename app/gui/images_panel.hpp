#pragma once
// The Images view's controls: the left column (sampler, η or v, K with the strip of visited
// timesteps, spacing, number of images, a new x_T, schedule A, the device) and the compare
// section of the side column (1-4 panels, the σ and K presets, what each extra panel changes).
// Edits land in AppState; the caller builds the job from it.
#include <string>

#include "gui/app_state.hpp"
#include "gui/jobs.hpp"
#include "gui/schedule_panel.hpp"
#include "renderer/theme.hpp"

namespace diffuscope::gui {

class ImagesPanel {
 public:
  // Left column (into the current ImGui window).
  void draw_controls(AppState& state, SchedulePanel& schedule_panel, const renderer::Palette& palette);
  // Compare section (into the current ImGui window, from the cursor down).
  void draw_compare(AppState& state, const renderer::Palette& palette);

 private:
  int edited_panel_ = 1;
};

// "device" row: a combo of auto / cpu / cuda showing the device in use ("CPU, 2 threads"); cuda is
// disabled with the reason when it is not available. Returns the new request, or "" if unchanged.
std::string draw_device_selector(const DeviceStatus& status, float label_width);

}  // namespace diffuscope::gui
