#include "gui/views/forward/drawing_controls.hpp"

#include <imgui.h>

#include <algorithm>
#include <cstdio>
#include <string>

#include "gui/state/limits.hpp"
#include "gui/state/point_colors.hpp"
#include "gui/widgets/ui_helpers.hpp"

namespace diffuscope::gui {

void set_draw_mode(AppState& state, bool on) {
  state.draw_mode = on;
  if (!on) return;
  state.use_drawing = true;
  state.playback.playing = false;
  state.set_cursor(0);
}

namespace {

// The brush's class as a row of colour swatches (the points' class colours).
void draw_class_buttons(AppState& state, float label_width) {
  row_label("class", label_width);
  // Eight swatches share the row: square, at most a frame high, narrower in a narrow column.
  const int count = kMaxBrushClass + 1;
  const float gap = 0.25f * ImGui::GetStyle().ItemSpacing.x;
  const float side = std::max(0.5f * ImGui::GetFontSize(),
                              std::min(ImGui::GetFrameHeight(), (ImGui::GetContentRegionAvail().x - (count - 1) * gap) / count));
  for (int c = 0; c < count; ++c) {
    if (c > 0) ImGui::SameLine(0.0f, gap);
    ImGui::PushID(c);
    const ImVec4 colour = ImGui::ColorConvertU32ToFloat4(class_color(c, 1.0f, state.light_theme));
    const bool selected = state.brush.class_id == c;
    // The chosen class has a thick frame in the text colour.
    ImGui::PushStyleVar(ImGuiStyleVar_FrameBorderSize, selected ? 3.0f : 0.0f);
    ImGui::PushStyleColor(ImGuiCol_Border, ImGui::GetColorU32(ImGuiCol_Text));
    if (ImGui::ColorButton("##class", colour, ImGuiColorEditFlags_NoTooltip | ImGuiColorEditFlags_NoDragDrop,
                           ImVec2(side, side)))
      state.brush.class_id = c;
    ImGui::PopStyleColor();
    ImGui::PopStyleVar();
    char tip[64];
    std::snprintf(tip, sizeof tip, "Draw points of class %d", c);
    item_tooltip(tip);
    ImGui::PopID();
  }
}

}  // namespace

void draw_drawing_controls(AppState& state, const renderer::Palette& palette, float label_width) {
  if (!section("Draw your data", state.use_drawing, state.scene_title)) return;
  bool draw = state.draw_mode;
  if (ImGui::Checkbox("Draw", &draw)) set_draw_mode(state, draw);
  item_tooltip("Draw the data x_0 in the points panel: left click or drag adds points with the brush, "
               "right drag erases. The exact denoiser of the Reverse view serves the drawing at once.");
  ImGui::SameLine();
  ImGui::BeginDisabled(!state.drawing.can_undo());
  if (ImGui::Button("Undo")) state.drawing.undo();
  ImGui::EndDisabled();
  item_tooltip("Undo the last stroke, erasure, Clear or loaded CSV");
  ImGui::SameLine();
  ImGui::BeginDisabled(state.drawing.empty());
  if (ImGui::Button("Clear")) state.drawing.clear();
  ImGui::EndDisabled();
  item_tooltip("Remove every drawn point (Undo brings them back)");

  draw_class_buttons(state, label_width);
  row_label("points", label_width);
  value_slider_int("##brush_points", &state.brush.points, 1, kMaxBrushPoints, "%d per dab");
  item_tooltip("How many points one dab of the brush adds");
  slider_double("spread", "##brush_spread", &state.brush.spread, kMinBrushSpread, kMaxBrushSpread, "σ = %.2f",
                false, label_width, "The standard deviation of a dab's scatter around the mouse (data units)");
  state.brush = clamped_brush(state.brush);

  char count[96];
  std::snprintf(count, sizeof count, "%d / %d points drawn", state.drawing.size(), kMaxDrawnPoints);
  ImGui::TextDisabled("%s", count);
  if (state.drawing.size() >= kMaxDrawnPoints)
    colored_wrapped_text(palette.warning_text, "⚠ the drawing is full: erase or clear to draw more");
  if (state.use_drawing && state.drawing.empty())
    colored_wrapped_text(palette.warning_text, "⚠ nothing drawn yet: the data are empty");
  item_tooltip("Drop a .csv file (x,y or x,y,class per line) on the window to load points; "
               "File ▸ Export drawing as CSV writes them");
}

}  // namespace diffuscope::gui
