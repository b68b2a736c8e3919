// The class combo and guidance slider of a reverse panel (guidance_controls.hpp).
#include "gui/views/reverse/guidance_controls.hpp"

#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "diffusion/datasets2d.hpp"
#include "gui/state/app_state.hpp"
#include "gui/state/choice_tables.hpp"
#include "gui/state/limits.hpp"
#include "gui/state/point_colors.hpp"
#include "gui/widgets/ui_helpers.hpp"

namespace diffuscope::gui {

namespace {

constexpr const char* kNoClassLabel = "none (unconditional)";

std::string class_label(int class_id) {
  return class_id == diffusion::kNullClass ? kNoClassLabel : "class " + std::to_string(class_id);
}

// A selectable row with the class's point colour as a square in front of its name.
bool class_selectable(int class_id, bool selected, bool light_theme) {
  const float square = ImGui::GetTextLineHeight() * 0.8f;
  const float indent = class_id == diffusion::kNullClass ? 0.0f : square + ImGui::GetStyle().ItemInnerSpacing.x;
  const ImVec2 start = ImGui::GetCursorScreenPos();
  ImGui::SetCursorScreenPos(ImVec2(start.x + indent, start.y));
  const bool chosen = ImGui::Selectable(class_label(class_id).c_str(), selected);
  if (class_id != diffusion::kNullClass) {
    const float top = start.y + 0.5f * (ImGui::GetTextLineHeight() - square);
    ImGui::GetWindowDrawList()->AddRectFilled(ImVec2(start.x, top), ImVec2(start.x + square, top + square),
                                              class_color(class_id, 1.0f, light_theme));
  }
  return chosen;
}

}  // namespace

GuidanceChoices guidance_choices(const AppState& state) {
  GuidanceChoices out;
  out.light_theme = state.light_theme;
  out.class_count = state.use_drawing ? state.drawing.points()->num_classes
                                      : diffusion::dataset2d_class_count(state.dataset);
  if (out.class_count < 2)
    out.disabled_reason = std::string(state.use_drawing ? "the drawing" : label_of(state.dataset)) +
                          ": one class only, nothing to guide";
  return out;
}

void draw_guidance_controls(ReversePanelSettings& s, const GuidanceChoices& choices, float label_width) {
  // A class kept from other data stays choosable, so that it can be set back to none.
  const bool disabled = !choices.disabled_reason.empty() && s.class_id == diffusion::kNullClass;
  if (disabled) ImGui::BeginDisabled();
  row_label("class", label_width);
  // The closed combo says "none" (a narrow column would cut "(unconditional)"); the list says it all.
  const std::string preview = s.class_id == diffusion::kNullClass ? "none" : class_label(s.class_id);
  if (ImGui::BeginCombo("##class", preview.c_str())) {
    for (int c = diffusion::kNullClass; c < choices.class_count; ++c)
      if (class_selectable(c, c == s.class_id, choices.light_theme)) s.class_id = c;
    ImGui::EndCombo();
  }
  item_tooltip("class: sample this class with classifier-free guidance, ε̂ = ε̂_∅ + w(ε̂_c − ε̂_∅) (two denoiser "
               "evaluations a step; w = 0 unconditional, 1 conditional, > 1 guided), or none");
  // Unguided, w has no effect: its slider and the convention appear with a class (the column's
  // height is the projector's scarcest resource).
  if (s.class_id == diffusion::kNullClass) {
    if (disabled) ImGui::EndDisabled();
    if (!choices.disabled_reason.empty())
      colored_wrapped_text(ImGui::GetColorU32(ImGuiCol_TextDisabled), choices.disabled_reason);
    return;
  }
  row_label("w", label_width);
  float w = static_cast<float>(s.guidance);
  if (value_slider_float("##guidance", &w, 0.0f, static_cast<float>(kMaxPanelGuidance), "%.1f",
                         ImGuiSliderFlags_AlwaysClamp))
    s.guidance = std::round(static_cast<double>(w) * 10.0) / 10.0;  // as shown: labels and scenes say 2.3, not 2.29999995
  item_tooltip("w: the guidance scale (Ho & Salimans 2022); larger w: sharper, less diverse samples");
  // The convention on screen (some texts write 1 + w for this w); what 0 and 1 mean, in the tooltip.
  colored_wrapped_text(ImGui::GetColorU32(ImGuiCol_TextDisabled), "ε̂ = ε̂_∅ + w(ε̂_c − ε̂_∅)");
  item_tooltip("w = 0: unconditional (ε̂_∅), w = 1: conditional (ε̂_c), w > 1: guided past the conditional model");
  if (disabled) ImGui::EndDisabled();
  if (!choices.disabled_reason.empty())
    colored_wrapped_text(ImGui::GetColorU32(ImGuiCol_TextDisabled), choices.disabled_reason);
}

}  // namespace diffuscope::gui
