#pragma once
// Polling for the worker tests: the worker publishes asynchronously and the UI never waits, so
// tests poll (with a generous timeout) instead of blocking on it.
#include <chrono>
#include <thread>

namespace diffuscope::gui::test_support {

// True as soon as pred() holds; false if it still does not after `timeout`.
template <class Pred>
bool eventually(Pred pred, std::chrono::milliseconds timeout) {
  const auto end = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < end) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return pred();
}

}  // namespace diffuscope::gui::test_support
