// Window layout tiling, frame-time statistics, schedule curve arrays, start-position colours.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "gui/state/curves.hpp"
#include "diffusion/schedule.hpp"
#include "gui/harness/frame_timing.hpp"
#include "gui/state/layout.hpp"
#include "gui/state/point_colors.hpp"

namespace dg = diffuscope::gui;

namespace {
float overlap_area(const dg::PanelRect& a, const dg::PanelRect& b) {
  const float w = std::min(a.right(), b.right()) - std::max(a.x, b.x);
  const float h = std::min(a.bottom(), b.bottom()) - std::max(a.y, b.y);
  return w > 0 && h > 0 ? w * h : 0.0f;
}
}  // namespace

TEST(Layout, PanelsTileTheWindowWithoutOverlap) {
  const float sizes[][2] = {{1280, 800}, {1600, 900}, {1920, 1080}, {1024, 640}};
  for (const auto& size : sizes) {
    for (bool compare : {false, true}) {
      for (float font : {18.0f, 27.0f, 40.0f}) {
        const float W = size[0], H = size[1];
        const dg::WindowLayout l = dg::compute_layout(W, H, font, 2.5f * font, compare);
        const std::vector<dg::PanelRect> panels = {l.schedule, l.curves, l.marginal,
                                                   l.points, l.images, l.timeline};
        float area = 0;
        for (std::size_t i = 0; i < panels.size(); ++i) {
          const auto& p = panels[i];
          EXPECT_GT(p.w, 0) << W << "x" << H << " panel " << i;
          EXPECT_GT(p.h, 0) << W << "x" << H << " panel " << i;
          EXPECT_GE(p.x, 0);
          EXPECT_GE(p.y, 0);
          EXPECT_LE(p.right(), W + 0.01f);
          EXPECT_LE(p.bottom(), H + 0.01f);
          area += p.w * p.h;
          for (std::size_t j = i + 1; j < panels.size(); ++j)
            EXPECT_LT(overlap_area(p, panels[j]), 0.5f) << "panels " << i << " and " << j;
        }
        EXPECT_NEAR(area, W * H, 1.0f) << W << "x" << H;  // no gaps either
      }
    }
  }
}

TEST(Layout, ComparisonGivesThePointViewsMoreRoom) {
  const auto one = dg::compute_layout(1600, 900, 27, 60, false);
  const auto two = dg::compute_layout(1600, 900, 27, 60, true);
  EXPECT_GT(two.points.w, one.points.w);
  EXPECT_LE(one.points.w, one.points.h + 1.0f);  // a single view is at most square
  EXPECT_GE(one.points.w, 0.35f * (1600 - one.schedule.w));
}

TEST(Layout, FrameStripsStackUnderTheBodyAndGiveWay) {
  // Menu 30, readout 80, equations 90, timeline 60 on 1600x900: all fit, stacked in that order.
  const dg::FrameLayout f = dg::compute_frame_layout(1600, 900, 30, 80, 90, 60);
  EXPECT_FLOAT_EQ(f.body.y, 30.0f);
  EXPECT_FLOAT_EQ(f.body.h, 900.0f - 30 - 80 - 90 - 60);
  EXPECT_FLOAT_EQ(f.readout.y, f.body.bottom());
  EXPECT_FLOAT_EQ(f.equations.y, f.readout.bottom());
  EXPECT_FLOAT_EQ(f.timeline.y, f.equations.bottom());
  EXPECT_FLOAT_EQ(f.timeline.bottom(), 900.0f);
  EXPECT_FLOAT_EQ(f.readout.h, 80.0f);
  // Strips asking for too much: 45% of the height below the menu at most, the readout goes first.
  const dg::FrameLayout tight = dg::compute_frame_layout(1600, 500, 0, 200, 150, 60);
  EXPECT_FLOAT_EQ(tight.timeline.h, 60.0f);
  EXPECT_FLOAT_EQ(tight.equations.h, 150.0f);
  EXPECT_FLOAT_EQ(tight.readout.h, 0.45f * 500 - 60 - 150);
  EXPECT_NEAR(tight.body.h, 0.55f * 500, 0.01);
  // Absent strips take no room.
  const dg::FrameLayout bare = dg::compute_frame_layout(800, 600, 0, 0, 0, 50);
  EXPECT_FLOAT_EQ(bare.body.h, 550.0f);
  EXPECT_FLOAT_EQ(bare.readout.h, 0.0f);
}

TEST(Layout, PresenterModeGivesTheControlsWidthToTheViews) {
  const auto shown = dg::compute_layout(1600, 800, 27, 0, false, true);
  const auto presenter = dg::compute_layout(1600, 800, 27, 0, false, false);
  EXPECT_FLOAT_EQ(presenter.schedule.w, 0.0f);
  EXPECT_FLOAT_EQ(presenter.curves.x, 0.0f);
  EXPECT_FLOAT_EQ(presenter.curves.w, 1600.0f);
  EXPECT_GT(presenter.images.w, shown.images.w);
  const auto reverse = dg::compute_reverse_layout(1600, 800, 27, 0, false);
  EXPECT_FLOAT_EQ(reverse.clouds.x, 0.0f);
  EXPECT_FLOAT_EQ(reverse.clouds.w, 1600.0f);
  EXPECT_FLOAT_EQ(reverse.side.w, 0.0f);
  const auto images = dg::compute_images_layout(1600, 800, 27, 0, false);
  EXPECT_FLOAT_EQ(images.controls.w, 0.0f);
  EXPECT_GT(images.side.w, 0.0f);  // the selected sample stays
  EXPECT_FLOAT_EQ(images.clouds.w + images.side.w, 1600.0f);
  dg::ReverseLayout shifted = reverse;
  dg::shift_down(shifted, 25.0f);
  EXPECT_FLOAT_EQ(shifted.clouds.y, reverse.clouds.y + 25.0f);
}

TEST(Layout, ShortWindowGivesTheCurvesTheirAxisTitleUpToHalfTheBody) {
  // 1280x720 at UI scale 1.5 leaves a body of about 476 px: 40% (190 px) is too short for the
  // curves' legend row and a plot with its title "t"; they get what they ask, up to half.
  const float body_h = 476.0f;
  const auto plain = dg::compute_layout(1280, body_h, 27, 0, false);
  EXPECT_FLOAT_EQ(plain.curves.h, std::floor(0.40f * body_h));
  const auto asked = dg::compute_layout(1280, body_h, 27, 0, false, true, 220.0f);
  EXPECT_FLOAT_EQ(asked.curves.h, 220.0f);
  EXPECT_FLOAT_EQ(asked.points.y, asked.curves.bottom());
  EXPECT_FLOAT_EQ(asked.points.bottom(), body_h);
  const auto greedy = dg::compute_layout(1280, body_h, 27, 0, false, true, 400.0f);
  EXPECT_FLOAT_EQ(greedy.curves.h, std::floor(0.50f * body_h));   // the point views keep half
  const auto compared = dg::compute_layout(1280, body_h, 27, 0, true, true, 400.0f);
  EXPECT_FLOAT_EQ(compared.curves.h, std::floor(0.55f * body_h));
  EXPECT_FLOAT_EQ(compared.marginal.h, compared.curves.h);   // the marginal shares the top row
  // A roomy window already gives more than the minimum: unchanged.
  const auto roomy = dg::compute_layout(1920, 800, 27, 0, false, true, 220.0f);
  EXPECT_FLOAT_EQ(roomy.curves.h, std::floor(0.40f * 800));
}

TEST(Layout, PlotMinimumHeightMatchesThePlotWidgetMargins) {
  // Font 20, tick labels at 0.85 (17 px), an inner area of 2 fonts, with the x-axis title:
  // pads 2·7 + half a tick label 8.5 + inner 40 + tick row 1.3·17 + title 1.2·20.
  EXPECT_NEAR(dg::plot_min_height(20.0f, 0.85f, true, 2.0f), 14.0f + 8.5f + 40.0f + 22.1f + 24.0f, 1e-3f);
  EXPECT_NEAR(dg::plot_min_height(20.0f, 0.85f, false, 2.0f), 14.0f + 8.5f + 40.0f + 22.1f, 1e-3f);
  // The curves panel adds both window paddings, the A/B key line and the legend row.
  EXPECT_NEAR(dg::curves_panel_min_height(20.0f, 10.0f, 25.0f, 30.0f, 7.0f),
              20.0f + 25.0f + 30.0f + 7.0f + dg::plot_min_height(20.0f, 0.85f, true, 2.0f), 1e-3f);
}

TEST(Layout, ControlColumnHoldsAComboAtTheFontSizeWithinAThird) {
  // A quarter of the width, at least 14.5 font sizes, at most 0.34 of the width.
  EXPECT_FLOAT_EQ(dg::control_column_width(1920, 18), 480.0f);           // a quarter wins
  EXPECT_FLOAT_EQ(dg::control_column_width(1280, 27), std::floor(14.5f * 27));
  EXPECT_FLOAT_EQ(dg::control_column_width(1280, 36), std::floor(0.34f * 1280));
  EXPECT_FLOAT_EQ(dg::control_column_width(1280, 27, false), 0.0f);
  // The forward and reverse views share it: the view switch does not jump.
  for (float font : {18.0f, 27.0f, 36.0f}) {
    EXPECT_FLOAT_EQ(dg::compute_layout(1280, 600, font, 0, false).schedule.w,
                    dg::compute_reverse_layout(1280, 600, font, 0).controls.w);
  }
}

TEST(Layout, TableUnderAPlotKeepsTheRowsThatFit) {
  // Room for all: the plot takes the rest.
  dg::PlotOverTable all = dg::fit_plot_over_table(300, 100, 30, 10, 4);
  EXPECT_EQ(all.rows, 4);
  EXPECT_FLOAT_EQ(all.plot_h, 300.0f - 10 - 4 * 30);
  // 180 px: 70 px under the plot's 100 (and the 10 of spacing) hold two 30 px rows.
  dg::PlotOverTable two = dg::fit_plot_over_table(180, 100, 30, 10, 4);
  EXPECT_EQ(two.rows, 2);
  EXPECT_FLOAT_EQ(two.plot_h, 180.0f - 10 - 2 * 30);
  // Exactly one row's room counts as room.
  EXPECT_EQ(dg::fit_plot_over_table(140, 100, 30, 10, 4).rows, 1);
  // No room: no table, the plot keeps the panel (or its minimum, clipped, when even that is short).
  dg::PlotOverTable none = dg::fit_plot_over_table(120, 100, 30, 10, 4);
  EXPECT_EQ(none.rows, 0);
  EXPECT_FLOAT_EQ(none.plot_h, 120.0f);
  EXPECT_FLOAT_EQ(dg::fit_plot_over_table(50, 100, 30, 10, 4).plot_h, 100.0f);
  // Whatever fits never overflows: plot + spacing + rows <= the height, and one more row would.
  for (float avail = 100; avail < 400; avail += 7) {
    const dg::PlotOverTable f = dg::fit_plot_over_table(avail, 100, 30, 10, 4);
    if (f.rows > 0) {
      EXPECT_LE(f.plot_h + 10 + 30 * f.rows, avail + 1e-3f) << avail;
    }
    if (f.rows < 4) {
      EXPECT_GT(100 + 10 + 30 * (f.rows + 1), avail) << avail;
    }
    EXPECT_GE(f.plot_h, 100.0f);
  }
}

TEST(FrameTiming, MedianAndNearestRankP95) {
  dg::FrameTiming empty;
  EXPECT_EQ(empty.summary().frames, 0);
  EXPECT_EQ(empty.summary().median_ms, 0.0);

  dg::FrameTiming four;
  for (double v : {4.0, 1.0, 3.0, 2.0}) four.add(v);
  EXPECT_DOUBLE_EQ(four.summary().median_ms, 2.5);
  EXPECT_DOUBLE_EQ(four.summary().p95_ms, 4.0);  // rank ceil(3.8) = 4

  dg::FrameTiming hundred;
  for (int i = 100; i >= 1; --i) hundred.add(i);
  const auto s = hundred.summary();
  EXPECT_EQ(s.frames, 100);
  EXPECT_DOUBLE_EQ(s.median_ms, 50.5);
  EXPECT_DOUBLE_EQ(s.p95_ms, 95.0);
  EXPECT_DOUBLE_EQ(s.max_ms, 100.0);
}

TEST(Curves, ConstantBetaMatchesClosedForms) {
  diffusion::ScheduleParams p;
  p.kind = diffusion::ScheduleKind::Constant;
  p.beta = 0.1;
  p.T = 5;
  const dg::ScheduleCurves c = dg::make_curves(diffusion::Schedule(p), false);
  ASSERT_EQ(c.x.size(), 6u);
  EXPECT_TRUE(std::isnan(c.beta[0]));
  EXPECT_TRUE(std::isnan(c.snr[0]));
  for (int t = 1; t <= 5; ++t) {
    const double ab = std::pow(0.9, t);  // ᾱ_t = (1 − β)^t
    EXPECT_DOUBLE_EQ(c.x[t], t);
    EXPECT_NEAR(c.alpha_bar[t], ab, 1e-12);
    EXPECT_NEAR(c.sqrt_alpha_bar[t], std::sqrt(ab), 1e-12);
    EXPECT_NEAR(c.sqrt_one_minus_alpha_bar[t], std::sqrt(1 - ab), 1e-12);
    EXPECT_NEAR(c.beta[t], 0.1, 1e-12);
    EXPECT_NEAR(c.snr[t], ab / (1 - ab), 1e-9);
    EXPECT_NEAR(c.log_snr[t], std::log(ab / (1 - ab)), 1e-9);
    const double ab_prev = std::pow(0.9, t - 1);
    EXPECT_NEAR(c.posterior_variance[t], (1 - ab_prev) / (1 - ab) * 0.1, 1e-12);
  }
  const dg::ScheduleCurves f = dg::make_curves(diffusion::Schedule(p), true);
  EXPECT_DOUBLE_EQ(f.x[5], 1.0);
  EXPECT_DOUBLE_EQ(f.x[2], 0.4);

  const dg::CurveValues v = dg::curve_values(diffusion::Schedule(p), 99);  // clamped to T
  EXPECT_EQ(v.t, 5);
  EXPECT_NEAR(v.alpha_bar, std::pow(0.9, 5), 1e-12);
}

TEST(Curves, ZeroTerminalSnrLeavesAGapInsteadOfInfinity) {
  diffusion::ScheduleParams p;
  p.T = 100;
  p.zero_terminal_snr = true;
  const dg::ScheduleCurves c = dg::make_curves(diffusion::Schedule(p), false);
  EXPECT_TRUE(std::isnan(c.log_snr[100]));  // log 0 = −∞ is not drawn
  EXPECT_NEAR(c.snr[100], 0.0, 1e-12);
  EXPECT_TRUE(std::isfinite(c.log_snr[99]));
}

TEST(PointColors, HueWheel) {
  float r, g, b;
  dg::hsv_to_rgb(0.0f, 1.0f, 1.0f, &r, &g, &b);
  EXPECT_FLOAT_EQ(r, 1.0f); EXPECT_FLOAT_EQ(g, 0.0f); EXPECT_FLOAT_EQ(b, 0.0f);
  dg::hsv_to_rgb(1.0f / 3.0f, 1.0f, 1.0f, &r, &g, &b);
  EXPECT_NEAR(r, 0.0f, 1e-5); EXPECT_NEAR(g, 1.0f, 1e-5); EXPECT_NEAR(b, 0.0f, 1e-5);
  dg::hsv_to_rgb(-1.0f / 3.0f, 1.0f, 0.5f, &r, &g, &b);  // wraps to 2/3: blue
  EXPECT_NEAR(r, 0.0f, 1e-5); EXPECT_NEAR(g, 0.0f, 1e-5); EXPECT_NEAR(b, 0.5f, 1e-5);
}

TEST(PointColors, ColourFollowsTheAngleAroundTheCentre) {
  // Finite points (2, 1), (0, 1), (5, 1): centre (7/3, 1). The first two lie in direction π from
  // it, the third in direction 0; the last point is not finite.
  const float xy[] = {2, 1, 0, 1, 5, 1, NAN, 0};
  const auto c = dg::start_position_colors(xy, 4, 1.0f, false);
  ASSERT_EQ(c.size(), 4u);
  EXPECT_EQ(c[0], c[1]);        // same direction, same colour (distance does not matter)
  EXPECT_NE(c[0], c[2]);        // opposite directions differ
  EXPECT_EQ(c[0] >> 24, 255u);  // alpha in the high byte (IM_COL32 packing)
  const std::uint32_t grey = c[3] & 0xFFu;
  EXPECT_EQ(grey, (c[3] >> 8) & 0xFFu);
  EXPECT_EQ(grey, (c[3] >> 16) & 0xFFu);
  // Direction 0 is hue 0 (red at saturation 0.7, value 0.98): red is the largest channel.
  EXPECT_GT(c[2] & 0xFFu, (c[2] >> 8) & 0xFFu);
  EXPECT_GT(c[2] & 0xFFu, (c[2] >> 16) & 0xFFu);
}

TEST(Layout, UiScaleIsCappedByTheWindowItIsDrawnIn) {
  // 720 lines hold the lecture layout up to 1.5 (height / 480), 1280 columns likewise (width / 853);
  // a full-HD window takes 2 as asked; nothing goes below 1 or above the slider's 3; an unknown
  // size (the first frame) keeps what was asked.
  EXPECT_FLOAT_EQ(dg::effective_ui_scale(2.0f, 1280.0f, 720.0f), std::min(720.0f / 480.0f, 1280.0f / 853.0f));
  EXPECT_NEAR(dg::effective_ui_scale(2.0f, 1280.0f, 720.0f), 1.5f, 0.001f);
  EXPECT_FLOAT_EQ(dg::effective_ui_scale(1.25f, 1280.0f, 720.0f), 1.25f);
  EXPECT_FLOAT_EQ(dg::effective_ui_scale(2.0f, 1920.0f, 1080.0f), 2.0f);
  EXPECT_FLOAT_EQ(dg::effective_ui_scale(3.0f, 1920.0f, 1080.0f), 1080.0f / 480.0f);
  EXPECT_FLOAT_EQ(dg::effective_ui_scale(2.0f, 1600.0f, 900.0f), 900.0f / 480.0f);
  EXPECT_FLOAT_EQ(dg::effective_ui_scale(2.0f, 2560.0f, 720.0f), 1.5f);     // a wide, short window: height
  EXPECT_FLOAT_EQ(dg::effective_ui_scale(1.5f, 640.0f, 480.0f), 1.0f);      // tiny: never below 1
  EXPECT_FLOAT_EQ(dg::effective_ui_scale(5.0f, 3840.0f, 2160.0f), 3.0f);    // the slider's range
  EXPECT_FLOAT_EQ(dg::effective_ui_scale(2.0f, 0.0f, 0.0f), 2.0f);
}
