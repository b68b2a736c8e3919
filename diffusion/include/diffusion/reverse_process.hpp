#pragma once
// One reverse (denoising) step, given the model's prediction, on consecutive or respaced steps.
#include <torch/types.h>

#include "diffusion/reverse_config.hpp"
#include "diffusion/sampling_steps.hpp"

namespace diffusion {

// x0_hat = (x_t - sqrt(1 - ab_t) eps) / sqrt(ab_t). Throws std::domain_error if ab_t == 0
// (zero terminal SNR at t = T: predict x0 directly instead).
torch::Tensor predict_x0_from_eps(const torch::Tensor& x_t, const torch::Tensor& eps,
                                  const SamplingStep& step);
// eps = (x_t - sqrt(ab_t) x0_hat) / sqrt(1 - ab_t).
torch::Tensor predict_eps_from_x0(const torch::Tensor& x_t, const torch::Tensor& x0_hat,
                                  const SamplingStep& step);

// Posterior mean mu_tilde(x_t, x0) of q(x_{t_prev} | x_t, x0).
torch::Tensor posterior_mean(const torch::Tensor& x_t, const torch::Tensor& x0,
                             const SamplingStep& step);
// mu_theta = (x_t - beta / sqrt(1 - ab_t) eps) / sqrt(alpha), the epsilon form of the same mean.
torch::Tensor posterior_mean_from_eps(const torch::Tensor& x_t, const torch::Tensor& eps,
                                      const SamplingStep& step);

// A model's output for one step, in both parametrisations.
struct Prediction {
  torch::Tensor x0;   // possibly clipped
  torch::Tensor eps;  // consistent with x0 when x0 was clipped
};
// From an eps prediction (clips x0 per config and re-derives eps when clipping changed x0).
Prediction prediction_from_eps(const torch::Tensor& x_t, const torch::Tensor& eps,
                               const SamplingStep& step, const ReverseConfig& config);
// From an x0 prediction (e.g. the exact denoiser; also valid where ab_t = 0).
Prediction prediction_from_x0(const torch::Tensor& x_t, const torch::Tensor& x0,
                              const SamplingStep& step, const ReverseConfig& config);

// x_{t_prev} = mean + sigma z. `z` must have x_t's shape; it is ignored on the last step
// (no noise is added there) and when sigma = 0. DDPM kinds use the posterior mean at pred.x0;
// DDIM uses sqrt(ab_prev) x0 + sqrt(1 - ab_prev - sigma^2) eps.
torch::Tensor reverse_step(const torch::Tensor& x_t, const Prediction& pred,
                           const SamplingStep& step, const ReverseConfig& config,
                           const torch::Tensor& z);

}  // namespace diffusion
