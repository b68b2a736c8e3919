#pragma once
// A flow-matching panel of the stepped run (stepped_run.hpp; ReversePanelSpec::process = Flow):
// it integrates dx/dτ = v̂(x, τ) from x_1 = the run's common x_T (so DDPM and flow panels start
// from the same points) over K uniform steps τ_k = k / K with Euler or Heun, the steps
// diffusion::run_flow takes, so it reaches run_flow's x_0 from the same x_T (to float rounding:
// the velocity is evaluated on chunks of rows). Heun's second evaluation is made within the same
// chunk. No z is drawn (the other panels' z sequence is unchanged).
//
// The shared timeline: state s of a flow panel (s = 0: x_1, s = K: x_0) sits at τ = (K − s) / K
// and shows at timeline t = round(τ·T) of the panel's schedule (T its length), the way a DDPM
// panel with trailing spacing maps its K steps; so the cursor, the trajectories, the tracked
// points and path_length_ratio work unchanged. The panel's steps (SteppedPanel::steps) carry these
// t (their ᾱ values are the schedule's and mean nothing for flow); flow_tau carries τ.
//
// The panel's denoiser (for the tracked points' x̂_0 and the chunk hook) is the velocity read as a
// prediction at the step's τ: x̂_0 = x − τ v̂, ε̂ = x + (1 − τ) v̂ (from x_τ = (1 − τ) x_0 + τ ε and
// v = ε − x_0). Includes LibTorch: for the worker's compute units only. Worker thread only.
#include <optional>
#include <vector>

#include <torch/torch.h>

#include "diffusion/flow_matching.hpp"
#include "gui/compute/stepped_run.hpp"

namespace diffuscope::gui {

// The panel's solver: ode_solver, Euler when unset. Throws std::invalid_argument for a solver
// flow matching does not integrate with (DPM-Solver++).
diffusion::OdeSolver flow_panel_solver(const ReversePanelSpec& spec);
// Timeline t of τ on a schedule of length T: round(τ·T).
int flow_timeline_t(double tau, int T);
// Fills a flow panel's steps, visited_t, flow_tau, velocity, denoiser and label; throws what makes
// it unable to run (then that is the panel's error).
void prepare_flow_panel(SteppedPanel& panel, const RunSpec& run);
// The prediction the velocity v at τ stands for: x̂_0 = x − τ v, ε̂ = x + (1 − τ) v.
diffusion::Prediction flow_prediction(const torch::Tensor& x, const torch::Tensor& velocity, double tau);
// τ of the noise level an overlay at `state` reads (x_0: the last step's τ = 1 / K, as DDPM panels
// use their last step's level there).
double flow_overlay_tau(const SteppedPanel& panel, int state);
// Step k of rows x_t (from τ_k to τ_{k+1} in visiting order). With `prediction`, also the
// prediction at the step's start (for the chunk hook).
torch::Tensor flow_panel_rows(const SteppedPanel& panel, int k, const torch::Tensor& x_t,
                              diffusion::Prediction* prediction);

}  // namespace diffuscope::gui
