#pragma once
// How a running forward job learns that it has gone stale: the worker (worker.cpp) hands the
// computation a CancelToken, and the computation checks it between steps. Torch-free.
#include <atomic>
#include <chrono>
#include <cstdint>

namespace diffuscope::gui {

// Thrown by CancelToken::throw_if_cancelled(). Deliberately not a std::exception, so that a job's
// own `catch (const std::exception&)` does not swallow it; the worker drops the job silently.
struct JobCancelled {};

// Tells a job whether a newer job (or shutdown, or its deadline) has made it stale.
// A default-constructed token is never cancelled (for calling job functions directly in tests).
class CancelToken {
 public:
  CancelToken() = default;
  // deadline: also cancelled once it has passed (the worker uses it to run a long job in slices
  // between other work; the job's cached progress lets the next slice resume).
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

}  // namespace diffuscope::gui
