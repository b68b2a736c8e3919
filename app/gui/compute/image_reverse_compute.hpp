#pragma once
// The Images view's tensor work: the stepped run (stepped_run.hpp) of image samples, kept as
// float16; the selected sample's x0_hat and eps_hat are taken from the step that computed them,
// or evaluated once for a scrubbed-to state and cached. Not thread-safe: lives on the worker
// thread. Torch-free header (pimpl).
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "gui/protocol/fault_injection.hpp"
#include "gui/protocol/image_jobs.hpp"

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
  // SteppedRun::advance, in chunks of 16 images on the CPU (all at once on a GPU); at least one
  // chunk per call.
  int advance(std::chrono::microseconds budget, const std::function<bool()>& interrupted = {});
  // The frame for the current cursor and selection (copies out; at most one model evaluation of
  // one image per panel, for a selection at a state not seen before).
  ImageReverseFrame frame();

  // Memory for kept states over all panels (default kDefaultImageStateBudget). For runs started later.
  void set_state_budget_bytes(std::size_t bytes);
  std::int64_t steps_taken() const;         // panel steps since construction (tests, statistics)
  std::int64_t selected_evaluations() const;  // model evaluations for the selected sample (tests)
  void arm_fault(FaultKind kind);     // SteppedRun::arm_fault

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace diffuscope::gui
