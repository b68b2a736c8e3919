#pragma once
// The sampler controls the Reverse and Images views share: the σ choice with its η or v, the step
// count K, clipping x̂_0, a panel's schedule family, and the labels and tooltips of σ kinds and
// spacings.
#include "diffusion/reverse_config.hpp"
#include "diffusion/sampling_steps.hpp"
#include "gui/app_state.hpp"

namespace diffuscope::gui {

const char* sigma_tooltip(diffusion::SigmaKind kind);
const char* spacing_label(diffusion::Spacing spacing);
const char* spacing_tooltip(diffusion::Spacing spacing);

// "sampler" combo, η (DDIM) or v (interpolated), and the logarithmic K slider (K = T stored as 0),
// each on a labelled row; steps_tooltip explains what a step costs in the calling view.
void draw_sigma_and_steps(ReversePanelSettings& s, int T, float label_width, const char* steps_tooltip);
// "clip x̂_0 to [min, max]": the panel's sampler.clip_x0, with the range the view clips to.
void draw_clip_control(ReversePanelSettings& s, ClipRange range);
// "family": the schedule family of an extra compare panel.
void draw_panel_family(ReversePanelSettings& s, float label_width);

}  // namespace diffuscope::gui
