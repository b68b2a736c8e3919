#pragma once
// The app's LibTorch worker: one thread that owns the device and every tensor and computes the
// forward views (2D points, moments, images, strips) as jobs and frames. Torch-free header.
//
// Usage (UI thread):
//   Worker worker("auto", /*threads=*/0);     // starts the thread; picks the device there
//   ForwardJob job;                           // fill from the UI state every frame (cheap)
//   job.schedule_a = ...; job.t = cursor; job.image = shared_image;   // shared_ptr<const Image>
//   worker.submit(job);                       // never blocks; newer jobs supersede older ones
//   if (auto frame = worker.latest())         // never blocks; newest finished frame or null
//     if (frame->generation != shown_generation) { upload frame->a.xt_xy, ...; }
//   for (auto& message : worker.take_errors()) show(message);   // bad schedule, device fallback
// Submitting an identical job again is fine: cached parts are reused, only the cursor's work
// is redone. The destructor cancels the running job and joins promptly.
//
// The same thread also runs the reverse view (submit_reverse / latest_reverse), the Images view
// (submit_images / latest_images) and in-app training (start_training / latest_training) in short
// slices between forward jobs; all lanes publish frames the same way. busy() and
// wait_until_idle() concern forward jobs only (including an x0_hat still to come: a forward job's
// points are published first, the image model's x0_hat in a second frame of the same generation). set_device moves all of it to another device.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "gui/protocol/fault_injection.hpp"
#include "gui/protocol/image_jobs.hpp"
#include "gui/protocol/jobs.hpp"
#include "gui/protocol/reverse_jobs.hpp"

namespace diffuscope::gui {

class WorkerBackend;

// Faults: a job that throws (any exception, std::bad_alloc, LibTorch's out-of-memory error) is
// reported through take_errors() in one line ("reverse view: out of memory: ..."), or as the
// panel's error for a reverse or image panel; a frame whose numbers went non-finite is never
// published silently (forward: not published, an error names what went non-finite; reverse: the
// panel's error says so); a training whose loss goes non-finite stops with a message and keeps
// the model published before it. The worker keeps serving in every case.
// For checking this in the real app, DIFFUSCOPE_INJECT_FAULT=<job>:<kind> (job: forward |
// reverse | images | training; kind: exception | nan | oom | torch-oom) injects one fault into
// the first such job; it is read once, when the Worker is constructed (fault_injection.hpp).
class Worker {
 public:
  // device_request: "auto" | "cpu" | "cuda" (diffusion::pick_device); threads: LibTorch intra-op
  // threads (0 = half the hardware threads). Both take effect on the worker thread; if the device cannot
  // be used the worker falls back to the CPU and reports why through take_errors().
  // Computes with LibTorch (torch_backend.hpp).
  explicit Worker(std::string device_request = "auto", int threads = 0);
  // Computes with `backend` (tests use a fake without LibTorch); `fault`: see above (by default
  // from DIFFUSCOPE_INJECT_FAULT).
  Worker(std::unique_ptr<WorkerBackend> backend, std::string device_request, int threads,
         FaultSetting fault = fault_setting_from_environment());
  ~Worker();
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  // Returns the job's generation (1, 2, ...); the frame computed for it carries the same number.
  std::uint64_t submit(ForwardJob job);
  // The newest finished frame (null until the first); never waits for the worker.
  std::shared_ptr<const ForwardFrame> latest() const;
  // Errors since the last call (each a sentence for the lecturer); the worker keeps serving.
  std::vector<std::string> take_errors();
  bool busy() const;
  // "cpu", "cuda:0", ...; empty until the worker thread has chosen its device.
  std::string device_name() const;
  // Tests and headless tools only (the UI never waits): blocks until idle or timeout.
  bool wait_until_idle(std::chrono::milliseconds timeout) const;

  // ---- Reverse view (same worker thread; runs in slices between forward jobs) ----
  // Jobs whose panels, dataset, n, seed and model revision match the running run only move the
  // cursor/overlays: the run continues. Any other change drops the run and restarts it (within
  // 100 ms). Frames stream while the run progresses.
  // A job-level problem (no panels, n_points out of range, ...) is reported through
  // take_errors(); a panel's own problem (bad schedule, no trained model) is that panel's error.
  std::uint64_t submit_reverse(ReverseJob job);
  std::shared_ptr<const ReverseFrame> latest_reverse() const;
  void stop_reverse();                       // drops the run (latest_reverse() keeps its last frame)

  // ---- Training (same worker thread, in slices) ----
  // Starts training a model for job.dataset (replacing any training in progress). Every few
  // hundred steps, and when it stops, the EMA model is published: reverse runs of that dataset
  // then use it (their model_revision changes; see TrainingFrame::model_revision).
  void start_training(TrainingJob job);
  void stop_training();                      // keeps the model reached
  std::shared_ptr<const TrainingFrame> latest_training() const;
  // Revision of the model reverse jobs of `dataset` would use now (0: the shipped checkpoint).
  std::uint64_t model_revision(diffusion::Dataset2DKind dataset) const;
  // Revision of the newest model trained on a drawing (0: none): a reverse job on a drawing
  // carries it, so that each model training publishes restarts the run (TrainingJob::drawn).
  std::uint64_t drawn_model_revision() const;

  // ---- Images view (same worker thread, in slices; the image U-Net of job.model_path) ----
  // As submit_reverse: a job that changes only the cursor or the selected sample is applied at
  // once; any other change drops the run and restarts it. A missing or broken model is the
  // frame's model_error (and every panel's error), never a throw.
  std::uint64_t submit_images(ImageReverseJob job);
  std::shared_ptr<const ImageReverseFrame> latest_images() const;
  void stop_images();                        // drops the run (latest_images() keeps its last frame)

  // ---- Device ----
  // Moves the worker to "auto" | "cpu" | "cuda": every computer is rebuilt there (runs restart
  // when their jobs are sent again; models trained here move along; a training in progress
  // stops). An unavailable device keeps the current one and reports why through take_errors().
  void set_device(std::string request);
  // The device in use (name, description, whether CUDA can be chosen); its revision bumps on
  // every change, so the UI knows to send its jobs again.
  DeviceStatus device_status() const;

  // ---- Waking the UI ----
  // Called on the worker thread after it publishes anything the UI reads (a frame of any lane,
  // the training, the device, an error), outside the worker's locks; the window sets it to
  // glfwPostEmptyEvent so that a loop sleeping until the next event draws the news. Thread-safe:
  // may be set (or cleared with an empty function) at any time; keep it cheap and non-blocking.
  void set_on_publish(std::function<void()> hook);
  // Called by the UI thread after each frame it rasterised: while the window animates, background
  // work leaves the renderer a share of the CPU (worker.cpp, kRendererShare). Thread-safe, cheap.
  void note_ui_frame();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace diffuscope::gui
