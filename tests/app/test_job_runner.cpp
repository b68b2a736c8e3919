// The worker protocol without tensors: latest job wins, cancellation between steps, errors reach
// the UI and the worker keeps serving, prompt shutdown.
#include "gui/job_runner.hpp"

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <string>
#include <thread>

#include <gtest/gtest.h>

namespace diffuscope::gui {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

struct TestJob {
  int value = 0;
  int steps = 1;                            // each step sleeps step_time
  std::chrono::milliseconds step_time{0};
  bool throw_error = false;
};
struct TestFrame {
  int value = 0;
  std::uint64_t generation = 0;
};

// Polls until pred() or timeout; true if pred() held.
template <class Pred>
bool eventually(Pred pred, std::chrono::milliseconds timeout = 5000ms) {
  const auto end = Clock::now() + timeout;
  while (Clock::now() < end) {
    if (pred()) return true;
    std::this_thread::sleep_for(1ms);
  }
  return pred();
}

struct Counters {
  std::atomic<int> started{0};
  std::atomic<int> completed{0};
  std::atomic<int> steps_run{0};
};

JobRunner<TestJob, TestFrame>::Compute make_compute(Counters& counters) {
  return [&counters](const TestJob& job, const CancelToken& cancel) {
    ++counters.started;
    for (int s = 0; s < job.steps; ++s) {
      cancel.throw_if_cancelled();
      ++counters.steps_run;
      std::this_thread::sleep_for(job.step_time);
    }
    if (job.throw_error) throw std::runtime_error("job " + std::to_string(job.value) + " failed");
    ++counters.completed;
    return TestFrame{job.value, cancel.generation()};
  };
}

TEST(JobRunner, PublishesFrameWithItsGeneration) {
  Counters counters;
  JobRunner<TestJob, TestFrame> runner(make_compute(counters));
  EXPECT_EQ(runner.latest(), nullptr);
  EXPECT_EQ(runner.latest_generation(), 0u);
  const std::uint64_t g1 = runner.submit({42});
  EXPECT_EQ(g1, 1u);
  ASSERT_TRUE(eventually([&] { return runner.latest() != nullptr; }));
  EXPECT_EQ(runner.latest()->value, 42);
  EXPECT_EQ(runner.latest()->generation, g1);
  EXPECT_EQ(runner.latest_generation(), g1);
  EXPECT_EQ(runner.submit({43}), 2u);
  ASSERT_TRUE(runner.wait_until_idle(5000ms));
  EXPECT_EQ(runner.latest()->value, 43);
  EXPECT_FALSE(runner.busy());
  EXPECT_TRUE(runner.take_errors().empty());
}

TEST(JobRunner, NewerJobsSupersedeOlderOnes) {
  Counters counters;
  JobRunner<TestJob, TestFrame> runner(make_compute(counters));
  constexpr int kJobs = 200;
  std::uint64_t last = 0;
  // Each job takes ~5 ms uncancelled; 200 submitted back to back would take a second if all ran.
  for (int i = 1; i <= kJobs; ++i) last = runner.submit({i, 5, 1ms});
  EXPECT_EQ(last, static_cast<std::uint64_t>(kJobs));
  ASSERT_TRUE(runner.wait_until_idle(5000ms));
  ASSERT_NE(runner.latest(), nullptr);
  EXPECT_EQ(runner.latest()->value, kJobs);
  EXPECT_EQ(runner.latest()->generation, last);
  EXPECT_EQ(runner.latest_generation(), last);
  // Pending jobs that were replaced never started: far fewer than kJobs ran at all.
  EXPECT_LT(counters.started.load(), kJobs / 4);
  EXPECT_EQ(runner.jobs_finished(), static_cast<std::uint64_t>(kJobs));
}

TEST(JobRunner, RunningJobIsCancelledBetweenSteps) {
  Counters counters;
  JobRunner<TestJob, TestFrame> runner(make_compute(counters));
  // 10,000 steps of 1 ms: 10 s if never cancelled.
  runner.submit({1, 10000, 1ms});
  ASSERT_TRUE(eventually([&] { return counters.steps_run.load() >= 5; }));
  const auto submitted = Clock::now();
  const std::uint64_t g2 = runner.submit({2});
  ASSERT_TRUE(eventually([&] { return runner.latest_generation() == g2; }, 2000ms));
  const auto elapsed = Clock::now() - submitted;
  EXPECT_LT(elapsed, 500ms);
  EXPECT_LT(counters.steps_run.load(), 10000);
  EXPECT_EQ(runner.latest()->value, 2);
  EXPECT_EQ(counters.completed.load(), 1);  // only job 2 ran to the end
  EXPECT_TRUE(runner.take_errors().empty()); // cancellation is not an error
}

TEST(JobRunner, CancelTokenSeesNewerGeneration) {
  std::atomic<std::uint64_t> newest{3};
  std::atomic<bool> shutdown{false};
  CancelToken current(&newest, &shutdown, 3);
  EXPECT_FALSE(current.cancelled());
  newest = 4;
  EXPECT_TRUE(current.cancelled());
  EXPECT_THROW(current.throw_if_cancelled(), JobCancelled);
  CancelToken next(&newest, &shutdown, 4);
  EXPECT_FALSE(next.cancelled());
  shutdown = true;
  EXPECT_TRUE(next.cancelled());
  EXPECT_FALSE(CancelToken().cancelled());
}

TEST(JobRunner, ExceptionReachesUiAndWorkerKeepsServing) {
  Counters counters;
  JobRunner<TestJob, TestFrame> runner(make_compute(counters));
  runner.submit({1});
  ASSERT_TRUE(runner.wait_until_idle(5000ms));
  TestJob bad{2};
  bad.throw_error = true;
  runner.submit(bad);
  ASSERT_TRUE(runner.wait_until_idle(5000ms));
  const auto errors = runner.take_errors();
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0], "job 2 failed");
  EXPECT_TRUE(runner.take_errors().empty());  // taken once
  // The failed job published nothing: the previous frame stays.
  EXPECT_EQ(runner.latest()->value, 1);
  const std::uint64_t g3 = runner.submit({3});
  ASSERT_TRUE(runner.wait_until_idle(5000ms));
  EXPECT_EQ(runner.latest()->value, 3);
  EXPECT_EQ(runner.latest_generation(), g3);
}

TEST(JobRunner, NonStandardExceptionIsReported) {
  JobRunner<TestJob, TestFrame> runner([](const TestJob&, const CancelToken&) -> TestFrame {
    throw 7;
  });
  runner.submit({1});
  ASSERT_TRUE(runner.wait_until_idle(5000ms));
  const auto errors = runner.take_errors();
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].find("unknown"), std::string::npos);
}

TEST(JobRunner, StartupRunsOnWorkerThreadAndItsFailureIsReported) {
  std::atomic<bool> on_worker_thread{false};
  const auto ui_thread = std::this_thread::get_id();
  JobRunner<TestJob, TestFrame> runner(
      [](const TestJob& job, const CancelToken& c) { return TestFrame{job.value, c.generation()}; },
      [&] {
        on_worker_thread = std::this_thread::get_id() != ui_thread;
        throw std::runtime_error("no such device");
      });
  runner.submit({5});
  ASSERT_TRUE(runner.wait_until_idle(5000ms));
  EXPECT_TRUE(on_worker_thread.load());
  const auto errors = runner.take_errors();
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0], "no such device");
  ASSERT_NE(runner.latest(), nullptr);
  EXPECT_EQ(runner.latest()->value, 5);
}

TEST(JobRunner, DestructionWhileBusyIsPrompt) {
  Counters counters;
  auto runner = std::make_unique<JobRunner<TestJob, TestFrame>>(make_compute(counters));
  runner->submit({1, 100000, 1ms});  // 100 s if never cancelled
  runner->submit({2, 100000, 1ms});  // pending behind it: must never start
  ASSERT_TRUE(eventually([&] { return counters.steps_run.load() >= 3; }));
  const auto start = Clock::now();
  runner.reset();
  EXPECT_LT(Clock::now() - start, 1000ms);
  EXPECT_EQ(counters.completed.load(), 0);
}

TEST(JobRunner, DestructionWhenIdleIsPrompt) {
  Counters counters;
  const auto start = Clock::now();
  {
    JobRunner<TestJob, TestFrame> runner(make_compute(counters));
  }
  EXPECT_LT(Clock::now() - start, 1000ms);
  EXPECT_EQ(counters.started.load(), 0);
}

TEST(JobRunner, LatestNeverWaitsForARunningJob) {
  Counters counters;
  JobRunner<TestJob, TestFrame> runner(make_compute(counters));
  runner.submit({1});
  ASSERT_TRUE(runner.wait_until_idle(5000ms));
  runner.submit({2, 2000, 1ms});  // ~2 s
  ASSERT_TRUE(eventually([&] { return counters.steps_run.load() >= 3; }));
  EXPECT_TRUE(runner.busy());
  // 1,000 polls while the job runs: each must return at once with the old frame.
  const auto start = Clock::now();
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(runner.latest()->value, 1);
  EXPECT_LT(Clock::now() - start, 100ms);
}

}  // namespace
}  // namespace diffuscope::gui
