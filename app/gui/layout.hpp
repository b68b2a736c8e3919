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
// widths); timeline_height: the height the timeline strip needs; compare: two point views.
WindowLayout compute_layout(float width, float height, float font_size, float timeline_height,
                            bool compare);

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
ReverseLayout compute_reverse_layout(float width, float height, float font_size, float timeline_height);

// The Images view: the reverse view's columns (clouds = the sample grids), with a wider side
// column so that the selected sample's x_t, x̂_0 and ε̂ are large enough to read from the back.
ReverseLayout compute_images_layout(float width, float height, float font_size, float timeline_height);

}  // namespace diffuscope::gui
