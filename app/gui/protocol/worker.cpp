// The app worker: one thread that owns the compute back end (with LibTorch: the device, the
// models, every tensor) and serves four lanes cooperatively (design.md, "Threads"):
//   forward  - the newest ForwardJob wins (CancelToken); a long job (Markov chains) runs in
//              ~30 ms slices while other lanes have work, resuming from its cached progress;
//              the image model's x0_hat follows the points in a second frame (refine_x0);
//   reverse  - one resumable run, advanced in ~8 ms slices; a job that only moves the cursor or
//              the overlays is applied at once, any other change restarts the run;
//   images   - one resumable run of the image U-Net, advanced in ~25 ms slices (at least one chunk
//              of images, ~30 ms for 16 on the CPU); like the reverse lane otherwise;
//   training - ~15 ms slices of optimisation steps while a training is active.
// A device change (set_device) is handled before anything else: every computer is rebuilt.
// Slices stop early (between steps) as soon as the UI sends anything, so a new job waits at most
// about one step. Results are copied out, then swapped in under the mutex; the UI never waits.
// This file is the protocol only and torch-free: the tensor work is behind WorkerBackend
// (worker_backend.hpp; the LibTorch one is torch_backend.cpp), so ThreadSanitizer can check the
// protocol with a fake back end.
#include "gui/protocol/worker.hpp"

#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <exception>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>

#include "gui/protocol/cancel_token.hpp"
#include "gui/protocol/worker_backend.hpp"
#include "gui/protocol/worker_failures.hpp"

namespace diffuscope::gui {
namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

constexpr auto kForwardSlice = 30ms;        // a long forward job's slice while others wait
constexpr auto kReverseSlice = 8ms;
constexpr auto kTrainingSlice = 15ms;
constexpr auto kReversePublishInterval = 30ms;
constexpr auto kImagesSlice = 25ms;
constexpr auto kImagesPublishInterval = 50ms;
// While the window is animating (it drew a frame within kAnimatingWindow), background work
// (training, reverse and image runs) pauses kRendererShare after each round of slices, unless a
// job arrives: on two cores the renderer (Mesa's rasteriser threads and the UI thread) keeps about
// two thirds of the worker's core, so a training run does not make frames late. A still window lends
// the worker everything. Forward jobs never wait for it.
constexpr auto kAnimatingWindow = 100ms;
constexpr auto kRendererShare = 30ms;
constexpr std::size_t kMaxQueuedErrors = 64;
// The image model's x0_hat of a forward job is computed after the job's points are published
// (a U-Net on the CPU takes longer than a frame). While jobs keep coming (a dragged slider,
// playback) it runs when the last one has used at most 1/kX0RefineCostFactor of the time since
// (on the CPU about once a second; on a GPU every frame); once no job has been submitted for
// kX0RefineQuiet (the slider was let go) it runs at once.
constexpr auto kX0RefineQuiet = 40ms;
constexpr int kX0RefineCostFactor = 16;

// A run lane (reverse, images): one resumable run on the back end, the newest job waiting for the
// worker, and the newest frame. `pending`, `generation`, `stop` and `frame` are guarded by the
// worker's mutex; `last_publish` is the worker thread's.
template <class Job, class Frame>
struct RunLane {
  // The back end's side of this lane.
  struct Backend {
    bool (WorkerBackend::*set_job)(const Job&, std::uint64_t);
    void (WorkerBackend::*stop)();
    bool (WorkerBackend::*running)() const;
    int (WorkerBackend::*advance)(std::chrono::microseconds, const WorkerBackend::Interrupted&);
    Frame (WorkerBackend::*frame)();
  };
  const char* name;                      // prefix of its errors: "reverse view: "
  Backend backend;
  Clock::duration slice;                 // of advancing, while it runs
  Clock::duration publish_interval;      // of frames, while it runs

  std::optional<Job> pending;
  std::uint64_t generation = 0;
  bool stop = false;
  std::shared_ptr<const Frame> frame;
  Clock::time_point last_publish{};

  // What the worker takes from the lane in one round (under the mutex).
  struct Taken {
    std::optional<Job> job;
    std::uint64_t generation = 0;
    bool stop = false;
  };
  Taken take() {
    Taken taken{std::move(pending), generation, stop};
    pending.reset();
    stop = false;
    return taken;
  }
  bool has_request() const { return pending.has_value() || stop; }
};

// Checks before a frame is published: never shown silently when something went non-finite.
void check_before_publishing(ReverseFrame& frame) { reject_nonfinite_panels(frame); }
void check_before_publishing(ImageReverseFrame&) {}

}  // namespace

struct Worker::Impl {
  std::string device_request;
  int threads = 0;
  FaultSetting fault;

  // Used only on the worker thread (start() to shut_down()); destroyed with the Impl afterwards.
  std::unique_ptr<WorkerBackend> backend;
  std::optional<ForwardJob> x0_refine_job;          // the published job whose x0_hat is pending
  std::uint64_t x0_refine_generation = 0;
  Clock::time_point last_x0_refine_end{};
  Clock::duration last_x0_refine_cost{};

  mutable std::mutex mutex;               // guards everything below except the atomics
  std::condition_variable wake;           // worker: something to do, or shutdown
  mutable std::condition_variable idle;   // wait_until_idle (forward lane)
  std::string device_name;
  std::vector<std::string> errors;
  // Forward lane.
  std::optional<ForwardJob> forward_pending;
  std::uint64_t forward_pending_generation = 0;
  bool forward_running = false;
  bool forward_x0_waiting = false;        // a published frame's x0_hat is still to come
  std::uint64_t forward_published_generation = 0;
  std::shared_ptr<const ForwardFrame> forward_frame;
  RunLane<ReverseJob, ReverseFrame> reverse{
      "reverse view: ",
      {&WorkerBackend::reverse_set_job, &WorkerBackend::reverse_stop, &WorkerBackend::reverse_running,
       &WorkerBackend::reverse_advance, &WorkerBackend::reverse_frame},
      kReverseSlice, kReversePublishInterval};
  // Training lane.
  std::optional<TrainingJob> training_pending;
  bool training_stop = false;
  std::shared_ptr<const TrainingFrame> training_frame;
  std::map<diffusion::Dataset2DKind, std::uint64_t> revisions;   // mirror of the back end's
  std::uint64_t drawn_revision = 0;   // of the newest model trained on a drawing (its frames say)
  RunLane<ImageReverseJob, ImageReverseFrame> images{
      "images view: ",
      {&WorkerBackend::images_set_job, &WorkerBackend::images_stop, &WorkerBackend::images_running,
       &WorkerBackend::images_advance, &WorkerBackend::images_frame},
      kImagesSlice, kImagesPublishInterval};
  // Device.
  std::optional<std::string> device_pending;
  DeviceStatus device_status;

  std::atomic<std::uint64_t> forward_newest{0};   // a running forward job compares against it
  std::atomic<Clock::rep> forward_submitted_at{0};  // Worker::submit's time, in Clock ticks
  std::atomic<bool> ui_waiting{false};            // something was sent: slices end early
  std::atomic<Clock::rep> ui_drew_at{0};          // Worker::note_ui_frame's time, in Clock ticks
  std::atomic<bool> shutting_down{false};
  // Worker::set_on_publish's hook; its own lock, never held while it runs.
  std::mutex hook_mutex;
  std::shared_ptr<const std::function<void()>> on_publish;
  std::thread thread;                             // last: started after everything above exists

  void push_error(std::string message) {
    {
      std::lock_guard<std::mutex> lock(mutex);
      if (errors.size() >= kMaxQueuedErrors) errors.erase(errors.begin());
      errors.push_back(std::move(message));
    }
    announce();
  }

  // Tells the UI that something was published (Worker::set_on_publish). Never under `mutex`.
  void announce() {
    std::shared_ptr<const std::function<void()>> hook;
    {
      std::lock_guard<std::mutex> lock(hook_mutex);
      hook = on_publish;
    }
    if (hook && *hook) (*hook)();
  }

  // Runs f(); an exception becomes an error (prefix + one line) and false. Nothing escapes: an
  // exception leaving the thread would end the program.
  template <class F>
  bool guarded(const std::string& prefix, F&& f) {
    try {
      f();
      return true;
    } catch (const std::exception& e) {
      push_error(prefix + failure_message(e));
    } catch (...) {
      push_error(prefix + "failed with an unknown error");
    }
    return false;
  }

  bool interrupted() const {
    return shutting_down.load(std::memory_order_relaxed) ||
           ui_waiting.load(std::memory_order_relaxed);
  }

  // After start() or a device change: the UI learns the device (and that it must resend jobs).
  void publish_device(const std::string& request) {
    DeviceStatus status = backend->describe_device(request);
    const std::string name = backend->device_name();
    {
      std::lock_guard<std::mutex> lock(mutex);
      device_name = name;
      status.revision = device_status.revision + 1;
      device_status = std::move(status);
    }
    announce();
  }

  bool start_up() {
    try {
      for (auto& message : backend->start(device_request, threads)) push_error(std::move(message));
    } catch (const std::exception& e) {
      push_error("the worker cannot start: " + failure_message(e));
      return false;
    } catch (...) {
      push_error("the worker cannot start: unknown error");
      return false;
    }
    if (!fault.error.empty()) push_error(fault.error);
    if (fault.plan) {
      backend->arm_fault(*fault.plan);
      std::fprintf(stderr, "diffuscope: injected fault %s:%s armed (fires in the first such job)\n",
                   to_string(fault.plan->lane).c_str(), to_string(fault.plan->kind).c_str());
    }
    guarded("device: ", [&] { publish_device(device_request); });
    return true;
  }

  void change_device(const std::string& request) {
    std::vector<std::string> messages;
    bool moved = false;
    guarded("device: ", [&] { moved = backend->change_device(request, messages); });
    for (auto& message : messages) push_error(std::move(message));
    if (moved) {
      guarded("device: ", [&] { publish_device(request); });
      publish_training();
    } else if (messages.empty()) {
      // Already there (e.g. auto on a machine without a GPU); a refused request changes nothing.
      std::lock_guard<std::mutex> lock(mutex);
      device_status.request = request;
    }
  }

  bool background_work() const {
    return backend->reverse_running() || backend->reverse_needs_refine() ||
           backend->training_active() || backend->images_running();
  }

  template <class Job, class Frame>
  void publish(RunLane<Job, Frame>& lane) {
    auto copy = std::make_shared<Frame>(((*backend).*lane.backend.frame)());
    check_before_publishing(*copy);
    std::shared_ptr<const Frame> frame = std::move(copy);
    {
      std::lock_guard<std::mutex> lock(mutex);
      std::swap(lane.frame, frame);
    }
    lane.last_publish = Clock::now();
    announce();
    // The replaced frame is freed here, outside the lock.
  }

  // A lane's stop and newest job, taken from the UI this round: a job restarts or moves the run
  // and its frame is published at once.
  template <class Job, class Frame>
  void apply(RunLane<Job, Frame>& lane, const typename RunLane<Job, Frame>::Taken& taken) {
    if (taken.stop) guarded(lane.name, [&] { ((*backend).*lane.backend.stop)(); });
    if (taken.job) {
      guarded(lane.name, [&] {
        ((*backend).*lane.backend.set_job)(*taken.job, taken.generation);
        publish(lane);
      });
    }
  }

  // Advances a running lane by one slice; returns true when a frame is due (the run has ended,
  // or the lane's publish interval has passed).
  template <class Job, class Frame>
  bool advance_slice(RunLane<Job, Frame>& lane) {
    if (!((*backend).*lane.backend.running)()) return false;
    ((*backend).*lane.backend.advance)(
        std::chrono::duration_cast<std::chrono::microseconds>(lane.slice),
        [this] { return interrupted(); });
    return !((*backend).*lane.backend.running)() ||
           Clock::now() - lane.last_publish >= lane.publish_interval;
  }

  // One slice of a lane; a failure drops its run (the error says why).
  template <class Job, class Frame, class Slice>
  void lane_slice(RunLane<Job, Frame>& lane, Slice&& slice) {
    if (!guarded(lane.name, slice)) guarded(lane.name, [&] { ((*backend).*lane.backend.stop)(); });
  }

  void publish_training() {
    std::shared_ptr<const TrainingFrame> frame;
    std::uint64_t revision = 0;
    if (!guarded("training: ", [&] {
          frame = std::make_shared<const TrainingFrame>(backend->training_frame());
          revision = frame->drawn ? frame->model_revision : backend->model_revision(frame->dataset);
        }))
      return;
    {
      std::lock_guard<std::mutex> lock(mutex);
      (frame->drawn ? drawn_revision : revisions[frame->dataset]) = revision;
      std::swap(training_frame, frame);
    }
    announce();
  }

  void run_forward(ForwardJob job, std::uint64_t generation) {
    const bool others_wait = backend->reverse_running() || backend->training_active() ||
                             backend->images_running();
    const CancelToken token(&forward_newest, &shutting_down, generation,
                            others_wait ? Clock::now() + kForwardSlice : Clock::time_point::max());
    std::shared_ptr<const ForwardFrame> result;
    std::string error;
    bool resume = false;
    try {
      result = std::make_shared<const ForwardFrame>(backend->compute_forward(job, token, true));
      if (std::string part = nonfinite_part(*result); !part.empty()) {
        error = "forward view: " + part;
        result.reset();
      }
    } catch (const JobCancelled&) {
      // Superseded or shutting down: dropped. Out of time: resumed after the other lanes' slices
      // (the computer kept its progress).
      resume = !shutting_down.load() && forward_newest.load() == generation;
    } catch (const std::exception& e) {
      error = failure_message(e);
    } catch (...) {
      error = "worker job failed with an unknown error";
    }
    {
      std::lock_guard<std::mutex> lock(mutex);
      // Published even if a newer job is waiting: while a slider is dragged, a slightly older
      // frame beats none. Generations only increase, so the newest published stays newest.
      if (result && generation > forward_published_generation) {
        forward_published_generation = generation;
        if (result->a.x0_hat_pending || result->b.x0_hat_pending) {
          x0_refine_job = job;
          x0_refine_generation = generation;
        } else {
          x0_refine_job.reset();
        }
        forward_x0_waiting = x0_refine_job.has_value();
        std::swap(forward_frame, result);
      }
      if (!error.empty()) {
        if (errors.size() >= kMaxQueuedErrors) errors.erase(errors.begin());
        errors.push_back(std::move(error));
      }
      if (resume && !forward_pending) {
        forward_pending = std::move(job);
        forward_pending_generation = generation;
      }
      forward_running = false;
    }
    idle.notify_all();
    announce();
  }

  Clock::time_point last_forward_submit() const {
    return Clock::time_point(Clock::duration(forward_submitted_at.load(std::memory_order_relaxed)));
  }

  bool x0_refine_due(Clock::time_point now) const {
    if (!x0_refine_job) return false;
    return now - last_forward_submit() >= kX0RefineQuiet ||
           now - last_x0_refine_end >= last_x0_refine_cost * kX0RefineCostFactor;
  }

  // The pending x0_hat of the last published forward frame, when due: the same job again
  // without deferring (everything else comes from the computer's caches), published under the
  // same generation unless a newer frame is out.
  void refine_x0() {
    if (!x0_refine_due(Clock::now())) return;
    {
      std::lock_guard<std::mutex> lock(mutex);
      if (forward_pending) return;   // the newer job first; its frame asks again
    }
    const ForwardJob job = std::move(*x0_refine_job);
    const std::uint64_t generation = x0_refine_generation;
    x0_refine_job.reset();
    const auto start = Clock::now();
    const CancelToken token(&forward_newest, &shutting_down, generation);
    std::shared_ptr<ForwardFrame> result;
    std::string error;
    try {
      result = std::make_shared<ForwardFrame>(backend->compute_forward(job, token, false));
      if (std::string part = nonfinite_part(*result); !part.empty()) {
        error = "forward view: " + part;
        result.reset();
      }
    } catch (const JobCancelled&) {
      // A newer job or shutdown: not a failure. Asked again unless a newer frame replaces it.
      if (!shutting_down.load() && !x0_refine_job) {
        x0_refine_job = job;
        x0_refine_generation = generation;
      }
      return;
    } catch (const std::exception& e) {
      error = failure_message(e);
    } catch (...) {
      error = "worker job failed with an unknown error";
    }
    last_x0_refine_end = Clock::now();
    last_x0_refine_cost = last_x0_refine_end - start;
    std::shared_ptr<const ForwardFrame> published;
    {
      std::lock_guard<std::mutex> lock(mutex);
      if (!result && forward_frame && generation == forward_published_generation) {
        // Failed: the frame stays, no longer waiting, saying why there is no x0_hat.
        result = std::make_shared<ForwardFrame>(*forward_frame);
        for (ForwardSide* side : {&result->a, &result->b}) {
          if (!side->x0_hat_pending) continue;
          side->x0_hat_pending = false;
          side->x0_hat = Image{};
          side->x0_hat_note = "x̂_0: not computed (see the error)";
        }
      }
      if (result && generation >= forward_published_generation) {
        forward_published_generation = generation;
        published = std::move(result);
        std::swap(forward_frame, published);
      }
      if (!error.empty()) {
        if (errors.size() >= kMaxQueuedErrors) errors.erase(errors.begin());
        errors.push_back(std::move(error));
      }
      if (!x0_refine_job) forward_x0_waiting = false;
    }
    idle.notify_all();
    announce();
    // The replaced frame is freed here, outside the lock.
  }

  // The pause after background slices while the window animates (kRendererShare); a job, a stop
  // or shutting down ends it at once.
  void leave_the_renderer_its_share() {
    const auto now = Clock::now();
    if (now - Clock::time_point(Clock::duration(ui_drew_at.load())) > kAnimatingWindow) return;
    std::unique_lock<std::mutex> lock(mutex);
    if (!background_work()) return;
    wake.wait_until(lock, now + kRendererShare, [&] {
      return shutting_down.load() || forward_pending || reverse.has_request() || training_pending ||
             training_stop || images.has_request() || device_pending;
    });
  }

  // One slice of each background lane; each stops early when the UI sends something.
  void background_slices() {
    if (interrupted()) return;
    lane_slice(reverse, [&] {
      bool due = advance_slice(reverse);
      // The reverse view's distances follow its pictures (computed between slices).
      if (!interrupted() && backend->reverse_needs_refine()) due |= backend->reverse_refine();
      if (due) publish(reverse);
    });
    if (interrupted()) return;
    lane_slice(images, [&] {
      if (advance_slice(images)) publish(images);
    });
    if (interrupted()) return;
    if (backend->training_active()) {
      bool publish = true;
      // The training's own message names the dataset and step (training_compute.hpp).
      guarded("", [&] {
        publish = backend->training_advance(kTrainingSlice, [this] { return interrupted(); });
      });
      if (publish) publish_training();
    }
  }

  void run() {
    const bool started = start_up();
    while (started) {
      std::optional<ForwardJob> forward_job;
      std::uint64_t forward_generation = 0;
      RunLane<ReverseJob, ReverseFrame>::Taken reverse_taken;
      std::optional<TrainingJob> training_job;
      bool stop_training = false;
      RunLane<ImageReverseJob, ImageReverseFrame>::Taken images_taken;
      std::optional<std::string> new_device;
      {
        std::unique_lock<std::mutex> lock(mutex);
        const auto ready = [&] {
          return shutting_down.load() || forward_pending || reverse.has_request() ||
                 training_pending || training_stop || images.has_request() || device_pending || background_work() || x0_refine_due(Clock::now());
        };
        if (x0_refine_job) {
          // Wakes when the pending x0_hat falls due even if nothing else happens.
          const auto due = std::min(last_forward_submit() + kX0RefineQuiet,
                                    last_x0_refine_end + last_x0_refine_cost * kX0RefineCostFactor);
          wake.wait_until(lock, due + 1ms, ready);
        } else {
          wake.wait(lock, ready);
        }
        if (shutting_down.load()) break;
        forward_job = std::move(forward_pending);
        forward_pending.reset();
        forward_generation = forward_pending_generation;
        forward_running = forward_job.has_value();
        reverse_taken = reverse.take();
        training_job = std::move(training_pending);
        training_pending.reset();
        std::swap(stop_training, training_stop);
        images_taken = images.take();
        new_device = std::move(device_pending);
        device_pending.reset();
        ui_waiting.store(false);
      }

      if (new_device) change_device(*new_device);

      // Control first (cheap), then the reverse job (its restart must show within 100 ms),
      // then the forward job, then one slice of each background lane.
      if (stop_training || training_job) {
        guarded("", [&] {
          if (stop_training) backend->training_stop();
          if (training_job) backend->training_start(*training_job);
        });
        publish_training();
      }
      apply(reverse, reverse_taken);
      apply(images, images_taken);
      if (forward_job) run_forward(std::move(*forward_job), forward_generation);
      refine_x0();

      background_slices();
      leave_the_renderer_its_share();
    }

    // Shutting down: free the tensors on the thread that made them.
    guarded("", [&] { backend->shut_down(); });
    std::lock_guard<std::mutex> lock(mutex);
    forward_running = false;
    idle.notify_all();
  }

  // Called by the UI thread after queueing something.
  void notify() {
    ui_waiting.store(true);
    wake.notify_one();
  }

  // The UI thread's side of a run lane.
  template <class Job, class Frame>
  std::uint64_t submit_to(RunLane<Job, Frame>& lane, Job job) {
    std::uint64_t generation = 0;
    {
      std::lock_guard<std::mutex> lock(mutex);
      generation = ++lane.generation;
      lane.pending = std::move(job);
    }
    notify();
    return generation;
  }
  template <class Job, class Frame>
  std::shared_ptr<const Frame> latest_of(const RunLane<Job, Frame>& lane) const {
    std::lock_guard<std::mutex> lock(mutex);
    return lane.frame;
  }
  template <class Job, class Frame>
  void stop_lane(RunLane<Job, Frame>& lane) {
    {
      std::lock_guard<std::mutex> lock(mutex);
      lane.pending.reset();  // a job sent before the stop is dropped with the run
      lane.stop = true;
    }
    notify();
  }
};

Worker::Worker(std::unique_ptr<WorkerBackend> backend, std::string device_request, int threads,
               FaultSetting fault)
    : impl_(std::make_unique<Impl>()) {
  impl_->backend = std::move(backend);
  impl_->device_request = std::move(device_request);
  impl_->threads = threads;
  impl_->fault = std::move(fault);
  Impl* impl = impl_.get();
  impl_->thread = std::thread([impl] { impl->run(); });
}

Worker::~Worker() {
  {
    std::lock_guard<std::mutex> lock(impl_->mutex);
    impl_->shutting_down.store(true);
    impl_->forward_pending.reset();
  }
  impl_->wake.notify_all();
  if (impl_->thread.joinable()) impl_->thread.join();
}

std::uint64_t Worker::submit(ForwardJob job) {
  std::uint64_t generation = 0;
  {
    std::lock_guard<std::mutex> lock(impl_->mutex);
    generation = impl_->forward_newest.load() + 1;
    impl_->forward_pending = std::move(job);
    impl_->forward_pending_generation = generation;
    // Publishing the new generation is what makes a running job's cancelled() true.
    impl_->forward_newest.store(generation);
    impl_->forward_submitted_at.store(Clock::now().time_since_epoch().count(),
                                      std::memory_order_relaxed);
  }
  impl_->notify();
  return generation;
}

std::shared_ptr<const ForwardFrame> Worker::latest() const {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  return impl_->forward_frame;
}

std::vector<std::string> Worker::take_errors() {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  std::vector<std::string> out;
  out.swap(impl_->errors);
  return out;
}

bool Worker::busy() const {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  return impl_->forward_running || impl_->forward_pending.has_value() || impl_->forward_x0_waiting;
}

std::string Worker::device_name() const {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  return impl_->device_name;
}

bool Worker::wait_until_idle(std::chrono::milliseconds timeout) const {
  std::unique_lock<std::mutex> lock(impl_->mutex);
  return impl_->idle.wait_for(lock, timeout, [this] {
    return !impl_->forward_running && !impl_->forward_pending.has_value() &&
           !impl_->forward_x0_waiting;
  });
}

std::uint64_t Worker::submit_reverse(ReverseJob job) { return impl_->submit_to(impl_->reverse, std::move(job)); }
std::shared_ptr<const ReverseFrame> Worker::latest_reverse() const { return impl_->latest_of(impl_->reverse); }
void Worker::stop_reverse() { impl_->stop_lane(impl_->reverse); }

void Worker::start_training(TrainingJob job) {
  {
    std::lock_guard<std::mutex> lock(impl_->mutex);
    impl_->training_pending = std::move(job);
  }
  impl_->notify();
}

void Worker::stop_training() {
  {
    std::lock_guard<std::mutex> lock(impl_->mutex);
    impl_->training_pending.reset();  // a start sent before the stop never happens
    impl_->training_stop = true;
  }
  impl_->notify();
}

std::shared_ptr<const TrainingFrame> Worker::latest_training() const {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  return impl_->training_frame;
}

std::uint64_t Worker::model_revision(diffusion::Dataset2DKind dataset) const {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  auto it = impl_->revisions.find(dataset);
  return it == impl_->revisions.end() ? 0 : it->second;
}

std::uint64_t Worker::drawn_model_revision() const {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  return impl_->drawn_revision;
}

std::uint64_t Worker::submit_images(ImageReverseJob job) { return impl_->submit_to(impl_->images, std::move(job)); }
std::shared_ptr<const ImageReverseFrame> Worker::latest_images() const { return impl_->latest_of(impl_->images); }
void Worker::stop_images() { impl_->stop_lane(impl_->images); }

void Worker::set_device(std::string request) {
  {
    std::lock_guard<std::mutex> lock(impl_->mutex);
    impl_->device_pending = std::move(request);
  }
  impl_->notify();
}

DeviceStatus Worker::device_status() const {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  return impl_->device_status;
}

void Worker::note_ui_frame() { impl_->ui_drew_at.store(Clock::now().time_since_epoch().count()); }

void Worker::set_on_publish(std::function<void()> hook) {
  auto shared = hook ? std::make_shared<const std::function<void()>>(std::move(hook)) : nullptr;
  std::lock_guard<std::mutex> lock(impl_->hook_mutex);
  impl_->on_publish = std::move(shared);
}

}  // namespace diffuscope::gui
