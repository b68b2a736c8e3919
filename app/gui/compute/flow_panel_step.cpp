// A flow-matching panel of the stepped run (see flow_panel_step.hpp).
#include "gui/compute/flow_panel_step.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "diffusion/schedule.hpp"

namespace diffuscope::gui {
namespace {

// The SamplingStep of a flow step from timeline t to t_prev: only t and t_prev mean anything (the
// cursor, shown_t); the ᾱ values are the schedule's, filled so that nothing reads garbage.
diffusion::SamplingStep flow_timeline_step(const diffusion::Schedule& schedule, int t, int t_prev) {
  diffusion::SamplingStep step;
  step.t = t;
  step.t_prev = t_prev;
  step.alpha_bar = schedule.alpha_bar(t);
  step.alpha_bar_prev = schedule.alpha_bar(t_prev);
  step.one_minus_alpha_bar = schedule.one_minus_alpha_bar(t);
  step.one_minus_alpha_bar_prev = schedule.one_minus_alpha_bar(t_prev);
  step.beta = step.alpha_bar_prev > 0 ? 1.0 - step.alpha_bar / step.alpha_bar_prev : 1.0;
  return step;
}

// τ of the step whose timeline t is `t` (the panel's denoiser is called with its steps).
double flow_tau_of_step(const std::vector<diffusion::SamplingStep>& steps, const std::vector<double>& tau, int t) {
  for (std::size_t j = 0; j < steps.size(); ++j)
    if (steps[j].t == t) return tau[j];
  throw std::invalid_argument("flow panel: timestep " + std::to_string(t) + " is not one of its steps");
}

}  // namespace

diffusion::OdeSolver flow_panel_solver(const ReversePanelSpec& spec) {
  const diffusion::OdeSolver solver = spec.ode_solver.value_or(diffusion::OdeSolver::Euler);
  if (!diffusion::is_flow_solver(solver))
    throw std::invalid_argument("flow matching integrates with Euler or Heun, not " +
                                std::string(diffusion::to_string(solver)) +
                                " (DPM-Solver++ is derived for the diffusion ODE)");
  return solver;
}

int flow_timeline_t(double tau, int T) { return static_cast<int>(std::lround(tau * T)); }

void prepare_flow_panel(SteppedPanel& panel, const RunSpec& run) {
  const ReversePanelSpec& spec = panel.spec;
  if (!spec.schedule.built) throw std::invalid_argument(spec.schedule.error);
  const diffusion::Schedule& schedule = *spec.schedule.built;
  panel.T = schedule.T();
  panel.label = run.label(spec, schedule.T());
  const int K = spec.steps == 0 ? schedule.T() : spec.steps;
  // K <= T keeps the timeline steps distinct: consecutive τ_k·T differ by T / K >= 1.
  if (K < 1 || K > schedule.T())
    throw std::invalid_argument("steps = " + std::to_string(spec.steps) + " must be in 1..T (T = " +
                                std::to_string(schedule.T()) + ")");
  flow_panel_solver(spec);
  if (!run.make_velocity)
    throw std::invalid_argument("flow matching panels run in the 2D reverse view only");
  panel.flow_tau = diffusion::flow_tau_grid(K);
  panel.steps.clear();
  panel.visited_t.clear();
  for (int j = 0; j < K; ++j) {
    const int t = flow_timeline_t(panel.flow_tau[static_cast<std::size_t>(j)], panel.T);
    const int t_prev = flow_timeline_t(panel.flow_tau[static_cast<std::size_t>(j) + 1], panel.T);
    panel.steps.push_back(flow_timeline_step(schedule, t, t_prev));
    panel.visited_t.push_back(t);
  }
  panel.velocity = run.make_velocity(spec);
  panel.denoiser = [velocity = panel.velocity, steps = panel.steps, tau = panel.flow_tau](
                       const torch::Tensor& x, const diffusion::SamplingStep& step) {
    const double at = flow_tau_of_step(steps, tau, step.t);
    return flow_prediction(x, velocity(x, at), at);
  };
}

diffusion::Prediction flow_prediction(const torch::Tensor& x, const torch::Tensor& velocity, double tau) {
  diffusion::Prediction prediction;
  prediction.x0 = x - velocity * tau;
  prediction.eps = x + velocity * (1.0 - tau);
  return prediction;
}

double flow_overlay_tau(const SteppedPanel& panel, int state) {
  return panel.flow_tau[static_cast<std::size_t>(std::clamp(state, 0, panel.K() - 1))];
}

torch::Tensor flow_panel_rows(const SteppedPanel& panel, int k, const torch::Tensor& x_t,
                              diffusion::Prediction* prediction) {
  // The same operations as diffusion::run_flow's step, so that the panel reaches its result.
  const double tau_from = panel.flow_tau[static_cast<std::size_t>(k)];
  const double tau_to = panel.flow_tau[static_cast<std::size_t>(k) + 1];
  const double h = tau_to - tau_from;  // negative: τ runs down
  const torch::Tensor slope = panel.velocity(x_t, tau_from);
  if (prediction) *prediction = flow_prediction(x_t, slope, tau_from);
  torch::Tensor next = x_t + slope * h;
  // Heun's corrector averages the slopes at both ends; never at τ = 0 (flow_matching.hpp).
  if (flow_panel_solver(panel.spec) == diffusion::OdeSolver::Heun && tau_to > 0.0) {
    const torch::Tensor slope_end = panel.velocity(next, tau_to);
    next = x_t + (slope + slope_end) * (0.5 * h);
  }
  return next;
}

}  // namespace diffuscope::gui
