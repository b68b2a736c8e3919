// The drawn dataset's editing rules (gui/state/drawing.hpp): dabs, the eraser, clear, undo, the cap.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>

#include "diffusion/point_csv.hpp"
#include "gui/lecture/lecture_inputs.hpp"
#include "gui/state/drawing.hpp"
#include "gui/state/limits.hpp"
#include "gui/state/model_follow.hpp"
#include "gui/state/point_colors.hpp"

namespace diffuscope::gui {
namespace {

TEST(DrawingEdit, DabScattersAroundTheMouseWithTheBrushSpread) {
  Brush brush;
  brush.points = kMaxBrushPoints;
  brush.spread = 0.2;
  brush.class_id = 3;
  diffusion::LabelledPoints2D points;
  // 40 dabs of 50 points: the sample mean and standard deviation of 2000 N(mu, 0.2²) draws.
  for (int d = 0; d < 40; ++d) points = add_dab(points, 1.5, -0.5, brush, 1000 + d);
  ASSERT_EQ(points.size(), 40 * kMaxBrushPoints);
  ASSERT_EQ(points.xy.size(), 2u * points.class_id.size());
  EXPECT_EQ(points.num_classes, 4);
  double sx = 0, sy = 0, sxx = 0, syy = 0;
  for (int i = 0; i < points.size(); ++i) {
    EXPECT_EQ(points.class_id[i], 3);
    const double x = points.xy[2 * i], y = points.xy[2 * i + 1];
    sx += x; sy += y; sxx += x * x; syy += y * y;
  }
  const double n = points.size();
  const double mean_x = sx / n, mean_y = sy / n;
  // Standard error of the mean: 0.2 / sqrt(2000) = 0.0045; 5 standard errors.
  EXPECT_NEAR(mean_x, 1.5, 0.023);
  EXPECT_NEAR(mean_y, -0.5, 0.023);
  // Standard error of the sd: 0.2 / sqrt(2 · 2000) = 0.0032; 5 standard errors.
  EXPECT_NEAR(std::sqrt(sxx / n - mean_x * mean_x), 0.2, 0.016);
  EXPECT_NEAR(std::sqrt(syy / n - mean_y * mean_y), 0.2, 0.016);
}

TEST(DrawingEdit, SameSeedSameDabAndZeroSpreadHitsTheMouse) {
  Brush brush;
  brush.points = 5;
  const auto a = add_dab({}, 0.3, 0.4, brush, 42);
  const auto b = add_dab({}, 0.3, 0.4, brush, 42);
  const auto c = add_dab({}, 0.3, 0.4, brush, 43);
  EXPECT_EQ(a.xy, b.xy);
  EXPECT_NE(a.xy, c.xy);
  brush.spread = 0.0;
  const auto exact = add_dab({}, 0.3, 0.4, brush, 42);
  for (int i = 0; i < exact.size(); ++i) {
    EXPECT_FLOAT_EQ(exact.xy[2 * i], 0.3f);
    EXPECT_FLOAT_EQ(exact.xy[2 * i + 1], 0.4f);
  }
}

TEST(DrawingEdit, BrushIsClampedIntoItsLimits) {
  Brush wild;
  wild.points = 100000;
  wild.spread = std::nan("");
  wild.class_id = 99;
  const Brush b = clamped_brush(wild);
  EXPECT_EQ(b.points, kMaxBrushPoints);
  EXPECT_EQ(b.spread, kMinBrushSpread);
  EXPECT_EQ(b.class_id, kMaxBrushClass);
  const auto points = add_dab({}, 0, 0, wild, 1);
  EXPECT_EQ(points.size(), kMaxBrushPoints);
  EXPECT_EQ(points.num_classes, kMaxBrushClass + 1);
  Brush tiny;
  tiny.spread = 0.01;
  EXPECT_EQ(erase_radius(tiny), kMinEraseRadius);
  tiny.spread = 0.5;
  EXPECT_DOUBLE_EQ(erase_radius(tiny), 0.5 * kEraseRadiusPerSpread);
}

TEST(DrawingEdit, EraseRemovesExactlyThePointsWithinTheRadius) {
  diffusion::LabelledPoints2D points;
  points.xy = {0.0f, 0.0f, 0.5f, 0.0f, 0.0f, 1.5f, 3.0f, 3.0f};
  points.class_id = {0, 1, 2, 1};
  points.num_classes = 3;
  const auto kept = erase_near(points, 0.0, 0.0, 0.6);
  ASSERT_EQ(kept.size(), 2);
  EXPECT_EQ(kept.xy, (std::vector<float>{0.0f, 1.5f, 3.0f, 3.0f}));
  EXPECT_EQ(kept.class_id, (std::vector<int>{2, 1}));
  EXPECT_EQ(kept.num_classes, 3);
}

TEST(DrawingEdit, StrokesClearReplaceAndUndo) {
  Drawing drawing;
  EXPECT_TRUE(drawing.empty());
  EXPECT_FALSE(drawing.undo());
  Brush brush;
  brush.points = 10;
  drawing.begin_stroke();
  drawing.dab(0, 0, brush);
  drawing.dab(1, 0, brush);
  EXPECT_EQ(drawing.size(), 20);
  const DrawnPoints after_first = drawing.points();
  drawing.begin_stroke();
  drawing.dab(2, 0, brush);
  EXPECT_NE(drawing.points(), after_first);  // a new point set per edit: jobs compare by identity
  EXPECT_EQ(drawing.size(), 30);
  drawing.begin_stroke();
  EXPECT_EQ(drawing.erase(2, 0, 10.0), 30);
  EXPECT_TRUE(drawing.empty());
  ASSERT_TRUE(drawing.undo());
  EXPECT_EQ(drawing.size(), 30);
  ASSERT_TRUE(drawing.undo());
  EXPECT_EQ(drawing.points(), after_first);  // a whole stroke undone at once
  drawing.clear();
  EXPECT_TRUE(drawing.empty());
  ASSERT_TRUE(drawing.undo());
  EXPECT_EQ(drawing.size(), 20);
  diffusion::LabelledPoints2D two;
  two.xy = {1, 2, 3, 4};
  two.class_id = {0, 1};
  two.num_classes = 2;
  drawing.replace(two);
  EXPECT_EQ(drawing.size(), 2);
  ASSERT_TRUE(drawing.undo());
  EXPECT_EQ(drawing.size(), 20);
  ASSERT_TRUE(drawing.undo());
  EXPECT_TRUE(drawing.empty());
  EXPECT_FALSE(drawing.undo());
}

TEST(DrawingEdit, ReplaceRejectsBrokenPointSets) {
  Drawing drawing;
  diffusion::LabelledPoints2D bad;
  bad.xy = {1, 2, 3};
  bad.class_id = {0, 0};
  EXPECT_THROW(drawing.replace(bad), std::invalid_argument);
  bad.xy = {1, 2};
  bad.class_id = {2};
  bad.num_classes = 2;
  EXPECT_THROW(drawing.replace(bad), std::invalid_argument);
  diffusion::LabelledPoints2D big;
  big.xy.assign(2 * (kMaxDrawnPoints + 1), 0.0f);
  big.class_id.assign(kMaxDrawnPoints + 1, 0);
  EXPECT_THROW(drawing.replace(big), std::invalid_argument);
  EXPECT_TRUE(drawing.empty());
  EXPECT_FALSE(drawing.can_undo());
}

TEST(DrawingEdit, UndoHistoryIsBounded) {
  Drawing drawing;
  Brush brush;
  brush.points = 1;
  for (int i = 0; i < kMaxDrawingUndo + 10; ++i) {
    drawing.begin_stroke();
    drawing.dab(i, 0, brush);
  }
  EXPECT_EQ(drawing.undo_depth(), kMaxDrawingUndo);
  int undone = 0;
  while (drawing.undo()) ++undone;
  EXPECT_EQ(undone, kMaxDrawingUndo);
  EXPECT_EQ(drawing.size(), 10);  // the 10 oldest strokes are beyond the history
}

TEST(DrawingEdit, NeverMoreThanTheCap) {
  Drawing drawing;
  Brush brush;
  brush.points = kMaxBrushPoints;
  int dabs = 0;
  while (drawing.dab(0, 0, brush)) ++dabs;
  EXPECT_EQ(drawing.size(), kMaxDrawnPoints);
  EXPECT_EQ(dabs, (kMaxDrawnPoints + kMaxBrushPoints - 1) / kMaxBrushPoints);
  // The last dab is cut to the room left.
  diffusion::LabelledPoints2D almost;
  almost.xy.assign(2 * (kMaxDrawnPoints - 3), 0.0f);
  almost.class_id.assign(kMaxDrawnPoints - 3, 0);
  EXPECT_EQ(add_dab(almost, 0, 0, brush, 1).size(), kMaxDrawnPoints);
}

TEST(PointColors, ClassesGetDistinctColoursThatRepeatAfterThePalette) {
  for (bool light : {false, true}) {
    for (int a = 0; a < kClassColorCount; ++a) {
      EXPECT_EQ(class_color(a, 1.0f, light) >> 24, 255u);
      EXPECT_EQ(class_color(a + kClassColorCount, 1.0f, light), class_color(a, 1.0f, light));
      for (int b = a + 1; b < kClassColorCount; ++b) EXPECT_NE(class_color(a, 1.0f, light), class_color(b, 1.0f, light));
    }
  }
  // The brush classes 0..kMaxBrushClass each have a colour of their own.
  EXPECT_EQ(kMaxBrushClass + 1, kClassColorCount);
  const int classes[] = {0, 2, -1};
  const auto colors = class_colors(classes, 3, 0.5f, false);
  ASSERT_EQ(colors.size(), 3u);
  EXPECT_EQ(colors[1], class_color(2, 0.5f, false));
  EXPECT_EQ(colors[0] >> 24, 128u);  // alpha 0.5 rounds to 128
  EXPECT_EQ(colors[2] & 0xFFu, (colors[2] >> 8) & 0xFFu);  // no class: grey
}

// A CSV dropped on the window, and the File menu's export (lecture_inputs.hpp), in a fresh folder.
class DrawingCsv : public ::testing::Test {
 protected:
  void SetUp() override {
    folder_ = std::filesystem::temp_directory_path() / ("diffuscope_drawing_csv_" + std::to_string(::getpid()));
    std::filesystem::remove_all(folder_);
    std::filesystem::create_directories(folder_);
    old_cwd_ = std::filesystem::current_path();
    std::filesystem::current_path(folder_);
  }
  void TearDown() override {
    std::filesystem::current_path(old_cwd_);
    std::error_code ec;
    std::filesystem::remove_all(folder_, ec);
  }
  std::string write(const std::string& name, const std::string& text) {
    const std::string path = (folder_ / name).string();
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }
  std::filesystem::path folder_, old_cwd_;
};

TEST_F(DrawingCsv, ABadFileIsNamedWithLineAndColumnAndTheDataStay) {
  AppState state;
  state.dataset = diffusion::Dataset2DKind::Circles;
  const std::string bad = write("bad.csv", "x,y,class\n0.5,1,0\n0.25,-1,1\n2,3,x\n");
  EXPECT_FALSE(load_drawing_csv(state, bad));
  ASSERT_EQ(state.notifications.size(), 1u);
  EXPECT_EQ(state.notifications.back().level, WarningLevel::Warning);
  EXPECT_NE(state.notifications.back().text.find(bad + ": line 4, column 3 (class)"), std::string::npos)
      << state.notifications.back().text;
  EXPECT_FALSE(state.use_drawing);
  EXPECT_TRUE(state.drawing.empty());
  EXPECT_FALSE(state.drawing.can_undo());
}

TEST_F(DrawingCsv, AGoodFileBecomesTheDataAndExportWritesItBack) {
  AppState state;
  const std::string good = write("points.csv", "0.5,1\n-0.25,2\n");  // no header, no class column
  ASSERT_TRUE(load_drawing_csv(state, good));
  EXPECT_TRUE(state.use_drawing);
  EXPECT_EQ(state.drawing.points()->xy, (std::vector<float>{0.5f, 1.0f, -0.25f, 2.0f}));
  EXPECT_EQ(state.drawing.points()->class_id, (std::vector<int>{0, 0}));
  EXPECT_EQ(drawn_data(state), state.drawing.points());
  EXPECT_EQ(make_forward_job(state).drawn, state.drawing.points());
  EXPECT_NE(data_label(state).find("2 points"), std::string::npos);

  // Exports never overwrite: drawing.csv, then drawing-2.csv.
  const std::string first = export_drawing_csv(state);
  const std::string second = export_drawing_csv(state);
  EXPECT_EQ(std::filesystem::path(first).filename(), "drawing.csv");
  EXPECT_EQ(std::filesystem::path(second).filename(), "drawing-2.csv");
  EXPECT_NE(state.notifications.back().text.find(second), std::string::npos);
  const diffusion::PointCsvResult back = diffusion::read_point_csv(first);
  ASSERT_TRUE(back.ok()) << back.error;
  EXPECT_EQ(back.points.xy, state.drawing.points()->xy);
  EXPECT_EQ(back.points.class_id, state.drawing.points()->class_id);

  // Undo goes back to the drawing before the file.
  ASSERT_TRUE(state.drawing.undo());
  EXPECT_TRUE(state.drawing.empty());
  EXPECT_EQ(export_drawing_csv(state), "");  // nothing to export: a warning, no file
}

TEST_F(DrawingCsv, TheJobsOnADrawingCarryItAndKeepTheModelPanels) {
  AppState state;
  state.reverse.panel_count = 2;
  ReverseJob named = with_drawing(make_reverse_job(state.reverse, state.a.schedule(), state.dataset, 0, 0), state);
  EXPECT_EQ(named.drawn, nullptr);
  ASSERT_EQ(named.panels.size(), 2u);
  state.reverse.panels[0].denoiser = DenoiserKind::Model;
  state.reverse.panels[0].model_target = diffusion::PredictionTarget::Eps;
  named = with_drawing(make_reverse_job(state.reverse, state.a.schedule(), state.dataset, 0, 0), state);
  EXPECT_EQ(named.panels[0].denoiser, DenoiserKind::Model);  // a named dataset keeps its learned model
  EXPECT_EQ(named.panels[0].model_target, diffusion::PredictionTarget::Eps);
  EXPECT_EQ(with_drawing(make_training_job(state.reverse, state.dataset), state).drawn, nullptr);

  state.use_drawing = true;
  ASSERT_TRUE(state.drawing.dab(0.0, 0.0, Brush{}));
  const ReverseJob drawn = with_drawing(make_reverse_job(state.reverse, state.a.schedule(), state.dataset, 0, 0), state);
  EXPECT_EQ(drawn.drawn, state.drawing.points());
  // A Model panel stays one (the worker uses the drawing's model, or the exact denoiser, labelled,
  // while there is none); the drawing has one model, so no per-target one is asked for.
  EXPECT_EQ(drawn.panels[0].denoiser, DenoiserKind::Model);
  EXPECT_FALSE(drawn.panels[0].model_target.has_value());
  EXPECT_EQ(drawn.panels[1].denoiser, state.reverse.panels[1].denoiser);
  // The Train panel trains on the drawing.
  EXPECT_EQ(with_drawing(make_training_job(state.reverse, state.dataset), state).drawn, state.drawing.points());

  // An edited drawing restarts the reverse run (a new point set: the worker's exact denoiser and
  // the drawing's model follow it).
  state.drawing.begin_stroke();
  ASSERT_TRUE(state.drawing.dab(1.0, 1.0, Brush{}));
  const ReverseJob edited = with_drawing(make_reverse_job(state.reverse, state.a.schedule(), state.dataset, 0, 0), state);
  EXPECT_TRUE(restarts_run(drawn, edited));
  EXPECT_FALSE(restarts_run(drawn, drawn));
}

// A training publishes a model every ~2 s; the reverse run shown restarts with a newer one only
// once it has played out (or the training ended), so every watched run reaches x_0.
TEST(DrawnModelFollow, ANewerModelWaitsUntilTheShownRunHasPlayedOut) {
  // Nothing newer: the run's own model.
  EXPECT_EQ(followed_model_revision(4, 4, false, true), 4u);
  // Newer while training and the run still plays: kept.
  EXPECT_EQ(followed_model_revision(5, 4, false, true), 4u);
  // Played out, or no run sent yet: the newest.
  EXPECT_EQ(followed_model_revision(5, 4, true, true), 5u);
  // The training ended (its final model): at once.
  EXPECT_EQ(followed_model_revision(6, 4, false, false), 6u);
  // The first model of a drawing replaces the exact stand-in once the run has played out.
  EXPECT_EQ(followed_model_revision(1, 0, false, true), 0u);
  EXPECT_EQ(followed_model_revision(1, 0, true, true), 1u);
}

}  // namespace
}  // namespace diffuscope::gui
