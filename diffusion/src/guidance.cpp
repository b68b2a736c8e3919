// Classifier-free guidance (Ho & Salimans 2022, eq. 6, written with w as the scale of the
// conditional difference).
#include "diffusion/guidance.hpp"

#include <cmath>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>

#include <torch/torch.h>

#include "diffusion/exact_denoiser.hpp"

namespace diffusion {

void validate_guidance_scale(double w) {
  if (!(w >= 0.0 && w <= kMaxGuidanceScale)) {  // NaN fails too
    std::ostringstream message;
    message << "guidance scale w = " << w << " must lie in [0, " << kMaxGuidanceScale
            << "] (0: unconditional, 1: conditional, > 1: guided)";
    throw std::invalid_argument(message.str());
  }
}

Prediction guided_prediction(const torch::Tensor& x_t, const Prediction& unconditional,
                             const Prediction& conditional, double w, const SamplingStep& step,
                             const ReverseConfig& config) {
  validate_guidance_scale(w);
  Prediction guided;
  guided.x0 = unconditional.x0 * (1.0 - w) + conditional.x0 * w;
  guided.eps = unconditional.eps * (1.0 - w) + conditional.eps * w;
  // Inside [0, 1] the combination of two clipped x0 stays in the clip range.
  if (config.clip_x0 && (w < 0.0 || w > 1.0)) {
    guided.x0 = guided.x0.clamp(config.clip_min, config.clip_max);
    if (step.one_minus_alpha_bar > 0.0) guided.eps = predict_eps_from_x0(x_t, guided.x0, step);
  }
  return guided;
}

Denoiser make_guided_denoiser(Denoiser unconditional, Denoiser conditional, double w,
                              const ReverseConfig& config) {
  validate_guidance_scale(w);
  validate(config);
  if (!unconditional || !conditional)
    throw std::invalid_argument("make_guided_denoiser: both denoisers must be set");
  return [unconditional = std::move(unconditional), conditional = std::move(conditional), w, config](
             const torch::Tensor& x_t, const SamplingStep& step) {
    return guided_prediction(x_t, unconditional(x_t, step), conditional(x_t, step), w, step, config);
  };
}

Denoiser make_guided_exact_denoiser(std::shared_ptr<const ConditionalExactDenoiser> exact, int class_id, double w,
                                    const ReverseConfig& config) {
  if (!exact) throw std::invalid_argument("make_guided_exact_denoiser: no exact denoiser");
  // make_exact_denoiser keeps references to the ExactDenoisers inside `exact`: the returned
  // function holds `exact` itself.
  const Denoiser unconditional = make_exact_denoiser(exact->denoiser(kNullClass), config);
  const Denoiser of_class = make_exact_denoiser(exact->denoiser(class_id), config);
  const Denoiser guided = make_guided_denoiser(unconditional, of_class, w, config);
  return [guided, exact](const torch::Tensor& x_t, const SamplingStep& step) { return guided(x_t, step); };
}

}  // namespace diffusion
