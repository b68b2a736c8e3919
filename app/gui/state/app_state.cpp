#include "gui/state/app_state.hpp"

#include "diffusion/schedule.hpp"
#include "gui/state/choice_tables.hpp"

#include <algorithm>
#include <cmath>
#include <utility>

namespace diffuscope::gui {

ScheduleSlot::ScheduleSlot(const diffusion::ScheduleParams& initial) : params(initial) {
  try {
    schedule_ = std::make_shared<const diffusion::Schedule>(initial);
  } catch (const diffusion::ScheduleError& e) {
    // Only reachable with bad hand-made initial params: fall back to the library defaults.
    error_ = e.what();
    schedule_ = std::make_shared<const diffusion::Schedule>(diffusion::ScheduleParams{});
  }
  attempted_ = params;
  warnings_ = schedule_warnings(*schedule_);
}

const diffusion::ScheduleParams& ScheduleSlot::good_params() const { return schedule_->params(); }

bool ScheduleSlot::refresh() {
  if (params == attempted_) return false;
  attempted_ = params;
  try {
    schedule_ = std::make_shared<const diffusion::Schedule>(params);
  } catch (const diffusion::ScheduleError& e) {
    error_ = e.what();
    return false;
  }
  error_.clear();
  warnings_ = schedule_warnings(*schedule_);
  ++revision_;
  return true;
}

int advance_playback(Playback& playback, int t, int T, double dt_seconds) {
  if (!playback.playing || T <= 0) return t;
  const double speed = std::clamp(playback.steps_per_second, kMinPlaybackSpeed, kMaxPlaybackSpeed);
  // A long stall (window dragged, breakpoint) must not jump far: at most 0.25 s of playback.
  playback.carry += speed * std::clamp(dt_seconds, 0.0, 0.25);
  const double whole = std::floor(playback.carry);
  playback.carry -= whole;
  long long next = static_cast<long long>(t) + static_cast<long long>(whole);
  if (next > T) {
    if (playback.loop) {
      next = 0;  // restart at the clean data so the lecture sees the whole process again
    } else {
      next = T;
      playback.playing = false;
      playback.carry = 0.0;
    }
  }
  return static_cast<int>(std::clamp<long long>(next, 0, T));
}

int advance_playback_down(Playback& playback, int t, int T, double dt_seconds) {
  if (!playback.playing || T <= 0) return t;
  const double speed = std::clamp(playback.steps_per_second, kMinPlaybackSpeed, kMaxPlaybackSpeed);
  playback.carry += speed * std::clamp(dt_seconds, 0.0, 0.25);
  const double whole = std::floor(playback.carry);
  playback.carry -= whole;
  long long next = static_cast<long long>(t) - static_cast<long long>(whole);
  if (next < 0) {
    if (playback.loop) {
      next = T;  // back to pure noise: the class sees the whole denoising again
    } else {
      next = 0;
      playback.playing = false;
      playback.carry = 0.0;
    }
  }
  return static_cast<int>(std::clamp<long long>(next, 0, T));
}

int advance_replay(Playback& playback, const ReverseCursor& cursor, int t, int T, double dt_seconds) {
  T = std::max(0, T);
  t = std::clamp(t, 0, T);
  const int end = replay_end(cursor, T);
  if (t <= end) {
    playback.playing = false;  // played to the end: stops there (no loop)
    playback.carry = 0.0;
    return t;
  }
  // Headless captures hold x_T until the run settles, then jump (settle_followed_cursor): a cursor
  // moving every frame would send the worker a job every frame and slow the run down.
  if (cursor.jump_to_end) return t;
  playback.playing = true;
  if (cursor.frontier < 0) return t;  // nothing computed yet: x_T stays
  const int floor_t = std::max(cursor.frontier, end);
  const double speed = std::clamp(playback.steps_per_second, kMinPlaybackSpeed, kMaxPlaybackSpeed);
  playback.carry += speed * std::clamp(dt_seconds, 0.0, 0.25);
  const double whole = std::floor(playback.carry);
  playback.carry -= whole;
  long long next = static_cast<long long>(t) - static_cast<long long>(whole);
  if (next <= floor_t) {
    next = std::min<long long>(t, floor_t);  // waits for the run (never ahead of it), or at the end
    playback.carry = 0.0;
  }
  if (next <= end) playback.playing = false;
  return static_cast<int>(std::clamp<long long>(next, 0, T));
}

int rescale_cursor(int t, int old_T, int new_T) {
  if (new_T <= 0) return 0;
  if (old_T <= 0) return std::clamp(t, 0, new_T);
  const double fraction = static_cast<double>(t) / old_T;
  return std::clamp(static_cast<int>(std::lround(fraction * new_T)), 0, new_T);
}

double points_axis_half_range(ForwardProcess process, int T, double naive_beta) {
  if (process != ForwardProcess::Naive) return 4.0;
  const double tb = std::max(0.0, static_cast<double>(T) * naive_beta);
  const double half = 3.0 + 3.0 * std::sqrt(std::isfinite(tb) ? tb : 0.0);
  return std::max(4.0, 2.0 * std::ceil(half / 2.0));
}

diffusion::ScheduleParams default_compare_params(const diffusion::ScheduleParams& a) {
  diffusion::ScheduleParams b;  // library defaults for every family's own fields
  b.T = a.T;
  b.kind = a.kind == diffusion::ScheduleKind::Linear ? diffusion::ScheduleKind::Cosine
                                                     : diffusion::ScheduleKind::Linear;
  return b;
}

int AppState::max_T() const {
  const int T_a = a.schedule()->T();
  if (plays_down(view)) return T_a;
  return compare ? std::max(T_a, b.schedule()->T()) : T_a;
}

bool AppState::b_flow_shown() const {
  return b_is_flow && compare && process == ForwardProcess::ClosedForm;
}

void AppState::set_view(AppView new_view) {
  if (new_view == view) return;
  view_t[static_cast<int>(view)] = t;
  view = new_view;
  picture = PictureOnScreen{};  // the new view's screen reports its own picture
  playback.playing = false;
  playback.carry = 0.0;
  const int saved = view_t[static_cast<int>(view)];
  if (ReverseCursor* cursor = run_cursor()) {
    replay_run(*cursor);  // the run restarts: its story from x_T, in order
    return;
  }
  t = std::clamp(saved >= 0 ? saved : std::max(1, max_T() / 10), 0, max_T());
}

void AppState::replay_run(ReverseCursor& cursor) {
  cursor.follow = true;
  cursor.frontier = -1;
  cursor.run_done = false;
  playback.carry = 0.0;
  t = max_T();
}

ReverseCursor* AppState::run_cursor() {
  if (view == AppView::Reverse) return &reverse.cursor;
  if (view == AppView::Images) return &images.sampling.cursor;
  return nullptr;
}

void AppState::set_cursor(int new_t) { t = std::clamp(new_t, 0, max_T()); }

void AppState::set_compare(bool on) {
  if (on && !b_initialised) {
    b.params = default_compare_params(a.params);
    b.refresh();
    b_initialised = true;
  }
  const int old_max = max_T();
  compare = on;
  t = rescale_cursor(t, old_max, max_T());
}

bool AppState::refresh_schedules() {
  const int old_max = max_T();
  const bool changed_a = a.refresh();
  const bool changed_b = b.refresh();
  const int new_max = max_T();
  if (new_max != old_max) t = rescale_cursor(t, old_max, new_max);
  t = std::clamp(t, 0, new_max);
  return changed_a || changed_b;
}

void AppState::notify(WarningLevel level, std::string text, double seconds) {
  // The same message again (e.g. a repeated worker error) refreshes the old one.
  for (auto& n : notifications) {
    if (n.text == text) {
      n.seconds_left = std::max(n.seconds_left, seconds);
      return;
    }
  }
  notifications.push_back({level, std::move(text), seconds, ++notifications_posted});
  while (notifications.size() > 4) notifications.pop_front();
}

void AppState::age_notifications(double dt_seconds) {
  for (auto& n : notifications) n.seconds_left -= dt_seconds;
  notifications.erase(std::remove_if(notifications.begin(), notifications.end(),
                                     [](const Notification& n) { return n.seconds_left <= 0.0; }),
                      notifications.end());
}

DrawnPoints drawn_data(const AppState& state) {
  return state.use_drawing ? state.drawing.points() : nullptr;
}

std::string data_label(const AppState& state) {
  if (!state.use_drawing) return label_of(state.dataset);
  return std::string(diffusion::kDrawnDatasetName) + " (" + std::to_string(state.drawing.size()) + " points)";
}

ReverseJob with_drawing(ReverseJob job, const AppState& state) {
  job.drawn = drawn_data(state);
  if (job.drawn) {
    // The drawing has one model (trained here, whatever it predicts): no per-target models.
    for (ReversePanelSpec& panel : job.panels) panel.model_target.reset();
  }
  return job;
}

TrainingJob with_drawing(TrainingJob job, const AppState& state) {
  job.drawn = drawn_data(state);
  return job;
}

ForwardJob make_forward_job(const AppState& state) {
  ForwardJob job;
  job.schedule_a = state.a.schedule();
  job.schedule_b = state.b.schedule();
  job.compare = state.compare;
  job.b_flow = state.b_flow_shown();
  job.process = state.process;
  job.naive_beta = state.naive_beta;
  job.dataset = state.dataset;
  job.n_points = state.n_points;
  job.seed = state.seed;
  job.drawn = drawn_data(state);
  job.t = state.t;
  job.image = state.image;
  job.strip_count = 8;
  // The image view shows x0_hat beside x_t only without compare: no U-Net run for nothing.
  job.predict_x0 = state.image && state.image_is_fashion && !state.compare;
  job.image_model_path = state.images.model_path;
  return job;
}

bool same_job(const ForwardJob& x, const ForwardJob& y) {
  return same_schedule(x.schedule_a, y.schedule_a) &&
         (!x.compare || same_schedule(x.schedule_b, y.schedule_b)) && x.compare == y.compare &&
         x.b_flow == y.b_flow && x.process == y.process && x.naive_beta == y.naive_beta && x.dataset == y.dataset && x.drawn == y.drawn &&
         x.n_points == y.n_points && x.seed == y.seed && x.t == y.t && x.image == y.image &&
         x.strip_count == y.strip_count && x.predict_x0 == y.predict_x0 &&
         x.image_model_path == y.image_model_path;
}

}  // namespace diffuscope::gui
