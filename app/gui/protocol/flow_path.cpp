// Flow matching's linear path: τ, SNR and the predicted moments (see flow_path.hpp).
#include "gui/protocol/flow_path.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace diffuscope::gui {

double flow_tau(int t, int T) {
  if (T <= 0) return 0.0;
  return std::clamp(static_cast<double>(t) / T, 0.0, 1.0);
}

double flow_snr(double tau) {
  if (tau <= 0.0) return std::numeric_limits<double>::infinity();
  const double ratio = (1.0 - tau) / tau;
  return ratio * ratio;
}

double flow_path_log_snr(double tau) {
  if (tau <= 0.0) return std::numeric_limits<double>::infinity();
  if (tau >= 1.0) return -std::numeric_limits<double>::infinity();
  return 2.0 * (std::log1p(-tau) - std::log(tau));
}

double flow_predicted_mean(double tau, double x0_mean) { return (1.0 - tau) * x0_mean; }

double flow_predicted_variance(double tau, double x0_variance) {
  return flow_alpha_bar(tau) * x0_variance + tau * tau;
}

}  // namespace diffuscope::gui
