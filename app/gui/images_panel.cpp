#include "gui/images_panel.hpp"

#include <imgui.h>

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "gui/reverse_panel.hpp"
#include "gui/sampler_controls.hpp"
#include "gui/ui_helpers.hpp"

namespace diffuscope::gui {

namespace {

// σ choice, its η or v, K, clipping to [-1, 1] (and the family for extra panels): the 2D view's
// controls without the denoiser (the Images view always samples with the image model).
void draw_sampler_controls(ReversePanelSettings& s, int T, float label_width, bool with_family) {
  draw_sigma_and_steps(s, T, label_width,
                       "K: sampling steps; each is one U-Net pass over every image (slow on a CPU)");
  draw_clip_control(s, kImageClipRange);
  if (with_family) draw_panel_family(s, label_width);
}

}  // namespace

std::string draw_device_selector(const DeviceStatus& status, float label_width) {
  std::string request;
  row_label("device", label_width);
  const std::string preview = status.description.empty() ? std::string("starting …") : status.description;
  if (ImGui::BeginCombo("##device", preview.c_str())) {
    const struct {
      const char* name;
      const char* label;
    } choices[] = {{"auto", "auto (CUDA if present)"}, {"cpu", "CPU"}, {"cuda", "CUDA"}};
    for (const auto& c : choices) {
      const bool is_cuda = std::string(c.name) == "cuda";
      const bool disabled = is_cuda && !status.cuda_available;
      const ImGuiSelectableFlags flags = disabled ? ImGuiSelectableFlags_Disabled : 0;
      if (ImGui::Selectable(c.label, status.request == c.name, flags)) request = c.name;
      if (disabled && ImGui::IsItemHovered(ImGuiHoveredFlags_AllowWhenDisabled)) {
        ImGui::SetTooltip("%s", status.cuda_unavailable_reason.c_str());
      }
    }
    ImGui::EndCombo();
  }
  // Why CUDA is unavailable is the disabled CUDA entry's own tooltip.
  const std::string tip = "device: where the worker's tensors live (now: " + preview + ")";
  item_tooltip(tip.c_str());
  return request == status.request ? std::string() : request;
}

void ImagesPanel::draw_controls(AppState& state, SchedulePanel& schedule_panel, const renderer::Palette& palette) {
  const float font = ImGui::GetFontSize();
  const float label_width = ImGui::CalcTextSize("sampler").x + 0.8f * font;
  ImagesState& im = state.images;
  ReverseState& r = im.sampling;
  const int T = state.a.schedule()->T();

  if (r.panel_count > 1) {
    ImGui::PushStyleColor(ImGuiCol_Text, palette.schedule_a);
    ImGui::TextUnformatted("Panel #1");
    ImGui::PopStyleColor();
  }
  ImGui::PushID("images_panel0");
  draw_sampler_controls(r.panels[0], T, label_width, false);
  ImGui::PopID();

  row_label("spacing", label_width);
  if (ImGui::BeginCombo("##images_spacing", spacing_label(r.spacing))) {
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

  row_label("images", label_width);
  int count = im.image_count;
  if (ImGui::SliderInt("##image_count", &count, kMinImageCount, kMaxImageCount, "%d images",
                       ImGuiSliderFlags_AlwaysClamp)) {
    im.image_count = count;
    im.selected = std::min(im.selected, count - 1);
  }
  item_tooltip("images: samples per grid, all drawn from x_T ~ N(0, I) with a fixed seed");
  row_label("x_T", label_width);
  char seed_text[48];
  std::snprintf(seed_text, sizeof seed_text, "new x_T (seed %llu)", static_cast<unsigned long long>(r.seed));
  if (ImGui::Button(seed_text, ImVec2(-1.0f, 0.0f))) ++r.seed;
  item_tooltip("Draw a new x_T and new z (all panels still share them)");

  ImGui::Separator();
  ImGui::TextUnformatted(r.panel_count > 1 ? "Schedule (all panels)" : "Schedule");
  schedule_panel.draw_schedule_controls(state.a, "A", palette, label_width);
}

void ImagesPanel::draw_compare(AppState& state, const renderer::Palette& palette) {
  const float font = ImGui::GetFontSize();
  const float label_width = ImGui::CalcTextSize("sampler").x + 0.8f * font;
  ReverseState& r = state.images.sampling;
  const diffusion::ScheduleKind family_a = state.a.params.kind;

  row_label("panels", label_width);
  int count = r.panel_count;
  if (ImGui::SliderInt("##image_panels", &count, 1, kMaxReversePanels, "%d", ImGuiSliderFlags_AlwaysClamp)) {
    set_panel_count(r, count, family_a);
  }
  item_tooltip("panels: samplers side by side, all sharing x_T and every z");
  row_label("preset", label_width);
  if (ImGui::BeginCombo("##image_preset", "choose…")) {
    for (ReversePreset preset : {ReversePreset::SigmaComparison, ReversePreset::StepsComparison}) {
      if (ImGui::Selectable(reverse_preset_label(preset))) apply_reverse_preset(r, preset, family_a);
      item_tooltip(reverse_preset_tooltip(preset));
    }
    ImGui::EndCombo();
  }
  item_tooltip("preset: fill the panels with a ready-made comparison");
  (void)palette;
  if (r.panel_count < 2) return;
  edited_panel_ = std::clamp(edited_panel_, 1, r.panel_count - 1);
  if (ImGui::BeginTabBar("##image_panel_tabs")) {
    for (int i = 1; i < r.panel_count; ++i) {
      char name[32];
      std::snprintf(name, sizeof name, "#%d", i + 1);
      const bool open = ImGui::BeginTabItem(name);
      item_tooltip("Edit this panel's sampler (it shares x_T and z with panel #1)");
      if (open) {
        edited_panel_ = i;
        ImGui::PushID(100 + i);
        draw_sampler_controls(r.panels[static_cast<std::size_t>(i)], state.a.schedule()->T(), label_width, true);
        ImGui::PopID();
        ImGui::EndTabItem();
      }
    }
    ImGui::EndTabBar();
  }
}

}  // namespace diffuscope::gui
