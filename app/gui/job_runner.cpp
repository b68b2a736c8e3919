// Latest-job-wins worker thread. The mutex guards only the pending slot, the published result and
// the error list; jobs run with it released.
#include "gui/job_runner.hpp"

#include <exception>

namespace diffuscope::gui {

JobRunnerCore::JobRunnerCore(std::function<void()> on_start)
    : thread_([this, start = std::move(on_start)]() mutable { run(std::move(start)); }) {}

JobRunnerCore::~JobRunnerCore() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    shutting_down_.store(true);
    pending_ = nullptr;  // never started: dropped
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

std::uint64_t JobRunnerCore::submit(Task task) {
  std::uint64_t generation = 0;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    generation = newest_generation_.load() + 1;
    // Replacing an unstarted job drops it; it counts as finished (superseded).
    if (pending_) ++jobs_finished_;
    pending_ = std::move(task);
    pending_generation_ = generation;
    // Publishing the new generation is what makes a running job's cancelled() true.
    newest_generation_.store(generation);
  }
  wake_.notify_one();
  return generation;
}

std::pair<std::uint64_t, JobRunnerCore::Result> JobRunnerCore::latest() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return {published_generation_, published_};
}

std::vector<std::string> JobRunnerCore::take_errors() {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<std::string> out;
  out.swap(errors_);
  return out;
}

bool JobRunnerCore::busy() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return running_ || static_cast<bool>(pending_);
}

bool JobRunnerCore::wait_until_idle(std::chrono::milliseconds timeout) const {
  std::unique_lock<std::mutex> lock(mutex_);
  return idle_.wait_for(lock, timeout, [this] { return !running_ && !pending_; });
}

std::uint64_t JobRunnerCore::jobs_finished() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return jobs_finished_;
}

namespace {
// Bounded: a UI that never reads errors must not grow memory without limit.
void push_error(std::vector<std::string>& errors, std::string message) {
  constexpr std::size_t kMaxQueuedErrors = 64;
  if (errors.size() >= kMaxQueuedErrors) errors.erase(errors.begin());
  errors.push_back(std::move(message));
}
}  // namespace

void JobRunnerCore::report_error(std::string message) {
  std::lock_guard<std::mutex> lock(mutex_);
  push_error(errors_, std::move(message));
}

void JobRunnerCore::run(std::function<void()> on_start) {
  if (on_start) {
    try {
      on_start();
    } catch (const std::exception& e) {
      report_error(e.what());
    } catch (...) {
      report_error("worker start-up failed with an unknown error");
    }
  }
  for (;;) {
    Task task;
    std::uint64_t generation = 0;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait(lock, [this] { return shutting_down_.load() || static_cast<bool>(pending_); });
      if (shutting_down_.load()) break;
      task = std::move(pending_);
      pending_ = nullptr;
      generation = pending_generation_;
      running_ = true;
    }

    const CancelToken token(&newest_generation_, &shutting_down_, generation);
    Result result;
    std::string error;
    try {
      result = task(token);
    } catch (const JobCancelled&) {
      // Superseded or shutting down: drop silently.
    } catch (const std::exception& e) {
      error = e.what();
      if (error.empty()) error = "worker job failed";
    } catch (...) {
      error = "worker job failed with an unknown error";
    }
    task = nullptr;  // release the job's captures outside the lock

    {
      std::lock_guard<std::mutex> lock(mutex_);
      // A finished frame is published even if a newer job is already waiting: while the lecturer
      // drags a slider, jobs arrive faster than they finish, and showing the slightly older frame
      // beats showing nothing. Generations only increase, so the newest published stays newest.
      if (result && generation > published_generation_) {
        published_generation_ = generation;
        std::swap(published_, result);  // the replaced frame is freed below, outside the lock
      }
      if (!error.empty()) push_error(errors_, std::move(error));
      ++jobs_finished_;
      running_ = false;
    }
    idle_.notify_all();
    result.reset();
  }
  std::lock_guard<std::mutex> lock(mutex_);
  running_ = false;
  idle_.notify_all();
}

}  // namespace diffuscope::gui
