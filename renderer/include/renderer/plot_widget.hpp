#pragma once
// A small 2-D plot widget drawn with ImGui draw lists (Debian ships no ImGui plotting library).
// Frame, grid, tick labels, clipped polylines, legend, a vertical cursor and hover readout.
// All sizes derive from ImGui::GetFontSize() so the plot reads well at UI scales 1..3.
// Colours follow the current ImGui style (Text, TextDisabled, Border, FrameBg).
#include <imgui.h>

#include <optional>
#include <string>
#include <vector>

#include "renderer/plot_axis.hpp"

namespace renderer {

struct PlotSeries {
  std::string label;            // legend text ("" = not listed in the legend)
  const double* x = nullptr;    // count values (increasing for best downsampling)
  const double* y = nullptr;    // count values; non-finite values break the line
  int count = 0;
  ImU32 color = IM_COL32(255, 255, 255, 255);
  float thickness = 2.0f;       // pixels at a 16 px font; scaled by GetFontSize() / 16
  bool dashed = false;
};

// Where the legend box goes inside the data area. Auto picks the corner covering the fewest
// data points of the plotted series.
enum class LegendCorner { Auto, TopRight, TopLeft, BottomRight, BottomLeft };

struct PlotOptions {
  std::string title;            // drawn centred above the plot ("" = none)
  std::string x_label;          // drawn under the x tick labels
  std::string y_label;          // drawn above the y tick labels, left aligned
  AxisScale x_scale = AxisScale::Linear;
  AxisScale y_scale = AxisScale::Linear;
  std::optional<AxisRange> x_range;   // fixed range; automatic (from the data) when empty
  std::optional<AxisRange> y_range;
  bool show_legend = true;
  bool show_grid = true;
  bool grid_on_top = false;     // draw the grid after the content (for an opaque image inside)
  std::optional<double> cursor_x;     // vertical cursor line at this data x
  float font_scale = 1.0f;      // tick labels relative to the current font size
  ImVec2 size = ImVec2(0, 0);   // widget size; 0 width = available width, 0 height = 16 lines
  bool y_ascii_powers = false;  // log labels as "1e-4" instead of "10⁻⁴" (no superscript glyphs)
  LegendCorner legend_corner = LegendCorner::Auto;
};

// What the mouse did over the plot this frame.
struct PlotInteraction {
  bool hovered = false;         // mouse inside the inner (data) rectangle
  double hover_x = 0.0;         // data coordinates of the mouse (valid when hovered)
  double hover_y = 0.0;
  bool clicked = false;         // left button pressed or dragged inside: e.g. move the cursor
  ImVec2 inner_min, inner_max;  // screen rectangle of the data area
  AxisMapping x_map, y_map;     // mappings used for drawing (for the caller's overlays)
};

// Draws a complete plot as one ImGui item. `id` must be unique in the current window.
PlotInteraction draw_plot(const char* id, const std::vector<PlotSeries>& series,
                          const PlotOptions& options);

// Building blocks for plots whose content is not polylines (e.g. a GL point texture or a
// histogram). begin_plot_area reserves the item, draws background, grid (unless grid_on_top),
// tick labels and titles, and pushes a clip rect on the inner area. Draw the content with
// ImGui::GetWindowDrawList() into [inner_min, inner_max], then call end_plot_area, which pops the
// clip rect and draws the grid (if grid_on_top), the cursor and the border.
// Ranges must be non-empty (use padded_range for automatic ones).
PlotInteraction begin_plot_area(const char* id, const AxisRange& x_range, const AxisRange& y_range,
                                const PlotOptions& options);
void end_plot_area(const PlotInteraction& area, const PlotOptions& options);

// A legend box in a corner of the inner area (entries with empty labels are skipped).
// Auto is treated as TopRight here (draw_plot resolves Auto from the data).
struct LegendEntry {
  std::string label;
  ImU32 color = 0;
  bool dashed = false;
};
void draw_legend(ImDrawList* draw_list, ImVec2 inner_min, ImVec2 inner_max,
                 const std::vector<LegendEntry>& entries, float font_scale = 1.0f,
                 LegendCorner corner = LegendCorner::TopRight);
// Size of the legend box draw_legend would draw (0, 0 when no entry has a label).
ImVec2 legend_size(const std::vector<LegendEntry>& entries, float font_scale = 1.0f);
// The corner (never Auto) where a legend box of `size` covers the fewest points of `series`
// (ties prefer TopRight, then TopLeft, BottomRight, BottomLeft). pad: gap to the area's edge.
LegendCorner choose_legend_corner(const std::vector<PlotSeries>& series, const AxisMapping& x_map,
                                  const AxisMapping& y_map, ImVec2 inner_min, ImVec2 inner_max,
                                  ImVec2 size, float pad);

// Draws one series into the inner area of a plot (clipped; non-finite points break the line;
// min/max per pixel column when count is much larger than the width).
void draw_series(ImDrawList* draw_list, const PlotSeries& series, const AxisMapping& x_map,
                 const AxisMapping& y_map);

}  // namespace renderer
