// The app worker: a JobRunner whose thread owns a ForwardComputer (and with it the device and
// every tensor). Torch-free itself; the tensor work lives in forward_compute.cpp.
#include "gui/worker.hpp"

#include <mutex>
#include <stdexcept>
#include <utility>

#include "gui/forward_compute.hpp"
#include "gui/job_runner.hpp"

namespace diffuscope::gui {

struct Worker::Impl {
  std::string device_request;
  int threads = 0;

  // Touched only on the worker thread (created by on_start, used by compute).
  std::unique_ptr<ForwardComputer> computer;

  mutable std::mutex name_mutex;
  std::string device_name;

  // Last member: its destructor joins the thread before the members above go away.
  std::unique_ptr<JobRunner<ForwardJob, ForwardFrame>> runner;

  void start() {
    computer = std::make_unique<ForwardComputer>(device_request, threads);
    {
      std::lock_guard<std::mutex> lock(name_mutex);
      device_name = computer->device_name();
    }
    if (!computer->startup_errors().empty()) {
      std::string message;
      for (const auto& e : computer->startup_errors()) message += (message.empty() ? "" : "; ") + e;
      throw std::runtime_error(message);  // reported via take_errors(); the computer stays
    }
  }

  ForwardFrame compute(const ForwardJob& job, const CancelToken& cancel) {
    if (!computer) {
      // Start-up threw before the computer existed; try once more on the CPU.
      computer = std::make_unique<ForwardComputer>("cpu", -1);
      std::lock_guard<std::mutex> lock(name_mutex);
      device_name = computer->device_name();
    }
    return computer->compute(job, cancel);
  }
};

Worker::Worker(std::string device_request, int threads) : impl_(std::make_unique<Impl>()) {
  impl_->device_request = std::move(device_request);
  impl_->threads = threads;
  Impl* impl = impl_.get();
  impl_->runner = std::make_unique<JobRunner<ForwardJob, ForwardFrame>>(
      [impl](const ForwardJob& job, const CancelToken& cancel) { return impl->compute(job, cancel); },
      [impl] { impl->start(); });
}

Worker::~Worker() {
  impl_->runner.reset();  // cancel + join while the computer still exists
}

std::uint64_t Worker::submit(ForwardJob job) { return impl_->runner->submit(std::move(job)); }

std::shared_ptr<const ForwardFrame> Worker::latest() const { return impl_->runner->latest(); }

std::vector<std::string> Worker::take_errors() { return impl_->runner->take_errors(); }

bool Worker::busy() const { return impl_->runner->busy(); }

std::string Worker::device_name() const {
  std::lock_guard<std::mutex> lock(impl_->name_mutex);
  return impl_->device_name;
}

bool Worker::wait_until_idle(std::chrono::milliseconds timeout) const {
  return impl_->runner->wait_until_idle(timeout);
}

}  // namespace diffuscope::gui
