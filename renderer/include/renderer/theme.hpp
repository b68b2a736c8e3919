#pragma once
// Dark theme and a high-contrast light theme for projectors, plus the palette the panels use.
#include <imgui.h>

#include <optional>
#include <string>

namespace renderer {

enum class ThemeKind { Dark, Light };

// "dark" / "light" (also "high-contrast"); nullopt otherwise.
std::optional<ThemeKind> parse_theme(const std::string& name);
const char* theme_name(ThemeKind kind);

// Colours that are not part of ImGuiStyle.
struct Palette {
  ImU32 schedule_a;        // series of schedule A
  ImU32 schedule_b;        // series of schedule B
  ImU32 cursor;            // the vertical t cursor
  ImU32 plot_background;   // inside plots and the point view
  ImU32 grid;
  ImU32 histogram_bar;
  ImU32 density_curve;     // the N(0, 1) reference
  ImU32 warning_text;
  ImU32 error_text;
  ImVec4 clear_color;      // window clear colour (glClearColor)
  ImVec4 point_background; // clear colour of the point-cloud render target
};

const Palette& palette(ThemeKind kind);

// Resets *style (ImGui::GetStyle() when null) to the theme's colours, rounding and padding,
// then scales the sizes by ui_scale (1.0 .. 3.0; clamped). Fonts are scaled separately
// (build_font_atlas at 18 px * ui_scale).
void apply_theme(ThemeKind kind, float ui_scale, ImGuiStyle* style = nullptr);

}  // namespace renderer
