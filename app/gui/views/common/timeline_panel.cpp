#include "gui/views/common/timeline_panel.hpp"

#include <imgui.h>

#include <algorithm>

#include "gui/state/shown_moment.hpp"
#include "gui/widgets/ui_helpers.hpp"

namespace diffuscope::gui {

float timeline_panel_height() {
  const ImGuiStyle& style = ImGui::GetStyle();
  return ImGui::GetFrameHeight() + 2.0f * style.WindowPadding.y + 2.0f;
}

void draw_timeline_panel(AppState& state) {
  const float font = ImGui::GetFontSize();
  const int T = state.max_T();
  const ImVec2 button(2.0f * font, 0.0f);

  if (ImGui::Button("|<", button)) state.set_cursor(0);
  item_tooltip("t = 0 (Home)");
  ImGui::SameLine();
  if (ImGui::ArrowButton("##back", ImGuiDir_Left)) state.set_cursor(state.t - 1);
  item_tooltip("one step back (←)");
  ImGui::SameLine();
  if (ImGui::Button(state.playback.playing ? "Pause" : "Play", ImVec2(4.0f * font, 0.0f))) {
    toggle_play(state);
  }
  item_tooltip("play / pause (Space)");
  ImGui::SameLine();
  if (ImGui::ArrowButton("##forward", ImGuiDir_Right)) state.set_cursor(state.t + 1);
  item_tooltip("one step forward (→)");
  ImGui::SameLine();
  if (ImGui::Button(">|", button)) state.set_cursor(T);
  item_tooltip("t = T (End)");
  ImGui::SameLine();
  ImGui::Checkbox("loop", &state.playback.loop);
  item_tooltip("loop: start again from the beginning when playback reaches the end");
  ImGui::SameLine();
  const float speed_x = ImGui::GetCursorPosX(), speed_w = 11.0f * font;
  double speed = state.playback.steps_per_second;
  const double speed_min = kMinPlaybackSpeed, speed_max = kMaxPlaybackSpeed;
  // Values beside the grabs, never under them (widgets/ui_helpers.hpp).
  if (value_slider("##speed", ImGuiDataType_Double, &speed, &speed_min, &speed_max, "%.0f steps/s",
                   ImGuiSliderFlags_Logarithmic | ImGuiSliderFlags_AlwaysClamp, speed_w)) {
    state.playback.steps_per_second = speed;
  }
  item_tooltip("speed: playback speed in timesteps per second");
  ImGui::SameLine();
  ImGui::SetCursorPosX(speed_x + speed_w + ImGui::GetStyle().ItemSpacing.x);   // past the speed's value text

  // The picture's t, not the cursor's whose frame may still be on its way (shown_moment.hpp).
  const TimelineText text = timeline_text(shown_moment(state), T, state.playback.playing);
  int t = text.knob_t;
  // A scrubber first: at least 55 % of the row stays slider, a long text ("→ 545") shrinks.
  if (value_slider_int("##t", &t, 0, T, text.format.c_str(), ImGuiSliderFlags_AlwaysClamp,
                       0.55f * ImGui::GetContentRegionAvail().x)) {
    state.set_cursor(t);
  }
  item_tooltip("t: the timestep of the pictures on screen, 0 … T (Space: play, ←/→: step, F1: all keys)");
}

}  // namespace diffuscope::gui
