#include "gui/views/common/equation_panel.hpp"

#include <imgui.h>

#include <algorithm>
#include <cfloat>
#include <string>
#include <vector>

#include "gui/state/equations.hpp"

namespace diffuscope::gui {
namespace {

// Smallest text scale; below it the numbers move under the formulas instead, then wrap.
constexpr float kMinScale = 0.75f;
// The caption column takes at most this share of the width (longer captions wrap in it).
constexpr float kCaptionShare = 0.3f;

// Sizes are measured at the font's own size (scale 1), whatever scale the current window has, so
// the height computed before the strip's window exists matches what is drawn in it.
ImVec2 text_size(const std::string& text, float wrap_width = 0.0f) {
  ImFont* font = ImGui::GetFont();
  return font->CalcTextSizeA(font->FontSize, FLT_MAX, wrap_width, text.c_str());
}

struct PanelLayout {
  bool stacked = false;      // numbers on their own row under the formula
  bool wrap = false;         // even stacked at the smallest scale the formulas must wrap
  float scale = 1.0f;        // SetWindowFontScale factor
  // Column widths at scale 1.
  float caption_w = 0.0f, symbolic_w = 0.0f, numeric_w = 0.0f, gap = 0.0f;
};

// Widest caption, formula and numbers over both sets of lines (the current ones and those at
// t = T), so that the layout does not flip while the cursor moves.
PanelLayout plan_layout(const std::vector<EquationLine>& lines, const std::vector<EquationLine>& reference,
                        float width) {
  PanelLayout layout;
  layout.gap = 1.2f * ImGui::GetFont()->FontSize;
  float caption_max = 0.0f;
  for (const auto* set : {&lines, &reference}) {
    for (const EquationLine& line : *set) {
      caption_max = std::max(caption_max, text_size(line.caption).x);
      layout.symbolic_w = std::max(layout.symbolic_w, text_size(line.symbolic).x);
      layout.numeric_w = std::max(layout.numeric_w, text_size(line.numeric).x);
    }
  }
  if (width <= 0.0f) {  // no room known yet: natural size
    layout.caption_w = caption_max;
    return layout;
  }
  // In order of preference: full captions beside the formulas; long captions wrapped in a column
  // of at most kCaptionShare of the width; the numbers under the formulas. Each shrinks the text
  // down to kMinScale before the next is tried.
  const auto caption_column = [&](float scale, bool capped) {
    return capped ? std::min(caption_max, kCaptionShare * width / scale) : caption_max;
  };
  const auto fits = [&](float scale, bool capped, bool stacked) {
    const float room = width / scale - caption_column(scale, capped) - layout.gap;
    return stacked ? std::max(layout.symbolic_w, layout.numeric_w) <= room
                   : layout.symbolic_w + layout.gap + layout.numeric_w <= room;
  };
  const struct { bool capped, stacked; } options[] = {{false, false}, {true, false}, {true, true}};
  for (const auto& option : options) {
    for (float scale = 1.0f; scale >= kMinScale - 1e-4f; scale -= 0.01f) {
      if (fits(scale, option.capped, option.stacked)) {
        layout.stacked = option.stacked;
        layout.scale = scale;
        layout.caption_w = caption_column(scale, option.capped);
        return layout;
      }
    }
  }
  layout.stacked = true;
  layout.wrap = true;
  layout.scale = kMinScale;
  layout.caption_w = caption_column(kMinScale, true);
  return layout;
}

// Height of the lines drawn with this layout, at the layout's scale.
float lines_height(const std::vector<EquationLine>& lines, const PanelLayout& layout, float width) {
  const float spacing = ImGui::GetStyle().ItemSpacing.y;
  const float right_w = width / layout.scale - layout.caption_w - layout.gap;  // at scale 1
  float total = 0.0f;
  for (const EquationLine& line : lines) {
    const float caption_h = text_size(line.caption, layout.caption_w + 1.0f / layout.scale).y;   // the drawing's slack
    const float symbolic_h = text_size(line.symbolic, layout.wrap ? right_w : 0.0f).y;
    float right_h = symbolic_h;
    if (!line.numeric.empty()) {
      const float numeric_h = text_size(line.numeric, layout.wrap ? right_w : 0.0f).y;
      right_h = layout.stacked ? symbolic_h + spacing / layout.scale + numeric_h : std::max(symbolic_h, numeric_h);
    }
    total += std::max(caption_h, right_h) * layout.scale;
  }
  return total + spacing * static_cast<float>(std::max<std::size_t>(lines.size(), 1) - 1);
}

// The lines at t = T: as many as any cursor gives (t = 0 gives fewer).
std::vector<EquationLine> reference_lines(const AppState& state) {
  return equations_at(state, std::max(1, state.max_T()));
}

ImU32 caption_color(const AppState& state, const EquationLine& line, const renderer::Palette& palette) {
  if (line.group == 1) return palette.schedule_b;
  if (state.view == AppView::Forward && state.compare) return palette.schedule_a;
  return ImGui::GetColorU32(ImGuiCol_TextDisabled);
}

}  // namespace

void draw_equation_panel(const AppState& state, const renderer::Palette& palette) {
  const std::vector<EquationLine> lines = current_equations(state);
  const float width = ImGui::GetContentRegionAvail().x;
  const PanelLayout layout = plan_layout(lines, reference_lines(state), width);
  ImGui::SetWindowFontScale(layout.scale);
  const float s = layout.scale;
  const float x0 = ImGui::GetCursorPosX();
  const float symbolic_x = x0 + (layout.caption_w + layout.gap) * s;
  const float numeric_x = symbolic_x + (layout.symbolic_w + layout.gap) * s;
  for (const EquationLine& line : lines) {
    ImGui::BeginGroup();
    // A caption exactly as wide as its column must not wrap on float rounding: one pixel of slack.
    ImGui::PushTextWrapPos(x0 + layout.caption_w * s + 1.0f);
    ImGui::PushStyleColor(ImGuiCol_Text, caption_color(state, line, palette));
    ImGui::TextUnformatted(line.caption.c_str());
    ImGui::PopStyleColor();
    ImGui::PopTextWrapPos();
    ImGui::EndGroup();
    ImGui::SameLine(symbolic_x);
    ImGui::BeginGroup();
    // Wrap at the window's edge: never reached unless even the smallest stacked layout is too wide.
    ImGui::PushTextWrapPos(0.0f);
    ImGui::TextUnformatted(line.symbolic.c_str());
    if (!line.numeric.empty()) {
      // Inside a group SameLine measures from the group's start.
      if (!layout.stacked) ImGui::SameLine(numeric_x - symbolic_x);
      ImGui::TextUnformatted(line.numeric.c_str());
    }
    ImGui::PopTextWrapPos();
    ImGui::EndGroup();
  }
  ImGui::SetWindowFontScale(1.0f);
}

float equation_panel_height(const AppState& state) {
  const ImGuiStyle& style = ImGui::GetStyle();
  const float width = ImGui::GetIO().DisplaySize.x - 2.0f * style.WindowPadding.x;
  const std::vector<EquationLine> lines = current_equations(state);
  const std::vector<EquationLine> reference = reference_lines(state);
  // The layout (scale, stacking) is planned for the widest lines any t gives, so text does not
  // jump while scrubbing; the height is the current lines' own, so the views below get every row
  // the strip does not use (the reverse view at t = 0 has one line, not three).
  const PanelLayout layout = plan_layout(lines, reference, width);
  return lines_height(lines, layout, width) + 2.0f * style.WindowPadding.y;
}

}  // namespace diffuscope::gui
