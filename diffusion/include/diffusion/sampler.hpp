#pragma once
// The reverse-process loop: from x_T ~ N(0, I) down to x_0 over the given steps.
#include <functional>

#include <torch/types.h>

#include "diffusion/noise.hpp"
#include "diffusion/reverse_process.hpp"

namespace diffusion {

// A denoiser returns its prediction for x_t at a step (either parametrisation).
using Denoiser = std::function<Prediction(const torch::Tensor& x_t, const SamplingStep& step)>;
// Called after each step with the new state; return false to stop early (cancellation).
using StepCallback = std::function<bool(const torch::Tensor& x, const SamplingStep& step, int index)>;

// Runs every step in order starting from x_T, drawing z from `noise` at each step that adds noise
// (one draw of x_T's shape per non-final step, so equal seeds give common random numbers).
// Returns the final x (x_0), or the state at which the callback stopped.
torch::Tensor run_reverse(const torch::Tensor& x_T, const std::vector<SamplingStep>& steps,
                          const Denoiser& denoiser, const ReverseConfig& config, NoiseSource& noise,
                          const StepCallback& on_step = nullptr);

// A Denoiser that wraps an ExactDenoiser (x0-prediction, valid at zero terminal SNR too).
// It holds `exact` by reference: keep the ExactDenoiser alive while the Denoiser is used.
class ExactDenoiser;
Denoiser make_exact_denoiser(const ExactDenoiser& exact, const ReverseConfig& config);

}  // namespace diffusion
