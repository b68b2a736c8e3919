// The learned model as a sampler Denoiser: one [1] log-SNR per step, so the noise embedding is
// computed once and the whole cloud shares it.
#include "diffusion/model_denoiser.hpp"

#include <cmath>
#include <stdexcept>

#include <torch/torch.h>

#include "diffusion/log_snr.hpp"

namespace diffusion {

torch::Tensor predict_eps(PointModel& model, const torch::Tensor& x_t, double log_snr) {
  if (!model) throw std::invalid_argument("predict_eps: the model is not set");
  torch::NoGradGuard no_grad;
  const double lambda = model_log_snr(log_snr);
  const auto level = torch::full({1}, lambda, x_t.options().dtype(torch::kFloat32));
  return model->forward(x_t, level);
}

Denoiser make_eps_model_denoiser(EpsPredictor predict_eps, const ReverseConfig& config) {
  validate(config);
  if (!predict_eps) throw std::invalid_argument("make_eps_model_denoiser: no predictor given");
  return [predict_eps, config](const torch::Tensor& x_t, const SamplingStep& step) {
    torch::NoGradGuard no_grad;
    if (step.alpha_bar > 0.0) {
      const double lambda = log_snr_from_alpha_bar(step.alpha_bar, step.one_minus_alpha_bar);
      return prediction_from_eps(x_t, predict_eps(x_t, lambda), step, config);
    }
    // Zero terminal SNR: see the header for why a reference level is used here.
    const double alpha_bar = alpha_bar_from_log_snr(kZeroSnrReferenceLogSnr);
    const double one_minus = one_minus_alpha_bar_from_log_snr(kZeroSnrReferenceLogSnr);
    const auto eps = predict_eps(x_t, kZeroSnrReferenceLogSnr);
    const auto x0 = (x_t - eps * std::sqrt(one_minus)) / std::sqrt(alpha_bar);
    return prediction_from_x0(x_t, x0, step, config);
  };
}

Denoiser make_model_denoiser(PointModel model, const ReverseConfig& config) {
  if (!model) throw std::invalid_argument("make_model_denoiser: the model is not set");
  return make_eps_model_denoiser(
      [model](const torch::Tensor& x_t, double log_snr) mutable { return predict_eps(model, x_t, log_snr); },
      config);
}

}  // namespace diffusion
