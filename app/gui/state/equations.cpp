#include "gui/state/equations.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <exception>
#include <limits>

#include "diffusion/log_snr.hpp"
#include "diffusion/ode_solver_kind.hpp"
#include "diffusion/prediction_target.hpp"
#include "diffusion/reverse_config.hpp"
#include "diffusion/sampling_steps.hpp"
#include "diffusion/schedule.hpp"
#include "gui/state/flow_equations.hpp"
#include "gui/state/flow_sampler_equations.hpp"
#include "gui/state/guidance_equation.hpp"
#include "gui/state/shown_moment.hpp"

namespace diffuscope::gui {
namespace {

const char* const kSubscriptDigits[10] = {"₀", "₁", "₂", "₃", "₄", "₅", "₆", "₇", "₈", "₉"};
const char* const kSuperscriptDigits[10] = {"⁰", "¹", "²", "³", "⁴", "⁵", "⁶", "⁷", "⁸", "⁹"};

std::string digits_with(int value, const char* const digits[10], const char* minus) {
  std::string out;
  long long v = value;
  if (v < 0) {
    out = minus;
    v = -v;
  }
  const std::string decimal = std::to_string(v);
  for (char c : decimal) out += digits[c - '0'];
  return out;
}

std::string fmt(double value) { return format_coefficient(value); }

// "x₅₀₀"
std::string x_at(int t) { return "x" + subscript(t); }

// ", SNR₅₀₀ = 0.085, log-SNR = −2.465" style summary of one timestep of a schedule.
std::string snr_numbers(int t, double alpha_bar, double snr, double log_snr) {
  return "ᾱ" + subscript(t) + " = " + fmt(alpha_bar) + ",  SNR" + subscript(t) + " = " + fmt(snr) +
         ",  log-SNR = " + fmt(log_snr);
}

EquationLine snr_line(const std::string& prefix, int group, int t, double alpha_bar, double snr,
                      double log_snr) {
  return {prefix + "signal-to-noise ratio", "SNRₜ = ᾱₜ / (1 − ᾱₜ),  ᾱₜ = ∏ₛ (1 − βₛ)",
          snr_numbers(t, alpha_bar, snr, log_snr), group};
}

// The forward process of one schedule at cursor t (already clamped to its T).
void forward_lines(const AppState& state, const diffusion::Schedule& schedule, int t,
                   const std::string& prefix, int group, std::vector<EquationLine>& out) {
  if (t <= 0) {
    out.push_back({prefix + "t = 0", "x₀: the data", "ᾱ₀ = 1: no noise yet", group});
    return;
  }
  const std::string xt = x_at(t);
  switch (state.process) {
    case ForwardProcess::ClosedForm:
      out.push_back({prefix + "closed form q(xₜ | x₀)", "xₜ = √ᾱₜ · x₀ + √(1 − ᾱₜ) · ε",
                     xt + " = " + fmt(schedule.sqrt_alpha_bar(t)) + " · x₀ + " +
                         fmt(schedule.sqrt_one_minus_alpha_bar(t)) + " · ε",
                     group});
      break;
    case ForwardProcess::Markov:
      out.push_back({prefix + "one Markov step q(xₜ | xₜ₋₁)", "xₜ = √(1 − βₜ) · xₜ₋₁ + √βₜ · ε",
                     xt + " = " + fmt(std::sqrt(schedule.alpha(t))) + " · " + x_at(t - 1) + " + " +
                         fmt(std::sqrt(schedule.beta(t))) + " · ε",
                     group});
      // The lecture's point: t Markov steps have the closed form's distribution.
      out.push_back({prefix + "after t steps: closed form's law", "xₜ ∼ √ᾱₜ · x₀ + √(1 − ᾱₜ) · ε",
                     xt + " ∼ " + fmt(schedule.sqrt_alpha_bar(t)) + " · x₀ + " +
                         fmt(schedule.sqrt_one_minus_alpha_bar(t)) + " · ε",
                     group});
      break;
    case ForwardProcess::Naive: {
      const double beta = state.naive_beta;
      out.push_back({prefix + "naive step (variance exploding)", "xₜ = xₜ₋₁ + √β · ε",
                     xt + " = " + x_at(t - 1) + " + " + fmt(std::sqrt(beta)) + " · ε", group});
      out.push_back({prefix + "after t steps", "xₜ = x₀ + √(t·β) · ε",
                     xt + " = x₀ + " + fmt(std::sqrt(t * beta)) + " · ε", group});
      out.push_back({prefix + "its spread grows without bound", "Var[xₜ] = Var[x₀] + t·β",
                     "Var[" + xt + "] = Var[x₀] + " + fmt(t * beta), group});
      return;  // no schedule, so no SNR of one
    }
  }
  // Presenter mode shows ᾱ, SNR and log-SNR in the large readout: the line would repeat it.
  if (!state.presenter) {
    out.push_back(snr_line(prefix, group, t, schedule.alpha_bar(t), schedule.snr(t), schedule.log_snr(t)));
  }
}

// The reverse state whose panel 0 the current view samples with (Reverse or Images view).
const SamplingSettings& sampling_state(const AppState& state) {
  return state.view == AppView::Images ? state.images.sampling : state.reverse;
}

// Panel 0's sampler as the job builders send it: with the view's clip range (the UI state stores
// only whether to clip).
diffusion::ReverseConfig panel0_sampler(const AppState& state) {
  const diffusion::ReverseConfig& sampler = sampling_state(state).panels[0].sampler;
  return with_clip_range(sampler, state.view == AppView::Images ? kImageClipRange : data_clip_range(state.dataset));
}

// Panel 0's denoiser: the Images view always samples with the image model.
DenoiserKind panel0_denoiser(const AppState& state) {
  return state.view == AppView::Images ? DenoiserKind::Model : state.reverse.panels[0].denoiser;
}

// What panel 0's learned network predicts. The Reverse view's "current" model is the dataset's
// default (shipped models and in-app training predict kDefaultPointTarget); the Images view's
// shipped U-Net predicts ε.
diffusion::PredictionTarget panel0_target(const AppState& state) {
  if (state.view == AppView::Images) return diffusion::PredictionTarget::Eps;
  // A guided panel samples the dataset's conditional model: the shipped ones predict the default.
  const ReversePanelSettings& panel0 = state.reverse.panels[0];
  if (is_guided(panel0.class_id, panel0.process)) return diffusion::kDefaultPointTarget;
  return state.reverse.panels[0].model_target.value_or(diffusion::kDefaultPointTarget);
}

// The timestep whose step the panel describes: the t of the picture on screen (shown_moment.hpp)
// when the view has one (the forward frame's cursor; panel 0's kept state, which with states
// thinned to every k-th may lie up to k − 1 visited steps on the noisy side of the cursor), else
// the cursor's.
int described_t(const AppState& state) { return shown_moment(state).t; }

// Panel 0's step at the cursor: the step out of the shown state (see equations.hpp).
struct CursorStep {
  bool has_step = false;          // false: x₀ reached (t = 0) or no step could be made
  diffusion::SamplingStep step;
  int K = 0, T = 0;
  bool respaced = false;          // K < T: the previous visited timestep is written s
  double sigma = 0;
  std::string error;              // why there is no step list ("" when fine)
  // ODE panels (sigma = 0): the run's network evaluations and DPM-Solver++'s h_last for this
  // step (ode_carried_h of the step before; 0: first order).
  int network_evaluations = 0;
  double h_last = 0;
};

CursorStep cursor_step(const AppState& state, int cursor_t) {
  CursorStep out;
  const diffusion::Schedule& schedule = *state.a.schedule();
  const SamplingSettings& rs = sampling_state(state);
  const ReversePanelSettings& panel = rs.panels[0];
  out.T = schedule.T();
  out.K = effective_steps(panel.steps, out.T);
  out.respaced = out.K < out.T;
  const int t = std::clamp(cursor_t, 0, out.T);
  if (t == 0) return out;
  try {
    const std::vector<diffusion::SamplingStep> steps =
        diffusion::sampling_steps(schedule, out.K, rs.spacing);
    if (steps.empty()) return out;
    // Steps run from the largest t down; the shown state is the smallest visited t >= cursor
    // (the largest visited one when the cursor lies above it, as with leading spacing).
    std::size_t index = 0;
    for (std::size_t j = 0; j < steps.size(); ++j)
      if (steps[j].t >= t) index = j;
    out.step = steps[index];
    out.sigma = panel.ode_solver ? 0.0 : diffusion::reverse_sigma(out.step, panel.sampler);
    out.network_evaluations =
        panel.ode_solver ? diffusion::ode_network_evaluations(*panel.ode_solver, steps) : out.K;
    // A guided panel evaluates the denoiser twice (null class and class) at every evaluation.
    if (state.view == AppView::Reverse && is_guided(panel.class_id, panel.process)) out.network_evaluations *= 2;
    out.h_last = index > 0 ? diffusion::ode_carried_h(steps[index - 1]) : 0.0;
    out.has_step = true;
  } catch (const std::exception& e) {
    out.error = e.what();
    out.has_step = false;
  }
  return out;
}

std::string two_decimals(double value) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.2f", value);
  return buffer;
}

// "−1" / "0.5": a short number for the clip range.
std::string short_number(double value) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%g", std::fabs(value));
  return (value < 0 ? "−" : "") + std::string(buffer);
}

// The readout's caption of σₜ: which choice, written as its formula.
std::string sigma_choice_caption(const diffusion::ReverseConfig& sampler) {
  switch (sampler.sigma) {
    case diffusion::SigmaKind::Small: return "σₜ² = β̃ₜ (small)";
    case diffusion::SigmaKind::Large: return "σₜ² = βₜ (large)";
    case diffusion::SigmaKind::Interpolated: return "σₜ² interpolated, v = " + two_decimals(sampler.interpolation);
    case diffusion::SigmaKind::DDIM: return "σₜ by DDIM η = " + two_decimals(sampler.eta);
  }
  return "σₜ";
}

// The equation panel's caption of the σ line (its symbolic column already shows the formula).
std::string sigma_line_caption(const diffusion::ReverseConfig& sampler) {
  switch (sampler.sigma) {
    case diffusion::SigmaKind::Small: return "σₜ: small, the posterior's";
    case diffusion::SigmaKind::Large: return "σₜ: large";
    case diffusion::SigmaKind::Interpolated: return "σₜ: interpolated, v = " + two_decimals(sampler.interpolation);
    case diffusion::SigmaKind::DDIM: return "σₜ: DDIM η = " + two_decimals(sampler.eta);
  }
  return "σₜ";
}

// DDIM's x̂₀ line for the exact denoiser. clip_note: ", x̂₀ clipped to [...]" or "".
EquationLine exact_x0_hat_line(const diffusion::SamplingStep& s, const std::string& clip_note) {
  // E[x₀ | xₜ] over the training points x⁽ⁱ⁾ (diffusion/exact_denoiser.hpp), computed directly,
  // not from ε̂. At ᾱₜ = 0, xₜ says nothing about x₀: every weight is equal.
  const std::string symbolic = "x̂₀ = E[x₀ | xₜ] = Σᵢ wᵢ x⁽ⁱ⁾,  wᵢ ∝ exp(−|xₜ − √ᾱₜ x⁽ⁱ⁾|² / (2(1 − ᾱₜ)))";
  const std::string numeric =
      s.alpha_bar > 0.0
          ? "wᵢ ∝ exp(−|" + x_at(s.t) + " − " + fmt(std::sqrt(s.alpha_bar)) + " · x⁽ⁱ⁾|² / " +
                fmt(2.0 * s.one_minus_alpha_bar) + ")"
          : "ᾱ" + subscript(s.t) + " = 0: all wᵢ equal, x̂₀ = the training points' mean";
  return {"DDIM: exact x̂₀" + clip_note, symbolic, numeric, 0};
}

// How the learned network's output becomes x̂₀ and ε̂ at this step (Salimans & Ho 2022), with the
// coefficients of the level the network runs at (model_evaluation: outside the trained range it
// runs at the range's edge, or at λ = −6 for ε, and keeps x̂₀ (below) or ε̂ (above)).
EquationLine prediction_line(const diffusion::SamplingStep& s, diffusion::PredictionTarget target,
                             const std::string& clip_note) {
  using diffusion::PredictionTarget;
  const double lambda = diffusion::log_snr_from_alpha_bar(s.alpha_bar, s.one_minus_alpha_bar);
  const diffusion::ModelEvaluation at = diffusion::model_evaluation(target, lambda);
  const bool direct = at.rule == diffusion::ModelLevelRule::Direct;
  const double alpha_bar = direct ? s.alpha_bar : diffusion::alpha_bar_from_log_snr(at.log_snr);
  const double one_minus = direct ? s.one_minus_alpha_bar : diffusion::one_minus_alpha_bar_from_log_snr(at.log_snr);
  const diffusion::TargetCoefficients c = diffusion::target_coefficients(target, alpha_bar, one_minus);
  const std::string xt = x_at(s.t);
  std::string symbolic, numeric;
  switch (target) {
    case PredictionTarget::Eps:
      symbolic = "x̂₀ = (xₜ − √(1 − ᾱₜ) · ε̂) / √ᾱₜ";
      numeric = "x̂₀ = (" + xt + " − " + fmt(std::sqrt(one_minus)) + " · ε̂) / " + fmt(std::sqrt(alpha_bar));
      break;
    case PredictionTarget::X0:
      symbolic = "ε̂ = (xₜ − √ᾱₜ · x̂₀) / √(1 − ᾱₜ)";
      numeric = "ε̂ = (" + xt + " − " + fmt(std::sqrt(alpha_bar)) + " · x̂₀) / " + fmt(std::sqrt(one_minus));
      break;
    case PredictionTarget::V:
      symbolic = "x̂₀ = √ᾱₜ xₜ − √(1 − ᾱₜ) v̂,  ε̂ = √(1 − ᾱₜ) xₜ + √ᾱₜ v̂";
      numeric = "x̂₀ = " + fmt(c.x0_from_xt) + " · " + xt + " − " + fmt(-c.x0_from_output) + " · v̂,  ε̂ = " +
                fmt(c.eps_from_xt) + " · " + xt + " + " + fmt(c.eps_from_output) + " · v̂";
      break;
  }
  // "learned v-model: predicts v̂": the caption names what the network outputs.
  const std::string hat = target == PredictionTarget::Eps ? "ε̂" : target == PredictionTarget::X0 ? "x̂₀" : "v̂";
  std::string caption = "learned " + std::string(diffusion::target_symbol(target)) + "-model: predicts " + hat;
  if (at.rule == diffusion::ModelLevelRule::X0AtLowerLevel)
    caption += ": λ below its trained range, run at λ = " + short_number(at.log_snr) + ", x̂₀ kept";
  else if (at.rule == diffusion::ModelLevelRule::EpsAtUpperBound)
    caption += ": λ above its trained range, run at λ = " + short_number(at.log_snr) + ", ε̂ kept";
  return {caption + clip_note, symbolic, numeric, 0};
}

// The ODE step of `solver` (diffusion/ode_solver.hpp) in DDIM's variables x̄ = x/√ᾱ and
// σ̂ = √(1 − ᾱ)/√ᾱ, and its numbers in the multiplied-out x̂₀/ε̂ form the solver computes.
EquationLine ode_step_line(diffusion::OdeSolver solver, const CursorStep& cs, const std::string& step_caption,
                           const char* prev) {
  const diffusion::SamplingStep& s = cs.step;
  const std::string xs = x_at(s.t_prev), sp = std::string("σ̂") + prev, xbp = std::string("x̄") + prev;
  const double a_prev = std::sqrt(s.alpha_bar_prev), s_prev = std::sqrt(s.one_minus_alpha_bar_prev);
  const bool plain = diffusion::ode_plain_euler_step(s);
  const std::string euler = xs + " = " + fmt(a_prev) + " · x̂₀ + " + fmt(s_prev) + " · ε̂";
  const std::string why_plain = s.is_last() ? "  (last step: plain Euler, x₀ = x̂₀)" : "  (ᾱₜ = 0: plain Euler)";
  std::string caption, symbolic, numeric = euler;
  switch (solver) {
    case diffusion::OdeSolver::Euler:
      caption = "ODE Euler step (= DDIM η = 0)";
      symbolic = xbp + " = x̄ₜ + (" + sp + " − σ̂ₜ) · ε̂,  x̄ = x/√ᾱ, σ̂ = √(1 − ᾱ)/√ᾱ";
      break;
    case diffusion::OdeSolver::Heun: {
      caption = "ODE Heun step";
      symbolic = xbp + " = x̄ₜ + (" + sp + " − σ̂ₜ) · (ε̂ + ε̂′)/2,  ε̂′ = ε̂ at the Euler step's end";
      // a_prev (σ̂_prev − σ̂_t) / 2, the weight of ε̂′ − ε̂ (ode_solver.hpp); negative, since σ̂
      // falls, so it is written as a positive weight of ε̂ − ε̂′.
      const double half_span =
          plain ? 0.0 : 0.5 * (s_prev - a_prev * std::sqrt(s.one_minus_alpha_bar / s.alpha_bar));
      numeric = plain ? euler + why_plain : euler + " + " + fmt(-half_span) + " · (ε̂ − ε̂′)";
      break;
    }
    case diffusion::OdeSolver::DpmSolverPP2M: {
      caption = "DPM-Solver++(2M) step";
      symbolic = std::string("x") + prev + " = √ᾱ" + prev + " x̂₀ + √(1 − ᾱ" + prev + ") ε̂ + √ᾱ" + prev +
                 " (1 − exp(−h))/(2r) · (x̂₀ − x̂₀′),  h = λ" + prev + " − λₜ, r = h′/h, ′: the step before";
      const double h = diffusion::ode_carried_h(s);
      if (plain) {
        numeric = euler + why_plain;
      } else if (!(cs.h_last > 0.0) || !(h > 0.0)) {
        numeric = euler + "  (first step: first order)";
      } else {
        const double r = cs.h_last / h;
        numeric = euler + " + " + fmt(-std::expm1(-h) * a_prev / (2.0 * r)) + " · (x̂₀ − x̂₀′),  h = " + fmt(h) +
                  ", r = " + fmt(r);
      }
      break;
    }
  }
  if (solver == diffusion::OdeSolver::Euler && plain) numeric += why_plain;
  return {caption + " " + step_caption + " · NFE = " + std::to_string(cs.network_evaluations), symbolic, numeric, 0};
}

void reverse_lines(const AppState& state, int cursor_t, std::vector<EquationLine>& out) {
  const ReversePanelSettings& panel0 = sampling_state(state).panels[0];
  if (panel0.process == diffusion::ProcessFamily::Flow && state.view == AppView::Reverse) {
    // flow_sampler_equations.hpp: flow matching's step in τ.
    append_flow_sampler_lines(panel0, state.a.schedule()->T(), cursor_t,
                              panel0_denoiser(state) == DenoiserKind::Model, out);
    return;
  }
  const CursorStep cs = cursor_step(state, cursor_t);
  const diffusion::ReverseConfig sampler = panel0_sampler(state);
  const std::string k_text =
      cs.respaced ? "  (K = " + std::to_string(cs.K) + " of T = " + std::to_string(cs.T) + ")" : "";
  if (!cs.error.empty()) {
    out.push_back({"sampler", "no step: " + cs.error, "", 0});
    return;
  }
  if (!cs.has_step) {
    out.push_back({"t = 0: sampling done", "x₀: the sample", "no step left (no noise is added)", 0});
    return;
  }
  // A guided panel's ε̂ combines two predictions: that line first, the step below uses its ε̂.
  if (auto guidance = guidance_equation_line(state, cs.step.t)) out.push_back(*guidance);
  const diffusion::SamplingStep& s = cs.step;
  // Symbols of the previous state: t−1 on the full chain, s for a respaced jump.
  const char* prev = cs.respaced ? "ₛ" : "ₜ₋₁";
  const std::string x_prev = std::string("x") + prev;
  const std::string ab_prev = std::string("ᾱ") + prev;
  const std::string step_caption =
      x_at(s.t_prev) + " ← " + x_at(s.t) + k_text;
  const bool last = s.is_last();
  const bool has_noise = cs.sigma > 0.0;
  const std::string noise_numeric = has_noise ? " + " + fmt(cs.sigma) + " · z" : "";
  const std::string clip_note =
      sampler.clip_x0 ? ", x̂₀ clipped to [" + short_number(sampler.clip_min) + ", " +
                            short_number(sampler.clip_max) + "]"
                      : "";

  const bool learned = panel0_denoiser(state) == DenoiserKind::Model;
  const std::optional<diffusion::OdeSolver> ode = sampling_state(state).panels[0].ode_solver;
  const bool ddim = sampler.sigma == diffusion::SigmaKind::DDIM;
  // DDIM steps from x̂₀, so how the denoiser gives it comes first (with the clipping); a DDPM step
  // is written in ε̂ and states the clipping itself, so the learned model's line follows it.
  if (ode) {
    // Like DDIM, the ODE steps from the denoiser's x̂₀ and ε̂; no noise is added.
    out.push_back(learned ? prediction_line(s, panel0_target(state), clip_note) : exact_x0_hat_line(s, clip_note));
    if (!learned) out.back().caption = "exact x̂₀" + clip_note;
    out.push_back(ode_step_line(*ode, cs, step_caption, prev));
  } else if (ddim) {
    out.push_back(learned ? prediction_line(s, panel0_target(state), clip_note) : exact_x0_hat_line(s, clip_note));
    const double eps_coef = std::sqrt(std::max(0.0, s.one_minus_alpha_bar_prev - cs.sigma * cs.sigma));
    out.push_back({"DDIM step " + step_caption,
                   x_prev + " = √" + ab_prev + " · x̂₀ + √(1 − " + ab_prev + " − σₜ²) · ε̂ + σₜ · z",
                   x_at(s.t_prev) + " = " + fmt(std::sqrt(s.alpha_bar_prev)) + " · x̂₀ + " + fmt(eps_coef) +
                       " · ε̂" + noise_numeric,
                   0});
    std::string sigma_numeric = "σ" + subscript(s.t) + " = " + fmt(cs.sigma);
    if (last) sigma_numeric += "  (last step: no noise)";
    else if (!has_noise) sigma_numeric += "  (η = 0: deterministic, no z term)";
    out.push_back({sigma_line_caption(sampler),
                   "σₜ = η · √((1 − " + ab_prev + ")/(1 − ᾱₜ)) · √(1 − ᾱₜ/" + ab_prev + ")", sigma_numeric, 0});
  } else {
    if (s.alpha_bar > 0.0) {
      // With clipping, ε̂ is re-derived from the clipped x̂₀, so the same form holds.
      out.push_back({"DDPM step " + step_caption + clip_note,
                     x_prev + " = 1/√αₜ · (xₜ − βₜ/√(1 − ᾱₜ) · ε̂) + σₜ · z",
                     x_at(s.t_prev) + " = " + fmt(1.0 / std::sqrt(s.alpha())) + " · (" + x_at(s.t) + " − " +
                         fmt(s.beta / std::sqrt(s.one_minus_alpha_bar)) + " · ε̂)" + noise_numeric,
                     0});
    } else {
      // Zero terminal SNR at t = T: αₜ = 0 makes 1/√αₜ infinite; the sampler uses the posterior
      // mean with the model's x̂₀ (taken at a reference noise level), the same mean written in x̂₀.
      out.push_back({"DDPM step " + step_caption + ", ᾱₜ = 0: posterior-mean form" + clip_note,
                     x_prev + " = √" + ab_prev + " βₜ/(1 − ᾱₜ) · x̂₀ + √αₜ (1 − " + ab_prev +
                         ")/(1 − ᾱₜ) · xₜ + σₜ · z",
                     x_at(s.t_prev) + " = " + fmt(s.posterior_mean_coef_x0()) + " · x̂₀ + " +
                         fmt(s.posterior_mean_coef_xt()) + " · " + x_at(s.t) + noise_numeric,
                     0});
    }
    std::string symbolic;
    switch (sampler.sigma) {
      case diffusion::SigmaKind::Small:
        symbolic = "σₜ² = β̃ₜ = (1 − " + ab_prev + ")/(1 − ᾱₜ) · βₜ";
        break;
      case diffusion::SigmaKind::Large:
        symbolic = "σₜ² = βₜ";
        break;
      default:
        symbolic = "log σₜ² = v · log βₜ + (1 − v) · log β̃ₜ";
        break;
    }
    std::string sigma_numeric = "σ" + subscript(s.t) + " = " + fmt(cs.sigma);
    if (last) sigma_numeric += "  (last step: no noise)";
    out.push_back({sigma_line_caption(sampler), symbolic, sigma_numeric, 0});
    if (learned) out.push_back(prediction_line(s, panel0_target(state), ""));
  }
  if (cs.respaced && !ode) {   // the ODE's coefficients use ᾱ only
    // The jump's effective β replaces the schedule's βₜ in every coefficient above.
    out.push_back({"effective β of the jump", "βₜ = 1 − ᾱₜ/ᾱₛ,  αₜ = 1 − βₜ",
                   "β" + subscript(s.t) + " = 1 − " + fmt(s.alpha_bar) + "/" + fmt(s.alpha_bar_prev) +
                       " = " + fmt(s.beta),
                   0});
  }
  const double snr = s.one_minus_alpha_bar > 0.0 ? s.alpha_bar / s.one_minus_alpha_bar
                                                 : std::numeric_limits<double>::infinity();
  if (!state.presenter) {  // the presenter's readout shows these numbers large
    out.push_back(snr_line("", 0, s.t, s.alpha_bar, snr,
                           diffusion::log_snr_from_alpha_bar(s.alpha_bar, s.one_minus_alpha_bar)));
  }
}

}  // namespace

std::vector<EquationLine> equations_at(const AppState& state, int t) {
  std::vector<EquationLine> out;
  if (state.view != AppView::Forward) {
    reverse_lines(state, t, out);
    return out;
  }
  const diffusion::Schedule& a = *state.a.schedule();
  // The naive process ignores the schedule (only its T bounds the cursor): one group is enough.
  const bool with_b = state.compare && state.process != ForwardProcess::Naive;
  const std::string prefix_a = with_b ? "A · " + std::string(diffusion::to_string(a.params().kind)) + " · " : "";
  forward_lines(state, a, std::clamp(t, 0, a.T()), prefix_a, 0, out);
  if (with_b && state.b_flow_shown()) {
    append_flow_path_lines(t, state.b.schedule()->T(), "B · flow · ", !state.presenter, out);
  } else if (with_b) {
    const diffusion::Schedule& b = *state.b.schedule();
    // The forward worker clamps the cursor to each schedule's own T.
    forward_lines(state, b, std::clamp(t, 0, b.T()),
                  "B · " + std::string(diffusion::to_string(b.params().kind)) + " · ", 1, out);
  }
  return out;
}

std::string subscript(int value) { return digits_with(value, kSubscriptDigits, "₋"); }

std::string superscript(int value) { return digits_with(value, kSuperscriptDigits, "⁻"); }

std::string format_coefficient(double value) {
  if (std::isnan(value)) return "undefined";
  const std::string sign = value < 0 ? "−" : "";
  const double magnitude = std::fabs(value);
  if (std::isinf(value)) return sign + "∞";
  if (magnitude == 0.0) return "0";
  char buffer[64];
  if (magnitude < 1e-3 || magnitude >= 1e4) {
    int exponent = static_cast<int>(std::floor(std::log10(magnitude)));
    double mantissa = magnitude / std::pow(10.0, exponent);
    // Rounding to 2 decimals may carry into the next power (9.996 -> 10.00).
    if (std::round(mantissa * 100.0) >= 1000.0) {
      mantissa /= 10.0;
      ++exponent;
    } else if (mantissa < 1.0) {  // log10 rounding just below a power of ten
      mantissa *= 10.0;
      --exponent;
    }
    std::snprintf(buffer, sizeof buffer, "%.2f", mantissa);
    return sign + buffer + "×10" + superscript(exponent);
  }
  std::snprintf(buffer, sizeof buffer, "%.3f", magnitude);
  return sign + buffer;
}

std::vector<EquationLine> current_equations(const AppState& state) {
  return equations_at(state, described_t(state));
}

Readout current_readout(const AppState& state) {
  Readout r;
  const diffusion::Schedule& a = *state.a.schedule();
  r.T = a.T();
  if (state.view == AppView::Forward) {
    r.t = std::clamp(described_t(state), 0, a.T());
    if (state.process == ForwardProcess::Naive) {
      // x_t = x_0 + √(tβ) ε: x₀ keeps coefficient 1; SNR for a unit-variance x₀.
      const double variance = r.t * state.naive_beta;
      r.alpha_bar = 1.0;
      r.snr = variance > 0.0 ? 1.0 / variance : std::numeric_limits<double>::infinity();
      r.log_snr = std::log(r.snr);
      r.sigma = std::sqrt(variance);
      r.sigma_caption = "σ = √(t·β), the naive noise std";
      return r;
    }
    r.alpha_bar = a.alpha_bar(r.t);
    r.snr = a.snr(r.t);
    r.log_snr = a.log_snr(r.t);
    r.sigma = r.t >= 1 ? std::sqrt(a.posterior_variance(r.t)) : 0.0;
    r.sigma_caption = "σₜ² = β̃ₜ, a reverse step from here";
    return r;
  }
  if (const ReversePanelSettings& flow = sampling_state(state).panels[0];
      flow.process == diffusion::ProcessFamily::Flow && state.view == AppView::Reverse)
    return flow_sampler_readout(flow, a.T(), described_t(state));  // flow_sampler_equations.hpp
  const CursorStep cs = cursor_step(state, described_t(state));
  if (!cs.has_step) {
    r.t = 0;
    r.alpha_bar = 1.0;
    r.snr = std::numeric_limits<double>::infinity();
    r.log_snr = r.snr;
    r.sigma = 0.0;
    r.sigma_caption = cs.error.empty() ? "x₀ reached: no step" : "no step: " + cs.error;
    return r;
  }
  const diffusion::SamplingStep& s = cs.step;
  r.t = s.t;
  r.t_prev = s.t_prev;
  r.alpha_bar = s.alpha_bar;
  r.snr = s.one_minus_alpha_bar > 0.0 ? s.alpha_bar / s.one_minus_alpha_bar
                                      : std::numeric_limits<double>::infinity();
  r.log_snr = diffusion::log_snr_from_alpha_bar(s.alpha_bar, s.one_minus_alpha_bar);
  r.sigma = cs.sigma;
  const ReversePanelSettings& panel0 = sampling_state(state).panels[0];

  if (panel0.ode_solver) {
    r.sigma_caption = "σₜ = 0: the probability-flow ODE adds no noise";
    return r;
  }
  r.sigma_caption = sigma_choice_caption(panel0.sampler);
  if (s.is_last()) r.sigma_caption += ", last step: no noise";
  return r;
}

std::size_t equation_line_count(const AppState& state) {
  // Lines at a t > 0 (t = 0 gives fewer): the panel's height then stays put while scrubbing.
  return std::max(equations_at(state, std::max(1, state.max_T())).size(),
                  equations_at(state, described_t(state)).size());
}

}  // namespace diffuscope::gui
