// UI state without a window: playback, cursor rescaling, axis ranges, schedule slots that keep the
// last good schedule, job change detection, notifications.
#include <gtest/gtest.h>

#include <cmath>

#include "gui/state/app_state.hpp"
#include "diffusion/schedule.hpp"

namespace dg = diffuscope::gui;

TEST(Playback, PausedDoesNotMove) {
  dg::Playback p;
  p.playing = false;
  EXPECT_EQ(dg::advance_playback(p, 10, 100, 1.0), 10);
}

TEST(Playback, AdvancesBySpeedTimesTimeAndCarriesFractions) {
  dg::Playback p;
  p.playing = true;
  p.steps_per_second = 100.0;
  EXPECT_EQ(dg::advance_playback(p, 10, 1000, 0.05), 15);
  // 10 steps/s at 30 ms per frame: 0.3 steps per frame, one step after the 4th frame (1.2).
  dg::Playback slow;
  slow.playing = true;
  slow.steps_per_second = 10.0;
  int t = 0;
  for (int frame = 0; frame < 3; ++frame) t = dg::advance_playback(slow, t, 1000, 0.03);
  EXPECT_EQ(t, 0);
  t = dg::advance_playback(slow, t, 1000, 0.03);
  EXPECT_EQ(t, 1);
  EXPECT_NEAR(slow.carry, 0.2, 1e-9);
}

TEST(Playback, LoopsOrStopsAtT) {
  dg::Playback looping;
  looping.playing = true;
  looping.steps_per_second = 100.0;
  looping.loop = true;
  EXPECT_EQ(dg::advance_playback(looping, 98, 100, 0.02), 100);  // lands on T first
  EXPECT_EQ(dg::advance_playback(looping, 100, 100, 0.02), 0);   // then restarts
  EXPECT_TRUE(looping.playing);

  dg::Playback once;
  once.playing = true;
  once.steps_per_second = 100.0;
  once.loop = false;
  EXPECT_EQ(dg::advance_playback(once, 99, 100, 0.05), 100);
  EXPECT_FALSE(once.playing);
}

TEST(Playback, LongStallsAreCapped) {
  dg::Playback p;
  p.playing = true;
  p.steps_per_second = 100.0;
  EXPECT_EQ(dg::advance_playback(p, 0, 10000, 5.0), 25);  // at most 0.25 s of playback
}

TEST(Cursor, KeepsItsFractionOfT) {
  EXPECT_EQ(dg::rescale_cursor(250, 1000, 100), 25);
  EXPECT_EQ(dg::rescale_cursor(1000, 1000, 4000), 4000);
  EXPECT_EQ(dg::rescale_cursor(3, 1000, 10), 0);
  EXPECT_EQ(dg::rescale_cursor(7, 0, 5), 5);  // no old T: clamp
}

TEST(PointsAxis, FixedForVariancePreservingGrowsForNaive) {
  EXPECT_EQ(dg::points_axis_half_range(dg::ForwardProcess::ClosedForm, 1000, 0.02), 4.0);
  EXPECT_EQ(dg::points_axis_half_range(dg::ForwardProcess::Markov, 4000, 0.5), 4.0);
  // 3 + 3 √(1000 · 0.02) = 16.42 -> next even number 18.
  EXPECT_EQ(dg::points_axis_half_range(dg::ForwardProcess::Naive, 1000, 0.02), 18.0);
  // Small spreads never shrink below the VP range.
  EXPECT_EQ(dg::points_axis_half_range(dg::ForwardProcess::Naive, 10, 1e-4), 4.0);
}

TEST(ScheduleSlot, BadParametersKeepTheLastGoodSchedule) {
  dg::ScheduleSlot slot;
  const auto good = slot.schedule();
  const auto revision = slot.revision();
  slot.params.T = 0;  // out of range 1..10000
  EXPECT_FALSE(slot.refresh());
  EXPECT_FALSE(slot.error().empty());
  EXPECT_NE(slot.error().find('T'), std::string::npos) << slot.error();
  EXPECT_EQ(slot.schedule(), good);
  EXPECT_EQ(slot.good_params().T, 1000);
  EXPECT_EQ(slot.revision(), revision);

  slot.params.T = 200;
  EXPECT_TRUE(slot.refresh());
  EXPECT_TRUE(slot.error().empty());
  EXPECT_EQ(slot.schedule()->T(), 200);
  EXPECT_GT(slot.revision(), revision);
  EXPECT_FALSE(slot.refresh());  // nothing changed: no recompute
}

TEST(ScheduleSlot, WarningsFollowTheSchedule) {
  dg::ScheduleSlot slot;
  EXPECT_TRUE(slot.warnings().empty());
  slot.params.T = 10;  // linear 1e-4..0.02 over 10 steps: ᾱ_T ≈ 0.9
  ASSERT_TRUE(slot.refresh());
  ASSERT_FALSE(slot.warnings().empty());
  EXPECT_NE(slot.warnings().front().text.find("not pure noise"), std::string::npos);
}

TEST(AppState, CompareStartsWithCosineAgainstLinear) {
  dg::AppState state;
  state.a.params.T = 500;
  state.refresh_schedules();
  state.set_compare(true);
  EXPECT_TRUE(state.compare);
  EXPECT_EQ(state.b.good_params().kind, diffusion::ScheduleKind::Cosine);
  EXPECT_EQ(state.b.good_params().T, 500);
  // Turning it off and on again keeps the lecturer's B.
  state.b.params.cosine_s = 0.02;
  state.refresh_schedules();
  state.set_compare(false);
  state.set_compare(true);
  EXPECT_DOUBLE_EQ(state.b.good_params().cosine_s, 0.02);
}

TEST(AppState, CursorFollowsTChangesAndClamps) {
  dg::AppState state;
  state.set_cursor(500);
  state.a.params.T = 100;
  EXPECT_TRUE(state.refresh_schedules());
  EXPECT_EQ(state.t, 50);
  state.set_cursor(1000);
  EXPECT_EQ(state.t, 100);
  state.set_cursor(-5);
  EXPECT_EQ(state.t, 0);
}

TEST(AppState, JobUsesLastGoodParamsAndDetectsChanges) {
  dg::AppState state;
  const dg::ForwardJob first = dg::make_forward_job(state);
  EXPECT_TRUE(dg::same_job(first, dg::make_forward_job(state)));

  state.set_cursor(state.t + 1);
  EXPECT_FALSE(dg::same_job(first, dg::make_forward_job(state)));
  state.set_cursor(state.t - 1);

  state.a.params.beta_end = -1.0;  // invalid: the job keeps the last good β_T
  state.refresh_schedules();
  ASSERT_FALSE(state.a.error().empty());
  EXPECT_DOUBLE_EQ(dg::make_forward_job(state).schedule_a->params().beta_end, 0.02);
  EXPECT_EQ(dg::make_forward_job(state).schedule_a, state.a.schedule());   // sent as built
  EXPECT_TRUE(dg::same_job(first, dg::make_forward_job(state)));

  // B is ignored while Compare is off, compared once it is on.
  dg::ForwardJob other = first;
  diffusion::ScheduleParams b77;
  b77.T = 77;
  other.schedule_b = dg::share_schedule(b77);
  EXPECT_TRUE(dg::same_job(first, other));
  dg::ForwardJob first_compare = first, other_compare = other;
  first_compare.compare = other_compare.compare = true;
  EXPECT_FALSE(dg::same_job(first_compare, other_compare));

  // Images are compared by identity (a new load is new work even with equal pixels).
  dg::ForwardJob with_image = first, with_other_image = first;
  with_image.image = std::make_shared<const dg::Image>();
  with_other_image.image = std::make_shared<const dg::Image>();
  EXPECT_FALSE(dg::same_job(with_image, with_other_image));
}

TEST(AppState, NotificationsDeduplicateCapAndExpire) {
  dg::AppState state;
  state.notify(dg::WarningLevel::Warning, "same", 5.0);
  state.notify(dg::WarningLevel::Warning, "same", 8.0);
  ASSERT_EQ(state.notifications.size(), 1u);
  EXPECT_DOUBLE_EQ(state.notifications.front().seconds_left, 8.0);
  for (int i = 0; i < 6; ++i) state.notify(dg::WarningLevel::Info, "m" + std::to_string(i), 3.0);
  EXPECT_EQ(state.notifications.size(), 4u);
  EXPECT_EQ(state.notifications.back().text, "m5");
  state.age_notifications(3.5);
  EXPECT_TRUE(state.notifications.empty());
}
