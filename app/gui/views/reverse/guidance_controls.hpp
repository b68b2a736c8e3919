#pragma once
// A reverse panel's classifier-free guidance controls: the class to sample ("none
// (unconditional)" or one of the data's classes, each with its point colour) and, once a class
// is chosen, the guidance scale w and the convention ε̂ = ε̂_∅ + w (ε̂_c − ε̂_∅) in one line. Data
// with fewer than two classes get the controls disabled with the reason. Edits ReversePanelSettings::class_id and guidance.
#include <string>

#include "gui/state/app_state.hpp"

namespace diffuscope::gui {

struct GuidanceChoices {
  int class_count = 0;          // classes of the data the panel samples (0..class_count-1)
  std::string disabled_reason;  // non-empty: the controls are disabled, and this says why
  bool light_theme = false;     // class colours for a light background
};

// The classes of the data shown (the drawing's while it is the data) and, with fewer than two,
// why guidance has nothing to choose between.
GuidanceChoices guidance_choices(const AppState& state);

void draw_guidance_controls(ReversePanelSettings& s, const GuidanceChoices& choices, float label_width);

}  // namespace diffuscope::gui
