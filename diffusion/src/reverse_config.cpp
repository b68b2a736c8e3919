// The sigma_t choices of the reverse process and the checks on their parameters.
#include "diffusion/reverse_config.hpp"

#include <cmath>
#include <sstream>
#include <stdexcept>
#include <string>

namespace diffusion {
namespace {

std::string number(double value) {
  std::ostringstream out;
  out.precision(17);
  out << value;
  return out.str();
}

}  // namespace

std::string_view to_string(SigmaKind kind) {
  switch (kind) {
    case SigmaKind::Small: return "small";
    case SigmaKind::Large: return "large";
    case SigmaKind::Interpolated: return "interpolated";
    case SigmaKind::DDIM: return "ddim";
  }
  return "unknown";
}

std::optional<SigmaKind> parse_sigma_kind(std::string_view name) {
  if (name == "small") return SigmaKind::Small;
  if (name == "large") return SigmaKind::Large;
  if (name == "interpolated") return SigmaKind::Interpolated;
  if (name == "ddim") return SigmaKind::DDIM;
  return std::nullopt;
}

void validate(const ReverseConfig& config) {
  // Written as !(in range) so that NaN is rejected too.
  if (!(config.eta >= 0.0 && config.eta <= 1.0))
    throw std::invalid_argument("eta = " + number(config.eta) + " must lie in [0, 1]");
  if (!(config.interpolation >= 0.0 && config.interpolation <= 1.0))
    throw std::invalid_argument("interpolation = " + number(config.interpolation) +
                                " must lie in [0, 1]");
  if (!std::isfinite(config.clip_min))
    throw std::invalid_argument("clip_min = " + number(config.clip_min) + " must be finite");
  if (!std::isfinite(config.clip_max))
    throw std::invalid_argument("clip_max = " + number(config.clip_max) + " must be finite");
  if (!(config.clip_min < config.clip_max))
    throw std::invalid_argument("clip_min = " + number(config.clip_min) +
                                " must be less than clip_max = " + number(config.clip_max));
}

double reverse_sigma(const SamplingStep& step, const ReverseConfig& config) {
  validate(config);
  if (step.is_last()) return 0.0;  // the last step returns the mean: no noise is added
  const double beta_tilde = step.posterior_variance();
  switch (config.sigma) {
    case SigmaKind::Small:
      return std::sqrt(beta_tilde);
    case SigmaKind::Large:
      return std::sqrt(step.beta);
    case SigmaKind::Interpolated: {
      // Nichol & Dhariwal 2021, eq. 15: log sigma^2 = v log beta + (1 - v) log beta_tilde.
      const double v = config.interpolation;
      if (v >= 1.0) return std::sqrt(step.beta);
      if (!(beta_tilde > 0.0)) return 0.0;  // limit of the log-space mix as beta_tilde -> 0
      return std::exp(0.5 * (v * std::log(step.beta) + (1.0 - v) * std::log(beta_tilde)));
    }
    case SigmaKind::DDIM:
      // Song et al. 2021, eq. 16: sigma = eta sqrt((1 - ab_prev)/(1 - ab_t)) sqrt(1 - ab_t/ab_prev),
      // where 1 - ab_t/ab_prev is the step's effective beta.
      return config.eta *
             std::sqrt(step.one_minus_alpha_bar_prev / step.one_minus_alpha_bar * step.beta);
  }
  return 0.0;
}

}  // namespace diffusion
