#include "gui/widgets/ui_helpers.hpp"

#include <imgui_internal.h>   // DataTypeFormatString, TempInputIsActive: the value text and Ctrl+click typing

#include <algorithm>
#include <unordered_map>

namespace diffuscope::gui {

ImVec4 to_vec4(ImU32 color) { return ImGui::ColorConvertU32ToFloat4(color); }

void row_label(const char* label, float label_width) {
  // A combo box needs about 7 font sizes for a choice like "Markov chain" and its arrow: in a
  // narrower column (1280x720 at UI scale 2) the control goes under its label, at full width.
  const float row_start = ImGui::GetCursorPosX();
  const float item_w = ImGui::GetContentRegionAvail().x - (label_width - row_start);
  ImGui::AlignTextToFramePadding();
  ImGui::TextUnformatted(label);
  if (item_w >= kRowLabelMinItemEm * ImGui::GetFontSize()) ImGui::SameLine(label_width);
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
  const bool changed = value_slider(id, ImGuiDataType_Double, value, &min, &max, format, flags);
  item_tooltip(tooltip);
  return changed;
}

bool value_slider(const char* id, ImGuiDataType type, void* value, const void* min, const void* max,
                  const char* format, ImGuiSliderFlags flags, float width, float min_slider_width) {
  char text[64];
  auto text_width = [&](const void* v) {
    ImGui::DataTypeFormatString(text, sizeof text, type, v, format);
    return ImGui::CalcTextSize(text).x;
  };
  // At least the room of "0.0001", so that the sliders of a column end at the same x.
  const float value_w = std::max({text_width(min), text_width(max), text_width(value), ImGui::CalcTextSize("0.0001").x});
  const float spacing = ImGui::GetStyle().ItemInnerSpacing.x;
  const float avail = width > 0.0f ? width : ImGui::GetContentRegionAvail().x;
  // The slider keeps at least 2.5 font sizes to drag on; past that the value's text takes the room.
  const float slider_w = std::max({2.5f * ImGui::GetFontSize(), min_slider_width, avail - value_w - spacing});
  const bool typing = ImGui::TempInputIsActive(ImGui::GetID(id));
  ImGui::SetNextItemWidth(slider_w);
  if (!typing) ImGui::PushStyleColor(ImGuiCol_Text, IM_COL32(0, 0, 0, 0));
  const bool changed = ImGui::SliderScalar(id, type, value, min, max, format, flags);
  if (!typing) ImGui::PopStyleColor();
  // The value is drawn, not laid out as an item: the slider stays the last item, so the caller's
  // item_tooltip and IsItemActive still refer to it.
  ImGui::DataTypeFormatString(text, sizeof text, type, value, format);
  const ImVec2 slider_min = ImGui::GetItemRectMin(), slider_max = ImGui::GetItemRectMax();
  // A column too narrow for slider and value: the value's text shrinks (to 60 %) rather than run
  // past the column's edge.
  const float room = ImGui::GetWindowPos().x + ImGui::GetWindowContentRegionMax().x - slider_max.x - spacing;
  const float full_w = ImGui::CalcTextSize(text).x;
  const float scale = full_w > room && full_w > 0.0f ? std::max(0.6f, room / full_w) : 1.0f;
  const float font = ImGui::GetFontSize() * scale;
  ImGui::GetWindowDrawList()->AddText(
      ImGui::GetFont(), font,
      ImVec2(slider_max.x + spacing, 0.5f * (slider_min.y + slider_max.y) - 0.5f * font),
      ImGui::GetColorU32(ImGuiCol_Text), text);
  return changed;
}

bool value_slider_int(const char* id, int* value, int min, int max, const char* format, ImGuiSliderFlags flags,
                      float min_slider_width) {
  return value_slider(id, ImGuiDataType_S32, value, &min, &max, format, flags, 0.0f, min_slider_width);
}

bool value_slider_float(const char* id, float* value, float min, float max, const char* format,
                        ImGuiSliderFlags flags) {
  return value_slider(id, ImGuiDataType_Float, value, &min, &max, format, flags);
}

bool section(const char* title, bool open_by_default, const std::string& scene) {
  // The scene each section last applied its default for, by the section's ID (GUI thread only).
  static std::unordered_map<ImGuiID, std::string> applied;
  const ImGuiID key = ImGui::GetID(title);
  const auto found = applied.find(key);
  if (found == applied.end() || found->second != scene) {
    ImGui::SetNextItemOpen(open_by_default, ImGuiCond_Always);
    applied[key] = scene;
  }
  return ImGui::CollapsingHeader(title);
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

namespace {
// legend_row's width at a font size: a line sample, a gap, the label, a gap before the next.
float legend_row_width(const std::vector<LegendItem>& items, float font, float text_scale) {
  float w = 0.0f;
  for (const auto& item : items) w += 1.6f * font + 0.3f * font + text_scale * ImGui::CalcTextSize(item.label.c_str()).x + 1.2f * font;
  return w - 1.2f * font;
}
}  // namespace

bool legend_fits_one_row(const std::vector<LegendItem>& items, float max_width) {
  constexpr float kSmallest = 0.6f;   // legend_row shrinks its text to 60 % before wrapping
  return legend_row_width(items, kSmallest * ImGui::GetFontSize(), kSmallest) <= max_width;
}

void legend_row(const std::vector<LegendItem>& items, float max_width) {
  const float window_right = ImGui::GetWindowPos().x + ImGui::GetWindowContentRegionMax().x;
  const float start = ImGui::GetCursorScreenPos().x;
  const float room = (max_width > 0.0f ? std::min(window_right, start + max_width) : window_right) - start;
  // One line if at all possible: shrink the text (down to 60 %) before wrapping.
  const float full = legend_row_width(items, ImGui::GetFontSize(), 1.0f);
  // 3 % short of the room: ImGui rounds positions to whole pixels, and a row that fills its room
  // exactly would wrap on a rounding.
  const float scale = full > room && full > 0.0f ? std::max(0.6f, 0.97f * room / full) : 1.0f;
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

std::string first_fitting(const std::vector<std::string>& forms, float width, float scale) {
  for (const std::string& form : forms) {
    if (scale * ImGui::CalcTextSize(form.c_str()).x <= width) return form;
  }
  return forms.empty() ? std::string() : forms.back();
}

std::vector<std::string> wrap_parts(const std::vector<std::string>& parts, float width, const char* separator) {
  std::vector<std::string> lines;
  std::string line;
  for (const std::string& part : parts) {
    if (part.empty()) continue;
    const std::string joined = line.empty() ? part : line + separator + part;
    if (!line.empty() && ImGui::CalcTextSize(joined.c_str()).x > width) {
      lines.push_back(line);
      line = part;
    } else {
      line = joined;
    }
  }
  if (!line.empty()) lines.push_back(line);
  return lines;
}

void wrapped_parts(const std::vector<std::string>& parts, ImU32 color, const char* separator) {
  const float width = ImGui::GetContentRegionAvail().x;
  for (const std::string& line : wrap_parts(parts, width, separator)) fitted_text(line, width, color, false);
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
