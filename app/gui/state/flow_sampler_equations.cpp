// The equation lines of a flow-matching reverse panel (see flow_sampler_equations.hpp).
#include "gui/state/flow_sampler_equations.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <string>

namespace diffuscope::gui {
namespace {

// τ as the lines write it: "0.9", "0.25", "0.333".
std::string tau_text(double tau) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.3g", tau);
  return buffer;
}

}  // namespace

std::vector<int> flow_visited_timesteps(int K, int T) {
  std::vector<int> visited;
  for (int k = 1; k <= K; ++k) visited.push_back(static_cast<int>(std::lround(static_cast<double>(k) * T / K)));
  return visited;
}

double flow_shown_tau(int K, int T, int cursor_t) {
  if (K < 1 || T < 1 || cursor_t <= 0) return 0.0;
  // The smallest k whose timeline t = round(k T / K) is >= the cursor (k = K at most).
  for (int k = 1; k <= K; ++k)
    if (std::lround(static_cast<double>(k) * T / K) >= cursor_t) return static_cast<double>(k) / K;
  return 1.0;
}

void append_flow_sampler_lines(const ReversePanelSettings& panel, int T, int cursor_t, bool learned,
                               std::vector<EquationLine>& out) {
  const int K = effective_steps(panel.steps, T);
  const bool heun = panel.ode_solver == diffusion::OdeSolver::Heun;
  const int nfe = heun ? 2 * K - 1 : K;  // diffusion::flow_nfe
  out.push_back({"flow matching: the path x_τ and its velocity (τ = t/T on the timeline)",
                 "x_τ = (1 − τ) · x₀ + τ · ε,  v = dx_τ/dτ = ε − x₀",
                 learned ? "v̂(x, τ): the learned velocity network"
                         : "v̂(x, τ) = Σᵢ wᵢ (x − x₀ᵢ)/τ, wᵢ ∝ exp(−‖x − (1 − τ) x₀ᵢ‖²/(2τ²)): the exact velocity",
                 0});
  const double tau = flow_shown_tau(K, T, std::clamp(cursor_t, 0, T));
  if (tau <= 0.0) {
    out.push_back({"τ = 0: sampling done · NFE = " + std::to_string(nfe), "x₀: the sample",
                   "no step left (flow matching adds no noise)", 0});
    return;
  }
  const double dtau = 1.0 / K;
  const double tau_next = std::max(0.0, tau - dtau);
  const std::string from = "x_" + tau_text(tau), to = "x_" + tau_text(tau_next);
  const std::string v_from = "v̂(" + from + ", " + tau_text(tau) + ")";
  const std::string caption = std::string(heun ? "flow Heun step " : "flow Euler step ") + "τ = " + tau_text(tau) +
                              " → " + tau_text(tau_next) + " (Δτ = 1/K = " + tau_text(dtau) + ", K = " +
                              std::to_string(K) + ") · NFE = " + std::to_string(nfe);
  if (!heun) {
    out.push_back({caption, "x_{τ−Δτ} = x_τ − Δτ · v̂(x_τ, τ)", to + " = " + from + " − " + tau_text(dtau) + " · " + v_from,
                   0});
    return;
  }
  const bool last = tau_next <= 0.0;
  const std::string numeric =
      last ? to + " = " + from + " − " + tau_text(dtau) + " · " + v_from + "  (last step, to τ = 0: plain Euler)"
           : "x̃ = " + from + " − " + tau_text(dtau) + " · " + v_from + ",  " + to + " = " + from + " − " +
                 tau_text(0.5 * dtau) + " · (" + v_from + " + v̂(x̃, " + tau_text(tau_next) + "))";
  out.push_back({caption,
                 "x̃ = x_τ − Δτ · v̂(x_τ, τ),  x_{τ−Δτ} = x_τ − Δτ/2 · (v̂(x_τ, τ) + v̂(x̃, τ − Δτ))", numeric, 0});
}

Readout flow_sampler_readout(const ReversePanelSettings& panel, int T, int cursor_t) {
  Readout r;
  r.T = T;
  const int K = effective_steps(panel.steps, T);
  const double tau = flow_shown_tau(K, T, std::clamp(cursor_t, 0, T));
  r.t = static_cast<int>(std::lround(tau * T));
  r.t_prev = tau > 0.0 ? static_cast<int>(std::lround(std::max(0.0, tau - 1.0 / K) * T)) : -1;
  const double keep = 1.0 - tau;
  r.alpha_bar = keep * keep / (keep * keep + tau * tau);
  r.snr = tau > 0.0 ? (keep / tau) * (keep / tau) : std::numeric_limits<double>::infinity();
  r.log_snr = tau > 0.0 && keep > 0.0 ? 2.0 * std::log(keep / tau)
              : tau > 0.0            ? -std::numeric_limits<double>::infinity()
                                     : std::numeric_limits<double>::infinity();
  r.sigma = 0.0;
  r.sigma_caption = "flow matching at τ = " + tau_text(tau) + ": ᾱ and SNR of its path x_τ; σ = 0, no noise";
  return r;
}

}  // namespace diffuscope::gui
