#pragma once
// The left column: forward process and dataset, the schedule(s) with their live warnings and
// errors, the Compare toggle, and the view options (theme, UI scale).
#include <string>

#include "gui/state/app_state.hpp"
#include "renderer/theme.hpp"

namespace diffuscope::gui {

class ScheduleControls {
 public:
  // Draws into the current ImGui window. Parameter edits land in state.a/b.params; the caller
  // refreshes the schedules in the same frame. The UI scale is committed to state.ui_scale only
  // when the slider is released (the font atlas is rebuilt between frames).
  void draw(AppState& state, const renderer::Palette& palette);
  // One slot's family, T, parameters, errors and warnings (the reverse view reuses it for A).
  void draw_schedule_controls(ScheduleSlot& slot, const char* id, const renderer::Palette& palette,
                              float label_width);

 private:
  float ui_scale_edit_ = 0.0f;  // the slider's value while dragging
  bool editing_scale_ = false;
};

}  // namespace diffuscope::gui
