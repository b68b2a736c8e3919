#pragma once
// How the reverse process draws x_{t-1}: the sigma_t choice and its parameters. Torch-free, so the
// UI and the jobs it sends can hold one.
#include <optional>
#include <string_view>

#include "diffusion/sampling_steps.hpp"

namespace diffusion {

// sigma_t^2 choices: posterior variance beta_tilde ("small"), beta ("large"), a log-space
// interpolation between them, or DDIM with eta.
enum class SigmaKind { Small, Large, Interpolated, DDIM };
std::string_view to_string(SigmaKind kind);
std::optional<SigmaKind> parse_sigma_kind(std::string_view name);  // small|large|interpolated|ddim

struct ReverseConfig {
  SigmaKind sigma = SigmaKind::Small;
  double interpolation = 0.5;  // Interpolated: log s^2 = v log beta + (1 - v) log beta_tilde, v in [0,1]
  double eta = 0.0;            // DDIM: 0 deterministic, 1 = DDPM with beta_tilde on consecutive steps
  bool clip_x0 = false;        // clamp x0_hat to [clip_min, clip_max] (images: [-1, 1])
  double clip_min = -1.0;
  double clip_max = 1.0;
};

// Throws std::invalid_argument naming the parameter (eta, interpolation, clip range; NaN too).
void validate(const ReverseConfig& config);


// The noise standard deviation sigma for this step and configuration (0 on the last step).
double reverse_sigma(const SamplingStep& step, const ReverseConfig& config);

}  // namespace diffusion
