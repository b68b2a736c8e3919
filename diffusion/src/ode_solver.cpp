// Euler, Heun and DPM-Solver++(2M) on the probability-flow ODE; the formulas are in the header.
#include "diffusion/ode_solver.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

#include <torch/torch.h>


namespace diffusion {
namespace {

// a_prev x0_hat + s_prev eps_hat: Euler in sigma_hat, exactly DDIM's eta = 0 update.
torch::Tensor ode_euler_update(const Prediction& pred, const SamplingStep& step, const torch::Tensor& x_t) {
  return pred.x0.to(x_t.options()) * std::sqrt(step.alpha_bar_prev) +
         pred.eps.to(x_t.options()) * std::sqrt(step.one_minus_alpha_bar_prev);
}

void check_ode_chain(const std::vector<SamplingStep>& steps) {
  for (std::size_t i = 0; i + 1 < steps.size(); ++i) {
    if (steps[i + 1].t != steps[i].t_prev)
      throw std::invalid_argument("run_ode: steps must form a chain: step " + std::to_string(i) + " ends at t = " +
                                  std::to_string(steps[i].t_prev) + " but the next starts at t = " +
                                  std::to_string(steps[i + 1].t));
  }
}

// The level t_prev of `step` as a step of its own, for Heun's corrector when the list ends before
// t = 0: a zero-length step (the denoisers read t, alpha_bar and 1 - alpha_bar).
SamplingStep ode_level_at_prev(const SamplingStep& step) {
  SamplingStep level;
  level.t = step.t_prev;
  level.t_prev = step.t_prev;
  level.alpha_bar = level.alpha_bar_prev = step.alpha_bar_prev;
  level.one_minus_alpha_bar = level.one_minus_alpha_bar_prev = step.one_minus_alpha_bar_prev;
  level.beta = 0.0;
  return level;
}

}  // namespace

torch::Tensor ode_step(const torch::Tensor& x, const Prediction& pred, const std::vector<SamplingStep>& steps,
                       std::size_t i, OdeSolver solver, const Denoiser& denoiser, const torch::Tensor& x0_last,
                       double h_last, int* corrector_evaluations) {
  if (i >= steps.size()) throw std::invalid_argument("ode_step: step index out of range");
  const SamplingStep& step = steps[i];
  // Plain Euler where sigma_hat_t is infinite (alpha_bar_t = 0) or sigma_hat_prev = 0 (t_prev = 0).
  const bool plain_euler = ode_plain_euler_step(step);
  torch::Tensor next = ode_euler_update(pred, step, x);
  if (solver == OdeSolver::Heun && !plain_euler) {
    if (!denoiser) throw std::invalid_argument("ode_step: Heun needs the denoiser");
    const SamplingStep level = i + 1 < steps.size() ? steps[i + 1] : ode_level_at_prev(step);
    const Prediction end = denoiser(next, level);
    if (corrector_evaluations) ++*corrector_evaluations;
    // a_prev (sigma_hat_prev - sigma_hat_t) = s_prev - a_prev s_t / a_t.
    const double span = std::sqrt(step.one_minus_alpha_bar_prev) -
                        std::sqrt(step.alpha_bar_prev) * std::sqrt(step.one_minus_alpha_bar / step.alpha_bar);
    next = next + (end.eps.to(x.options()) - pred.eps.to(x.options())) * (0.5 * span);
  } else if (solver == OdeSolver::DpmSolverPP2M) {
    const double h = ode_carried_h(step);
    if (!plain_euler && x0_last.defined() && h_last > 0.0 && h > 0.0) {
      const double r = h_last / h;
      const double weight = -std::expm1(-h) * std::sqrt(step.alpha_bar_prev) / (2.0 * r);
      next = next + (pred.x0.to(x.options()) - x0_last.to(x.options())) * weight;
    }
  }
  return next;
}

OdeRun run_ode(const torch::Tensor& x_T, const std::vector<SamplingStep>& steps, const Denoiser& denoiser,
               OdeSolver solver, const StepCallback& on_step) {
  if (!x_T.defined()) throw std::invalid_argument("run_ode: x_T must be a defined tensor");
  if (steps.empty()) throw std::invalid_argument("run_ode: steps must not be empty");
  if (!denoiser) throw std::invalid_argument("run_ode: denoiser must be set");
  check_ode_chain(steps);
  torch::NoGradGuard no_grad;
  OdeRun run;
  torch::Tensor x = x_T;
  torch::Tensor x0_last;   // DPM-Solver++: the previous step's x0_hat
  double h_last = 0.0;     // and its log-SNR step (> 0 when x0_last is usable)
  for (std::size_t i = 0; i < steps.size(); ++i) {
    const SamplingStep& step = steps[i];
    const Prediction pred = denoiser(x, step);
    ++run.network_evaluations;
    torch::Tensor next = ode_step(x, pred, steps, i, solver, denoiser, x0_last, h_last, &run.network_evaluations);
    if (solver == OdeSolver::DpmSolverPP2M) {
      // Only a step between two finite log-SNRs gives a usable h_last (a first step from
      // alpha_bar = 0 has h = inf: the next step is then first order again).
      h_last = ode_carried_h(step);
      x0_last = h_last > 0.0 ? pred.x0.to(x.options()) : torch::Tensor();
    }
    x = next;
    if (on_step && !on_step(x, step, static_cast<int>(i))) break;
  }
  run.x = x;
  return run;
}

}  // namespace diffusion
