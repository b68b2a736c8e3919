#pragma once
// Fixed panel layout of the lecture window, recomputed every frame from the window size (Debian's
// ImGui 1.86 has no docking). Pure arithmetic, unit-tested: panels tile the window without overlap.
//
//   +-----------+------------------------------------------+
//   |           | curves (full width)                      |
//   | schedule  +-------------+-----------+----------------+
//   | panel     | 2D points   | marginal  | image view     |
//   +-----------+-------------+-----------+----------------+
//   | timeline                                             |
//   +------------------------------------------------------+
// With Compare on, the two point views take the bottom row's width and the marginal panel
// (A and B overlaid) moves up to the right of the curves.

namespace diffuscope::gui {

struct PanelRect {
  float x = 0, y = 0, w = 0, h = 0;
  float right() const { return x + w; }
  float bottom() const { return y + h; }
};

struct WindowLayout {
  PanelRect schedule;
  PanelRect curves;
  PanelRect images;
  PanelRect points;
  PanelRect marginal;
  PanelRect timeline;
};

// width, height: the window in pixels; font_size: the UI font's pixel size (scales the minimum
// widths); timeline_height: the height the timeline strip needs; compare: two point views;
// controls: false in presenter mode, where the schedule column is hidden and the views take its width.
WindowLayout compute_layout(float width, float height, float font_size, float timeline_height,
                            bool compare, bool controls = true);

// The reverse view:
//   +-----------+--------------------------------+-----------+
//   | sampler   | clouds (1-4 panels, overlays)  | compare   |
//   | controls  |                                | training  |
//   +-----------+--------------------------------+-----------+
//   | timeline (plays T -> 0)                                |
//   +--------------------------------------------------------+
struct ReverseLayout {
  PanelRect controls;
  PanelRect clouds;
  PanelRect side;
  PanelRect timeline;
};
// controls: false in presenter mode: the clouds take the whole width.
ReverseLayout compute_reverse_layout(float width, float height, float font_size, float timeline_height,
                                     bool controls = true);

// The Images view: the reverse view's columns (clouds = the sample grids), with a wider side
// column so that the selected sample's x_t, x̂_0 and ε̂ are large enough to read from the back.
// controls: false in presenter mode: no control column; the side column keeps the selected sample.
ReverseLayout compute_images_layout(float width, float height, float font_size, float timeline_height,
                                    bool controls = true);

// The window around a view's layout: the menu bar on top (0 in presenter mode and in exports) and,
// under the views, full-width strips: the presenter readout, the equation panel, the timeline.
// A strip asked 0 high is absent. The strips together never take more than 45% of the height
// (the readout gives way first, then the equations, which never take more than 30%), so the views
// always keep the most of it.
struct FrameLayout {
  PanelRect body;       // where the view's layout goes (compute_*_layout(body.w, body.h, ...) + body.y)
  PanelRect readout;
  PanelRect equations;
  PanelRect timeline;
};
FrameLayout compute_frame_layout(float width, float height, float menu_height, float readout_height,
                                 float equations_height, float timeline_height);

// Moves every rectangle down by dy (the menu bar's height).
void shift_down(WindowLayout& layout, float dy);
void shift_down(ReverseLayout& layout, float dy);

}  // namespace diffuscope::gui
