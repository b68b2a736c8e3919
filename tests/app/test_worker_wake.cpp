// The Worker's publish hook (render on demand: the window sleeps until the worker has news):
// called after a frame is published, outside the worker's locks (the hook may read the frame),
// and never again once cleared.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>

#include <gtest/gtest.h>

#include "eventually.hpp"
#include "fake_backend.hpp"
#include "gui/protocol/worker.hpp"

namespace diffuscope::gui {
namespace {

using namespace std::chrono_literals;
using test_support::eventually;
using test_support::FakeBackend;
using test_support::FakeStats;

constexpr auto kWait = 10000ms;

std::unique_ptr<Worker> fake_worker() {
  return std::make_unique<Worker>(std::make_unique<FakeBackend>(std::make_shared<FakeStats>(), test_support::FakeTimings{}),
                                  "cpu", 0, FaultSetting{});
}

ForwardJob job_at(int t) {
  ForwardJob job;
  job.n_points = 10;
  job.t = t;
  return job;
}

TEST(WorkerWake, HookRunsAfterPublishingOutsideTheLocks) {
  auto worker = fake_worker();
  Worker* w = worker.get();
  std::atomic<int> calls{0};
  std::atomic<std::uint64_t> seen_generation{0};
  // Reading the frame from inside the hook would deadlock if the hook ran under the worker's lock.
  worker->set_on_publish([&] {
    if (auto frame = w->latest()) seen_generation.store(frame->generation);
    calls.fetch_add(1);
  });
  const std::uint64_t g = worker->submit(job_at(300));
  ASSERT_TRUE(eventually([&] { return seen_generation.load() == g; }, kWait));
  EXPECT_GE(calls.load(), 1);

  worker->set_on_publish({});
  ASSERT_TRUE(worker->wait_until_idle(kWait));
  const int before = calls.load();
  worker->submit(job_at(700));
  ASSERT_TRUE(worker->wait_until_idle(kWait));
  EXPECT_EQ(calls.load(), before);
  worker.reset();
}

TEST(WorkerWake, HookCanBeReplacedWhileTheWorkerRuns) {
  auto worker = fake_worker();
  std::atomic<int> first{0}, second{0};
  worker->set_on_publish([&] { first.fetch_add(1); });
  worker->submit(job_at(100));
  ASSERT_TRUE(worker->wait_until_idle(kWait));
  ASSERT_TRUE(eventually([&] { return first.load() >= 1; }, kWait));
  worker->set_on_publish([&] { second.fetch_add(1); });
  const int first_before = first.load();
  worker->submit(job_at(200));
  ASSERT_TRUE(worker->wait_until_idle(kWait));
  ASSERT_TRUE(eventually([&] { return second.load() >= 1; }, kWait));
  EXPECT_EQ(first.load(), first_before);
  worker->set_on_publish({});
  worker.reset();
}

}  // namespace
}  // namespace diffuscope::gui
