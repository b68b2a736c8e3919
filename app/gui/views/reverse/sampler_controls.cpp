// The sampler controls shared by the Reverse and Images views (sampler_controls.hpp).
#include "gui/views/reverse/sampler_controls.hpp"

#include <imgui.h>

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "gui/state/choice_tables.hpp"
#include "gui/state/flow_sampler_equations.hpp"
#include "gui/widgets/ui_helpers.hpp"

namespace diffuscope::gui {

namespace {

// A thin bar over t = 0..T with a tick per visited timestep and the cursor in red (draws an item
// of the given height across the available width).
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

}  // namespace

void draw_process_choice(ReversePanelSettings& s, float label_width) {
  row_label("process", label_width);
  if (ImGui::BeginCombo("##process", label_of(s.process))) {
    for (const auto& process : choices<diffusion::ProcessFamily>()) {
      if (ImGui::Selectable(process.label, process.value == s.process) && process.value != s.process) {
        s.process = process.value;
        // Flow matching integrates with Euler or Heun only; a diffusion panel starts with its σ choice.
        if (s.process == diffusion::ProcessFamily::Flow && s.ode_solver != diffusion::OdeSolver::Heun)
          s.ode_solver = diffusion::OdeSolver::Euler;
        if (s.process == diffusion::ProcessFamily::Ddpm) s.ode_solver.reset();
      }
      item_tooltip(process.tooltip);
    }
    ImGui::EndCombo();
  }
  item_tooltip(tooltip_of(s.process));
}

namespace {

// A flow panel's solver (Euler or Heun) in place of the σ choice, and why σ and η are gone.
void draw_flow_solver(ReversePanelSettings& s, float label_width) {
  row_label("solver", label_width);
  const diffusion::OdeSolver current = s.ode_solver.value_or(diffusion::OdeSolver::Euler);
  const char* current_label = current == diffusion::OdeSolver::Heun ? "Heun" : "Euler";
  if (ImGui::BeginCombo("##flow_solver", current_label)) {
    if (ImGui::Selectable("Euler", current == diffusion::OdeSolver::Euler)) s.ode_solver = diffusion::OdeSolver::Euler;
    item_tooltip("x_{τ−Δτ} = x_τ − Δτ · v̂(x_τ, τ): 1 network evaluation per step (NFE = K)");
    if (ImGui::Selectable("Heun", current == diffusion::OdeSolver::Heun)) s.ode_solver = diffusion::OdeSolver::Heun;
    item_tooltip("An Euler predictor, then the average of the slopes at both ends: 2 evaluations per step, "
                 "the last step (to τ = 0) plain Euler (NFE = 2K − 1)");
    ImGui::EndCombo();
  }
  item_tooltip("Flow matching integrates dx/dτ = v̂(x, τ) from τ = 1 to 0 with Euler or Heun "
               "(DPM-Solver++ is derived for the diffusion ODE, so it is not offered)");
  ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyleColorVec4(ImGuiCol_TextDisabled));
  ImGui::TextWrapped("σ, η: none (flow sampling is deterministic)");
  ImGui::PopStyleColor();
  item_tooltip("Flow matching draws no z: every sample follows the velocity field from its x_1 = x_T");
}

// A diffusion panel's "sampler" combo (σ choices or the ODE) and its η, v or ODE solver.
void draw_ddpm_sampler(ReversePanelSettings& s, float label_width) {
  row_label("sampler", label_width);
  constexpr const char* kOdeLabel = "ODE";
  constexpr const char* kOdeTooltip =
      "Solve the probability-flow ODE (Song et al. 2021): deterministic, no z; pick the solver below";
  if (ImGui::BeginCombo("##sigma", s.ode_solver ? kOdeLabel : label_of(s.sampler.sigma))) {
    for (const auto& kind : choices<diffusion::SigmaKind>()) {
      if (ImGui::Selectable(kind.label, !s.ode_solver && kind.value == s.sampler.sigma)) {
        s.sampler.sigma = kind.value;
        s.ode_solver.reset();
      }
      item_tooltip(kind.tooltip);
    }
    if (ImGui::Selectable(kOdeLabel, s.ode_solver.has_value()) && !s.ode_solver)
      s.ode_solver = diffusion::OdeSolver::Euler;
    item_tooltip(kOdeTooltip);
    ImGui::EndCombo();
  }
  item_tooltip(s.ode_solver ? kOdeTooltip : tooltip_of(s.sampler.sigma));
  if (s.ode_solver) {
    row_label("solver", label_width);
    if (ImGui::BeginCombo("##ode_solver", label_of(*s.ode_solver))) {
      for (const auto& solver : choices<diffusion::OdeSolver>()) {
        if (ImGui::Selectable(solver.label, solver.value == *s.ode_solver)) s.ode_solver = solver.value;
        item_tooltip(solver.tooltip);
      }
      ImGui::EndCombo();
    }
    item_tooltip(tooltip_of(*s.ode_solver));
  } else if (s.sampler.sigma == diffusion::SigmaKind::DDIM) {
    row_label("η", label_width);
    float eta = static_cast<float>(s.sampler.eta);
    if (value_slider_float("##eta", &eta, 0.0f, 1.0f, "%.2f", ImGuiSliderFlags_AlwaysClamp)) s.sampler.eta = eta;
    item_tooltip("η: DDIM's noise scale, σ_t = η · √β̃_t (0: deterministic, 1: DDPM with β̃)");
  } else if (s.sampler.sigma == diffusion::SigmaKind::Interpolated) {
    row_label("v", label_width);
    float v = static_cast<float>(s.sampler.interpolation);
    if (value_slider_float("##v", &v, 0.0f, 1.0f, "%.2f", ImGuiSliderFlags_AlwaysClamp)) {
      s.sampler.interpolation = v;
    }
    item_tooltip("v: the weight of log β_t against log β̃_t in log σ_t² (0: β̃, 1: β)");
  }
}

}  // namespace

void draw_sigma_and_steps(ReversePanelSettings& s, int T, float label_width, const char* steps_tooltip) {
  if (s.process == diffusion::ProcessFamily::Flow) draw_flow_solver(s, label_width);
  else draw_ddpm_sampler(s, label_width);
  row_label("K", label_width);
  int K = effective_steps(s.steps, T);
  char format[48];
  std::snprintf(format, sizeof format, "%%d/%d", T);
  if (value_slider_int("##K", &K, 1, std::max(1, T), format,
                       ImGuiSliderFlags_Logarithmic | ImGuiSliderFlags_AlwaysClamp)) {
    s.steps = K >= T ? 0 : K;
  }
  item_tooltip(s.process == diffusion::ProcessFamily::Flow
                   ? "K: flow steps τ_k = k/K from τ = 1 to 0 (Δτ = 1/K); state k shows at t = τ_k·T on the timeline"
                   : steps_tooltip);
}

void draw_clip_control(ReversePanelSettings& s, ClipRange range) {
  // A narrow column drops the range (the tooltip has the rule) rather than cut it.
  std::string label = "clip x̂_0 to " + clip_range_text(range.min, range.max) + "###clip_x0";
  const float box_w = ImGui::GetFrameHeight() + ImGui::GetStyle().ItemInnerSpacing.x;
  if (box_w + ImGui::CalcTextSize(label.c_str(), nullptr, true).x > ImGui::GetContentRegionAvail().x) {
    label = "clip x̂_0###clip_x0";
  }
  ImGui::Checkbox(label.c_str(), &s.sampler.clip_x0);
  item_tooltip("Clamp the prediction x̂_0 to the data range at every step, before the step is taken "
               "(ε̂ is re-derived from the clamped x̂_0). `diffuscope sample --data` clips images "
               "by default; without it a few-step DDIM η = 0 run can blow out to white.");
}

void draw_panel_family(ReversePanelSettings& s, float label_width) {
  row_label("family", label_width);
  if (ImGui::BeginCombo("##family", label_of(s.family))) {
    for (const auto& kind : choices<diffusion::ScheduleKind>()) {
      if (ImGui::Selectable(kind.label, kind.value == s.family)) s.family = kind.value;
    }
    ImGui::EndCombo();
  }
  item_tooltip("This panel's schedule family; T and the other parameters are schedule A's");
}

void draw_spacing_and_visited(SamplingSettings& r, int T, int cursor_t, const char* combo_id, float label_width,
                              const renderer::Palette& palette) {
  row_label("spacing", label_width);
  if (ImGui::BeginCombo(combo_id, label_of(r.spacing))) {
    for (const auto& spacing : choices<diffusion::Spacing>()) {
      if (ImGui::Selectable(spacing.label, spacing.value == r.spacing)) r.spacing = spacing.value;
      item_tooltip(spacing.tooltip);
    }
    ImGui::EndCombo();
  }
  item_tooltip(tooltip_of(r.spacing));

  std::string error;
  // A flow panel #1 visits τ_k = k/K, shown at t = τ_k·T whatever the spacing.
  const std::vector<int> visited = r.panels[0].process == diffusion::ProcessFamily::Flow
                                       ? flow_visited_timesteps(effective_steps(r.panels[0].steps, T), T)
                                       : visited_timesteps(T, r.panels[0].steps, r.spacing, &error);
  draw_visited_strip(visited, T, cursor_t, 0.7f * ImGui::GetFontSize(), palette);
  item_tooltip("Timesteps the sampler visits (one tick each) over t = 0 … T; red: the cursor");
  if (!error.empty()) colored_wrapped_text(palette.error_text, error);
}

void draw_panel_count_and_presets(SamplingSettings& r, diffusion::ScheduleKind family_a,
                                  const std::vector<ReversePreset>& presets, const std::string& id_prefix,
                                  float label_width, bool conditional_model) {
  row_label("panels", label_width);
  int count = r.panel_count;
  if (value_slider_int(("##" + id_prefix + "panels").c_str(), &count, 1, kMaxReversePanels, "%d",
                       ImGuiSliderFlags_AlwaysClamp)) {
    set_panel_count(r, count, family_a);
  }
  item_tooltip("panels: samplers side by side, all sharing x_T and every z (edit #2 … in the tabs below)");
  row_label("preset", label_width);
  if (ImGui::BeginCombo(("##" + id_prefix + "preset").c_str(), "choose…")) {
    for (ReversePreset preset : presets) {
      if (ImGui::Selectable(label_of(preset))) apply_reverse_preset(r, preset, family_a, conditional_model);
      item_tooltip(tooltip_of(preset));
    }
    ImGui::EndCombo();
  }
  item_tooltip("preset: fill the panels with a ready-made comparison");
}

void draw_extra_panel_tabs(SamplingSettings& r, int& edited_panel, const char* tab_bar_id, int id_base,
                           const std::function<void(ReversePanelSettings&)>& draw_panel) {
  edited_panel = std::clamp(edited_panel, 1, r.panel_count - 1);
  if (!ImGui::BeginTabBar(tab_bar_id)) return;
  for (int i = 1; i < r.panel_count; ++i) {
    char name[32];
    std::snprintf(name, sizeof name, "#%d", i + 1);
    const bool open = ImGui::BeginTabItem(name);
    item_tooltip("Edit this panel's sampler (it shares x_T and z with panel #1)");
    if (open) {
      edited_panel = i;
      ImGui::PushID(id_base + i);
      draw_panel(r.panels[static_cast<std::size_t>(i)]);
      ImGui::PopID();
      ImGui::EndTabItem();
    }
  }
  ImGui::EndTabBar();
}

}  // namespace diffuscope::gui
