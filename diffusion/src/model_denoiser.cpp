// Learned networks as sampler Denoisers: one [1] log-SNR per step, so the noise embedding is
// computed once and the whole cloud (or batch of images) shares it.
#include "diffusion/model_denoiser.hpp"

#include <cmath>
#include <stdexcept>

#include <torch/torch.h>

#include "diffusion/datasets2d.hpp"
#include "diffusion/guidance.hpp"
#include "diffusion/log_snr.hpp"

namespace diffusion {

torch::Tensor predict_output(PointModel& model, const torch::Tensor& x_t, double log_snr) {
  if (!model) throw std::invalid_argument("predict_output: the model is not set");
  torch::NoGradGuard no_grad;
  const double lambda = model_log_snr(log_snr);
  const auto level = torch::full({1}, lambda, x_t.options().dtype(torch::kFloat32));
  return model->forward(x_t, level);
}

torch::Tensor predict_output(PointModel& model, const torch::Tensor& x_t, double log_snr, int class_id) {
  if (!model) throw std::invalid_argument("predict_output: the model is not set");
  torch::NoGradGuard no_grad;
  const double lambda = model_log_snr(log_snr);
  const auto level = torch::full({1}, lambda, x_t.options().dtype(torch::kFloat32));
  return model->forward(x_t, level, class_id);
}

Prediction prediction_from_model_output(const torch::Tensor& x_t, const torch::Tensor& output,
                                        PredictionTarget target, const ModelEvaluation& evaluation,
                                        const SamplingStep& step, const ReverseConfig& config) {
  const auto out = output.to(x_t.options());
  // The coefficients of the level the network ran at: the step's own inside the range.
  const bool direct = evaluation.rule == ModelLevelRule::Direct;
  const double alpha_bar = direct ? step.alpha_bar : alpha_bar_from_log_snr(evaluation.log_snr);
  const double one_minus = direct ? step.one_minus_alpha_bar : one_minus_alpha_bar_from_log_snr(evaluation.log_snr);
  const TargetCoefficients c = target_coefficients(target, alpha_bar, one_minus);
  const auto x0_hat = [&] { return x_t * c.x0_from_xt + out * c.x0_from_output; };
  const auto eps_hat = [&] { return x_t * c.eps_from_xt + out * c.eps_from_output; };
  switch (evaluation.rule) {
    case ModelLevelRule::EpsAtUpperBound:
      return prediction_from_eps(x_t, eps_hat(), step, config);
    case ModelLevelRule::X0AtLowerLevel:
      return prediction_from_x0(x_t, x0_hat(), step, config);
    case ModelLevelRule::Direct:
      break;
  }
  // Each target keeps the prediction it makes directly and derives the other from it, so no
  // division by a tiny coefficient amplifies its error: eps keeps eps_hat (x0_hat from it), x0 and
  // v keep x0_hat; v's eps_hat = s x_t + a v_hat is exact for both (prediction_from_x0 would
  // form the same value as (x_t - a x0_hat) / s with cancellation at high SNR).
  if (target == PredictionTarget::Eps) return prediction_from_eps(x_t, out, step, config);
  if (target == PredictionTarget::X0 || config.clip_x0) return prediction_from_x0(x_t, x0_hat(), step, config);
  validate(config);
  return Prediction{x0_hat(), eps_hat()};
}

Denoiser make_learned_denoiser(ModelPredictor predict, PredictionTarget target, const ReverseConfig& config) {
  validate(config);
  if (!predict) throw std::invalid_argument("make_learned_denoiser: no predictor given");
  return [predict, target, config](const torch::Tensor& x_t, const SamplingStep& step) {
    torch::NoGradGuard no_grad;
    const double lambda = log_snr_from_alpha_bar(step.alpha_bar, step.one_minus_alpha_bar);
    const ModelEvaluation evaluation = model_evaluation(target, lambda);
    return prediction_from_model_output(x_t, predict(x_t, evaluation.log_snr), target, evaluation, step, config);
  };
}

Denoiser make_model_denoiser(PointModel model, PredictionTarget target, const ReverseConfig& config) {
  if (!model) throw std::invalid_argument("make_model_denoiser: the model is not set");
  return make_learned_denoiser(
      [model](const torch::Tensor& x_t, double log_snr) mutable { return predict_output(model, x_t, log_snr); },
      target, config);
}

Denoiser make_model_denoiser(PointModel model, PredictionTarget target, const ReverseConfig& config, int class_id) {
  if (!model) throw std::invalid_argument("make_model_denoiser: the model is not set");
  model->class_row(class_id);  // refuses an unconditional model or a bad class now, not mid-run
  return make_learned_denoiser(
      [model, class_id](const torch::Tensor& x_t, double log_snr) mutable {
        return predict_output(model, x_t, log_snr, class_id);
      },
      target, config);
}

Denoiser make_guided_model_denoiser(PointModel model, PredictionTarget target, const ReverseConfig& config,
                                    int class_id, double w) {
  validate_guidance_scale(w);
  return make_guided_denoiser(make_model_denoiser(model, target, config, kNullClass),
                              make_model_denoiser(model, target, config, class_id), w, config);
}

}  // namespace diffusion
