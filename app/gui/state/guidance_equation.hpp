#pragma once
// The equation panel's classifier-free guidance line for a guided panel #1 of the reverse view:
// ε̂ = ε̂_∅ + w · (ε̂_c − ε̂_∅), with the numbers the worker computed at one point of the shown
// state (ReversePanelFrame::guidance_numbers, mirrored into ReverseState::guidance_shown).
// Plain text, no ImGui, no LibTorch.
#include <optional>

#include "gui/state/app_state.hpp"
#include "gui/state/equations.hpp"

namespace diffuscope::gui {

// The line while the Reverse view's panel 0 samples a class (nullopt otherwise). step_t: the
// timestep of the step the panel describes; numbers of another step (or none yet) leave the
// numeric part saying they are on their way, so the line count never changes with the frame.
std::optional<EquationLine> guidance_equation_line(const AppState& state, int step_t);
// "(0.120, −0.460)": a 2D vector as the guidance line writes it.
std::string vector_text(const float xy[2]);

}  // namespace diffuscope::gui
