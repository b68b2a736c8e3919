#pragma once
// Wall-clock seconds for the commands' progress lines and timing columns.
#include <chrono>

namespace diffuscope::cli {

inline double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace diffuscope::cli
