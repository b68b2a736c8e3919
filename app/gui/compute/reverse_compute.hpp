#pragma once
// The reverse view's tensor work: the stepped run (stepped_run.hpp) of 2D clouds, and the
// cursor-dependent extras (sliced Wasserstein distance and the memorisation meter, vector field,
// x0_hat, trajectories, posterior). Not thread-safe: lives on the worker thread. Torch-free
// header (pimpl).
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "gui/protocol/fault_injection.hpp"
#include "gui/protocol/reverse_jobs.hpp"

namespace diffuscope::gui {

class ModelStore;

class ReverseComputer {
 public:
  // device_name: "cpu", "cuda:0", ... (the worker's device). `store` must outlive this object.
  ReverseComputer(const std::string& device_name, ModelStore& store);
  ~ReverseComputer();
  ReverseComputer(const ReverseComputer&) = delete;
  ReverseComputer& operator=(const ReverseComputer&) = delete;

  // Applies a job. When its run identity (panels, dataset, n_points, exact_train_n, seed,
  // model_revision) equals the current run's, only the cursor and overlays change; otherwise the
  // run is dropped and restarted (state 0, x_T, is ready on return). Returns true on a restart.
  // Throws std::invalid_argument naming the field for job-level problems (panel count, n_points,
  // exact_train_n, overlay sizes and indices); a panel's own problem (bad schedule, steps out of
  // range, no model) becomes that panel's error and the other panels run.
  bool set_job(const ReverseJob& job, std::uint64_t generation);
  void stop();                  // drops the run and its states
  bool has_run() const;
  bool running() const;         // some panel still has steps to take
  // SteppedRun::advance, in chunks of 512 rows.
  int advance(std::chrono::microseconds budget, const std::function<bool()>& interrupted = {});
  // Sliced Wasserstein distances are the slow part of a frame (tens of ms per panel at 2000
  // points), so frame() only reports cached ones; refine() computes one missing distance (and the
  // share of copied training points beside it) for a shown state and returns true if it did
  // (then publish again). While a run streams with the
  // cursor following it, each panel's distance is refreshed at most every ~0.3 s.
  bool needs_refine() const;
  bool refine();
  // The frame for the current cursor and overlays (copies out; never computes a distance).
  ReverseFrame frame();

  // Memory for kept states over all panels (default 256 MiB). Beyond it every stride-th state is
  // kept and the cursor shows the nearest kept state on the noisy side. For runs started later.
  void set_state_cache_bytes(std::size_t bytes);
  std::int64_t steps_taken() const;   // panel steps since construction (tests, statistics)
  void arm_fault(FaultKind kind);     // SteppedRun::arm_fault

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace diffuscope::gui
