// The scripted sessions of --bench and --soak without a window: percentiles, the idle/busy split,
// latency counting, resident-memory growth, the soak's determinism and coverage, report shapes.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <set>
#include <vector>

#include "gui/state/app_state.hpp"
#include "diffusion/schedule.hpp"
#include "gui/harness/frame_timing.hpp"
#include "gui/harness/memory_usage.hpp"
#include "gui/lecture/scene.hpp"
#include "gui/harness/session_script.hpp"

namespace dg = diffuscope::gui;
namespace fs = std::filesystem;

namespace {

// A temp folder per test, removed afterwards.
struct TempDir {
  fs::path path;
  explicit TempDir(const std::string& name) {
    path = fs::temp_directory_path() / ("diffuscope-test-session-" + name + "-" + std::to_string(::getpid()));
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path, ignored);
  }
};

dg::SoakPlan soak_plan(const TempDir& dir, std::uint64_t seed, double seconds = 1000.0) {
  dg::SoakPlan plan;
  plan.seed = seed;
  plan.seconds = seconds;
  plan.files_folder = dir.path.string();
  plan.scenes_folder = (dir.path / "no-scenes").string();   // only the written scene
  return plan;
}

}  // namespace

// ---- Percentiles ----

TEST(FramePercentiles, NearestRankOfOneToHundred) {
  std::vector<double> values;
  for (int i = 1; i <= 100; ++i) values.push_back(i);
  std::shuffle(values.begin(), values.end(), std::mt19937(3));
  dg::FrameTiming timing;
  for (double v : values) timing.add(v);
  const dg::FrameTimeSummary s = timing.summary();
  EXPECT_EQ(s.frames, 100);
  EXPECT_DOUBLE_EQ(s.median_ms, 50.5);  // mean of the 50th and 51st
  EXPECT_DOUBLE_EQ(s.p95_ms, 95.0);     // rank ceil(95) = 95
  EXPECT_DOUBLE_EQ(s.p99_ms, 99.0);     // rank ceil(99) = 99
  EXPECT_DOUBLE_EQ(s.max_ms, 100.0);
}

TEST(FramePercentiles, SmallSamplesRoundTheRankUp) {
  // 20 samples: p95 is rank ceil(19) = 19, p99 rank ceil(19.8) = 20 (the max).
  dg::FrameTiming timing;
  for (int i = 20; i >= 1; --i) timing.add(i * 2.0);
  EXPECT_DOUBLE_EQ(timing.summary().p95_ms, 38.0);
  EXPECT_DOUBLE_EQ(timing.summary().p99_ms, 40.0);
  EXPECT_DOUBLE_EQ(dg::nearest_rank_percentile({5, 1, 3}, 0.5), 3.0);   // rank ceil(1.5) = 2
  EXPECT_DOUBLE_EQ(dg::nearest_rank_percentile({5, 1, 3}, 0.0), 1.0);   // the smallest
  EXPECT_DOUBLE_EQ(dg::nearest_rank_percentile({}, 0.95), 0.0);
  EXPECT_EQ(dg::FrameTiming().summary().p99_ms, 0.0);
}

TEST(IdleBusySplit, FramesGoToTheirSideAndTheRatioComparesP95) {
  dg::IdleBusyTiming timing;
  EXPECT_EQ(timing.p95_ratio(), 0.0);  // nothing to compare
  for (int i = 0; i < 10; ++i) timing.add(10.0, false);
  for (int i = 0; i < 5; ++i) timing.add(12.5, true);
  EXPECT_EQ(timing.idle().count(), 10);
  EXPECT_EQ(timing.busy().count(), 5);
  EXPECT_DOUBLE_EQ(timing.p95_ratio(), 1.25);
}

// ---- Latency ----

TEST(ChangeLatencyCount, ChangeAtFrameKShownAtKPlus2IsTwo) {
  dg::ChangeLatency latency;
  latency.changed(5, 10);
  latency.shown(5, 9);
  latency.shown(6, 9);
  EXPECT_EQ(latency.pending(), 1);
  latency.shown(7, 10);
  ASSERT_EQ(latency.latencies().size(), 1u);
  EXPECT_EQ(latency.latencies()[0], 2);
  EXPECT_EQ(latency.pending(), 0);
}

TEST(ChangeLatencyCount, SameFrameIsZeroAndANewerVersionShowsOlderChanges) {
  dg::ChangeLatency latency;
  latency.changed(1, 1);
  latency.shown(1, 1);                 // same frame
  latency.changed(2, 2);
  latency.changed(3, 3);
  latency.changed(4, 4);
  latency.shown(5, 3);                 // 2 and 3 shown (superseded 2 counts once 3 shows)
  const dg::LatencySummary s = latency.summary();
  EXPECT_EQ(latency.latencies(), (std::vector<int>{0, 3, 2}));
  EXPECT_EQ(s.changes, 3);
  EXPECT_EQ(s.unresolved, 1);
  EXPECT_EQ(s.max_frames, 3);
  EXPECT_DOUBLE_EQ(s.median_frames, 2.0);
  latency.clear_pending();
  EXPECT_EQ(latency.summary().unresolved, 0);
}

// ---- Resident memory ----

TEST(ResidentMemory, StatmSecondFieldIsResidentPages) {
  EXPECT_EQ(dg::parse_statm_resident_pages("1000 250 30 5 0 400 0\n").value(), 250u);
  EXPECT_FALSE(dg::parse_statm_resident_pages("").has_value());
  EXPECT_FALSE(dg::parse_statm_resident_pages("12").has_value());
  EXPECT_FALSE(dg::parse_statm_resident_pages("a b").has_value());
}

TEST(ResidentMemory, GrowsWhenPagesAreTouched) {
  const auto before = dg::resident_bytes();
  ASSERT_TRUE(before.has_value());
  const std::size_t size = std::size_t(64) << 20;
  std::vector<char> block(size);
  std::memset(block.data(), 1, size);   // touched: resident
  const auto after = dg::resident_bytes();
  ASSERT_TRUE(after.has_value());
  EXPECT_GT(*after, *before + (std::size_t(32) << 20)) << "block[7] = " << int(block[7]);
}

TEST(MemoryGrowthMaths, BaselineIsTheLargestOfTheFirstSamplesAfterWarmup) {
  dg::MemoryGrowth growth(10.0, 3);
  growth.add(5.0, 1000);     // warm-up: ignored
  growth.add(10.0, 100);
  growth.add(12.0, 110);
  EXPECT_FALSE(growth.has_baseline());
  EXPECT_EQ(growth.growth_percent(), 0.0);
  growth.add(14.0, 105);
  EXPECT_EQ(growth.baseline_bytes(), 110u);
  EXPECT_EQ(growth.growth_percent(), 0.0);   // no later sample yet
  growth.add(16.0, 121);
  growth.add(18.0, 115);
  EXPECT_NEAR(growth.growth_percent(), 10.0, 1e-12);   // (121 - 110) / 110
  EXPECT_EQ(growth.max_bytes(), 121u);
  EXPECT_EQ(growth.samples(), 5);
  dg::MemoryGrowth shrinking(0.0, 1);
  shrinking.add(0.0, 200);
  shrinking.add(1.0, 150);
  EXPECT_EQ(shrinking.growth_percent(), 0.0);
}

// ---- The soak ----

namespace {
// Runs the soak for `frames` frames at 60 fps the way the loop would (schedules refreshed each
// frame); returns the steps it asked for.
std::vector<dg::SessionStep> drive_soak(dg::SessionScript& script, dg::AppState& state, int frames) {
  std::vector<dg::SessionStep> steps;
  for (int k = 0; k < frames; ++k) {
    steps.push_back(script.before_frame(state, k / 60.0, dg::WorkerSnapshot{}));
    state.refresh_schedules();
    dg::FrameObservation o;
    o.resident_bytes = 100u << 20;
    script.after_frame(16.0, o);
  }
  return steps;
}
}  // namespace

TEST(SoakScript, SameSeedReplaysTheSameSession) {
  TempDir dir1("det1"), dir2("det2"), dir3("det3");
  dg::SessionScript x = dg::SessionScript::soak(soak_plan(dir1, 42));
  dg::SessionScript y = dg::SessionScript::soak(soak_plan(dir2, 42));
  dg::SessionScript z = dg::SessionScript::soak(soak_plan(dir3, 43));
  dg::AppState sx, sy, sz;
  const auto steps_x = drive_soak(x, sx, 600);
  const auto steps_y = drive_soak(y, sy, 600);
  drive_soak(z, sz, 600);
  EXPECT_EQ(x.actions(), y.actions());
  EXPECT_NE(x.actions(), z.actions());
  EXPECT_EQ(dg::scene_to_json(sx), dg::scene_to_json(sy));   // the same state reached
  ASSERT_EQ(steps_x.size(), steps_y.size());
  for (std::size_t i = 0; i < steps_x.size(); ++i) {
    EXPECT_EQ(steps_x[i].start_training, steps_y[i].start_training);
    EXPECT_EQ(steps_x[i].load_scene.empty(), steps_y[i].load_scene.empty());
    EXPECT_EQ(steps_x[i].drop_paths.size(), steps_y[i].drop_paths.size());
    EXPECT_EQ(steps_x[i].resize_to.has_value(), steps_y[i].resize_to.has_value());
    if (steps_x[i].resize_to && steps_y[i].resize_to) {
      EXPECT_EQ(steps_x[i].resize_to->width, steps_y[i].resize_to->width);
    }
  }
}

TEST(SoakScript, EveryActionKindWithinOneRound) {
  TempDir dir("cover");
  dg::SoakPlan plan = soak_plan(dir, 7);
  dg::SessionScript script = dg::SessionScript::soak(plan);
  dg::AppState state;
  drive_soak(script, state, dg::kSoakActionCount * plan.frames_per_action);
  const std::set<dg::SoakAction> kinds(script.actions().begin(), script.actions().end());
  EXPECT_EQ(script.actions().size(), static_cast<std::size_t>(dg::kSoakActionCount));
  EXPECT_EQ(kinds.size(), static_cast<std::size_t>(dg::kSoakActionCount));
}

TEST(SoakScript, StepsStayInRangeAndReachTheExtremes) {
  TempDir dir("range");
  dg::SessionScript script = dg::SessionScript::soak(soak_plan(dir, 11));
  dg::AppState state;
  bool saw_error = false, saw_T1 = false, saw_T10000 = false, saw_zero_snr = false, saw_corner = false;
  std::set<diffusion::ScheduleKind> families;
  std::set<dg::AppView> views;
  for (int k = 0; k < 20000; ++k) {
    const dg::SessionStep step = script.before_frame(state, k / 60.0, dg::WorkerSnapshot{});
    state.refresh_schedules();
    script.after_frame(16.0, dg::FrameObservation{});
    saw_error = saw_error || !state.a.error().empty();
    saw_T1 = saw_T1 || state.a.params.T == 1;
    saw_T10000 = saw_T10000 || state.a.params.T == 10000;
    saw_zero_snr = saw_zero_snr || state.a.params.zero_terminal_snr;
    families.insert(state.a.params.kind);
    views.insert(state.view);
    // Whatever was typed, the shown schedule is a good one and the cursor inside it.
    ASSERT_TRUE(state.a.error().empty() || state.a.schedule()->T() >= 1);
    ASSERT_GE(state.t, 0);
    ASSERT_LE(state.t, state.max_T());
    if (step.resize_to) {
      ASSERT_GE(step.resize_to->width, 640);
      ASSERT_LE(step.resize_to->width, 1920);
      ASSERT_GE(step.resize_to->height, 400);
      ASSERT_LE(step.resize_to->height, 1080);
      saw_corner = saw_corner || (step.resize_to->width == 640 && step.resize_to->height == 400);
    }
    ASSERT_LE(state.reverse.panel_count, dg::kMaxReversePanels);
    ASSERT_GE(state.images.image_count, dg::kMinImageCount);
    ASSERT_LE(state.images.image_count, dg::kMaxImageCount);
    ASSERT_LT(state.images.selected, state.images.image_count);
  }
  EXPECT_TRUE(saw_error) << "no invalid typed value";
  EXPECT_TRUE(saw_T1);
  EXPECT_TRUE(saw_T10000);
  EXPECT_TRUE(saw_zero_snr);
  EXPECT_TRUE(saw_corner);
  EXPECT_EQ(families.size(), diffusion::all_schedule_kinds().size());
  EXPECT_EQ(views.size(), 3u);
}

TEST(SoakScript, DroppedFilesAreWhatTheyClaimToBe) {
  TempDir dir("files");
  dg::SessionScript script = dg::SessionScript::soak(soak_plan(dir, 1));
  const auto& files = script.soak_files();
  ASSERT_EQ(files.size(), 5u);
  EXPECT_TRUE(fs::is_regular_file(files[0]));
  {
    // A PNG of 48 x 32 pixels: the signature, then IHDR's big-endian width and height.
    std::ifstream in(files[0], std::ios::binary);
    std::string head(24, '\0');
    in.read(head.data(), 24);
    EXPECT_EQ(head.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
    EXPECT_EQ(head.substr(16, 8), std::string("\0\0\0\x30\0\0\0\x20", 8));
  }
  EXPECT_TRUE(fs::is_regular_file(files[1]));
  dg::AppState good, cut;
  EXPECT_TRUE(dg::load_scene_file(files[2], good).ok);
  EXPECT_EQ(good.a.params.kind, diffusion::ScheduleKind::Cosine);
  const dg::SceneLoad truncated = dg::load_scene_file(files[3], cut);
  EXPECT_FALSE(truncated.ok);
  EXPECT_FALSE(truncated.error.empty());
  EXPECT_TRUE(fs::is_directory(files[4]));
}

TEST(SoakScript, TempFolderIsRemovedWithTheScript) {
  dg::SoakPlan plan;
  plan.seed = 99;
  std::string folder;
  {
    dg::SessionScript script = dg::SessionScript::soak(plan);
    folder = script.soak_files().at(4);
    EXPECT_TRUE(fs::is_directory(folder));
    dg::SessionScript moved = std::move(script);   // the folder goes with the owner
    EXPECT_TRUE(fs::is_directory(folder));
  }
  EXPECT_FALSE(fs::exists(folder));
}

namespace {
// A 100 s soak at 10 frames/s with an RSS series and a worker answering each job the next frame.
dg::SoakReport run_soak_report(const TempDir& dir, std::size_t (*rss)(double), double answer_after_s) {
  dg::SoakPlan plan = soak_plan(dir, 5, 100.0);
  dg::SessionScript script = dg::SessionScript::soak(plan);
  dg::AppState state;
  std::uint64_t submitted = 0, latest = 0;
  double submitted_at = 0;
  for (int k = 0; k < 2000 && !script.finished(); ++k) {
    const double now = k * 0.1;
    script.before_frame(state, now, dg::WorkerSnapshot{});
    dg::FrameObservation o;
    if (k % 5 == 0) {
      o.submitted_forward_generation = ++submitted;
      submitted_at = now;
    }
    if (submitted > latest && now - submitted_at >= answer_after_s) latest = submitted;
    o.latest_forward_generation = latest;
    o.resident_bytes = rss(now);
    script.after_frame(100.0, o);
  }
  EXPECT_TRUE(script.finished());
  const dg::SoakReport report = script.soak_report();
  EXPECT_EQ(script.exit_code(), report.pass() ? 0 : 1);
  return report;
}
}  // namespace

TEST(SoakReportBars, FlatMemoryAndAnAnsweringWorkerPass) {
  TempDir dir("flat");
  const dg::SoakReport r = run_soak_report(dir, [](double) { return std::size_t(200) << 20; }, 0.0);
  EXPECT_DOUBLE_EQ(r.warmup_seconds, 50.0);   // max(20% of 100, min(60, 50))
  EXPECT_EQ(r.rss_growth_percent, 0.0);
  EXPECT_GE(r.rss_samples, 20);               // every 2 s over the last 50 s
  EXPECT_GT(r.forward_jobs_answered, 100);
  EXPECT_FALSE(r.forward_job_unanswered);
  EXPECT_GE(r.seconds, 100.0);
  EXPECT_TRUE(r.pass()) << r.to_text();
}

TEST(SoakReportBars, MemoryClimbingPastTenPercentFails) {
  TempDir dir("leak");
  // 100 MiB, then +0.5 % per second after the warm-up: ~25 % by the end.
  const dg::SoakReport r = run_soak_report(dir, [](double t) {
    return static_cast<std::size_t>((100.0 + 0.5 * std::max(0.0, t - 50.0)) * 1048576.0);
  }, 0.0);
  EXPECT_GT(r.rss_growth_percent, 20.0);
  EXPECT_LT(r.rss_growth_percent, 26.0);
  EXPECT_FALSE(r.pass());
}

TEST(SoakReportBars, AWorkerThatStopsAnsweringFails) {
  TempDir dir("stall");
  const dg::SoakReport r = run_soak_report(dir, [](double) { return std::size_t(200) << 20; }, 1000.0);
  EXPECT_TRUE(r.forward_job_unanswered);
  EXPECT_GT(r.forward_answer_max_seconds, 10.0);
  EXPECT_FALSE(r.pass());
}

// ---- The bench ----

namespace {
// Drives the bench as the loop would: the curves show the refreshed schedule the same frame; the
// points show the job submitted `points_delay` frames earlier; frames take idle_ms or busy_ms.
struct BenchRun {
  dg::BenchReport report;
  double training_started_at = -1, training_stopped_at = -1, quit_at = -1;
  bool reverse_view_seen = false;
};
BenchRun drive_bench(int points_delay, double idle_ms, double busy_ms) {
  dg::SessionScript script = dg::SessionScript::bench();
  dg::AppState state;
  BenchRun run;
  bool training = false;
  std::vector<std::uint64_t> submitted_by_frame;
  std::uint64_t generation = 0;
  dg::ForwardJob last_job;
  double now = 0, last_ms = 16.0;
  for (int k = 0; k < 10000 && !script.finished(); ++k) {
    dg::WorkerSnapshot worker;
    worker.training_running = training;
    const dg::SessionStep step = script.before_frame(state, now, worker);
    if (step.start_training) {
      training = true;
      run.training_started_at = now;
    }
    if (step.stop_training) {
      training = false;
      run.training_stopped_at = now;
    }
    if (step.quit) run.quit_at = now;
    state.refresh_schedules();
    dg::FrameObservation o;
    if (state.view == dg::AppView::Forward) {
      const dg::ForwardJob job = dg::make_forward_job(state);
      if (k == 0 || !dg::same_job(job, last_job)) o.submitted_forward_generation = ++generation;
      last_job = job;
      submitted_by_frame.push_back(generation);
      const int shown = static_cast<int>(submitted_by_frame.size()) - 1 - points_delay;
      if (shown >= 0) o.drawn_forward_generation = submitted_by_frame[static_cast<std::size_t>(shown)];
      o.curves_revision = state.a.revision();
    } else {
      run.reverse_view_seen = true;
      submitted_by_frame.clear();
    }
    o.latest_forward_generation = generation;
    o.training_steps_per_second = training ? 500.0 : 0.0;
    o.reverse_point_steps_per_second = state.view == dg::AppView::Reverse ? 2e5 : 0.0;
    script.after_frame(last_ms, o);
    last_ms = training ? busy_ms : idle_ms;
    now += last_ms / 1000.0;
  }
  run.report = script.bench_report();
  return run;
}
}  // namespace

TEST(BenchScript, PhasesStartTrainingThenReverseThenQuit) {
  const BenchRun run = drive_bench(1, 10.0, 11.0);
  EXPECT_NEAR(run.training_started_at, 20.0, 0.05);    // 3 s warm-up + 5 s still + 12 s idle
  EXPECT_NEAR(run.training_stopped_at, 32.0, 0.05);
  EXPECT_NEAR(run.quit_at, 42.0, 0.05);
  EXPECT_TRUE(run.reverse_view_seen);
  const dg::BenchReport& r = run.report;
  EXPECT_GT(r.still.frames, 400);   // 4.5 s of 10 ms frames after the settle time
  EXPECT_DOUBLE_EQ(r.still.median_ms, 10.0);
  EXPECT_GT(r.idle.frames, 1000);
  EXPECT_GT(r.busy.frames, 900);
  EXPECT_GT(r.reverse.frames, 800);
  EXPECT_DOUBLE_EQ(r.idle.p95_ms, 10.0);
  EXPECT_DOUBLE_EQ(r.busy.p95_ms, 11.0);
  EXPECT_NEAR(r.busy_idle_p95_ratio, 1.1, 1e-12);
  EXPECT_EQ(r.curves_latency.max_frames, 0);
  EXPECT_GT(r.curves_latency.changes, 1000);
  EXPECT_EQ(r.points_latency.max_frames, 1);
  EXPECT_DOUBLE_EQ(r.training_steps_per_second, 500.0);
  EXPECT_DOUBLE_EQ(r.reverse_point_steps_per_second, 2e5);
  EXPECT_GT(r.forward_frames_per_second_idle, 50.0);
  EXPECT_TRUE(r.pass()) << r.to_text();
}

TEST(BenchScript, StillPhaseChangesNothingTheFramesShow) {
  dg::SessionScript script = dg::SessionScript::bench();
  dg::AppState state;
  std::optional<dg::ForwardJob> still_job;
  int still_frames = 0;
  for (double now = 0; now < 9.0; now += 0.01) {
    script.before_frame(state, now, {});
    state.refresh_schedules();
    if (now > 3.6 && now < 7.9) {   // inside the still phase (3 s .. 8 s), after its first frames
      EXPECT_FALSE(state.playback.playing) << now;
      EXPECT_FALSE(state.compare) << now;
      const dg::ForwardJob job = dg::make_forward_job(state);
      if (still_job) EXPECT_TRUE(dg::same_job(job, *still_job)) << now;
      still_job = job;
      ++still_frames;
    }
    script.after_frame(10.0, {});
  }
  EXPECT_GT(still_frames, 400);
  EXPECT_TRUE(state.playback.playing);   // the idle phase plays again
}

TEST(BenchScript, LatePointsAndSlowBusyFramesFailTheirBars) {
  const dg::BenchReport r = drive_bench(3, 10.0, 13.0).report;
  EXPECT_DOUBLE_EQ(r.points_latency.p95_frames, 3.0);
  EXPECT_NEAR(r.busy_idle_p95_ratio, 1.3, 1e-12);
  ASSERT_EQ(r.bars.size(), 3u);
  EXPECT_FALSE(r.bars[0].pass);   // busy p95 / idle p95
  EXPECT_TRUE(r.bars[1].pass);    // curves
  EXPECT_FALSE(r.bars[2].pass);   // points
  EXPECT_FALSE(r.pass());
  EXPECT_NE(r.to_text().find("FAIL"), std::string::npos);
}

TEST(BenchScript, NothingMeasuredIsNotAPass) {
  dg::BenchReport empty;
  EXPECT_FALSE(empty.pass());
  dg::SessionScript script = dg::SessionScript::bench();
  EXPECT_FALSE(script.bench_report().pass());
  EXPECT_EQ(script.exit_code(), 1);
}

// ---- Report files ----

TEST(SessionReportJson, BenchShape) {
  const dg::BenchReport r = drive_bench(1, 10.0, 11.0).report;
  const auto j = nlohmann::json::parse(r.to_json());
  EXPECT_EQ(j.at("mode"), "bench");
  for (const char* side : {"still", "idle", "busy", "reverse"}) {
    for (const char* key : {"frames", "median_ms", "p95_ms", "p99_ms", "max_ms"}) {
      EXPECT_TRUE(j.at("frame_time").at(side).contains(key)) << side << "." << key;
    }
  }
  EXPECT_DOUBLE_EQ(j.at("frame_time").at("idle").at("p95_ms").get<double>(), 10.0);
  for (const char* latency : {"slider_to_curves", "slider_to_points"}) {
    for (const char* key : {"changes", "unresolved", "median_frames", "p95_frames", "max_frames"}) {
      EXPECT_TRUE(j.at("latency").at(latency).contains(key)) << latency << "." << key;
    }
  }
  for (const char* key : {"forward_frames_per_second_idle", "forward_frames_per_second_busy",
                          "forward_compute_ms_median", "reverse_point_steps_per_second", "training_steps_per_second"}) {
    EXPECT_TRUE(j.at("throughput").contains(key)) << key;
  }
  ASSERT_EQ(j.at("bars").size(), 3u);
  for (const auto& bar : j.at("bars")) {
    EXPECT_TRUE(bar.at("name").is_string());
    EXPECT_TRUE(bar.at("pass").is_boolean());
    EXPECT_TRUE(bar.at("value").is_number());
    EXPECT_TRUE(bar.at("limit").is_number());
  }
  EXPECT_EQ(j.at("pass").get<bool>(), r.pass());
}

TEST(SessionReportJson, SoakShape) {
  TempDir dir("json");
  const dg::SoakReport r = run_soak_report(dir, [](double) { return std::size_t(200) << 20; }, 0.0);
  const auto j = nlohmann::json::parse(r.to_json());
  EXPECT_EQ(j.at("mode"), "soak");
  EXPECT_EQ(j.at("seed").get<int>(), 5);
  for (const char* key : {"warmup_seconds", "samples", "baseline_bytes", "max_bytes", "growth_percent"}) {
    EXPECT_TRUE(j.at("rss").contains(key)) << key;
  }
  EXPECT_TRUE(j.at("frame_time").contains("max_ms"));
  EXPECT_TRUE(j.at("worker").contains("forward_answer_max_seconds"));
  EXPECT_EQ(j.at("actions").size(), static_cast<std::size_t>(dg::kSoakActionCount));
  int total = 0;
  for (const auto& count : j.at("actions")) total += count.get<int>();
  EXPECT_GT(total, dg::kSoakActionCount);
  EXPECT_EQ(j.at("bars").size(), 3u);
  EXPECT_TRUE(j.at("pass").get<bool>());
}

TEST(SessionReportJson, WrittenThroughATempFile) {
  TempDir dir("write");
  const std::string path = (dir.path / "report.json").string();
  EXPECT_EQ(dg::write_report_file(path, "{}\n"), "");
  std::ifstream in(path);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(text, "{}\n");
  EXPECT_EQ(std::distance(fs::directory_iterator(dir.path), fs::directory_iterator()), 1);  // no temporary file
  const std::string error = dg::write_report_file((dir.path / "missing" / "r.json").string(), "{}");
  EXPECT_NE(error.find("missing"), std::string::npos) << error;
}
