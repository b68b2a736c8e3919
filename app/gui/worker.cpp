// The app worker: one thread that owns LibTorch (the device, the models, every tensor) and serves
// three lanes cooperatively (design.md, "Threads"):
//   forward  - the newest ForwardJob wins, as with JobRunner; a long job (Markov chains) runs in
//              ~30 ms slices while other lanes have work, resuming from its cached progress;
//   reverse  - one resumable run, advanced in ~8 ms slices; a job that only moves the cursor or
//              the overlays is applied at once, any other change restarts the run;
//   images   - one resumable run of the image U-Net, advanced in ~25 ms slices (at least one chunk
//              of images, ~30 ms for 16 on the CPU); like the reverse lane otherwise;
//   training - ~15 ms slices of optimisation steps while a training is active.
// A device change (set_device) is handled before anything else: every computer is rebuilt.
// Slices stop early (between steps) as soon as the UI sends anything, so a new job waits at most
// about one step. Results are copied out, then swapped in under the mutex; the UI never waits.
// Torch-free itself: the tensor work lives in forward_compute.cpp, reverse_compute.cpp,
// image_reverse_compute.cpp, training_compute.cpp, model_store.cpp and image_model_store.cpp.
#include "gui/worker.hpp"

#include <atomic>
#include <condition_variable>
#include <exception>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>

#include "gui/device_info.hpp"
#include "gui/forward_compute.hpp"
#include "gui/image_model_store.hpp"
#include "gui/image_reverse_compute.hpp"
#include "gui/job_runner.hpp"
#include "gui/model_store.hpp"
#include "gui/reverse_compute.hpp"
#include "gui/training_compute.hpp"

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
constexpr std::size_t kMaxQueuedErrors = 64;

}  // namespace

struct Worker::Impl {
  std::string device_request;
  int threads = 0;

  // Touched only on the worker thread (created and destroyed there).
  std::unique_ptr<ForwardComputer> forward;
  std::unique_ptr<ModelStore> store;
  std::unique_ptr<ReverseComputer> reverse;
  std::unique_ptr<TrainingComputer> training;
  std::unique_ptr<ImageModelStore> image_store;
  std::unique_ptr<ImageReverseComputer> images;
  Clock::time_point last_reverse_publish{};
  Clock::time_point last_images_publish{};

  mutable std::mutex mutex;               // guards everything below except the atomics
  std::condition_variable wake;           // worker: something to do, or shutdown
  mutable std::condition_variable idle;   // wait_until_idle (forward lane)
  std::string device_name;
  std::vector<std::string> errors;
  // Forward lane.
  std::optional<ForwardJob> forward_pending;
  std::uint64_t forward_pending_generation = 0;
  bool forward_running = false;
  std::uint64_t forward_published_generation = 0;
  std::shared_ptr<const ForwardFrame> forward_frame;
  // Reverse lane.
  std::optional<ReverseJob> reverse_pending;
  std::uint64_t reverse_generation = 0;
  bool reverse_stop = false;
  std::shared_ptr<const ReverseFrame> reverse_frame;
  // Training lane.
  std::optional<TrainingJob> training_pending;
  bool training_stop = false;
  std::shared_ptr<const TrainingFrame> training_frame;
  std::map<diffusion::Dataset2DKind, std::uint64_t> revisions;   // mirror of the ModelStore's
  // Images lane.
  std::optional<ImageReverseJob> images_pending;
  std::uint64_t images_generation = 0;
  bool images_stop = false;
  std::shared_ptr<const ImageReverseFrame> images_frame;
  // Device.
  std::optional<std::string> device_pending;
  DeviceStatus device_status;

  std::atomic<std::uint64_t> forward_newest{0};   // a running forward job compares against it
  std::atomic<bool> ui_waiting{false};            // something was sent: slices end early
  std::atomic<bool> shutting_down{false};
  std::thread thread;                             // last: started after everything above exists

  void push_error(std::string message) {
    std::lock_guard<std::mutex> lock(mutex);
    if (errors.size() >= kMaxQueuedErrors) errors.erase(errors.begin());
    errors.push_back(std::move(message));
  }

  bool interrupted() const {
    return shutting_down.load(std::memory_order_relaxed) ||
           ui_waiting.load(std::memory_order_relaxed);
  }

  // The computers that live on forward's device (the stores are kept by a device change).
  void build_on_device(const std::string& request) {
    const std::string name = forward->device_name();
    if (store) store->move_to(name); else store = std::make_unique<ModelStore>(name);
    image_store = std::make_unique<ImageModelStore>(name);
    forward->set_image_models(image_store.get());
    reverse = std::make_unique<ReverseComputer>(name, *store);
    training = std::make_unique<TrainingComputer>(name, *store);
    images = std::make_unique<ImageReverseComputer>(name, *image_store);
    DeviceStatus status = describe_device(name, request);
    std::lock_guard<std::mutex> lock(mutex);
    device_name = name;
    status.revision = device_status.revision + 1;
    device_status = std::move(status);
  }

  void start_up() {
    forward = std::make_unique<ForwardComputer>(device_request, threads);
    for (const auto& e : forward->startup_errors()) push_error(e);
    build_on_device(device_request);
  }

  // set_device: a new forward computer picks the device; if it lands where we already are (or
  // the request cannot be met) nothing is rebuilt.
  void change_device(const std::string& request) {
    auto candidate = std::make_unique<ForwardComputer>(request, -1);
    for (const auto& e : candidate->startup_errors()) push_error(e);
    if (candidate->device_name() == forward->device_name()) {
      // Already there (e.g. auto on a machine without a GPU); a refused request changes nothing.
      std::lock_guard<std::mutex> lock(mutex);
      if (candidate->startup_errors().empty()) device_status.request = request;
      return;
    }
    if (training->active()) push_error("training stopped: the device changed (the model reached is kept)");
    // Everything holding tensors of the old device goes first (the stores' models move).
    if (training->active()) training->stop();
    training.reset();
    images.reset();
    reverse.reset();
    image_store.reset();
    forward = std::move(candidate);
    build_on_device(request);
    publish_training();
  }

  bool background_work() const {
    return reverse->running() || reverse->needs_refine() || training->active() || images->running();
  }

  void publish_images() {
    auto frame = std::make_shared<const ImageReverseFrame>(images->frame());
    {
      std::lock_guard<std::mutex> lock(mutex);
      std::swap(images_frame, frame);
    }
    last_images_publish = Clock::now();
  }

  void publish_reverse() {
    auto frame = std::make_shared<const ReverseFrame>(reverse->frame());
    {
      std::lock_guard<std::mutex> lock(mutex);
      std::swap(reverse_frame, frame);
    }
    last_reverse_publish = Clock::now();
    // The replaced frame is freed here, outside the lock.
  }

  void publish_training() {
    auto frame = std::make_shared<const TrainingFrame>(training->frame());
    std::lock_guard<std::mutex> lock(mutex);
    revisions[frame->dataset] = store->revision(frame->dataset);
    std::swap(training_frame, frame);
  }

  void run_forward(ForwardJob job, std::uint64_t generation) {
    const bool others_wait = reverse->running() || training->active();
    const CancelToken token(&forward_newest, &shutting_down, generation,
                            others_wait ? Clock::now() + kForwardSlice : Clock::time_point::max());
    std::shared_ptr<const ForwardFrame> result;
    std::string error;
    bool resume = false;
    try {
      result = std::make_shared<const ForwardFrame>(forward->compute(job, token));
    } catch (const JobCancelled&) {
      // Superseded or shutting down: dropped. Out of time: resumed after the other lanes' slices
      // (the computer kept its progress).
      resume = !shutting_down.load() && forward_newest.load() == generation;
    } catch (const std::exception& e) {
      error = e.what();
      if (error.empty()) error = "worker job failed";
    } catch (...) {
      error = "worker job failed with an unknown error";
    }
    {
      std::lock_guard<std::mutex> lock(mutex);
      // Published even if a newer job is waiting: while a slider is dragged, a slightly older
      // frame beats none. Generations only increase, so the newest published stays newest.
      if (result && generation > forward_published_generation) {
        forward_published_generation = generation;
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
  }

  void run() {
    try {
      start_up();
    } catch (const std::exception& e) {
      push_error(e.what());
    }
    if (!forward || !reverse || !training || !images) {
      // Start-up threw before the computers existed; try once more on the CPU.
      try {
        forward = std::make_unique<ForwardComputer>("cpu", -1);
        store.reset();
        build_on_device("cpu");
      } catch (const std::exception& e) {
        push_error(std::string("the worker cannot start: ") + e.what());
        return;
      }
    }

    for (;;) {
      std::optional<ForwardJob> forward_job;
      std::uint64_t forward_generation = 0;
      std::optional<ReverseJob> reverse_job;
      std::uint64_t reverse_job_generation = 0;
      bool stop_reverse = false;
      std::optional<TrainingJob> training_job;
      bool stop_training = false;
      std::optional<ImageReverseJob> images_job;
      std::uint64_t images_job_generation = 0;
      bool stop_images = false;
      std::optional<std::string> new_device;
      {
        std::unique_lock<std::mutex> lock(mutex);
        wake.wait(lock, [&] {
          return shutting_down.load() || forward_pending || reverse_pending || reverse_stop ||
                 training_pending || training_stop || images_pending || images_stop ||
                 device_pending || background_work();
        });
        if (shutting_down.load()) break;
        forward_job = std::move(forward_pending);
        forward_pending.reset();
        forward_generation = forward_pending_generation;
        forward_running = forward_job.has_value();
        reverse_job = std::move(reverse_pending);
        reverse_pending.reset();
        reverse_job_generation = reverse_generation;
        std::swap(stop_reverse, reverse_stop);
        training_job = std::move(training_pending);
        training_pending.reset();
        std::swap(stop_training, training_stop);
        images_job = std::move(images_pending);
        images_pending.reset();
        images_job_generation = images_generation;
        std::swap(stop_images, images_stop);
        new_device = std::move(device_pending);
        device_pending.reset();
        ui_waiting.store(false);
      }

      if (new_device) {
        try {
          change_device(*new_device);
        } catch (const std::exception& e) {
          push_error(std::string("device: ") + e.what());
        }
      }

      // Control first (cheap), then the reverse job (its restart must show within 100 ms),
      // then the forward job, then one slice of each background lane.
      if (stop_training || training_job) {
        try {
          if (stop_training) training->stop();
          if (training_job) training->start(*training_job);
        } catch (const std::exception& e) {
          push_error(e.what());
        }
        publish_training();
      }
      if (stop_reverse) reverse->stop();
      if (reverse_job) {
        try {
          reverse->set_job(*reverse_job, reverse_job_generation);
          publish_reverse();
        } catch (const std::exception& e) {
          push_error(std::string("reverse view: ") + e.what());
        }
      }
      if (stop_images) images->stop();
      if (images_job) {
        try {
          images->set_job(*images_job, images_job_generation);
          publish_images();
        } catch (const std::exception& e) {
          push_error(std::string("images view: ") + e.what());
        }
      }
      if (forward_job) run_forward(std::move(*forward_job), forward_generation);

      if (interrupted()) continue;
      try {
        if (reverse->running()) {
          reverse->advance(kReverseSlice, [this] { return interrupted(); });
          bool publish = !reverse->running() || Clock::now() - last_reverse_publish >= kReversePublishInterval;
          if (!interrupted() && reverse->needs_refine()) publish |= reverse->refine();
          if (publish) publish_reverse();
        } else if (reverse->needs_refine()) {
          if (reverse->refine()) publish_reverse();
        }
      } catch (const std::exception& e) {
        push_error(std::string("reverse view: ") + e.what());
        reverse->stop();
      }
      if (interrupted()) continue;
      try {
        if (images->running()) {
          images->advance(kImagesSlice, [this] { return interrupted(); });
          if (!images->running() || Clock::now() - last_images_publish >= kImagesPublishInterval)
            publish_images();
        }
      } catch (const std::exception& e) {
        push_error(std::string("images view: ") + e.what());
        images->stop();
      }
      if (interrupted()) continue;
      if (training->active()) {
        bool publish = false;
        try {
          publish = training->advance(kTrainingSlice, [this] { return interrupted(); });
        } catch (const std::exception& e) {
          push_error(e.what());
          publish = true;
        }
        if (publish) publish_training();
      }
    }

    // Shutting down: free the tensors on the thread that made them.
    training.reset();
    images.reset();
    reverse.reset();
    image_store.reset();
    store.reset();
    forward.reset();
    std::lock_guard<std::mutex> lock(mutex);
    forward_running = false;
    idle.notify_all();
  }

  // Called by the UI thread after queueing something.
  void notify() {
    ui_waiting.store(true);
    wake.notify_one();
  }
};

Worker::Worker(std::string device_request, int threads) : impl_(std::make_unique<Impl>()) {
  impl_->device_request = std::move(device_request);
  impl_->threads = threads;
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
  return impl_->forward_running || impl_->forward_pending.has_value();
}

std::string Worker::device_name() const {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  return impl_->device_name;
}

bool Worker::wait_until_idle(std::chrono::milliseconds timeout) const {
  std::unique_lock<std::mutex> lock(impl_->mutex);
  return impl_->idle.wait_for(lock, timeout, [this] {
    return !impl_->forward_running && !impl_->forward_pending.has_value();
  });
}

std::uint64_t Worker::submit_reverse(ReverseJob job) {
  std::uint64_t generation = 0;
  {
    std::lock_guard<std::mutex> lock(impl_->mutex);
    generation = ++impl_->reverse_generation;
    impl_->reverse_pending = std::move(job);
  }
  impl_->notify();
  return generation;
}

std::shared_ptr<const ReverseFrame> Worker::latest_reverse() const {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  return impl_->reverse_frame;
}

void Worker::stop_reverse() {
  {
    std::lock_guard<std::mutex> lock(impl_->mutex);
    impl_->reverse_pending.reset();  // a job sent before the stop is dropped with the run
    impl_->reverse_stop = true;
  }
  impl_->notify();
}

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

}  // namespace diffuscope::gui

namespace diffuscope::gui {

std::uint64_t Worker::submit_images(ImageReverseJob job) {
  std::uint64_t generation = 0;
  {
    std::lock_guard<std::mutex> lock(impl_->mutex);
    generation = ++impl_->images_generation;
    impl_->images_pending = std::move(job);
  }
  impl_->notify();
  return generation;
}

std::shared_ptr<const ImageReverseFrame> Worker::latest_images() const {
  std::lock_guard<std::mutex> lock(impl_->mutex);
  return impl_->images_frame;
}

void Worker::stop_images() {
  {
    std::lock_guard<std::mutex> lock(impl_->mutex);
    impl_->images_pending.reset();  // a job sent before the stop is dropped with the run
    impl_->images_stop = true;
  }
  impl_->notify();
}

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

}  // namespace diffuscope::gui
