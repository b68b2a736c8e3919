#pragma once
// The forward (noising) processes on tensors of any shape [N, ...], on any device.
#include <torch/types.h>

#include "diffusion/schedule_params.hpp"

namespace diffusion {

class Schedule;  // diffusion/schedule.hpp

// Closed form q(x_t | x_0): x_t = sqrt(ab_t) x_0 + sqrt(1 - ab_t) eps. t in 0..T (t = 0 returns x_0).
torch::Tensor q_sample(const Schedule& schedule, const torch::Tensor& x0, int t,
                       const torch::Tensor& eps);

// Closed form with one timestep per sample: t is int64 [N] with values in 1..T (training).
torch::Tensor q_sample(const Schedule& schedule, const torch::Tensor& x0, const torch::Tensor& t,
                       const torch::Tensor& eps);

// One Markov step q(x_t | x_{t-1}): x_t = sqrt(alpha_t) x_{t-1} + sqrt(beta_t) eps. t in 1..T.
torch::Tensor q_step(const Schedule& schedule, const torch::Tensor& x_prev, int t,
                     const torch::Tensor& eps);

// The lecture notes' naive variance-exploding process: x_t = x_0 + sqrt(t beta) eps (t >= 0).
torch::Tensor naive_sample(const torch::Tensor& x0, int t, double beta, const torch::Tensor& eps);

}  // namespace diffusion
