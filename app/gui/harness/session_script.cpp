#include "gui/harness/session_script.hpp"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <sstream>
#include <system_error>

#include "diffusion/datasets2d.hpp"
#include "diffusion/schedule.hpp"
#include "fileio/atomic_file.hpp"
#include "fileio/png_file.hpp"
#include "gui/lecture/scene.hpp"
#include "gui/lecture/scene_library.hpp"

namespace diffuscope::gui {

namespace {

using Json = nlohmann::ordered_json;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

// Where a frame's time goes.
enum class Bucket { None, Still, Idle, Busy, Reverse, Soak };

enum class BenchPhase { Warmup, Still, Idle, Busy, Reverse, Done };

bool valid_params(const diffusion::ScheduleParams& params) {
  try {
    diffusion::validate(params);
    return true;
  } catch (const std::exception&) {
    return false;
  }
}

double median_of(std::vector<double> values) {
  if (values.empty()) return 0.0;
  std::sort(values.begin(), values.end());
  const auto n = values.size();
  return n % 2 == 1 ? values[n / 2] : 0.5 * (values[n / 2 - 1] + values[n / 2]);
}

Json summary_json(const FrameTimeSummary& s) {
  return Json{{"frames", s.frames}, {"median_ms", s.median_ms}, {"p95_ms", s.p95_ms},
              {"p99_ms", s.p99_ms}, {"max_ms", s.max_ms}};
}

Json latency_json(const LatencySummary& s) {
  return Json{{"changes", s.changes}, {"unresolved", s.unresolved}, {"median_frames", s.median_frames},
              {"p95_frames", s.p95_frames}, {"max_frames", s.max_frames}};
}

Json bars_json(const std::vector<Bar>& bars) {
  Json out = Json::array();
  for (const Bar& b : bars) {
    out.push_back(Json{{"name", b.name}, {"value", b.value}, {"limit", b.limit}, {"pass", b.pass}});
  }
  return out;
}

bool all_pass(const std::vector<Bar>& bars) {
  if (bars.empty()) return false;  // nothing measured is not a pass
  return std::all_of(bars.begin(), bars.end(), [](const Bar& b) { return b.pass; });
}

std::string format(const char* fmt, double a = 0, double b = 0, double c = 0, double d = 0, double e = 0) {
  char buffer[256];
  std::snprintf(buffer, sizeof buffer, fmt, a, b, c, d, e);
  return buffer;
}

std::string summary_line(const char* label, const FrameTimeSummary& s) {
  return std::string("  frame time ") + label +
         format(": median %.2f ms, p95 %.2f ms, p99 %.2f ms, max %.2f ms (%.0f frames)\n", s.median_ms, s.p95_ms,
                s.p99_ms, s.max_ms, s.frames);
}

std::string bar_lines(const std::vector<Bar>& bars) {
  std::string out;
  for (const Bar& b : bars) {
    out += std::string("  ") + (b.pass ? "PASS " : "FAIL ") + b.name + format(": %.3g (bar %.3g)\n", b.value, b.limit);
  }
  return out;
}

// A deterministic RNG whose draws do not depend on the standard library's distributions (those
// are implementation-defined), so a seed replays the same session everywhere.
class SoakRandom {
 public:
  explicit SoakRandom(std::uint64_t seed) : engine_(seed) {}
  int below(int n) { return n <= 1 ? 0 : static_cast<int>(engine_() % static_cast<std::uint64_t>(n)); }
  double unit() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }
  double uniform(double lo, double hi) { return lo + (hi - lo) * unit(); }
  double log_uniform(double lo, double hi) { return std::exp(uniform(std::log(lo), std::log(hi))); }
  bool coin() { return below(2) == 1; }
  template <class T>
  T pick(const std::vector<T>& values) { return values[static_cast<std::size_t>(below(static_cast<int>(values.size())))]; }

 private:
  std::mt19937_64 engine_;
};

}  // namespace

const char* soak_action_name(SoakAction action) {
  switch (action) {
    case SoakAction::ScheduleValues: return "schedule_values";
    case SoakAction::ScheduleFamily: return "schedule_family";
    case SoakAction::ZeroTerminalSnr: return "zero_terminal_snr";
    case SoakAction::Compare: return "compare";
    case SoakAction::ForwardProcessKind: return "forward_process";
    case SoakAction::Cursor: return "cursor";
    case SoakAction::Playback: return "playback";
    case SoakAction::ViewSwitch: return "view_switch";
    case SoakAction::ReverseSettings: return "reverse_settings";
    case SoakAction::ImagesSettings: return "images_settings";
    case SoakAction::LoadScene: return "load_scene";
    case SoakAction::Resize: return "resize";
    case SoakAction::StartTraining: return "start_training";
    case SoakAction::StopTraining: return "stop_training";
    case SoakAction::DropImage: return "drop_image";
    case SoakAction::DropBadFile: return "drop_bad_file";
    case SoakAction::DropScene: return "drop_scene";
    case SoakAction::DropTruncatedScene: return "drop_truncated_scene";
    case SoakAction::DropDirectory: return "drop_directory";
  }
  return "?";
}

// ---- Reports ----

bool BenchReport::pass() const { return all_pass(bars); }

std::string BenchReport::to_json() const {
  Json j;
  j["mode"] = "bench";
  j["seconds"] = seconds;
  j["frames"] = frames;
  j["frame_time"] = Json{{"still", summary_json(still)}, {"idle", summary_json(idle)},
                         {"busy", summary_json(busy)}, {"reverse", summary_json(reverse)}};
  j["busy_phase_frames_worker_idle"] = busy_phase_frames_worker_idle;
  j["busy_idle_p95_ratio"] = busy_idle_p95_ratio;
  j["latency"] = Json{{"slider_to_curves", latency_json(curves_latency)},
                      {"slider_to_points", latency_json(points_latency)}};
  j["throughput"] = Json{{"forward_frames_per_second_idle", forward_frames_per_second_idle},
                         {"forward_frames_per_second_busy", forward_frames_per_second_busy},
                         {"forward_compute_ms_median", forward_compute_ms_median},
                         {"reverse_point_steps_per_second", reverse_point_steps_per_second},
                         {"training_steps_per_second", training_steps_per_second}};
  j["bars"] = bars_json(bars);
  j["pass"] = pass();
  return j.dump(2) + "\n";
}

std::string BenchReport::to_text() const {
  std::string out = format("bench: %.1f s, %.0f frames\n", seconds, static_cast<double>(frames));
  out += summary_line("still (nothing changes)", still);
  out += summary_line("idle (worker idle)", idle);
  out += summary_line("busy (training)", busy);
  out += summary_line("reverse playback", reverse);
  out += format("  slider -> curves: median %.1f, p95 %.1f, max %.0f frames (%.0f changes, %.0f unresolved)\n",
                curves_latency.median_frames, curves_latency.p95_frames, curves_latency.max_frames,
                curves_latency.changes, curves_latency.unresolved);
  out += format("  slider -> points: median %.1f, p95 %.1f, max %.0f frames (%.0f changes, %.0f unresolved)\n",
                points_latency.median_frames, points_latency.p95_frames, points_latency.max_frames,
                points_latency.changes, points_latency.unresolved);
  out += format("  worker: forward %.1f frames/s idle, %.1f frames/s busy (compute median %.2f ms); "
                "reverse %.0f point-steps/s; training %.0f steps/s\n",
                forward_frames_per_second_idle, forward_frames_per_second_busy, forward_compute_ms_median,
                reverse_point_steps_per_second, training_steps_per_second);
  out += bar_lines(bars);
  out += std::string("bench: ") + (pass() ? "PASS" : "FAIL") + "\n";
  return out;
}

bool SoakReport::pass() const { return all_pass(bars); }

std::string SoakReport::to_json() const {
  Json j;
  j["mode"] = "soak";
  j["seed"] = seed;
  j["planned_seconds"] = planned_seconds;
  j["seconds"] = seconds;
  j["frames"] = frames;
  j["frame_time"] = summary_json(frame_time);
  j["rss"] = Json{{"warmup_seconds", warmup_seconds}, {"samples", rss_samples},
                  {"baseline_bytes", rss_baseline_bytes}, {"max_bytes", rss_max_bytes},
                  {"growth_percent", rss_growth_percent}};
  j["worker"] = Json{{"forward_jobs_answered", forward_jobs_answered},
                     {"forward_answer_max_seconds", forward_answer_max_seconds},
                     {"forward_job_unanswered", forward_job_unanswered}};
  Json actions = Json::object();
  for (int i = 0; i < kSoakActionCount && i < static_cast<int>(action_counts.size()); ++i) {
    actions[soak_action_name(static_cast<SoakAction>(i))] = action_counts[static_cast<std::size_t>(i)];
  }
  j["actions"] = actions;
  j["bars"] = bars_json(bars);
  j["pass"] = pass();
  return j.dump(2) + "\n";
}

std::string SoakReport::to_text() const {
  std::string out = format("soak: seed %.0f, %.1f s of %.0f planned, %.0f frames\n", static_cast<double>(seed),
                           seconds, planned_seconds, static_cast<double>(frames));
  out += summary_line("", frame_time);
  out += format("  resident memory after %.0f s warm-up: baseline %.1f MiB, max %.1f MiB, growth %.2f %% (%.0f samples)\n",
                warmup_seconds, static_cast<double>(rss_baseline_bytes) / 1048576.0,
                static_cast<double>(rss_max_bytes) / 1048576.0, rss_growth_percent, rss_samples);
  out += format("  worker: %.0f forward jobs answered, longest wait %.2f s\n", forward_jobs_answered,
                forward_answer_max_seconds);
  if (forward_job_unanswered) out += "  worker: a forward job was never answered\n";
  std::string counts = "  actions:";
  for (int i = 0; i < kSoakActionCount && i < static_cast<int>(action_counts.size()); ++i) {
    counts += std::string(" ") + soak_action_name(static_cast<SoakAction>(i)) + "=" +
              std::to_string(action_counts[static_cast<std::size_t>(i)]);
  }
  out += counts + "\n";
  out += bar_lines(bars);
  out += std::string("soak: ") + (pass() ? "PASS" : "FAIL") + "\n";
  return out;
}

// ---- The script ----

struct SessionScript::Impl {
  bool bench_mode = true;
  BenchPlan bench;
  SoakPlan soak;

  std::int64_t frame = -1;
  double start_seconds = 0;
  double now = 0;          // since the first before_frame
  bool quit = false;
  Bucket current_bucket = Bucket::None;
  Bucket previous_bucket = Bucket::None;
  std::int64_t counted_frames = 0;

  // Bench.
  BenchPhase phase = BenchPhase::Warmup;
  IdleBusyTiming timing;
  FrameTiming reverse_timing;
  FrameTiming still_timing;
  int busy_phase_frames_worker_idle = 0;
  ChangeLatency curves_latency;
  ChangeLatency points_latency;
  std::uint64_t pending_curves_version = 0;   // this frame's change, registered in before_frame
  bool forward_changed = false;               // this frame changed what the forward job computes
  std::uint64_t seen_forward_generation = 0;
  int new_forward_frames_idle = 0, new_forward_frames_busy = 0;
  double idle_ms = 0, busy_ms = 0;
  std::vector<double> forward_compute_ms, reverse_rates, training_rates;
  double last_reverse_restart = 0;

  // Soak.
  std::unique_ptr<SoakRandom> random;
  std::vector<SoakAction> bag;
  std::vector<SoakAction> actions;
  FrameTiming soak_timing;
  std::unique_ptr<MemoryGrowth> growth;
  double next_rss = 0;
  std::uint64_t pending_job = 0;
  double pending_since = 0;
  std::uint64_t last_submitted = 0;
  double last_submitted_time = 0;
  int answered = 0;
  double max_wait = 0;
  bool unanswered = false;
  std::vector<std::string> scene_paths;
  std::vector<std::string> files;   // image, bad file, scene, truncated scene, directory
  std::string own_folder;           // removed with the script

  ~Impl() {
    if (!own_folder.empty()) {
      std::error_code error;
      std::filesystem::remove_all(own_folder, error);
    }
  }

  // ---- Bench ----
  BenchPhase bench_phase_at(double t) const {
    double end = bench.warmup_seconds;
    if (t < end) return BenchPhase::Warmup;
    if (t < (end += bench.still_seconds)) return BenchPhase::Still;
    if (t < (end += bench.idle_seconds)) return BenchPhase::Idle;
    if (t < (end += bench.busy_seconds)) return BenchPhase::Busy;
    if (t < (end += bench.reverse_seconds)) return BenchPhase::Reverse;
    return BenchPhase::Done;
  }
  double bench_phase_start(BenchPhase p) const {
    double start = 0;
    if (p == BenchPhase::Warmup) return start;
    start += bench.warmup_seconds;
    if (p == BenchPhase::Still) return start;
    start += bench.still_seconds;
    if (p == BenchPhase::Idle) return start;
    start += bench.idle_seconds;
    if (p == BenchPhase::Busy) return start;
    start += bench.busy_seconds;
    if (p == BenchPhase::Reverse) return start;
    return start + bench.reverse_seconds;
  }

  // A slider being dragged: the family's main parameter moves every frame (always valid values).
  static void drag(diffusion::ScheduleParams& p, double u) {
    switch (p.kind) {
      case diffusion::ScheduleKind::Linear:
      case diffusion::ScheduleKind::ScaledLinear:
      case diffusion::ScheduleKind::SigmoidBeta: p.beta_end = 0.01 + 0.02 * u; break;
      case diffusion::ScheduleKind::Cosine: p.cosine_s = 0.004 + 0.012 * u; break;
      case diffusion::ScheduleKind::Sigmoid: p.sigmoid_tau = 0.5 + u; break;
      case diffusion::ScheduleKind::Constant: p.beta = 0.005 + 0.01 * u; break;
    }
  }

  SessionStep bench_before(AppState& state, const WorkerSnapshot& worker) {
    SessionStep step;
    const BenchPhase now_phase = bench_phase_at(now);
    if (frame == 0) {
      // A known start: the forward view, linear A, no compare, the timeline playing.
      state.set_view(AppView::Forward);
      state.a.params = diffusion::ScheduleParams{};
      state.set_compare(false);
      state.playback.playing = true;
      state.playback.loop = true;
    }
    if (now_phase != phase) {
      // Changes still waiting when the forward views go away are not latencies.
      if (now_phase == BenchPhase::Reverse || now_phase == BenchPhase::Done) {
        curves_latency.clear_pending();
        points_latency.clear_pending();
      }
      if (now_phase == BenchPhase::Still) {
        // The default forward picture, paused: nothing the frames show changes.
        state.a.params = diffusion::ScheduleParams{};
        state.set_compare(false);
        state.playback.playing = false;
      }
      if (now_phase == BenchPhase::Busy) {
        state.reverse.training_steps = kMaxTrainingSteps;   // runs through the whole phase
        state.reverse.training_from_current = false;
        step.start_training = true;
      }
      if (now_phase == BenchPhase::Reverse) {
        step.stop_training = true;
        state.set_compare(false);
        state.a.params = diffusion::ScheduleParams{};
        state.set_view(AppView::Reverse);
        last_reverse_restart = now;
      }
      if (now_phase == BenchPhase::Done) {
        step.quit = true;
        quit = true;
      }
      phase = now_phase;
    }
    const bool settled = now - bench_phase_start(phase) >= bench.settle_seconds;
    forward_changed = false;
    pending_curves_version = 0;
    current_bucket = Bucket::None;
    switch (phase) {
      case BenchPhase::Still:
        if (settled) current_bucket = Bucket::Still;
        break;
      case BenchPhase::Warmup:
      case BenchPhase::Idle:
      case BenchPhase::Busy: {
        const auto& kinds = diffusion::all_schedule_kinds();
        const std::size_t family = static_cast<std::size_t>(now / bench.family_every_seconds) % kinds.size();
        const bool compare = static_cast<long long>(now / bench.compare_every_seconds) % 2 == 1;
        const diffusion::ScheduleParams before = state.a.params;
        state.a.params.kind = kinds[family];
        drag(state.a.params, 0.5 + 0.5 * std::sin(0.05 * static_cast<double>(frame)));
        state.playback.playing = true;
        const bool schedule_changed = state.a.params != before && valid_params(state.a.params);
        if (schedule_changed) pending_curves_version = state.a.revision() + 1;
        if (compare != state.compare) state.set_compare(compare);
        forward_changed = schedule_changed;
        if (phase == BenchPhase::Idle && settled) current_bucket = Bucket::Idle;
        if (phase == BenchPhase::Busy && settled) {
          if (worker.background_busy()) {
            current_bucket = Bucket::Busy;
          } else {
            ++busy_phase_frames_worker_idle;
          }
        }
        break;
      }
      case BenchPhase::Reverse:
        // A new seed restarts the run every few seconds; the timeline plays through it.
        if (now - last_reverse_restart >= bench.reverse_restart_every_seconds) {
          ++state.reverse.seed;
          last_reverse_restart = now;
        }
        state.playback.playing = true;
        state.playback.loop = true;
        if (settled) current_bucket = Bucket::Reverse;
        break;
      case BenchPhase::Done: break;
    }
    // Only changes of measured frames count as latencies (they are still resolved in any frame).
    const bool measured = current_bucket == Bucket::Idle || current_bucket == Bucket::Busy;
    if (!measured) {
      forward_changed = false;
      pending_curves_version = 0;
    }
    if (pending_curves_version != 0) curves_latency.changed(frame, pending_curves_version);
    return step;
  }

  void bench_after(double frame_ms, const FrameObservation& o) {
    switch (previous_bucket) {
      case Bucket::Idle: timing.add(frame_ms, false); idle_ms += frame_ms; break;
      case Bucket::Busy: timing.add(frame_ms, true); busy_ms += frame_ms; break;
      case Bucket::Reverse: reverse_timing.add(frame_ms); break;
      case Bucket::Still: still_timing.add(frame_ms); break;
      default: break;
    }
    if (o.curves_revision != 0) curves_latency.shown(frame, o.curves_revision);
    if (forward_changed && o.submitted_forward_generation != 0) {
      points_latency.changed(frame, o.submitted_forward_generation);
    }
    if (o.drawn_forward_generation != 0) points_latency.shown(frame, o.drawn_forward_generation);
    if (o.latest_forward_generation > seen_forward_generation) {
      seen_forward_generation = o.latest_forward_generation;
      if (current_bucket == Bucket::Idle) {
        ++new_forward_frames_idle;
        if (o.forward_compute_ms > 0) forward_compute_ms.push_back(o.forward_compute_ms);
      }
      if (current_bucket == Bucket::Busy) ++new_forward_frames_busy;
    }
    if (phase == BenchPhase::Busy && o.training_steps_per_second > 0) training_rates.push_back(o.training_steps_per_second);
    if (phase == BenchPhase::Reverse && o.reverse_point_steps_per_second > 0) {
      reverse_rates.push_back(o.reverse_point_steps_per_second);
    }
  }

  BenchReport make_bench_report() const {
    BenchReport r;
    r.seconds = now;
    r.frames = frame + 1;
    r.idle = timing.idle().summary();
    r.busy = timing.busy().summary();
    r.reverse = reverse_timing.summary();
    r.still = still_timing.summary();
    r.busy_phase_frames_worker_idle = busy_phase_frames_worker_idle;
    r.busy_idle_p95_ratio = timing.p95_ratio();
    r.curves_latency = curves_latency.summary();
    r.points_latency = points_latency.summary();
    r.forward_frames_per_second_idle = idle_ms > 0 ? 1000.0 * new_forward_frames_idle / idle_ms : 0.0;
    r.forward_frames_per_second_busy = busy_ms > 0 ? 1000.0 * new_forward_frames_busy / busy_ms : 0.0;
    r.forward_compute_ms_median = median_of(forward_compute_ms);
    r.reverse_point_steps_per_second = median_of(reverse_rates);
    r.training_steps_per_second = median_of(training_rates);
    // A bar without measurements fails: it would otherwise pass without testing anything.
    const bool timed = r.idle.frames > 0 && r.busy.frames > 0;
    r.bars.push_back({"busy p95 / idle p95 frame time", r.busy_idle_p95_ratio, bench.max_busy_idle_p95_ratio,
                      timed && r.busy_idle_p95_ratio <= bench.max_busy_idle_p95_ratio});
    r.bars.push_back({"slider -> curves, max frames", static_cast<double>(r.curves_latency.max_frames),
                      static_cast<double>(bench.max_curves_latency_frames),
                      r.curves_latency.changes > 0 && r.curves_latency.max_frames <= bench.max_curves_latency_frames});
    r.bars.push_back({"slider -> points, p95 frames", r.points_latency.p95_frames, bench.max_points_latency_p95_frames,
                      r.points_latency.changes > 0 && r.points_latency.p95_frames <= bench.max_points_latency_p95_frames});
    return r;
  }

  // ---- Soak ----
  double soak_warmup() const {
    if (soak.warmup_seconds >= 0) return soak.warmup_seconds;
    return std::max(0.2 * soak.seconds, std::min(60.0, 0.5 * soak.seconds));
  }

  SoakAction next_action() {
    if (bag.empty()) {
      for (int i = 0; i < kSoakActionCount; ++i) bag.push_back(static_cast<SoakAction>(i));
      for (int i = kSoakActionCount - 1; i > 0; --i) std::swap(bag[static_cast<std::size_t>(i)], bag[static_cast<std::size_t>(random->below(i + 1))]);
    }
    const SoakAction action = bag.back();
    bag.pop_back();
    return action;
  }

  // β-like values: the sliders' ends, typed extremes (ε-small, 0, 1, negative, NaN, ∞) and values between.
  double beta_value() {
    const std::vector<double> extremes = {1e-5, 1e-4, 0.02, 0.1, 0.5, 0.999, 1e-300, 0.0, 1.0, -0.01, kNaN, kInf};
    return random->coin() ? random->pick(extremes) : random->log_uniform(1e-5, 0.5);
  }

  void schedule_values(AppState& state) {
    ScheduleSlot& slot = state.compare && random->coin() ? state.b : state.a;
    diffusion::ScheduleParams& p = slot.params;
    if (random->below(4) == 0) {
      const diffusion::ScheduleKind kind = p.kind;
      p = diffusion::ScheduleParams{};   // back to a good schedule now and then
      p.kind = kind;
      return;
    }
    const int fields = 1 + random->below(3);
    for (int i = 0; i < fields; ++i) {
      switch (random->below(10)) {
        case 0: {
          const std::vector<int> Ts = {1, 2, 10, 1000, 10000, 0, -5, 10001};
          p.T = random->coin() ? random->pick(Ts) : static_cast<int>(std::lround(random->log_uniform(1.0, 10000.0)));
          break;
        }
        case 1: p.beta_start = beta_value(); break;
        case 2: p.beta_end = beta_value(); break;
        case 3: p.beta = beta_value(); break;
        case 4: p.cosine_s = random->pick(std::vector<double>{1e-4, 0.5, 1e-12, 0.0, kNaN, random->log_uniform(1e-4, 0.5)}); break;
        case 5: p.sigmoid_start = random->pick(std::vector<double>{-10.0, 10.0, kNaN, random->uniform(-10.0, 10.0)}); break;
        case 6: p.sigmoid_end = random->pick(std::vector<double>{-10.0, 10.0, -kInf, random->uniform(-10.0, 10.0)}); break;
        case 7: p.sigmoid_tau = random->pick(std::vector<double>{0.05, 5.0, 1e-9, kInf, random->log_uniform(0.05, 5.0)}); break;
        case 8: p.scale_with_T = !p.scale_with_T; break;
        case 9:
          // The panel keeps the naive β above 0; its ends and values between.
          state.naive_beta = random->pick(std::vector<double>{1e-4, 0.2, random->log_uniform(1e-4, 0.2)});
          state.dataset = random->pick(diffusion::all_dataset2d_kinds());
          state.seed = static_cast<std::uint64_t>(random->below(1000));
          break;
      }
    }
  }

  // The settings both reverse views share; points: the 2D view's own (cloud, overlays), null for Images.
  void sampler_settings(SamplingSettings& r, diffusion::ScheduleKind family_a, ReverseState* points) {
    const int changes = 1 + random->below(3);
    for (int i = 0; i < changes; ++i) {
      ReversePanelSettings& panel = r.panels[static_cast<std::size_t>(random->below(r.panel_count))];
      switch (random->below(points ? 10 : 6)) {
        case 0:  // the presets each view offers (the Images view: σ and K only, as its controls)
          apply_reverse_preset(r,
                               points ? random->pick(all_reverse_presets())
                                      : random->pick(std::vector<ReversePreset>{ReversePreset::SigmaComparison,
                                                                                ReversePreset::StepsComparison}),
                               family_a);
          break;
        case 1: set_panel_count(r, 1 + random->below(kMaxReversePanels), family_a); break;
        case 2:
          panel.sampler.sigma = random->pick(std::vector<diffusion::SigmaKind>{
              diffusion::SigmaKind::Small, diffusion::SigmaKind::Large, diffusion::SigmaKind::Interpolated,
              diffusion::SigmaKind::DDIM});
          panel.sampler.eta = random->pick(std::vector<double>{0.0, 1.0, random->unit()});
          panel.sampler.interpolation = random->unit();
          break;
        case 3: panel.steps = random->pick(std::vector<int>{0, 1, 2, 5, 20, 100, 100000}); break;
        case 4:
          r.spacing = random->pick(std::vector<diffusion::Spacing>{diffusion::Spacing::Leading, diffusion::Spacing::Trailing,
                                                                   diffusion::Spacing::Linspace});
          break;
        case 5: r.seed = static_cast<std::uint64_t>(random->below(100000)); break;
        case 6: panel.denoiser = panel.denoiser == DenoiserKind::Model ? DenoiserKind::Exact : DenoiserKind::Model; break;
        case 7: points->n_points = random->pick(std::vector<int>{100, 2000, 5000}); break;
        case 8:
          points->field = random->pick(std::vector<VectorField>{VectorField::None, VectorField::Score, VectorField::Eps});
          points->predicted_x0 = random->coin();
          points->trajectories = random->coin();
          points->posterior = random->coin();
          break;
        case 9:
          if (random->coin()) {
            track_point(*points, random->below(std::max(1, points->n_points)));
          } else {
            clear_tracked(*points);
          }
          break;
      }
    }
  }

  void soak_action(SoakAction action, AppState& state, SessionStep& step) {
    switch (action) {
      case SoakAction::ScheduleValues: schedule_values(state); break;
      case SoakAction::ScheduleFamily:
        state.a.params.kind = random->pick(diffusion::all_schedule_kinds());
        if (state.compare) state.b.params.kind = random->pick(diffusion::all_schedule_kinds());
        break;
      case SoakAction::ZeroTerminalSnr:
        state.a.params.zero_terminal_snr = !state.a.params.zero_terminal_snr;
        if (random->coin()) state.b.params.zero_terminal_snr = !state.b.params.zero_terminal_snr;
        break;
      case SoakAction::Compare: state.set_compare(!state.compare); break;
      case SoakAction::ForwardProcessKind:
        state.process = random->pick(std::vector<ForwardProcess>{ForwardProcess::ClosedForm, ForwardProcess::Markov,
                                                                 ForwardProcess::Naive});
        break;
      case SoakAction::Cursor:
        state.set_cursor(random->pick(std::vector<int>{0, state.max_T(), random->below(state.max_T() + 1)}));
        break;
      case SoakAction::Playback:
        state.playback.playing = !state.playback.playing;
        state.playback.steps_per_second = random->pick(std::vector<double>{
            kMinPlaybackSpeed, kMaxPlaybackSpeed, random->log_uniform(kMinPlaybackSpeed, kMaxPlaybackSpeed)});
        state.playback.loop = random->below(4) != 0;
        break;
      case SoakAction::ViewSwitch:
        state.set_view(random->pick(std::vector<AppView>{AppView::Forward, AppView::Reverse, AppView::Images}));
        break;
      case SoakAction::ReverseSettings:
        if (random->below(3) == 0) state.dataset = random->pick(diffusion::all_dataset2d_kinds());
        sampler_settings(state.reverse, state.a.params.kind, &state.reverse);
        break;
      case SoakAction::ImagesSettings:
        if (random->coin()) {
          state.images.image_count = random->pick(std::vector<int>{kMinImageCount, 4, 16, kMaxImageCount});
          state.images.selected = random->below(state.images.image_count);
        }
        sampler_settings(state.images.sampling, state.a.params.kind, nullptr);
        break;
      case SoakAction::LoadScene:
        step.load_scene = scene_paths.empty() ? files[2] : random->pick(scene_paths);
        break;
      case SoakAction::Resize: {
        // The corners of 640x400 .. 1920x1080, or a size between.
        const int w = random->coin() ? random->pick(std::vector<int>{640, 1920}) : 640 + random->below(1920 - 640 + 1);
        const int h = random->coin() ? random->pick(std::vector<int>{400, 1080}) : 400 + random->below(1080 - 400 + 1);
        step.resize_to = WindowSize{w, h};
        break;
      }
      case SoakAction::StartTraining:
        state.reverse.training_steps = random->pick(std::vector<std::int64_t>{kMinTrainingSteps, 2000, 20000});
        state.reverse.training_from_current = random->coin();
        step.start_training = true;
        break;
      case SoakAction::StopTraining: step.stop_training = true; break;
      case SoakAction::DropImage: step.drop_paths.push_back(files[0]); break;
      case SoakAction::DropBadFile: step.drop_paths.push_back(files[1]); break;
      case SoakAction::DropScene: step.drop_paths.push_back(files[2]); break;
      case SoakAction::DropTruncatedScene: step.drop_paths.push_back(files[3]); break;
      case SoakAction::DropDirectory: step.drop_paths.push_back(files[4]); break;
    }
  }

  SessionStep soak_before(AppState& state) {
    SessionStep step;
    current_bucket = Bucket::Soak;
    if (now >= soak.seconds) {
      step.quit = true;
      step.stop_training = true;
      quit = true;
      if (pending_job != 0 && now - pending_since > soak.responsive_seconds) unanswered = true;
      return step;
    }
    if (frame % std::max(1, soak.frames_per_action) == 0) {
      const SoakAction action = next_action();
      actions.push_back(action);
      soak_action(action, state, step);
    }
    return step;
  }

  void soak_after(double frame_ms, const FrameObservation& o) {
    if (previous_bucket == Bucket::Soak) soak_timing.add(frame_ms);
    if (now >= next_rss) {
      std::size_t bytes = o.resident_bytes;
      if (bytes == 0) bytes = resident_bytes().value_or(0);
      if (bytes != 0) growth->add(now, bytes);
      next_rss = now + soak.rss_every_seconds;
    }
    // Responsiveness: the oldest unanswered forward job; a newer frame answers every older job.
    if (o.submitted_forward_generation != 0) {
      last_submitted = o.submitted_forward_generation;
      last_submitted_time = now;
      if (pending_job == 0) {
        pending_job = last_submitted;
        pending_since = now;
      }
    }
    if (pending_job != 0 && o.latest_forward_generation >= pending_job) {
      max_wait = std::max(max_wait, now - pending_since);
      ++answered;
      pending_job = 0;
      if (last_submitted > o.latest_forward_generation) {
        pending_job = last_submitted;
        pending_since = last_submitted_time;
      }
    }
    if (pending_job != 0) {
      const double waited = now - pending_since;
      if (waited > soak.responsive_seconds) unanswered = true;
      max_wait = std::max(max_wait, waited);
    }
  }

  SoakReport make_soak_report() const {
    SoakReport r;
    r.planned_seconds = soak.seconds;
    r.seconds = now;
    r.seed = soak.seed;
    r.frames = frame + 1;
    r.frame_time = soak_timing.summary();
    r.warmup_seconds = growth->warmup_seconds();
    r.rss_samples = growth->samples();
    r.rss_baseline_bytes = growth->baseline_bytes();
    r.rss_max_bytes = growth->max_bytes();
    r.rss_growth_percent = growth->growth_percent();
    r.forward_jobs_answered = answered;
    r.forward_answer_max_seconds = max_wait;
    r.forward_job_unanswered = unanswered;
    r.action_counts.assign(kSoakActionCount, 0);
    for (SoakAction a : actions) ++r.action_counts[static_cast<std::size_t>(a)];
    // Memory needs a baseline and a later sample; the session must have run its length.
    const bool measured = growth->samples() > growth_baseline_samples();
    r.bars.push_back({"resident memory growth after warm-up, %", r.rss_growth_percent, soak.max_growth_percent,
                      measured && r.rss_growth_percent < soak.max_growth_percent});
    r.bars.push_back({"longest wait for a forward job, s", max_wait, soak.responsive_seconds,
                      answered > 0 && !unanswered && max_wait <= soak.responsive_seconds});
    r.bars.push_back({"ran the planned seconds", now, soak.seconds, quit && now >= soak.seconds});
    return r;
  }
  static int growth_baseline_samples() { return 3; }

  void write_soak_files() {
    std::string folder = soak.files_folder;
    if (folder.empty()) {
      folder = (std::filesystem::temp_directory_path() /
                ("diffuscope-soak-" + std::to_string(static_cast<long long>(getpid())) + "-" +
                 std::to_string(soak.seed)))
                   .string();
      own_folder = folder;
    }
    std::error_code error;
    std::filesystem::create_directories(folder, error);
    const std::filesystem::path dir(folder);
    // A good image: a 48x32 grey gradient as a PNG (the app opens PNG and JPEG only).
    const std::string image = (dir / "soak-image.png").string();
    {
      std::vector<unsigned char> grey(48 * 32);
      for (int y = 0; y < 32; ++y)
        for (int x = 0; x < 48; ++x) grey[static_cast<std::size_t>(y) * 48 + x] = static_cast<unsigned char>((x * 5 + y * 3) & 0xff);
      fileio::write_png(image, grey.data(), 48, 32, 1);
    }
    const std::string bad = (dir / "soak-bad.png").string();
    {
      std::ofstream out(bad, std::ios::binary);
      out << "this is not a PNG file";
    }
    // A scene of a non-default state, and the same file cut in half.
    const std::string scene = (dir / "soak-scene.json").string();
    AppState scene_state;
    scene_state.a.params.kind = diffusion::ScheduleKind::Cosine;
    scene_state.set_compare(true);
    scene_state.refresh_schedules();
    save_scene_file(scene, scene_state);
    std::string text;
    {
      std::ifstream in(scene, std::ios::binary);
      std::ostringstream buffer;
      buffer << in.rdbuf();
      text = buffer.str();
    }
    const std::string truncated = (dir / "soak-truncated.json").string();
    {
      std::ofstream out(truncated, std::ios::binary);
      out << text.substr(0, text.size() / 2);
    }
    files = {image, bad, scene, truncated, folder};
    for (const SceneEntry& entry : list_scenes(soak.scenes_folder.empty() ? shipped_scenes_dir() : soak.scenes_folder)) {
      scene_paths.push_back(entry.path);
    }
  }
};

SessionScript::SessionScript(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
SessionScript::SessionScript(SessionScript&&) noexcept = default;
SessionScript& SessionScript::operator=(SessionScript&&) noexcept = default;
SessionScript::~SessionScript() = default;

SessionScript SessionScript::bench(BenchPlan plan) {
  auto impl = std::make_unique<Impl>();
  impl->bench_mode = true;
  impl->bench = plan;
  return SessionScript(std::move(impl));
}

SessionScript SessionScript::soak(SoakPlan plan) {
  auto impl = std::make_unique<Impl>();
  impl->bench_mode = false;
  impl->soak = plan;
  impl->random = std::make_unique<SoakRandom>(plan.seed);
  impl->growth = std::make_unique<MemoryGrowth>(impl->soak_warmup(), Impl::growth_baseline_samples());
  impl->write_soak_files();
  return SessionScript(std::move(impl));
}

bool SessionScript::is_bench() const { return impl_->bench_mode; }

SessionStep SessionScript::before_frame(AppState& state, double now_seconds, const WorkerSnapshot& worker) {
  Impl& s = *impl_;
  ++s.frame;
  if (s.frame == 0) s.start_seconds = now_seconds;
  s.now = now_seconds - s.start_seconds;
  s.previous_bucket = s.current_bucket;
  if (s.quit) {
    SessionStep step;
    step.quit = true;
    s.current_bucket = Bucket::None;
    return step;
  }
  return s.bench_mode ? s.bench_before(state, worker) : s.soak_before(state);
}

void SessionScript::after_frame(double frame_ms, const FrameObservation& observed) {
  Impl& s = *impl_;
  if (s.frame < 0) return;
  // The first frame's duration is start-up, not a frame the audience waited for.
  if (s.frame == 0) s.previous_bucket = Bucket::None;
  if (s.bench_mode) {
    s.bench_after(frame_ms, observed);
  } else {
    s.soak_after(frame_ms, observed);
  }
}

bool SessionScript::finished() const { return impl_->quit; }
BenchReport SessionScript::bench_report() const { return impl_->make_bench_report(); }
SoakReport SessionScript::soak_report() const { return impl_->make_soak_report(); }
std::string SessionScript::report_json() const {
  return impl_->bench_mode ? bench_report().to_json() : soak_report().to_json();
}
std::string SessionScript::report_text() const {
  return impl_->bench_mode ? bench_report().to_text() : soak_report().to_text();
}
int SessionScript::exit_code() const {
  return (impl_->bench_mode ? bench_report().pass() : soak_report().pass()) ? 0 : 1;
}
const std::vector<SoakAction>& SessionScript::actions() const { return impl_->actions; }
const std::vector<std::string>& SessionScript::soak_files() const { return impl_->files; }

std::string write_report_file(const std::string& path, const std::string& text) {
  return fileio::write_file_atomically(path, text);
}

}  // namespace diffuscope::gui
