#pragma once
// A training loss as the panels print it: three significant digits.
#include <cstdio>
#include <string>

namespace diffuscope::gui {

inline std::string loss_text(double loss) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.3g", loss);
  return buffer;
}

}  // namespace diffuscope::gui
