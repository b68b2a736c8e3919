#pragma once
// Deterministic sampling by solving the probability-flow ODE (Song et al. 2021) from x_T down to
// t = 0 over the given steps, with any Denoiser (learned or exact), on any schedule and any K.
//
// In DDIM's variables, with a = sqrt(alpha_bar), s = sqrt(1 - alpha_bar), sigma_hat = s / a and
// x_bar = x / a, the ODE reads d x_bar / d sigma_hat = eps_hat(x, t). Every update is written as
// the Euler step (= DDIM with eta = 0) plus a correction, in x0_hat / eps_hat form:
//   Euler:   x_prev = a_prev x0_hat + s_prev eps_hat
//            (x_bar_t + (sigma_hat_prev - sigma_hat_t) eps_hat, multiplied out by a_prev),
//   Heun:    + (s_prev - a_prev sigma_hat_t) (eps_hat' - eps_hat) / 2, eps_hat' taken at the
//            Euler step's end (Karras et al. 2022, Alg. 1: the average of both ends' slopes),
//   DPM-Solver++(2M) (Lu et al. 2022, Alg. 2, data prediction, multistep, in h = half the log-SNR
//            step): + a_prev (1 - e^-h) (x0_hat - x0_hat_last) / (2 r), r = h_last / h,
//            which is x_prev = (s_prev/s_t) x_t - a_prev (e^-h - 1) [(1 + 1/(2r)) D_t - D_last/(2r)].
// This form stays finite where sigma_hat is infinite (zero terminal SNR, alpha_bar_T = 0) and
// zero (t = 0): a step starting at alpha_bar = 0 and the last step (to t = 0) are plain Euler
// steps for every solver (Karras et al. take the last step with Euler; DPM-Solver++ lowers its order
// there, and its first step is first order too), so no coefficient is ever infinite or 0/0.
#include <torch/types.h>

#include "diffusion/ode_solver_kind.hpp"
#include "diffusion/sampler.hpp"

namespace diffusion {

struct OdeRun {
  torch::Tensor x;              // x_0, or the state at which the callback stopped
  int network_evaluations = 0;  // denoiser calls made (ode_network_evaluations for a full run)
};

// One solver step from x at steps[i], for callers that step a run themselves (the GUI's resumable
// stepped run, which steps rows in chunks): run_ode is a loop over it. `pred` is denoiser(x,
// steps[i]), made by the caller (1 NFE). Heun's corrector calls `denoiser` once more, at the next
// step of the chain (then adds 1 to *corrector_evaluations when given). x0_last and h_last are
// DPM-Solver++(2M)'s memory of the step before, for the same rows as x: its x0_hat and
// ode_carried_h of that step (x0_last undefined or h_last = 0: a first-order step); the other
// solvers ignore them. `steps` must be a chain; i < steps.size(). Returns x at steps[i].t_prev.
torch::Tensor ode_step(const torch::Tensor& x, const Prediction& pred, const std::vector<SamplingStep>& steps,
                       std::size_t i, OdeSolver solver, const Denoiser& denoiser, const torch::Tensor& x0_last,
                       double h_last, int* corrector_evaluations = nullptr);
// (ode_carried_h and ode_plain_euler_step, torch-free, are in ode_solver_kind.hpp.)

// `steps` must be a chain (each step's t_prev is the next step's t), as sampling_steps returns.
// Heun's corrector evaluates the denoiser at the next step of the chain. Calls `on_step` after
// each step; it may return false to stop. Throws std::invalid_argument on an undefined x_T, empty
// or broken steps, or no denoiser.
OdeRun run_ode(const torch::Tensor& x_T, const std::vector<SamplingStep>& steps, const Denoiser& denoiser,
               OdeSolver solver, const StepCallback& on_step = nullptr);

}  // namespace diffusion
