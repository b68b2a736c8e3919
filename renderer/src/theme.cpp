#include "renderer/theme.hpp"

#include <algorithm>
#include <cctype>

namespace renderer {
namespace {

ImVec4 rgb(int r, int g, int b, float a = 1.0f) { return ImVec4(r / 255.0f, g / 255.0f, b / 255.0f, a); }

Palette make_dark_palette() {
  Palette p;
  p.schedule_a = IM_COL32(86, 180, 233, 255);    // sky blue (Okabe-Ito)
  p.schedule_b = IM_COL32(240, 160, 30, 255);    // orange
  p.cursor = IM_COL32(255, 96, 96, 255);
  p.plot_background = IM_COL32(22, 24, 30, 255);
  p.grid = IM_COL32(90, 96, 110, 140);
  p.histogram_bar = IM_COL32(86, 180, 233, 150);
  p.density_curve = IM_COL32(240, 160, 30, 255);
  p.warning_text = IM_COL32(255, 200, 70, 255);
  p.error_text = IM_COL32(255, 110, 110, 255);
  p.clear_color = rgb(14, 15, 19);
  p.point_background = rgb(22, 24, 30);
  return p;
}

Palette make_light_palette() {
  Palette p;
  p.schedule_a = IM_COL32(0, 90, 181, 255);      // dark blue: strong on white under a projector
  p.schedule_b = IM_COL32(205, 80, 0, 255);      // vermillion
  p.cursor = IM_COL32(200, 0, 0, 255);
  p.plot_background = IM_COL32(255, 255, 255, 255);
  p.grid = IM_COL32(120, 120, 120, 130);
  p.histogram_bar = IM_COL32(0, 90, 181, 120);
  p.density_curve = IM_COL32(205, 80, 0, 255);
  p.warning_text = IM_COL32(150, 80, 0, 255);
  p.error_text = IM_COL32(190, 0, 0, 255);
  p.clear_color = rgb(236, 236, 236);
  p.point_background = rgb(255, 255, 255);
  return p;
}

void dark_colors(ImGuiStyle& s, const Palette& p) {
  ImGui::StyleColorsDark(&s);
  ImVec4* c = s.Colors;
  c[ImGuiCol_Text] = rgb(235, 237, 242);
  c[ImGuiCol_TextDisabled] = rgb(140, 145, 155);
  c[ImGuiCol_WindowBg] = rgb(28, 30, 36);
  c[ImGuiCol_ChildBg] = rgb(28, 30, 36, 0.0f);
  c[ImGuiCol_PopupBg] = rgb(34, 37, 44, 0.98f);
  c[ImGuiCol_Border] = rgb(80, 86, 100);
  c[ImGuiCol_FrameBg] = ImGui::ColorConvertU32ToFloat4(p.plot_background);
  c[ImGuiCol_FrameBgHovered] = rgb(44, 50, 62);
  c[ImGuiCol_FrameBgActive] = rgb(52, 60, 76);
  c[ImGuiCol_TitleBg] = rgb(22, 24, 30);
  c[ImGuiCol_TitleBgActive] = rgb(32, 40, 56);
  c[ImGuiCol_MenuBarBg] = rgb(24, 26, 32);
  c[ImGuiCol_Button] = rgb(48, 66, 96);
  c[ImGuiCol_ButtonHovered] = rgb(62, 88, 130);
  c[ImGuiCol_ButtonActive] = rgb(74, 106, 160);
  c[ImGuiCol_Header] = rgb(48, 66, 96);
  c[ImGuiCol_HeaderHovered] = rgb(62, 88, 130);
  c[ImGuiCol_HeaderActive] = rgb(74, 106, 160);
  c[ImGuiCol_SliderGrab] = rgb(110, 160, 230);
  c[ImGuiCol_SliderGrabActive] = rgb(150, 190, 250);
  c[ImGuiCol_CheckMark] = rgb(130, 190, 255);
  c[ImGuiCol_Tab] = rgb(36, 44, 58);
  c[ImGuiCol_TabHovered] = rgb(62, 88, 130);
  c[ImGuiCol_TabActive] = rgb(52, 72, 106);
  c[ImGuiCol_PlotLines] = ImGui::ColorConvertU32ToFloat4(p.schedule_a);
  c[ImGuiCol_PlotLinesHovered] = ImGui::ColorConvertU32ToFloat4(p.cursor);
  c[ImGuiCol_PlotHistogram] = ImGui::ColorConvertU32ToFloat4(p.histogram_bar);
}

void light_colors(ImGuiStyle& s, const Palette& p) {
  ImGui::StyleColorsLight(&s);
  ImVec4* c = s.Colors;
  // High contrast: black text, white panels, clearly visible borders and controls.
  c[ImGuiCol_Text] = rgb(0, 0, 0);
  c[ImGuiCol_TextDisabled] = rgb(80, 80, 80);
  c[ImGuiCol_WindowBg] = rgb(250, 250, 250);
  c[ImGuiCol_ChildBg] = rgb(250, 250, 250, 0.0f);
  c[ImGuiCol_PopupBg] = rgb(255, 255, 255, 0.99f);
  c[ImGuiCol_Border] = rgb(60, 60, 60, 0.85f);
  c[ImGuiCol_FrameBg] = ImGui::ColorConvertU32ToFloat4(p.plot_background);
  c[ImGuiCol_FrameBgHovered] = rgb(225, 235, 250);
  c[ImGuiCol_FrameBgActive] = rgb(205, 222, 248);
  c[ImGuiCol_TitleBg] = rgb(225, 225, 225);
  c[ImGuiCol_TitleBgActive] = rgb(200, 214, 235);
  c[ImGuiCol_MenuBarBg] = rgb(232, 232, 232);
  c[ImGuiCol_Button] = rgb(205, 220, 242);
  c[ImGuiCol_ButtonHovered] = rgb(170, 198, 238);
  c[ImGuiCol_ButtonActive] = rgb(130, 170, 230);
  c[ImGuiCol_Header] = rgb(205, 220, 242);
  c[ImGuiCol_HeaderHovered] = rgb(170, 198, 238);
  c[ImGuiCol_HeaderActive] = rgb(130, 170, 230);
  c[ImGuiCol_SliderGrab] = rgb(0, 80, 170);
  c[ImGuiCol_SliderGrabActive] = rgb(0, 55, 130);
  c[ImGuiCol_CheckMark] = rgb(0, 70, 160);
  c[ImGuiCol_PlotLines] = ImGui::ColorConvertU32ToFloat4(p.schedule_a);
  c[ImGuiCol_PlotLinesHovered] = ImGui::ColorConvertU32ToFloat4(p.cursor);
  c[ImGuiCol_PlotHistogram] = ImGui::ColorConvertU32ToFloat4(p.histogram_bar);
}

}  // namespace

std::optional<ThemeKind> parse_theme(const std::string& name) {
  std::string lower = name;
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  if (lower == "dark") return ThemeKind::Dark;
  if (lower == "light" || lower == "high-contrast" || lower == "high_contrast") return ThemeKind::Light;
  return std::nullopt;
}

const char* theme_name(ThemeKind kind) { return kind == ThemeKind::Dark ? "dark" : "light"; }

const Palette& palette(ThemeKind kind) {
  static const Palette dark = make_dark_palette();
  static const Palette light = make_light_palette();
  return kind == ThemeKind::Dark ? dark : light;
}

void apply_theme(ThemeKind kind, float ui_scale, ImGuiStyle* style) {
  ImGuiStyle s;  // fresh defaults, so repeated calls do not compound the scaling
  if (kind == ThemeKind::Dark) {
    dark_colors(s, palette(kind));
  } else {
    light_colors(s, palette(kind));
  }
  s.WindowRounding = 4.0f;
  s.ChildRounding = 4.0f;
  s.FrameRounding = 3.0f;
  s.PopupRounding = 3.0f;
  s.GrabRounding = 3.0f;
  s.TabRounding = 3.0f;
  s.ScrollbarRounding = 6.0f;
  s.WindowPadding = ImVec2(10.0f, 10.0f);
  s.FramePadding = ImVec2(8.0f, 5.0f);
  s.ItemSpacing = ImVec2(10.0f, 7.0f);
  s.ItemInnerSpacing = ImVec2(7.0f, 5.0f);
  s.IndentSpacing = 18.0f;
  s.ScrollbarSize = 16.0f;
  s.GrabMinSize = 14.0f;
  s.WindowBorderSize = 1.0f;
  s.FrameBorderSize = kind == ThemeKind::Light ? 1.0f : 0.0f;  // frames visible on white
  s.ScaleAllSizes(std::clamp(ui_scale, 1.0f, 3.0f));
  if (style == nullptr) style = &ImGui::GetStyle();
  *style = s;
}

}  // namespace renderer
