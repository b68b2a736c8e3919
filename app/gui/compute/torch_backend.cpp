// The LibTorch back end of the Worker (see torch_backend.hpp) and Worker's default constructor,
// which uses it. Parses no LibTorch itself: the computers keep their tensors behind pimpls.
#include "gui/compute/torch_backend.hpp"

#include <stdexcept>
#include <utility>

#include "gui/compute/device_info.hpp"
#include "gui/compute/forward_compute.hpp"
#include "gui/compute/image_model_store.hpp"
#include "gui/compute/image_reverse_compute.hpp"
#include "gui/compute/model_store.hpp"
#include "gui/compute/reverse_compute.hpp"
#include "gui/compute/training_compute.hpp"
#include "gui/protocol/worker.hpp"

namespace diffuscope::gui {
namespace {

class TorchBackend final : public WorkerBackend {
 public:
  std::vector<std::string> start(const std::string& device_request, int threads) override {
    std::vector<std::string> messages;
    try {
      forward_ = std::make_unique<ForwardComputer>(device_request, threads);
      messages = forward_->startup_errors();
      build_on_device();
    } catch (const std::exception& e) {
      // Something threw before the computers existed; try once more on the CPU.
      messages.push_back(std::string("the worker could not start on ") + device_request + " (" +
                         e.what() + "); using the CPU");
      drop_computers();
      store_.reset();
      forward_ = std::make_unique<ForwardComputer>("cpu", -1);
      build_on_device();
    }
    return messages;
  }

  // A new forward computer picks the device; if it lands where we already are (or the request
  // cannot be met) nothing is rebuilt.
  bool change_device(const std::string& request, std::vector<std::string>& messages) override {
    auto candidate = std::make_unique<ForwardComputer>(request, -1);
    for (const auto& e : candidate->startup_errors()) messages.push_back(e);
    if (candidate->device_name() == forward_->device_name()) return false;
    if (training_->active())
      messages.push_back("training stopped: the device changed (the model reached is kept)");
    // Everything holding tensors of the old device goes first (the stores' models move).
    if (training_->active()) training_->stop();
    drop_computers();
    forward_ = std::move(candidate);
    build_on_device();
    return true;
  }

  std::string device_name() const override { return forward_->device_name(); }
  DeviceStatus describe_device(const std::string& request) override {
    return gui::describe_device(forward_->device_name(), request);
  }

  void shut_down() override {
    drop_computers();
    store_.reset();
    forward_.reset();
  }

  void arm_fault(const FaultPlan& plan) override {
    switch (plan.lane) {
      case WorkerLane::Forward: forward_->arm_fault(plan.kind); break;
      case WorkerLane::Reverse: reverse_->arm_fault(plan.kind); break;
      case WorkerLane::Images: images_->arm_fault(plan.kind); break;
      case WorkerLane::Training: training_->arm_fault(plan.kind); break;
    }
  }

  ForwardFrame compute_forward(const ForwardJob& job, const CancelToken& cancel,
                               bool defer_x0) override {
    return forward_->compute(job, cancel, defer_x0);
  }

  bool reverse_set_job(const ReverseJob& job, std::uint64_t generation) override {
    return reverse_->set_job(job, generation);
  }
  void reverse_stop() override { reverse_->stop(); }
  bool reverse_running() const override { return reverse_->running(); }
  bool reverse_needs_refine() const override { return reverse_->needs_refine(); }
  bool reverse_refine() override { return reverse_->refine(); }
  int reverse_advance(std::chrono::microseconds budget, const Interrupted& interrupted) override {
    return reverse_->advance(budget, interrupted);
  }
  ReverseFrame reverse_frame() override { return reverse_->frame(); }

  void training_start(const TrainingJob& job) override { training_->start(job); }
  void training_stop() override { training_->stop(); }
  bool training_active() const override { return training_->active(); }
  bool training_advance(std::chrono::microseconds budget, const Interrupted& interrupted) override {
    return training_->advance(budget, interrupted);
  }
  TrainingFrame training_frame() const override { return training_->frame(); }
  std::uint64_t model_revision(diffusion::Dataset2DKind dataset) const override {
    return store_->revision(dataset);
  }

  bool images_set_job(const ImageReverseJob& job, std::uint64_t generation) override {
    return images_->set_job(job, generation);
  }
  void images_stop() override { images_->stop(); }
  bool images_running() const override { return images_->running(); }
  int images_advance(std::chrono::microseconds budget, const Interrupted& interrupted) override {
    return images_->advance(budget, interrupted);
  }
  ImageReverseFrame images_frame() override { return images_->frame(); }

 private:
  // The computers that live on forward_'s device (the 2D model store is kept by a device change:
  // models trained here move along).
  void build_on_device() {
    const std::string name = forward_->device_name();
    if (store_) store_->move_to(name); else store_ = std::make_unique<ModelStore>(name);
    image_store_ = std::make_unique<ImageModelStore>(name);
    forward_->set_image_models(image_store_.get());
    reverse_ = std::make_unique<ReverseComputer>(name, *store_);
    training_ = std::make_unique<TrainingComputer>(name, *store_);
    images_ = std::make_unique<ImageReverseComputer>(name, *image_store_);
  }

  // Users of a store go before it.
  void drop_computers() {
    training_.reset();
    images_.reset();
    reverse_.reset();
    if (forward_) forward_->set_image_models(nullptr);
    image_store_.reset();
  }

  std::unique_ptr<ForwardComputer> forward_;
  std::unique_ptr<ModelStore> store_;
  std::unique_ptr<ImageModelStore> image_store_;
  std::unique_ptr<ReverseComputer> reverse_;
  std::unique_ptr<TrainingComputer> training_;
  std::unique_ptr<ImageReverseComputer> images_;
};

}  // namespace

std::unique_ptr<WorkerBackend> make_torch_backend() { return std::make_unique<TorchBackend>(); }

Worker::Worker(std::string device_request, int threads)
    : Worker(make_torch_backend(), std::move(device_request), threads) {}

}  // namespace diffuscope::gui
