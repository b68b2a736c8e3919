// Faults in jobs with the fake back end: an exception, a NaN and an out-of-memory in a forward
// job, a reverse run, an image run and training each give a clear message (take_errors() or the
// panel's error), no NaN is ever published, and the worker keeps serving. Plus the wording of
// failures, the non-finite checks and DIFFUSCOPE_INJECT_FAULT parsing. Torch-free (runs under
// ThreadSanitizer with the protocol tests).
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <memory>
#include <new>
#include <stdexcept>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "eventually.hpp"
#include "fake_backend.hpp"
#include "gui/protocol/fault_injection.hpp"
#include "gui/protocol/worker.hpp"
#include "gui/protocol/worker_failures.hpp"

namespace diffuscope::gui {
namespace {

using namespace std::chrono_literals;
using test_support::eventually;
using test_support::FakeBackend;
using test_support::FakeStats;
using test_support::FakeTimings;

constexpr auto kWait = 10000ms;

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

std::unique_ptr<Worker> fake_worker(FaultSetting fault, std::shared_ptr<FakeStats> stats = nullptr) {
  if (!stats) stats = std::make_shared<FakeStats>();
  return std::make_unique<Worker>(std::make_unique<FakeBackend>(stats), "cpu", 0, std::move(fault));
}

FaultSetting plan(WorkerLane lane, FaultKind kind) { return FaultSetting{FaultPlan{lane, kind}, ""}; }

std::vector<std::string> wait_for_errors(Worker& worker) {
  std::vector<std::string> errors;
  eventually([&] { errors = worker.take_errors(); return !errors.empty(); }, kWait);
  return errors;
}

ReverseJob reverse_job(int steps, std::uint64_t seed = 7) {
  ReverseJob job;
  job.n_points = 20;
  job.seed = seed;
  ReversePanelSpec spec;
  spec.steps = steps;
  job.panels = {spec, spec};
  return job;
}

ImageReverseJob images_job(int steps, std::uint64_t seed = 7) {
  ImageReverseJob job;
  job.image_count = 2;
  job.seed = seed;
  ReversePanelSpec spec;
  spec.steps = steps;
  job.panels = {spec};
  return job;
}

bool all_finite(const std::vector<float>& v) {
  for (float x : v)
    if (!std::isfinite(x)) return false;
  return true;
}

// ---- Wording ----

TEST(FailureMessage, OutOfMemoryIsSaidPlainly) {
  const std::string m = failure_message(std::bad_alloc());
  EXPECT_EQ(m.rfind("out of memory", 0), 0u) << m;
  EXPECT_TRUE(contains(m, "fewer")) << m;
}

TEST(FailureMessage, LibTorchStyleErrorLosesItsBacktrace) {
  try {
    throw_injected_fault(FaultKind::TorchOutOfMemory, "a test");
  } catch (const std::exception& e) {
    ASSERT_TRUE(contains(e.what(), "frame #0"));
    const std::string m = failure_message(e);
    EXPECT_EQ(m.rfind("CUDA out of memory. Tried to allocate 20.00 GiB", 0), 0u) << m;
    EXPECT_FALSE(contains(m, "Exception raised from")) << m;
    EXPECT_FALSE(contains(m, "frame #")) << m;
    EXPECT_FALSE(contains(m, "\n")) << m;
    EXPECT_TRUE(contains(m, "fewer")) << m;
  }
  // LibTorch's CPU allocator's wording.
  const std::string cpu = failure_message(std::runtime_error(
      "[enforce fail at alloc_cpu.cpp:75] err == 0. DefaultCPUAllocator: can't allocate memory: "
      "you tried to allocate 4503599627370496 bytes. Error code 12 (Cannot allocate memory)"));
  EXPECT_EQ(cpu.rfind("out of memory: [enforce fail", 0), 0u) << cpu;
}

TEST(FailureMessage, OrdinaryMessagesStayAsTheyAre) {
  EXPECT_EQ(failure_message(std::invalid_argument("n_points = 0 must be in 1..100000")),
            "n_points = 0 must be in 1..100000");
  EXPECT_EQ(failure_message(std::runtime_error("")), "failed (no reason given)");
  EXPECT_EQ(failure_message(std::runtime_error("first line\nsecond line")), "first line");
}

// ---- Non-finite checks ----

TEST(NonFiniteChecks, ForwardFrameNamesWhatWentNonFinite) {
  ForwardFrame f;
  f.x0_xy = {0.5f, 1.0f};
  f.a.t = 300;
  f.a.xt_xy = {0.1f, 0.2f};
  EXPECT_EQ(nonfinite_part(f), "");
  f.a.xt_xy[1] = std::numeric_limits<float>::quiet_NaN();
  EXPECT_TRUE(contains(nonfinite_part(f), "x_t of schedule A at t = 300 is non-finite")) << nonfinite_part(f);
  f.a.xt_xy[1] = 0;
  f.compare = true;
  f.b.t = 40;
  f.b.moments.sample_variance[0] = std::numeric_limits<double>::infinity();
  EXPECT_TRUE(contains(nonfinite_part(f), "the moments of schedule B at t = 40")) << nonfinite_part(f);
  f.compare = false;   // B is not shown
  EXPECT_EQ(nonfinite_part(f), "");
}

TEST(NonFiniteChecks, ReversePanelWithNaNGetsAnErrorAndNoCloud) {
  ReverseFrame f;
  f.panels.resize(2);
  f.panels[0].xt_xy = {0.0f, std::numeric_limits<float>::quiet_NaN()};
  f.panels[0].shown_t = 250;
  f.panels[1].xt_xy = {0.0f, 1.0f};
  EXPECT_EQ(reject_nonfinite_panels(f), 1);
  EXPECT_TRUE(f.panels[0].xt_xy.empty());
  EXPECT_EQ(f.panels[0].error, "the cloud became non-finite (NaN or infinity) at t = 250");
  EXPECT_EQ(f.panels[1].error, "");
  EXPECT_EQ(f.panels[1].xt_xy.size(), 2u);
}

// ---- DIFFUSCOPE_INJECT_FAULT ----

TEST(FaultSetting, ParsesJobAndKind) {
  auto s = parse_fault_setting("images:oom");
  ASSERT_TRUE(s.plan);
  EXPECT_EQ(s.plan->lane, WorkerLane::Images);
  EXPECT_EQ(s.plan->kind, FaultKind::OutOfMemory);
  EXPECT_TRUE(s.error.empty());
  EXPECT_EQ(parse_fault_setting("training:nan").plan->kind, FaultKind::NaN);
  EXPECT_EQ(parse_fault_setting("reverse:torch-oom").plan->kind, FaultKind::TorchOutOfMemory);
  EXPECT_EQ(parse_fault_setting("forward:exception").plan->lane, WorkerLane::Forward);
  EXPECT_FALSE(parse_fault_setting("").plan);
  EXPECT_TRUE(parse_fault_setting("").error.empty());
  for (const char* bad : {"reverse", "reverse:", "sideways:nan", "reverse:segfault", ":nan"}) {
    const auto b = parse_fault_setting(bad);
    EXPECT_FALSE(b.plan) << bad;
    EXPECT_TRUE(contains(b.error, "DIFFUSCOPE_INJECT_FAULT")) << bad;
  }
}

TEST(FaultSetting, TheEnvironmentIsReadWhenTheWorkerIsConstructed) {
  ::setenv(kInjectFaultVariable, "forward:oom", 1);
  auto worker = std::make_unique<Worker>(std::make_unique<FakeBackend>(std::make_shared<FakeStats>()),
                                         "cpu", 0);
  ::unsetenv(kInjectFaultVariable);   // already read
  worker->submit(ForwardJob{});
  const auto errors = wait_for_errors(*worker);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].rfind("out of memory", 0), 0u) << errors[0];
  // Fires once.
  const auto g = worker->submit(ForwardJob{});
  ASSERT_TRUE(eventually([&] { auto f = worker->latest(); return f && f->generation == g; }, kWait));

  ::setenv(kInjectFaultVariable, "forward:sometimes", 1);
  worker = std::make_unique<Worker>(std::make_unique<FakeBackend>(std::make_shared<FakeStats>()),
                                    "cpu", 0);
  ::unsetenv(kInjectFaultVariable);
  const auto bad = wait_for_errors(*worker);
  ASSERT_EQ(bad.size(), 1u);
  EXPECT_TRUE(contains(bad[0], "not understood")) << bad[0];
}

// ---- Faults in each lane ----

class ForwardFault : public ::testing::TestWithParam<FaultKind> {};

TEST_P(ForwardFault, IsReportedNothingNonFiniteIsShownAndTheNextJobWorks) {
  auto worker = fake_worker(plan(WorkerLane::Forward, GetParam()));
  worker->submit(ForwardJob{});
  ASSERT_TRUE(worker->wait_until_idle(kWait));
  EXPECT_EQ(worker->latest(), nullptr);   // the failed job published nothing
  const auto errors = worker->take_errors();
  ASSERT_EQ(errors.size(), 1u);
  switch (GetParam()) {
    case FaultKind::Exception: EXPECT_TRUE(contains(errors[0], "an exception in a forward job")); break;
    case FaultKind::NaN:
      EXPECT_EQ(errors[0], "forward view: x_t of schedule A at t = 0 is non-finite (NaN or infinity); "
                           "the frame was not shown");
      break;
    case FaultKind::OutOfMemory:
    case FaultKind::TorchOutOfMemory: EXPECT_TRUE(contains(errors[0], "out of memory")); break;
  }
  EXPECT_FALSE(contains(errors[0], "\n")) << errors[0];
  const auto g = worker->submit(ForwardJob{});
  ASSERT_TRUE(worker->wait_until_idle(kWait));
  ASSERT_NE(worker->latest(), nullptr);
  EXPECT_EQ(worker->latest()->generation, g);
  EXPECT_TRUE(all_finite(worker->latest()->a.xt_xy));
  EXPECT_TRUE(worker->take_errors().empty());
}

class LaneFault : public ::testing::TestWithParam<FaultKind> {};

TEST_P(LaneFault, ReverseRunReportsAndTheNextRunWorks) {
  auto worker = fake_worker(plan(WorkerLane::Reverse, GetParam()));
  worker->submit_reverse(reverse_job(50));
  if (GetParam() == FaultKind::NaN) {
    // The panel says so, and no published frame ever holds a NaN.
    std::shared_ptr<const ReverseFrame> f;
    ASSERT_TRUE(eventually([&] {
      f = worker->latest_reverse();
      if (f) {
        for (const auto& p : f->panels) EXPECT_TRUE(all_finite(p.xt_xy));
      }
      return f && !f->panels.empty() && !f->panels[0].error.empty();
    }, kWait));
    EXPECT_TRUE(contains(f->panels[0].error, "the cloud became non-finite")) << f->panels[0].error;
    EXPECT_TRUE(f->panels[0].xt_xy.empty());
    EXPECT_EQ(f->panels[1].error, "");
    EXPECT_FALSE(f->panels[1].xt_xy.empty());
  } else {
    const auto errors = wait_for_errors(*worker);
    ASSERT_EQ(errors.size(), 1u);
    EXPECT_EQ(errors[0].rfind("reverse view: ", 0), 0u) << errors[0];
    if (GetParam() != FaultKind::Exception) {
      EXPECT_TRUE(contains(errors[0], "out of memory")) << errors[0];
    }
    EXPECT_FALSE(contains(errors[0], "\n")) << errors[0];
  }
  worker->submit_reverse(reverse_job(50, 8));
  ASSERT_TRUE(eventually([&] {
    auto f = worker->latest_reverse();
    return f && f->panels.size() == 2 && f->panels[0].finished && f->panels[0].error.empty();
  }, kWait));
  EXPECT_TRUE(all_finite(worker->latest_reverse()->panels[0].xt_xy));
}

TEST_P(LaneFault, ImageRunReportsAndTheNextRunWorks) {
  auto worker = fake_worker(plan(WorkerLane::Images, GetParam()));
  worker->submit_images(images_job(20));
  const auto errors = wait_for_errors(*worker);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].rfind("images view: ", 0), 0u) << errors[0];
  if (GetParam() == FaultKind::NaN) {
    EXPECT_TRUE(contains(errors[0], "non-finite")) << errors[0];
  }
  if (GetParam() == FaultKind::OutOfMemory) {
    EXPECT_TRUE(contains(errors[0], "out of memory")) << errors[0];
  }
  worker->submit_images(images_job(20, 8));
  ASSERT_TRUE(eventually([&] {
    auto f = worker->latest_images();
    return f && !f->panels.empty() && f->panels[0].finished;
  }, kWait));
}

TEST_P(LaneFault, TrainingStopsWithAMessageAndKeepsThePublishedModel) {
  auto worker = fake_worker(plan(WorkerLane::Training, GetParam()));
  TrainingJob job;
  job.steps = 1000;
  worker->start_training(job);
  const auto errors = wait_for_errors(*worker);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_TRUE(contains(errors[0], "training stopped at step 0")) << errors[0];
  if (GetParam() == FaultKind::NaN) {
    EXPECT_TRUE(contains(errors[0], "the loss became nan")) << errors[0];
  }
  ASSERT_TRUE(eventually([&] { auto f = worker->latest_training(); return f && !f->running; }, kWait));
  EXPECT_TRUE(contains(worker->latest_training()->message, "training stopped"));
  EXPECT_TRUE(all_finite(worker->latest_training()->loss_history));
  EXPECT_EQ(worker->model_revision(job.dataset), 0u);   // nothing was published
  // A new training works.
  job.steps = 60;
  worker->start_training(job);
  ASSERT_TRUE(eventually([&] { auto f = worker->latest_training(); return f && f->step == 60 && !f->running; }, kWait));
  EXPECT_EQ(worker->model_revision(job.dataset), 2u);
}

INSTANTIATE_TEST_SUITE_P(Kinds, ForwardFault,
                         ::testing::Values(FaultKind::Exception, FaultKind::NaN,
                                           FaultKind::OutOfMemory, FaultKind::TorchOutOfMemory));
INSTANTIATE_TEST_SUITE_P(Kinds, LaneFault,
                         ::testing::Values(FaultKind::Exception, FaultKind::NaN,
                                           FaultKind::OutOfMemory, FaultKind::TorchOutOfMemory));

}  // namespace
}  // namespace diffuscope::gui
