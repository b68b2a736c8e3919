// Equality of the reverse view's plain values (what decides whether a run restarts), and the
// clipping suffix of every panel label.
#include "gui/protocol/reverse_jobs.hpp"
#include "diffusion/schedule.hpp"

#include <cmath>
#include <cstdio>
#include <limits>
#include <stdexcept>

namespace diffuscope::gui {

namespace {

// "−1", "2.5": U+2212 for the minus, as the equation panel writes it.
std::string range_end(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%g", std::fabs(value));
  return (value < 0 ? "−" : "") + std::string(buffer);
}

}  // namespace

std::string clip_range_text(double min, double max) { return "[" + range_end(min) + ", " + range_end(max) + "]"; }

std::string clip_label(const diffusion::ReverseConfig& sampler) {
  if (!sampler.clip_x0) return "";
  return " · x̂₀ clipped to " + clip_range_text(sampler.clip_min, sampler.clip_max);
}

bool operator==(const ReversePanelSpec& a, const ReversePanelSpec& b) {
  // Every sampler field counts, also those the sigma kind does not use: simple and safe (an
  // unused field changing costs one restart, never a stale trajectory).
  const diffusion::ReverseConfig& x = a.sampler;
  const diffusion::ReverseConfig& y = b.sampler;
  const bool same_sampler = x.sigma == y.sigma && x.interpolation == y.interpolation &&
                            x.eta == y.eta && x.clip_x0 == y.clip_x0 &&
                            x.clip_min == y.clip_min && x.clip_max == y.clip_max;
  return a.schedule == b.schedule && same_sampler && a.steps == b.steps &&
         a.spacing == b.spacing && a.denoiser == b.denoiser && a.model_target == b.model_target &&
         a.ode_solver == b.ode_solver && a.process == b.process && a.class_id == b.class_id &&
         a.guidance == b.guidance;
}

double shown_alpha_bar(const SteppedPanelFrame& panel) {
  if (!panel.schedule.built) return std::numeric_limits<double>::quiet_NaN();
  return panel.schedule.built->alpha_bar(panel.shown_t);
}

int effective_steps(int steps, int T) {
  if (T < 1) return 1;
  if (steps <= 0 || steps >= T) return T;
  return steps;
}

int panel_network_evaluations(const ReversePanelSpec& spec, int T) {
  if (is_guided(spec)) {  // null class and class at every evaluation of the sampler
    ReversePanelSpec unguided = spec;
    unguided.class_id = diffusion::kNullClass;
    return 2 * panel_network_evaluations(unguided, T);
  }
  const int K = effective_steps(spec.steps, T);
  // Flow matching: Euler K, Heun 2K − 1 (its last step, to τ = 0, is plain Euler): flow_nfe's count,
  // here without LibTorch.
  if (spec.process == diffusion::ProcessFamily::Flow) return spec.ode_solver == diffusion::OdeSolver::Heun ? 2 * K - 1 : K;
  if (spec.ode_solver != diffusion::OdeSolver::Heun) return K;
  if (spec.schedule.built && spec.schedule.built->T() == T) {
    try {
      return diffusion::ode_network_evaluations(*spec.ode_solver, diffusion::sampling_steps(*spec.schedule.built, K, spec.spacing));
    } catch (const std::exception&) {
      // A spacing that cannot make K steps: the panel's error says so; count as if it could.
    }
  }
  return 2 * K - 1;
}

std::string sampler_caption(const ReversePanelSpec& spec) {
  if (spec.process == diffusion::ProcessFamily::Flow) return flow_sampler_caption(spec.ode_solver);
  if (spec.ode_solver) {
    switch (*spec.ode_solver) {
      case diffusion::OdeSolver::Euler: return "ODE Euler";
      case diffusion::OdeSolver::Heun: return "ODE Heun";
      case diffusion::OdeSolver::DpmSolverPP2M: return "ODE DPM++";
    }
  }
  char sampler[64] = "";
  switch (spec.sampler.sigma) {
    case diffusion::SigmaKind::Small: std::snprintf(sampler, sizeof sampler, "σ² = β̃"); break;
    case diffusion::SigmaKind::Large: std::snprintf(sampler, sizeof sampler, "σ² = β"); break;
    case diffusion::SigmaKind::Interpolated:
      std::snprintf(sampler, sizeof sampler, "σ² interp. v = %.2g", spec.sampler.interpolation);
      break;
    case diffusion::SigmaKind::DDIM: std::snprintf(sampler, sizeof sampler, "DDIM η = %.2g", spec.sampler.eta); break;
  }
  return sampler;
}

std::string flow_sampler_caption(std::optional<diffusion::OdeSolver> solver) {
  switch (solver.value_or(diffusion::OdeSolver::Euler)) {
    case diffusion::OdeSolver::Euler: return "flow · Euler";
    case diffusion::OdeSolver::Heun: return "flow · Heun";
    case diffusion::OdeSolver::DpmSolverPP2M: break;
  }
  return "flow · DPM++ (not a flow solver)";  // the panel's error says so
}

std::string sampler_and_steps_label(const ReversePanelSpec& spec, int T) {
  // NFE before K: narrow panels drop the trailing parts first (caption_forms.hpp), and NFE is
  // what the samplers are compared by (equal to K except for Heun).
  return sampler_caption(spec) + " · NFE = " + std::to_string(panel_network_evaluations(spec, T)) + " · K = " +
         std::to_string(effective_steps(spec.steps, T));
}

std::string guidance_caption(const ReversePanelSpec& spec) {
  if (!is_guided(spec)) return "";
  char text[64];
  std::snprintf(text, sizeof text, "class %d · w = %g", spec.class_id, spec.guidance);
  return text;
}

std::string panel_label(const ReversePanelSpec& spec, int T) {
  // Class and w lead: the guidance compare differs in w, and narrow panels drop trailing parts.
  if (is_guided(spec)) return guidance_caption(spec) + " · " + unguided_panel_label(spec, T);
  return unguided_panel_label(spec, T);
}

std::string unguided_panel_label(const ReversePanelSpec& spec, int T) {
  const std::string sampler_and_k = sampler_and_steps_label(spec, T);  // its NFE counts guidance
  // Flow matching clips nothing and has one learned model per dataset (its velocity model).
  if (spec.process == diffusion::ProcessFamily::Flow)
    return sampler_and_k + " · " + (spec.denoiser == DenoiserKind::Model ? "learned" : "exact");
  // A chosen target leads, so that the shortened forms of narrow panels (which drop trailing
  // parts) still say what differs in the prediction-target compare.
  if (spec.denoiser == DenoiserKind::Model && spec.model_target)
    return "learned " + std::string(diffusion::target_symbol(*spec.model_target)) + "-model · " + sampler_and_k +
           clip_label(spec.sampler);
  return sampler_and_k + " · " + (spec.denoiser == DenoiserKind::Model ? "learned" : "exact") + clip_label(spec.sampler);
}

}  // namespace diffuscope::gui
