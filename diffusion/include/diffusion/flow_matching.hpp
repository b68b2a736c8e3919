#pragma once
// Flow matching / rectified flow (Lipman et al. 2023; Liu et al. 2023), the second process family
// (process_family.hpp): the linear path x_tau = (1 - tau) x0 + tau eps, tau in [0, 1], its target
// velocity u = eps - x0, the exact velocity field of a finite training set, a learned velocity
// model (the 2D point network), and Euler / Heun integration of dx/dtau = v from tau = 1 down to 0.
//
// tau grid: K uniform steps, tau_k = k / K, visited from tau_K = 1 down to tau_0 = 0. Velocities
// are never evaluated at tau = 0 (the exact field of a finite set is singular there): Euler
// evaluates at tau_K .. tau_1, and Heun's last step (to tau = 0) is a plain Euler step, as in
// Karras et al. 2022, so Euler costs K network evaluations (NFE) and Heun 2K - 1.
#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include <torch/types.h>

#include "diffusion/exact_denoiser.hpp"
#include "diffusion/ode_solver_kind.hpp"
#include "diffusion/point_model.hpp"

namespace diffusion {

// x_tau = (1 - tau) x0 + tau eps. tau: a number, or a tensor broadcasting over x0 (e.g. [N, 1]).
torch::Tensor flow_path_sample(const torch::Tensor& x0, const torch::Tensor& eps, double tau);
torch::Tensor flow_path_sample(const torch::Tensor& x0, const torch::Tensor& eps, const torch::Tensor& tau);
// The conditional (per-pair) velocity d x_tau / d tau = eps - x0: what the network regresses onto.
torch::Tensor flow_target_velocity(const torch::Tensor& x0, const torch::Tensor& eps);

// The path's log-SNR, 2 log((1 - tau) / tau): the noise level the point network is conditioned on
// (point_model.hpp), so a flow model reuses the DDPM network and its embedding unchanged (x_tau
// has the same signal-to-noise ratio as a DDPM x_t at that lambda). +inf at tau = 0, -inf at
// tau = 1; the network clamps it to its trained range (log_snr.hpp). Throws std::domain_error for
// tau outside [0, 1] or NaN.
double flow_log_snr(double tau);

// The smallest tau at which the exact field is evaluated: below it (1 - tau)^2 / ((1 - tau)^2 +
// tau^2) rounds towards 1 in double precision and the posterior is a hard nearest-point choice.
inline constexpr double kMinExactFlowTau = 1e-6;

// The exact velocity of the empirical data {x0_i} (design.md): with x0 uniform on the points,
// v*(x, tau) = E[eps - x0 | x_tau = x] = (x - E[x0 | x_tau = x]) / tau, where p(x0_i | x) is a
// softmax of -|x - (1 - tau) x0_i|^2 / (2 tau^2). It reuses ExactDenoiser (log-sum-exp, chunked):
// x / c with c = sqrt((1 - tau)^2 + tau^2) is a variance-preserving x_t at alpha_bar = (1 - tau)^2 / c^2.
class ExactVelocity {
 public:
  // train: [M, 2] (or [M, D]) float; see ExactDenoiser for the chunking and the device.
  explicit ExactVelocity(torch::Tensor train, std::int64_t chunk_rows = 1024);
  // E[x0 | x_tau = x] for x [N, D]; tau in [kMinExactFlowTau, 1] (else std::invalid_argument).
  torch::Tensor expected_x0(const torch::Tensor& x, double tau) const;
  // v*(x, tau), same domain.
  torch::Tensor velocity(const torch::Tensor& x, double tau) const;
  const torch::Tensor& train() const { return denoiser_.train(); }

 private:
  ExactDenoiser denoiser_;
};

// A velocity field v(x, tau) for a cloud x [N, D] at one tau in (0, 1].
using VelocityField = std::function<torch::Tensor(const torch::Tensor& x, double tau)>;
// Holds `exact` (shared) inside the field.
VelocityField make_exact_velocity(std::shared_ptr<const ExactVelocity> exact);
// The learned 2D velocity model (trained with PointTrainingConfig::process = Flow): the network
// at flow_log_snr(tau), without gradient recording. Keeps `model` alive inside the field.
VelocityField make_model_velocity(PointModel model);

// The solvers are the probability-flow ODE's names (ode_solver_kind.hpp); flow matching integrates
// with Euler and Heun only (DPM-Solver++ is derived for the diffusion ODE's exponential form).
bool is_flow_solver(OdeSolver solver);

// tau_K = 1, ..., tau_0 = 0 in visiting order (K + 1 values, tau_k = k / K). Throws
// std::invalid_argument unless steps >= 1.
std::vector<double> flow_tau_grid(int steps);
// Velocity evaluations a run of `steps` steps costs: K (Euler) or 2K - 1 (Heun). Throws
// std::invalid_argument for steps < 1 or a solver that is not a flow solver.
int flow_nfe(OdeSolver solver, int steps);

// One step from tau_from down to tau_to, reported after it is taken.
struct FlowStep {
  int index = 0;         // 0 for the first step (from tau = 1)
  int count = 0;         // K
  double tau_from = 1;
  double tau_to = 0;
  int nfe = 0;           // velocity evaluations so far, this step's included
  bool is_last() const { return index + 1 == count; }
};
// Called after each step with the new state; return false to stop early (cancellation).
using FlowStepCallback = std::function<bool(const torch::Tensor& x, const FlowStep& step)>;

struct FlowRun {
  torch::Tensor x;   // x at tau = 0 (or where the callback stopped)
  int nfe = 0;       // velocity evaluations made
  int steps_done = 0;
};
// Integrates dx/dtau = v(x, tau) from x_1 (usually eps ~ N(0, I)) over flow_tau_grid(steps).
// Deterministic: no noise is drawn. Throws std::invalid_argument for an undefined x_1, steps < 1,
// no field, or a solver other than Euler and Heun.
FlowRun run_flow(const torch::Tensor& x_1, int steps, OdeSolver solver, const VelocityField& velocity,
                 const FlowStepCallback& on_step = nullptr);

}  // namespace diffusion
