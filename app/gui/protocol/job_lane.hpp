#pragma once
// One worker lane seen from the UI thread (forward, reverse, images): the last job sent, its
// generation, the generation that (re)started the shown run, and whether a failed job was sent
// once more. Plain values, no worker, no ImGui: the screens ask it what to send and tell it what
// they sent; its rules are unit-tested (tests/app/test_job_lane.cpp).
//
//   JobLane<ReverseJob> lane(same_reverse_job, restarts_run);
//   LaneDecision d = lane.decide(job);
//   if (d.replaces_run) ...the cursor follows the new run...
//   if (d.send) lane.sent(job, worker.submit_reverse(job), d.restart);
#include <cstdint>

namespace diffuscope::gui {

// What to do with this frame's job.
struct LaneDecision {
  bool restart = false;       // it starts a new run (always, when nothing was sent since the last reset)
  bool replaces_run = false;  // restart, and a run of this lane was already under way
  bool send = false;          // it differs from the last job sent (or restarts)
};

template <class Job>
class JobLane {
 public:
  using Compare = bool (*)(const Job&, const Job&);
  // same: jobs the worker treats as equal (not sent again). restarts: a job that starts a new run
  // (nullptr: a lane without runs, where every job stands alone).
  explicit JobLane(Compare same, Compare restarts = nullptr) : same_(same), restarts_(restarts) {}

  LaneDecision decide(const Job& job) const {
    LaneDecision d;
    d.restart = !submitted_ || (restarts_ != nullptr && restarts_(job, last_job_));
    d.replaces_run = d.restart && submitted_;
    d.send = !submitted_ || d.restart || !same_(job, last_job_);
    return d;
  }

  // `job` was sent and got `generation`; restart: it started the run shown from now on.
  void sent(const Job& job, std::uint64_t generation, bool restart) {
    last_job_ = job;
    last_generation_ = generation;
    if (restart) run_generation_ = generation;
    submitted_ = true;
    resent_ = false;
  }

  // A job that failed (out of memory, an injected fault) is sent once more when the worker went
  // idle without publishing its frame; a second failure stays reported until something changes.
  // worker_idle: the lane's work is done; published_generation: of the newest frame (0: none).
  bool should_resend(bool worker_idle, std::uint64_t published_generation) const {
    return submitted_ && !resent_ && worker_idle && published_generation < last_generation_;
  }
  void resent(std::uint64_t generation) {
    last_generation_ = generation;
    resent_ = true;
  }

  // Forgets that anything was sent: the next job is sent and restarts its run. For a new device
  // (no runs, no caches there) and for a view that was left (the caller stops its run).
  void reset() { submitted_ = false; }
  // The lane's view was shown before this frame and is not now: resets; returns true so that the
  // caller stops the worker's run (nobody looks at it).
  bool left_view(bool shown_before, bool shown_now) {
    if (!shown_before || shown_now) return false;
    reset();
    return true;
  }

  bool submitted() const { return submitted_; }
  const Job& last_job() const { return last_job_; }
  std::uint64_t last_generation() const { return last_generation_; }
  std::uint64_t run_generation() const { return run_generation_; }
  // A frame of this generation belongs to the run shown now (not to one that was replaced).
  bool shows_run(std::uint64_t frame_generation) const { return frame_generation >= run_generation_; }

 private:
  Compare same_;
  Compare restarts_;
  Job last_job_{};
  std::uint64_t last_generation_ = 0;
  std::uint64_t run_generation_ = 0;
  bool submitted_ = false;
  bool resent_ = false;
};

// Notices that the worker moved to another device (a bumped DeviceStatus::revision): its runs and
// caches are gone there, so every lane sends again.
class DeviceWatch {
 public:
  // True when `revision` differs from a device seen before (the first device is not a move).
  bool moved(std::uint64_t revision) {
    const bool moved = seen_ != 0 && revision != seen_;
    seen_ = revision;
    return moved;
  }

 private:
  std::uint64_t seen_ = 0;
};

}  // namespace diffuscope::gui
