// The reverse view's plain-value rules without a window or a worker: the job built from the state,
// when a job restarts the run, presets, the visited-timestep strip, T -> 0 playback, the cursor
// that follows a run, picking points, arrow scaling and the texts under the panels.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "gui/state/app_state.hpp"
#include "diffusion/schedule.hpp"
#include "gui/state/layout.hpp"
#include "gui/state/reverse_state.hpp"

namespace dg = diffuscope::gui;
using diffusion::ScheduleKind;
using diffusion::SigmaKind;

namespace {

dg::ReversePanelFrame panel_frame(int T, int shown_t, bool finished, std::string error = "") {
  dg::ReversePanelFrame p;
  p.schedule.T = T;
  p.shown_t = shown_t;
  p.finished = finished;
  p.error = std::move(error);
  return p;
}

// A panel of a run with K = 10 over T = 1000 (visits 1000, 900, ..., 100, then x_0) that has
// computed `states_done` states (1: x_T only; 11: x_0 reached).
dg::ReversePanelFrame run_panel(int states_done, bool finished = false, std::string error = "") {
  dg::ReversePanelFrame p = panel_frame(1000, 1000, finished, std::move(error));
  for (int t = 1000; t >= 100; t -= 100) p.visited_t.push_back(t);
  p.states_done = states_done;
  return p;
}

}  // namespace

TEST(ReverseJobFromState, PanelsCursorAndOverlays) {
  dg::ReverseState s;
  diffusion::ScheduleParams a;
  a.T = 500;
  s.panels[0].steps = 500;                      // K = T is sent as "every step"
  dg::set_panel_count(s, 2, a.kind);
  s.panels[1].family = ScheduleKind::Cosine;
  s.panels[1].steps = 50;
  s.panels[1].sampler.sigma = SigmaKind::DDIM;
  s.panels[1].sampler.eta = 0.5;
  s.tracked = {3, 9};
  s.picked = 9;
  s.posterior = false;

  dg::ReverseJob job = dg::make_reverse_job(s, dg::share_schedule(a), diffusion::Dataset2DKind::SwissRoll, 4, 123);
  ASSERT_EQ(job.panels.size(), 2u);
  EXPECT_EQ(job.panels[0].steps, 0);
  EXPECT_EQ(job.panels[0].schedule.built->params().kind, ScheduleKind::Linear);
  EXPECT_EQ(job.panels[1].schedule.built->params().kind, ScheduleKind::Cosine);
  EXPECT_EQ(job.panels[1].schedule.T, 500);     // extra panels keep A's T
  EXPECT_EQ(job.panels[1].steps, 50);
  EXPECT_EQ(job.panels[1].sampler.sigma, SigmaKind::DDIM);
  EXPECT_EQ(job.dataset, diffusion::Dataset2DKind::SwissRoll);
  EXPECT_EQ(job.model_revision, 4u);
  EXPECT_EQ(job.t, 123);                        // following the run: its played cursor
  EXPECT_EQ(job.overlays.tracked, (std::vector<int>{3, 9}));
  EXPECT_EQ(job.overlays.picked, -1);           // posterior overlay off

  s.cursor.follow = false;
  s.posterior = true;
  job = dg::make_reverse_job(s, dg::share_schedule(a), diffusion::Dataset2DKind::SwissRoll, 4, 123);
  EXPECT_EQ(job.t, 123);
  EXPECT_EQ(job.overlays.picked, 9);

  // Fewer points than a tracked or picked index (found by the soak): those are left out, not
  // sent to the worker as an error.
  s.n_points = 5;
  job = dg::make_reverse_job(s, dg::share_schedule(a), diffusion::Dataset2DKind::SwissRoll, 4, 123);
  EXPECT_EQ(job.overlays.tracked, (std::vector<int>{3}));
  EXPECT_EQ(job.overlays.picked, -1);
  EXPECT_EQ(s.tracked, (std::vector<int>{3, 9}));   // kept: raising the count shows them again
}

TEST(ReverseJobFromState, OnlyRunChangesRestart) {
  dg::ReverseState s;
  const diffusion::ScheduleParams a;
  const dg::ReverseJob base = dg::make_reverse_job(s, dg::share_schedule(a), diffusion::Dataset2DKind::Moons, 0, 0);
  EXPECT_TRUE(dg::same_reverse_job(base, base));

  dg::ReverseJob moved = base;
  moved.t = 400;
  moved.overlays.field = dg::VectorField::Score;
  moved.overlays.tracked = {1};
  EXPECT_FALSE(dg::restarts_run(base, moved));
  EXPECT_FALSE(dg::same_reverse_job(base, moved));

  dg::ReverseJob other = base;
  other.panels[0].sampler.sigma = SigmaKind::Large;
  EXPECT_TRUE(dg::restarts_run(base, other));
  other = base;
  other.panels[0].sampler.eta = 0.25;  // even a field the sigma kind does not use
  EXPECT_TRUE(dg::restarts_run(base, other));
  other = base;
  other.model_revision = 1;            // a newly trained model
  EXPECT_TRUE(dg::restarts_run(base, other));
  other = base;
  other.panels.push_back(other.panels[0]);
  EXPECT_TRUE(dg::restarts_run(base, other));
  other = base;
  diffusion::ScheduleParams changed;
  changed.beta_end = 0.03;
  other.panels[0].schedule = dg::panel_schedule(changed);
  EXPECT_TRUE(dg::restarts_run(base, other));
  // Schedules compare by their parameters: one built again with equal ones is the same run.
  other = base;
  other.panels[0].schedule = dg::panel_schedule(diffusion::ScheduleParams{});
  EXPECT_NE(other.panels[0].schedule.built, base.panels[0].schedule.built);
  EXPECT_FALSE(dg::restarts_run(base, other));
}

TEST(ReverseJobFromState, PanelSchedulesAreBuiltOnTheUiThread) {
  dg::ReverseState s;
  dg::set_panel_count(s, 3, ScheduleKind::Cosine);
  s.panels[1].family = ScheduleKind::Linear;
  diffusion::ScheduleParams a;
  a.kind = ScheduleKind::Cosine;
  a.T = 300;
  a.beta_start = 2.0;   // cosine ignores it; the linear family does not
  const dg::SharedSchedule shared = dg::share_schedule(a);
  const dg::ReverseJob job = dg::make_reverse_job(s, shared, diffusion::Dataset2DKind::Moons, 0, 0);
  ASSERT_EQ(job.panels.size(), 3u);
  EXPECT_EQ(job.panels[0].schedule.built, shared);   // A's own, sent as built
  EXPECT_EQ(job.panels[2].schedule.built, shared);   // A's family: A's schedule again
  EXPECT_EQ(job.panels[1].schedule.built, nullptr);  // A's parameters do not make a linear one
  EXPECT_NE(job.panels[1].schedule.error.find("beta_start"), std::string::npos) << job.panels[1].schedule.error;
  EXPECT_EQ(job.panels[1].schedule.T, 300);          // the label still names K = T
}

TEST(ReversePresets, SigmaComparisonIsFourPanels) {
  dg::ReverseState s;
  s.panels[0].steps = 100;
  s.panels[0].denoiser = dg::DenoiserKind::Exact;
  dg::apply_reverse_preset(s, dg::ReversePreset::SigmaComparison, ScheduleKind::Cosine);
  ASSERT_EQ(s.panel_count, 4);
  EXPECT_EQ(s.panels[0].sampler.sigma, SigmaKind::Small);
  EXPECT_EQ(s.panels[1].sampler.sigma, SigmaKind::Large);
  EXPECT_EQ(s.panels[2].sampler.sigma, SigmaKind::DDIM);
  EXPECT_EQ(s.panels[2].sampler.eta, 0.0);
  EXPECT_EQ(s.panels[3].sampler.sigma, SigmaKind::DDIM);
  EXPECT_EQ(s.panels[3].sampler.eta, 1.0);
  for (const auto& p : s.panels) {
    EXPECT_EQ(p.steps, 100);                     // what the preset does not vary is kept
    EXPECT_EQ(p.denoiser, dg::DenoiserKind::Exact);
    EXPECT_EQ(p.family, ScheduleKind::Cosine);   // same schedule as A
  }
  const dg::ReverseJob job = dg::make_reverse_job(s, dg::share_schedule(diffusion::ScheduleParams{}), diffusion::Dataset2DKind::Moons, 0, 0);
  EXPECT_EQ(job.panels.size(), 4u);
}

TEST(ReversePresets, StepsAndDenoiserComparisons) {
  dg::ReverseState s;
  dg::apply_reverse_preset(s, dg::ReversePreset::StepsComparison, ScheduleKind::Linear);
  ASSERT_EQ(s.panel_count, 4);
  EXPECT_EQ(s.panels[0].steps, 0);
  EXPECT_EQ(s.panels[3].steps, 5);
  dg::apply_reverse_preset(s, dg::ReversePreset::DenoiserComparison, ScheduleKind::Linear);
  ASSERT_EQ(s.panel_count, 2);
  EXPECT_EQ(s.panels[0].denoiser, dg::DenoiserKind::Model);
  EXPECT_EQ(s.panels[1].denoiser, dg::DenoiserKind::Exact);
}

TEST(ReversePresets, NewPanelsCopyPanelZero) {
  dg::ReverseState s;
  s.panels[0].sampler.sigma = SigmaKind::Interpolated;
  s.panels[0].sampler.interpolation = 0.3;
  dg::set_panel_count(s, 3, ScheduleKind::Sigmoid);
  EXPECT_EQ(s.panel_count, 3);
  EXPECT_EQ(s.panels[2].sampler.sigma, SigmaKind::Interpolated);
  EXPECT_EQ(s.panels[2].family, ScheduleKind::Sigmoid);
  dg::set_panel_count(s, 9, ScheduleKind::Linear);
  EXPECT_EQ(s.panel_count, dg::kMaxReversePanels);
  dg::set_panel_count(s, 0, ScheduleKind::Linear);
  EXPECT_EQ(s.panel_count, 1);
}

TEST(VisitedTimesteps, StripFollowsTheSpacing) {
  // Hand-computed for T = 10, K = 5 (and 4 for linspace).
  EXPECT_EQ(dg::visited_timesteps(10, 5, diffusion::Spacing::Trailing), (std::vector<int>{2, 4, 6, 8, 10}));
  EXPECT_EQ(dg::visited_timesteps(10, 5, diffusion::Spacing::Leading), (std::vector<int>{1, 3, 5, 7, 9}));
  EXPECT_EQ(dg::visited_timesteps(10, 4, diffusion::Spacing::Linspace), (std::vector<int>{1, 4, 7, 10}));
  EXPECT_EQ(dg::visited_timesteps(6, 0, diffusion::Spacing::Trailing), (std::vector<int>{1, 2, 3, 4, 5, 6}));
  EXPECT_EQ(dg::visited_timesteps(6, 50, diffusion::Spacing::Leading), (std::vector<int>{1, 2, 3, 4, 5, 6}));
  std::string error;
  EXPECT_TRUE(dg::visited_timesteps(0, 5, diffusion::Spacing::Trailing, &error).empty());
  EXPECT_NE(error.find("T"), std::string::npos);
  EXPECT_EQ(dg::effective_steps(0, 1000), 1000);
  EXPECT_EQ(dg::effective_steps(-3, 1000), 1000);
  EXPECT_EQ(dg::effective_steps(20, 1000), 20);
}

TEST(ReversePlayback, RunsFromTDownToZero) {
  dg::Playback p;
  p.playing = true;
  p.steps_per_second = 100.0;
  p.loop = true;
  EXPECT_EQ(dg::advance_playback_down(p, 10, 1000, 0.05), 5);
  EXPECT_EQ(dg::advance_playback_down(p, 2, 1000, 0.02), 0);   // lands on x_0 first
  EXPECT_EQ(dg::advance_playback_down(p, 0, 1000, 0.02), 1000);  // then restarts at T
  dg::Playback once = p;
  once.loop = false;
  EXPECT_EQ(dg::advance_playback_down(once, 1, 1000, 0.05), 0);
  EXPECT_FALSE(once.playing);
  dg::Playback paused;
  EXPECT_EQ(dg::advance_playback_down(paused, 7, 1000, 1.0), 7);
}

TEST(ReverseCursorRules, FollowsTheRunThenSettlesOnTheRequestedT) {
  dg::ReverseCursor cursor;
  cursor.final_t = 300;
  dg::ReverseFrame frame;
  EXPECT_EQ(dg::settle_cursor(cursor, nullptr, 1000, 1000), 1000);      // nothing computed yet: x_T
  EXPECT_EQ(dg::settle_cursor(cursor, &frame, 700, 1000), 1000);        // no panel yet: x_T
  frame.panels = {run_panel(4), run_panel(3)};                          // 700 and 800 computed
  EXPECT_EQ(dg::settle_cursor(cursor, &frame, 1000, 1000), 1000);       // x_T first, not the newest
  EXPECT_EQ(cursor.frontier, 800);                                      // the slower panel's
  EXPECT_EQ(dg::settle_cursor(cursor, &frame, 500, 1000), 800);         // never ahead of the run
  EXPECT_TRUE(cursor.follow);
  frame.panels[0] = run_panel(11, true);
  frame.panels[1] = panel_frame(1000, 1000, false, "no checkpoint: press Train");  // failed: settled
  EXPECT_EQ(dg::run_frontier(frame, 1000), 0);
  EXPECT_EQ(dg::settle_cursor(cursor, &frame, 600, 1000), 600);         // still playing down to 300
  EXPECT_TRUE(cursor.follow);
  EXPECT_TRUE(cursor.run_done);
  EXPECT_EQ(dg::settle_cursor(cursor, &frame, 300, 1000), 300);         // reached: settles there
  EXPECT_FALSE(cursor.follow);
  EXPECT_EQ(cursor.final_t, -1);
  EXPECT_EQ(dg::settle_cursor(cursor, &frame, 250, 1000), 250);         // the lecturer's from now on
}

TEST(ReverseCursorRules, FollowedCursorIsScaledToTheTimeline) {
  dg::ReverseFrame frame;
  frame.panels = {panel_frame(500, 250, false)};
  EXPECT_EQ(dg::followed_cursor(frame, 1000), 500);
  frame.panels[0].visited_t = {500, 250};
  frame.panels[0].states_done = 2;
  EXPECT_EQ(dg::panel_frontier(frame.panels[0], 1000), 500);            // 250 of 500
  frame.panels[0].states_done = 3;
  EXPECT_EQ(dg::panel_frontier(frame.panels[0], 1000), 0);              // x_0
  frame.panels[0].states_done = 0;
  EXPECT_EQ(dg::run_frontier(frame, 1000), -1);                         // nothing yet
}

// Issue 16 item 7: opening the Reverse view shows x_T and plays down to t = 0 in order.
TEST(ReverseFromNoise, OpeningTheViewShowsXTFirst) {
  dg::AppState state;
  state.set_cursor(100);
  state.reverse.cursor.follow = false;
  state.set_view(dg::AppView::Reverse);
  EXPECT_EQ(state.t, 1000);
  EXPECT_TRUE(state.reverse.cursor.follow);
  EXPECT_EQ(state.run_cursor(), &state.reverse.cursor);
  // A fast run that has already finished when the first frame comes: still x_T first.
  dg::ReverseFrame done;
  done.panels = {run_panel(11, true)};
  state.set_cursor(dg::settle_cursor(state.reverse.cursor, &done, state.t, state.max_T()));
  EXPECT_EQ(state.t, 1000);
  EXPECT_TRUE(state.reverse.cursor.follow);
  const dg::ReverseJob job = dg::make_reverse_job(state.reverse, state.a.schedule(), state.dataset, 0, state.t);
  EXPECT_EQ(job.t, 1000);  // the worker is asked for x_T, not the newest state
}

TEST(ReverseFromNoise, ShownTDecreasesWithPlaybackAndNeverPassesTheFrontier) {
  dg::AppState state;
  state.set_view(dg::AppView::Reverse);
  state.playback.steps_per_second = 200.0;
  dg::ReverseCursor& cursor = state.reverse.cursor;
  dg::ReverseFrame frame;
  frame.panels = {run_panel(1)};  // only x_T
  int previous = state.t;
  for (int frame_no = 0; frame_no < 200; ++frame_no) {
    // The run computes one state every 10 frames; playback would run ahead of it.
    frame.panels[0] = run_panel(std::min(11, 1 + frame_no / 10), frame_no / 10 >= 10);
    state.set_cursor(dg::settle_cursor(cursor, &frame, state.t, state.max_T()));
    if (!cursor.follow) break;
    state.set_cursor(dg::advance_replay(state.playback, cursor, state.t, state.max_T(), 0.1));
    EXPECT_LE(state.t, previous) << frame_no;                         // in order: T -> 0
    EXPECT_GE(state.t, dg::run_frontier(frame, 1000)) << frame_no;    // never ahead of the run
    previous = state.t;
  }
  EXPECT_EQ(state.t, 0);
  EXPECT_FALSE(cursor.follow);
  EXPECT_FALSE(state.playback.playing);
}

TEST(ReverseFromNoise, RunFinishedBeforePlaybackPlaysToZeroThenStops) {
  dg::AppState state;
  state.set_view(dg::AppView::Reverse);
  state.playback.steps_per_second = 100.0;
  state.playback.loop = true;  // the lecturer's loop plays no part in the run's own playback
  dg::ReverseCursor& cursor = state.reverse.cursor;
  dg::ReverseFrame done;
  done.panels = {run_panel(11, true)};
  state.set_cursor(dg::settle_cursor(cursor, &done, state.t, state.max_T()));
  EXPECT_EQ(state.t, 1000);
  state.set_cursor(dg::advance_replay(state.playback, cursor, state.t, state.max_T(), 0.25));
  EXPECT_EQ(state.t, 975);  // at the playback speed, not at once
  EXPECT_TRUE(state.playback.playing);
  int frames = 0;
  while (cursor.follow && frames < 1000) {
    state.set_cursor(dg::settle_cursor(cursor, &done, state.t, state.max_T()));
    if (!cursor.follow) break;
    state.set_cursor(dg::advance_replay(state.playback, cursor, state.t, state.max_T(), 0.1));
    ++frames;
  }
  EXPECT_EQ(frames, 98);  // 975 steps at 10 a frame
  EXPECT_EQ(state.t, 0);  // sampling done
  EXPECT_FALSE(cursor.follow);
  EXPECT_FALSE(state.playback.playing);  // no loop
  state.set_cursor(dg::advance_playback_down(state.playback, state.t, state.max_T(), 0.1));
  EXPECT_EQ(state.t, 0);  // stays at x_0
}

TEST(ReverseFromNoise, HeadlessCapturesJumpToTheEndOnceSettled) {
  dg::ReverseCursor cursor;
  cursor.jump_to_end = true;
  dg::ReverseFrame frame;
  frame.panels = {run_panel(5)};
  EXPECT_EQ(dg::settle_cursor(cursor, &frame, 1000, 1000), 1000);
  EXPECT_TRUE(cursor.follow);
  frame.panels = {run_panel(11, true)};
  EXPECT_EQ(dg::settle_cursor(cursor, &frame, 1000, 1000), 0);  // settled: x_0 at once
  EXPECT_FALSE(cursor.follow);
  dg::ReverseCursor scene;
  scene.jump_to_end = true;
  scene.final_t = 250;  // --t: the t shown once the run has finished
  EXPECT_EQ(dg::settle_cursor(scene, &frame, 1000, 1000), 250);
  EXPECT_FALSE(scene.follow);
}

TEST(ReverseFromNoise, ReplayWaitsWhileNothingIsKnownAndStopsAtFinalT) {
  dg::Playback p;
  p.steps_per_second = 100.0;
  dg::ReverseCursor cursor;  // frontier -1: nothing computed yet
  EXPECT_EQ(dg::advance_replay(p, cursor, 1000, 1000, 0.1), 1000);
  EXPECT_TRUE(p.playing);
  cursor.frontier = 995;
  EXPECT_EQ(dg::advance_replay(p, cursor, 1000, 1000, 0.1), 995);  // waits at the frontier
  EXPECT_EQ(p.carry, 0.0);                                         // and owes nothing
  cursor.frontier = 0;
  cursor.final_t = 990;
  EXPECT_EQ(dg::advance_replay(p, cursor, 995, 1000, 0.1), 990);   // --t: stops there
  EXPECT_FALSE(p.playing);
  dg::Playback paused;  // the lecturer's pause is no part of it: a followed run plays
  cursor.final_t = -1;
  EXPECT_EQ(dg::advance_replay(paused, cursor, 500, 1000, 0.1), 480);
  EXPECT_TRUE(paused.playing);
}

TEST(ReversePick, NearestPointWithinReach) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const std::vector<float> xy = {0.0f, 0.0f, 1.0f, 1.0f, nan, nan, 1.2f, 0.9f};
  EXPECT_EQ(dg::nearest_point(xy, 1.15, 0.95, 0.5), 3);
  EXPECT_EQ(dg::nearest_point(xy, 0.9, 1.05, 0.5), 1);
  EXPECT_EQ(dg::nearest_point(xy, 3.0, 3.0, 0.5), -1);   // nothing that close
  EXPECT_EQ(dg::nearest_point({}, 0.0, 0.0, 1.0), -1);
}

TEST(ReversePick, TrackedPointsAreCappedAndDeduplicated) {
  dg::ReverseState s;
  for (int i = 0; i < dg::kMaxTrackedPoints + 2; ++i) dg::track_point(s, 100 + i);
  ASSERT_EQ(static_cast<int>(s.tracked.size()), dg::kMaxTrackedPoints);
  EXPECT_EQ(s.tracked.front(), 102);  // the oldest went
  EXPECT_EQ(s.picked, 100 + dg::kMaxTrackedPoints + 1);
  dg::track_point(s, 104);
  EXPECT_EQ(static_cast<int>(s.tracked.size()), dg::kMaxTrackedPoints);
  EXPECT_EQ(s.picked, 104);
  dg::track_point(s, -1);  // a click that hit nothing
  EXPECT_EQ(s.picked, 104);
  dg::clear_tracked(s);
  EXPECT_TRUE(s.tracked.empty());
  EXPECT_EQ(s.picked, -1);
}

TEST(ReverseArrows, NinetiethPercentileBecomesMostOfACell) {
  // Lengths 1..10 along x: the nearest-rank 90th percentile of ten values is the 9th, 9.
  std::vector<float> v;
  for (int i = 1; i <= 10; ++i) {
    v.push_back(static_cast<float>(i));
    v.push_back(0.0f);
  }
  v.push_back(std::numeric_limits<float>::quiet_NaN());  // ignored
  v.push_back(0.0f);
  EXPECT_NEAR(dg::arrow_scale(v, 0.5), 0.8 * 0.5 / 9.0, 1e-12);
  // 3-4-5 triangles: length 5 each.
  EXPECT_NEAR(dg::arrow_scale({3.0f, 4.0f, -3.0f, -4.0f}, 1.0), 0.8 / 5.0, 1e-12);
  EXPECT_EQ(dg::arrow_scale({0.0f, 0.0f}, 1.0), 0.0);
  EXPECT_EQ(dg::arrow_scale({1.0f, 0.0f}, 0.0), 0.0);
}

TEST(ReverseTexts, SwdAndLabels) {
  EXPECT_EQ(dg::swd_text(0.0123), "SWD to data = 0.0123");
  EXPECT_EQ(dg::swd_text(std::nan("")), "SWD to data = …");
  EXPECT_EQ(dg::swd_text(0.0456, 3), "SWD to class 3 = 0.0456");
  EXPECT_EQ(dg::swd_text(std::nan(""), 0), "SWD to class 0 = …");
  dg::ReversePanelSpec spec;
  spec.sampler.sigma = SigmaKind::DDIM;
  spec.sampler.eta = 1.0;
  spec.steps = 0;
  spec.denoiser = dg::DenoiserKind::Exact;
  EXPECT_EQ(dg::panel_label(spec, 1000), "DDIM η = 1 · NFE = 1000 · K = 1000 · exact");
  spec.sampler.sigma = SigmaKind::Small;
  spec.steps = 50;
  spec.denoiser = dg::DenoiserKind::Model;
  EXPECT_EQ(dg::panel_label(spec, 1000), "σ² = β̃ · NFE = 50 · K = 50 · learned");
}

// Issue 14: the overlay is named for the step it draws; the meter says what a copy is.
TEST(ReverseTexts, PosteriorNamesItsStepAndTheMeterItsRadius) {
  EXPECT_EQ(dg::posterior_label(1000, 980), "q(x₉₈₀ | x₁₀₀₀, x̂₀)");
  EXPECT_EQ(dg::posterior_label(1, 0), "q(x₀ | x₁, x̂₀)");
  EXPECT_EQ(dg::copies_text(std::nan(""), dg::CopyRadiusText::None), "copies …");
  EXPECT_EQ(dg::copies_text(0.0, dg::CopyRadiusText::None), "copies 0 %");
  EXPECT_EQ(dg::copies_text(1.0, dg::CopyRadiusText::None), "copies 100 %");
  EXPECT_EQ(dg::copies_text(0.9735, dg::CopyRadiusText::None), "copies 97.3 %");
  EXPECT_EQ(dg::copies_text(0.99999, dg::CopyRadiusText::None), "copies 99.9 %");   // never "100 %" unless all are
  EXPECT_EQ(dg::copies_text(1e-5, dg::CopyRadiusText::None), "copies 0.1 %");       // never "0 %" unless none is
  EXPECT_EQ(dg::copies_text(0.5, dg::CopyRadiusText::Long), "copies 50.0 % (≤ 0.001 from a training point)");
  EXPECT_EQ(dg::copies_text(0.5, dg::CopyRadiusText::Short), "copies 50.0 % (≤ 0.001)");
  EXPECT_EQ(dg::kCopyRadius, 1e-3);
}

// Issue 14: "clip x̂_0 to the data range" travels to the worker with the view's range, shows in
// the panel label, survives the presets, and is off by default in the 2D view.
TEST(ReverseJobFromState, ClippingCarriesTheDatasetsRange) {
  dg::ReverseState s;
  diffusion::ScheduleParams a;
  EXPECT_FALSE(s.panels[0].sampler.clip_x0);
  s.panels[0].sampler.clip_x0 = true;
  for (diffusion::Dataset2DKind kind : diffusion::all_dataset2d_kinds()) {
    SCOPED_TRACE(std::string(diffusion::to_string(kind)));
    const dg::ClipRange range = dg::data_clip_range(kind);
    // The range holds the dataset (any seed, any size in practice) with some room.
    const diffusion::Dataset2D data = diffusion::make_dataset2d(kind, 2000, 7);
    for (float v : data.xy) {
      EXPECT_GE(v, range.min);
      EXPECT_LE(v, range.max);
    }
    EXPECT_LT(range.max - range.min, 20.0);
    const dg::ReverseJob job = dg::make_reverse_job(s, dg::share_schedule(a), kind, 0, 0);
    EXPECT_TRUE(job.panels[0].sampler.clip_x0);
    EXPECT_EQ(job.panels[0].sampler.clip_min, range.min);
    EXPECT_EQ(job.panels[0].sampler.clip_max, range.max);
  }
  const dg::ReverseJob job = dg::make_reverse_job(s, dg::share_schedule(a), diffusion::Dataset2DKind::Moons, 0, 0);
  const std::string label = dg::panel_label(job.panels[0], 1000);
  EXPECT_EQ(label, "σ² = β̃ · NFE = 1000 · K = 1000 · learned · x̂₀ clipped to " +
                       dg::clip_range_text(job.panels[0].sampler.clip_min, job.panels[0].sampler.clip_max));
  EXPECT_EQ(dg::clip_range_text(-1.0, 1.0), "[−1, 1]");
  EXPECT_EQ(dg::clip_range_text(-2.5, 3.0), "[−2.5, 3]");
  // Turning it on or off restarts the run.
  dg::ReverseState off = s;
  off.panels[0].sampler.clip_x0 = false;
  EXPECT_TRUE(dg::restarts_run(job, dg::make_reverse_job(off, dg::share_schedule(a), diffusion::Dataset2DKind::Moons, 0, 0)));
  // The presets vary σ and K, never the clipping.
  for (dg::ReversePreset preset : dg::all_reverse_presets()) {
    dg::ReverseState p = s;
    dg::apply_reverse_preset(p, preset, ScheduleKind::Linear);
    for (int i = 0; i < p.panel_count; ++i) EXPECT_TRUE(p.panels[i].sampler.clip_x0) << dg::reverse_preset_label(preset);
  }
}

TEST(ReverseView, EachViewKeepsItsCursorAndReverseUsesAsT) {
  dg::AppState state;
  state.set_compare(true);
  state.b.params.T = 2000;
  state.refresh_schedules();
  ASSERT_EQ(state.max_T(), 2000);
  state.set_cursor(150);
  state.playback.playing = true;
  state.reverse.cursor.follow = false;
  state.set_view(dg::AppView::Reverse);
  EXPECT_EQ(state.max_T(), 1000);       // A's T: B plays no part in the reverse view
  EXPECT_EQ(state.t, 1000);             // a visit starts at x_T
  EXPECT_FALSE(state.playback.playing);
  EXPECT_TRUE(state.reverse.cursor.follow);
  state.set_cursor(420);
  state.set_view(dg::AppView::Forward);
  EXPECT_EQ(state.t, 150);
  EXPECT_EQ(state.max_T(), 2000);
  EXPECT_EQ(state.run_cursor(), nullptr);
  state.set_view(dg::AppView::Reverse);
  EXPECT_EQ(state.t, 1000);             // the run restarts: from x_T again
}

TEST(ReverseLayout, ColumnsTileTheWindow) {
  for (const float scale : {1.0f, 1.5f, 2.0f}) {
    const float font = 18.0f * scale;
    const dg::ReverseLayout l = dg::compute_reverse_layout(1600, 900, font, 60);
    EXPECT_FLOAT_EQ(l.controls.x, 0.0f);
    EXPECT_FLOAT_EQ(l.clouds.x, l.controls.right());
    EXPECT_FLOAT_EQ(l.side.x, l.clouds.right());
    EXPECT_FLOAT_EQ(l.side.right(), 1600.0f);
    EXPECT_FLOAT_EQ(l.timeline.y, l.controls.bottom());
    EXPECT_FLOAT_EQ(l.timeline.bottom(), 900.0f);
    EXPECT_GT(l.clouds.w, 0.4f * 1600.0f) << scale;  // the clouds stay the largest part
    EXPECT_GE(l.side.w, std::min(12.0f * font, 0.3f * 1600.0f) - 1.0f);
  }
}

TEST(ReverseTraining, JobForTheCurrentDataset) {
  dg::ReverseState s;
  s.training_steps = 5000;
  s.training_from_current = true;
  dg::TrainingJob job = dg::make_training_job(s, diffusion::Dataset2DKind::Checkerboard);
  EXPECT_EQ(job.dataset, diffusion::Dataset2DKind::Checkerboard);
  EXPECT_EQ(job.steps, 5000);
  EXPECT_TRUE(job.from_current);
  s.training_steps = 3;  // typed in with Ctrl+click: clamped, never a zero-step run
  EXPECT_EQ(dg::make_training_job(s, diffusion::Dataset2DKind::Moons).steps, dg::kMinTrainingSteps);
}

// The prediction-target compare: three learned models, one per target, with DDIM η = 0 and K = 50
// on common x_T and z; the labels lead with the target so that narrow panels still show it.
TEST(ReversePresets, PredictionTargetPutsTheThreeModelsSideBySide) {
  dg::ReverseState state;
  state.panels[0].sampler.clip_x0 = true;
  dg::apply_reverse_preset(state, dg::ReversePreset::TargetComparison, diffusion::ScheduleKind::Linear);
  ASSERT_EQ(state.panel_count, 3);
  const diffusion::PredictionTarget expected[] = {diffusion::PredictionTarget::Eps, diffusion::PredictionTarget::X0,
                                                   diffusion::PredictionTarget::V};
  const dg::ReverseJob job = dg::make_reverse_job(state, dg::share_schedule(diffusion::ScheduleParams{}), diffusion::Dataset2DKind::Moons, 0, -1);
  ASSERT_EQ(job.panels.size(), 3u);
  for (int i = 0; i < 3; ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(state.panels[i].denoiser, dg::DenoiserKind::Model);
    EXPECT_EQ(state.panels[i].model_target, expected[i]);
    EXPECT_EQ(state.panels[i].sampler.sigma, diffusion::SigmaKind::DDIM);
    EXPECT_EQ(state.panels[i].sampler.eta, 0.0);
    EXPECT_EQ(state.panels[i].steps, 50);
    EXPECT_TRUE(state.panels[i].sampler.clip_x0);  // kept from panel 0
    EXPECT_EQ(job.panels[i].model_target, expected[i]);
  }
  EXPECT_EQ(dg::panel_label(job.panels[0], 1000).rfind("learned ε-model · DDIM η = 0 · NFE = 50 · K = 50", 0), 0u);
  EXPECT_EQ(dg::panel_label(job.panels[2], 1000).rfind("learned v-model", 0), 0u);
  // A different target is a different run.
  dg::ReverseJob other = job;
  other.panels[1].model_target = diffusion::PredictionTarget::V;
  EXPECT_TRUE(dg::restarts_run(job, other));
  other.panels[1].model_target.reset();
  EXPECT_TRUE(dg::restarts_run(job, other));
}

// Issue 18: a panel's ODE solver travels to the worker and restarts the run when it changes.
TEST(ReverseJobFromState, OdeSolverTravelsAndRestartsTheRun) {
  dg::ReverseState s;
  const diffusion::ScheduleParams a;
  const dg::ReverseJob plain = dg::make_reverse_job(s, dg::share_schedule(a), diffusion::Dataset2DKind::Moons, 0, 0);
  EXPECT_FALSE(plain.panels[0].ode_solver.has_value());
  s.panels[0].ode_solver = diffusion::OdeSolver::Heun;
  const dg::ReverseJob heun = dg::make_reverse_job(s, dg::share_schedule(a), diffusion::Dataset2DKind::Moons, 0, 0);
  EXPECT_EQ(heun.panels[0].ode_solver, diffusion::OdeSolver::Heun);
  EXPECT_TRUE(dg::same_reverse_job(heun, heun));
  EXPECT_TRUE(dg::restarts_run(plain, heun));
  EXPECT_FALSE(heun.panels[0] == plain.panels[0]);
  dg::ReverseJob dpm = heun;
  dpm.panels[0].ode_solver = diffusion::OdeSolver::DpmSolverPP2M;
  EXPECT_TRUE(dg::restarts_run(heun, dpm));
  EXPECT_FALSE(dg::same_panel_spec(heun.panels[0], dpm.panels[0]));
  EXPECT_FALSE(heun.panels[0] == dpm.panels[0]);
  // A cursor move on an ODE run does not restart it.
  dg::ReverseJob moved = heun;
  moved.t = 300;
  EXPECT_FALSE(dg::restarts_run(heun, moved));
  // A new panel copies panel 0, solver included.
  dg::set_panel_count(s, 2, ScheduleKind::Linear);
  EXPECT_EQ(s.panels[1].ode_solver, diffusion::OdeSolver::Heun);
}

// Issue 18: every caption counts its network evaluations; Heun spends 2 per step but 1 on the
// last (to t = 0) and on a first step from ᾱ_T = 0 (counted here by hand, not by the code).
TEST(ReverseTexts, CaptionsCountNetworkEvaluations) {
  dg::ReversePanelSpec spec;   // default schedule: linear, T = 1000
  spec.steps = 5;
  spec.denoiser = dg::DenoiserKind::Model;
  spec.ode_solver = diffusion::OdeSolver::Heun;
  EXPECT_EQ(dg::panel_label(spec, 1000), "ODE Heun · NFE = 9 · K = 5 · learned");
  EXPECT_EQ(dg::panel_network_evaluations(spec, 1000), 2 * 5 - 1);
  diffusion::ScheduleParams zero_snr;
  zero_snr.zero_terminal_snr = true;
  spec.schedule = dg::panel_schedule(zero_snr);
  EXPECT_EQ(dg::panel_network_evaluations(spec, 1000), 2 * 5 - 2);
  EXPECT_EQ(dg::sampler_and_steps_label(spec, 1000), "ODE Heun · NFE = 8 · K = 5");
  spec.ode_solver = diffusion::OdeSolver::DpmSolverPP2M;
  spec.steps = 10;
  spec.denoiser = dg::DenoiserKind::Exact;
  EXPECT_EQ(dg::panel_label(spec, 1000), "ODE DPM++ · NFE = 10 · K = 10 · exact");
  spec.ode_solver = diffusion::OdeSolver::Euler;
  EXPECT_EQ(dg::sampler_and_steps_label(spec, 1000), "ODE Euler · NFE = 10 · K = 10");
  spec.ode_solver.reset();
  spec.sampler.sigma = SigmaKind::DDIM;
  EXPECT_EQ(dg::sampler_and_steps_label(spec, 1000), "DDIM η = 0 · NFE = 10 · K = 10");
  // Curvature of the tracked paths, two decimals; nothing before there is a path.
  EXPECT_EQ(dg::path_ratio_text(1.0432), "path length / distance: 1.04");
  EXPECT_EQ(dg::path_ratio_text(12.5), "path length / distance: 12.50");
  EXPECT_EQ(dg::path_ratio_text(1.0432, true), "len/dist 1.04");
  EXPECT_EQ(dg::path_ratio_text(std::nan("")), "");
}

// Issue 18: the ODE solvers' compare: DDPM, DDIM η = 0, Heun and DPM-Solver++(2M) with about 10
// network evaluations each (Heun's 2K − 1 cannot be 10: K = 5, 9), denoiser and clipping kept.
TEST(ReversePresets, OdeSolversAtEqualNfe) {
  dg::ReverseState s;
  s.panels[0].denoiser = dg::DenoiserKind::Exact;
  s.panels[0].sampler.clip_x0 = true;
  s.panels[0].ode_solver = diffusion::OdeSolver::Euler;   // panel 0's own choice is replaced
  dg::apply_reverse_preset(s, dg::ReversePreset::OdeSolverComparison, ScheduleKind::Linear);
  ASSERT_EQ(s.panel_count, 4);
  EXPECT_EQ(s.panels[0].sampler.sigma, SigmaKind::Small);
  EXPECT_FALSE(s.panels[0].ode_solver.has_value());
  EXPECT_EQ(s.panels[1].sampler.sigma, SigmaKind::DDIM);
  EXPECT_EQ(s.panels[1].sampler.eta, 0.0);
  EXPECT_FALSE(s.panels[1].ode_solver.has_value());
  EXPECT_EQ(s.panels[2].ode_solver, diffusion::OdeSolver::Heun);
  EXPECT_EQ(s.panels[3].ode_solver, diffusion::OdeSolver::DpmSolverPP2M);
  const int expected_k[] = {10, 10, 5, 10}, expected_nfe[] = {10, 10, 9, 10};
  const dg::ReverseJob job =
      dg::make_reverse_job(s, dg::share_schedule(diffusion::ScheduleParams{}), diffusion::Dataset2DKind::Moons, 0, 0);
  ASSERT_EQ(job.panels.size(), 4u);
  for (int i = 0; i < 4; ++i) {
    SCOPED_TRACE(i);
    EXPECT_EQ(s.panels[i].steps, expected_k[i]);
    EXPECT_EQ(s.panels[i].denoiser, dg::DenoiserKind::Exact);
    EXPECT_TRUE(s.panels[i].sampler.clip_x0);
    EXPECT_EQ(dg::panel_network_evaluations(job.panels[i], 1000), expected_nfe[i]);
    EXPECT_NE(dg::panel_label(job.panels[i], 1000).find("NFE = " + std::to_string(expected_nfe[i]) + " · K = " + std::to_string(expected_k[i])), std::string::npos);
  }
  // Other presets drop the ODE again.
  dg::apply_reverse_preset(s, dg::ReversePreset::StepsComparison, ScheduleKind::Linear);
  for (int i = 0; i < 4; ++i) EXPECT_FALSE(s.panels[i].ode_solver.has_value()) << i;
}

// A distance computed for another state than the one shown is not shown (nor does a screenshot
// wait on less than every panel's own figure).
TEST(ReverseTexts, DistanceShownOnlyForTheStateItBelongsTo) {
  dg::ReversePanelFrame panel;
  panel.shown_state = 50;
  panel.sliced_wasserstein = 0.292;
  panel.sliced_wasserstein_state = 0;   // x_T's, while x_0 is shown
  EXPECT_FALSE(dg::distance_is_current(panel));
  panel.sliced_wasserstein_state = 50;
  EXPECT_TRUE(dg::distance_is_current(panel));
  panel.sliced_wasserstein = std::numeric_limits<double>::quiet_NaN();
  EXPECT_FALSE(dg::distance_is_current(panel));

  dg::ReverseFrame frame;
  EXPECT_FALSE(dg::distances_settled(frame));   // nothing to show yet
  dg::ReversePanelFrame current = panel, stale = panel, failed = panel;
  current.sliced_wasserstein = 0.05;
  stale.sliced_wasserstein = 0.29;
  stale.sliced_wasserstein_state = 0;
  failed.error = "the model's output is not finite";
  frame.panels = {current, failed};
  EXPECT_TRUE(dg::distances_settled(frame));    // a failed panel has no figure to wait for
  frame.panels.push_back(stale);
  EXPECT_FALSE(dg::distances_settled(frame));
}
