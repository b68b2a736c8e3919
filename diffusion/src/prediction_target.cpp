// The prediction targets' names and conversion coefficients (Salimans & Ho 2022, section 4 and
// appendix D: v = a eps - s x0, so x0 = a x_t - s v and eps = s x_t + a v since a^2 + s^2 = 1).
#include "diffusion/prediction_target.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

#include "diffusion/log_snr.hpp"

namespace diffusion {

const std::vector<PredictionTarget>& all_prediction_targets() {
  static const std::vector<PredictionTarget> targets = {PredictionTarget::Eps, PredictionTarget::X0,
                                                        PredictionTarget::V};
  return targets;
}

std::string_view to_string(PredictionTarget target) {
  switch (target) {
    case PredictionTarget::Eps: return "eps";
    case PredictionTarget::X0: return "x0";
    case PredictionTarget::V: return "v";
  }
  return "unknown";
}

std::optional<PredictionTarget> parse_prediction_target(std::string_view name) {
  for (const PredictionTarget target : all_prediction_targets())
    if (name == to_string(target)) return target;
  return std::nullopt;
}

std::string_view target_symbol(PredictionTarget target) {
  switch (target) {
    case PredictionTarget::Eps: return "ε";
    case PredictionTarget::X0: return "x₀";
    case PredictionTarget::V: return "v";
  }
  return "?";
}

TargetCoefficients target_coefficients(PredictionTarget target, double alpha_bar,
                                       double one_minus_alpha_bar) {
  if (!(alpha_bar >= 0.0 && alpha_bar <= 1.0) || !(one_minus_alpha_bar >= 0.0 && one_minus_alpha_bar <= 1.0))
    throw std::domain_error("target_coefficients: alpha_bar and 1 - alpha_bar must lie in [0, 1]");
  const double a = std::sqrt(alpha_bar);
  const double s = std::sqrt(one_minus_alpha_bar);
  TargetCoefficients c;
  switch (target) {
    case PredictionTarget::Eps:
      if (!(a > 0.0))
        throw std::domain_error("target_coefficients: an eps prediction gives no x0 where alpha_bar = 0");
      c.x0_from_xt = 1.0 / a;
      c.x0_from_output = -s / a;
      c.eps_from_output = 1.0;
      break;
    case PredictionTarget::X0:
      if (!(s > 0.0))
        throw std::domain_error("target_coefficients: an x0 prediction gives no eps where alpha_bar = 1");
      c.x0_from_output = 1.0;
      c.eps_from_xt = 1.0 / s;
      c.eps_from_output = -a / s;
      break;
    case PredictionTarget::V:
      c.x0_from_xt = a;
      c.x0_from_output = -s;
      c.eps_from_xt = s;
      c.eps_from_output = a;
      break;
  }
  return c;
}

ModelEvaluation model_evaluation(PredictionTarget target, double log_snr) {
  if (std::isnan(log_snr)) throw std::domain_error("model_evaluation: log-SNR is NaN");
  if (log_snr > kModelLogSnrMax) return {kModelLogSnrMax, ModelLevelRule::EpsAtUpperBound};
  if (log_snr >= kModelLogSnrMin) return {log_snr, ModelLevelRule::Direct};
  const double level = target == PredictionTarget::Eps ? kEpsReferenceLogSnr : kModelLogSnrMin;
  return {level, ModelLevelRule::X0AtLowerLevel};
}

}  // namespace diffusion
