#include "gui/reverse_panel.hpp"

#include <imgui.h>

#include <algorithm>
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "gui/sampler_controls.hpp"
#include "gui/ui_helpers.hpp"

namespace diffuscope::gui {

namespace {

const char* denoiser_tooltip(DenoiserKind kind) {
  return kind == DenoiserKind::Exact ? "exact: the exact E[x_0 | x_t] over the training points; it memorises them"
                                     : "learned: this dataset's trained network (shipped, or trained here)";
}

// The learned model's prediction target: the dataset's current model, or the one trained to
// predict ε, x₀ or v (shipped for moons, swiss_roll and 8gaussians).
std::string model_choice_label(const std::optional<diffusion::PredictionTarget>& target) {
  return target ? std::string(diffusion::target_symbol(*target)) + "-model" : std::string("current");
}

void draw_model_choice(ReversePanelSettings& s, float label_width) {
  row_label("predicts", label_width);
  if (ImGui::BeginCombo("##model_target", model_choice_label(s.model_target).c_str())) {
    std::vector<std::optional<diffusion::PredictionTarget>> choices = {std::nullopt};
    for (const auto target : diffusion::all_prediction_targets()) choices.emplace_back(target);
    for (const auto& choice : choices)
      if (ImGui::Selectable(model_choice_label(choice).c_str(), choice == s.model_target)) s.model_target = choice;
    ImGui::EndCombo();
  }
  item_tooltip("What the learned network predicts: the current model of the dataset (shipped: v; or the one "
               "trained here), or the model trained to predict ε, x₀ or v; x̂₀ and ε̂ follow from it "
               "(the equation panel shows how)");
}

// σ choice, its η or v, K, denoiser, clipping to the dataset's range (and the family for extra
// panels). Returns nothing: edits in place.
void draw_sampler_controls(ReversePanelSettings& s, int T, float label_width, bool with_family, ClipRange clip) {
  draw_sigma_and_steps(s, T, label_width,
                       "K: sampling steps, K of the T timesteps (effective β = 1 − ᾱ_t / ᾱ_prev)");
  row_label("denoiser", label_width);
  if (ImGui::BeginCombo("##denoiser", denoiser_label(s.denoiser))) {
    for (DenoiserKind kind : {DenoiserKind::Model, DenoiserKind::Exact}) {
      if (ImGui::Selectable(denoiser_label(kind), kind == s.denoiser)) s.denoiser = kind;
      item_tooltip(denoiser_tooltip(kind));
    }
    ImGui::EndCombo();
  }
  item_tooltip(denoiser_tooltip(s.denoiser));
  if (s.denoiser == DenoiserKind::Model) draw_model_choice(s, label_width);
  draw_clip_control(s, clip);
  if (with_family) draw_panel_family(s, label_width);
}

}  // namespace

void draw_visited_strip(const std::vector<int>& visited, int T, int cursor_t, float height,
                        const renderer::Palette& palette) {
  const float width = std::max(1.0f, ImGui::GetContentRegionAvail().x);
  const ImVec2 p0 = ImGui::GetCursorScreenPos();
  ImGui::Dummy(ImVec2(width, height));
  ImDrawList* dl = ImGui::GetWindowDrawList();
  const ImVec2 p1(p0.x + width, p0.y + height);
  dl->AddRectFilled(p0, p1, palette.plot_background);
  const float thickness = std::max(1.0f, ImGui::GetFontSize() / 18.0f);
  if (T > 0) {
    for (int t : visited) {
      const float x = p0.x + (width - 1.0f) * static_cast<float>(t) / static_cast<float>(T);
      dl->AddLine(ImVec2(x, p0.y), ImVec2(x, p1.y), palette.schedule_a, thickness);
    }
    const float cx = p0.x + (width - 1.0f) * static_cast<float>(std::clamp(cursor_t, 0, T)) / static_cast<float>(T);
    dl->AddLine(ImVec2(cx, p0.y - 2.0f), ImVec2(cx, p1.y + 2.0f), palette.cursor, 2.0f * thickness);
  }
  dl->AddRect(p0, p1, ImGui::GetColorU32(ImGuiCol_Border));
}

void ReversePanel::draw_controls(AppState& state, SchedulePanel& schedule_panel,
                                 const renderer::Palette& palette) {
  const float font = ImGui::GetFontSize();
  const float label_width = ImGui::CalcTextSize("denoiser").x + 0.8f * font;
  ReverseState& r = state.reverse;
  const int T = state.a.schedule()->T();

  row_label("data", label_width);
  if (ImGui::BeginCombo("##dataset", dataset_label(state.dataset).c_str())) {
    for (diffusion::Dataset2DKind kind : diffusion::all_dataset2d_kinds()) {
      if (ImGui::Selectable(dataset_label(kind).c_str(), kind == state.dataset)) state.dataset = kind;
    }
    ImGui::EndCombo();
  }
  item_tooltip("data: the 2D dataset the samplers and the denoiser work on");
  if (r.panel_count > 1) {
    ImGui::PushStyleColor(ImGuiCol_Text, palette.schedule_a);
    ImGui::TextUnformatted("Panel #1");
    ImGui::PopStyleColor();
  }
  ImGui::PushID("panel0");
  draw_sampler_controls(r.panels[0], T, label_width, false, data_clip_range(state.dataset));
  ImGui::PopID();

  row_label("spacing", label_width);
  if (ImGui::BeginCombo("##spacing", spacing_label(r.spacing))) {
    for (diffusion::Spacing s : {diffusion::Spacing::Leading, diffusion::Spacing::Trailing, diffusion::Spacing::Linspace}) {
      if (ImGui::Selectable(spacing_label(s), s == r.spacing)) r.spacing = s;
      item_tooltip(spacing_tooltip(s));
    }
    ImGui::EndCombo();
  }
  item_tooltip(spacing_tooltip(r.spacing));

  std::string error;
  const std::vector<int> visited = visited_timesteps(T, r.panels[0].steps, r.spacing, &error);
  draw_visited_strip(visited, T, state.t, 0.7f * font, palette);
  item_tooltip("Timesteps the sampler visits (one tick each) over t = 0 … T; red: the cursor");
  if (!error.empty()) colored_wrapped_text(palette.error_text, error);

  ImGui::Separator();
  ImGui::TextUnformatted(r.panel_count > 1 ? "Schedule (all panels)" : "Schedule");
  schedule_panel.draw_schedule_controls(state.a, "A", palette, label_width);
}

void ReversePanel::draw_compare(AppState& state, const renderer::Palette& palette) {
  const float font = ImGui::GetFontSize();
  const float label_width = ImGui::CalcTextSize("denoiser").x + 0.8f * font;
  ReverseState& r = state.reverse;
  const diffusion::ScheduleKind family_a = state.a.params.kind;

  row_label("panels", label_width);
  int count = r.panel_count;
  if (ImGui::SliderInt("##panels", &count, 1, kMaxReversePanels, "%d", ImGuiSliderFlags_AlwaysClamp)) {
    set_panel_count(r, count, family_a);
  }
  item_tooltip("panels: samplers side by side, all sharing x_T and every z");
  row_label("preset", label_width);
  if (ImGui::BeginCombo("##preset", "choose…")) {
    for (ReversePreset preset : all_reverse_presets()) {
      if (ImGui::Selectable(reverse_preset_label(preset))) apply_reverse_preset(r, preset, family_a);
      item_tooltip(reverse_preset_tooltip(preset));
    }
    ImGui::EndCombo();
  }
  item_tooltip("preset: fill the panels with a ready-made comparison");
  if (r.panel_count < 2) return;

  (void)palette;
  ImGui::TextDisabled("All panels share x_T and z.");
  edited_panel_ = std::clamp(edited_panel_, 1, r.panel_count - 1);
  if (ImGui::BeginTabBar("##panel_tabs")) {
    for (int i = 1; i < r.panel_count; ++i) {
      char name[32];
      std::snprintf(name, sizeof name, "#%d", i + 1);
      const bool open = ImGui::BeginTabItem(name);
      item_tooltip("Edit this panel's sampler (it shares x_T and z with panel #1)");
      if (open) {
        edited_panel_ = i;
        ImGui::PushID(i);
        draw_sampler_controls(r.panels[static_cast<std::size_t>(i)], state.a.schedule()->T(), label_width, true,
                              data_clip_range(state.dataset));
        ImGui::PopID();
        ImGui::EndTabItem();
      }
    }
    ImGui::EndTabBar();
  }
}

}  // namespace diffuscope::gui
