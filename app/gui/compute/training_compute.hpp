#pragma once
// In-app training of a dataset's 2D model, or of a drawing's (TrainingJob::drawn: published as
// the drawing's model, ModelStore::publish_trained_on_drawing), advanced in short slices on the worker thread between
// other work. Every ~0.2 s of training it appends the mean loss to the curve; every ~2 s it
// publishes the EMA model to the ModelStore (a new revision) and draws a small sample preview
// from it; Stop, the planned step count or an error end it (the first two publish the model
// reached). Not thread-safe: lives on the worker thread. Torch-free header (pimpl).
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "gui/protocol/fault_injection.hpp"
#include "gui/protocol/reverse_jobs.hpp"

namespace diffuscope::gui {

class ModelStore;

class TrainingComputer {
 public:
  // device_name: "cpu", "cuda:0", ... `store` must outlive this object.
  TrainingComputer(const std::string& device_name, ModelStore& store);
  ~TrainingComputer();
  TrainingComputer(const TrainingComputer&) = delete;
  TrainingComputer& operator=(const TrainingComputer&) = delete;

  // Starts training (a training in progress is stopped first, keeping its model). Throws
  // std::invalid_argument naming the field (steps) or what failed in setting up.
  void start(const TrainingJob& job);
  // Ends the training in progress and publishes the model reached (no-op when none).
  void stop();
  bool active() const;
  // Trains until `budget` has passed or `interrupted()` is true (at least one step). Returns
  // true when the frame changed enough to publish (a loss point, a preview, the end). On an error
  // the training ends, frame().message says why, and the error is rethrown as
  // std::runtime_error for the worker to report.
  bool advance(std::chrono::microseconds budget, const std::function<bool()>& interrupted = {});
  TrainingFrame frame() const;

  // Intervals (tests shorten them). Defaults: 200 ms and 2 s of training time.
  void set_intervals(std::chrono::milliseconds report, std::chrono::milliseconds preview);
  // Fault injection (fault_injection.hpp): the next training step throws `kind`, or for NaN its
  // loss reads NaN; either way the training ends as on a real error (nothing more published).
  void arm_fault(FaultKind kind);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace diffuscope::gui
