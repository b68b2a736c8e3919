#pragma once
// What a learned denoiser predicts (Salimans & Ho 2022): the noise eps, the clean data x0, or the
// velocity v = a eps - s x0 (a = sqrt(alpha_bar), s = sqrt(1 - alpha_bar)). Every consumer turns the
// network's output into x0_hat and eps_hat with the coefficients below, so one table says how.
// Torch-free: the UI, the scenes and the CLI name targets without LibTorch.
#include <optional>
#include <string_view>
#include <vector>

namespace diffusion {

enum class PredictionTarget { Eps, X0, V };

// The target of the shipped 2D models and of 2D training when none is named: the one whose samples
// measured closest to the data (assets/models/README.md has the figures).
inline constexpr PredictionTarget kDefaultPointTarget = PredictionTarget::V;

// In the order the UI and the CLI list them.
const std::vector<PredictionTarget>& all_prediction_targets();
// "eps", "x0", "v" (checkpoints, scenes, --target).
std::string_view to_string(PredictionTarget target);
std::optional<PredictionTarget> parse_prediction_target(std::string_view name);
// "ε", "x₀", "v": what the UI writes after a hat.
std::string_view target_symbol(PredictionTarget target);

// x0_hat = x0_from_xt * x_t + x0_from_output * output and eps_hat = eps_from_xt * x_t +
// eps_from_output * output, at a = sqrt(alpha_bar), s = sqrt(1 - alpha_bar):
//   eps: x0 = (x_t - s out) / a    eps = out          (x0 ill-conditioned as a -> 0)
//   x0:  x0 = out                  eps = (x_t - a out) / s   (eps ill-conditioned as s -> 0)
//   v:   x0 = a x_t - s out        eps = s x_t + a out       (both bounded everywhere)
struct TargetCoefficients {
  double x0_from_xt = 0, x0_from_output = 0;
  double eps_from_xt = 0, eps_from_output = 0;
};
// Throws std::domain_error where a coefficient would be infinite (eps at a = 0, x0 at s = 0).
TargetCoefficients target_coefficients(PredictionTarget target, double alpha_bar,
                                       double one_minus_alpha_bar);

// Where a learned model of `target` is evaluated for a step at log-SNR `log_snr`, and which of its
// derived predictions the sampler keeps (the rest follows from it at the step's own alpha_bar):
// - inside the trained range [kModelLogSnrMin, kModelLogSnrMax]: at log_snr itself, the output
//   converted with the step's coefficients;
// - above it (alpha_bar within 1e-6 of 1): at the upper bound, keeping eps_hat (x0_hat is x_t to
//   within the noise there);
// - below it, and at alpha_bar = 0 (zero terminal SNR, log_snr = -inf): x_t carries no
//   usable signal, so E[x0 | x_t] is the same at every such level; the model's x0_hat is taken
//   where it is well conditioned and kept: at the lower bound for x0 and v, but at
//   kEpsReferenceLogSnr for eps, whose x0_hat = (x - s eps_hat)/a multiplies the network's error
//   by 1/a (e^10 at the bound, 20 at the reference level).
// Forming x0_hat from a clamped level's output with the true level's coefficients (what an
// unconverted clamp does) multiplies the error by sqrt(alpha_bar_clamped / alpha_bar_t): 1e11 at
// T = 10000.
enum class ModelLevelRule { Direct, EpsAtUpperBound, X0AtLowerLevel };
inline constexpr double kEpsReferenceLogSnr = -6.0;
struct ModelEvaluation {
  double log_snr = 0;  // where the network runs
  ModelLevelRule rule = ModelLevelRule::Direct;
};
// NaN throws std::domain_error.
ModelEvaluation model_evaluation(PredictionTarget target, double log_snr);

}  // namespace diffusion
