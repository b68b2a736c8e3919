// The reverse-process loop and the exact-denoiser adapter.
#include "diffusion/sampler.hpp"

#include <stdexcept>

#include <torch/torch.h>

#include "diffusion/exact_denoiser.hpp"

namespace diffusion {

torch::Tensor run_reverse(const torch::Tensor& x_T, const std::vector<SamplingStep>& steps,
                          const Denoiser& denoiser, const ReverseConfig& config, NoiseSource& noise,
                          const StepCallback& on_step) {
  validate(config);
  if (!x_T.defined()) throw std::invalid_argument("run_reverse: x_T must be a defined tensor");
  if (steps.empty()) throw std::invalid_argument("run_reverse: steps must not be empty");
  if (!denoiser) throw std::invalid_argument("run_reverse: denoiser must be set");
  torch::NoGradGuard no_grad;
  torch::Tensor x = x_T;
  for (std::size_t i = 0; i < steps.size(); ++i) {
    const SamplingStep& step = steps[i];
    const Prediction pred = denoiser(x, step);
    // Drawn on every non-final step whatever sigma is, so runs with equal seeds but different
    // sigma choices (or eta) see the same z at the same step: common random numbers.
    torch::Tensor z;
    if (!step.is_last()) z = noise.normal(x.sizes(), x.device()).to(x.scalar_type());
    x = reverse_step(x, pred, step, config, z);
    if (on_step && !on_step(x, step, static_cast<int>(i))) break;
  }
  return x;
}

Denoiser make_exact_denoiser(const ExactDenoiser& exact, const ReverseConfig& config) {
  validate(config);
  // Holds a reference: `exact` must outlive the returned Denoiser.
  return [&exact, config](const torch::Tensor& x_t, const SamplingStep& step) {
    // alpha_bar_t rounds to 1 (a steep sigmoid keeps 1 - alpha_bar below 1e-16 for half of t): x_t
    // is its own x0 to within 1e-8 and there is no noise worth predicting; eps_hat = 0 is
    // multiplied by sqrt(1 - alpha_bar) ~ 0 wherever it is used.
    if (!(step.alpha_bar < 1.0)) return prediction_from_eps(x_t, torch::zeros_like(x_t), step, config);
    return prediction_from_x0(x_t, exact.expected_x0(x_t, step.alpha_bar), step, config);
  };
}

}  // namespace diffusion
