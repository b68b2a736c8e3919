#pragma once
// A WorkerBackend without LibTorch for the worker protocol tests (and ThreadSanitizer): every lane
// produces frames with plain CPU loops, steps take a configurable time, faults can be injected,
// and every call checks that it runs on the worker thread. The test thread reads only FakeStats
// (atomics), never the back end itself.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "diffusion/schedule.hpp"
#include "gui/protocol/fault_injection.hpp"
#include "gui/protocol/worker_backend.hpp"

namespace diffuscope::gui::test_support {

struct FakeTimings {
  std::chrono::microseconds forward_step{100};   // per Markov step (closed form: one step)
  std::chrono::microseconds x0_hat{2000};        // the image model's x0_hat, when asked for
  std::chrono::microseconds reverse_step{300};   // per panel step
  std::chrono::microseconds images_step{1000};   // per panel step
  std::chrono::microseconds training_step{200};
  std::chrono::milliseconds start_delay{0};
  bool gpu_available = true;                     // set_device("cuda") succeeds
  bool start_throws = false;
};

struct FakeStats {
  std::atomic<int> wrong_thread_calls{0};
  std::atomic<int> calls_before_start{0};
  std::atomic<int> calls_after_shut_down{0};
  std::atomic<int> starts{0};
  std::atomic<int> shut_downs{0};
  std::atomic<int> forward_started{0};
  std::atomic<int> forward_completed{0};
  std::atomic<long> forward_steps{0};
  std::atomic<int> x0_predictions{0};
  std::atomic<int> x0_deferred{0};
  std::atomic<long> reverse_steps{0};
  std::atomic<long> images_steps{0};
  std::atomic<long> training_steps{0};
  std::atomic<int> reverse_restarts{0};
  std::atomic<int> images_restarts{0};
};

class FakeBackend final : public WorkerBackend {
 public:
  explicit FakeBackend(std::shared_ptr<FakeStats> stats, FakeTimings timings = {})
      : stats_(std::move(stats)), timings_(timings) {}

  // ---- Device ----
  std::vector<std::string> start(const std::string& request, int) override {
    owner_ = std::this_thread::get_id();
    started_ = true;
    ++stats_->starts;
    std::this_thread::sleep_for(timings_.start_delay);
    if (timings_.start_throws) throw std::runtime_error("the fake device is on fire");
    std::vector<std::string> messages;
    if (request == "cuda" && timings_.gpu_available) {
      device_ = "fake-gpu:0";
    } else {
      device_ = "cpu";
      if (request != "auto" && request != "cpu")
        messages.push_back("device " + request + " is not available; using the CPU");
    }
    return messages;
  }
  bool change_device(const std::string& request, std::vector<std::string>& messages) override {
    check();
    std::string target;
    if (request == "cpu") target = "cpu";
    else if (request == "cuda" || request == "auto")
      target = timings_.gpu_available ? "fake-gpu:0" : "cpu";
    if (target.empty() || (request == "cuda" && !timings_.gpu_available)) {
      messages.push_back("device " + request + " is not available; staying on " + device_);
      return false;
    }
    if (target == device_) return false;
    if (training_active_) {
      messages.push_back("training stopped: the device changed (the model reached is kept)");
      training_stop();
    }
    reverse_stop();
    images_stop();
    device_ = target;
    return true;
  }
  std::string device_name() const override {
    check();
    return device_;
  }
  DeviceStatus describe_device(const std::string& request) override {
    check();
    DeviceStatus status;
    status.request = request;
    status.name = device_;
    status.description = device_ == "cpu" ? "fake CPU" : "fake GPU";
    status.cuda_available = timings_.gpu_available;
    if (!status.cuda_available) status.cuda_unavailable_reason = "no fake GPU";
    return status;
  }
  void shut_down() override {
    check();
    ++stats_->shut_downs;
    shut_ = true;
    reverse_ = {};
    images_ = {};
  }
  void arm_fault(const FaultPlan& plan) override {
    check();
    faults_[plan.lane].arm(plan.kind);
  }

  // ---- Forward: x_t = sqrt(ab) x_0 + sqrt(1 - ab) eps with made-up data; Markov takes t steps,
  // resumable (progress kept per schedule and seed), so a sliced job finishes eventually. ----
  ForwardFrame compute_forward(const ForwardJob& job, const CancelToken& cancel,
                               bool defer_x0) override {
    check();
    ++stats_->forward_started;
    bool poison = false;
    if (auto kind = faults_[WorkerLane::Forward].take()) {
      if (*kind == FaultKind::NaN) poison = true;
      else throw_injected_fault(*kind, "a forward job");
    }
    if (job.n_points < 1 || job.n_points > 100000)
      throw std::invalid_argument("n_points = " + std::to_string(job.n_points) + " must be in 1..100000");
    if (!job.schedule_a) throw std::invalid_argument("schedule A: none was sent");
    const diffusion::Schedule& schedule = *job.schedule_a;
    const int t = std::clamp(job.t, 0, schedule.T());
    if (job.process == ForwardProcess::Markov) {
      const auto key = std::make_pair(job.seed, schedule.T());
      int& done = markov_done_[key];
      while (done < t) {
        cancel.throw_if_cancelled();
        std::this_thread::sleep_for(timings_.forward_step);
        ++done;
        ++stats_->forward_steps;
      }
    } else {
      cancel.throw_if_cancelled();
      std::this_thread::sleep_for(timings_.forward_step);
      ++stats_->forward_steps;
    }
    ForwardFrame frame;
    frame.generation = cancel.generation();
    frame.process = job.process;
    frame.a.schedule = job.schedule_a;
    frame.a.t = t;
    const double sab = schedule.sqrt_alpha_bar(t), noise_std = schedule.sqrt_one_minus_alpha_bar(t);
    frame.x0_xy.resize(2 * static_cast<std::size_t>(job.n_points));
    frame.a.xt_xy.resize(frame.x0_xy.size());
    for (std::size_t i = 0; i < frame.x0_xy.size(); ++i) {
      frame.x0_xy[i] = static_cast<float>(std::sin(0.37 * i + job.seed));
      const double eps = std::cos(1.3 * i + 0.5 * job.seed);
      frame.a.xt_xy[i] = static_cast<float>(sab * frame.x0_xy[i] + noise_std * eps);
    }
    if (poison) frame.a.xt_xy[0] = std::numeric_limits<float>::quiet_NaN();
    if (job.predict_x0) {
      // A 1x1 "x0_hat" whose value is t, so a test can tell which t it belongs to.
      if (defer_x0 && x0_t_ != t) {
        ++stats_->x0_deferred;
        frame.a.x0_hat_pending = true;
      } else if (x0_t_ != t) {
        std::this_thread::sleep_for(timings_.x0_hat);
        ++stats_->x0_predictions;
        x0_t_ = t;
      }
      if (x0_t_ >= 0) frame.a.x0_hat = Image{1, 1, 1, {static_cast<float>(x0_t_)}};
    }
    frame.device_name = device_;
    ++stats_->forward_completed;
    return frame;
  }

  // ---- Reverse: K steps per panel; a run's identity as in ReverseComputer. ----
  bool reverse_set_job(const ReverseJob& job, std::uint64_t generation) override {
    check();
    if (job.panels.empty() || job.panels.size() > kMaxReversePanels)
      throw std::invalid_argument("panels = " + std::to_string(job.panels.size()) + " must be in 1..4");
    if (job.n_points < 1 || job.n_points > 20000)
      throw std::invalid_argument("n_points = " + std::to_string(job.n_points) + " must be in 1..20000");
    const bool restart = !reverse_.has_run || reverse_.job.panels != job.panels ||
                         reverse_.job.seed != job.seed || reverse_.job.n_points != job.n_points ||
                         reverse_.job.dataset != job.dataset;
    if (restart) {
      reverse_ = {};
      reverse_.has_run = true;
      ++stats_->reverse_restarts;
    }
    reverse_.job = job;
    reverse_.generation = generation;
    return restart;
  }
  void reverse_stop() override {
    check();
    reverse_ = {};
  }
  bool reverse_running() const override {
    check();
    return reverse_.has_run && reverse_.error.empty() && reverse_.done < steps_of(reverse_.job);
  }
  bool reverse_needs_refine() const override {
    check();
    return false;
  }
  bool reverse_refine() override {
    check();
    return false;
  }
  int reverse_advance(std::chrono::microseconds budget, const Interrupted& interrupted) override {
    check();
    const auto end = std::chrono::steady_clock::now() + budget;
    int steps = 0;
    while (reverse_running()) {
      if (auto kind = faults_[WorkerLane::Reverse].take()) {
        if (*kind == FaultKind::NaN) reverse_.poisoned = true;
        else throw_injected_fault(*kind, "a reverse step");
      }
      std::this_thread::sleep_for(timings_.reverse_step);
      ++reverse_.done;
      ++steps;
      ++stats_->reverse_steps;
      if (std::chrono::steady_clock::now() >= end || (interrupted && interrupted())) break;
    }
    return steps;
  }
  ReverseFrame reverse_frame() override {
    check();
    ReverseFrame frame;
    frame.generation = reverse_.generation;
    if (!reverse_.has_run) return frame;
    const int K = steps_of(reverse_.job);
    frame.running = reverse_running();
    frame.panel_steps = reverse_.done * static_cast<std::int64_t>(reverse_.job.panels.size());
    for (std::size_t p = 0; p < reverse_.job.panels.size(); ++p) {
      ReversePanelFrame panel;
      panel.schedule = reverse_.job.panels[p].schedule;
      panel.states_done = reverse_.done + 1;
      panel.finished = reverse_.done >= K;
      panel.shown_state = reverse_.done;
      panel.xt_xy.resize(2 * static_cast<std::size_t>(reverse_.job.n_points));
      const double scale = 1.0 - static_cast<double>(reverse_.done) / (K + 1);
      for (std::size_t i = 0; i < panel.xt_xy.size(); ++i)
        panel.xt_xy[i] = static_cast<float>(scale * std::sin(0.11 * i + reverse_.job.seed));
      if (reverse_.poisoned && p == 0) panel.xt_xy[1] = std::numeric_limits<float>::quiet_NaN();
      frame.panels.push_back(std::move(panel));
    }
    return frame;
  }

  // ---- Training: the loss falls as 1/(1 + step); a new model revision every 50 steps. ----
  void training_start(const TrainingJob& job) override {
    check();
    if (training_active_) training_stop();
    if (job.steps < 1) throw std::invalid_argument("training steps = " + std::to_string(job.steps) + " must be >= 1");
    training_job_ = job;
    training_ = {};
    training_.dataset = job.dataset;
    training_.planned_steps = job.steps;
    training_.running = true;
    training_.model_revision = revisions_[job.dataset];
    training_active_ = true;
  }
  void training_stop() override {
    check();
    if (!training_active_) return;
    publish_model();
    training_.running = false;
    training_.message = "stopped at step " + std::to_string(training_.step);
    training_active_ = false;
  }
  bool training_active() const override {
    check();
    return training_active_;
  }
  bool training_advance(std::chrono::microseconds budget, const Interrupted& interrupted) override {
    check();
    if (!training_active_) return false;
    const auto end = std::chrono::steady_clock::now() + budget;
    bool changed = false;
    try {
      for (;;) {
        double loss = 1.0 / (2.0 + training_.step);
        if (auto kind = faults_[WorkerLane::Training].take()) {
          if (*kind == FaultKind::NaN) loss = std::numeric_limits<double>::quiet_NaN();
          else throw_injected_fault(*kind, "a training step");
        }
        if (!std::isfinite(loss))
          throw std::runtime_error("the loss became nan at step " + std::to_string(training_.step + 1));
        std::this_thread::sleep_for(timings_.training_step);
        ++training_.step;
        ++stats_->training_steps;
        training_.loss_history.push_back(static_cast<float>(loss));
        training_.loss_steps.push_back(training_.step);
        changed = true;
        if (training_.step % 50 == 0) publish_model();
        if (training_.step >= training_job_.steps) {
          publish_model();
          training_.running = false;
          training_.message = "finished";
          training_active_ = false;
          return true;
        }
        if (std::chrono::steady_clock::now() >= end || (interrupted && interrupted())) break;
      }
    } catch (const std::exception& e) {
      // As TrainingComputer: the training ends, nothing more is published, the error is rethrown.
      training_active_ = false;
      training_.running = false;
      training_.message = std::string("training stopped at step ") + std::to_string(training_.step) +
                          ": " + e.what();
      throw std::runtime_error(training_.message);
    }
    return changed;
  }
  TrainingFrame training_frame() const override {
    check();
    return training_;
  }
  std::uint64_t model_revision(diffusion::Dataset2DKind dataset) const override {
    check();
    auto it = revisions_.find(dataset);
    return it == revisions_.end() ? 0 : it->second;
  }

  // ---- Images: image_count grey 4x4 images, K steps per panel. ----
  bool images_set_job(const ImageReverseJob& job, std::uint64_t generation) override {
    check();
    if (job.panels.empty() || job.panels.size() > kMaxReversePanels)
      throw std::invalid_argument("panels = " + std::to_string(job.panels.size()) + " must be in 1..4");
    if (job.image_count < kMinImageCount || job.image_count > kMaxImageCount)
      throw std::invalid_argument("image_count = " + std::to_string(job.image_count) + " must be in 1..64");
    const bool restart = !images_.has_run || restarts_image_run(images_.job, job);
    if (restart) {
      images_ = {};
      images_.has_run = true;
      ++stats_->images_restarts;
    }
    images_.job = job;
    images_.generation = generation;
    return restart;
  }
  void images_stop() override {
    check();
    images_ = {};
  }
  bool images_running() const override {
    check();
    return images_.has_run && images_.done < image_steps_of(images_.job);
  }
  int images_advance(std::chrono::microseconds budget, const Interrupted& interrupted) override {
    check();
    const auto end = std::chrono::steady_clock::now() + budget;
    int steps = 0;
    while (images_running()) {
      if (auto kind = faults_[WorkerLane::Images].take()) {
        // An image frame holds bytes only: the real computer reports NaN as an error; so does this.
        if (*kind == FaultKind::NaN)
          throw std::runtime_error("the images became non-finite at step " + std::to_string(images_.done + 1));
        throw_injected_fault(*kind, "an image step");
      }
      std::this_thread::sleep_for(timings_.images_step);
      ++images_.done;
      ++steps;
      ++stats_->images_steps;
      if (std::chrono::steady_clock::now() >= end || (interrupted && interrupted())) break;
    }
    return steps;
  }
  ImageReverseFrame images_frame() override {
    check();
    ImageReverseFrame frame;
    frame.generation = images_.generation;
    frame.device_name = device_;
    if (!images_.has_run) return frame;
    frame.image_count = images_.job.image_count;
    frame.height = frame.width = 4;
    frame.running = images_running();
    frame.panel_steps = images_.done * static_cast<std::int64_t>(images_.job.panels.size());
    for (std::size_t p = 0; p < images_.job.panels.size(); ++p) {
      ImagePanelFrame panel;
      panel.states_done = images_.done + 1;
      panel.finished = !frame.running;
      panel.shown_state = images_.done;
      panel.grid.assign(static_cast<std::size_t>(frame.image_count) * 16,
                        static_cast<std::uint8_t>(images_.done % 256));
      frame.panels.push_back(std::move(panel));
    }
    return frame;
  }

 private:
  struct ReverseRun {
    bool has_run = false;
    ReverseJob job;
    std::uint64_t generation = 0;
    int done = 0;
    bool poisoned = false;
    std::string error;
  };
  struct ImagesRun {
    bool has_run = false;
    ImageReverseJob job;
    std::uint64_t generation = 0;
    int done = 0;
  };

  static int steps_of(const ReverseJob& job) {
    int k = 0;
    for (const auto& p : job.panels) k = std::max(k, p.steps > 0 ? p.steps : p.schedule.T);
    return k;
  }
  static int image_steps_of(const ImageReverseJob& job) {
    int k = 0;
    for (const auto& p : job.panels) k = std::max(k, p.steps > 0 ? p.steps : p.schedule.T);
    return k;
  }

  void publish_model() {
    training_.model_revision = ++revisions_[training_job_.dataset];
  }

  // Every call after start() must come from the worker thread, and none after shut_down().
  void check() const {
    if (!started_) ++stats_->calls_before_start;
    else if (std::this_thread::get_id() != owner_) ++stats_->wrong_thread_calls;
    if (shut_) ++stats_->calls_after_shut_down;
  }

  std::shared_ptr<FakeStats> stats_;
  FakeTimings timings_;
  std::thread::id owner_;
  bool started_ = false;
  bool shut_ = false;
  std::string device_ = "cpu";
  std::map<WorkerLane, ArmedFault> faults_;
  std::map<std::pair<std::uint64_t, int>, int> markov_done_;
  int x0_t_ = -1;   // the t of the last x0_hat computed (the fake caches one, like the real one)
  ReverseRun reverse_;
  ImagesRun images_;
  TrainingJob training_job_;
  TrainingFrame training_;
  bool training_active_ = false;
  std::map<diffusion::Dataset2DKind, std::uint64_t> revisions_;
};

}  // namespace diffuscope::gui::test_support
