// Compare panels' tiling (largest squares; 2 x 2 or a row), the Images view's panel tiling, the
// equation strip's height, and the labels that tell schedules A and B apart.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "diffusion/schedule_params.hpp"
#include "gui/state/caption_forms.hpp"
#include "gui/state/layout.hpp"
#include "gui/state/schedule_labels.hpp"

namespace dg = diffuscope::gui;

namespace {
// The largest square side over every column count, by brute force over integer sides (a
// different route from the closed form: a side s fits in cols x rows when cols squares of s and
// their gaps fit the width and rows of s + caption fit the height).
float largest_side_by_search(int n, float w, float h, float caption, float gap) {
  float best = 0.0f;
  for (int cols = 1; cols <= n; ++cols) {
    const int rows = (n + cols - 1) / cols;
    for (int s = 1; s <= static_cast<int>(w); ++s) {
      const bool fits = cols * static_cast<float>(s) + (cols - 1) * gap <= w + 1.0f &&
                        rows * (static_cast<float>(s) + caption) + (rows - 1) * gap <= h + 1.0f;
      if (!fits) break;
      best = std::max(best, static_cast<float>(s));
    }
  }
  return best;
}
}  // namespace

TEST(Layout, FourPanelsTileTwoByTwoInARoomyArea) {
  // 830 x 600, captions 60, gaps 8: 2 x 2 gives min(411, 296 - 60) = 236, a row min(201.5, 540).
  const dg::PanelTiling t = dg::tile_square_panels(4, 830, 600, 60, 8, 8);
  EXPECT_EQ(t.cols, 2);
  EXPECT_EQ(t.rows, 2);
  EXPECT_FLOAT_EQ(t.cell_w, 411.0f);
  EXPECT_FLOAT_EQ(t.cell_h, 296.0f);
  EXPECT_FLOAT_EQ(t.side, 236.0f);
}

TEST(Layout, FourPanelsTakeARowWhenThatIsLarger) {
  // Wide and short: 1200 x 400, captions 100: a row gives min(294, 300) = 294; 2 x 2 only 96.
  const dg::PanelTiling t = dg::tile_square_panels(4, 1200, 400, 100, 8, 8);
  EXPECT_EQ(t.cols, 4);
  EXPECT_EQ(t.rows, 1);
  EXPECT_FLOAT_EQ(t.side, 294.0f);
  // A tall, narrow area stacks them in a column.
  const dg::PanelTiling column = dg::tile_square_panels(3, 200, 1200, 20, 8, 8);
  EXPECT_EQ(column.cols, 1);
  EXPECT_EQ(column.rows, 3);
}

TEST(Layout, TilingPicksTheLargestSquareForAnyCount) {
  for (int n = 1; n <= 6; ++n) {
    for (const auto& area : {std::pair<float, float>{830, 450}, {600, 700}, {1400, 380}, {420, 420}}) {
      const dg::PanelTiling t = dg::tile_square_panels(n, area.first, area.second, 70, 8, 6);
      SCOPED_TRACE(testing::Message() << n << " panels in " << area.first << " x " << area.second);
      EXPECT_GE(t.cols * t.rows, n);
      EXPECT_LT((t.rows - 1) * t.cols, n);  // no empty row
      // The squares and their captions fit the area.
      EXPECT_LE(t.cols * t.side + (t.cols - 1) * 8.0f, area.first + 0.01f);
      EXPECT_LE(t.rows * (t.side + 70.0f) + (t.rows - 1) * 6.0f, area.second + 0.01f);
      // Within a pixel of the best any arrangement allows (floored cells, half-pixel ties).
      // The search with both gaps at 8 (stricter than 8 and 6) finds no larger side; with both at 6
      // (looser) none smaller than ours, within the floored pixel.
      EXPECT_GE(t.side + 1.5f, largest_side_by_search(n, area.first, area.second, 70, 8.0f));
      EXPECT_LE(t.side, largest_side_by_search(n, area.first, area.second, 70, 6.0f) + 1.0f);
    }
  }
}

TEST(Layout, TilingWithNoRoomReportsIt) {
  const dg::PanelTiling t = dg::tile_square_panels(4, 300, 100, 120, 8, 8);
  EXPECT_LE(t.side, 0.0f);  // the captions alone are taller than the area
  const dg::PanelTiling zero = dg::tile_square_panels(0, 300, 300, 0, 0, 0);
  EXPECT_EQ(zero.cols * zero.rows, 1);
  EXPECT_FLOAT_EQ(zero.side, 300.0f);
}

TEST(Layout, ImagePanelsGiveTheLargestSamples) {
  // Two panels of 16 samples of 28 x 28 (gap 1) in 620 x 560 with 60 of captions, gaps 8: side by
  // side each grid gets 306 x 500, stacked 620 x 216. 16 tiles of 28 (+1 gap): side by side a
  // 3 x 6 grid (3·28 + 2 = 86 by 6·28 + 5 = 173) at min(306/86, 500/173) = 2.89; stacked 8 x 2
  // (231 by 57) at min(620/231, 216/57) = 2.68.
  const dg::ImagePanelTiling a = dg::tile_image_panels(2, 16, 28, 28, 1, 620, 560, 60, 8, 8, 100);
  EXPECT_EQ(a.panels.cols, 2);
  EXPECT_EQ(a.panels.rows, 1);
  EXPECT_FLOAT_EQ(a.panels.cell_w, 306.0f);
  EXPECT_NEAR(a.tiles.scale, 500.0f / 173.0f, 1e-3);
  // Cells narrower than the caption needs are not taken, even when their samples would be larger.
  const dg::ImagePanelTiling narrow = dg::tile_image_panels(2, 16, 28, 28, 1, 620, 560, 60, 8, 8, 400);
  EXPECT_EQ(narrow.panels.cols, 1);
  EXPECT_EQ(narrow.panels.rows, 2);
}

TEST(Layout, EquationStripIsAsTallAsItsContent) {
  // Content of 3 lines (3 x 33 + padding 16 = 115) fits the 30% cap of 1600 x 900: exactly that.
  const dg::FrameLayout f = dg::compute_frame_layout(1600, 900, 40, 0, 115, 70);
  EXPECT_FLOAT_EQ(f.equations.h, 115.0f);
  EXPECT_FLOAT_EQ(f.body.h, 900.0f - 40 - 115 - 70);
  // Compare at a large scale asks 400: capped at 30% of what is under the menu (it scrolls).
  const dg::FrameLayout big = dg::compute_frame_layout(1600, 900, 40, 0, 400, 70);
  EXPECT_FLOAT_EQ(big.equations.h, 0.3f * 860.0f);
  // A tall timeline leaves the equations what is left of the 45% budget.
  const dg::FrameLayout squeezed = dg::compute_frame_layout(1280, 720, 0, 0, 300, 0.3f * 720);
  EXPECT_FLOAT_EQ(squeezed.timeline.h, 0.3f * 720);
  EXPECT_NEAR(squeezed.equations.h, 0.15f * 720, 0.01);
}

TEST(ScheduleLabels, NameWhatDiffers) {
  diffusion::ScheduleParams a, b;
  b.zero_terminal_snr = true;
  dg::ScheduleLabelPair l = dg::schedule_difference_labels(a, b);
  EXPECT_EQ(l.a, "linear");
  EXPECT_EQ(l.b, "linear, ZT-SNR");

  b = a;
  b.kind = diffusion::ScheduleKind::Cosine;
  l = dg::schedule_difference_labels(a, b);
  EXPECT_EQ(l.a, "linear");
  EXPECT_EQ(l.b, "cosine");

  b.T = 250;
  l = dg::schedule_difference_labels(a, b);
  EXPECT_EQ(l.a, "linear, T = 1000");
  EXPECT_EQ(l.b, "cosine, T = 250");

  // Scale-with-T names the side that has it; on cosine the flag has no effect and is not named.
  b = a;
  b.T = 250;
  b.scale_with_T = true;
  l = dg::schedule_difference_labels(a, b);
  EXPECT_EQ(l.a, "linear, T = 1000");
  EXPECT_EQ(l.b, "linear, T = 250, β×1000/T");
  b.kind = a.kind = diffusion::ScheduleKind::Cosine;
  l = dg::schedule_difference_labels(a, b);
  EXPECT_EQ(l.b, "cosine, T = 250");
}

TEST(ScheduleLabels, SameFamilyAndFlagsNameTheDifferingParameter) {
  diffusion::ScheduleParams a, b;
  b.beta_end = 0.04;
  const dg::ScheduleLabelPair l = dg::schedule_difference_labels(a, b);
  EXPECT_EQ(l.a, "linear, β_T = 0.02");
  EXPECT_EQ(l.b, "linear, β_T = 0.04");
  // Identical schedules: the family alone on both sides.
  const dg::ScheduleLabelPair same = dg::schedule_difference_labels(a, a);
  EXPECT_EQ(same.a, "linear");
  EXPECT_EQ(same.b, "linear");
  // A parameter the family does not use does not count.
  diffusion::ScheduleParams c = a;
  c.cosine_s = 0.1;
  EXPECT_EQ(dg::schedule_difference_labels(a, c).b, "linear");
}

TEST(ScheduleLabels, OneScheduleNamesItsFlags) {
  diffusion::ScheduleParams p;
  EXPECT_EQ(dg::schedule_label(p), "linear");
  p.zero_terminal_snr = true;
  p.scale_with_T = true;
  EXPECT_EQ(dg::schedule_label(p), "linear, ZT-SNR, β×1000/T");
}

TEST(ScheduleLabels, PanelLabelFormsShortenInOrder) {
  const std::vector<std::string> forms = dg::panel_label_forms("#2  DDIM η = 0.33 · K = 50 · learned");
  const std::vector<std::string> expected = {"#2  DDIM η = 0.33 · K = 50 · learned", "#2 DDIM η=0.33·K=50·learned",
                                             "#2 DDIM η=0.33·K=50", "#2 η=0.33·K=50", "#2 DDIM η=0.33", "#2 η=0.33"};
  EXPECT_EQ(forms, expected);
  // A single panel (no "#n"): the sampler's name stays; a label without parts has one short form.
  const std::vector<std::string> single = dg::panel_label_forms("DDIM η = 0 · K = 1000");
  EXPECT_EQ(single, (std::vector<std::string>{"DDIM η = 0 · K = 1000", "DDIM η=0·K=1000", "DDIM η=0"}));
  EXPECT_EQ(dg::panel_label_forms("#3  exact"), (std::vector<std::string>{"#3  exact", "#3 exact"}));
}
