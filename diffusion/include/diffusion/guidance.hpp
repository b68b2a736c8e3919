#pragma once
// Classifier-free guidance (Ho & Salimans 2022): from an unconditional prediction (the null class)
// and a conditional one (class c) at the same x_t and step,
//   eps_w = eps_null + w (eps_c - eps_null),
// w = 0 unconditional, w = 1 conditional, w > 1 guided (this is the convention shown on screen;
// some texts write 1 + w for our w). Works with any pair of Denoisers: the exact denoiser's
// (ConditionalExactDenoiser) or a learned conditional model's.
#include <memory>

#include "diffusion/reverse_config.hpp"
#include "diffusion/reverse_process.hpp"
#include "diffusion/sampler.hpp"
#include "diffusion/sampling_steps.hpp"

namespace diffusion {

inline constexpr double kMaxGuidanceScale = 10.0;

// Throws std::invalid_argument unless w is a number in [0, kMaxGuidanceScale].
void validate_guidance_scale(double w);

// The guided prediction. For the same x_t, x0 is affine in eps (x0 = (x_t - s eps) / a), so the
// combination is taken as (1 - w) p_null + w p_c in both fields: the same eps_w, consistent x0,
// valid where a = 0 too, and exactly p_null at w = 0 and exactly p_c at w = 1. With config.clip_x0
// and w outside [0, 1] the combined x0 is clipped again and eps re-derived from it.
Prediction guided_prediction(const torch::Tensor& x_t, const Prediction& unconditional,
                             const Prediction& conditional, double w, const SamplingStep& step,
                             const ReverseConfig& config);

// A Denoiser calling both denoisers on every step (two evaluations a step) and combining them.
// Validates w and config; the two Denoisers are held by value.
Denoiser make_guided_denoiser(Denoiser unconditional, Denoiser conditional, double w,
                              const ReverseConfig& config);

class ConditionalExactDenoiser;
// Guidance with the exact denoiser: make_guided_denoiser over the exact denoiser of every training
// point (the null class) and that of class_id's points (the exact conditional denoiser, the
// posterior mean over the class's points). Holds `exact` alive. Throws std::invalid_argument for a
// class out of range or without points, or w outside [0, kMaxGuidanceScale].
Denoiser make_guided_exact_denoiser(std::shared_ptr<const ConditionalExactDenoiser> exact, int class_id, double w,
                                    const ReverseConfig& config);

}  // namespace diffusion
