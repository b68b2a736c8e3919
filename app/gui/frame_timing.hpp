#pragma once
// Frame-time statistics for `--bench`: collect per-frame durations, report median and p95.
#include <vector>

namespace diffuscope::gui {

struct FrameTimeSummary {
  int frames = 0;
  double median_ms = 0;
  double p95_ms = 0;
  double max_ms = 0;
};

class FrameTiming {
 public:
  void add(double milliseconds) { samples_ms_.push_back(milliseconds); }
  int count() const { return static_cast<int>(samples_ms_.size()); }
  // Nearest-rank percentiles (p95 of 20 samples is the 19th smallest); zeros when empty.
  FrameTimeSummary summary() const;

 private:
  std::vector<double> samples_ms_;
};

}  // namespace diffuscope::gui
