#include "gui/views/images/images_controls.hpp"

#include <imgui.h>

#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "diffusion/schedule.hpp"
#include "gui/views/reverse/reverse_controls.hpp"
#include "gui/state/shown_moment.hpp"
#include "gui/views/reverse/sampler_controls.hpp"
#include "gui/widgets/ui_helpers.hpp"

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

void ImagesControls::draw_controls(AppState& state, ScheduleControls& schedule_controls, const renderer::Palette& palette) {
  const float font = ImGui::GetFontSize();
  const float label_width = ImGui::CalcTextSize("sampler").x + 0.8f * font;
  ImagesState& im = state.images;
  SamplingSettings& r = im.sampling;
  const int T = state.a.schedule()->T();

  // With several panels the section is panel #1's (the others are edited in the right column).
  if (section(r.panel_count > 1 ? "Sampler: panel #1###sampler" : "Sampler###sampler", true, state.scene_title)) {

    ImGui::PushID("images_panel0");
    draw_sampler_controls(r.panels[0], T, label_width, false);
    ImGui::PopID();

    draw_spacing_and_visited(r, T, state.t, "##images_spacing", label_width, palette);

    row_label("images", label_width);
    int count = im.image_count;
    if (value_slider_int("##image_count", &count, kMinImageCount, kMaxImageCount, "%d",
                         ImGuiSliderFlags_AlwaysClamp)) {
      im.image_count = count;
      im.selected = std::min(im.selected, count - 1);
    }
    item_tooltip("images: samples per grid, all drawn from x_T ~ N(0, I) with a fixed seed");
    row_label("x_T", label_width);
    char seed_text[48];
    std::snprintf(seed_text, sizeof seed_text, "new x_T (seed %llu)", static_cast<unsigned long long>(r.seed));
    // A narrow column drops the seed (the tooltip keeps it) rather than cut the label.
    const std::string button = first_fitting({seed_text, "new x_T"},
                                             ImGui::GetContentRegionAvail().x - 2.0f * ImGui::GetStyle().FramePadding.x, 1.0f);
    if (ImGui::Button((button + "###new_x_T").c_str(), ImVec2(-1.0f, 0.0f))) ++r.seed;
    item_tooltip((std::string("Draw a new x_T and new z (all panels still share them); now: ") + seed_text).c_str());
  }

  // The Images scene is about sampling: the schedule (shared by every panel) starts closed.
  if (section(r.panel_count > 1 ? "Schedule (all panels)###schedule" : "Schedule###schedule", false,
              state.scene_title)) {
    schedule_controls.draw_schedule_controls(state.a, "A", palette, label_width);
  }
}

void ImagesControls::draw_compare(AppState& state, const renderer::Palette& palette) {
  const float font = ImGui::GetFontSize();
  const float label_width = ImGui::CalcTextSize("sampler").x + 0.8f * font;
  SamplingSettings& r = state.images.sampling;
  const diffusion::ScheduleKind family_a = state.a.params.kind;

  // "Compare samplers", or "Compare" where the column is too narrow for it.
  const bool long_title = ImGui::CalcTextSize("Compare samplers").x + 2.0f * ImGui::GetFrameHeight() <=
                          ImGui::GetContentRegionAvail().x;
  if (!section(long_title ? "Compare samplers###compare" : "Compare###compare", true, state.scene_title)) return;
  // The image model learns ε only, and exact denoising of images is not offered: σ and K presets.
  draw_panel_count_and_presets(r, family_a, {ReversePreset::SigmaComparison, ReversePreset::StepsComparison},
                               "image_", label_width);
  (void)palette;
  if (r.panel_count < 2) return;
  const int T = state.a.schedule()->T();
  draw_extra_panel_tabs(r, edited_panel_, "##image_panel_tabs", 100, [&](ReversePanelSettings& panel) {
    draw_sampler_controls(panel, T, label_width, true);
  });
}

}  // namespace diffuscope::gui
