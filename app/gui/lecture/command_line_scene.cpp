#include "gui/lecture/command_line_scene.hpp"

#include <algorithm>
#include <optional>

#include <nlohmann/json.hpp>

#include "diffusion/datasets2d.hpp"
#include "diffusion/reverse_config.hpp"
#include "diffusion/sampling_steps.hpp"
#include "gui/state/images_state.hpp"
#include "gui/state/reverse_state.hpp"

namespace diffuscope::gui {

namespace {

using Json = nlohmann::json;

std::optional<ReversePreset> preset_of(const std::string& name, bool images) {
  if (name == "sigma") return ReversePreset::SigmaComparison;
  if (name == "steps") return ReversePreset::StepsComparison;
  if (images) return std::nullopt;  // the Images view has no denoiser, target or ODE comparisons
  if (name == "target") return ReversePreset::TargetComparison;
  if (name == "denoiser") return ReversePreset::DenoiserComparison;
  if (name == "ode") return ReversePreset::OdeSolverComparison;
  if (name == "guidance") return ReversePreset::GuidanceComparison;
  if (name == "flow") return ReversePreset::FlowComparison;
  return std::nullopt;
}

// The sampler flags as a sampling section's panels: panel 0 from --sigma, --eta,
// --interpolation and K; a --reverse-compare preset expands it into the preset's panels.
Json sampling_keys(SamplingSettings sampling, const GuiOptions& o, diffusion::ScheduleKind family, int steps,
                   bool images) {
  ReversePanelSettings& p0 = sampling.panels[0];
  p0.sampler.sigma = diffusion::parse_sigma_kind(o.sigma).value_or(diffusion::SigmaKind::Small);
  p0.sampler.eta = std::clamp(o.eta, 0.0, 1.0);
  p0.sampler.interpolation = std::clamp(o.interpolation, 0.0, 1.0);
  // --sigma ode: the probability-flow ODE with --solver (default heun, as `sample --sigma ode`);
  // --process flow: flow matching with --solver (default euler, as `sample --process flow`).
  const std::optional<diffusion::OdeSolver> solver = diffusion::parse_ode_solver(o.solver);
  if (o.sigma == "ode") {
    p0.sampler.sigma = diffusion::SigmaKind::DDIM;  // of the sampler only the clipping counts
    p0.sampler.eta = 0.0;
    p0.ode_solver = solver.value_or(diffusion::OdeSolver::Heun);
  }
  if (!images && o.process == "flow") {
    p0.process = diffusion::ProcessFamily::Flow;
    p0.ode_solver = solver.value_or(diffusion::OdeSolver::Euler);
  }
  if (!images) p0.denoiser = o.denoiser == "exact" ? DenoiserKind::Exact : DenoiserKind::Model;
  if (steps >= 0) p0.steps = std::min(steps, diffusion::kMaxTimesteps);  // clamped to T when sent
  p0.family = family;
  sampling.spacing = diffusion::parse_spacing(o.spacing).value_or(diffusion::Spacing::Trailing);
  if (const auto preset = preset_of(o.reverse_compare, images)) {
    const auto dataset = diffusion::parse_dataset2d_kind(o.dataset).value_or(diffusion::Dataset2DKind::Moons);
    apply_reverse_preset(sampling, *preset, family, has_conditional_model(dataset));
  }
  return Json::parse(sampling_scene_json(sampling, !images));
}

bool has_overlay(const GuiOptions& o, const char* name) {
  return ("," + o.overlay + ",").find("," + std::string(name) + ",") != std::string::npos;
}

Json reverse_section(const AppState& fresh, const GuiOptions& o, diffusion::ScheduleKind family) {
  Json r = sampling_keys(fresh.reverse, o, family, std::max(0, o.steps), false);
  if (has_overlay(o, "score")) r["field"] = "score";
  if (has_overlay(o, "eps")) r["field"] = "eps";
  r["predicted_x0"] = has_overlay(o, "x0");
  r["posterior"] = has_overlay(o, "posterior");
  r["trajectories"] = o.overlay.empty() || has_overlay(o, "paths");  // paths are on by default
  // Evenly spread indices: x_T is i.i.d., so these are as good as clicked ones (and reproducible).
  Json tracked = Json::array();
  const int n = fresh.reverse.n_points;
  for (int k = 0; k < std::clamp(o.track, 0, kMaxTrackedPoints); ++k) {
    tracked.push_back((2 * k + 1) * n / (2 * kMaxTrackedPoints));
  }
  r["tracked"] = tracked;
  return r;
}

Json images_section(const AppState& fresh, const GuiOptions& o, diffusion::ScheduleKind family) {
  Json im = sampling_keys(fresh.images.sampling, o, family, o.images_steps, true);
  const int count = o.image_count > 0 ? std::clamp(o.image_count, kMinImageCount, kMaxImageCount)
                                      : fresh.images.image_count;
  if (o.image_count > 0) im["image_count"] = count;
  im["selected"] = std::clamp(o.image_select, 0, count - 1);
  im["model_path"] = o.image_model;
  return im;
}

// The cursor: the forward view starts where the moons are still recognisable through the noise
// (ᾱ_t ≈ 0.9 for linear) unless --t; the reverse and Images views follow their runs and settle at
// --t (--image-t) once they have finished.
std::optional<int> cursor_of(const GuiOptions& o, int T) {
  int t = o.t;
  if (o.view == "forward") t = o.t >= 0 ? o.t : std::max(1, T / 10);
  if (o.view == "images" && o.image_t >= 0) t = o.image_t;
  if (t < 0) return std::nullopt;
  return std::min(t, T);
}

}  // namespace

std::string command_line_scene_json(const GuiOptions& o) {
  const AppState fresh;
  Json scene = {{"format", kSceneFormat}, {"version", kSceneVersion}};
  scene["ui_scale"] = std::clamp(static_cast<double>(o.ui_scale), 1.0, 3.0);
  if (o.theme == "dark" || o.theme == "light") scene["theme"] = o.theme;
  const bool compare = o.compare || o.b_flow;   // --b-flow compares A with flow matching's path
  const diffusion::ScheduleKind family = compare ? diffusion::ScheduleKind::Linear : fresh.a.params.kind;
  if (compare) {
    // B = cosine against a linear A; SNR on a log axis shows them best.
    scene["schedules"]["A"]["kind"] = std::string(diffusion::to_string(diffusion::ScheduleKind::Linear));
    diffusion::ScheduleParams linear_a = fresh.a.params;
    linear_a.kind = diffusion::ScheduleKind::Linear;
    scene["schedules"]["B"]["kind"] = std::string(diffusion::to_string(default_compare_params(linear_a).kind));
    scene["compare"] = true;
    scene["coefficient_tab"] = 1;
    if (o.b_flow) {
      scene["b_flow"] = true;
      scene["coefficient_tab"] = 2;   // log-SNR: the path's 2 log((1 − τ)/τ) beside A's on a linear axis
    }
  }
  if (o.process == "markov" || o.process == "naive") scene["process"] = o.process;
  if (diffusion::parse_dataset2d_kind(o.dataset)) scene["dataset"] = o.dataset;
  scene["reverse"] = reverse_section(fresh, o, family);
  scene["images"] = images_section(fresh, o, family);
  scene["view"] = o.view == "reverse" || o.view == "images" ? o.view : "forward";
  if (const auto t = cursor_of(o, fresh.max_T())) scene["t"] = *t;
  return scene.dump();
}

SceneLoad apply_command_line(AppState& state, const GuiOptions& options) {
  SceneLoad load = apply_scene_json(command_line_scene_json(options), state, "the command line", "");
  if (!state.reverse.tracked.empty()) state.reverse.picked = state.reverse.tracked.front();
  state.images.device_defaults_applied = false;
  return load;
}

}  // namespace diffuscope::gui
