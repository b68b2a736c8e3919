// The image U-Net as a sampler Denoiser: one [1] log-SNR per step for the whole batch.
#include "diffusion/image_denoiser.hpp"

#include <stdexcept>

#include <torch/torch.h>

#include "diffusion/log_snr.hpp"

namespace diffusion {

torch::Tensor predict_image_output(ImageUNet& model, const torch::Tensor& x_t, double log_snr) {
  if (!model) throw std::invalid_argument("predict_image_output: the model is not set");
  torch::NoGradGuard no_grad;
  const double lambda = model_log_snr(log_snr);
  const auto level = torch::full({1}, lambda, x_t.options().dtype(torch::kFloat32));
  return model->forward(x_t, level);
}

Denoiser make_image_denoiser(ImageUNet model, PredictionTarget target, const ReverseConfig& config) {
  if (!model) throw std::invalid_argument("make_image_denoiser: the model is not set");
  return make_learned_denoiser(
      [model](const torch::Tensor& x_t, double log_snr) mutable { return predict_image_output(model, x_t, log_snr); },
      target, config);
}

}  // namespace diffusion
