// Guided panels of the reverse view through the Worker's public API (issue 17, item 3): the exact
// conditional denoiser at w = 1 lands on its class's training points, w = 0 with a class is the
// unconditional panel, the learned conditional model runs and its panel says class, w and the
// doubled NFE, a dataset without a conditional model gives the panel a clear error, and the frame's
// ε̂_∅ and ε̂_c of the picked point are the exact posterior means' (computed here in double
// precision from the definition, not with the code under test).
#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "diffusion/datasets2d.hpp"
#include "diffusion/seeding.hpp"
#include "diffusion/sliced_wasserstein.hpp"
#include "gui/protocol/worker.hpp"
#include "eventually.hpp"
#include "reverse_wait.hpp"

namespace diffuscope::gui {
namespace {

using namespace std::chrono_literals;

// Linear betas scaled with T = 200 (ᾱ_T ≈ e^-10): a short chain that still starts from N(0, I).
diffusion::ScheduleParams guided_test_schedule() {
  diffusion::ScheduleParams p;
  p.T = 200;
  p.scale_with_T = true;
  return p;
}

double guided_test_alpha_bar(int t) {
  double ab = 1.0;
  for (int s = 1; s <= t; ++s) ab *= 1.0 - (1e-4 + (0.02 - 1e-4) * (s - 1) / 199.0) * 5.0;
  return ab;
}

ReversePanelSpec guided_test_panel(int class_id, double w, DenoiserKind denoiser = DenoiserKind::Exact) {
  ReversePanelSpec spec;
  spec.schedule = panel_schedule(guided_test_schedule());
  spec.sampler.sigma = diffusion::SigmaKind::Small;
  spec.denoiser = denoiser;
  spec.class_id = class_id;
  spec.guidance = w;
  return spec;
}

ReverseJob guided_test_job(diffusion::Dataset2DKind dataset, int n, std::vector<ReversePanelSpec> panels) {
  ReverseJob job;
  job.panels = std::move(panels);
  job.dataset = dataset;
  job.n_points = n;
  job.exact_train_n = n;
  job.seed = 13;
  return job;
}

std::shared_ptr<const ReverseFrame> guided_test_wait(const Worker& worker, std::uint64_t generation,
                                                     std::chrono::milliseconds timeout = 60000ms) {
  return test_support::wait_reverse_finished(worker, generation, timeout);
}

// The share of samples whose nearest training point belongs to class_id.
double nearest_class_share(const std::vector<float>& samples, const diffusion::LabelledPoints2D& train,
                           int class_id) {
  int hits = 0;
  const std::size_t n = samples.size() / 2;
  for (std::size_t i = 0; i < n; ++i) {
    double best = std::numeric_limits<double>::infinity();
    int best_class = -2;
    for (int j = 0; j < train.size(); ++j) {
      const double dx = samples[2 * i] - train.xy[2 * static_cast<std::size_t>(j)];
      const double dy = samples[2 * i + 1] - train.xy[2 * static_cast<std::size_t>(j) + 1];
      if (dx * dx + dy * dy < best) best = dx * dx + dy * dy, best_class = train.class_id[static_cast<std::size_t>(j)];
    }
    hits += best_class == class_id;
  }
  return static_cast<double>(hits) / static_cast<double>(n);
}

// ε̂ of the exact denoiser over the points of class_id (every point for kNullClass) at x_t, from
// the definition: x̂₀ = Σ softmax(−|x_t − √ᾱ x₀ᵢ|² / 2(1 − ᾱ)) x₀ᵢ, ε̂ = (x_t − √ᾱ x̂₀) / √(1 − ᾱ).
std::array<double, 2> exact_eps_by_hand(const diffusion::LabelledPoints2D& train, int class_id, double x, double y,
                                        double ab) {
  std::vector<double> log_w;
  std::vector<std::array<double, 2>> points;
  for (int j = 0; j < train.size(); ++j) {
    if (class_id != diffusion::kNullClass && train.class_id[static_cast<std::size_t>(j)] != class_id) continue;
    const double px = train.xy[2 * static_cast<std::size_t>(j)], py = train.xy[2 * static_cast<std::size_t>(j) + 1];
    const double dx = x - std::sqrt(ab) * px, dy = y - std::sqrt(ab) * py;
    log_w.push_back(-(dx * dx + dy * dy) / (2.0 * (1.0 - ab)));
    points.push_back({px, py});
  }
  const double top = *std::max_element(log_w.begin(), log_w.end());
  double total = 0, mx = 0, my = 0;
  for (std::size_t k = 0; k < points.size(); ++k) {
    const double w = std::exp(log_w[k] - top);
    total += w, mx += w * points[k][0], my += w * points[k][1];
  }
  mx /= total, my /= total;
  return {(x - std::sqrt(ab) * mx) / std::sqrt(1.0 - ab), (y - std::sqrt(ab) * my) / std::sqrt(1.0 - ab)};
}

TEST(GuidedPanels, ExactConditionalAtWOneLandsOnTheClassPoints) {
  Worker worker("cpu", 0);
  const ReverseJob job = guided_test_job(diffusion::Dataset2DKind::Moons, 400, {guided_test_panel(1, 1.0)});
  const auto frame = guided_test_wait(worker, worker.submit_reverse(job));
  ASSERT_TRUE(frame && frame->panels.size() == 1u);
  const ReversePanelFrame& p = frame->panels[0];
  ASSERT_EQ(p.error, "");
  ASSERT_TRUE(p.finished);
  // The exact denoiser's training points, with their classes (the same points it uses).
  const diffusion::LabelledPoints2D train = diffusion::make_labelled_dataset2d(job.dataset, job.exact_train_n, job.seed);
  const double share = nearest_class_share(p.xt_xy, train, 1);
  EXPECT_GE(share, 0.95) << "samples of class 1 whose nearest training point is of class 1";
  // Unguided, the same seed spreads over both moons.
  EXPECT_LT(nearest_class_share(frame->data_xy, train, 1), 0.7);
}

TEST(GuidedPanels, AGuidedPanelsDistanceIsToItsClassPoints) {
  // The reference draw (the CLI's first evaluation draw, derive_seed(seed, 0xE7A1, 0)) filtered to
  // the panel's class: a class-1 cloud is far from all of moons (half of it is the other moon) but
  // close to moon 1; the unguided panel is still measured against all the data.
  Worker worker("cpu", 0);
  const ReverseJob job = guided_test_job(diffusion::Dataset2DKind::Moons, 400,
                                         {guided_test_panel(1, 1.0), guided_test_panel(diffusion::kNullClass, 1.0)});
  const std::uint64_t generation = worker.submit_reverse(job);
  std::shared_ptr<const ReverseFrame> frame;
  test_support::eventually(
      [&] {
        frame = worker.latest_reverse();
        if (!frame || frame->generation < generation || frame->running) return false;
        for (const ReversePanelFrame& p : frame->panels)  // each distance belongs to the shown state
          if (p.sliced_wasserstein_state != p.shown_state) return false;
        return true;
      },
      60000ms);
  ASSERT_TRUE(frame && frame->panels.size() == 2u);
  const ReversePanelFrame& guided = frame->panels[0];
  const ReversePanelFrame& unguided = frame->panels[1];
  EXPECT_EQ(guided.sliced_wasserstein_class, 1);
  EXPECT_EQ(unguided.sliced_wasserstein_class, -1);
  const diffusion::LabelledPoints2D reference =
      diffusion::make_labelled_dataset2d(job.dataset, job.n_points, diffusion::derive_seed(job.seed, 0xE7A1, 0));
  std::vector<float> class_one;
  for (int k = 0; k < reference.size(); ++k)
    if (reference.class_id[static_cast<std::size_t>(k)] == 1)
      class_one.insert(class_one.end(), {reference.xy[2 * static_cast<std::size_t>(k)], reference.xy[2 * static_cast<std::size_t>(k) + 1]});
  EXPECT_EQ(reference.xy, frame->data_xy);  // the same draw, with its labels
  EXPECT_NEAR(guided.sliced_wasserstein, diffusion::sliced_wasserstein_2d(guided.xt_xy, class_one, 128), 1e-9);
  EXPECT_LT(guided.sliced_wasserstein, 0.5 * diffusion::sliced_wasserstein_2d(guided.xt_xy, frame->data_xy, 128));
  EXPECT_NEAR(unguided.sliced_wasserstein, diffusion::sliced_wasserstein_2d(unguided.xt_xy, frame->data_xy, 128), 1e-9);
}

TEST(GuidedPanels, OnADrawingTheClassesAreTheBrushClasses) {
  // Two drawn blobs, class 0 at (−1.5, 0) and class 1 at (1.5, 0); a Model panel with a class uses
  // the exact conditional denoiser over the drawing (no model is trained on a drawing's classes).
  auto drawing = std::make_shared<diffusion::LabelledPoints2D>();
  drawing->num_classes = 2;
  for (int i = 0; i < 200; ++i) {
    const int c = i % 2;
    drawing->xy.push_back((c == 0 ? -1.5f : 1.5f) + 0.02f * static_cast<float>(i % 7));
    drawing->xy.push_back(0.03f * static_cast<float>(i % 11) - 0.15f);
    drawing->class_id.push_back(c);
  }
  ReverseJob job = guided_test_job(diffusion::Dataset2DKind::Moons, 300,
                                   {guided_test_panel(1, 1.0, DenoiserKind::Model), guided_test_panel(2, 1.0)});
  job.drawn = drawing;
  Worker worker("cpu", 0);
  const auto frame = guided_test_wait(worker, worker.submit_reverse(job));
  ASSERT_TRUE(frame && frame->panels.size() == 2u);
  const ReversePanelFrame& p = frame->panels[0];
  ASSERT_EQ(p.error, "");
  EXPECT_EQ(p.label, "class 1 · w = 1 · σ² = β̃ · NFE = 400 · K = 200 · exact");
  EXPECT_GE(nearest_class_share(p.xt_xy, *drawing, 1), 0.95);
  EXPECT_NE(frame->panels[1].error.find("class 2 is not a class of drawn (classes 0..1)"), std::string::npos)
      << frame->panels[1].error;
}

TEST(GuidedPanels, WZeroWithAClassIsTheUnconditionalPanelAtTwiceTheEvaluations) {
  Worker worker("cpu", 0);
  ReversePanelSpec unconditional = guided_test_panel(diffusion::kNullClass, 1.0);
  const ReverseJob job = guided_test_job(diffusion::Dataset2DKind::EightGaussians, 300,
                                         {unconditional, guided_test_panel(5, 0.0)});
  const auto frame = guided_test_wait(worker, worker.submit_reverse(job));
  ASSERT_TRUE(frame && frame->panels.size() == 2u);
  const ReversePanelFrame& a = frame->panels[0];
  const ReversePanelFrame& b = frame->panels[1];
  ASSERT_EQ(a.error, "");
  ASSERT_EQ(b.error, "");
  ASSERT_EQ(a.xt_xy.size(), b.xt_xy.size());
  float diff = 0;
  for (std::size_t i = 0; i < a.xt_xy.size(); ++i) diff = std::max(diff, std::abs(a.xt_xy[i] - b.xt_xy[i]));
  EXPECT_LE(diff, 1e-5f) << "w = 0 is the null class's prediction, exactly";
  EXPECT_EQ(a.label, "σ² = β̃ · NFE = 200 · K = 200 · exact");
  EXPECT_EQ(b.label, "class 5 · w = 0 · σ² = β̃ · NFE = 400 · K = 200 · exact");
}

TEST(GuidedPanels, LearnedConditionalModelRunsAndItsLabelSaysClassAndW) {
  Worker worker("cpu", 0);
  ReversePanelSpec spec = guided_test_panel(3, 3.0, DenoiserKind::Model);
  spec.sampler.sigma = diffusion::SigmaKind::DDIM;
  spec.steps = 20;
  const ReverseJob job = guided_test_job(diffusion::Dataset2DKind::EightGaussians, 500, {spec});
  const auto frame = guided_test_wait(worker, worker.submit_reverse(job));
  ASSERT_TRUE(frame && frame->panels.size() == 1u);
  const ReversePanelFrame& p = frame->panels[0];
  ASSERT_EQ(p.error, "");
  EXPECT_TRUE(p.finished);
  EXPECT_EQ(p.label, "class 3 · w = 3 · DDIM η = 0 · NFE = 40 · K = 20 · learned");
  EXPECT_NE(frame->model_description.find("8gaussians-cond.ckpt"), std::string::npos) << frame->model_description;
  // Guided towards centre 3: nearly every sample's nearest training point is of class 3.
  const diffusion::LabelledPoints2D train = diffusion::make_labelled_dataset2d(job.dataset, 2000, 1);
  EXPECT_GE(nearest_class_share(p.xt_xy, train, 3), 0.9);
  EXPECT_TRUE(worker.take_errors().empty());
}

TEST(GuidedPanels, DataWithoutAConditionalModelOrTheClassIsAPanelError) {
  Worker worker("cpu", 0);
  const ReverseJob job = guided_test_job(diffusion::Dataset2DKind::Spiral, 200,
                                         {guided_test_panel(1, 3.0, DenoiserKind::Model), guided_test_panel(7, 1.0),
                                          guided_test_panel(1, 2.0)});
  const auto frame = guided_test_wait(worker, worker.submit_reverse(job));
  ASSERT_TRUE(frame && frame->panels.size() == 3u);
  const std::string& missing = frame->panels[0].error;
  EXPECT_NE(missing.find("spiral-cond.ckpt"), std::string::npos) << missing;
  EXPECT_NE(missing.find("diffuscope train --conditional --name spiral"), std::string::npos) << missing;
  EXPECT_NE(frame->panels[1].error.find("class 7 is not a class of spiral (classes 0..1)"), std::string::npos)
      << frame->panels[1].error;
  EXPECT_EQ(frame->panels[2].error, "");  // the exact conditional denoiser serves every dataset
  EXPECT_TRUE(frame->panels[2].finished);
}

TEST(GuidedPanels, FrameCarriesTheExactPredictionsOfThePickedPoint) {
  Worker worker("cpu", 0);
  ReverseJob job = guided_test_job(diffusion::Dataset2DKind::Moons, 300, {guided_test_panel(1, 3.0)});
  job.t = 100;
  job.overlays.picked = 5;
  const auto frame = guided_test_wait(worker, worker.submit_reverse(job));
  ASSERT_TRUE(frame && frame->panels.size() == 1u);
  const ReversePanelFrame& p = frame->panels[0];
  ASSERT_EQ(p.error, "");
  ASSERT_EQ(p.shown_t, 100);
  const GuidanceNumbers& n = p.guidance_numbers;
  ASSERT_TRUE(n.valid);
  EXPECT_EQ(n.point, 5);
  EXPECT_EQ(n.t, 100);
  EXPECT_EQ(n.class_id, 1);
  EXPECT_EQ(n.w, 3.0);
  EXPECT_EQ(n.x_t[0], p.xt_xy[10]);
  EXPECT_EQ(n.x_t[1], p.xt_xy[11]);
  const diffusion::LabelledPoints2D train = diffusion::make_labelled_dataset2d(job.dataset, job.exact_train_n, job.seed);
  const double ab = guided_test_alpha_bar(100);
  const auto null_eps = exact_eps_by_hand(train, diffusion::kNullClass, n.x_t[0], n.x_t[1], ab);
  const auto class_eps = exact_eps_by_hand(train, 1, n.x_t[0], n.x_t[1], ab);
  for (int i = 0; i < 2; ++i) {
    EXPECT_NEAR(n.eps_null[i], null_eps[static_cast<std::size_t>(i)], 2e-3) << i;
    EXPECT_NEAR(n.eps_class[i], class_eps[static_cast<std::size_t>(i)], 2e-3) << i;
    // The guided ε̂ the sampler steps with: ε̂_∅ + w (ε̂_c − ε̂_∅).
    EXPECT_NEAR(n.eps_guided[i], n.eps_null[i] + 3.0 * (n.eps_class[i] - n.eps_null[i]), 1e-4) << i;
  }
  // The two predictions differ here (class 1 is one moon): the line has something to show.
  EXPECT_GT(std::abs(n.eps_class[0] - n.eps_null[0]) + std::abs(n.eps_class[1] - n.eps_null[1]), 1e-3);
}

}  // namespace
}  // namespace diffuscope::gui
