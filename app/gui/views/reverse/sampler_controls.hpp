#pragma once
// The sampler controls the Reverse and Images views share: the σ choice with its η or v, the step
// count K, clipping x̂_0, a panel's schedule family, the spacing with the strip of visited
// timesteps, and the compare section's panel count, presets and panel tabs.
#include <functional>
#include <string>
#include <vector>

#include "diffusion/reverse_config.hpp"
#include "diffusion/sampling_steps.hpp"
#include "gui/state/app_state.hpp"
#include "renderer/theme.hpp"

namespace diffuscope::gui {

// "sampler" combo, η (DDIM) or v (interpolated), and the logarithmic K slider (K = T stored as 0),
// each on a labelled row; steps_tooltip explains what a step costs in the calling view.
// A flow panel (s.process = Flow) gets its solver (Euler or Heun) and a note that σ and η do not
// apply, in place of the sampler combo.
void draw_sigma_and_steps(ReversePanelSettings& s, int T, float label_width, const char* steps_tooltip);
// "process" combo: diffusion (DDPM) or flow matching (the 2D reverse view only).
void draw_process_choice(ReversePanelSettings& s, float label_width);
// "clip x̂_0 to [min, max]": the panel's sampler.clip_x0, with the range the view clips to.
void draw_clip_control(ReversePanelSettings& s, ClipRange range);
// "family": the schedule family of an extra compare panel.
void draw_panel_family(ReversePanelSettings& s, float label_width);

// "spacing" combo (combo_id: its ImGui id) and under it the strip of the timesteps panel 0 visits,
// with the cursor in red; a spacing that cannot give K steps is shown as an error.
void draw_spacing_and_visited(SamplingSettings& r, int T, int cursor_t, const char* combo_id, float label_width,
                              const renderer::Palette& palette);
// "panels" slider (1..kMaxReversePanels) and "preset" combo offering `presets`; ImGui ids are
// "##<id_prefix>panels" and "##<id_prefix>preset". conditional_model: apply_reverse_preset's.
void draw_panel_count_and_presets(SamplingSettings& r, diffusion::ScheduleKind family_a,
                                  const std::vector<ReversePreset>& presets, const std::string& id_prefix,
                                  float label_width, bool conditional_model = true);
// A tab per extra panel (#2..#n); the open one's settings are drawn by draw_panel under the ImGui
// id id_base + its index. edited_panel: the open tab, kept between frames.
void draw_extra_panel_tabs(SamplingSettings& r, int& edited_panel, const char* tab_bar_id, int id_base,
                           const std::function<void(ReversePanelSettings&)>& draw_panel);

}  // namespace diffuscope::gui
