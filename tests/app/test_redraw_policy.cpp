// Render on demand (issue 16): the window runs frames while anything moves or was touched, and
// sleeps otherwise, waking for a banner's end or, at the latest, after kMaxWaitSeconds.
#include <gtest/gtest.h>

#include "gui/state/redraw_policy.hpp"

namespace diffuscope::gui {
namespace {

RedrawInputs settled() {
  RedrawInputs in;
  in.frames_since_event = kSettleFrames;
  return in;
}

TEST(RedrawPolicy, SettledWindowSleepsUntilTheSafetyNet) {
  const RedrawDecision d = decide_redraw(settled());
  EXPECT_FALSE(d.render_now);
  EXPECT_DOUBLE_EQ(d.wait_seconds, kMaxWaitSeconds);
  RedrawInputs later = settled();
  later.frames_since_event = 1000;
  EXPECT_FALSE(decide_redraw(later).render_now);
}

TEST(RedrawPolicy, FramesRunWhileAnEventSettles) {
  // ImGui needs two frames for hover and layout; the loop runs kSettleFrames (>= 2) after an event.
  EXPECT_GE(kSettleFrames, 2);
  for (int f = 0; f < kSettleFrames; ++f) {
    RedrawInputs in = settled();
    in.frames_since_event = f;
    EXPECT_TRUE(decide_redraw(in).render_now) << f;
  }
}

TEST(RedrawPolicy, AnythingMovingKeepsFramesComing) {
  RedrawInputs in = settled();
  in.headless = true;
  EXPECT_TRUE(decide_redraw(in).render_now);
  in = settled();
  in.playing = true;
  EXPECT_TRUE(decide_redraw(in).render_now);
  in = settled();
  in.worker_busy = true;
  EXPECT_TRUE(decide_redraw(in).render_now);
  in = settled();
  in.run_streaming = true;
  EXPECT_TRUE(decide_redraw(in).render_now);
  in = settled();
  in.work_pending = true;
  EXPECT_TRUE(decide_redraw(in).render_now);
}

TEST(RedrawPolicy, HeadlessDriversRunEveryFrameEvenWhenIdle) {
  // Screenshots, exports, bench and soak are driven by frames: never a sleep, however long idle.
  RedrawInputs in = settled();
  in.headless = true;
  in.frames_since_event = 1 << 20;
  const RedrawDecision d = decide_redraw(in);
  EXPECT_TRUE(d.render_now);
  EXPECT_DOUBLE_EQ(d.wait_seconds, 0.0);
}

TEST(RedrawPolicy, BannerEndWakesTheWindow) {
  RedrawInputs in = settled();
  in.next_notification_seconds = 0.4;
  RedrawDecision d = decide_redraw(in);
  EXPECT_FALSE(d.render_now);
  EXPECT_GT(d.wait_seconds, 0.4);
  EXPECT_LT(d.wait_seconds, 0.5);
  // A long banner: the safety net still bounds the sleep.
  in.next_notification_seconds = 30.0;
  EXPECT_DOUBLE_EQ(decide_redraw(in).wait_seconds, kMaxWaitSeconds);
  // One already due: a short sleep, then the frame that removes it.
  in.next_notification_seconds = 0.0;
  d = decide_redraw(in);
  EXPECT_FALSE(d.render_now);
  EXPECT_LE(d.wait_seconds, 0.05);
}

TEST(RedrawPolicy, IdleSecondsRunNoFrames) {
  // Simulates N idle seconds the way the loop does (decide, then sleep or run a frame): after
  // the settling frames, only the safety net's wake-ups run a frame each.
  double clock = 0.0;
  int frames = 0;
  int since_event = 0;
  while (clock < 20.0) {
    RedrawInputs in;
    in.frames_since_event = since_event;
    const RedrawDecision d = decide_redraw(in);
    if (d.render_now) {
      ++frames;
      ++since_event;
      clock += 0.03;
    } else {
      clock += d.wait_seconds;
      since_event = kSettleFrames - 1;  // a timeout, not an event: one frame
    }
  }
  EXPECT_LE(frames, kSettleFrames + static_cast<int>(20.0 / kMaxWaitSeconds) + 1);
}

}  // namespace
}  // namespace diffuscope::gui
