#pragma once
// A worker thread that runs the newest submitted job and publishes its result (design.md,
// "Threads"). Latest job wins: a job submitted while another is pending replaces it unseen, and a
// running job sees cancelled() become true so it can stop between steps. Results are published by
// swapping a shared_ptr under a mutex that is never held while computing, so the UI thread can
// poll latest() every frame without waiting. Exceptions in jobs become error strings; the thread
// keeps serving. The destructor cancels the running job and joins.
//
//   JobRunner<MyJob, MyFrame> runner([](const MyJob& job, const CancelToken& cancel) {
//     MyFrame frame;
//     for (...) { cancel.throw_if_cancelled(); ... }   // between steps
//     return frame;
//   });
//   std::uint64_t gen = runner.submit(job);           // UI thread, never blocks on the job
//   if (auto frame = runner.latest()) { ... }         // UI thread, every frame
//   for (auto& message : runner.take_errors()) { ... }
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace diffuscope::gui {

// Thrown by CancelToken::throw_if_cancelled(). Deliberately not a std::exception, so that a job's
// own `catch (const std::exception&)` does not swallow it; the runner drops the job silently.
struct JobCancelled {};

// Passed to every job: tells it whether a newer job (or shutdown) has made it stale.
// A default-constructed token is never cancelled (for calling job functions directly in tests).
class CancelToken {
 public:
  CancelToken() = default;
  // deadline: also cancelled once it has passed (the app worker uses it to run a long job in
  // slices between other work; the job's cached progress lets the next slice resume).
  CancelToken(const std::atomic<std::uint64_t>* newest_generation,
              const std::atomic<bool>* shutting_down, std::uint64_t generation,
              std::chrono::steady_clock::time_point deadline =
                  std::chrono::steady_clock::time_point::max())
      : newest_generation_(newest_generation), shutting_down_(shutting_down),
        generation_(generation), deadline_(deadline) {}

  bool cancelled() const {
    if (shutting_down_ && shutting_down_->load(std::memory_order_relaxed)) return true;
    if (newest_generation_ &&
        newest_generation_->load(std::memory_order_relaxed) != generation_)
      return true;
    return deadline_ != std::chrono::steady_clock::time_point::max() &&
           std::chrono::steady_clock::now() >= deadline_;
  }
  void throw_if_cancelled() const {
    if (cancelled()) throw JobCancelled{};
  }
  std::uint64_t generation() const { return generation_; }

 private:
  const std::atomic<std::uint64_t>* newest_generation_ = nullptr;
  const std::atomic<bool>* shutting_down_ = nullptr;
  std::uint64_t generation_ = 0;
  std::chrono::steady_clock::time_point deadline_ = std::chrono::steady_clock::time_point::max();
};

// The type-erased engine behind JobRunner (one thread, one pending slot, one published result).
class JobRunnerCore {
 public:
  using Result = std::shared_ptr<const void>;
  using Task = std::function<Result(const CancelToken&)>;

  // on_start (optional) runs first, on the worker thread (e.g. to pick a device); if it throws,
  // the message is reported through take_errors() and the thread still serves jobs.
  explicit JobRunnerCore(std::function<void()> on_start = {});
  ~JobRunnerCore();  // cancels the running job, drops the pending one, joins
  JobRunnerCore(const JobRunnerCore&) = delete;
  JobRunnerCore& operator=(const JobRunnerCore&) = delete;

  // Generations start at 1 and increase by one per submit.
  std::uint64_t submit(Task task);
  // Newest published result and its generation ({0, nullptr} before the first).
  std::pair<std::uint64_t, Result> latest() const;
  std::vector<std::string> take_errors();
  // True while a job is pending or running.
  bool busy() const;
  // Blocks until nothing is pending or running, or the timeout passes; returns !busy().
  // For tests and headless tools only: the UI thread never waits.
  bool wait_until_idle(std::chrono::milliseconds timeout) const;
  // How many jobs have finished (published, failed or cancelled); for tests and statistics.
  std::uint64_t jobs_finished() const;

 private:
  void run(std::function<void()> on_start);
  void report_error(std::string message);

  mutable std::mutex mutex_;                 // guards everything below except the atomics
  mutable std::condition_variable wake_;     // worker: a job arrived or shutdown
  mutable std::condition_variable idle_;     // wait_until_idle
  Task pending_;
  std::uint64_t pending_generation_ = 0;
  bool running_ = false;
  std::uint64_t published_generation_ = 0;
  Result published_;
  std::vector<std::string> errors_;
  std::uint64_t jobs_finished_ = 0;
  std::atomic<std::uint64_t> newest_generation_{0};
  std::atomic<bool> shutting_down_{false};
  std::thread thread_;                       // last: started after everything above exists
};

// Typed front end: Compute(const Job&, const CancelToken&) -> Frame, run on the worker thread.
template <class Job, class Frame>
class JobRunner {
 public:
  using Compute = std::function<Frame(const Job&, const CancelToken&)>;

  explicit JobRunner(Compute compute, std::function<void()> on_start = {})
      : compute_(std::move(compute)), core_(std::move(on_start)) {}

  std::uint64_t submit(Job job) {
    return core_.submit([this, job = std::move(job)](const CancelToken& cancel) {
      return JobRunnerCore::Result(std::make_shared<const Frame>(compute_(job, cancel)));
    });
  }
  std::shared_ptr<const Frame> latest() const {
    return std::static_pointer_cast<const Frame>(core_.latest().second);
  }
  // The generation of the job that produced latest() (0 before the first frame).
  std::uint64_t latest_generation() const { return core_.latest().first; }
  std::vector<std::string> take_errors() { return core_.take_errors(); }
  bool busy() const { return core_.busy(); }
  bool wait_until_idle(std::chrono::milliseconds timeout) const {
    return core_.wait_until_idle(timeout);
  }
  std::uint64_t jobs_finished() const { return core_.jobs_finished(); }

 private:
  Compute compute_;       // declared before core_: the thread may use it until core_ is joined
  JobRunnerCore core_;
};

}  // namespace diffuscope::gui
