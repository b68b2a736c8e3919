// One moment on screen (issue 16, item 5): the timeline, the equation panel, the presenter's
// readout and the captions name the t of the picture on screen, and playback never runs ahead of
// the pictures a slow worker delivers (it drops steps instead).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <deque>
#include <string>
#include <vector>

#include "diffusion/schedule.hpp"
#include "gui/protocol/shared_schedule.hpp"
#include "gui/state/app_state.hpp"
#include "gui/state/equations.hpp"
#include "gui/state/shown_moment.hpp"

namespace dg = diffuscope::gui;

namespace {

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// The forward equations name x_t with t as a subscript: does any line's numbers name x at `t`?
bool equations_name_x_at(const std::vector<dg::EquationLine>& lines, int t) {
  for (const auto& line : lines) {
    if (contains(line.numeric, "x" + dg::subscript(t) + " =")) return true;
  }
  return false;
}

dg::ForwardSide side_at(int t, int T) {
  dg::ForwardSide side;
  diffusion::ScheduleParams p;
  p.T = T;
  side.schedule = dg::share_schedule(p);
  side.t = std::min(t, T);
  return side;
}

// A stand-in for the worker's forward lane: a job's frame is published `latency` UI frames after
// it was sent. Jobs are answered in order; the newest published frame is what the UI shows.
struct LaggingWorker {
  struct InFlight {
    std::uint64_t generation;
    int t;
    int due_frame;
  };
  int latency = 5;
  std::deque<InFlight> in_flight;
  std::uint64_t last_generation = 0;
  std::uint64_t published_generation = 0;
  int published_t = -1;

  void publish_due(int frame) {
    while (!in_flight.empty() && in_flight.front().due_frame <= frame) {
      published_generation = in_flight.front().generation;
      published_t = in_flight.front().t;
      in_flight.pop_front();
    }
  }
  void submit(int t, int frame) { in_flight.push_back({++last_generation, t, frame + latency}); }
};

}  // namespace

TEST(ShownMoment, ForwardPictureTIsTheFramesCursor) {
  dg::ForwardFrame frame;
  frame.a = side_at(514, 1000);
  EXPECT_EQ(dg::forward_picture_t(frame, 1000), 514);
  // Compare: each side clamps the cursor to its own T; the larger one is the cursor itself.
  frame.compare = true;
  frame.a = side_at(700, 500);
  frame.b = side_at(700, 1000);
  EXPECT_EQ(frame.a.t, 500);
  EXPECT_EQ(dg::forward_picture_t(frame, 1000), 700);
  // A frame computed for T = 500 shown on a timeline that is now over T = 1000: its fraction.
  frame.compare = false;
  frame.a = side_at(250, 500);
  EXPECT_EQ(dg::forward_picture_t(frame, 1000), 500);
}

TEST(ShownMoment, EveryLabelNamesThePicturesT) {
  dg::AppState s;
  s.set_cursor(545);               // the clock asked for 545 ...
  s.picture.forward_t = 514;       // ... the picture on screen is still x_514
  s.picture.answers_request = false;
  const dg::ShownMoment m = dg::shown_moment(s);
  EXPECT_EQ(m.t, 514);
  EXPECT_EQ(m.requested, 545);
  EXPECT_TRUE(m.has_picture);
  EXPECT_TRUE(m.on_its_way());
  EXPECT_EQ(dg::current_readout(s).t, 514);
  EXPECT_TRUE(equations_name_x_at(dg::current_equations(s), 514));
  EXPECT_FALSE(equations_name_x_at(dg::current_equations(s), 545));
  // Playing: the timeline shows the picture's t only.
  const dg::TimelineText playing = dg::timeline_text(m, 1000, true);
  EXPECT_EQ(playing.knob_t, 514);
  EXPECT_EQ(playing.format, "t = %d / 1000");
  // After a scrub: the picture's t, and where the cursor (the knob, under the hand) went.
  const dg::TimelineText scrubbed = dg::timeline_text(m, 1000, false);
  EXPECT_EQ(scrubbed.knob_t, 545);
  EXPECT_EQ(scrubbed.format, "t = 514 → %d / 1000");
  // Before any picture: the cursor.
  s.picture.forward_t = -1;
  EXPECT_EQ(dg::shown_moment(s).t, 545);
  EXPECT_FALSE(dg::shown_moment(s).has_picture);
}

TEST(ShownMoment, RunViewsNameTheShownState) {
  dg::AppState s;
  s.set_view(dg::AppView::Reverse);
  s.reverse.cursor.follow = false;
  s.set_cursor(305);
  s.reverse.shown_t = 320;          // the visited state at or above the cursor
  s.picture.answers_request = true;
  const dg::ShownMoment m = dg::shown_moment(s);
  EXPECT_EQ(m.t, 320);
  EXPECT_EQ(dg::current_readout(s).t, 320);
  const dg::TimelineText text = dg::timeline_text(m, s.max_T(), false);
  EXPECT_EQ(text.knob_t, 305);
  EXPECT_EQ(text.format, "t = 320 (cursor at %d) / " + std::to_string(s.max_T()));
  // The Images view reads its own state.
  s.set_view(dg::AppView::Images);
  s.images.sampling.shown_t = 40;
  EXPECT_EQ(dg::shown_moment(s).t, 40);
}

TEST(ShownMoment, HoldKeepsTimeUpToTheStallLimit) {
  dg::Playback p;
  p.playing = true;
  p.steps_per_second = 200.0;
  dg::ShownMoment waiting;
  waiting.t = 100;
  waiting.requested = 110;
  waiting.answers_request = false;
  EXPECT_TRUE(dg::hold_playback_for_picture(p, waiting, 0.01));
  EXPECT_NEAR(p.carry, 2.0, 1e-12);
  EXPECT_EQ(dg::advance_shown_playback(p, waiting, 1000, 0.01, false), 110);  // the cursor holds
  EXPECT_NEAR(p.carry, 4.0, 1e-12);
  for (int i = 0; i < 100; ++i) dg::hold_playback_for_picture(p, waiting, 0.1);
  EXPECT_NEAR(p.carry, 200.0 * dg::kMaxPlaybackStall, 1e-9);  // a long stall is not a long jump
  // Answered: the kept time is spent at once, from the request the picture answers.
  dg::ShownMoment answered = waiting;
  answered.t = 110;
  answered.answers_request = true;
  p.carry = 7.5;
  EXPECT_EQ(dg::advance_shown_playback(p, answered, 1000, 0.01, false), 110 + 9);
  EXPECT_NEAR(p.carry, 0.5, 1e-12);
  // Paused: nothing held, nothing moves.
  p.playing = false;
  EXPECT_FALSE(dg::hold_playback_for_picture(p, waiting, 0.01));
  EXPECT_EQ(dg::advance_shown_playback(p, answered, 1000, 0.01, false), 110);
}

TEST(ShownMoment, DownFromAKeptStateNeverSticks) {
  // A run view that keeps every 20th state shows x_320 for a cursor at 305; stepping from the
  // picture's t (320) by 3 would ask for 317 and get x_320 again, for ever. Playback steps from
  // the request the picture answers.
  dg::Playback p;
  p.playing = true;
  p.steps_per_second = 300.0;
  dg::ShownMoment m;
  m.t = 320;
  m.requested = 305;
  m.answers_request = true;
  EXPECT_EQ(dg::advance_shown_playback(p, m, 1000, 0.01, true), 302);
}

// The picture: the worker answers 5 frames late while the timeline plays at 200 steps/s
// (60 frames/s). Every frame the labels (timeline, readout, equations) name the picture's t, the
// cursor never asks for a t whose job was not answered, and the pictures keep up with the clock
// by dropping steps.
TEST(ShownMoment, PlaybackWithALaggingWorkerDropsStepsAndNeverShowsTwoMoments) {
  dg::AppState s;
  s.set_cursor(0);
  s.playback.playing = true;
  s.playback.loop = false;
  s.playback.steps_per_second = 200.0;
  const double dt = 1.0 / 60.0;
  LaggingWorker worker;
  worker.latency = 5;
  int sent_t = -1;
  std::vector<int> shown_sequence;
  const int frames = 240;  // four seconds: the clock asks for 800 of T = 1000 steps
  double largest_lag = 0.0;  // clock steps minus the picture's t
  for (int frame = 0; frame < frames; ++frame) {
    // settle: the newest published frame is this UI frame's picture.
    worker.publish_due(frame);
    s.picture.forward_t = worker.published_t;
    s.picture.answers_request = worker.last_generation == 0 || worker.published_generation >= worker.last_generation;
    // advance
    const dg::ShownMoment before = dg::shown_moment(s);
    s.set_cursor(dg::advance_shown_playback(s.playback, before, s.max_T(), dt, false));
    // submit: a changed cursor is a new job.
    if (s.t != sent_t) {
      EXPECT_TRUE(before.answers_request) << "a job was sent while the last one was unanswered, frame " << frame;
      worker.submit(s.t, frame);
      sent_t = s.t;
    }
    // draw: every label names the picture.
    const dg::ShownMoment m = dg::shown_moment(s);
    if (!m.has_picture) continue;
    ASSERT_EQ(m.t, worker.published_t);
    const dg::TimelineText text = dg::timeline_text(m, s.max_T(), s.playback.playing);
    EXPECT_EQ(text.knob_t, m.t) << "frame " << frame;
    EXPECT_EQ(text.format, "t = %d / " + std::to_string(s.max_T()));
    EXPECT_EQ(dg::current_readout(s).t, m.t) << "frame " << frame;
    EXPECT_TRUE(equations_name_x_at(dg::current_equations(s), m.t)) << "frame " << frame;
    if (shown_sequence.empty() || shown_sequence.back() != m.t) shown_sequence.push_back(m.t);
    largest_lag = std::max(largest_lag, 200.0 * (frame + 1) * dt - m.t);
  }
  ASSERT_GE(shown_sequence.size(), 10u);
  // Steps dropped: consecutive pictures lie about latency × 200/60 ≈ 17 steps apart, not 3.
  int largest_jump = 0;
  for (std::size_t i = 1; i < shown_sequence.size(); ++i) {
    largest_jump = std::max(largest_jump, shown_sequence[i] - shown_sequence[i - 1]);
    EXPECT_GT(shown_sequence[i], shown_sequence[i - 1]);
  }
  EXPECT_GE(largest_jump, 15);
  // Not lagging behind: the lag does not grow. A picture shows the t asked for when it was sent
  // (latency frames ago), and the next one comes latency frames later: the picture trails the
  // clock by at most 2 × latency + 1 frames of playback (≈ 37 steps), however long it plays.
  EXPECT_LE(largest_lag, (2 * worker.latency + 1) * 200.0 * dt + 1.0);
  const double clock_steps = 200.0 * frames * dt;
  EXPECT_GE(shown_sequence.back(), clock_steps - (2 * worker.latency + 1) * 200.0 * dt - 1.0);
  EXPECT_LE(shown_sequence.back(), clock_steps);
}
