#pragma once
// The tensor computations behind the forward views, with the caches that make a job cheap when
// only the cursor moved. Not thread-safe: one ForwardComputer lives on the worker thread (tests
// may also drive one directly). Torch-free header (pimpl) so that only forward_compute.cpp
// parses LibTorch.
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "gui/protocol/fault_injection.hpp"
#include "gui/protocol/cancel_token.hpp"
#include "gui/protocol/jobs.hpp"

namespace diffuscope::gui {

class ImageModelStore;

class ForwardComputer {
 public:
  // Picks the device (diffusion::pick_device) and sets the thread count
  // (diffusion::configure_threads, when threads >= 0). Call on the thread that will compute.
  // An unusable device falls back to the CPU; the reason is kept in startup_errors().
  ForwardComputer(const std::string& device_request, int threads);
  ~ForwardComputer();
  ForwardComputer(const ForwardComputer&) = delete;
  ForwardComputer& operator=(const ForwardComputer&) = delete;

  // Computes the frame for `job` with its schedules as they are. Throws std::invalid_argument for
  // bad parameters (message names the parameter), JobCancelled when `cancel` fires between Markov
  // steps (the states computed so far stay cached, so the next job resumes from them).
  // defer_x0: an x0_hat that needs the image model is left for a later call without it (the
  // side shows the last one and says x0_hat_pending); everything else is computed as usual.
  ForwardFrame compute(const ForwardJob& job, const CancelToken& cancel = CancelToken(),
                       bool defer_x0 = false);

  // Where x0_hat of the image (ForwardJob::predict_x0) gets its model; null: never predicted
  // (the frame says so). The store must outlive this computer or be replaced first.
  void set_image_models(ImageModelStore* store);

  const std::string& device_name() const;
  const std::vector<std::string>& startup_errors() const;

  // Markov cache statistics (tests): steps taken with q_step since construction.
  long long markov_steps_taken() const;
  // Memory for cached Markov states per schedule (default 192 MiB); beyond it states are kept
  // every few steps and the steps in between recomputed. Applies to chains started afterwards.
  void set_markov_cache_bytes(std::size_t bytes);
  // Fault injection (fault_injection.hpp): the next compute() throws `kind`, or for NaN its x_t
  // becomes NaN inside the computation (the worker's check must catch it).
  void arm_fault(FaultKind kind);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace diffuscope::gui
