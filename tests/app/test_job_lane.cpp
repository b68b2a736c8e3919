// The job-lane rules every screen relies on: what is sent, what restarts a run, the one resend
// after a failure, the resets for a new device and a view that was left.
#include "gui/protocol/job_lane.hpp"

#include <gtest/gtest.h>

namespace diffuscope::gui {
namespace {

struct FakeJob {
  int run = 0;     // a change restarts the run
  int cursor = 0;  // a change is sent, the run goes on
  int t = 0;
};
bool same_fake(const FakeJob& x, const FakeJob& y) { return x.run == y.run && x.cursor == y.cursor && x.t == y.t; }
bool restarts_fake(const FakeJob& x, const FakeJob& y) { return x.run != y.run; }

TEST(JobLane, FirstJobIsSentAndStartsTheRun) {
  JobLane<FakeJob> lane(same_fake, restarts_fake);
  const LaneDecision d = lane.decide(FakeJob{});
  EXPECT_TRUE(d.send);
  EXPECT_TRUE(d.restart);
  EXPECT_FALSE(d.replaces_run);  // nothing was running
  lane.sent(FakeJob{}, 7, d.restart);
  EXPECT_TRUE(lane.submitted());
  EXPECT_EQ(lane.last_generation(), 7u);
  EXPECT_EQ(lane.run_generation(), 7u);
}

TEST(JobLane, UnchangedJobIsNotSentAgain) {
  JobLane<FakeJob> lane(same_fake, restarts_fake);
  lane.sent(FakeJob{1, 2, 3}, 1, true);
  const LaneDecision d = lane.decide(FakeJob{1, 2, 3});
  EXPECT_FALSE(d.send);
  EXPECT_FALSE(d.restart);
}

TEST(JobLane, CursorChangeIsSentWithinTheRun) {
  JobLane<FakeJob> lane(same_fake, restarts_fake);
  lane.sent(FakeJob{1, 0, 0}, 1, true);
  const LaneDecision d = lane.decide(FakeJob{1, 5, 0});
  EXPECT_TRUE(d.send);
  EXPECT_FALSE(d.restart);
  lane.sent(FakeJob{1, 5, 0}, 2, d.restart);
  EXPECT_EQ(lane.last_generation(), 2u);
  EXPECT_EQ(lane.run_generation(), 1u);  // still the first job's run
  EXPECT_TRUE(lane.shows_run(1));
  EXPECT_FALSE(lane.shows_run(0));
}

TEST(JobLane, RunChangeReplacesTheRun) {
  JobLane<FakeJob> lane(same_fake, restarts_fake);
  lane.sent(FakeJob{1, 0, 0}, 1, true);
  const LaneDecision d = lane.decide(FakeJob{2, 0, 0});
  EXPECT_TRUE(d.send);
  EXPECT_TRUE(d.restart);
  EXPECT_TRUE(d.replaces_run);
  lane.sent(FakeJob{2, 0, 0}, 4, d.restart);
  EXPECT_EQ(lane.run_generation(), 4u);
  EXPECT_FALSE(lane.shows_run(3));  // a frame of the replaced run
}

TEST(JobLane, LaneWithoutRunsSendsChangesOnly) {
  JobLane<FakeJob> lane(same_fake);
  EXPECT_TRUE(lane.decide(FakeJob{}).send);
  lane.sent(FakeJob{}, 1, true);
  EXPECT_FALSE(lane.decide(FakeJob{}).send);
  const LaneDecision d = lane.decide(FakeJob{9, 0, 0});
  EXPECT_TRUE(d.send);
  EXPECT_FALSE(d.restart);
}

TEST(JobLane, FailedJobIsResentOnceWhenTheWorkerIsIdle) {
  JobLane<FakeJob> lane(same_fake);
  EXPECT_FALSE(lane.should_resend(true, 0));  // nothing sent yet
  lane.sent(FakeJob{}, 5, true);
  EXPECT_FALSE(lane.should_resend(false, 4));  // still working on it
  EXPECT_FALSE(lane.should_resend(true, 5));   // its frame arrived
  EXPECT_TRUE(lane.should_resend(true, 4));    // idle without its frame: failed
  lane.resent(6);
  EXPECT_EQ(lane.last_generation(), 6u);
  EXPECT_FALSE(lane.should_resend(true, 5));   // a second failure stays reported
  lane.sent(FakeJob{1, 0, 0}, 7, false);       // something changed: may be resent again
  EXPECT_TRUE(lane.should_resend(true, 5));
}

TEST(JobLane, ResetSendsTheNextJobAsANewRun) {
  JobLane<FakeJob> lane(same_fake, restarts_fake);
  lane.sent(FakeJob{1, 0, 0}, 3, true);
  lane.reset();
  const LaneDecision d = lane.decide(FakeJob{1, 0, 0});
  EXPECT_TRUE(d.send);
  EXPECT_TRUE(d.restart);
  EXPECT_FALSE(d.replaces_run);  // the cursor keeps what it was doing
}

TEST(JobLane, LeavingTheViewResetsOnce) {
  JobLane<FakeJob> lane(same_fake, restarts_fake);
  lane.sent(FakeJob{}, 1, true);
  EXPECT_FALSE(lane.left_view(true, true));
  EXPECT_FALSE(lane.left_view(false, true));
  EXPECT_TRUE(lane.submitted());
  EXPECT_TRUE(lane.left_view(true, false));
  EXPECT_FALSE(lane.submitted());
  EXPECT_FALSE(lane.left_view(false, false));
}

TEST(DeviceWatch, FirstDeviceIsNotAMove) {
  DeviceWatch watch;
  EXPECT_FALSE(watch.moved(0));
  EXPECT_FALSE(watch.moved(1));
  EXPECT_FALSE(watch.moved(1));
  EXPECT_TRUE(watch.moved(2));
  EXPECT_FALSE(watch.moved(2));
}

}  // namespace
}  // namespace diffuscope::gui
