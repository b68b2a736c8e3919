// The sampler controls shared by the Reverse and Images views (sampler_controls.hpp).
#include "gui/sampler_controls.hpp"

#include <imgui.h>

#include <algorithm>
#include <cstdio>
#include <string>

#include "gui/schedule_panel.hpp"
#include "gui/ui_helpers.hpp"

namespace diffuscope::gui {

const char* sigma_tooltip(diffusion::SigmaKind kind) {
  switch (kind) {
    case diffusion::SigmaKind::Small:
      return "σ_t² = β̃_t: the variance of the true posterior q(x_{t−1} | x_t, x_0)";
    case diffusion::SigmaKind::Large:
      return "σ_t² = β_t: the larger choice (Ho et al. 2020), optimal when x_0 is pure noise";
    case diffusion::SigmaKind::Interpolated:
      return "log σ_t² = v · log β_t + (1 − v) · log β̃_t (Nichol & Dhariwal 2021)";
    case diffusion::SigmaKind::DDIM:
      // σ_t = η √((1 − ᾱ_{t−1}) / (1 − ᾱ_t)) √(1 − ᾱ_t / ᾱ_{t−1}) is η √β̃_t with the effective β.
      return "DDIM (Song et al. 2021): σ_t = η · √β̃_t; η = 0 is deterministic";
  }
  return "";
}

const char* spacing_label(diffusion::Spacing spacing) {
  switch (spacing) {
    case diffusion::Spacing::Leading: return "leading";
    case diffusion::Spacing::Trailing: return "trailing";
    case diffusion::Spacing::Linspace: return "linspace";
  }
  return "?";
}

const char* spacing_tooltip(diffusion::Spacing spacing) {
  switch (spacing) {
    case diffusion::Spacing::Leading: return "leading: t = 1, 1 + T/K, 1 + 2T/K, …; never visits t = T";
    case diffusion::Spacing::Trailing: return "trailing: t = T, T − T/K, …; always starts at pure noise t = T";
    case diffusion::Spacing::Linspace: return "linspace: K evenly spaced timesteps from t = 1 to t = T";
  }
  return "";
}

void draw_sigma_and_steps(ReversePanelSettings& s, int T, float label_width, const char* steps_tooltip) {
  row_label("sampler", label_width);
  if (ImGui::BeginCombo("##sigma", sigma_label(s.sampler.sigma))) {
    for (diffusion::SigmaKind kind : {diffusion::SigmaKind::Small, diffusion::SigmaKind::Large,
                                      diffusion::SigmaKind::Interpolated, diffusion::SigmaKind::DDIM}) {
      if (ImGui::Selectable(sigma_label(kind), kind == s.sampler.sigma)) s.sampler.sigma = kind;
      item_tooltip(sigma_tooltip(kind));
    }
    ImGui::EndCombo();
  }
  item_tooltip(sigma_tooltip(s.sampler.sigma));
  if (s.sampler.sigma == diffusion::SigmaKind::DDIM) {
    row_label("η", label_width);
    float eta = static_cast<float>(s.sampler.eta);
    if (ImGui::SliderFloat("##eta", &eta, 0.0f, 1.0f, "η = %.2f", ImGuiSliderFlags_AlwaysClamp)) s.sampler.eta = eta;
    item_tooltip("η: DDIM's noise scale, σ_t = η · √β̃_t (0: deterministic, 1: DDPM with β̃)");
  } else if (s.sampler.sigma == diffusion::SigmaKind::Interpolated) {
    row_label("v", label_width);
    float v = static_cast<float>(s.sampler.interpolation);
    if (ImGui::SliderFloat("##v", &v, 0.0f, 1.0f, "v = %.2f", ImGuiSliderFlags_AlwaysClamp)) {
      s.sampler.interpolation = v;
    }
    item_tooltip("v: the weight of log β_t against log β̃_t in log σ_t² (0: β̃, 1: β)");
  }
  row_label("K", label_width);
  int K = effective_steps(s.steps, T);
  char format[48];
  std::snprintf(format, sizeof format, "K = %%d of %d", T);
  if (ImGui::SliderInt("##K", &K, 1, std::max(1, T), format,
                       ImGuiSliderFlags_Logarithmic | ImGuiSliderFlags_AlwaysClamp)) {
    s.steps = K >= T ? 0 : K;
  }
  item_tooltip(steps_tooltip);
}

void draw_clip_control(ReversePanelSettings& s, ClipRange range) {
  const std::string label = "clip x̂_0 to " + clip_range_text(range.min, range.max);
  ImGui::Checkbox(label.c_str(), &s.sampler.clip_x0);
  item_tooltip("Clamp the prediction x̂_0 to the data range at every step, before the step is taken "
               "(ε̂ is re-derived from the clamped x̂_0). `diffuscope sample --data` clips images "
               "by default; without it a few-step DDIM η = 0 run can blow out to white.");
}

void draw_panel_family(ReversePanelSettings& s, float label_width) {
  row_label("family", label_width);
  if (ImGui::BeginCombo("##family", schedule_kind_label(s.family))) {
    for (diffusion::ScheduleKind kind : diffusion::all_schedule_kinds()) {
      if (ImGui::Selectable(schedule_kind_label(kind), kind == s.family)) s.family = kind;
    }
    ImGui::EndCombo();
  }
  item_tooltip("This panel's schedule family; T and the other parameters are schedule A's");
}

}  // namespace diffuscope::gui
