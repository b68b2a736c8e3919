#pragma once
// A sampler Denoiser (sampler.hpp) backed by the image U-Net: its output at the step's log-SNR,
// read as its prediction target, with the same range rule as the 2D model (model_denoiser.hpp).
#include <torch/types.h>

#include "diffusion/image_model.hpp"
#include "diffusion/model_denoiser.hpp"
#include "diffusion/reverse_process.hpp"
#include "diffusion/sampler.hpp"

namespace diffusion {

// No gradient recording; one [1] log-SNR for the whole batch. The model must be on x_t's device.
Denoiser make_image_denoiser(ImageUNet model, PredictionTarget target, const ReverseConfig& config);

// The U-Net's raw output for a batch [N, C, H, W] at one noise level (no gradient recording),
// log_snr clamped with model_log_snr (NaN throws std::domain_error).
torch::Tensor predict_image_output(ImageUNet& model, const torch::Tensor& x_t, double log_snr);

}  // namespace diffusion
