// Flow matching / rectified flow (Lipman et al. 2023, "Flow Matching for Generative Modeling";
// Liu et al. 2023, "Flow Straight and Fast"): the linear path, its exact velocity field over a
// finite set, and the Euler / Heun integrators (Heun as in Karras et al. 2022, algorithm 1).
#include "diffusion/flow_matching.hpp"

#include <cmath>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <string>

#include <torch/torch.h>

#include "diffusion/model_denoiser.hpp"

namespace diffusion {
namespace {

void check_flow_tau(double tau, double low, const char* caller) {
  if (!(tau >= low && tau <= 1.0)) {
    std::ostringstream msg;
    msg.precision(17);
    msg << caller << ": tau = " << tau << " must lie in [" << low << ", 1]";
    throw std::invalid_argument(msg.str());
  }
}

}  // namespace

torch::Tensor flow_path_sample(const torch::Tensor& x0, const torch::Tensor& eps, double tau) {
  check_flow_tau(tau, 0.0, "flow_path_sample");
  return x0 * (1.0 - tau) + eps * tau;
}

torch::Tensor flow_path_sample(const torch::Tensor& x0, const torch::Tensor& eps, const torch::Tensor& tau) {
  return x0 * (1.0 - tau) + eps * tau;
}

torch::Tensor flow_target_velocity(const torch::Tensor& x0, const torch::Tensor& eps) { return eps - x0; }

double flow_log_snr(double tau) {
  if (!(tau >= 0.0 && tau <= 1.0)) throw std::domain_error("flow_log_snr: tau must lie in [0, 1]");
  if (tau == 0.0) return std::numeric_limits<double>::infinity();
  if (tau == 1.0) return -std::numeric_limits<double>::infinity();
  // log1p keeps (1 - tau) accurate for small tau.
  return 2.0 * (std::log1p(-tau) - std::log(tau));
}

ExactVelocity::ExactVelocity(torch::Tensor train, std::int64_t chunk_rows)
    : denoiser_(std::move(train), chunk_rows) {}

torch::Tensor ExactVelocity::expected_x0(const torch::Tensor& x, double tau) const {
  check_flow_tau(tau, kMinExactFlowTau, "ExactVelocity");
  // x_tau / c = ((1 - tau) / c) x0 + (tau / c) eps with ((1 - tau) / c)^2 + (tau / c)^2 = 1: a
  // variance-preserving x_t with sqrt(alpha_bar) = (1 - tau) / c, whose posterior over the training
  // points is the flow path's (same likelihood ratios, both scaled by c).
  const double keep = 1.0 - tau;
  const double c = std::hypot(keep, tau);
  const double alpha_bar = (keep * keep) / (c * c);
  return denoiser_.expected_x0(x / c, alpha_bar);
}

torch::Tensor ExactVelocity::velocity(const torch::Tensor& x, double tau) const {
  return (x - expected_x0(x, tau)) / tau;
}

VelocityField make_exact_velocity(std::shared_ptr<const ExactVelocity> exact) {
  if (!exact) throw std::invalid_argument("make_exact_velocity: no ExactVelocity given");
  return [exact](const torch::Tensor& x, double tau) { return exact->velocity(x, tau); };
}

VelocityField make_model_velocity(PointModel model) {
  if (!model) throw std::invalid_argument("make_model_velocity: the model is not set");
  return [model](const torch::Tensor& x, double tau) mutable {
    check_flow_tau(tau, 0.0, "model velocity");
    return predict_output(model, x, flow_log_snr(tau));
  };
}

bool is_flow_solver(OdeSolver solver) { return solver == OdeSolver::Euler || solver == OdeSolver::Heun; }

std::vector<double> flow_tau_grid(int steps) {
  if (steps < 1) throw std::invalid_argument("flow_tau_grid: steps = " + std::to_string(steps) + " must be >= 1");
  std::vector<double> grid(static_cast<std::size_t>(steps) + 1);
  for (int k = steps; k >= 0; --k) grid[static_cast<std::size_t>(steps - k)] = static_cast<double>(k) / steps;
  return grid;
}

int flow_nfe(OdeSolver solver, int steps) {
  if (steps < 1) throw std::invalid_argument("flow_nfe: steps must be >= 1");
  if (!is_flow_solver(solver))
    throw std::invalid_argument("flow_nfe: flow matching integrates with euler or heun, not " +
                                std::string(to_string(solver)));
  return solver == OdeSolver::Heun ? 2 * steps - 1 : steps;
}

FlowRun run_flow(const torch::Tensor& x_1, int steps, OdeSolver solver, const VelocityField& velocity,
                 const FlowStepCallback& on_step) {
  if (!x_1.defined()) throw std::invalid_argument("run_flow: x_1 must be a defined tensor");
  if (!is_flow_solver(solver))
    throw std::invalid_argument("run_flow: flow matching integrates with euler or heun, not " +
                                std::string(to_string(solver)));
  if (!velocity) throw std::invalid_argument("run_flow: no velocity field given");
  const std::vector<double> grid = flow_tau_grid(steps);
  torch::NoGradGuard no_grad;
  FlowRun run;
  run.x = x_1;
  for (int i = 0; i < steps; ++i) {
    const double tau_from = grid[static_cast<std::size_t>(i)];
    const double tau_to = grid[static_cast<std::size_t>(i) + 1];
    const double h = tau_to - tau_from;  // negative: tau runs down
    const torch::Tensor slope = velocity(run.x, tau_from);
    ++run.nfe;
    torch::Tensor next = run.x + slope * h;
    // Heun's corrector averages the slopes at both ends; never at tau = 0 (see the header).
    if (solver == OdeSolver::Heun && tau_to > 0.0) {
      const torch::Tensor slope_end = velocity(next, tau_to);
      ++run.nfe;
      next = run.x + (slope + slope_end) * (0.5 * h);
    }
    run.x = next;
    run.steps_done = i + 1;
    if (on_step && !on_step(run.x, FlowStep{i, steps, tau_from, tau_to, run.nfe})) break;
  }
  return run;
}

}  // namespace diffusion
