#pragma once
// The Images view's tensor work: one resumable run of 1-4 panels of image samples that share x_T
// and every z (common random numbers), advanced in short slices between other work. Every
// state is kept (as float16, within a memory budget), so scrubbing a finished run is a lookup;
// the selected sample's x0_hat and eps_hat are taken from the step that computed them, or
// evaluated once for a scrubbed-to state and cached. Not thread-safe: lives on the worker thread.
// Torch-free header (pimpl).
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "gui/fault_injection.hpp"
#include "gui/image_jobs.hpp"

namespace diffuscope::gui {

class ImageModelStore;

class ImageReverseComputer {
 public:
  // device_name: "cpu", "cuda:0", ... (the worker's device). `store` must outlive this object.
  ImageReverseComputer(const std::string& device_name, ImageModelStore& store);
  ~ImageReverseComputer();
  ImageReverseComputer(const ImageReverseComputer&) = delete;
  ImageReverseComputer& operator=(const ImageReverseComputer&) = delete;

  // Applies a job. When its run identity (restarts_image_run) equals the current run's, only the
  // cursor and the selection change; otherwise the run is dropped and restarted (x_T is ready on
  // return). Returns true on a restart. Throws std::invalid_argument naming the field for
  // job-level problems (panel count, image_count, selected, t); a missing or broken model, a bad
  // schedule or K out of range become the panels' errors.
  bool set_job(const ImageReverseJob& job, std::uint64_t generation);
  void stop();                  // drops the run and its states
  bool has_run() const;
  bool running() const;         // some panel still has steps to take
  // Takes panel steps (step k of every panel, then k + 1, ...) until `budget` has passed or
  // `interrupted()` is true; checked between chunks of images too (an interrupted step resumes
  // on the next call). At least one chunk is computed per call. Returns the panel steps completed.
  int advance(std::chrono::microseconds budget, const std::function<bool()>& interrupted = {});
  // The frame for the current cursor and selection (copies out; at most one model evaluation of
  // one image per panel, for a selection at a state not seen before).
  ImageReverseFrame frame();

  // Memory for kept states over all panels (default kDefaultImageStateBudget). For runs started later.
  void set_state_budget_bytes(std::size_t bytes);
  std::int64_t steps_taken() const;         // panel steps since construction (tests, statistics)
  std::int64_t selected_evaluations() const;  // model evaluations for the selected sample (tests)
  // Fault injection (fault_injection.hpp): the next step throws `kind` inside the computation
  // (it becomes the panel's error), or for NaN its result becomes NaN (the real check catches it).
  void arm_fault(FaultKind kind);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace diffuscope::gui
