#pragma once
// A sampler Denoiser (sampler.hpp) backed by the learned 2D model: eps_hat = model(x_t, lambda_t)
// with lambda_t the step's log-SNR, clamped to the training range (log_snr.hpp).
//
// Where alpha_bar_t = 0 (zero terminal SNR at t = T) x0_hat cannot come from eps_t: there
// E[x0 | x_T] is the data mean whatever x_T is, and an eps-model can only say so through
// x0 = (x - sqrt(1 - ab) eps) / sqrt(ab), which multiplies its error by 1/sqrt(ab) (e^10 at the
// bottom of the range). So at alpha_bar_t = 0 the model is evaluated at
// kZeroSnrReferenceLogSnr instead (1/sqrt(ab) = 20, while x0_hat there differs from the data mean
// by only about sqrt(ab) = 0.05 times x), and its x0_hat is passed on as an x0 prediction.
#include <functional>

#include <torch/types.h>

#include "diffusion/point_model.hpp"
#include "diffusion/reverse_process.hpp"
#include "diffusion/sampler.hpp"

namespace diffusion {

inline constexpr double kZeroSnrReferenceLogSnr = -6.0;

// Any eps-prediction model as a Denoiser: predict_eps(x_t, lambda) at the step's log-SNR, with the
// zero-terminal-SNR rule above. Shared by the 2D model and the image U-Net (image_denoiser.hpp).
using EpsPredictor = std::function<torch::Tensor(const torch::Tensor& x_t, double log_snr)>;
Denoiser make_eps_model_denoiser(EpsPredictor predict_eps, const ReverseConfig& config);

// Runs the model without gradient recording, with a [1] log-SNR broadcast over the cloud.
// Keeps `model` (a shared handle) alive inside the returned function. x_t of any floating type;
// the prediction has x_t's type and device (the model must be on that device).
Denoiser make_model_denoiser(PointModel model, const ReverseConfig& config);

// eps_hat for a cloud [N, 2] at one noise level (no gradient recording); what overlays (score
// field) use. log_snr is clamped with model_log_snr (NaN throws std::domain_error).
torch::Tensor predict_eps(PointModel& model, const torch::Tensor& x_t, double log_snr);

}  // namespace diffusion
