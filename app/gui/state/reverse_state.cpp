#include "gui/state/reverse_state.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <system_error>

#include "diffusion/assets.hpp"

#include "diffusion/schedule.hpp"
#include "gui/state/app_state.hpp"
#include "gui/state/choice_tables.hpp"
#include "gui/state/equations.hpp"

namespace diffuscope::gui {

namespace {

bool same_config(const diffusion::ReverseConfig& x, const diffusion::ReverseConfig& y) {
  return x.sigma == y.sigma && x.interpolation == y.interpolation && x.eta == y.eta &&
         x.clip_x0 == y.clip_x0 && x.clip_min == y.clip_min && x.clip_max == y.clip_max;
}

bool same_overlays(const ReverseOverlays& x, const ReverseOverlays& y) {
  return x.field == y.field && x.field_grid == y.field_grid && x.half_range == y.half_range &&
         x.predicted_x0 == y.predicted_x0 && x.tracked == y.tracked && x.picked == y.picked;
}

diffusion::ReverseConfig ddim(double eta) {
  diffusion::ReverseConfig c;
  c.sigma = diffusion::SigmaKind::DDIM;
  c.eta = eta;
  return c;
}

diffusion::ReverseConfig sigma_only(diffusion::SigmaKind kind) {
  diffusion::ReverseConfig c;
  c.sigma = kind;
  return c;
}

}  // namespace

const std::vector<ReversePreset>& all_reverse_presets() {
  static const std::vector<ReversePreset> presets = values_of<ReversePreset>();
  return presets;
}

const char* reverse_preset_label(ReversePreset preset) { return label_of(preset); }

ClipRange data_clip_range(diffusion::Dataset2DKind dataset) {
  // Computed once for every dataset (thread-safe static initialisation; ~10 ms).
  static const std::vector<ClipRange> ranges = [] {
    std::vector<ClipRange> out;
    for (diffusion::Dataset2DKind kind : diffusion::all_dataset2d_kinds()) {
      const diffusion::Dataset2D data = diffusion::make_dataset2d(kind, 10000, 1);
      const auto [lo, hi] = std::minmax_element(data.xy.begin(), data.xy.end());
      out.push_back({std::floor(*lo * 2.0) / 2.0, std::ceil(*hi * 2.0) / 2.0});
    }
    return out;
  }();
  const auto& kinds = diffusion::all_dataset2d_kinds();
  const auto it = std::find(kinds.begin(), kinds.end(), dataset);
  return it == kinds.end() ? ClipRange{} : ranges[static_cast<std::size_t>(it - kinds.begin())];
}

diffusion::ReverseConfig with_clip_range(diffusion::ReverseConfig sampler, ClipRange range) {
  sampler.clip_min = range.min;
  sampler.clip_max = range.max;
  return sampler;
}

PanelSchedule reverse_panel_schedule(const SamplingSettings& state, int index, const SharedSchedule& a) {
  diffusion::ScheduleParams p = a->params();
  if (index > 0 && index < kMaxReversePanels) p.kind = state.panels[static_cast<std::size_t>(index)].family;
  return p == a->params() ? panel_schedule(a) : panel_schedule(p);
}


std::vector<ReversePanelSpec> make_panel_specs(const SamplingSettings& state, const SharedSchedule& schedule_a,
                                               ClipRange clip_range) {
  std::vector<ReversePanelSpec> specs;
  const int count = std::clamp(state.panel_count, 1, kMaxReversePanels);
  for (int i = 0; i < count; ++i) {
    const ReversePanelSettings& s = state.panels[static_cast<std::size_t>(i)];
    ReversePanelSpec spec;
    spec.schedule = reverse_panel_schedule(state, i, schedule_a);
    spec.sampler = with_clip_range(s.sampler, clip_range);
    // K = T is sent as 0 ("every step"), so that K = T and "all" never count as different runs.
    const int K = effective_steps(s.steps, spec.schedule.T);
    spec.steps = K >= spec.schedule.T ? 0 : K;
    spec.spacing = state.spacing;
    spec.denoiser = s.denoiser;
    spec.model_target = s.model_target;
    spec.ode_solver = s.ode_solver;
    spec.class_id = s.class_id;
    spec.guidance = s.guidance;
    if (is_guided(spec)) spec.model_target.reset();  // guided: the dataset's conditional model
    spec.process = s.process;
    specs.push_back(spec);
  }
  return specs;
}

// A followed run is played from x_T: the worker shows the cursor's state (never one not yet computed).
int job_cursor(const SamplingSettings&, int t) { return std::max(0, t); }

ReverseJob make_reverse_job(const ReverseState& state, const SharedSchedule& schedule_a,
                            diffusion::Dataset2DKind dataset, std::uint64_t model_revision, int t) {
  ReverseJob job;
  job.panels = make_panel_specs(state, schedule_a, data_clip_range(dataset));
  job.dataset = dataset;
  job.n_points = state.n_points;
  job.exact_train_n = state.n_points;
  job.seed = state.seed;
  job.model_revision = model_revision;
  job.t = job_cursor(state, t);
  job.overlays.field = state.field;
  job.overlays.field_grid = std::clamp(state.field_grid, 3, 41);
  job.overlays.half_range = kReverseHalfRange;
  job.overlays.predicted_x0 = state.predicted_x0;
  // Points picked before the count was lowered are left out rather than sent as errors.
  for (int index : state.tracked)
    if (index >= 0 && index < state.n_points) job.overlays.tracked.push_back(index);
  job.overlays.picked = state.posterior && state.picked < state.n_points ? state.picked : -1;
  return job;
}

bool same_panel_spec(const ReversePanelSpec& x, const ReversePanelSpec& y) {
  return x.schedule == y.schedule && same_config(x.sampler, y.sampler) && x.steps == y.steps &&
         x.spacing == y.spacing && x.denoiser == y.denoiser && x.model_target == y.model_target &&
         x.ode_solver == y.ode_solver && x.class_id == y.class_id && x.guidance == y.guidance &&
         x.process == y.process;
}

bool restarts_run(const ReverseJob& x, const ReverseJob& y) {
  if (x.panels.size() != y.panels.size()) return true;
  for (std::size_t i = 0; i < x.panels.size(); ++i) {
    if (!same_panel_spec(x.panels[i], y.panels[i])) return true;
  }
  return x.dataset != y.dataset || x.n_points != y.n_points || x.exact_train_n != y.exact_train_n ||
         x.seed != y.seed || x.model_revision != y.model_revision || x.drawn != y.drawn;
}

bool same_reverse_job(const ReverseJob& x, const ReverseJob& y) {
  return !restarts_run(x, y) && x.t == y.t && same_overlays(x.overlays, y.overlays);
}

void set_panel_count(SamplingSettings& state, int count, diffusion::ScheduleKind family_a) {
  count = std::clamp(count, 1, kMaxReversePanels);
  state.panels[0].family = family_a;
  for (int i = state.panel_count; i < count; ++i) state.panels[static_cast<std::size_t>(i)] = state.panels[0];
  state.panel_count = count;
}

bool has_conditional_model(diffusion::Dataset2DKind dataset) {
  std::error_code ignored;
  return std::filesystem::exists(diffusion::shipped_conditional_model_path(dataset), ignored);
}

void apply_reverse_preset(SamplingSettings& state, ReversePreset preset, diffusion::ScheduleKind family_a,
                          bool conditional_model) {
  ReversePanelSettings base = state.panels[0];
  base.family = family_a;
  auto with = [&](diffusion::ReverseConfig sampler, int steps, DenoiserKind denoiser) {
    ReversePanelSettings s = base;
    s.sampler = sampler;
    s.sampler.clip_x0 = base.sampler.clip_x0;  // the presets vary σ and K, not the clipping
    s.steps = steps;
    s.denoiser = denoiser;
    s.ode_solver.reset();  // the presets that solve the ODE say so (ode below)
    s.process = diffusion::ProcessFamily::Ddpm;  // and those of flow matching (flow below)
    s.class_id = diffusion::kNullClass;          // and the guidance compare its class (below)
    return s;
  };
  auto ode = [&](diffusion::OdeSolver solver, int steps) {
    ReversePanelSettings s = with(ddim(0.0), steps, base.denoiser);
    s.ode_solver = solver;
    return s;
  };
  auto flow = [&](diffusion::OdeSolver solver, int steps) {
    ReversePanelSettings s = with(ddim(0.0), steps, DenoiserKind::Model);
    s.process = diffusion::ProcessFamily::Flow;
    s.ode_solver = solver;
    return s;
  };
  auto learned = [&](diffusion::PredictionTarget target) {
    ReversePanelSettings s = with(ddim(0.0), 50, DenoiserKind::Model);
    s.model_target = target;
    return s;
  };
  switch (preset) {
    case ReversePreset::SigmaComparison:
      state.panels = {with(sigma_only(diffusion::SigmaKind::Small), base.steps, base.denoiser),
                      with(sigma_only(diffusion::SigmaKind::Large), base.steps, base.denoiser),
                      with(ddim(0.0), base.steps, base.denoiser),
                      with(ddim(1.0), base.steps, base.denoiser)};
      state.panel_count = 4;
      break;
    case ReversePreset::StepsComparison:
      state.panels = {with(ddim(0.0), 0, base.denoiser), with(ddim(0.0), 100, base.denoiser),
                      with(ddim(0.0), 20, base.denoiser), with(ddim(0.0), 5, base.denoiser)};
      state.panel_count = 4;
      break;
    case ReversePreset::DenoiserComparison:
      state.panels[0] = with(base.sampler, base.steps, DenoiserKind::Model);
      state.panels[1] = with(base.sampler, base.steps, DenoiserKind::Exact);
      state.panels[0].ode_solver = state.panels[1].ode_solver = base.ode_solver;
      state.panels[0].process = state.panels[1].process = base.process;
      state.panel_count = 2;
      break;
    case ReversePreset::TargetComparison:
      state.panels = {learned(diffusion::PredictionTarget::Eps), learned(diffusion::PredictionTarget::X0),
                      learned(diffusion::PredictionTarget::V), base};
      state.panel_count = 3;
      break;
    case ReversePreset::OdeSolverComparison:
      state.panels = {with(sigma_only(diffusion::SigmaKind::Small), kOdeCompareNfe, base.denoiser),
                      with(ddim(0.0), kOdeCompareNfe, base.denoiser),
                      ode(diffusion::OdeSolver::Heun, kOdeCompareHeunSteps),
                      ode(diffusion::OdeSolver::DpmSolverPP2M, kOdeCompareNfe)};
      state.panel_count = 4;
      break;
    case ReversePreset::FlowComparison:
      // Learned models throughout (the dataset's DDPM and flow-matching models), about 10 NFE each
      // (flow Heun: K = 5, 9 evaluations), from the same x_T.
      state.panels = {with(sigma_only(diffusion::SigmaKind::Small), kOdeCompareNfe, DenoiserKind::Model),
                      with(ddim(0.0), kOdeCompareNfe, DenoiserKind::Model),
                      flow(diffusion::OdeSolver::Euler, kOdeCompareNfe),
                      flow(diffusion::OdeSolver::Heun, kOdeCompareHeunSteps)};
      for (ReversePanelSettings& s : state.panels) {   // unconditional: no class, no guidance
        s.class_id = diffusion::kNullClass;
        s.guidance = 1.0;
        s.model_target.reset();   // the dataset's current model
      }
      state.panel_count = 4;
      break;
    case ReversePreset::GuidanceComparison: {
      const int class_id = base.class_id == diffusion::kNullClass ? 0 : base.class_id;
      for (int i = 0; i < kMaxReversePanels; ++i) {
        ReversePanelSettings s =
            with(base.sampler, base.steps, conditional_model ? DenoiserKind::Model : DenoiserKind::Exact);
        s.ode_solver = base.ode_solver;
        s.model_target.reset();  // the conditional model predicts what it was trained to
        s.class_id = class_id;
        s.guidance = kGuidanceCompareScales[i];
        state.panels[static_cast<std::size_t>(i)] = s;
      }
      state.panel_count = 4;
      break;
    }
  }
}

std::vector<int> visited_timesteps(int T, int steps, diffusion::Spacing spacing, std::string* error) {
  try {
    return diffusion::respaced_timesteps(T, effective_steps(steps, T), spacing);
  } catch (const std::exception& e) {
    if (error) *error = e.what();
    return {};
  }
}

int followed_cursor(const ReverseFrame& frame, int timeline_T) {
  if (frame.panels.empty()) return -1;
  const ReversePanelFrame& p = frame.panels.front();
  return rescale_cursor(p.shown_t, p.schedule.T, timeline_T);
}

int panel_frontier(const SteppedPanelFrame& panel, int timeline_T) {
  if (panel.states_done <= 0) return -1;
  const std::size_t newest = static_cast<std::size_t>(panel.states_done - 1);
  const int t = newest < panel.visited_t.size() ? panel.visited_t[newest] : 0;  // state K: x_0
  return rescale_cursor(t, panel.schedule.T, timeline_T);
}

int run_frontier(const ReverseFrame& frame, int timeline_T) {
  if (frame.panels.empty()) return -1;
  int frontier = 0;
  for (const ReversePanelFrame& p : frame.panels) {
    if (!p.error.empty()) continue;
    const int f = panel_frontier(p, timeline_T);
    if (f < 0) return -1;
    frontier = std::max(frontier, f);
  }
  return frontier;
}

bool run_settled(const ReverseFrame& frame) {
  if (frame.panels.empty()) return false;
  for (const ReversePanelFrame& p : frame.panels) {
    if (!p.finished && p.error.empty()) return false;
  }
  return true;
}

bool distance_is_current(const ReversePanelFrame& panel) {
  return std::isfinite(panel.sliced_wasserstein) && panel.sliced_wasserstein_state == panel.shown_state;
}

bool distances_settled(const ReverseFrame& frame) {
  for (const ReversePanelFrame& p : frame.panels) {
    if (p.error.empty() && !distance_is_current(p)) return false;
  }
  return !frame.panels.empty();
}

int replay_end(const ReverseCursor& cursor, int timeline_T) {
  return cursor.final_t >= 0 ? std::clamp(cursor.final_t, 0, std::max(0, timeline_T)) : 0;
}

int settle_followed_cursor(ReverseCursor& cursor, int frontier, bool settled, int t, int timeline_T) {
  if (!cursor.follow) return t;
  cursor.frontier = frontier;
  cursor.run_done = settled;
  const int end = replay_end(cursor, timeline_T);
  if (settled && (cursor.jump_to_end || t <= end)) {
    cursor.follow = false;  // the run is told: the lecturer's timeline again
    cursor.final_t = -1;
    cursor.frontier = -1;
    cursor.run_done = false;
    return end;
  }
  if (frontier < 0) return std::max(0, timeline_T);  // nothing computed yet: x_T
  return std::clamp(std::max(t, frontier), 0, std::max(0, timeline_T));  // never ahead of the run
}

int settle_cursor(ReverseCursor& cursor, const ReverseFrame* frame, int t, int timeline_T) {
  if (!cursor.follow) return t;
  return settle_followed_cursor(cursor, frame ? run_frontier(*frame, timeline_T) : -1, frame && run_settled(*frame), t,
                                timeline_T);
}

int nearest_point(const std::vector<float>& xy, double x, double y, double max_distance) {
  int best = -1;
  double best_d2 = max_distance * max_distance;
  const std::size_t n = xy.size() / 2;
  for (std::size_t i = 0; i < n; ++i) {
    const double px = xy[2 * i], py = xy[2 * i + 1];
    if (!std::isfinite(px) || !std::isfinite(py)) continue;
    const double d2 = (px - x) * (px - x) + (py - y) * (py - y);
    if (d2 <= best_d2) {
      best_d2 = d2;
      best = static_cast<int>(i);
    }
  }
  return best;
}

void track_point(ReverseState& state, int index) {
  if (index < 0) return;
  state.picked = index;
  if (std::find(state.tracked.begin(), state.tracked.end(), index) != state.tracked.end()) return;
  state.tracked.push_back(index);
  while (static_cast<int>(state.tracked.size()) > kMaxTrackedPoints) state.tracked.erase(state.tracked.begin());
}

void clear_tracked(ReverseState& state) {
  state.tracked.clear();
  state.picked = -1;
}

double arrow_scale(const std::vector<float>& vectors, double cell) {
  std::vector<double> lengths;
  lengths.reserve(vectors.size() / 2);
  for (std::size_t i = 0; i + 1 < vectors.size(); i += 2) {
    const double l = std::hypot(static_cast<double>(vectors[i]), static_cast<double>(vectors[i + 1]));
    if (std::isfinite(l) && l > 0.0) lengths.push_back(l);
  }
  if (lengths.empty() || !(cell > 0.0)) return 0.0;
  // Nearest-rank 90th percentile.
  const std::size_t rank = static_cast<std::size_t>(std::ceil(0.9 * static_cast<double>(lengths.size())));
  const std::size_t k = std::clamp<std::size_t>(rank, 1, lengths.size()) - 1;
  std::nth_element(lengths.begin(), lengths.begin() + static_cast<std::ptrdiff_t>(k), lengths.end());
  return 0.8 * cell / lengths[k];
}

TrainingJob make_training_job(const ReverseState& state, diffusion::Dataset2DKind dataset) {
  TrainingJob job;
  job.dataset = dataset;
  job.steps = std::clamp(state.training_steps, kMinTrainingSteps, kMaxTrainingSteps);
  job.seed = 1;
  job.from_current = state.training_from_current;
  return job;
}

std::string swd_text(double sliced_wasserstein, int reference_class) {
  const std::string to = reference_class >= 0 ? "SWD to class " + std::to_string(reference_class) : "SWD to data";
  if (!std::isfinite(sliced_wasserstein)) return to + " = …";
  char value[32];
  std::snprintf(value, sizeof value, "%.3g", sliced_wasserstein);
  return to + " = " + value;
}

std::string path_ratio_text(double path_length_ratio, bool compact) {
  if (!std::isfinite(path_length_ratio)) return "";
  char text[64];
  std::snprintf(text, sizeof text, compact ? "len/dist %.2f" : "path length / distance: %.2f", path_length_ratio);
  return text;
}

std::string posterior_label(int t, int t_prev) {
  return "q(x" + subscript(t_prev) + " | x" + subscript(t) + ", x̂₀)";
}

std::string copies_text(double copied_share, CopyRadiusText radius) {
  std::string text = "copies …";
  if (std::isfinite(copied_share)) {
    const double percent = 100.0 * std::clamp(copied_share, 0.0, 1.0);
    char number[32];
    // "0 %" and "100 %" only when exact: 99.96 % reads "99.9 %", not "100 %".
    if (percent == 0.0 || percent == 100.0) std::snprintf(number, sizeof number, "%.0f", percent);
    else std::snprintf(number, sizeof number, "%.1f", std::clamp(std::floor(percent * 10.0) / 10.0, 0.1, 99.9));
    text = std::string("copies ") + number + " %";
  }
  if (radius != CopyRadiusText::None) {
    char suffix[64];
    std::snprintf(suffix, sizeof suffix, radius == CopyRadiusText::Long ? " (≤ %g from a training point)" : " (≤ %g)",
                  kCopyRadius);
    text += suffix;
  }
  return text;
}


}  // namespace diffuscope::gui
