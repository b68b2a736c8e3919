#pragma once
// Presenter mode's large readout: t, ᾱₜ, SNRₜ (and log-SNR) and σₜ at the t of the picture on
// screen (gui/equations.hpp, current_readout; shown_moment.hpp), with the scene's title, in the
// large font scaled up so that the back of a hall can read it. Drawn into the current ImGui
// window (a strip the layout places in presenter mode).
#include "gui/state/app_state.hpp"
#include "renderer/fonts.hpp"
#include "renderer/theme.hpp"

namespace diffuscope::gui {

void draw_presenter_readout(const AppState& state, const renderer::FontSet& fonts,
                            const renderer::Palette& palette);

// Height of the strip: a title row and a row of numbers at the large size, plus the window's
// padding (the title row is kept even without a title, so loading a scene moves nothing).
// Call between NewFrame and Render (it reads the current font and style).
float presenter_readout_height();

}  // namespace diffuscope::gui
