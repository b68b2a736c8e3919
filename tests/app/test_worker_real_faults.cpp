// Faults and shutdown with the real LibTorch computers on the CPU: a genuine LibTorch allocation
// failure is worded plainly; faults injected inside the computers (the hooks behind
// DIFFUSCOPE_INJECT_FAULT) reach the lecturer as one-line messages or panel errors, NaN is caught
// by the real checks, training stops without publishing a corrupted model, the worker keeps
// serving; and destroying the worker with every lane busy returns within 1 s.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "diffusion/point_model.hpp"
#include "eventually.hpp"
#include "gui/compute/model_store.hpp"
#include "gui/compute/torch_backend.hpp"
#include "gui/compute/training_compute.hpp"
#include "gui/protocol/worker.hpp"
#include "gui/protocol/worker_failures.hpp"

namespace diffuscope::gui {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using test_support::eventually;

constexpr auto kWait = 60000ms;   // model loading on a loaded 2-core machine

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

std::unique_ptr<Worker> real_worker(WorkerLane lane, FaultKind kind) {
  return std::make_unique<Worker>(make_torch_backend(), "cpu", 0,
                                  FaultSetting{FaultPlan{lane, kind}, ""});
}

std::vector<std::string> wait_for_errors(Worker& worker) {
  std::vector<std::string> errors;
  eventually([&] { errors = worker.take_errors(); return !errors.empty(); }, kWait);
  return errors;
}

bool all_finite(const std::vector<float>& v) {
  for (float x : v)
    if (!std::isfinite(x)) return false;
  return true;
}

ReverseJob model_job(std::uint64_t seed, int steps = 20, int n = 300) {
  ReverseJob job;
  job.n_points = n;
  job.seed = seed;
  ReversePanelSpec spec;   // moons' shipped checkpoint, linear T = 1000
  spec.steps = steps;
  job.panels = {spec, spec};
  return job;
}

ImageReverseJob image_job(std::uint64_t seed, int steps = 3, int count = 2) {
  ImageReverseJob job;
  job.image_count = count;
  job.seed = seed;
  ReversePanelSpec spec;   // the shipped Fashion-MNIST model
  spec.steps = steps;
  job.panels = {spec};
  return job;
}

TEST(RealFaults, LibTorchAllocationFailureIsWordedPlainly) {
  std::string raw, message;
  try {
    // 4 PiB: no allocator grants it.
    const torch::Tensor huge = torch::empty({std::int64_t(1) << 50}, torch::kFloat32);
    ADD_FAILURE() << "a 4 PiB tensor was allocated";
  } catch (const std::exception& e) {
    raw = e.what();
    message = failure_message(e);
  }
  std::printf("[ message  ] %s\n", message.c_str());
  EXPECT_EQ(message.rfind("out of memory", 0), 0u) << message;
  EXPECT_FALSE(contains(message, "\n")) << message;
  EXPECT_FALSE(contains(message, "Exception raised from")) << message;
}

TEST(RealFaults, ForwardFaultsAreReportedAndTheNextJobWorks) {
  for (FaultKind kind : {FaultKind::TorchOutOfMemory, FaultKind::NaN}) {
    auto worker = real_worker(WorkerLane::Forward, kind);
    ForwardJob job;
    job.t = 300;
    worker->submit(job);
    ASSERT_TRUE(worker->wait_until_idle(kWait));
    EXPECT_EQ(worker->latest(), nullptr);
    const auto errors = worker->take_errors();
    ASSERT_EQ(errors.size(), 1u);
    const std::string expected = kind == FaultKind::NaN
                                     ? "forward view: x_t of schedule A at t = 300 is non-finite"
                                     : "CUDA out of memory";
    EXPECT_EQ(errors[0].rfind(expected, 0), 0u) << errors[0];
    const auto g = worker->submit(job);
    ASSERT_TRUE(worker->wait_until_idle(kWait));
    ASSERT_NE(worker->latest(), nullptr);
    EXPECT_EQ(worker->latest()->generation, g);
    EXPECT_TRUE(all_finite(worker->latest()->a.xt_xy));
  }
}

TEST(RealFaults, ReverseNaNAndOutOfMemoryBecomeThePanelsErrorAndTheNextRunWorks) {
  for (FaultKind kind : {FaultKind::NaN, FaultKind::OutOfMemory, FaultKind::Exception}) {
    auto worker = real_worker(WorkerLane::Reverse, kind);
    worker->submit_reverse(model_job(7));
    std::shared_ptr<const ReverseFrame> f;
    ASSERT_TRUE(eventually([&] {
      f = worker->latest_reverse();
      if (f) for (const auto& p : f->panels) {
        EXPECT_TRUE(all_finite(p.xt_xy));
      }
      return f && f->panels.size() == 2 && !f->panels[0].error.empty();
    }, kWait));
    const std::string& error = f->panels[0].error;
    std::printf("[ panel    ] %s: %s\n", to_string(kind).c_str(), error.c_str());
    EXPECT_EQ(error.rfind("step at t = 1000: ", 0), 0u) << error;
    if (kind == FaultKind::NaN) {
      EXPECT_TRUE(contains(error, "the cloud became non-finite")) << error;
    }
    if (kind == FaultKind::OutOfMemory) {
      EXPECT_TRUE(contains(error, "out of memory")) << error;
    }
    // The other panel finishes; a new run finishes cleanly.
    ASSERT_TRUE(eventually([&] { auto r = worker->latest_reverse(); return r && !r->running; }, kWait));
    EXPECT_TRUE(worker->latest_reverse()->panels[1].finished);
    worker->submit_reverse(model_job(8));
    ASSERT_TRUE(eventually([&] {
      auto r = worker->latest_reverse();
      return r && r->panels.size() == 2 && r->panels[0].finished && r->panels[0].error.empty();
    }, kWait));
    EXPECT_TRUE(all_finite(worker->latest_reverse()->panels[0].xt_xy));
    EXPECT_TRUE(worker->take_errors().empty());
  }
}

TEST(RealFaults, ImageRunOutOfMemoryAndNaNBecomeThePanelsErrorAndTheNextRunWorks) {
  for (FaultKind kind : {FaultKind::OutOfMemory, FaultKind::NaN}) {
    auto worker = real_worker(WorkerLane::Images, kind);
    worker->submit_images(image_job(7));
    std::shared_ptr<const ImageReverseFrame> f;
    ASSERT_TRUE(eventually([&] {
      f = worker->latest_images();
      return f && !f->panels.empty() && !f->panels[0].error.empty();
    }, kWait));
    ASSERT_TRUE(f->model_error.empty()) << f->model_error;
    const std::string& error = f->panels[0].error;
    std::printf("[ panel    ] %s: %s\n", to_string(kind).c_str(), error.c_str());
    if (kind == FaultKind::NaN) {
      EXPECT_TRUE(contains(error, "the images became non-finite")) << error;
    } else {
      EXPECT_TRUE(contains(error, "out of memory")) << error;
    }
    worker->submit_images(image_job(8));
    ASSERT_TRUE(eventually([&] {
      auto r = worker->latest_images();
      return r && !r->panels.empty() && r->panels[0].finished && r->panels[0].error.empty();
    }, kWait));
    EXPECT_TRUE(worker->take_errors().empty());
  }
}

TEST(RealFaults, TrainingNaNStopsWithAMessageAndThePublishedModelStays) {
  // Directly on the computer: train until a model is published, then a NaN loss.
  ModelStore store("cpu");
  TrainingComputer training("cpu", store);
  training.set_intervals(10ms, 50ms);
  TrainingJob job;
  job.steps = 1'000'000;
  training.start(job);
  while (store.revision(job.dataset) == 0) training.advance(20ms);
  const std::uint64_t published = store.revision(job.dataset);
  const auto model = store.get(job.dataset).model;
  ASSERT_TRUE(model);
  training.arm_fault(FaultKind::NaN);
  try {
    training.advance(20ms);
    ADD_FAILURE() << "a NaN loss did not stop the training";
  } catch (const std::runtime_error& e) {
    std::printf("[ training ] %s\n", e.what());
    EXPECT_TRUE(contains(e.what(), "the loss became nan")) << e.what();
    EXPECT_TRUE(contains(e.what(), "the model published before it is kept")) << e.what();
  }
  EXPECT_FALSE(training.active());
  EXPECT_FALSE(training.frame().running);
  EXPECT_TRUE(all_finite(training.frame().loss_history));
  EXPECT_EQ(store.revision(job.dataset), published);   // nothing published after the NaN
  EXPECT_EQ(store.get(job.dataset).model, model);
  // The kept model still predicts finite noise.
  torch::NoGradGuard no_grad;
  const torch::Tensor eps = (*model)->forward(torch::randn({64, 2}), torch::full({64}, 0.5));
  EXPECT_TRUE(torch::isfinite(eps).all().item<bool>());

  // Through the worker: one message, the training ends, the next one works.
  auto worker = real_worker(WorkerLane::Training, FaultKind::OutOfMemory);
  job.steps = 50;
  worker->start_training(job);
  const auto errors = wait_for_errors(*worker);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0].rfind("training moons stopped at step 0: out of memory", 0), 0u) << errors[0];
  ASSERT_TRUE(eventually([&] { auto f = worker->latest_training(); return f && !f->running; }, kWait));
  EXPECT_EQ(worker->model_revision(job.dataset), 0u);
  worker->start_training(job);
  ASSERT_TRUE(eventually([&] {
    auto f = worker->latest_training();
    return f && !f->running && f->step == 50;
  }, kWait));
  EXPECT_GT(worker->model_revision(job.dataset), 0u);
}

TEST(WorkerShutdown, WithTrainingReverseImagesAndForwardBusyTakesUnderOneSecond) {
  auto worker = std::make_unique<Worker>("cpu", 0);
  TrainingJob training;
  training.steps = 1'000'000;
  worker->start_training(training);
  worker->submit_reverse(model_job(7, /*steps=*/0, /*n=*/2000));       // K = T = 1000
  worker->submit_images(image_job(7, /*steps=*/0, kMaxImageCount));   // 64 images, K = 1000
  ForwardJob markov;
  markov.process = ForwardProcess::Markov;
  markov.t = 1000;
  ASSERT_TRUE(eventually([&] {
    auto t = worker->latest_training();
    auto r = worker->latest_reverse();
    auto i = worker->latest_images();
    return t && t->step > 0 && r && r->panel_steps > 0 && i && i->panel_steps > 0;
  }, kWait));
  worker->submit(markov);
  std::this_thread::sleep_for(300ms);
  ASSERT_TRUE(worker->latest_reverse()->running);
  ASSERT_TRUE(worker->latest_images()->running);
  ASSERT_TRUE(worker->latest_training()->running);
  const auto start = Clock::now();
  worker.reset();
  const double ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  std::printf("[ measured ] worker destroyed during training + reverse run + 64-image run + "
              "Markov job: %.1f ms\n", ms);
  EXPECT_LT(ms, 1000.0);
}

}  // namespace
}  // namespace diffuscope::gui
