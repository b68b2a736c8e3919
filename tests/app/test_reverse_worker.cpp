// The worker's reverse view and training lanes, through the Worker's public API only (the UI's
// view of it): runs complete, compared panels share x_T and z (common random numbers), scrubbing
// is a lookup, a changed sampler restarts the run quickly, a missing or broken checkpoint is a
// panel's error, overlays have the documented sizes and the posterior is the true one of the
// sampler's next step, the memorisation meter counts copies of training points, and training produces a falling loss curve and a model the reverse view then uses.
// Expected values are computed here from the definitions (alpha_bar from the betas, the posterior
// coefficients from Ho et al. 2020, eq. 7), not by calling the code under test.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <unistd.h>

#include "diffusion/datasets2d.hpp"
#include "diffusion/exact_denoiser.hpp"
#include "diffusion/noise.hpp"
#include "diffusion/ode_solver.hpp"
#include "diffusion/sampling_steps.hpp"
#include "diffusion/schedule.hpp"
#include "diffusion/seeding.hpp"
#include "diffusion/sliced_wasserstein.hpp"
#include "diffusion/log_snr.hpp"
#include "diffusion/loss_bands.hpp"
#include "diffusion/trajectory_curvature.hpp"
#include "gui/protocol/worker.hpp"
#include "eventually.hpp"
#include "../support/scoped_empty_assets.hpp"
#include "reverse_wait.hpp"

namespace diffuscope::gui {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

using diffuscope::gui::test_support::eventually;

// Linear schedule scaled with T (betas x 1000/T): with T = 200, alpha_bar_T is about e^-10, so
// x_T ~ N(0, I) is the right start even for this short chain.
diffusion::ScheduleParams short_schedule(int T = 200) {
  diffusion::ScheduleParams p;
  p.T = T;
  p.scale_with_T = true;
  return p;
}

// beta_s and alpha_bar_t of short_schedule from their definitions.
double short_beta(int s, int T = 200) {
  const double scale = 1000.0 / T;
  return (1e-4 + (0.02 - 1e-4) * (s - 1) / (T - 1)) * scale;
}
double short_alpha_bar(int t, int T = 200) {
  double ab = 1.0;
  for (int s = 1; s <= t; ++s) ab *= 1.0 - short_beta(s, T);
  return ab;
}

ReversePanelSpec exact_panel(diffusion::SigmaKind sigma = diffusion::SigmaKind::Small, int steps = 0) {
  ReversePanelSpec spec;
  spec.schedule = panel_schedule(short_schedule());
  spec.sampler.sigma = sigma;
  spec.steps = steps;
  spec.denoiser = DenoiserKind::Exact;
  return spec;
}

ReverseJob exact_job(int n = 300) {
  ReverseJob job;
  job.panels = {exact_panel()};
  job.dataset = diffusion::Dataset2DKind::Moons;
  job.n_points = n;
  job.exact_train_n = n;
  job.seed = 11;
  return job;
}

// Waits for a frame of at least `generation` whose run has finished.
std::shared_ptr<const ReverseFrame> wait_finished(const Worker& worker, std::uint64_t generation,
                                                  std::chrono::milliseconds timeout = 20000ms) {
  return test_support::wait_reverse_finished(worker, generation, timeout);
}

// Waits for the frame of exactly this job generation (a cursor/overlay job publishes one).
std::shared_ptr<const ReverseFrame> wait_generation(const Worker& worker, std::uint64_t generation,
                                                    std::chrono::milliseconds timeout = 5000ms) {
  std::shared_ptr<const ReverseFrame> frame;
  eventually(
      [&] {
        frame = worker.latest_reverse();
        return frame && frame->generation >= generation;
      },
      timeout);
  return frame;
}

bool all_finite(const std::vector<float>& v) {
  return std::all_of(v.begin(), v.end(), [](float x) { return std::isfinite(x); });
}

float max_abs_diff(const std::vector<float>& a, const std::vector<float>& b) {
  float m = 0;
  for (std::size_t i = 0; i < a.size(); ++i) m = std::max(m, std::abs(a[i] - b[i]));
  return m;
}


TEST(ReverseWorker, RunCompletesWithFiniteSamplesNearTheData) {
  Worker worker("cpu", 0);
  ReverseJob job = exact_job(500);
  job.panels[0].steps = 100;
  job.panels[0].spacing = diffusion::Spacing::Linspace;
  std::uint64_t g = worker.submit_reverse(job);
  auto respaced = wait_finished(worker, g);
  ASSERT_TRUE(respaced && !respaced->running);
  ASSERT_EQ(respaced->panels[0].visited_t.size(), 100u);
  EXPECT_EQ(respaced->panels[0].states_done, 101);
  EXPECT_EQ(respaced->panels[0].visited_t.back(), 1);  // linspace ends at t = 1
  EXPECT_NE(respaced->panels[0].label.find("K = 100"), std::string::npos) << respaced->panels[0].label;

  job.panels[0].steps = 0;  // every step: K = T = 200
  g = worker.submit_reverse(job);
  const auto frame = wait_finished(worker, g);
  ASSERT_TRUE(frame && !frame->running);
  ASSERT_EQ(frame->panels.size(), 1u);
  const ReversePanelFrame& p = frame->panels[0];
  EXPECT_EQ(p.error, "");
  EXPECT_TRUE(p.finished);
  EXPECT_EQ(p.schedule.T, 200);
  EXPECT_EQ(p.schedule.built, job.panels[0].schedule.built);   // the job's own, not rebuilt
  ASSERT_EQ(p.visited_t.size(), 200u);
  EXPECT_EQ(p.visited_t.front(), 200);
  EXPECT_TRUE(std::is_sorted(p.visited_t.rbegin(), p.visited_t.rend()));
  EXPECT_EQ(p.states_done, 201);
  EXPECT_EQ(p.shown_state, 200);  // t = -1 follows the run: x_0 once finished
  EXPECT_EQ(p.shown_t, 0);
  ASSERT_EQ(p.xt_xy.size(), 1000u);
  EXPECT_TRUE(all_finite(p.xt_xy));
  EXPECT_EQ(frame->data_xy.size(), 1000u);
  EXPECT_EQ(frame->panel_steps, 200);
  EXPECT_GT(frame->point_steps_per_second, 0.0);
  EXPECT_NE(p.label.find("K = 200"), std::string::npos) << p.label;
  EXPECT_NE(p.label.find("exact"), std::string::npos) << p.label;

  // The distance of x_0 to fresh data arrives shortly after, and is far smaller than x_T's.
  std::shared_ptr<const ReverseFrame> f;
  ASSERT_TRUE(eventually(
      [&] {
        f = worker.latest_reverse();
        return f->panels[0].sliced_wasserstein_state == 200;
      },
      5000ms));
  const double swd_x0 = f->panels[0].sliced_wasserstein;
  job.t = 200;  // x_T
  const std::uint64_t g2 = worker.submit_reverse(job);
  ASSERT_TRUE(eventually(
      [&] {
        f = worker.latest_reverse();
        return f->generation >= g2 && f->panels[0].sliced_wasserstein_state == 0;
      },
      5000ms));
  const double swd_xT = f->panels[0].sliced_wasserstein;
  // The noise floor: two independent draws of the data (computed here, not by the worker).
  const double floor = diffusion::sliced_wasserstein_2d(
      diffusion::make_dataset2d(diffusion::Dataset2DKind::Moons, 500, 101).xy,
      diffusion::make_dataset2d(diffusion::Dataset2DKind::Moons, 500, 102).xy, 128);
  const double train_vs_fresh = diffusion::sliced_wasserstein_2d(
      diffusion::make_dataset2d(diffusion::Dataset2DKind::Moons, 500, 11).xy, f->data_xy, 128);
  std::printf("[ reverse ] SWD to fresh data: x_0 %.4f, x_T %.4f; training points %.4f; "
              "two data draws %.4f (exact denoiser, 500 points)\n",
              swd_x0, swd_xT, train_vs_fresh, floor);
  // The exact denoiser lands on its training points, so x_0 is about as far from fresh data as
  // another data draw is (measured 0.095 vs 0.098; with K = 100 ancestral steps it is 0.16, the
  // known degradation of stochastic samplers with fewer steps). x_T is N(0, I): 0.32.
  EXPECT_LT(swd_x0, 1.5 * floor);
  EXPECT_GT(swd_xT, 2.5 * swd_x0);
  EXPECT_TRUE(worker.take_errors().empty());
}

TEST(ReverseWorker, ComparedPanelsShareXTAndEveryZ) {
  Worker worker("cpu", 0);
  ReverseJob job = exact_job(300);
  ReversePanelSpec ddim = exact_panel(diffusion::SigmaKind::DDIM);
  ddim.sampler.eta = 1.0;
  job.panels = {exact_panel(), exact_panel(), exact_panel(diffusion::SigmaKind::Large), ddim};
  const std::uint64_t g = worker.submit_reverse(job);
  const auto end = wait_finished(worker, g);
  ASSERT_TRUE(end && !end->running);
  ASSERT_EQ(end->panels.size(), 4u);
  for (const auto& p : end->panels) {
    EXPECT_EQ(p.error, "");
    EXPECT_TRUE(p.finished);
  }
  // Identical specs: identical clouds, bit for bit.
  EXPECT_EQ(end->panels[0].xt_xy, end->panels[1].xt_xy);
  // Differing only in sigma: different samples...
  EXPECT_GT(max_abs_diff(end->panels[0].xt_xy, end->panels[2].xt_xy), 1e-2f);
  // ...but DDIM with eta = 1 on consecutive steps is DDPM with beta_tilde (Song et al. 2021):
  // given the same z at every step it lands on the same points, up to rounding.
  EXPECT_LT(max_abs_diff(end->panels[0].xt_xy, end->panels[3].xt_xy), 2e-3f);

  // Every panel starts from the same x_T.
  job.t = 200;
  const auto start = wait_generation(worker, worker.submit_reverse(job));
  ASSERT_TRUE(start);
  for (const auto& p : start->panels) {
    EXPECT_EQ(p.shown_state, 0);
    EXPECT_EQ(p.shown_t, 200);
    EXPECT_EQ(p.xt_xy, start->panels[0].xt_xy);
  }
  EXPECT_EQ(start->panel_steps, end->panel_steps);  // a cursor move does not restart the run
}

TEST(ReverseWorker, PanelsWithDifferentStepCountsShareXT) {
  Worker worker("cpu", 0);
  ReverseJob job = exact_job(300);
  job.panels = {exact_panel(diffusion::SigmaKind::Small, 0),
                exact_panel(diffusion::SigmaKind::Small, 20)};
  job.t = 200;
  const auto frame = wait_finished(worker, worker.submit_reverse(job));
  ASSERT_TRUE(frame);
  ASSERT_EQ(frame->panels.size(), 2u);
  EXPECT_EQ(frame->panels[0].states_done, 201);
  EXPECT_EQ(frame->panels[1].states_done, 21);
  EXPECT_EQ(frame->panels[1].visited_t.size(), 20u);
  EXPECT_EQ(frame->panels[0].xt_xy, frame->panels[1].xt_xy);
}

TEST(ReverseWorker, ScrubbingBackIsACachedLookup) {
  Worker worker("cpu", 0);
  ReverseJob job = exact_job(300);
  const auto end = wait_finished(worker, worker.submit_reverse(job));
  ASSERT_TRUE(end && !end->running);
  const std::int64_t steps = end->panel_steps;
  ASSERT_EQ(steps, 200);

  job.t = 0;
  const auto at_zero = wait_generation(worker, worker.submit_reverse(job));
  EXPECT_EQ(at_zero->panels[0].xt_xy, end->panels[0].xt_xy);  // t = 0 is x_0

  std::vector<double> latencies;
  std::vector<float> first_cloud;
  for (int repeat = 0; repeat < 3; ++repeat)
    for (int t : {150, 100, 40, 1}) {
      job.t = t;
      const auto start = Clock::now();
      const auto frame = wait_generation(worker, worker.submit_reverse(job));
      latencies.push_back(ms_since(start));
      ASSERT_TRUE(frame);
      const ReversePanelFrame& p = frame->panels[0];
      EXPECT_EQ(p.shown_t, t);           // K = T: every timestep is visited
      EXPECT_EQ(p.shown_state, 200 - t);
      EXPECT_EQ(frame->panel_steps, steps);   // nothing recomputed
      if (t == 100) {
        if (first_cloud.empty()) first_cloud = p.xt_xy;
        else EXPECT_EQ(p.xt_xy, first_cloud);   // the cached cloud, exactly
      }
      // Let the deferred distance computation finish so that it does not count as latency.
      eventually([&] { return worker.latest_reverse()->panels[0].sliced_wasserstein_state == p.shown_state; },
                 2000ms);
    }
  std::sort(latencies.begin(), latencies.end());
  const double median = latencies[latencies.size() / 2];
  std::printf("[ reverse ] scrub to a cached state: median %.2f ms, max %.2f ms (submit -> frame)\n",
              median, latencies.back());
  RecordProperty("scrub_median_ms", std::to_string(median));
  EXPECT_LT(median, 50.0);  // typically ~1 ms; generous for a loaded 2-core machine
}

TEST(ReverseWorker, ChangingTheSamplerRestartsTheRunQuickly) {
  Worker worker("cpu", 0);
  // A long run: 2000 points, exact denoiser over 2000 points, 1000 steps (tens of seconds).
  ReverseJob job = exact_job(2000);
  job.panels = {exact_panel(), exact_panel()};
  for (auto& p : job.panels) p.schedule = panel_schedule(default_schedule());  // linear, T = 1000
  job.t = 1000;  // the cursor stays on x_T: every frame shows state 0
  const std::uint64_t g1 = worker.submit_reverse(job);
  std::shared_ptr<const ReverseFrame> old_frame;
  ASSERT_TRUE(eventually(
      [&] {
        old_frame = worker.latest_reverse();
        return old_frame && old_frame->generation == g1 && old_frame->panel_steps >= 20;
      },
      20000ms));
  EXPECT_TRUE(old_frame->running);
  ASSERT_EQ(old_frame->panels[0].shown_state, 0);

  std::vector<double> latencies;
  for (int i = 0; i < 3; ++i) {
    job.panels[1].sampler.sigma = i % 2 == 0 ? diffusion::SigmaKind::Large : diffusion::SigmaKind::Small;
    std::this_thread::sleep_for(100ms);  // mid-run
    const auto start = Clock::now();
    const std::uint64_t g = worker.submit_reverse(job);
    std::shared_ptr<const ReverseFrame> frame;
    ASSERT_TRUE(eventually(
        [&] {
          frame = worker.latest_reverse();
          return frame->generation == g;
        },
        5000ms));
    latencies.push_back(ms_since(start));
    EXPECT_TRUE(frame->running);
    EXPECT_EQ(frame->panels[1].label.find(i % 2 == 0 ? "σ² = β ·" : "σ² = β̃"), 0u)
        << frame->panels[1].label;
    // The new run starts again from the same x_T (same seed).
    EXPECT_EQ(frame->panels[0].shown_state, 0);
    EXPECT_EQ(frame->panels[1].xt_xy, old_frame->panels[0].xt_xy);
  }
  std::sort(latencies.begin(), latencies.end());
  std::printf("[ reverse ] restart -> first frame of the new run: %.1f / %.1f / %.1f ms\n",
              latencies[0], latencies[1], latencies[2]);
  RecordProperty("restart_max_ms", std::to_string(latencies.back()));
  EXPECT_LT(latencies.back(), 500.0);  // aim: < 100 ms; generous for a loaded 2-core machine
  EXPECT_TRUE(worker.take_errors().empty());
}

TEST(ReverseWorker, MissingOrBrokenCheckpointIsAPanelError) {
  diffuscope::test_support::ScopedEmptyAssets assets;
  Worker worker("cpu", 0);
  ReverseJob job = exact_job(300);
  job.dataset = diffusion::Dataset2DKind::Spiral;
  ReversePanelSpec model = exact_panel();
  model.denoiser = DenoiserKind::Model;
  job.panels = {model, exact_panel()};
  auto frame = wait_finished(worker, worker.submit_reverse(job));
  ASSERT_TRUE(frame && frame->panels.size() == 2u);
  const std::string& error = frame->panels[0].error;
  EXPECT_NE(error.find("spiral"), std::string::npos) << error;
  EXPECT_NE(error.find("not found"), std::string::npos) << error;
  EXPECT_NE(error.find("Train"), std::string::npos) << error;
  EXPECT_FALSE(frame->panels[0].finished);
  EXPECT_EQ(frame->panels[1].error, "");
  EXPECT_TRUE(frame->panels[1].finished);
  EXPECT_EQ(frame->panels[1].xt_xy.size(), 600u);
  EXPECT_EQ(frame->model_description, error);

  // A damaged file: refused with a message naming it; the exact panel still runs.
  {
    std::ofstream out(assets.dir() / "models" / "spiral.ckpt", std::ios::binary);
    out << "DIFFUSCOPE-CKPT\n garbage";
  }
  job.seed = 12;  // a new run looks the model up again
  frame = wait_finished(worker, worker.submit_reverse(job));
  ASSERT_TRUE(frame && frame->panels.size() == 2u);
  EXPECT_NE(frame->panels[0].error.find("spiral.ckpt"), std::string::npos) << frame->panels[0].error;
  EXPECT_NE(frame->panels[0].error.find("Train"), std::string::npos) << frame->panels[0].error;
  EXPECT_TRUE(frame->panels[1].finished);
  EXPECT_TRUE(worker.take_errors().empty());
}

TEST(ReverseWorker, BadJobIsReportedAndTheWorkerKeepsServing) {
  Worker worker("cpu", 0);
  ReverseJob bad = exact_job(300);
  bad.panels.clear();
  worker.submit_reverse(bad);
  std::vector<std::string> errors;
  ASSERT_TRUE(eventually([&] { return !(errors = worker.take_errors()).empty(); }, 5000ms));
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].find("panels"), std::string::npos) << errors[0];
  EXPECT_EQ(worker.latest_reverse(), nullptr);
  ReverseJob bad_panel = exact_job(300);
  bad_panel.panels = {exact_panel(), exact_panel()};
  diffusion::ScheduleParams bad_schedule = short_schedule();
  bad_schedule.beta_end = 2.0;   // the UI could not build it: the panel shows why
  bad_panel.panels[0].schedule = panel_schedule(bad_schedule);
  bad_panel.panels[1].steps = 5;
  const auto frame = wait_finished(worker, worker.submit_reverse(bad_panel));
  ASSERT_TRUE(frame && frame->panels.size() == 2u);
  EXPECT_NE(frame->panels[0].error.find("beta_end"), std::string::npos) << frame->panels[0].error;
  EXPECT_TRUE(frame->panels[1].finished);
  EXPECT_TRUE(worker.take_errors().empty());  // a panel's problem is that panel's error only
}

TEST(ReverseWorker, OverlaysHaveTheDocumentedShapesAndPosterior) {
  Worker worker("cpu", 0);
  ReverseJob job = exact_job(300);
  job.overlays.field = VectorField::Eps;
  job.overlays.field_grid = 9;
  job.overlays.half_range = 3.0;
  job.overlays.predicted_x0 = true;
  job.overlays.tracked = {0, 5, 7};
  job.overlays.picked = 5;
  ASSERT_TRUE(wait_finished(worker, worker.submit_reverse(job)));

  const int t = 100;
  job.t = t;
  const auto eps_frame = wait_generation(worker, worker.submit_reverse(job));
  job.overlays.field = VectorField::Score;
  const auto frame = wait_generation(worker, worker.submit_reverse(job));
  ASSERT_TRUE(eps_frame && frame);
  const ReversePanelFrame& p = frame->panels[0];
  ASSERT_EQ(p.shown_t, t);
  ASSERT_EQ(p.field_xy.size(), 2u * 81);
  ASSERT_EQ(p.field_vectors.size(), 2u * 81);
  EXPECT_FLOAT_EQ(p.field_xy[0], -3.0f);
  EXPECT_FLOAT_EQ(p.field_xy[2 * 80 + 1], 3.0f);
  EXPECT_TRUE(all_finite(p.field_vectors));
  // score = -eps / sqrt(1 - alpha_bar_t) at the shown state's noise level.
  const double ab = short_alpha_bar(t);
  EXPECT_NEAR(shown_alpha_bar(p), ab, 1e-9);
  const std::vector<float>& eps = eps_frame->panels[0].field_vectors;
  for (std::size_t i = 0; i < eps.size(); ++i)
    EXPECT_NEAR(p.field_vectors[i], -eps[i] / std::sqrt(1 - ab), 1e-4 * (1 + std::abs(p.field_vectors[i])));

  ASSERT_EQ(p.tracked_x0_xy.size(), 6u);
  ASSERT_EQ(p.trajectories_xy.size(), 3u * 201 * 2);  // 3 points x states 0..200
  // Point 5's path passes through the shown cloud's point 5 at state 200 - t, and ends at x_0.
  const float* path5 = &p.trajectories_xy[1 * 201 * 2];
  EXPECT_EQ(path5[2 * (200 - t)], p.xt_xy[2 * 5]);
  EXPECT_EQ(path5[2 * (200 - t) + 1], p.xt_xy[2 * 5 + 1]);

  // Posterior of the picked point: sigma_t = sqrt(beta_tilde_t), mean = mu_tilde(x_t, x0_hat).
  ASSERT_TRUE(p.has_posterior);
  EXPECT_EQ(p.picked_xy[0], p.xt_xy[2 * 5]);
  EXPECT_EQ(p.picked_xy[1], p.xt_xy[2 * 5 + 1]);
  const double beta = short_beta(t), ab_prev = short_alpha_bar(t - 1);
  const double beta_tilde = (1 - ab_prev) / (1 - ab) * beta;
  EXPECT_NEAR(p.posterior_sigma, std::sqrt(beta_tilde), 1e-9);
  const double c_x0 = std::sqrt(ab_prev) * beta / (1 - ab);
  const double c_xt = std::sqrt(1 - beta) * (1 - ab_prev) / (1 - ab);
  for (int c = 0; c < 2; ++c)
    EXPECT_NEAR(p.posterior_mean_xy[c], c_x0 * p.tracked_x0_xy[2 + c] + c_xt * p.picked_xy[c], 1e-4);

  // At x_0 there is no further step: no posterior; x0_hat is the point itself.
  job.t = 0;
  const auto final_frame = wait_generation(worker, worker.submit_reverse(job));
  EXPECT_FALSE(final_frame->panels[0].has_posterior);
  EXPECT_EQ(final_frame->panels[0].tracked_x0_xy[2], final_frame->panels[0].xt_xy[10]);
  EXPECT_TRUE(worker.take_errors().empty());
}

// Issue 14: the overlay is the true posterior q(x_s | x_t, x̂_0) of the sampler's next step, named
// by that step (respaced here: 100 -> 90), with √β̃ of the jump as its radius, whatever the
// sampler draws from (DDIM η = 0 draws with σ = 0 and steps to its own mean).
TEST(ReverseWorker, PosteriorOverlayIsTheTruePosteriorOfTheRespacedStep) {
  Worker worker("cpu", 0);
  ReverseJob job = exact_job(300);
  job.panels[0] = exact_panel(diffusion::SigmaKind::DDIM, 20);   // visits 200, 190, ..., 10
  job.overlays.predicted_x0 = true;
  job.overlays.tracked = {5};
  job.overlays.picked = 5;
  ASSERT_TRUE(wait_finished(worker, worker.submit_reverse(job)));
  job.t = 100;
  const auto frame = wait_generation(worker, worker.submit_reverse(job));
  ASSERT_TRUE(frame);
  const ReversePanelFrame& p = frame->panels[0];
  ASSERT_EQ(p.shown_t, 100);
  ASSERT_TRUE(p.has_posterior);
  EXPECT_EQ(p.posterior_t, 100);
  EXPECT_EQ(p.posterior_t_prev, 90);
  const double ab = short_alpha_bar(100), ab_prev = short_alpha_bar(90);
  const double beta = 1 - ab / ab_prev;   // the jump's effective β
  EXPECT_NEAR(p.posterior_sigma, std::sqrt((1 - ab_prev) / (1 - ab) * beta), 1e-9);
  const double c_x0 = std::sqrt(ab_prev) * beta / (1 - ab);
  const double c_xt = std::sqrt(1 - beta) * (1 - ab_prev) / (1 - ab);
  ASSERT_EQ(p.tracked_x0_xy.size(), 2u);
  for (int c = 0; c < 2; ++c)
    EXPECT_NEAR(p.posterior_mean_xy[c], c_x0 * p.tracked_x0_xy[c] + c_xt * p.picked_xy[c], 1e-4);
  EXPECT_TRUE(worker.take_errors().empty());
}

// Issue 14: the memorisation meter. 50 sparse training points and every step: most of the exact
// denoiser's samples land on them (measured 0.78: the last step starts at t = 1, where the noise,
// 0.022 on this short schedule, still blends the closest pairs); x_T ~ N(0, I) copies none. The share is checked against a
// count made here from the frame's points and the training set.
TEST(ReverseWorker, MemorisationMeterCountsCopiesOfTrainingPoints) {
  Worker worker("cpu", 0);
  const ReverseJob job = exact_job(50);
  ASSERT_TRUE(wait_finished(worker, worker.submit_reverse(job)));
  std::shared_ptr<const ReverseFrame> f;
  ASSERT_TRUE(eventually(
      [&] {
        f = worker.latest_reverse();
        return f->panels[0].sliced_wasserstein_state == 200;
      },
      5000ms));
  const std::vector<float> train = diffusion::make_dataset2d(diffusion::Dataset2DKind::Moons, 50, 11).xy;
  auto copies_counted_here = [&](const std::vector<float>& xy) {
    int copies = 0;
    for (std::size_t i = 0; i + 1 < xy.size(); i += 2) {
      double best = 1e300;
      for (std::size_t j = 0; j + 1 < train.size(); j += 2)
        best = std::min(best, std::hypot(double(xy[i]) - train[j], double(xy[i + 1]) - train[j + 1]));
      copies += best <= kCopyRadius;
    }
    return static_cast<double>(copies) / static_cast<double>(xy.size() / 2);
  };
  const double at_x0 = f->panels[0].copied_share;
  std::printf("[ reverse ] copies of training points at x_0: %.3f (exact denoiser, 50 points)\n", at_x0);
  EXPECT_GE(at_x0, 0.6);
  EXPECT_NEAR(at_x0, copies_counted_here(f->panels[0].xt_xy), 1.0 / 50 + 1e-12);
  ReverseJob at_T = job;
  at_T.t = 200;
  const std::uint64_t g = worker.submit_reverse(at_T);
  ASSERT_TRUE(eventually(
      [&] {
        f = worker.latest_reverse();
        return f->generation >= g && f->panels[0].sliced_wasserstein_state == 0;
      },
      5000ms));
  EXPECT_EQ(f->panels[0].copied_share, 0.0);
  EXPECT_EQ(copies_counted_here(f->panels[0].xt_xy), 0.0);
  EXPECT_TRUE(worker.take_errors().empty());
}

TEST(ReverseWorker, LongForwardJobAndReverseRunShareTheThread) {
  Worker worker("cpu", 0);
  ReverseJob job = exact_job(2000);
  job.panels[0].schedule = panel_schedule(default_schedule());  // 1000 exact steps over 2000 points
  const std::uint64_t g = worker.submit_reverse(job);
  ASSERT_TRUE(eventually([&] { auto f = worker.latest_reverse(); return f && f->generation == g; }, 5000ms));
  // A Markov chain to t = 1000 on 5000 points (hundreds of ms) runs in slices: the reverse run
  // keeps streaming meanwhile, and the forward frame still arrives.
  ForwardJob forward;
  forward.process = ForwardProcess::Markov;
  forward.t = 1000;
  const std::int64_t steps_before = worker.latest_reverse()->panel_steps;
  const std::uint64_t fg = worker.submit(forward);
  ASSERT_TRUE(worker.wait_until_idle(30000ms));
  ASSERT_NE(worker.latest(), nullptr);
  EXPECT_EQ(worker.latest()->generation, fg);
  EXPECT_EQ(worker.latest()->a.t, 1000);
  EXPECT_GT(worker.latest_reverse()->panel_steps, steps_before);
  EXPECT_TRUE(worker.take_errors().empty());
}

// ---- Training ----

TEST(TrainingWorker, LossFallsStopKeepsTheModelAndTheReverseViewUsesIt) {
  diffuscope::test_support::ScopedEmptyAssets assets;  // no shipped checkpoint: the model must come from this training
  Worker worker("cpu", 0);
  TrainingJob train;
  train.dataset = diffusion::Dataset2DKind::EightGaussians;
  train.steps = 1'000'000;
  train.seed = 3;
  worker.start_training(train);

  std::shared_ptr<const TrainingFrame> frame;
  ASSERT_TRUE(eventually(
      [&] {
        frame = worker.latest_training();
        return frame && frame->loss_history.size() >= 12 && frame->preview_step > 0;
      },
      30000ms));
  EXPECT_TRUE(frame->running);
  EXPECT_GT(frame->steps_per_second, 0.0);
  EXPECT_EQ(frame->preview_xy.size(), 1000u);
  EXPECT_TRUE(all_finite(frame->preview_xy));
  EXPECT_GT(frame->model_revision, 0u);  // the preview's model was published
  ASSERT_EQ(frame->loss_steps.size(), frame->loss_history.size());
  EXPECT_TRUE(std::is_sorted(frame->loss_steps.begin(), frame->loss_steps.end()));
  const auto& loss = frame->loss_history;
  const double early = (loss[0] + loss[1]) / 2, late = (loss[loss.size() - 1] + loss[loss.size() - 2]) / 2;
  std::printf("[ training ] %lld steps, %.0f steps/s in the worker; loss %.3f -> %.3f\n",
              static_cast<long long>(frame->step), frame->steps_per_second, early, late);
  RecordProperty("training_steps_per_second", std::to_string(frame->steps_per_second));
  // The loss's floor depends on the prediction target (on 8gaussians about 0.9 for v, the
  // default, and 0.4 for eps), so its fall from the first interval is no test; the samples are:
  // the preview must land on the data, far closer than its own x_T ~ N(0, I) (which scores ~1).
  const auto data = diffusion::make_dataset2d(diffusion::Dataset2DKind::EightGaussians, 1000, 99).xy;
  const double preview_distance = diffusion::sliced_wasserstein_2d(frame->preview_xy, data);
  std::printf("[ training ] preview sliced Wasserstein distance to data %.3f\n", preview_distance);
  EXPECT_TRUE(std::isfinite(late) && late < 2.0 * early);
  EXPECT_LT(preview_distance, 0.3);
  // The loss by log-SNR band: 8 equal bands over the model's range, each trained at in an interval
  // of hundreds of groups; every band's mean is a loss (finite, positive).
  ASSERT_EQ(frame->loss_bands.size(), static_cast<std::size_t>(diffusion::kDefaultLossBands));
  EXPECT_FLOAT_EQ(frame->loss_bands.front().log_snr_lower, static_cast<float>(diffusion::kModelLogSnrMin));
  EXPECT_FLOAT_EQ(frame->loss_bands.back().log_snr_upper, static_cast<float>(diffusion::kModelLogSnrMax));
  int trained_bands = 0;
  for (const auto& band : frame->loss_bands) {
    if (std::isfinite(band.mean)) {
      EXPECT_GT(band.mean, 0.0f);
      ++trained_bands;
    }
  }
  EXPECT_GE(trained_bands, 6);

  // A forward job does not wait behind training: slices are short.
  {
    ForwardJob forward;
    forward.t = 300;
    const auto start = Clock::now();
    const std::uint64_t g = worker.submit(forward);
    ASSERT_TRUE(eventually([&] { return worker.latest() && worker.latest()->generation == g; }, 5000ms));
    const double ms = ms_since(start);
    std::printf("[ training ] forward job answered in %.1f ms during training\n", ms);
    EXPECT_LT(ms, 200.0);
  }

  worker.stop_training();
  ASSERT_TRUE(eventually(
      [&] {
        frame = worker.latest_training();
        return !frame->running;
      },
      5000ms));
  EXPECT_NE(frame->message.find("stopped"), std::string::npos) << frame->message;
  const std::uint64_t revision = frame->model_revision;
  EXPECT_GT(revision, 0u);
  EXPECT_EQ(worker.model_revision(diffusion::Dataset2DKind::EightGaussians), revision);
  EXPECT_EQ(worker.model_revision(diffusion::Dataset2DKind::Moons), 0u);

  // The reverse view uses it: 4 panels x 2000 points with the learned model.
  ReverseJob job;
  job.dataset = diffusion::Dataset2DKind::EightGaussians;
  job.n_points = 2000;
  job.model_revision = revision;
  ReversePanelSpec spec;
  spec.denoiser = DenoiserKind::Model;
  spec.steps = 100;
  job.panels = {spec, spec, spec, spec};
  job.panels[1].sampler.sigma = diffusion::SigmaKind::Large;
  job.panels[2].sampler.sigma = diffusion::SigmaKind::DDIM;
  job.panels[3].steps = 20;
  const auto start = Clock::now();
  const auto reverse = wait_finished(worker, worker.submit_reverse(job), 60000ms);
  const double seconds = ms_since(start) / 1000;
  ASSERT_TRUE(reverse && !reverse->running);
  for (const auto& p : reverse->panels) {
    EXPECT_EQ(p.error, "");
    EXPECT_TRUE(p.finished);
    EXPECT_TRUE(all_finite(p.xt_xy));
  }
  EXPECT_EQ(reverse->model_revision, revision);
  EXPECT_NE(reverse->model_description.find("trained here"), std::string::npos)
      << reverse->model_description;
  const double wall_row_ms = 1000 * seconds / reverse->panels[0].states_done;
  const double compute_row_ms = 1000 * 4 * 2000 / reverse->point_steps_per_second;
  std::printf("[ reverse ] learned model, 2000 points: %.0f point-steps/s while stepping, i.e. "
              "%.1f ms per step of 4 panels (%.1f ms wall incl. publishing and distances)\n",
              reverse->point_steps_per_second, compute_row_ms, wall_row_ms);
  RecordProperty("model_point_steps_per_second", std::to_string(reverse->point_steps_per_second));
  EXPECT_TRUE(worker.take_errors().empty());
}

TEST(TrainingWorker, BadJobIsReportedAndDestructionDuringTrainingIsPrompt) {
  auto worker = std::make_unique<Worker>("cpu", 0);
  TrainingJob bad;
  bad.steps = 0;
  worker->start_training(bad);
  ASSERT_TRUE(eventually([&] { return worker->latest_training() != nullptr; }, 10000ms));
  EXPECT_NE(worker->latest_training()->message.find("steps"), std::string::npos);
  const auto errors = worker->take_errors();
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].find("steps"), std::string::npos) << errors[0];

  TrainingJob job;
  job.steps = 1'000'000;
  worker->start_training(job);
  ASSERT_TRUE(eventually(
      [&] {
        auto f = worker->latest_training();
        return f && f->running && f->step > 0;
      },
      20000ms));
  ReverseJob reverse = exact_job(2000);
  worker->submit_reverse(reverse);  // both lanes busy
  std::this_thread::sleep_for(200ms);
  const auto start = Clock::now();
  worker.reset();
  const double ms = ms_since(start);
  std::printf("[ training ] destructor during training and a reverse run: %.1f ms\n", ms);
  EXPECT_LT(ms, 1000.0);
}

// The prediction-target compare in the worker: each panel runs the shipped model of its target
// (moons-eps.ckpt, moons-x0.ckpt, moons.ckpt = v) on the same x_T, and says so in its label. The
// three models differ, so their samples do; every one is finite.
TEST(ReverseWorker, EachPanelRunsTheModelOfItsPredictionTarget) {
  Worker worker("cpu", 0);
  ReverseJob job = exact_job(400);
  job.panels.clear();
  for (const auto target :
       {diffusion::PredictionTarget::Eps, diffusion::PredictionTarget::X0, diffusion::PredictionTarget::V}) {
    ReversePanelSpec spec = exact_panel();
    spec.denoiser = DenoiserKind::Model;
    spec.model_target = target;
    spec.sampler.sigma = diffusion::SigmaKind::DDIM;
    spec.steps = 50;
    job.panels.push_back(spec);
  }
  const auto frame = wait_finished(worker, worker.submit_reverse(job), 60000ms);
  ASSERT_TRUE(frame && !frame->running);
  ASSERT_EQ(frame->panels.size(), 3u);
  const char* names[] = {"learned ε-model", "learned x₀-model", "learned v-model"};
  for (int i = 0; i < 3; ++i) {
    const ReversePanelFrame& p = frame->panels[static_cast<std::size_t>(i)];
    EXPECT_EQ(p.error, "") << i;
    EXPECT_EQ(p.label.rfind(names[i], 0), 0u) << p.label;
    EXPECT_TRUE(all_finite(p.xt_xy)) << i;
    EXPECT_EQ(p.shown_t, 0);
  }
  EXPECT_GT(max_abs_diff(frame->panels[0].xt_xy, frame->panels[2].xt_xy), 1e-3f);
  EXPECT_GT(max_abs_diff(frame->panels[1].xt_xy, frame->panels[2].xt_xy), 1e-3f);
  EXPECT_TRUE(worker.take_errors().empty());
}

// Issue 18: an ODE panel's stepped run (rows in chunks of 512, resumable, beside stochastic panels
// that draw z) reaches run_ode's x_0 from the same x_T: x_T drawn here as the worker's seeding
// rule says (derive_seed(seed), x_T the first draw), the exact denoiser over
// make_dataset2d(dataset, exact_train_n, seed). And the tracked paths' curvature is the mean path
// length / endpoint distance of the trajectories the frame carries: near 1 for the ODE, far more
// for DDPM's zig-zags.
TEST(ReverseWorker, OdePanelsReachRunOdesSamplesAndReportCurvature) {
  Worker worker("cpu", 0);
  const int n = 700;   // two chunks of rows per step
  ReverseJob job = exact_job(n);
  job.panels.clear();
  for (const diffusion::OdeSolver solver : diffusion::all_ode_solvers()) {
    ReversePanelSpec ode = exact_panel(diffusion::SigmaKind::Small, 12);
    ode.ode_solver = solver;
    job.panels.push_back(ode);
  }
  job.panels.push_back(exact_panel(diffusion::SigmaKind::Small, 0));   // DDPM, every step, draws z
  job.overlays.tracked = {3, 50, 400, 650};
  const auto frame = wait_finished(worker, worker.submit_reverse(job), 60000ms);
  ASSERT_TRUE(frame && frame->panels.size() == 4u);

  diffusion::NoiseSource noise(diffusion::derive_seed(job.seed));
  const torch::Tensor x_T = noise.normal({n, 2}, torch::Device("cpu"));
  const diffusion::Dataset2D train = diffusion::make_dataset2d(job.dataset, job.exact_train_n, job.seed);
  const diffusion::ExactDenoiser exact(
      torch::from_blob(const_cast<float*>(train.xy.data()), {job.exact_train_n, 2}, torch::kFloat32).clone());
  const diffusion::Denoiser denoiser = diffusion::make_exact_denoiser(exact, diffusion::ReverseConfig{});
  const diffusion::Schedule schedule(short_schedule());
  const auto steps = diffusion::sampling_steps(schedule, 12, diffusion::Spacing::Trailing);
  for (std::size_t i = 0; i < 3; ++i) {
    const ReversePanelFrame& p = frame->panels[i];
    const diffusion::OdeSolver solver = diffusion::all_ode_solvers()[i];
    SCOPED_TRACE(std::string(diffusion::to_string(solver)));
    ASSERT_EQ(p.error, "");
    ASSERT_TRUE(p.finished);
    const diffusion::OdeRun reference = diffusion::run_ode(x_T, steps, denoiser, solver);
    const torch::Tensor expected = reference.x.contiguous();
    ASSERT_EQ(p.xt_xy.size(), static_cast<std::size_t>(2 * n));
    const std::vector<float> want(expected.data_ptr<float>(), expected.data_ptr<float>() + 2 * n);
    EXPECT_LT(max_abs_diff(p.xt_xy, want), 1e-4f);
    // The caption counts what run_ode spent.
    EXPECT_NE(p.label.find("NFE = " + std::to_string(reference.network_evaluations) + " · K = 12"), std::string::npos)
        << p.label;
    ASSERT_EQ(p.trajectories_xy.size(), 4u * 13 * 2);
    EXPECT_DOUBLE_EQ(p.path_length_ratio, diffusion::mean_path_length_ratio(p.trajectories_xy, 4, 2));
    EXPECT_GE(p.path_length_ratio, 1.0);
    EXPECT_LT(p.path_length_ratio, 2.0);   // smooth, not straight: the CLI measures ~1.25 on moons
  }
  const ReversePanelFrame& ddpm = frame->panels[3];
  std::printf("[ reverse ] path length / distance: euler %.3f, heun %.3f, dpm++ %.3f, DDPM (K = 200) %.3f\n",
              frame->panels[0].path_length_ratio, frame->panels[1].path_length_ratio,
              frame->panels[2].path_length_ratio, ddpm.path_length_ratio);
  EXPECT_GT(ddpm.path_length_ratio, 2.0 * frame->panels[0].path_length_ratio);
  EXPECT_TRUE(worker.take_errors().empty());
}

}  // namespace
}  // namespace diffuscope::gui
