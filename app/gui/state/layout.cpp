#include "gui/state/layout.hpp"
#include "gui/state/limits.hpp"

#include <algorithm>
#include <cmath>

namespace diffuscope::gui {

float control_column_width(float width, float font_size, bool controls) {
  if (!controls) return 0.0f;
  const float W = std::max(width, 1.0f);
  return std::floor(std::min(std::max(0.25f * W, kControlColumnEm * font_size), 0.34f * W));
}

float plot_min_height(float font_size, float label_scale, bool x_title, float inner_em) {
  // plot_widget.cpp: pad = 0.35 font above and below; half a tick label above the inner area;
  // the x tick row 1.3 tick labels; the x-axis title 1.2 font.
  const float tick = font_size * std::max(0.25f, label_scale);
  return 2.0f * 0.35f * font_size + 0.5f * tick + inner_em * font_size + 1.3f * tick +
         (x_title ? 1.2f * font_size : 0.0f);
}

float curves_panel_min_height(float font_size, float window_padding_y, float key_line_h, float frame_h,
                              float spacing_y) {
  // The curves' tick labels are drawn at 0.85 of the font (curves_plot.cpp); an inner area of two
  // font sizes is the plot widget's own floor, so the plot is never made taller than its panel.
  return 2.0f * window_padding_y + key_line_h + frame_h + spacing_y + plot_min_height(font_size, 0.85f, true, 2.0f);
}

PlotOverTable fit_plot_over_table(float avail_h, float plot_min_h, float row_h, float extra_h, int rows) {
  PlotOverTable f;
  rows = std::max(0, rows);
  const float room = avail_h - plot_min_h - extra_h;
  if (row_h <= 0.0f) f.rows = rows;   // rows that take no height always fit
  else if (room > 0.0f) f.rows = std::min(rows, static_cast<int>(std::floor(room / row_h + 1e-3f)));
  f.plot_h = std::max(plot_min_h, avail_h - (f.rows > 0 ? extra_h + f.rows * row_h : 0.0f));
  return f;
}

WindowLayout compute_layout(float width, float height, float font_size, float timeline_height,
                            bool compare, bool controls, float min_top_height) {
  WindowLayout l;
  const float W = std::max(width, 1.0f);
  const float H = std::max(height, 1.0f);
  const float timeline_h = std::clamp(timeline_height, 0.0f, 0.3f * H);
  const float body_h = H - timeline_h;

  // Left column: wide enough for slider labels and combo boxes at the font size.
  const float left_w = control_column_width(W, font_size, controls);
  l.schedule = {0, 0, left_w, body_h};
  l.timeline = {0, body_h, W, timeline_h};

  const float rx = left_w;
  const float rw = W - left_w;
  // With Compare the point views are limited by their width, so the top row can take more height.
  // A short window (a projector at 1280x720, UI scale 1.5) gives the curves what their axis titles
  // need, up to half the body (55% with Compare), rather than clip them.
  const float top_share = compare ? 0.47f : 0.40f;
  const float top_cap = compare ? 0.55f : 0.50f;
  const float top_h = std::floor(std::min(std::max(top_share * body_h, min_top_height), top_cap * body_h));
  const float bottom_h = body_h - top_h;

  if (!compare) {
    // Curves over the full width; below them the points, their marginal, the image.
    l.curves = {rx, 0, rw, top_h};
    const float points_w = std::floor(std::min(bottom_h, 0.37f * rw));
    const float rest = rw - points_w;
    const float marginal_w = std::floor(std::min(std::max(0.38f * rest, 10.5f * font_size), 0.5f * rest));
    l.points = {rx, top_h, points_w, bottom_h};
    l.marginal = {rx + points_w, top_h, marginal_w, bottom_h};
    l.images = {rx + points_w + marginal_w, top_h, rest - marginal_w, bottom_h};
  } else {
    // Two point views need the width: the marginal (A and B overlaid) moves up beside the curves.
    const float marginal_w = std::floor(std::min(std::max(0.28f * rw, 11.0f * font_size), 0.4f * rw));
    l.curves = {rx, 0, rw - marginal_w, top_h};
    l.marginal = {rx + rw - marginal_w, 0, marginal_w, top_h};
    const float points_w = std::floor(std::min(2.0f * bottom_h * 0.9f, 0.62f * rw));
    l.points = {rx, top_h, points_w, bottom_h};
    l.images = {rx + points_w, top_h, rw - points_w, bottom_h};
  }
  return l;
}

ReverseLayout compute_reverse_layout(float width, float height, float font_size, float timeline_height,
                                     bool controls) {
  ReverseLayout l;
  const float W = std::max(width, 1.0f);
  const float H = std::max(height, 1.0f);
  const float timeline_h = std::clamp(timeline_height, 0.0f, 0.3f * H);
  const float body_h = H - timeline_h;
  // Same left column as the forward view, so the view switch does not jump.
  const float left_w = control_column_width(W, font_size, controls);
  // The side column needs room for a slider label and a small loss plot; the clouds get the rest.
  const float side_w = controls ? std::floor(std::min(std::max(0.22f * W, 12.0f * font_size), 0.3f * W)) : 0.0f;
  l.controls = {0, 0, left_w, body_h};
  l.clouds = {left_w, 0, std::max(0.0f, W - left_w - side_w), body_h};
  l.side = {l.clouds.right(), 0, W - l.clouds.right(), body_h};
  l.timeline = {0, body_h, W, timeline_h};
  return l;
}

ReverseLayout compute_images_layout(float width, float height, float font_size, float timeline_height,
                                    bool controls) {
  ReverseLayout l = compute_reverse_layout(width, height, font_size, timeline_height, controls);
  const float W = std::max(width, 1.0f);
  // The grids are square-ish and bounded by the height: a third of the width is to spare for the
  // side column (never less than the reverse view's, never more than 0.34 W).
  const float side_w = std::floor(std::min(std::max(0.3f * W, l.side.w), 0.34f * W));
  l.clouds.w = std::max(0.0f, W - l.controls.w - side_w);
  l.side = {l.clouds.right(), 0, W - l.clouds.right(), l.controls.h};
  return l;
}

FrameLayout compute_frame_layout(float width, float height, float menu_height, float readout_height,
                                 float equations_height, float timeline_height) {
  FrameLayout f;
  const float W = std::max(width, 1.0f);
  const float H = std::max(height, 1.0f);
  const float top = std::clamp(menu_height, 0.0f, 0.1f * H);
  const float avail = H - top;
  const float budget = 0.45f * avail;
  const float timeline_h = std::clamp(timeline_height, 0.0f, 0.3f * avail);
  // Past 30% of the height (Compare at a large UI scale) the equation strip scrolls instead.
  const float equations_h =
      std::clamp(equations_height, 0.0f, std::max(0.0f, std::min(0.3f * avail, budget - timeline_h)));
  const float readout_h = std::clamp(readout_height, 0.0f, std::max(0.0f, budget - timeline_h - equations_h));
  const float body_h = avail - timeline_h - equations_h - readout_h;
  f.body = {0, top, W, body_h};
  f.readout = {0, top + body_h, W, readout_h};
  f.equations = {0, f.readout.bottom(), W, equations_h};
  f.timeline = {0, f.equations.bottom(), W, timeline_h};
  return f;
}

PanelTiling tile_in_columns(int n, int cols, float w, float h, float caption_h, float spacing_x,
                            float spacing_y) {
  PanelTiling t;
  n = std::max(1, n);
  t.cols = std::clamp(cols, 1, n);
  t.rows = (n + t.cols - 1) / t.cols;
  t.cell_w = std::floor(std::max(0.0f, w - (t.cols - 1) * spacing_x) / t.cols);
  t.cell_h = std::floor(std::max(0.0f, h - (t.rows - 1) * spacing_y) / t.rows);
  t.side = std::min(t.cell_w, t.cell_h - caption_h);
  return t;
}

PanelTiling tile_square_panels(int n, float w, float h, float caption_h, float spacing_x, float spacing_y) {
  n = std::max(1, n);
  PanelTiling best = tile_in_columns(n, 1, w, h, caption_h, spacing_x, spacing_y);
  for (int cols = 2; cols <= n; ++cols) {
    const PanelTiling t = tile_in_columns(n, cols, w, h, caption_h, spacing_x, spacing_y);
    // Half a pixel more is no gain: the narrower arrangement keeps its captions wider.
    if (t.side > best.side + 0.5f) best = t;
  }
  return best;
}

ImagePanelTiling tile_image_panels(int n, int count, float tile_w, float tile_h, float gap, float w, float h,
                                   float caption_h, float spacing_x, float spacing_y, float min_cell_w) {
  n = std::max(1, n);
  ImagePanelTiling best;
  for (int cols = 1; cols <= n; ++cols) {
    ImagePanelTiling a;
    a.panels = tile_in_columns(n, cols, w, h, caption_h, spacing_x, spacing_y);
    a.tiles = tile_grid(count, tile_w, tile_h, gap, a.panels.cell_w, a.panels.cell_h - caption_h);
    a.panels.side = std::min(a.tiles.width(), a.tiles.height()) * a.tiles.scale;
    if (cols > 1 && a.panels.cell_w < min_cell_w) continue;
    if (cols == 1 || a.tiles.scale > best.tiles.scale) best = a;
  }
  return best;
}

void shift_down(WindowLayout& l, float dy) {
  for (PanelRect* r : {&l.schedule, &l.curves, &l.images, &l.points, &l.marginal, &l.timeline}) r->y += dy;
}

void shift_down(ReverseLayout& l, float dy) {
  for (PanelRect* r : {&l.controls, &l.clouds, &l.side, &l.timeline}) r->y += dy;
}

float effective_ui_scale(float requested, float width, float height) {
  const float scale = std::clamp(requested, kMinUiScale, kMaxUiScale);
  if (!(width > 0.0f && height > 0.0f)) return scale;
  const float fits = std::min(height / kScaleHeightPerUnit, width / kScaleWidthPerUnit);
  return std::max(kMinUiScale, std::min(scale, fits));
}

}  // namespace diffuscope::gui
