#include "gui/reverse_panel.hpp"

#include <imgui.h>

#include <algorithm>
#include <cstdio>
#include <string>

#include "gui/ui_helpers.hpp"

namespace diffuscope::gui {

namespace {

const char* sigma_tooltip(diffusion::SigmaKind kind) {
  switch (kind) {
    case diffusion::SigmaKind::Small:
      return "σ_t² = β̃_t = (1 − ᾱ_{t−1}) / (1 − ᾱ_t) · β_t: the variance of the true posterior "
             "q(x_{t−1} | x_t, x_0) (Ho et al. 2020).";
    case diffusion::SigmaKind::Large:
      return "σ_t² = β_t: the larger choice (Ho et al. 2020); optimal when x_0 is pure noise.";
    case diffusion::SigmaKind::Interpolated:
      return "log σ_t² = v · log β_t + (1 − v) · log β̃_t, v fixed here (Nichol & Dhariwal 2021 "
             "learn v).";
    case diffusion::SigmaKind::DDIM:
      return "DDIM (Song et al. 2021): x_{t−1} = √ᾱ_{t−1} x̂_0 + √(1 − ᾱ_{t−1} − σ_t²) ε̂ + σ_t z, "
             "σ_t = η √((1 − ᾱ_{t−1}) / (1 − ᾱ_t)) √(1 − ᾱ_t / ᾱ_{t−1}). η = 0: deterministic; "
             "η = 1 with every step: DDPM with β̃.";
  }
  return "";
}

constexpr const char* kDenoiserTooltip =
    "learned: the trained ε-network of this dataset (the shipped checkpoint, or the one "
    "trained here with Train).\nexact: the exact denoiser E[x_0 | x_t] computed over the training points. "
    "It memorises them: its samples land on training points.";

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
    case diffusion::Spacing::Leading: return "t = 1, 1 + T/K, 1 + 2T/K, …: never visits t = T.";
    case diffusion::Spacing::Trailing: return "t = T, T − T/K, …: always starts at pure noise t = T.";
    case diffusion::Spacing::Linspace: return "K evenly spaced timesteps from t = 1 to t = T.";
  }
  return "";
}

// σ choice, its η or v, K, denoiser (and the family for extra panels). Returns nothing: edits in place.
void draw_sampler_controls(ReversePanelSettings& s, int T, float label_width, bool with_family) {
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
    item_tooltip("DDIM's η: 0 = deterministic (no z), 1 = as much noise as DDPM with β̃.");
  } else if (s.sampler.sigma == diffusion::SigmaKind::Interpolated) {
    row_label("v", label_width);
    float v = static_cast<float>(s.sampler.interpolation);
    if (ImGui::SliderFloat("##v", &v, 0.0f, 1.0f, "v = %.2f", ImGuiSliderFlags_AlwaysClamp)) {
      s.sampler.interpolation = v;
    }
    item_tooltip("0: σ² = β̃, 1: σ² = β, between: geometric interpolation.");
  }
  row_label("K", label_width);
  int K = effective_steps(s.steps, T);
  char format[48];
  std::snprintf(format, sizeof format, "K = %%d of %d", T);
  if (ImGui::SliderInt("##K", &K, 1, std::max(1, T), format,
                       ImGuiSliderFlags_Logarithmic | ImGuiSliderFlags_AlwaysClamp)) {
    s.steps = K >= T ? 0 : K;
  }
  item_tooltip("Sampling steps K (logarithmic): the sampler visits K of the T timesteps, with the "
               "effective β between visited steps 1 − ᾱ_t / ᾱ_prev.");
  row_label("denoiser", label_width);
  if (ImGui::BeginCombo("##denoiser", denoiser_label(s.denoiser))) {
    for (DenoiserKind kind : {DenoiserKind::Model, DenoiserKind::Exact}) {
      if (ImGui::Selectable(denoiser_label(kind), kind == s.denoiser)) s.denoiser = kind;
      item_tooltip(kDenoiserTooltip);
    }
    ImGui::EndCombo();
  }
  item_tooltip(kDenoiserTooltip);
  if (with_family) {
    row_label("family", label_width);
    if (ImGui::BeginCombo("##family", schedule_kind_label(s.family))) {
      for (diffusion::ScheduleKind kind : diffusion::all_schedule_kinds()) {
        if (ImGui::Selectable(schedule_kind_label(kind), kind == s.family)) s.family = kind;
      }
      ImGui::EndCombo();
    }
    item_tooltip("This panel's schedule family; T and the other parameters are schedule A's.");
  }
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
  if (r.panel_count > 1) {
    ImGui::PushStyleColor(ImGuiCol_Text, palette.schedule_a);
    ImGui::TextUnformatted("Panel #1");
    ImGui::PopStyleColor();
  }
  ImGui::PushID("panel0");
  draw_sampler_controls(r.panels[0], T, label_width, false);
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
  item_tooltip("Timesteps the sampler visits (one tick each) over t = 0 … T; red: the cursor.");
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
  item_tooltip("Compare up to four samplers side by side. All panels start from the same x_T and "
               "draw the same z at every step (common random numbers): only what you change differs.");
  row_label("preset", label_width);
  if (ImGui::BeginCombo("##preset", "choose…")) {
    for (ReversePreset preset : all_reverse_presets()) {
      if (ImGui::Selectable(reverse_preset_label(preset))) apply_reverse_preset(r, preset, family_a);
      item_tooltip(reverse_preset_tooltip(preset));
    }
    ImGui::EndCombo();
  }
  if (r.panel_count < 2) return;

  (void)palette;
  ImGui::TextDisabled("All panels share x_T and z.");
  edited_panel_ = std::clamp(edited_panel_, 1, r.panel_count - 1);
  if (ImGui::BeginTabBar("##panel_tabs")) {
    for (int i = 1; i < r.panel_count; ++i) {
      char name[32];
      std::snprintf(name, sizeof name, "#%d", i + 1);
      if (ImGui::BeginTabItem(name)) {
        edited_panel_ = i;
        ImGui::PushID(i);
        draw_sampler_controls(r.panels[static_cast<std::size_t>(i)], state.a.schedule()->T(), label_width, true);
        ImGui::PopID();
        ImGui::EndTabItem();
      }
    }
    ImGui::EndTabBar();
  }
}

}  // namespace diffuscope::gui
