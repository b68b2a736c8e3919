#include "gui/widgets/ui_helpers.hpp"

#include <algorithm>

namespace diffuscope::gui {

ImVec4 to_vec4(ImU32 color) { return ImGui::ColorConvertU32ToFloat4(color); }

void row_label(const char* label, float label_width) {
  ImGui::AlignTextToFramePadding();
  ImGui::TextUnformatted(label);
  ImGui::SameLine(label_width);
  ImGui::SetNextItemWidth(-1.0f);
}

void item_tooltip(const char* text) {
  if (text && ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled)) {
    ImGui::BeginTooltip();
    // Tooltips are one line of up to ~40 em; wrap only what would not fit a narrow display.
    const float font = ImGui::GetFontSize();
    ImGui::PushTextWrapPos(std::max(10.0f * font, std::min(40.0f * font, 0.8f * ImGui::GetIO().DisplaySize.x)));
    ImGui::TextUnformatted(text);
    ImGui::PopTextWrapPos();
    ImGui::EndTooltip();
  }
}

bool slider_double(const char* label, const char* id, double* value, double min, double max,
                   const char* format, bool logarithmic, float label_width, const char* tooltip) {
  row_label(label, label_width);
  // No AlwaysClamp: Ctrl+click lets the lecturer type an out-of-range value, which the schedule
  // then rejects with a message naming the parameter (rather than a silent clamp).
  const ImGuiSliderFlags flags = logarithmic ? ImGuiSliderFlags_Logarithmic : ImGuiSliderFlags_None;
  const bool changed = ImGui::SliderScalar(id, ImGuiDataType_Double, value, &min, &max, format, flags);
  item_tooltip(tooltip);
  return changed;
}

void colored_wrapped_text(ImU32 color, const std::string& text) {
  ImGui::PushStyleColor(ImGuiCol_Text, color);
  ImGui::PushTextWrapPos(0.0f);
  ImGui::TextUnformatted(text.c_str());
  ImGui::PopTextWrapPos();
  ImGui::PopStyleColor();
}

void draw_line_sample(ImDrawList* draw_list, ImVec2 from, float length, ImU32 color, bool dashed,
                      float thickness) {
  if (!dashed) {
    draw_list->AddLine(from, ImVec2(from.x + length, from.y), color, thickness);
    return;
  }
  const float dash = std::max(4.0f, length / 5.0f);
  for (float x = 0; x < length; x += 2.0f * dash * 0.75f) {
    const float end = std::min(length, x + dash * 0.75f);
    draw_list->AddLine(ImVec2(from.x + x, from.y), ImVec2(from.x + end, from.y), color, thickness);
  }
}

void legend_row(const std::vector<LegendItem>& items, float max_width) {
  const float window_right = ImGui::GetWindowPos().x + ImGui::GetWindowContentRegionMax().x;
  const float start = ImGui::GetCursorScreenPos().x;
  const float room = (max_width > 0.0f ? std::min(window_right, start + max_width) : window_right) - start;
  // One line if at all possible: shrink the text (down to 60 %) before wrapping.
  auto total_width = [&](float font) {
    float w = 0.0f;
    for (const auto& item : items)
      w += 1.6f * font + 0.3f * font + ImGui::CalcTextSize(item.label.c_str()).x + 1.2f * font;
    return w - 1.2f * font;
  };
  const float full = total_width(ImGui::GetFontSize());
  const float scale = full > room && full > 0.0f ? std::max(0.6f, room / full) : 1.0f;
  ImGui::SetWindowFontScale(scale);
  const float font = ImGui::GetFontSize();
  const float sample = 1.6f * font;
  const float right = start + room;
  bool first = true;
  for (const auto& item : items) {
    const float w = sample + 0.3f * font + ImGui::CalcTextSize(item.label.c_str()).x;
    if (!first) {
      ImGui::SameLine(0.0f, 1.2f * font);
      if (ImGui::GetCursorScreenPos().x + w > right) ImGui::NewLine();
    }
    first = false;
    const ImVec2 p = ImGui::GetCursorScreenPos();
    ImGui::Dummy(ImVec2(sample, font));
    draw_line_sample(ImGui::GetWindowDrawList(), ImVec2(p.x, p.y + 0.55f * font), sample,
                     item.color, item.dashed, std::max(2.0f, font / 9.0f));
    ImGui::SameLine(0.0f, 0.3f * font);
    ImGui::TextUnformatted(item.label.c_str());
  }
  ImGui::SetWindowFontScale(1.0f);
}

void fitted_text(const std::string& text, float width, ImU32 color, bool centre) {
  const ImVec2 pos = ImGui::GetCursorScreenPos();
  const float w = ImGui::CalcTextSize(text.c_str()).x;
  const float scale = w > width && w > 0.0f ? std::max(0.75f, width / w) : 1.0f;
  ImGui::PushClipRect(pos, ImVec2(pos.x + width, pos.y + ImGui::GetTextLineHeightWithSpacing()), true);
  ImGui::SetWindowFontScale(scale);
  const float scaled_w = ImGui::CalcTextSize(text.c_str()).x;
  if (centre && scaled_w < width) ImGui::SetCursorScreenPos(ImVec2(pos.x + 0.5f * (width - scaled_w), pos.y));
  ImGui::PushStyleColor(ImGuiCol_Text, color);
  ImGui::TextUnformatted(text.c_str());
  ImGui::PopStyleColor();
  ImGui::SetWindowFontScale(1.0f);
  ImGui::PopClipRect();
  // Keep the line height at full scale so the rows below do not move with the text's scale.
  ImGui::SetCursorScreenPos(ImVec2(pos.x, pos.y + ImGui::GetTextLineHeightWithSpacing()));
}

}  // namespace diffuscope::gui
