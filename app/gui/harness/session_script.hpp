#pragma once
// Scripted sessions of the lecture window: `--bench` (a fixed ~40 s session that measures frame
// times with the worker idle and busy, how many frames a slider change takes to reach the curves
// and the points, and the worker's throughput) and `--soak` (random interaction from a seeded RNG
// for minutes: extremes of every slider, scene switches, resizes, training, dropped files; it
// checks resident memory growth and that the worker keeps answering). GL-free, ImGui-free,
// torch-free: the frame loop carries out what the script asks and reports what it showed.
//
// Frame loop integration (shell/session_driver.cpp):
//   SessionScript script = SessionScript::bench();            // or SessionScript::soak(plan)
//   each frame, before the panels:
//     SessionStep step = script.before_frame(state, seconds_since_start, snapshot_of(worker));
//     ...carry out step.resize_to, drop_paths, load_scene, start/stop_training, quit...
//   after the frame is shown:
//     script.after_frame(frame_ms, observation);   // generations submitted and drawn, ...
//   after the loop:
//     std::cout << script.report_text();  write_report_file(out_path, script.report_json());
//     return script.exit_code();
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "gui/state/app_state.hpp"
#include "gui/harness/frame_timing.hpp"
#include "gui/harness/memory_usage.hpp"

namespace diffuscope::gui {

// The worker at the start of a frame (Worker::busy(), and whether its other lanes are running).
struct WorkerSnapshot {
  bool forward_busy = false;      // worker.busy()
  bool reverse_running = false;   // latest_reverse() && latest_reverse()->running
  bool training_running = false;  // latest_training() && latest_training()->running
  bool images_running = false;    // latest_images() && latest_images()->running
  // Work besides forward jobs: what makes the worker "busy" for the frame-time split.
  bool background_busy() const { return reverse_running || training_running || images_running; }
};

struct WindowSize {
  int width = 0;
  int height = 0;
};

// What the script asks of the loop this frame, beyond the AppState edits it made itself.
struct SessionStep {
  std::optional<WindowSize> resize_to;   // glfwSetWindowSize
  std::vector<std::string> drop_paths;   // handle as files dropped on the window
  std::string load_scene;                // "" = none; else load this scene file
  bool start_training = false;           // worker.start_training(make_training_job(state.reverse, state.dataset))
  bool stop_training = false;            // worker.stop_training()
  bool quit = false;                     // the session is over: close the window
};

// What the frame showed, passed to after_frame.
struct FrameObservation {
  std::uint64_t submitted_forward_generation = 0;  // worker.submit's return this frame (0: none sent)
  std::uint64_t drawn_forward_generation = 0;      // generation of the forward frame drawn (0: none)
  std::uint64_t latest_forward_generation = 0;     // worker.latest()'s generation in any view (0: none)
  std::uint64_t curves_revision = 0;               // state.a.revision() the curves drew (0: not drawn)
  double forward_compute_ms = 0;                   // worker.latest()->compute_ms
  double reverse_point_steps_per_second = 0;       // latest_reverse()->point_steps_per_second
  double training_steps_per_second = 0;            // latest_training()->steps_per_second
  double image_steps_per_second = 0;               // latest_images()->image_steps_per_second
  std::size_t resident_bytes = 0;                  // 0: the script reads /proc/self/statm itself
};

struct BenchPlan {
  double warmup_seconds = 3.0;    // not measured: first frames, caches, the first forward job
  double still_seconds = 5.0;     // forward view at its defaults, paused, no input: frames forced
  double idle_seconds = 12.0;     // forward view, worker idle: drag β_T, switch families, compare
  double busy_seconds = 12.0;     // the same while training runs
  double reverse_seconds = 10.0;  // the reverse view playing, runs restarted every few seconds
  double family_every_seconds = 2.0;
  double compare_every_seconds = 3.0;
  double reverse_restart_every_seconds = 3.0;
  double settle_seconds = 0.5;    // frames just after a phase starts are not counted
  // Bars (issue 7): busy p95 within 1.25x idle p95; curves in the same frame; points within 2
  // frames (95th percentile of the changes).
  double max_busy_idle_p95_ratio = 1.25;
  int max_curves_latency_frames = 0;
  double max_points_latency_p95_frames = 2.0;
};

struct SoakPlan {
  double seconds = 600.0;
  std::uint64_t seed = 1;
  int frames_per_action = 4;           // one random action every this many frames
  double rss_every_seconds = 2.0;
  double warmup_seconds = -1.0;        // < 0: max(20% of seconds, min(60 s, half of seconds))
  double max_growth_percent = 10.0;    // bar: resident memory growth after warm-up
  double responsive_seconds = 10.0;    // bar: every submitted forward job answered within this
  std::string scenes_folder;           // "" = shipped_scenes_dir()
  std::string files_folder;            // dropped test files are written here ("" = a temp folder)
};

// Every kind of thing the soak does; each round of actions takes every kind once, shuffled.
enum class SoakAction {
  ScheduleValues, ScheduleFamily, ZeroTerminalSnr, Compare, ForwardProcessKind, Cursor, Playback,
  ViewSwitch, ReverseSettings, ImagesSettings, LoadScene, Resize, StartTraining, StopTraining,
  DropImage, DropBadFile, DropScene, DropTruncatedScene, DropDirectory,
};
inline constexpr int kSoakActionCount = 19;
const char* soak_action_name(SoakAction action);

struct Bar {
  std::string name;
  double value = 0;
  double limit = 0;
  bool pass = false;
};

struct BenchReport {
  double seconds = 0;
  std::int64_t frames = 0;
  FrameTimeSummary still, idle, busy, reverse;   // still: frames in which nothing changes
  int busy_phase_frames_worker_idle = 0;   // busy-phase frames the worker was not busy (not counted)
  double busy_idle_p95_ratio = 0;
  LatencySummary curves_latency;
  LatencySummary points_latency;
  double forward_frames_per_second_idle = 0;
  double forward_frames_per_second_busy = 0;
  double forward_compute_ms_median = 0;
  double reverse_point_steps_per_second = 0;   // median of the published figures
  double training_steps_per_second = 0;
  std::vector<Bar> bars;
  bool pass() const;
  std::string to_json() const;
  std::string to_text() const;
};

struct SoakReport {
  double planned_seconds = 0;
  double seconds = 0;
  std::uint64_t seed = 0;
  std::int64_t frames = 0;
  FrameTimeSummary frame_time;
  double warmup_seconds = 0;
  int rss_samples = 0;
  std::size_t rss_baseline_bytes = 0;
  std::size_t rss_max_bytes = 0;
  double rss_growth_percent = 0;
  int forward_jobs_answered = 0;
  double forward_answer_max_seconds = 0;
  bool forward_job_unanswered = false;     // one waited past the limit and was never answered
  std::vector<int> action_counts;          // per SoakAction
  std::vector<Bar> bars;
  bool pass() const;
  std::string to_json() const;
  std::string to_text() const;
};

class SessionScript {
 public:
  static SessionScript bench(BenchPlan plan = {});
  // Writes the files it drops (an image, a bad file, a scene, a truncated scene) into
  // plan.files_folder or a temp folder (removed with the script).
  static SessionScript soak(SoakPlan plan);

  SessionScript(SessionScript&&) noexcept;
  SessionScript& operator=(SessionScript&&) noexcept;
  ~SessionScript();

  bool is_bench() const;
  // Edits `state` (sliders, views, settings) for the coming frame and says what else to do.
  // now_seconds: steady time since the loop started.
  SessionStep before_frame(AppState& state, double now_seconds, const WorkerSnapshot& worker);
  // frame_ms: the duration the loop measured at the top of this iteration (the previous frame's,
  // start to start); it is counted for the previous frame.
  void after_frame(double frame_ms, const FrameObservation& observed);
  bool finished() const;   // quit was requested

  BenchReport bench_report() const;
  SoakReport soak_report() const;
  std::string report_json() const;   // of the mode's report
  std::string report_text() const;
  int exit_code() const;             // 0 when every bar passed

  // The soak's actions so far, in order (tests: determinism and coverage).
  const std::vector<SoakAction>& actions() const;
  // The soak's dropped files (tests).
  const std::vector<std::string>& soak_files() const;

 private:
  struct Impl;
  explicit SessionScript(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Writes text to path through a temp file and a rename; returns "" or why it failed.
std::string write_report_file(const std::string& path, const std::string& text);

}  // namespace diffuscope::gui
