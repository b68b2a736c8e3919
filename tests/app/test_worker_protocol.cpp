// The Worker's protocol with a fake back end (no LibTorch, so ThreadSanitizer sees only our
// threads; scripts/tsan.sh): latest job wins, slices between the lanes, cancellation, frames,
// errors, device switch, shutdown, and that the back end is used from the worker thread only.
#include <atomic>
#include <cstdio>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "eventually.hpp"
#include "fake_backend.hpp"
#include "gui/protocol/cancel_token.hpp"
#include "gui/protocol/worker.hpp"

namespace diffuscope::gui {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using test_support::eventually;
using test_support::FakeBackend;
using test_support::FakeStats;
using test_support::FakeTimings;

// Generous: TSan slows everything down several times and the machine is shared.
constexpr auto kWait = 10000ms;

struct FakeWorker {
  std::shared_ptr<FakeStats> stats = std::make_shared<FakeStats>();
  std::unique_ptr<Worker> worker;
  explicit FakeWorker(FakeTimings timings = {}, std::string device = "cpu") {
    worker = std::make_unique<Worker>(std::make_unique<FakeBackend>(stats, timings), device, 0,
                                      FaultSetting{});
  }
  ~FakeWorker() {
    worker.reset();
    // The back end was used on the worker thread only, started once and shut down once.
    EXPECT_EQ(stats->wrong_thread_calls.load(), 0);
    EXPECT_EQ(stats->calls_before_start.load(), 0);
    EXPECT_EQ(stats->calls_after_shut_down.load(), 0);
    EXPECT_EQ(stats->starts.load(), 1);
    EXPECT_EQ(stats->shut_downs.load(), stats->starts.load());
  }
  Worker& operator*() { return *worker; }
  Worker* operator->() { return worker.get(); }
};

ForwardJob markov_job(int t, std::uint64_t seed = 7) {
  ForwardJob job;
  job.process = ForwardProcess::Markov;
  job.t = t;
  job.seed = seed;
  job.n_points = 100;
  return job;
}

ReverseJob reverse_job(int steps, std::uint64_t seed = 7, int panels = 1) {
  ReverseJob job;
  job.n_points = 50;
  job.seed = seed;
  for (int p = 0; p < panels; ++p) {
    ReversePanelSpec spec;
    spec.steps = steps;
    job.panels.push_back(spec);
  }
  return job;
}

ImageReverseJob images_job(int steps, std::uint64_t seed = 7) {
  ImageReverseJob job;
  job.image_count = 4;
  job.seed = seed;
  ReversePanelSpec spec;
  spec.steps = steps;
  job.panels.push_back(spec);
  return job;
}

// What a running forward job checks between steps: a newer generation, shutdown or its slice's
// deadline makes it stale; a default token never is (for calling computations directly).
TEST(WorkerProtocol, CancelTokenSeesNewerGenerationShutdownAndDeadline) {
  std::atomic<std::uint64_t> newest{3};
  std::atomic<bool> shutdown{false};
  CancelToken current(&newest, &shutdown, 3);
  EXPECT_FALSE(current.cancelled());
  newest = 4;
  EXPECT_TRUE(current.cancelled());
  EXPECT_THROW(current.throw_if_cancelled(), JobCancelled);
  CancelToken next(&newest, &shutdown, 4);
  EXPECT_FALSE(next.cancelled());
  EXPECT_TRUE(CancelToken(&newest, &shutdown, 4, Clock::now() - 1ms).cancelled());
  EXPECT_FALSE(CancelToken(&newest, &shutdown, 4, Clock::now() + 10s).cancelled());
  shutdown = true;
  EXPECT_TRUE(next.cancelled());
  EXPECT_FALSE(CancelToken().cancelled());
}

TEST(WorkerProtocol, ForwardFrameArrivesWithItsGenerationAndDevice) {
  FakeWorker w;
  EXPECT_EQ(w->latest(), nullptr);
  ForwardJob job;
  job.n_points = 10;
  job.t = 500;
  const auto g = w->submit(job);
  EXPECT_EQ(g, 1u);
  ASSERT_TRUE(w->wait_until_idle(kWait));
  ASSERT_NE(w->latest(), nullptr);
  EXPECT_EQ(w->latest()->generation, g);
  EXPECT_EQ(w->latest()->a.t, 500);
  EXPECT_EQ(w->latest()->a.xt_xy.size(), 20u);
  EXPECT_EQ(w->device_name(), "cpu");
  EXPECT_EQ(w->device_status().revision, 1u);
  EXPECT_TRUE(w->take_errors().empty());
}

TEST(WorkerProtocol, NewerForwardJobsSupersedeOlderOnes) {
  FakeTimings timings;
  timings.forward_step = 1000us;
  FakeWorker w(timings);
  constexpr int kJobs = 200;
  std::uint64_t last = 0;
  // Each job is a Markov chain of 20 fresh steps of 1 ms (a new seed each): 4 s if all ran.
  for (int i = 1; i <= kJobs; ++i) last = w->submit(markov_job(20, static_cast<std::uint64_t>(i)));
  ASSERT_TRUE(w->wait_until_idle(kWait));
  ASSERT_NE(w->latest(), nullptr);
  EXPECT_EQ(w->latest()->generation, last);
  // Replaced pending jobs never started.
  EXPECT_LT(w.stats->forward_started.load(), kJobs / 2);
}

TEST(WorkerProtocol, RunningForwardJobIsCancelledBetweenSteps) {
  FakeTimings timings;
  timings.forward_step = 1000us;
  FakeWorker w(timings);
  w->submit(markov_job(100000));   // 100 s if never cancelled
  ASSERT_TRUE(eventually([&] { return w.stats->forward_steps.load() >= 5; }, kWait));
  const auto submitted = Clock::now();
  ForwardJob quick;
  quick.n_points = 10;
  const auto g = w->submit(quick);
  ASSERT_TRUE(eventually([&] { auto f = w->latest(); return f && f->generation == g; }, kWait));
  EXPECT_LT(Clock::now() - submitted, 2000ms);
  EXPECT_EQ(w.stats->forward_completed.load(), 1);
  EXPECT_TRUE(w->take_errors().empty());   // cancellation is not an error
}

ForwardJob x0_job(int t) {
  ForwardJob job;
  job.t = t;
  job.n_points = 100;
  job.predict_x0 = true;
  return job;
}

// The points of a forward job come first; the x0_hat (a slow model) follows in a second frame of
// the same generation, and busy() covers the wait for it.
TEST(WorkerProtocol, ForwardX0HatFollowsThePointsInASecondFrame) {
  FakeTimings timings;
  timings.x0_hat = 150ms;
  FakeWorker w(timings);
  const std::uint64_t g = w->submit(x0_job(300));
  ASSERT_TRUE(eventually([&] { auto f = w->latest(); return f && f->generation == g; }, kWait));
  auto f = w->latest();
  EXPECT_TRUE(f->a.x0_hat_pending);        // the model takes 150 ms; the points are already out
  EXPECT_TRUE(f->a.x0_hat.empty());
  EXPECT_TRUE(w->busy());
  ASSERT_TRUE(w->wait_until_idle(kWait));
  f = w->latest();
  EXPECT_EQ(f->generation, g);
  EXPECT_FALSE(f->a.x0_hat_pending);
  ASSERT_EQ(f->a.x0_hat.pixels.size(), 1u);
  EXPECT_EQ(f->a.x0_hat.pixels[0], 300.0f);
  EXPECT_EQ(w.stats->x0_predictions.load(), 1);
}

// Jobs arriving every few ms (a dragged slider): each job's points are published promptly
// instead of waiting behind a model evaluation per job, the model runs for only some of them, and
// the last job ends with its own x0_hat.
TEST(WorkerProtocol, DraggedSliderDoesNotWaitForX0Hat) {
  FakeTimings timings;
  timings.x0_hat = 40ms;
  FakeWorker w(timings);
  constexpr int kJobs = 60;
  int prompt = 0;
  for (int i = 0; i < kJobs; ++i) {
    const std::uint64_t g = w->submit(x0_job(10 + i));
    // Points within 30 ms (the fake's step is 0.1 ms) unless a model evaluation was running.
    if (eventually([&] { auto f = w->latest(); return f && f->generation == g; }, 30ms)) ++prompt;
    std::this_thread::sleep_for(5ms);
  }
  ASSERT_TRUE(w->wait_until_idle(kWait));
  const auto f = w->latest();
  EXPECT_FALSE(f->a.x0_hat_pending);
  ASSERT_EQ(f->a.x0_hat.pixels.size(), 1u);
  EXPECT_EQ(f->a.x0_hat.pixels[0], static_cast<float>(10 + kJobs - 1));
  // Model runs are at most ~1/8 of the time while jobs come; each can delay one job's points.
  EXPECT_LT(w.stats->x0_predictions.load(), kJobs / 3);
  EXPECT_GE(w.stats->x0_predictions.load(), 2);   // it refreshed during the drag, not only after
  EXPECT_GE(prompt, kJobs * 2 / 3) << "points published within 30 ms for " << prompt << " of " << kJobs;
}

TEST(WorkerProtocol, ReverseRunStreamsFramesAndFinishes) {
  FakeWorker w;
  const auto g = w->submit_reverse(reverse_job(200, 7, 2));
  // x_T is published at once; then frames stream until the run finishes.
  ASSERT_TRUE(eventually([&] { auto f = w->latest_reverse(); return f && f->generation == g; }, kWait));
  ASSERT_TRUE(eventually([&] { auto f = w->latest_reverse(); return f && !f->running; }, kWait));
  const auto f = w->latest_reverse();
  ASSERT_EQ(f->panels.size(), 2u);
  EXPECT_TRUE(f->panels[0].finished);
  EXPECT_EQ(f->panels[0].states_done, 201);
  EXPECT_EQ(f->panels[0].xt_xy.size(), 100u);
  EXPECT_EQ(w.stats->reverse_restarts.load(), 1);
}

TEST(WorkerProtocol, CursorOnlyReverseJobContinuesAndAChangeRestarts) {
  FakeTimings timings;
  timings.reverse_step = 2000us;
  FakeWorker w(timings);
  ReverseJob job = reverse_job(1000);
  w->submit_reverse(job);
  ASSERT_TRUE(eventually([&] { return w.stats->reverse_steps.load() >= 5; }, kWait));
  job.t = 10;   // the cursor only
  w->submit_reverse(job);
  ASSERT_TRUE(eventually([&] { return w.stats->reverse_steps.load() >= 10; }, kWait));
  EXPECT_EQ(w.stats->reverse_restarts.load(), 1);
  job.seed = 8;   // a new run
  const auto g = w->submit_reverse(job);
  ASSERT_TRUE(eventually([&] { auto f = w->latest_reverse(); return f && f->generation == g; }, kWait));
  EXPECT_EQ(w.stats->reverse_restarts.load(), 2);
  EXPECT_LE(w->latest_reverse()->panels[0].states_done, 100);
  // Stop keeps the last frame and ends the run.
  w->stop_reverse();
  const long steps = w.stats->reverse_steps.load();
  std::this_thread::sleep_for(50ms);
  EXPECT_NE(w->latest_reverse(), nullptr);
  EXPECT_LE(w.stats->reverse_steps.load(), steps + 2);
}

TEST(WorkerProtocol, LongForwardJobAndReverseRunShareTheThread) {
  FakeTimings timings;
  timings.forward_step = 1000us;
  FakeWorker w(timings);
  w->submit_reverse(reverse_job(100000));   // never finishes within the test
  ASSERT_TRUE(eventually([&] { return w.stats->reverse_steps.load() >= 3; }, kWait));
  // A forward Markov job of 400 ms: it runs in slices, and the reverse run advances meanwhile.
  const auto g = w->submit(markov_job(400));
  const long reverse_before = w.stats->reverse_steps.load();
  ASSERT_TRUE(eventually([&] { auto f = w->latest(); return f && f->generation == g; }, kWait));
  EXPECT_GT(w.stats->reverse_steps.load(), reverse_before + 20);
  EXPECT_EQ(w->latest()->a.t, 400);
}

TEST(WorkerProtocol, ImagesAndTrainingAdvanceTogether) {
  FakeWorker w;
  w->submit_images(images_job(100000));
  TrainingJob training;
  training.steps = 1000000;
  w->start_training(training);
  ASSERT_TRUE(eventually([&] {
    return w.stats->images_steps.load() >= 20 && w.stats->training_steps.load() >= 20;
  }, kWait));
  ASSERT_TRUE(eventually([&] { auto f = w->latest_images(); return f && f->panel_steps > 0; }, kWait));
  ASSERT_TRUE(eventually([&] { auto f = w->latest_training(); return f && f->step > 0; }, kWait));
  EXPECT_TRUE(w->latest_training()->running);
  w->stop_images();
  w->stop_training();
  ASSERT_TRUE(eventually([&] { auto f = w->latest_training(); return f && !f->running; }, kWait));
  EXPECT_GT(w->model_revision(training.dataset), 0u);   // stop publishes the model reached
  EXPECT_TRUE(w->take_errors().empty());
}

TEST(WorkerProtocol, TrainingPublishesRevisionsTheReverseLaneCanUse) {
  FakeWorker w;
  TrainingJob training;
  training.steps = 120;   // revisions at 50, 100 and the end
  w->start_training(training);
  ASSERT_TRUE(eventually([&] { auto f = w->latest_training(); return f && !f->running && f->step == 120; }, kWait));
  EXPECT_EQ(w->latest_training()->model_revision, 3u);
  EXPECT_EQ(w->model_revision(training.dataset), 3u);
  EXPECT_EQ(w->model_revision(diffusion::Dataset2DKind::Spiral), 0u);
}

TEST(WorkerProtocol, BadJobsAreReportedAndTheWorkerKeepsServing) {
  FakeWorker w;
  ForwardJob bad;
  bad.schedule_a = nullptr;   // the UI always sends one: the error says which is missing
  w->submit(bad);
  ASSERT_TRUE(w->wait_until_idle(kWait));
  auto errors = w->take_errors();
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].find("schedule A"), std::string::npos) << errors[0];
  EXPECT_EQ(w->latest(), nullptr);

  w->submit_reverse(ReverseJob{});   // no panels
  ASSERT_TRUE(eventually([&] { errors = w->take_errors(); return !errors.empty(); }, kWait));
  EXPECT_EQ(errors[0].rfind("reverse view: panels = 0", 0), 0u) << errors[0];
  ImageReverseJob bad_images = images_job(5);
  bad_images.image_count = 65;
  w->submit_images(bad_images);
  ASSERT_TRUE(eventually([&] { errors = w->take_errors(); return !errors.empty(); }, kWait));
  EXPECT_EQ(errors[0].rfind("images view: image_count = 65", 0), 0u) << errors[0];
  TrainingJob bad_training;
  bad_training.steps = 0;
  w->start_training(bad_training);
  ASSERT_TRUE(eventually([&] { errors = w->take_errors(); return !errors.empty(); }, kWait));
  EXPECT_NE(errors[0].find("training steps = 0"), std::string::npos) << errors[0];

  // Every lane still serves.
  const auto g = w->submit(ForwardJob{});
  w->submit_reverse(reverse_job(10));
  w->submit_images(images_job(10));
  TrainingJob good;
  good.steps = 10;
  w->start_training(good);
  ASSERT_TRUE(eventually([&] { auto f = w->latest(); return f && f->generation == g; }, kWait));
  ASSERT_TRUE(eventually([&] { auto f = w->latest_reverse(); return f && f->panels.size() == 1 && f->panels[0].finished; }, kWait));
  ASSERT_TRUE(eventually([&] { auto f = w->latest_images(); return f && !f->panels.empty() && !f->running; }, kWait));
  ASSERT_TRUE(eventually([&] { auto f = w->latest_training(); return f && f->step == 10; }, kWait));
  EXPECT_TRUE(w->take_errors().empty());
}

TEST(WorkerProtocol, ErrorQueueIsBounded) {
  FakeWorker w;
  ForwardJob bad;
  bad.n_points = 0;
  for (int i = 0; i < 100; ++i) {
    w->submit(bad);
    ASSERT_TRUE(w->wait_until_idle(kWait));
  }
  const auto errors = w->take_errors();
  EXPECT_EQ(errors.size(), 64u);
  EXPECT_NE(errors.back().find("n_points = 0"), std::string::npos);
}

TEST(WorkerProtocol, DeviceSwitchRebuildsAndStopsTraining) {
  FakeWorker w;
  ASSERT_TRUE(eventually([&] { return w->device_status().revision == 1; }, kWait));
  TrainingJob training;
  training.steps = 1000000;
  w->start_training(training);
  w->submit_reverse(reverse_job(100000));
  ASSERT_TRUE(eventually([&] { return w.stats->training_steps.load() > 5; }, kWait));
  w->set_device("cuda");
  ASSERT_TRUE(eventually([&] { return w->device_status().revision == 2; }, kWait));
  EXPECT_EQ(w->device_name(), "fake-gpu:0");
  EXPECT_EQ(w->device_status().name, "fake-gpu:0");
  EXPECT_EQ(w->device_status().request, "cuda");
  ASSERT_TRUE(eventually([&] { auto f = w->latest_training(); return f && !f->running; }, kWait));
  auto errors = w->take_errors();
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_NE(errors[0].find("training stopped"), std::string::npos);
  // Frames computed after the switch say where.
  const auto g = w->submit(ForwardJob{});
  ASSERT_TRUE(eventually([&] { auto f = w->latest(); return f && f->generation == g; }, kWait));
  EXPECT_EQ(w->latest()->device_name, "fake-gpu:0");
  // The same device again: nothing is rebuilt.
  w->set_device("cuda");
  w->set_device("cpu");
  ASSERT_TRUE(eventually([&] { return w->device_status().revision == 3; }, kWait));
  EXPECT_EQ(w->device_name(), "cpu");
}

TEST(WorkerProtocol, UnavailableDeviceIsRefusedWithAMessage) {
  FakeTimings timings;
  timings.gpu_available = false;
  FakeWorker w(timings);
  ASSERT_TRUE(eventually([&] { return w->device_status().revision == 1; }, kWait));
  w->set_device("cuda");
  std::vector<std::string> errors;
  ASSERT_TRUE(eventually([&] { errors = w->take_errors(); return !errors.empty(); }, kWait));
  EXPECT_NE(errors[0].find("not available"), std::string::npos);
  EXPECT_EQ(w->device_status().revision, 1u);
  EXPECT_FALSE(w->device_status().cuda_available);
}

TEST(WorkerProtocol, StartFailureIsReportedAndDestructionStillWorks) {
  auto stats = std::make_shared<FakeStats>();
  FakeTimings timings;
  timings.start_throws = true;
  {
    Worker w(std::make_unique<FakeBackend>(stats, timings), "cpu", 0, FaultSetting{});
    std::vector<std::string> errors;
    ASSERT_TRUE(eventually([&] { errors = w.take_errors(); return !errors.empty(); }, kWait));
    EXPECT_EQ(errors[0], "the worker cannot start: the fake device is on fire");
    w.submit(ForwardJob{});   // queued, never computed: no crash, no hang
  }
  EXPECT_EQ(stats->wrong_thread_calls.load(), 0);
}

TEST(WorkerProtocol, DestructionWithEveryLaneBusyIsPrompt) {
  FakeTimings timings;
  timings.forward_step = 1000us;
  timings.images_step = 5000us;
  auto w = std::make_unique<FakeWorker>(timings);
  (*w)->submit_reverse(reverse_job(100000));
  (*w)->submit_images(images_job(100000));
  TrainingJob training;
  training.steps = 1000000;
  (*w)->start_training(training);
  (*w)->submit(markov_job(100000));
  ASSERT_TRUE(eventually([&] {
    return w->stats->reverse_steps.load() > 3 && w->stats->images_steps.load() > 3 &&
           w->stats->training_steps.load() > 3 && w->stats->forward_steps.load() > 3;
  }, kWait));
  const auto start = Clock::now();
  w->worker.reset();
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  std::printf("[ measured ] fake worker shut down in %.1f ms with every lane busy\n", seconds * 1e3);
  EXPECT_LT(seconds, 1.0);
}

TEST(WorkerProtocol, ConcurrentCallersNeverSeeTornState) {
  // The UI thread plus a second caller (e.g. a bench thread) hammer every entry point while all
  // lanes run: under ThreadSanitizer this is the race detector's workload.
  FakeTimings timings;
  timings.forward_step = 50us;
  timings.reverse_step = 100us;
  timings.images_step = 200us;
  timings.training_step = 100us;
  FakeWorker w(timings);
  std::atomic<bool> stop{false};
  std::thread poller([&] {
    std::uint64_t last_forward = 0;
    while (!stop.load()) {
      if (auto f = w->latest()) {
        EXPECT_GE(f->generation, last_forward);   // generations never go back
        last_forward = f->generation;
        EXPECT_EQ(f->a.xt_xy.size(), f->x0_xy.size());
      }
      if (auto r = w->latest_reverse()) for (auto& p : r->panels) {
        EXPECT_FALSE(p.xt_xy.empty());
      }
      (void)w->latest_images();
      (void)w->latest_training();
      (void)w->device_status();
      (void)w->device_name();
      (void)w->busy();
      (void)w->model_revision(diffusion::Dataset2DKind::Moons);
      (void)w->take_errors();
    }
  });
  const auto end = Clock::now() + 400ms;
  for (int i = 0; Clock::now() < end; ++i) {
    w->submit(markov_job(i % 50, static_cast<std::uint64_t>(i % 3)));
    if (i % 3 == 0) w->submit_reverse(reverse_job(50, static_cast<std::uint64_t>(i % 5)));
    if (i % 7 == 0) w->submit_images(images_job(30, static_cast<std::uint64_t>(i % 4)));
    if (i % 11 == 0) {
      TrainingJob t;
      t.steps = 40;
      w->start_training(t);
    }
    if (i % 13 == 0) w->stop_reverse();
    if (i % 17 == 0) w->stop_images();
    if (i % 19 == 0) w->stop_training();
    if (i % 29 == 0) w->set_device(i % 2 ? "cuda" : "cpu");
    std::this_thread::sleep_for(200us);
  }
  stop = true;
  poller.join();
  ASSERT_TRUE(w->wait_until_idle(kWait));
  // Still serving after all that.
  const auto g = w->submit(ForwardJob{});
  ASSERT_TRUE(eventually([&] { auto f = w->latest(); return f && f->generation == g; }, kWait));
}

}  // namespace
}  // namespace diffuscope::gui
