#pragma once
// The left column: forward process and dataset, the Compare toggle, the schedule(s) with their
// live warnings and errors, in collapsible sections, so that the column fits a 1600x900 window at
// UI scale 1.5. (The display options, theme and UI scale, are in the View menu: lecture_menu.)
#include <string>

#include "gui/state/app_state.hpp"
#include "renderer/theme.hpp"

namespace diffuscope::gui {

class ScheduleControls {
 public:
  // Draws into the current ImGui window. Parameter edits land in state.a/b.params; the caller
  // refreshes the schedules in the same frame.
  void draw(AppState& state, const renderer::Palette& palette);
  // One slot's family, T, parameters, errors and warnings (the reverse view reuses it for A).
  void draw_schedule_controls(ScheduleSlot& slot, const char* id, const renderer::Palette& palette,
                              float label_width);

 private:
  // Schedules A and B in two tabs named by what sets them apart.
  void draw_compared(AppState& state, const renderer::Palette& palette, float label_width);
};

}  // namespace diffuscope::gui
