// log-SNR <-> alpha_bar, written so that neither end loses digits.
#include "diffusion/log_snr.hpp"

#include <cmath>
#include <limits>
#include <stdexcept>

namespace diffusion {

double log_snr_from_alpha_bar(double alpha_bar, double one_minus_alpha_bar) {
  if (!(alpha_bar >= 0.0 && alpha_bar <= 1.0) || !(one_minus_alpha_bar >= 0.0 && one_minus_alpha_bar <= 1.0))
    throw std::domain_error("log_snr_from_alpha_bar: alpha_bar and 1 - alpha_bar must lie in [0, 1]");
  if (alpha_bar == 0.0) return -std::numeric_limits<double>::infinity();
  if (one_minus_alpha_bar == 0.0) return std::numeric_limits<double>::infinity();
  return std::log(alpha_bar) - std::log(one_minus_alpha_bar);
}

// sigmoid(x) = 1 / (1 + e^-x) for x >= 0 and e^x / (1 + e^x) otherwise: exp never overflows.
static double sigmoid(double x) {
  if (x >= 0.0) return 1.0 / (1.0 + std::exp(-x));
  const double e = std::exp(x);
  return e / (1.0 + e);
}

double alpha_bar_from_log_snr(double log_snr) { return sigmoid(log_snr); }

double one_minus_alpha_bar_from_log_snr(double log_snr) { return sigmoid(-log_snr); }

double model_log_snr(double log_snr) {
  if (std::isnan(log_snr)) throw std::domain_error("model_log_snr: log-SNR is NaN");
  if (log_snr < kModelLogSnrMin) return kModelLogSnrMin;
  if (log_snr > kModelLogSnrMax) return kModelLogSnrMax;
  return log_snr;
}

}  // namespace diffusion
