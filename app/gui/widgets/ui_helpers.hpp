#pragma once
// Small ImGui helpers shared by the panels: a label column in front of full-width controls (labels
// on the left read better from the back of a hall than ImGui's labels on the right), tooltips,
// coloured text and legend rows.
#include <imgui.h>

#include <string>
#include <vector>

namespace diffuscope::gui {

ImVec4 to_vec4(ImU32 color);

// Starts a row: the label (aligned to frame padding) then the cursor at label_width, with the next
// item filling the remaining width.
void row_label(const char* label, float label_width);

// Shows `text` as a tooltip when the last item is hovered. Keep it to one line (≤ 40 em, about 80
// characters) saying what the quantity is.
void item_tooltip(const char* text);

// A logarithmic or linear slider over a double with a left label. Returns true when changed.
bool slider_double(const char* label, const char* id, double* value, double min, double max,
                   const char* format, bool logarithmic, float label_width,
                   const char* tooltip = nullptr);

// Wrapped text in a colour.
void colored_wrapped_text(ImU32 color, const std::string& text);

// A legend row: for each entry a short line sample (dashed if asked) and the label, on one line,
// wrapping to the next line when the panel is narrow.
struct LegendItem {
  std::string label;
  ImU32 color = 0;
  bool dashed = false;
};
// max_width > 0: wrap (or clip) within that width from the row's start, else the window's width.
void legend_row(const std::vector<LegendItem>& items, float max_width = 0.0f);

// Draws a dashed or solid horizontal sample line.
void draw_line_sample(ImDrawList* draw_list, ImVec2 from, float length, ImU32 color, bool dashed,
                      float thickness);

// Text that shrinks (to 75 %) rather than overflow `width`, then is clipped; centred unless
// `centre` is false. The line keeps its full-scale height, so the rows below do not move.
void fitted_text(const std::string& text, float width, ImU32 color, bool centre = true);

}  // namespace diffuscope::gui
