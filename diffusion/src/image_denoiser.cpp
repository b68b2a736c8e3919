// The image U-Net as a sampler Denoiser: one [1] log-SNR per step for the whole batch.
#include "diffusion/image_denoiser.hpp"

#include <cmath>
#include <stdexcept>

#include <torch/torch.h>

#include "diffusion/log_snr.hpp"

namespace diffusion {

torch::Tensor predict_image_eps(ImageUNet& model, const torch::Tensor& x_t, double log_snr) {
  if (!model) throw std::invalid_argument("predict_image_eps: the model is not set");
  torch::NoGradGuard no_grad;
  const double lambda = model_log_snr(log_snr);
  const auto level = torch::full({1}, lambda, x_t.options().dtype(torch::kFloat32));
  return model->forward(x_t, level);
}

Denoiser make_image_denoiser(ImageUNet model, const ReverseConfig& config) {
  validate(config);
  if (!model) throw std::invalid_argument("make_image_denoiser: the model is not set");
  return [model, config](const torch::Tensor& x_t, const SamplingStep& step) mutable {
    torch::NoGradGuard no_grad;
    if (step.alpha_bar > 0.0) {
      const double lambda = log_snr_from_alpha_bar(step.alpha_bar, step.one_minus_alpha_bar);
      return prediction_from_eps(x_t, predict_image_eps(model, x_t, lambda), step, config);
    }
    // Zero terminal SNR: x0_hat from a reference level (why: model_denoiser.hpp).
    const double alpha_bar = alpha_bar_from_log_snr(kZeroSnrReferenceLogSnr);
    const double one_minus = one_minus_alpha_bar_from_log_snr(kZeroSnrReferenceLogSnr);
    const auto eps = predict_image_eps(model, x_t, kZeroSnrReferenceLogSnr);
    const auto x0 = (x_t - eps * std::sqrt(one_minus)) / std::sqrt(alpha_bar);
    return prediction_from_x0(x_t, x0, step, config);
  };
}

}  // namespace diffusion
