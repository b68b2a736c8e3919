// Flow matching's path in the equation panel (see flow_equations.hpp).
#include "gui/state/flow_equations.hpp"

#include <algorithm>

#include "gui/protocol/flow_path.hpp"

namespace diffuscope::gui {

void append_flow_path_lines(int t, int T, const std::string& prefix, bool with_snr,
                            std::vector<EquationLine>& out) {
  t = std::clamp(t, 0, std::max(T, 0));
  const double tau = flow_tau(t, T);
  const std::string tau_text = "τ = " + format_coefficient(tau);
  if (t <= 0) {
    out.push_back({prefix + "τ = 0", "x₀: the data", "τ = 0: no noise yet", 1});
    return;
  }
  out.push_back({prefix + "linear path, τ = t/T", "x_τ = (1 − τ) · x₀ + τ · ε",
                 tau_text + ":  x_τ = " + format_coefficient(flow_signal_coefficient(tau)) + " · x₀ + " +
                     format_coefficient(flow_noise_coefficient(tau)) + " · ε",
                 1});
  if (with_snr) {
    out.push_back({prefix + "signal-to-noise ratio", "SNR_τ = ((1 − τ) / τ)²",
                   "SNR = " + format_coefficient(flow_snr(tau)) + ",  log-SNR = " +
                       format_coefficient(flow_path_log_snr(tau)),
                   1});
  }
}

}  // namespace diffuscope::gui
