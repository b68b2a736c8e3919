// A drawn dataset in the worker (issue 17): the forward view noises the drawing's own points and
// reports their classes; the reverse view's exact denoiser is trained on the drawing, for Model
// panels too while no model has been trained on it (test_drawn_training.cpp: once one has), and
// its samples land on the drawn points.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "diffusion/datasets2d.hpp"
#include "diffusion/schedule.hpp"
#include "eventually.hpp"
#include "gui/compute/forward_compute.hpp"
#include "gui/protocol/worker.hpp"
#include "../support/scoped_empty_assets.hpp"

namespace diffuscope::gui {
namespace {

using namespace std::chrono_literals;

std::shared_ptr<const diffusion::LabelledPoints2D> drawn_two_points() {
  auto points = std::make_shared<diffusion::LabelledPoints2D>();
  points->xy = {2.0f, 0.5f, -1.5f, -1.0f};
  points->class_id = {0, 3};
  points->num_classes = 4;
  return points;
}

TEST(DrawnDataWorker, ForwardNoisesTheDrawnPointsAndReportsTheirClasses) {
  ForwardComputer computer("cpu", 0);
  ForwardJob job;
  job.drawn = drawn_two_points();
  job.t = 0;
  const ForwardFrame at_zero = computer.compute(job);
  EXPECT_TRUE(at_zero.drawn);
  EXPECT_EQ(at_zero.x0_xy, job.drawn->xy);
  EXPECT_EQ(at_zero.a.xt_xy, job.drawn->xy);  // x_0 itself at t = 0
  EXPECT_EQ(at_zero.classes, job.drawn->class_id);

  // At t the closed form x_t = √ᾱ_t x_0 + √(1 − ᾱ_t) ε: ε recovered from x_t must be the same
  // fixed ε at another t (one ε per point, whatever the schedule's t).
  const diffusion::Schedule& schedule = *job.schedule_a;
  auto eps_at = [&](int t) {
    job.t = t;
    const ForwardFrame frame = computer.compute(job);
    std::vector<double> eps;
    for (std::size_t i = 0; i < frame.a.xt_xy.size(); ++i)
      eps.push_back((frame.a.xt_xy[i] - std::sqrt(schedule.alpha_bar(t)) * job.drawn->xy[i]) /
                    std::sqrt(1.0 - schedule.alpha_bar(t)));
    return eps;
  };
  const std::vector<double> eps_100 = eps_at(100), eps_900 = eps_at(900);
  for (std::size_t i = 0; i < eps_100.size(); ++i) EXPECT_NEAR(eps_100[i], eps_900[i], 1e-4) << i;

  // The same drawing keeps x_0 (revision unchanged); an edited drawing (a new set) replaces it.
  const std::uint64_t revision = computer.compute(job).x0_revision;
  auto edited = std::make_shared<diffusion::LabelledPoints2D>(*job.drawn);
  edited->xy[0] = 3.0f;
  job.drawn = edited;
  const ForwardFrame after_edit = computer.compute(job);
  EXPECT_NE(after_edit.x0_revision, revision);
  EXPECT_EQ(after_edit.x0_xy[0], 3.0f);

  // An empty canvas is no error: no points.
  job.drawn = std::make_shared<const diffusion::LabelledPoints2D>();
  job.process = ForwardProcess::Markov;
  const ForwardFrame empty = computer.compute(job);
  EXPECT_TRUE(empty.a.xt_xy.empty());
  EXPECT_TRUE(empty.classes.empty());
}

TEST(DrawnDataWorker, NamedDatasetsReportTheirNaturalClasses) {
  ForwardComputer computer("cpu", 0);
  ForwardJob job;
  job.dataset = diffusion::Dataset2DKind::EightGaussians;
  job.n_points = 400;
  const ForwardFrame frame = computer.compute(job);
  EXPECT_FALSE(frame.drawn);
  ASSERT_EQ(frame.classes.size(), frame.labels.size());
  for (std::size_t i = 0; i < frame.labels.size(); ++i) {
    EXPECT_EQ(frame.classes[i], diffusion::dataset2d_class_of_label(job.dataset, frame.labels[i]));
    EXPECT_GE(frame.classes[i], 0);
    EXPECT_LT(frame.classes[i], 8);
  }
}

TEST(DrawnDataWorker, ReverseExactDenoiserSamplesTheDrawingEvenForAModelPanel) {
  // No shipped models: a Model panel would fail on a named dataset; on a drawing it is exact.
  const diffuscope::test_support::ScopedEmptyAssets no_shipped_models;
  {
    Worker worker("cpu", 0);
    ReverseJob job;
    ReversePanelSpec spec;
    diffusion::ScheduleParams params;
    params.T = 200;
    params.scale_with_T = true;
    spec.schedule = panel_schedule(params);
    spec.sampler.sigma = diffusion::SigmaKind::Small;
    spec.denoiser = DenoiserKind::Model;
    job.panels = {spec};
    job.n_points = 200;
    job.drawn = drawn_two_points();
    const std::uint64_t generation = worker.submit_reverse(job);
    std::shared_ptr<const ReverseFrame> frame;
    test_support::eventually(
        [&] {
          frame = worker.latest_reverse();
          return frame && frame->generation >= generation && !frame->running;
        },
        20000ms);
    ASSERT_TRUE(frame);
    ASSERT_EQ(frame->panels.size(), 1u);
    EXPECT_EQ(frame->panels[0].error, "");
    EXPECT_NE(frame->model_description.find("drawing"), std::string::npos) << frame->model_description;
    EXPECT_EQ(frame->data_xy, job.drawn->xy);
    // The last step of σ² = β̃ is its mean, x0_hat: a sample ends on a drawn point (the exact
    // denoiser's posterior over two points far apart is all but certain by then).
    const std::vector<float>& x = frame->panels[0].xt_xy;
    ASSERT_EQ(x.size(), 400u);
    int near_first = 0, near_second = 0;
    for (std::size_t i = 0; i < 200; ++i) {
      const double d0 = std::hypot(x[2 * i] - 2.0, x[2 * i + 1] - 0.5);
      const double d1 = std::hypot(x[2 * i] + 1.5, x[2 * i + 1] + 1.0);
      near_first += d0 < 1e-3;
      near_second += d1 < 1e-3;
    }
    EXPECT_EQ(near_first + near_second, 200);
    // Both points are reached (each has prior mass 1/2: 200 draws, P(all one) = 2^-199).
    EXPECT_GT(near_first, 50);
    EXPECT_GT(near_second, 50);
  }
}

}  // namespace
}  // namespace diffuscope::gui
