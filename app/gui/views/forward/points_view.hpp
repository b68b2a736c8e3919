#pragma once
// The 2D forward view: the worker's x_t points for A (and B) drawn as GL point sprites into
// render-target textures, inside plot frames with fixed axes, grid and tick labels. Points keep
// the colour of where they started (hue = angle of x_0 around the data's centre).
#include <cstdint>
#include <string>
#include <vector>

#include <imgui.h>

#include "gui/state/app_state.hpp"
#include "gui/protocol/jobs.hpp"
#include "renderer/point_renderer.hpp"
#include "renderer/render_target.hpp"
#include "renderer/theme.hpp"

namespace diffuscope::gui {

class PointsView {
 public:
  // Draws into the current ImGui window (GL work happens now, into the render targets; the
  // textures are composited when ImGui renders). frame may be null (nothing computed yet).
  void draw(const AppState& state, const ForwardFrame* frame, const renderer::Palette& palette);
  // Frees GL objects; call while the context is current (before the window goes).
  void release();

 private:
  struct Side {
    renderer::PointRenderer points;
    renderer::RenderTarget target;
    std::uint64_t generation = 0;       // frame whose positions are uploaded
    std::uint64_t colors_revision = 0;  // x0 revision whose colours are uploaded
    bool colors_light = false;
    bool has_colors = false;
  };
  void upload(const ForwardFrame& frame, bool light_theme);
  void draw_side(int index, const char* title, ImU32 title_color, const ForwardFrame& frame,
                 const ForwardSide& side, double half_range, ImVec2 size, const renderer::Palette& palette);

  Side sides_[2];
  int sides_shown_ = 1;
  bool init_tried_ = false;
  std::string init_error_;
  ImVec2 margins_{0.0f, 0.0f};  // plot frame around the inner square, learnt from the last frame
};

}  // namespace diffuscope::gui
