// One reverse step (Ho et al. 2020; Nichol & Dhariwal 2021 for the interpolated variance;
// Song et al. 2021 for DDIM). Every coefficient comes from the SamplingStep's own fields, so the
// same code serves the full chain and respaced steps.
#include "diffusion/reverse_process.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

#include <torch/torch.h>

namespace diffusion {
namespace {

void check_tensors(const torch::Tensor& x_t, const torch::Tensor& other, const char* where,
                   const char* other_name) {
  if (!x_t.defined() || !other.defined())
    throw std::invalid_argument(std::string(where) + ": x_t and " + other_name + " must be defined");
  if (x_t.sizes() != other.sizes())
    throw std::invalid_argument(std::string(where) + ": " + other_name + " must have the shape of x_t");
}

}  // namespace

torch::Tensor predict_x0_from_eps(const torch::Tensor& x_t, const torch::Tensor& eps,
                                  const SamplingStep& step) {
  check_tensors(x_t, eps, "predict_x0_from_eps", "eps");
  if (!(step.alpha_bar > 0.0))
    throw std::domain_error("predict_x0_from_eps: alpha_bar_t = 0 at t = " + std::to_string(step.t) +
                            " (zero terminal SNR): x0 cannot be recovered from an eps prediction "
                            "there; use an x0-predicting denoiser (prediction_from_x0) instead");
  return (x_t - eps.to(x_t.options()) * std::sqrt(step.one_minus_alpha_bar)) /
         std::sqrt(step.alpha_bar);
}

torch::Tensor predict_eps_from_x0(const torch::Tensor& x_t, const torch::Tensor& x0_hat,
                                  const SamplingStep& step) {
  check_tensors(x_t, x0_hat, "predict_eps_from_x0", "x0");
  if (!(step.one_minus_alpha_bar > 0.0))
    throw std::domain_error("predict_eps_from_x0: 1 - alpha_bar_t = 0 at t = " +
                            std::to_string(step.t) + ": there is no noise to predict");
  return (x_t - x0_hat.to(x_t.options()) * std::sqrt(step.alpha_bar)) /
         std::sqrt(step.one_minus_alpha_bar);
}

torch::Tensor posterior_mean(const torch::Tensor& x_t, const torch::Tensor& x0,
                             const SamplingStep& step) {
  check_tensors(x_t, x0, "posterior_mean", "x0");
  return x0.to(x_t.options()) * step.posterior_mean_coef_x0() + x_t * step.posterior_mean_coef_xt();
}

torch::Tensor posterior_mean_from_eps(const torch::Tensor& x_t, const torch::Tensor& eps,
                                      const SamplingStep& step) {
  check_tensors(x_t, eps, "posterior_mean_from_eps", "eps");
  const double alpha = step.alpha();
  if (!(alpha > 0.0) || !(step.one_minus_alpha_bar > 0.0))
    throw std::domain_error("posterior_mean_from_eps: alpha_t = 0 at t = " + std::to_string(step.t) +
                            " (zero terminal SNR): use posterior_mean with an x0 prediction");
  return (x_t - eps.to(x_t.options()) * (step.beta / std::sqrt(step.one_minus_alpha_bar))) /
         std::sqrt(alpha);
}

Prediction prediction_from_eps(const torch::Tensor& x_t, const torch::Tensor& eps,
                               const SamplingStep& step, const ReverseConfig& config) {
  validate(config);
  Prediction pred;
  pred.x0 = predict_x0_from_eps(x_t, eps, step);
  if (config.clip_x0) {
    pred.x0 = pred.x0.clamp(config.clip_min, config.clip_max);
    // Keep eps consistent with the clipped x0, so DDIM and the eps-form mean agree with it.
    pred.eps = predict_eps_from_x0(x_t, pred.x0, step);
  } else {
    pred.eps = eps.to(x_t.options());
  }
  return pred;
}

Prediction prediction_from_x0(const torch::Tensor& x_t, const torch::Tensor& x0,
                              const SamplingStep& step, const ReverseConfig& config) {
  validate(config);
  Prediction pred;
  pred.x0 = x0.to(x_t.options());
  if (config.clip_x0) pred.x0 = pred.x0.clamp(config.clip_min, config.clip_max);
  pred.eps = predict_eps_from_x0(x_t, pred.x0, step);
  return pred;
}

torch::Tensor reverse_step(const torch::Tensor& x_t, const Prediction& pred,
                           const SamplingStep& step, const ReverseConfig& config,
                           const torch::Tensor& z) {
  const double sigma = reverse_sigma(step, config);  // validates config
  torch::Tensor mean;
  if (config.sigma == SigmaKind::DDIM) {
    check_tensors(x_t, pred.x0, "reverse_step", "pred.x0");
    check_tensors(x_t, pred.eps, "reverse_step", "pred.eps");
    // Clamped at 0: sigma^2 <= 1 - ab_prev holds exactly, but not always after rounding.
    const double eps_coef =
        std::sqrt(std::max(0.0, step.one_minus_alpha_bar_prev - sigma * sigma));
    mean = pred.x0.to(x_t.options()) * std::sqrt(step.alpha_bar_prev) +
           pred.eps.to(x_t.options()) * eps_coef;
  } else {
    mean = posterior_mean(x_t, pred.x0, step);
  }
  if (step.is_last() || sigma == 0.0) return mean;
  check_tensors(x_t, z, "reverse_step", "z");
  return mean + z.to(x_t.options()) * sigma;
}

}  // namespace diffusion
