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

#include "gui/state/images_state.hpp"

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

// The UI scale the window is drawn at: the lecturer's `requested` one, capped so that the window
// keeps room for its views (a 720-line projector holds the lecture layout up to 1.5; every view was
// checked at 1280x720, 1600x900 and 1920x1080): at most height / kScaleHeightPerUnit and width /
// kScaleWidthPerUnit, never below kMinUiScale. A window of unknown size (0) gets `requested`.
inline constexpr float kScaleHeightPerUnit = 480.0f;
inline constexpr float kScaleWidthPerUnit = 853.0f;
float effective_ui_scale(float requested, float width, float height);

// width, height: the window in pixels; font_size: the UI font's pixel size (scales the minimum
// widths); timeline_height: the height the timeline strip needs; compare: two point views;
// controls: false in presenter mode, where the schedule column is hidden and the views take its width;
// min_top_height: what the curves panel needs to show its legend row and a plot with its axis
// titles whole (curves_panel_min_height): the top row gets at least that, but never more than
// half the body (55% with Compare), so the point views keep their room.
WindowLayout compute_layout(float width, float height, float font_size, float timeline_height,
                            bool compare, bool controls = true, float min_top_height = 0.0f);

// The control column (forward, reverse and images views alike, so the view switch does not jump):
// a quarter of the width, at least kControlColumnEm font sizes (a label and a combo box that shows
// "gaussian mixture" or "Markov chain" whole, with a scrollbar), never more than 0.34 of the width.
inline constexpr float kControlColumnEm = 14.5f;
float control_column_width(float width, float font_size, bool controls = true);

// The height a plot drawn by renderer::draw_plot needs for its tick labels, its x-axis title and
// an inner area of inner_em font sizes (label_scale: the tick labels' font scale). Mirrors the
// margins of renderer/src/plot_widget.cpp (a top pad, the inner area, the tick row, the title).
float plot_min_height(float font_size, float label_scale, bool x_title, float inner_em = 2.5f);

// The curves panel's least height: window padding, the compare key line (key_line_h, 0 without
// Compare), the legend row (frame_h + spacing_y) and a plot whose x-axis title stays whole.
float curves_panel_min_height(float font_size, float window_padding_y, float key_line_h, float frame_h,
                              float spacing_y);

// A plot above a table: the plot gets what the table leaves but never less than plot_min_h; the
// table keeps as many of its `rows` rows (row_h each, plus extra_h once for spacing) as fit under
// that. All rows asked: everything fits; fewer: the caller drops rows (the least needed first).
struct PlotOverTable {
  int rows = 0;         // table rows that fit
  float plot_h = 0.0f;  // the plot's height (>= plot_min_h)
};
PlotOverTable fit_plot_over_table(float avail_h, float plot_min_h, float row_h, float extra_h, int rows);

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

// Compare panels: n panels, each a square view with caption_h of text under it, tiled in a w x h
// area with `spacing` between cells. Every column count 1..n is tried; the one whose square is the
// largest wins (ties: fewer columns). So four panels sit 2 x 2 in a roomy area and in one row when
// the area is wide and short enough that a row gives the larger squares.
//   cols = 2, rows = 2:  +------+ +------+
//                        | side | |      |   cell_w = (w - (cols-1)·spacing_x) / cols
//                        +------+ +------+   cell_h = (h - (rows-1)·spacing_y) / rows
//                        caption  caption    side   = min(cell_w, cell_h - caption_h)
struct PanelTiling {
  int cols = 1, rows = 1;
  float cell_w = 0.0f, cell_h = 0.0f;  // one panel's cell, caption included (floored to pixels)
  float side = 0.0f;                   // the square's side; <= 0 when the captions leave no room
};
// The cell of n panels in `cols` columns (rows as many as needed) over w x h; side as above.
PanelTiling tile_in_columns(int n, int cols, float w, float h, float caption_h, float spacing_x,
                            float spacing_y);
// The arrangement with the largest squares (n < 1 counts as 1).
PanelTiling tile_square_panels(int n, float w, float h, float caption_h, float spacing_x, float spacing_y);

// The Images view's panels: each cell holds a grid of `count` tiles (tile_grid: tile_w x tile_h,
// `gap` between them) above caption_h of text. The column count whose tiles come out largest wins,
// among those whose cells are at least min_cell_w wide (the caption's room); one column when none is.
struct ImagePanelTiling {
  PanelTiling panels;   // side: the tile grid's shorter extent on screen
  TileGrid tiles;       // the samples inside one cell
};
ImagePanelTiling tile_image_panels(int n, int count, float tile_w, float tile_h, float gap, float w, float h,
                                   float caption_h, float spacing_x, float spacing_y, float min_cell_w);

// Moves every rectangle down by dy (the menu bar's height).
void shift_down(WindowLayout& layout, float dy);
void shift_down(ReverseLayout& layout, float dy);

}  // namespace diffuscope::gui
