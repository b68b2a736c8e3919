#pragma once
// The equation panel: the formula the current view applies, symbolically and with the current
// numbers (gui/equations.hpp), drawn into the current ImGui window (a full-width strip the layout
// places above the timeline). Lines never get cut: the text shrinks (down to 75 %), then the
// numbers go under the formulas.
#include "gui/state/app_state.hpp"
#include "renderer/theme.hpp"

namespace diffuscope::gui {

// Draws the lines into the current window's content region.
void draw_equation_panel(const AppState& state, const renderer::Palette& palette);

// Height the strip needs at the current font (lines × line height + the window's padding), for a
// strip as wide as the display. Does not change while the cursor moves.
float equation_panel_height(const AppState& state);

}  // namespace diffuscope::gui
