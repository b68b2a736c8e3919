#include "gui/frame_timing.hpp"

#include <algorithm>
#include <cmath>

namespace diffuscope::gui {

namespace {
// Nearest-rank percentile of a sorted, non-empty sample: the ceil(p * n)-th smallest value.
double nearest_rank(const std::vector<double>& sorted, double p) {
  const auto n = sorted.size();
  auto rank = static_cast<std::size_t>(std::ceil(p * static_cast<double>(n)));
  rank = std::clamp<std::size_t>(rank, 1, n);
  return sorted[rank - 1];
}
}  // namespace

FrameTimeSummary FrameTiming::summary() const {
  FrameTimeSummary s;
  if (samples_ms_.empty()) return s;
  std::vector<double> sorted = samples_ms_;
  std::sort(sorted.begin(), sorted.end());
  s.frames = static_cast<int>(sorted.size());
  const auto n = sorted.size();
  // The median of an even count is the mean of the two middle values.
  s.median_ms = n % 2 == 1 ? sorted[n / 2] : 0.5 * (sorted[n / 2 - 1] + sorted[n / 2]);
  s.p95_ms = nearest_rank(sorted, 0.95);
  s.max_ms = sorted.back();
  return s;
}

}  // namespace diffuscope::gui
