#pragma once
// The "Draw your data" controls of the forward view's control column: the Draw toggle, the brush
// (class colour, points per dab, spread), Undo and Clear, and how many points the drawing holds.
// The mouse work itself (dabs and erasing) is in the points panel (points_view.cpp).
#include "gui/state/app_state.hpp"
#include "renderer/theme.hpp"

namespace diffuscope::gui {

// Turns Draw mode on or off. On: the drawing becomes the data and the cursor goes to t = 0 (the
// panel shows x_0, where the brush draws), playback paused.
void set_draw_mode(AppState& state, bool on);

// The section; label_width as the column's other rows.
void draw_drawing_controls(AppState& state, const renderer::Palette& palette, float label_width);

}  // namespace diffuscope::gui
