#pragma once
// The reverse view's controls: the left column (dataset, denoiser, σ choice with η or v, sampling
// steps K with the strip of visited timesteps, spacing, schedule A) and the compare section of the
// side column (1-4 panels, lecture presets, a small editor of what each extra panel changes).
// Edits land in AppState; the caller builds the job from it.
#include "gui/state/app_state.hpp"
#include "gui/views/forward/schedule_controls.hpp"
#include "renderer/theme.hpp"

namespace diffuscope::gui {

class ReverseControls {
 public:
  // Left column (into the current ImGui window). schedule_controls draws slot A's controls.
  void draw_controls(AppState& state, ScheduleControls& schedule_controls, const renderer::Palette& palette);
  // Compare section (into the current ImGui window, from the cursor down).
  void draw_compare(AppState& state, const renderer::Palette& palette);

 private:
  int edited_panel_ = 1;  // which extra panel the compare editor shows
};

}  // namespace diffuscope::gui
