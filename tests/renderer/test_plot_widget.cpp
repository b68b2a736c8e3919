// The plot widget needs an ImGui context but no GL: the font atlas is built on the CPU and the
// draw lists are inspected after ImGui::Render().
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "renderer/histogram_plot.hpp"
#include "renderer/plot_widget.hpp"

using namespace renderer;

namespace {

class ImGuiFrame : public ::testing::Test {
 protected:
  void SetUp() override {
    context_ = ImGui::CreateContext();
    ImGuiIO& io = ImGui::GetIO();
    io.DisplaySize = ImVec2(800, 600);
    io.DeltaTime = 1.0f / 60.0f;
    io.IniFilename = nullptr;
    unsigned char* pixels = nullptr;
    int w = 0, h = 0;
    io.Fonts->GetTexDataAsRGBA32(&pixels, &w, &h);
  }
  void TearDown() override { ImGui::DestroyContext(context_); }

  // One frame with the mouse at `mouse`; `body` draws inside a full-screen window.
  template <typename Body>
  void frame(ImVec2 mouse, bool mouse_down, Body body) {
    ImGuiIO& io = ImGui::GetIO();
    io.MousePos = mouse;
    io.MouseDown[0] = mouse_down;
    ImGui::NewFrame();
    ImGui::SetNextWindowPos(ImVec2(0, 0));
    ImGui::SetNextWindowSize(io.DisplaySize);
    ImGui::Begin("plots", nullptr, ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove);
    body();
    ImGui::End();
    ImGui::Render();
  }

  static int total_vertices() {
    ImDrawData* data = ImGui::GetDrawData();
    return data ? data->TotalVtxCount : 0;
  }

  ImGuiContext* context_ = nullptr;
};

}  // namespace

TEST_F(ImGuiFrame, PlotDrawsAndHoverMapsBackToData) {
  std::vector<double> t(1000), y(1000);
  for (int i = 0; i < 1000; ++i) {
    t[i] = i + 1;
    y[i] = std::exp(-i / 300.0);
  }
  PlotOptions options;
  options.title = "alpha_bar";
  options.x_label = "t";
  options.x_range = AxisRange{1, 1000};
  options.size = ImVec2(600, 300);
  options.cursor_x = 500.0;
  std::vector<PlotSeries> series = {{"A", t.data(), y.data(), 1000, IM_COL32(255, 0, 0, 255), 2.0f, false},
                                    {"B", t.data(), y.data(), 1000, IM_COL32(0, 0, 255, 255), 2.0f, true}};

  // Frame 1: learn the layout with the mouse far away.
  PlotInteraction first;
  frame(ImVec2(-100, -100), false, [&] { first = draw_plot("curves", series, options); });
  EXPECT_FALSE(first.hovered);
  EXPECT_GT(total_vertices(), 500);
  ASSERT_GT(first.inner_max.x, first.inner_min.x + 100);
  EXPECT_FLOAT_EQ(first.x_map.pixel_min, first.inner_min.x);

  // Frame 2: mouse at 3/4 of the data width: x = 1 + 0.75 * 999.
  float mx = first.inner_min.x + 0.75f * (first.inner_max.x - first.inner_min.x);
  float my = 0.5f * (first.inner_min.y + first.inner_max.y);
  PlotInteraction second;
  frame(ImVec2(mx, my), false, [&] { second = draw_plot("curves", series, options); });
  ASSERT_TRUE(second.hovered);
  EXPECT_NEAR(second.hover_x, 1.0 + 0.75 * 999.0, 999.0 / (first.inner_max.x - first.inner_min.x));
  EXPECT_FALSE(second.clicked);

  // Outside the data area (on the tick labels) is not a hover.
  PlotInteraction third;
  frame(ImVec2(first.inner_min.x - 5, my), false, [&] { third = draw_plot("curves", series, options); });
  EXPECT_FALSE(third.hovered);
}

TEST_F(ImGuiFrame, PressAndDragReportsClick) {
  std::vector<double> t = {0, 1}, y = {0, 1};
  PlotOptions options;
  options.size = ImVec2(400, 200);
  std::vector<PlotSeries> series = {{"", t.data(), y.data(), 2, IM_COL32_WHITE, 2.0f, false}};
  PlotInteraction a;
  frame(ImVec2(-100, -100), false, [&] { a = draw_plot("p", series, options); });
  ImVec2 inside(0.5f * (a.inner_min.x + a.inner_max.x), 0.5f * (a.inner_min.y + a.inner_max.y));
  frame(inside, false, [&] { a = draw_plot("p", series, options); });  // hover first
  frame(inside, true, [&] { a = draw_plot("p", series, options); });   // press
  EXPECT_TRUE(a.clicked);
  EXPECT_NEAR(a.hover_x, 0.5, 0.02);
  // Dragging beyond the right edge keeps the plot active, clamped to the range end.
  frame(ImVec2(a.inner_max.x + 200, inside.y), true, [&] { a = draw_plot("p", series, options); });
  EXPECT_TRUE(a.clicked);
  EXPECT_FALSE(a.hovered);
  EXPECT_NEAR(a.hover_x, 1.0, 1e-6);
}

TEST_F(ImGuiFrame, LogPlotWithZerosAndNanDoesNotProduceNanVertices) {
  std::vector<double> t(4000), snr(4000);
  for (int i = 0; i < 4000; ++i) {
    t[i] = i + 1;
    snr[i] = i == 3999 ? 0.0 : (i == 100 ? std::nan("") : 1e4 * std::exp(-i / 300.0));
  }
  PlotOptions options;
  options.y_scale = AxisScale::Log10;
  options.size = ImVec2(500, 250);
  std::vector<PlotSeries> series = {{"SNR", t.data(), snr.data(), 4000, IM_COL32(0, 255, 0, 255), 2.0f, false}};
  PlotInteraction a;
  frame(ImVec2(-100, -100), false, [&] { a = draw_plot("snr", series, options); });
  EXPECT_EQ(a.y_map.scale, AxisScale::Log10);
  EXPECT_GT(a.y_map.data_min, 0.0);
  ImDrawData* data = ImGui::GetDrawData();
  ASSERT_NE(data, nullptr);
  int vertices = 0;
  for (int l = 0; l < data->CmdListsCount; ++l) {
    const ImDrawList* list = data->CmdLists[l];
    for (const ImDrawVert& v : list->VtxBuffer) {
      ASSERT_TRUE(std::isfinite(v.pos.x) && std::isfinite(v.pos.y));
      ++vertices;
    }
  }
  // 4000 points over ~450 px are reduced per column: far fewer vertices than 4000 segments need.
  EXPECT_GT(vertices, 100);
  EXPECT_LT(vertices, 4000 * 8);
}

TEST_F(ImGuiFrame, HistogramPlotDraws) {
  std::vector<float> samples;
  for (int i = -50; i <= 50; ++i) samples.push_back(i / 20.0f);
  DensityHistogram hist = density_histogram(samples.data(), static_cast<int>(samples.size()), 1, -4, 4, 16);
  HistogramPlotOptions options;
  options.plot.size = ImVec2(400, 200);
  PlotInteraction a;
  frame(ImVec2(-100, -100), false, [&] { a = draw_histogram_plot("hist", hist, options); });
  EXPECT_DOUBLE_EQ(a.x_map.data_min, -4.0);
  EXPECT_DOUBLE_EQ(a.y_map.data_min, 0.0);
  EXPECT_GT(total_vertices(), 100);
}

TEST_F(ImGuiFrame, AutoLegendAvoidsTheCurve) {
  // A 100x50 px legend in a 400x200 area. x^3 alone leaves the top-left empty. Adding the
  // diagonal 1 - x fills top-left and bottom-right; x^3 fills bottom-left and only the tip of
  // top-right (about 10 of its 101 points against ~27-29 in the other corners).
  std::vector<double> x(101), rising(101), falling(101);
  for (int i = 0; i <= 100; ++i) {
    x[i] = i / 100.0;
    rising[i] = x[i] * x[i] * x[i];            // hugs the bottom, then climbs at the right
    falling[i] = 1.0 - x[i];                   // top-left to bottom-right diagonal
  }
  AxisMapping x_map{AxisScale::Linear, 0.0, 1.0, 0.0f, 400.0f};
  AxisMapping y_map{AxisScale::Linear, 0.0, 1.0, 200.0f, 0.0f};
  std::vector<PlotSeries> only_rising = {{"r", x.data(), rising.data(), 101, IM_COL32_WHITE, 2.0f, false}};
  EXPECT_EQ(choose_legend_corner(only_rising, x_map, y_map, ImVec2(0, 0), ImVec2(400, 200), ImVec2(100, 50), 5.0f),
            LegendCorner::TopLeft);
  std::vector<PlotSeries> both = {{"r", x.data(), rising.data(), 101, IM_COL32_WHITE, 2.0f, false},
                                  {"f", x.data(), falling.data(), 101, IM_COL32_WHITE, 2.0f, false}};
  EXPECT_EQ(choose_legend_corner(both, x_map, y_map, ImVec2(0, 0), ImVec2(400, 200), ImVec2(100, 50), 5.0f),
            LegendCorner::TopRight);
  std::vector<PlotSeries> none;
  EXPECT_EQ(choose_legend_corner(none, x_map, y_map, ImVec2(0, 0), ImVec2(400, 200), ImVec2(100, 50), 5.0f),
            LegendCorner::TopRight);
}
