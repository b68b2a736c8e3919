#include "gui/views/reverse/reverse_controls.hpp"

#include <imgui.h>

#include <algorithm>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "diffusion/schedule.hpp"
#include "gui/state/choice_tables.hpp"
#include "gui/state/shown_moment.hpp"
#include "gui/views/common/screen_parts.hpp"
#include "gui/views/reverse/guidance_controls.hpp"
#include "gui/views/reverse/sampler_controls.hpp"
#include "gui/widgets/ui_helpers.hpp"

namespace diffuscope::gui {

namespace {

// The learned model's prediction target: the dataset's current model, or the one trained to
// predict ε, x₀ or v (shipped for moons, swiss_roll and 8gaussians).
const char* model_choice_label(const std::optional<diffusion::PredictionTarget>& target) {
  return target ? label_of(*target) : "current";
}

void draw_model_choice(ReversePanelSettings& s, float label_width) {
  row_label("predicts", label_width);
  if (ImGui::BeginCombo("##model_target", model_choice_label(s.model_target))) {
    std::vector<std::optional<diffusion::PredictionTarget>> choices = {std::nullopt};
    for (const auto target : diffusion::all_prediction_targets()) choices.emplace_back(target);
    for (const auto& choice : choices)
      if (ImGui::Selectable(model_choice_label(choice), choice == s.model_target)) s.model_target = choice;
    ImGui::EndCombo();
  }
  item_tooltip("What the learned network predicts: the current model of the dataset (shipped: v; or the one "
               "trained here), or the model trained to predict ε, x₀ or v; x̂₀ and ε̂ follow from it "
               "(the equation panel shows how)");
}

// σ choice, its η or v, K, denoiser, clipping to the dataset's range (and the family for extra
// panels). Returns nothing: edits in place.
void draw_sampler_controls(ReversePanelSettings& s, int T, float label_width, bool with_family, ClipRange clip,
                           const GuidanceChoices& guidance) {
  draw_process_choice(s, label_width);
  draw_sigma_and_steps(s, T, label_width,
                       "K: sampling steps, K of the T timesteps (effective β = 1 − ᾱ_t / ᾱ_prev)");
  row_label("denoiser", label_width);
  if (ImGui::BeginCombo("##denoiser", label_of(s.denoiser))) {
    for (const auto& kind : choices<DenoiserKind>()) {
      if (ImGui::Selectable(kind.label, kind.value == s.denoiser)) s.denoiser = kind.value;
      item_tooltip(kind.tooltip);
    }
    ImGui::EndCombo();
  }
  item_tooltip(tooltip_of(s.denoiser));
  // A flow panel's learned model is the dataset's velocity model, and it clips nothing.
  const bool flow = s.process == diffusion::ProcessFamily::Flow;
  // A guided panel's model is the dataset's conditional one, whatever it predicts.
  if (s.denoiser == DenoiserKind::Model && !flow && s.class_id == diffusion::kNullClass) draw_model_choice(s, label_width);
  if (!flow) draw_clip_control(s, clip);
  if (!flow) draw_guidance_controls(s, guidance, label_width);  // no conditional flow model
  if (with_family) draw_panel_family(s, label_width);
}

}  // namespace

void ReverseControls::draw_controls(AppState& state, ScheduleControls& schedule_controls,
                                 const renderer::Palette& palette) {
  const float font = ImGui::GetFontSize();
  const float label_width = ImGui::CalcTextSize("denoiser").x + 0.8f * font;
  ReverseState& r = state.reverse;
  const int T = state.a.schedule()->T();

  // With several panels the section is panel #1's (the others are edited in the right column).
  if (section(r.panel_count > 1 ? "Sampler: panel #1###sampler" : "Sampler###sampler", true, state.scene_title)) {
    row_label("data", label_width);
    dataset_combo(state, "Your own points (Forward view, Draw your data, or a CSV dropped on the window)");
    item_tooltip("data: the 2D dataset the samplers and the denoiser work on");
    if (state.use_drawing) {
      colored_wrapped_text(ImGui::GetColorU32(ImGuiCol_TextDisabled),
                           "the drawing (" + std::to_string(state.drawing.size()) +
                               " points): Model panels use its model once trained (Train a model, below)");
      item_tooltip("Exact panels use E[x_0 | x_t] over the drawn points. Model panels use the network trained "
                   "here on this drawing; before one is trained, or after the drawing is edited, they show the "
                   "exact denoiser too, and the line under the clouds says so");
    }

    ImGui::PushID("panel0");
    draw_sampler_controls(r.panels[0], T, label_width, false, data_clip_range(state.dataset), guidance_choices(state));
    ImGui::PopID();

    draw_spacing_and_visited(r, T, state.t, "##spacing", label_width, palette);
  }

  // The reverse scenes are about samplers: the schedule (shared by every panel) starts closed.
  if (section(r.panel_count > 1 ? "Schedule (all panels)###schedule" : "Schedule###schedule", false,
              state.scene_title)) {
    schedule_controls.draw_schedule_controls(state.a, "A", palette, label_width);
  }
}

void ReverseControls::draw_compare(AppState& state, const renderer::Palette& palette) {
  const float font = ImGui::GetFontSize();
  const float label_width = ImGui::CalcTextSize("denoiser").x + 0.8f * font;
  ReverseState& r = state.reverse;
  const diffusion::ScheduleKind family_a = state.a.params.kind;

  // "Compare samplers", or "Compare" where the column is too narrow for it.
  const bool long_title = ImGui::CalcTextSize("Compare samplers").x + 2.0f * ImGui::GetFrameHeight() <=
                          ImGui::GetContentRegionAvail().x;
  if (!section(long_title ? "Compare samplers###compare" : "Compare###compare", true, state.scene_title)) return;
  draw_panel_count_and_presets(r, family_a, values_of<ReversePreset>(), "", label_width,
                               !state.use_drawing && has_conditional_model(state.dataset));
  if (r.panel_count < 2) return;

  (void)palette;
  const int T = state.a.schedule()->T();
  const GuidanceChoices guidance = guidance_choices(state);
  const ClipRange clip = data_clip_range(state.dataset);
  draw_extra_panel_tabs(r, edited_panel_, "##panel_tabs", 0, [&](ReversePanelSettings& panel) {
    draw_sampler_controls(panel, T, label_width, true, clip, guidance);
  });
}

}  // namespace diffuscope::gui
