#pragma once
// What the Worker's thread asks of the compute side: the seam between the worker protocol (lanes,
// latest job wins, slices, publishing, errors, shutdown: worker.cpp, torch-free) and the tensor
// work. The app uses make_torch_backend() (torch_backend.hpp), which wraps the LibTorch
// computers; the protocol tests use a fake with plain CPU loops, so ThreadSanitizer can check the
// protocol without LibTorch's own threads in the picture.
//
// Every member is called on the worker thread only, never concurrently: an implementation needs
// no locking of its own. Exceptions thrown by a member are caught by the worker and reported
// (see worker.hpp); JobCancelled from compute_forward means "stopped between steps".
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "gui/protocol/fault_injection.hpp"
#include "gui/protocol/image_jobs.hpp"
#include "gui/protocol/cancel_token.hpp"
#include "gui/protocol/jobs.hpp"
#include "gui/protocol/reverse_jobs.hpp"

namespace diffuscope::gui {

class WorkerBackend {
 public:
  using Interrupted = std::function<bool()>;
  virtual ~WorkerBackend() = default;

  // ---- Device ----
  // First call. Picks the device ("auto" | "cpu" | "cuda") and builds everything there; returns
  // messages for the lecturer (e.g. a fallback to the CPU). Throws if nothing can be built.
  virtual std::vector<std::string> start(const std::string& device_request, int threads) = 0;
  // Moves to another device; returns true if it moved (then every run and training was dropped
  // and status must be sent again). Messages (refusals, a stopped training) go to `messages`.
  virtual bool change_device(const std::string& request, std::vector<std::string>& messages) = 0;
  // The device in use ("cpu", "cuda:0") and its description (revision left 0).
  virtual std::string device_name() const = 0;
  virtual DeviceStatus describe_device(const std::string& request) = 0;
  // Last call: frees everything (tensors die on the thread that made them).
  virtual void shut_down() = 0;
  // Arms one injected fault (fault_injection.hpp), fired in the lane's next step, inside the
  // computation where possible so that the real checks must catch it. Called after start().
  virtual void arm_fault(const FaultPlan& plan) = 0;

  // ---- Forward lane ----
  // Throws JobCancelled when `cancel` fires between steps (progress stays cached for a resume).
  // defer_x0: leave the image model's x0_hat pending (ForwardSide::x0_hat_pending); the worker
  // computes the same job again without it once the points have been published.
  virtual ForwardFrame compute_forward(const ForwardJob& job, const CancelToken& cancel,
                                       bool defer_x0) = 0;

  // ---- Reverse lane (as ReverseComputer) ----
  virtual bool reverse_set_job(const ReverseJob& job, std::uint64_t generation) = 0;
  virtual void reverse_stop() = 0;
  virtual bool reverse_running() const = 0;
  virtual bool reverse_needs_refine() const = 0;
  virtual bool reverse_refine() = 0;
  virtual int reverse_advance(std::chrono::microseconds budget, const Interrupted& interrupted) = 0;
  virtual ReverseFrame reverse_frame() = 0;

  // ---- Training lane (as TrainingComputer) ----
  virtual void training_start(const TrainingJob& job) = 0;
  virtual void training_stop() = 0;
  virtual bool training_active() const = 0;
  virtual bool training_advance(std::chrono::microseconds budget, const Interrupted& interrupted) = 0;
  virtual TrainingFrame training_frame() const = 0;
  // The revision of the model reverse jobs of `dataset` would use now (0: the shipped one).
  virtual std::uint64_t model_revision(diffusion::Dataset2DKind dataset) const = 0;

  // ---- Images lane (as ImageReverseComputer) ----
  virtual bool images_set_job(const ImageReverseJob& job, std::uint64_t generation) = 0;
  virtual void images_stop() = 0;
  virtual bool images_running() const = 0;
  virtual int images_advance(std::chrono::microseconds budget, const Interrupted& interrupted) = 0;
  virtual ImageReverseFrame images_frame() = 0;
};

}  // namespace diffuscope::gui
