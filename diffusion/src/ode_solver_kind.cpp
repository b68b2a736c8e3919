// Names of the ODE solvers and their cost in network evaluations.
#include "diffusion/ode_solver_kind.hpp"

#include <cmath>

#include "diffusion/log_snr.hpp"

namespace diffusion {

const std::vector<OdeSolver>& all_ode_solvers() {
  static const std::vector<OdeSolver> solvers = {OdeSolver::Euler, OdeSolver::Heun, OdeSolver::DpmSolverPP2M};
  return solvers;
}

std::string_view to_string(OdeSolver solver) {
  switch (solver) {
    case OdeSolver::Euler: return "euler";
    case OdeSolver::Heun: return "heun";
    case OdeSolver::DpmSolverPP2M: return "dpmpp2m";
  }
  return "unknown";
}

std::optional<OdeSolver> parse_ode_solver(std::string_view name) {
  for (OdeSolver solver : all_ode_solvers())
    if (to_string(solver) == name) return solver;
  return std::nullopt;
}

bool ode_plain_euler_step(const SamplingStep& step) { return step.is_last() || !(step.alpha_bar > 0.0); }

double ode_carried_h(const SamplingStep& step) {
  const double h = 0.5 * (log_snr_from_alpha_bar(step.alpha_bar_prev, step.one_minus_alpha_bar_prev) -
                          log_snr_from_alpha_bar(step.alpha_bar, step.one_minus_alpha_bar));
  return std::isfinite(h) && h > 0.0 ? h : 0.0;
}

int ode_network_evaluations(OdeSolver solver, const std::vector<SamplingStep>& steps) {
  int evaluations = 0;
  for (const SamplingStep& step : steps) {
    // Heun's corrector needs both ends finite and nonzero in sigma_hat (see ode_solver.hpp).
    const bool corrected = solver == OdeSolver::Heun && !ode_plain_euler_step(step);
    evaluations += corrected ? 2 : 1;
  }
  return evaluations;
}

}  // namespace diffusion
