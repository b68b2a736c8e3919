#pragma once
// The 2D forward view: the worker's x_t points for A (and B) drawn as GL point sprites into
// render-target textures, inside plot frames with fixed axes, grid and tick labels. Points keep
// the colour of where they started (hue = angle of x_0 around the data's centre), or of their
// class (a drawing; a dataset with "colour by class"). In Draw mode the panel is the canvas.
#include <cstdint>
#include <string>
#include <vector>

#include <imgui.h>

#include "gui/state/app_state.hpp"
#include "gui/protocol/jobs.hpp"
#include "renderer/plot_widget.hpp"
#include "renderer/point_renderer.hpp"
#include "renderer/render_target.hpp"
#include "renderer/theme.hpp"

namespace diffuscope::gui {

class PointsView {
 public:
  // Draws into the current ImGui window (GL work happens now, into the render targets; the
  // textures are composited when ImGui renders). frame may be null (nothing computed yet).
  // In Draw mode (state.draw_mode) the first panel takes the mouse: left adds brush dabs at the
  // data coordinates under it, right erases (drawing.hpp).
  void draw(AppState& state, const ForwardFrame* frame, const renderer::Palette& palette);
  // Frees GL objects; call while the context is current (before the window goes).
  void release();

 private:
  struct Side {
    renderer::PointRenderer points;
    renderer::RenderTarget target;
    std::uint64_t generation = 0;       // frame whose positions are uploaded
    std::uint64_t colors_revision = 0;  // x0 revision whose colours are uploaded
    bool colors_light = false;
    bool colors_by_class = false;
    bool has_colors = false;
  };
  void upload(const ForwardFrame& frame, bool light_theme, bool by_class);
  // Draw mode's mouse work over a panel's data area, and the brush outline under the mouse.
  void draw_with_mouse(AppState& state, const renderer::PlotInteraction& area);
  void draw_side(int index, const char* title, ImU32 title_color, const ForwardFrame& frame,
                 const ForwardSide& side, double half_range, ImVec2 size, const renderer::Palette& palette,
                 AppState* canvas);

  Side sides_[2];
  int sides_shown_ = 1;
  bool init_tried_ = false;
  std::string init_error_;
  ImVec2 margins_{0.0f, 0.0f};
  // The stroke being drawn: which button, and where its last dab went (a drag dabs again once the
  // mouse has moved on by the dab spacing, so the density does not depend on the frame rate).
  enum class Stroke { None, Brush, Erase } stroke_ = Stroke::None;
  double last_dab_x_ = 0.0, last_dab_y_ = 0.0;  // plot frame around the inner square, learnt from the last frame
};

}  // namespace diffuscope::gui
