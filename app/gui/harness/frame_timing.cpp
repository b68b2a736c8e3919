#include "gui/harness/frame_timing.hpp"

#include <algorithm>
#include <cmath>

namespace diffuscope::gui {

double nearest_rank_percentile(std::vector<double> samples, double p) {
  if (samples.empty()) return 0.0;
  std::sort(samples.begin(), samples.end());
  const auto n = samples.size();
  auto rank = static_cast<std::size_t>(std::ceil(std::clamp(p, 0.0, 1.0) * static_cast<double>(n)));
  rank = std::clamp<std::size_t>(rank, 1, n);
  return samples[rank - 1];
}

FrameTimeSummary FrameTiming::summary() const {
  FrameTimeSummary s;
  if (samples_ms_.empty()) return s;
  std::vector<double> sorted = samples_ms_;
  std::sort(sorted.begin(), sorted.end());
  s.frames = static_cast<int>(sorted.size());
  const auto n = sorted.size();
  // The median of an even count is the mean of the two middle values.
  s.median_ms = n % 2 == 1 ? sorted[n / 2] : 0.5 * (sorted[n / 2 - 1] + sorted[n / 2]);
  s.p95_ms = nearest_rank_percentile(sorted, 0.95);
  s.p99_ms = nearest_rank_percentile(sorted, 0.99);
  s.max_ms = sorted.back();
  return s;
}

double IdleBusyTiming::p95_ratio() const {
  const FrameTimeSummary i = idle_.summary();
  const FrameTimeSummary b = busy_.summary();
  if (i.frames == 0 || b.frames == 0 || !(i.p95_ms > 0.0)) return 0.0;
  return b.p95_ms / i.p95_ms;
}

void ChangeLatency::changed(std::int64_t frame, std::uint64_t version) {
  pending_.push_back({frame, version});
}

void ChangeLatency::shown(std::int64_t frame, std::uint64_t shown_version) {
  // Versions grow with frames, so the resolved changes are a prefix of the queue.
  while (!pending_.empty() && pending_.front().version <= shown_version) {
    latencies_.push_back(static_cast<int>(std::max<std::int64_t>(0, frame - pending_.front().frame)));
    pending_.pop_front();
  }
}

LatencySummary ChangeLatency::summary() const {
  LatencySummary s;
  s.changes = static_cast<int>(latencies_.size());
  s.unresolved = pending();
  if (latencies_.empty()) return s;
  std::vector<double> frames(latencies_.begin(), latencies_.end());
  std::sort(frames.begin(), frames.end());
  const auto n = frames.size();
  s.median_frames = n % 2 == 1 ? frames[n / 2] : 0.5 * (frames[n / 2 - 1] + frames[n / 2]);
  s.p95_frames = nearest_rank_percentile(frames, 0.95);
  s.max_frames = static_cast<int>(frames.back());
  return s;
}

}  // namespace diffuscope::gui
