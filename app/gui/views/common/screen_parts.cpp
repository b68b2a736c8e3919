#include "gui/views/common/screen_parts.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "diffusion/datasets2d.hpp"
#include "gui/state/choice_tables.hpp"
#include "gui/views/images/images_controls.hpp"
#include "gui/views/common/timeline_panel.hpp"
#include "gui/widgets/ui_helpers.hpp"
#include "gui/protocol/worker.hpp"

namespace diffuscope::gui {

bool begin_panel(const char* name, const PanelRect& r, ImGuiWindowFlags flags) {
  if (r.w < 1.0f || r.h < 1.0f) {
    ImGui::SetNextWindowPos(ImVec2(-100000.0f, -100000.0f));
    ImGui::SetNextWindowSize(ImVec2(1.0f, 1.0f));
    ImGui::Begin(name, nullptr, flags | ImGuiWindowFlags_NoInputs | ImGuiWindowFlags_NoBackground);
    return false;
  }
  ImGui::SetNextWindowPos(ImVec2(r.x, r.y));
  ImGui::SetNextWindowSize(ImVec2(r.w, r.h));
  return ImGui::Begin(name, nullptr, flags);
}

void dataset_combo(AppState& state, const char* drawn_tooltip) {
  if (ImGui::BeginCombo("##dataset", state.use_drawing ? diffusion::kDrawnDatasetName.data() : label_of(state.dataset))) {
    for (const auto& kind : choices<diffusion::Dataset2DKind>()) {
      if (ImGui::Selectable(kind.label, !state.use_drawing && kind.value == state.dataset)) {
        state.dataset = kind.value;
        state.use_drawing = false;
        state.draw_mode = false;
      }
    }
    if (ImGui::Selectable(diffusion::kDrawnDatasetName.data(), state.use_drawing)) state.use_drawing = true;
    item_tooltip(drawn_tooltip);
    ImGui::EndCombo();
  }
}

void draw_view_switch(AppState& state) {
  const ImGuiStyle& style = ImGui::GetStyle();
  const float w = std::floor((ImGui::GetContentRegionAvail().x - 2.0f * style.ItemSpacing.x) / 3.0f);
  const struct {
    AppView view;
    const char* label;
    const char* tooltip;
  } views[] = {{AppView::Forward, "Forward", "The forward process: schedules, x_t of points and images."},
               {AppView::Reverse, "Reverse", "The reverse process: denoising N(0, I) into data with the "
                                             "trained network or the exact denoiser; sampler comparisons; training."},
               {AppView::Images, "Images", "The reverse process on images: Fashion-MNIST samples of the learned U-Net "
                                           "denoising from x_T; the selected sample's x̂_0 and ε̂; sampler comparisons."}};
  // On a narrow window at a large UI scale the three labels would be cut ("Forwar"): shrink their
  // font just enough that the widest one fits its button.
  float widest = 0.0f;
  for (const auto& v : views) widest = std::max(widest, ImGui::CalcTextSize(v.label).x);
  const float needed = widest + 2.0f * style.FramePadding.x;
  const float font_scale = needed > w ? std::max(0.6f, w / needed) : 1.0f;
  ImGui::SetWindowFontScale(font_scale);
  for (int i = 0; i < 3; ++i) {
    if (i > 0) ImGui::SameLine();
    const bool shown = state.view == views[i].view;
    if (shown) ImGui::PushStyleColor(ImGuiCol_Button, ImGui::GetColorU32(ImGuiCol_ButtonActive));
    if (ImGui::Button(views[i].label, ImVec2(w, 0.0f))) state.set_view(views[i].view);
    if (shown) ImGui::PopStyleColor();
    item_tooltip(views[i].tooltip);
  }
  ImGui::SetWindowFontScale(1.0f);
  ImGui::Separator();
}

bool draw_timeline(AppState& state, const PanelRect& rect) {
  bool touched = false;
  if (begin_panel("Timeline", rect, kFixedPanelFlags)) {
    const int t_before = state.t;
    const bool playing_before = state.playback.playing;
    draw_timeline_panel(state);
    touched = state.t != t_before || state.playback.playing != playing_before;
  }
  ImGui::End();
  return touched;
}

void draw_notifications(const ScreenFrame& f, const PanelRect& area) {
  AppState& state = f.state;
  if (f.capturing || state.notifications.empty()) return;
  const float font = ImGui::GetFontSize();
  ImGui::SetNextWindowPos(ImVec2(area.x + 0.5f * font, area.y + 0.5f * font));
  ImGui::SetNextWindowSize(ImVec2(area.w - font, 0.0f));
  ImGui::SetNextWindowBgAlpha(0.94f);
  const ImGuiWindowFlags flags = ImGuiWindowFlags_NoTitleBar | ImGuiWindowFlags_NoResize |
                                 ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoSavedSettings |
                                 ImGuiWindowFlags_NoFocusOnAppearing | ImGuiWindowFlags_NoScrollbar |
                                 ImGuiWindowFlags_AlwaysAutoResize;
  if (ImGui::Begin("##notifications", nullptr, flags)) {
    int dismiss = -1;
    for (std::size_t i = 0; i < state.notifications.size(); ++i) {
      const Notification& n = state.notifications[i];
      ImGui::PushID(static_cast<int>(i));
      if (ImGui::SmallButton("×")) dismiss = static_cast<int>(i);
      ImGui::SameLine();
      colored_wrapped_text(n.level == WarningLevel::Warning ? f.palette.warning_text
                                                            : ImGui::GetColorU32(ImGuiCol_Text),
                           n.text);
      ImGui::PopID();
    }
    if (dismiss >= 0) state.notifications.erase(state.notifications.begin() + dismiss);
  }
  ImGui::End();
}

void draw_device_row(const ScreenFrame& f) {
  const std::string request =
      draw_device_selector(f.device, ImGui::CalcTextSize("sampler").x + 0.8f * ImGui::GetFontSize());
  if (!request.empty()) f.worker.set_device(request);
}

void keep_only(const ScreenFrame& f, std::initializer_list<PanelRect*> panels) {
  if (!f.solo) return;
  const PanelRect whole{0.0f, 0.0f, ImGui::GetIO().DisplaySize.x, ImGui::GetIO().DisplaySize.y};
  int i = 0;
  for (PanelRect* r : panels) *r = i++ == f.solo_view ? whole : PanelRect{};
}

ReverseLayout place_run_layout(const ScreenFrame& f, ReverseLayout layout) {
  shift_down(layout, f.frame_layout.body.y);
  layout.timeline = f.frame_layout.timeline;
  keep_only(f, {&layout.clouds, &layout.side, &layout.controls, &layout.timeline});
  return layout;
}

void stop_following(ReverseCursor& cursor, Playback& playback) {
  if (cursor.follow) playback.playing = false;  // the run's own playback ends where it was touched
  cursor.follow = false;  // scrubbing, stepping or playing: the lecturer's t
  cursor.final_t = -1;
  cursor.frontier = -1;
  cursor.run_done = false;
}

}  // namespace diffuscope::gui
