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
// item filling the remaining width. Where that would leave the item less than kRowLabelMinItemEm
// font sizes (a narrow column at a large UI scale), the item goes on the next line at full width
// rather than clip its text.
inline constexpr float kRowLabelMinItemEm = 7.0f;
void row_label(const char* label, float label_width);

// Shows `text` as a tooltip when the last item is hovered. Keep it to one line (≤ 40 em, about 80
// characters) saying what the quantity is.
void item_tooltip(const char* text);

// A slider whose value stays readable: the slider (no text of its own, so its grab covers
// nothing) fills the row up to the value, written as text at its right ("0.02", "50 of 1000").
// The value's room is measured on min, max and the value, so the slider does not jump as the value
// changes. Ctrl+click still types a value (the slider then shows it while typing). Every slider
// of the app goes through this. Returns true when changed. width: slider and value together
// (0: the rest of the row); min_slider_width: the slider keeps at least this much (a scrubber), the
// value's text shrinks instead.
bool value_slider(const char* id, ImGuiDataType type, void* value, const void* min, const void* max,
                  const char* format, ImGuiSliderFlags flags = 0, float width = 0.0f, float min_slider_width = 0.0f);
bool value_slider_int(const char* id, int* value, int min, int max, const char* format = "%d",
                      ImGuiSliderFlags flags = 0, float min_slider_width = 0.0f);
bool value_slider_float(const char* id, float* value, float min, float max, const char* format = "%.2f",
                        ImGuiSliderFlags flags = 0);

// A collapsible section of a control column (a CollapsingHeader); open_by_default applies on its
// first appearance and again whenever `scene` (the loaded scene's title) changes, so each scene
// opens the groups it is about. Returns whether the section is open.
bool section(const char* title, bool open_by_default, const std::string& scene);

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
// Whether legend_row would draw the items on one line within max_width (at its smallest text).
bool legend_fits_one_row(const std::vector<LegendItem>& items, float max_width);

// Draws a dashed or solid horizontal sample line.
void draw_line_sample(ImDrawList* draw_list, ImVec2 from, float length, ImU32 color, bool dashed,
                      float thickness);

// The first of `forms` (longest first) that fits `width` at `scale` of the font (75 %: what
// fitted_text shrinks to; 1 for text drawn at full size); the last otherwise. For captions with
// shorter forms rather than cut ones.
std::string first_fitting(const std::vector<std::string>& forms, float width, float scale = 0.75f);

// A status line made of parts ("moons.ckpt · v-prediction", "9541 point-steps/s"): as many parts
// per line as fit the available width, joined by `separator`, wrapping between parts (never
// inside a number); a part wider than the line on its own is shrunk by fitted_text.
void wrapped_parts(const std::vector<std::string>& parts, ImU32 color, const char* separator = "   ·   ");
// The lines wrapped_parts would draw at `width` (to reserve their height before drawing).
std::vector<std::string> wrap_parts(const std::vector<std::string>& parts, float width,
                                    const char* separator = "   ·   ");

// Text that shrinks (to 75 %) rather than overflow `width`, then is clipped; centred unless
// `centre` is false. The line keeps its full-scale height, so the rows below do not move.
void fitted_text(const std::string& text, float width, ImU32 color, bool centre = true);

}  // namespace diffuscope::gui
