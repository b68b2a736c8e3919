#pragma once
// Waiting for the reverse view's runs in the worker tests: the newest frame of at least
// `generation` whose run has finished (every panel done or failed). On a timeout, the newest frame
// there is (possibly unfinished, possibly null): callers assert on what they need.
#include <chrono>
#include <cstdint>
#include <memory>

#include "eventually.hpp"
#include "gui/protocol/worker.hpp"

namespace diffuscope::gui::test_support {

inline std::shared_ptr<const ReverseFrame> wait_reverse_finished(const Worker& worker, std::uint64_t generation,
                                                                 std::chrono::milliseconds timeout) {
  std::shared_ptr<const ReverseFrame> frame;
  eventually(
      [&] {
        frame = worker.latest_reverse();
        return frame && frame->generation >= generation && !frame->running;
      },
      timeout);
  return frame;
}

}  // namespace diffuscope::gui::test_support
