#pragma once
// Frame statistics for `--bench` and `--soak`: per-frame durations (median, p95, p99, max), split
// by whether the worker was busy, and the latency in frames between a change and the frame that
// first shows it. GL-free, ImGui-free, torch-free.
#include <cstdint>
#include <deque>
#include <vector>

namespace diffuscope::gui {

// Nearest-rank percentile of an unsorted sample: the ceil(p * n)-th smallest value (p in [0, 1];
// p = 0 gives the smallest). 0 when empty.
double nearest_rank_percentile(std::vector<double> samples, double p);

struct FrameTimeSummary {
  int frames = 0;
  double median_ms = 0;
  double p95_ms = 0;
  double p99_ms = 0;
  double max_ms = 0;
};

class FrameTiming {
 public:
  void add(double milliseconds) { samples_ms_.push_back(milliseconds); }
  int count() const { return static_cast<int>(samples_ms_.size()); }
  // Nearest-rank percentiles (p95 of 20 samples is the 19th smallest); zeros when empty.
  FrameTimeSummary summary() const;
  const std::vector<double>& samples_ms() const { return samples_ms_; }

 private:
  std::vector<double> samples_ms_;
};

// Frame times with the worker idle and with it busy (training, a reverse or an image run going):
// the bench's bar compares the two 95th percentiles.
class IdleBusyTiming {
 public:
  void add(double milliseconds, bool worker_busy) { (worker_busy ? busy_ : idle_).add(milliseconds); }
  const FrameTiming& idle() const { return idle_; }
  const FrameTiming& busy() const { return busy_; }
  // busy p95 / idle p95; 0 when either side has no frames.
  double p95_ratio() const;

 private:
  FrameTiming idle_;
  FrameTiming busy_;
};

struct LatencySummary {
  int changes = 0;        // changes that were shown
  int unresolved = 0;     // changes still waiting to be shown
  double median_frames = 0;
  double p95_frames = 0;
  int max_frames = 0;
};

// Frames between a change and the first frame that shows it (0: the frame that made the change).
// A change is identified by a version number that only grows (a schedule revision, a job's
// generation); a frame that shows version v shows every change up to v, so a superseded job
// counts as shown once a newer one is.
class ChangeLatency {
 public:
  // A change made in frame `frame`, shown once a shown version reaches `version`.
  void changed(std::int64_t frame, std::uint64_t version);
  // Frame `frame` showed `shown_version`: resolves every pending change with version <= it.
  void shown(std::int64_t frame, std::uint64_t shown_version);
  int pending() const { return static_cast<int>(pending_.size()); }
  // Forgets the pending changes (their view went away: they will never be shown, nor late).
  void clear_pending() { pending_.clear(); }
  const std::vector<int>& latencies() const { return latencies_; }
  LatencySummary summary() const;

 private:
  struct Pending {
    std::int64_t frame;
    std::uint64_t version;
  };
  std::deque<Pending> pending_;   // in order of frame (and of version)
  std::vector<int> latencies_;
};

}  // namespace diffuscope::gui
