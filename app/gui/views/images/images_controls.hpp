#pragma once
// The Images view's controls: the left column (sampler, η or v, K with the strip of visited
// timesteps, spacing, number of images, a new x_T, schedule A, the device) and the compare
// section of the side column (1-4 panels, the σ and K presets, what each extra panel changes).
// Edits land in AppState; the caller builds the job from it.
#include "gui/state/app_state.hpp"
#include "gui/widgets/device_selector.hpp"  // until the frame loop includes it itself
#include "gui/views/forward/schedule_controls.hpp"
#include "renderer/theme.hpp"

namespace diffuscope::gui {

class ImagesControls {
 public:
  // Left column (into the current ImGui window).
  void draw_controls(AppState& state, ScheduleControls& schedule_controls, const renderer::Palette& palette);
  // Compare section (into the current ImGui window, from the cursor down).
  void draw_compare(AppState& state, const renderer::Palette& palette);

 private:
  int edited_panel_ = 1;
};

}  // namespace diffuscope::gui
