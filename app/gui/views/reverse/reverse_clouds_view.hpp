#pragma once
// The reverse view's centre: an overlay toolbar, the 1-4 sample clouds (GL point sprites over the
// faint data) with their overlays (score / ε̂ arrows, x̂_0 of tracked points, trajectories, the
// posterior circle of the picked point), a label and the sliced Wasserstein distance under each,
// and a status line (model, speed, errors). Clicking a cloud tracks the nearest point.
#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <imgui.h>

#include "gui/state/app_state.hpp"
#include "gui/protocol/reverse_jobs.hpp"
#include "renderer/plot_widget.hpp"
#include "renderer/point_renderer.hpp"
#include "renderer/render_target.hpp"
#include "renderer/theme.hpp"

namespace diffuscope::gui {

class ReverseCloudsView {
 public:
  // Draws into the current ImGui window; frame may be null (nothing computed yet). Clicks edit
  // state.reverse (tracked / picked points).
  void draw(AppState& state, const std::shared_ptr<const ReverseFrame>& frame,
            const renderer::Palette& palette);
  void release();  // frees GL objects (context current)

 private:
  struct Slot {
    renderer::PointRenderer points;
    renderer::RenderTarget target;
    const ReverseFrame* uploaded = nullptr;  // frame whose cloud is uploaded (kept alive by frame_)
    std::uint32_t color = 0;
    int colored_count = -1;                   // points whose (uniform) colour is uploaded
  };
  void upload(const ReverseFrame& frame, bool light);
  void draw_toolbar(AppState& state);
  void draw_panel(int index, AppState& state, const ReverseFrame* frame, ImVec2 size,
                  const renderer::Palette& palette);
  void draw_overlays(const AppState& state, const ReversePanelFrame& panel,
                     const renderer::PlotInteraction& area, const renderer::Palette& palette) const;
  void draw_status(const AppState& state, const ReverseFrame* frame, const renderer::Palette& palette);
  void draw_panel_captions(int index, const AppState& state, const ReversePanelFrame* panel, ImVec2 size,
                           float start_x, const renderer::Palette& palette);
  // A panel's label ("#2  DDIM η = 0.33 · K = 50 · learned"): the frame's, else from the settings.
  static std::string panel_caption(int index, const AppState& state, const ReversePanelFrame* panel);

  std::array<Slot, kMaxReversePanels> slots_;
  renderer::PointRenderer data_points_;
  std::vector<float> data_uploaded_;
  bool data_light_ = false;
  std::shared_ptr<const ReverseFrame> frame_;  // the frame whose clouds are uploaded
  bool init_tried_ = false;
  std::string init_error_;
  ImVec2 margins_{0.0f, 0.0f};
  float measured_status_h_ = 0.0f;  // height the legend and status took last frame
  // The memorisation meter has a line of its own under each cloud; off when that line would leave
  // the clouds too small (then it shares the line of t and the distance).
  bool meter_line_ = true;
  // Whether the captions had room for the meter's radius last frame (else the legend says it).
  bool meter_radius_shown_ = true;
  bool copies_shown_ = true;
  std::size_t label_form_ = 0;   // which of panel_label_forms every panel shows this frame   // whether the captions show the meter at all (else no legend for it)
};

// Colour of the posterior overlay (distinct from the clouds, arrows and paths).
ImU32 posterior_color(bool light);

}  // namespace diffuscope::gui
