#pragma once
// A sampler Denoiser (sampler.hpp) backed by the image U-Net: eps_hat = model(x_t, lambda_t),
// lambda_t clamped to the training range; at alpha_bar_t = 0 the model is evaluated at
// kZeroSnrReferenceLogSnr and its x0_hat passed on, as for the 2D model (model_denoiser.hpp).
#include <torch/types.h>

#include "diffusion/image_model.hpp"
#include "diffusion/model_denoiser.hpp"
#include "diffusion/reverse_process.hpp"
#include "diffusion/sampler.hpp"

namespace diffusion {

// No gradient recording; one [1] log-SNR for the whole batch. The model must be on x_t's device.
Denoiser make_image_denoiser(ImageUNet model, const ReverseConfig& config);

// eps_hat for a batch [N, C, H, W] at one noise level (no gradient recording). NaN log_snr throws
// std::domain_error.
torch::Tensor predict_image_eps(ImageUNet& model, const torch::Tensor& x_t, double log_snr);

}  // namespace diffusion
