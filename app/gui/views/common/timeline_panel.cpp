#include "gui/views/common/timeline_panel.hpp"

#include <imgui.h>

#include <algorithm>
#include <cstdio>

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
  ImGui::SetNextItemWidth(7.5f * font);
  double speed = state.playback.steps_per_second;
  const double speed_min = kMinPlaybackSpeed, speed_max = kMaxPlaybackSpeed;
  if (ImGui::SliderScalar("##speed", ImGuiDataType_Double, &speed, &speed_min, &speed_max,
                          "%.0f steps/s", ImGuiSliderFlags_Logarithmic | ImGuiSliderFlags_AlwaysClamp)) {
    state.playback.steps_per_second = speed;
  }
  item_tooltip("speed: playback speed in timesteps per second");
  ImGui::SameLine();

  char format[64];
  std::snprintf(format, sizeof format, "t = %%d / %d", T);
  ImGui::SetNextItemWidth(-1.0f);
  int t = state.t;
  if (ImGui::SliderInt("##t", &t, 0, T, format, ImGuiSliderFlags_AlwaysClamp)) state.set_cursor(t);
  item_tooltip("t: the current timestep, 0 … T (Space: play, ←/→: step, F1: all keys)");
}

}  // namespace diffuscope::gui
