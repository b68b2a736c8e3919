#pragma once
// The probability-flow ODE solvers by name, and how many network evaluations (NFE) each spends on
// a list of sampling steps. Torch-free, so the command line and the UI can name and count them;
// the solvers themselves are in ode_solver.hpp.
#include <optional>
#include <string_view>
#include <vector>

#include "diffusion/sampling_steps.hpp"

namespace diffusion {

// Euler: first order, 1 NFE per step (equal to DDIM with eta = 0).
// Heun: second order, 2 NFE per step (Karras et al. 2022), except where a step starts at
//   sigma_hat = infinity (zero terminal SNR) or ends at t = 0: plain Euler there, 1 NFE.
// DpmSolverPP2M: DPM-Solver++(2M) (Lu et al. 2022), second order multistep, 1 NFE per step.
enum class OdeSolver { Euler, Heun, DpmSolverPP2M };

// In the order the command line lists them.
const std::vector<OdeSolver>& all_ode_solvers();
// "euler", "heun", "dpmpp2m" (--solver).
std::string_view to_string(OdeSolver solver);
std::optional<OdeSolver> parse_ode_solver(std::string_view name);

// True where every solver takes a plain Euler step: the last step (to t = 0, sigma_hat = 0) and a
// step from alpha_bar = 0 (sigma_hat infinite); see ode_solver.hpp.
bool ode_plain_euler_step(const SamplingStep& step);

// DPM-Solver++(2M)'s memory after `step`: the step's half-log-SNR step h = lambda_prev - lambda_t
// (lambda = log(sqrt(alpha_bar) / sqrt(1 - alpha_bar))) when the next step may use it as h_last
// (finite and > 0), else 0 (a step from alpha_bar = 0: the next step is first order).
double ode_carried_h(const SamplingStep& step);

// The network evaluations run_ode makes on `steps` (as sampling_steps returns them).
int ode_network_evaluations(OdeSolver solver, const std::vector<SamplingStep>& steps);

}  // namespace diffusion
