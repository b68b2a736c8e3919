#pragma once
// The stepped run shared by the reverse view (reverse_compute.cpp) and the Images view
// (image_reverse_compute.cpp): 1-4 panels that start from one x_T and share every z (common random
// numbers), stepped together (step k of every panel before step k + 1 of any), each step in chunks
// of rows with a check for new work between chunks (an interrupted step resumes on the next call;
// every row's update depends on that row alone, so chunking changes no value beyond rounding).
// States are kept within a memory budget (beyond it every stride-th, plus the newest; one stride
// for all panels keeps them aligned), so that moving the cursor is a lookup.
// Seeding follows the CLI: x_T and every z come from one NoiseSource seeded with
// derive_seed(seed), x_T first, then z_k as the (k+1)-th draw, drawn once per step index while
// some panel still adds noise there; so each panel gets exactly the sequence run_reverse would
// give it, and panels with different K, sigma or denoiser share x_T and z_0, z_1, ...
// A flow-matching panel (spec.process = Flow) integrates its velocity field instead, from the same
// x_T (flow_panel_step.hpp, which also says how its τ maps onto the timeline).
// A panel that solves the probability-flow ODE (spec.ode_solver) steps with diffusion::ode_step,
// the step run_ode takes, so it reaches run_ode's x_0 from the same x_T; it draws no z (the
// others' z sequence is unchanged). Heun's corrector evaluates the denoiser a second time within
// the same chunk of rows.
// What differs between the two computations comes with the run (RunSpec): the shape of a sample,
// how kept states are stored, how a panel denoises and is labelled, the chunk size, and a hook
// that sees every computed chunk. Includes LibTorch: for the worker's compute units only.
// Not thread-safe: lives on the worker thread.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <torch/torch.h>

#include "diffusion/flow_matching.hpp"
#include "diffusion/noise.hpp"
#include "diffusion/ode_solver.hpp"
#include "diffusion/reverse_process.hpp"
#include "diffusion/sampler.hpp"
#include "diffusion/sampling_steps.hpp"
#include "gui/protocol/fault_injection.hpp"
#include "gui/protocol/reverse_jobs.hpp"

namespace diffuscope::gui {

struct SteppedPanel {
  ReversePanelSpec spec;
  int T = 0;
  std::string label;
  std::string error;
  std::vector<diffusion::SamplingStep> steps;   // K, sampling order
  std::vector<int> visited_t;                   // descending
  diffusion::Denoiser denoiser;                 // holds what it uses (model, training points)
  torch::Tensor storage;   // [slots, N, ...]: state s * stride in slot s
  torch::Tensor current;   // the newest state (index states_done - 1)
  int states_done = 0;
  // The step in progress: rows [0, rows_done) of `next` are done.
  torch::Tensor next;
  std::int64_t rows_done = 0;
  // ODE panels with DPM-Solver++(2M): the previous step's x0_hat per row and that step's
  // ode_carried_h (0: the next step is first order). A row's memory is overwritten right after
  // that row's update has read it, so an interrupted step resumes with the right memory for the
  // rows still to do; h changes only once the step is complete.
  torch::Tensor ode_x0_last;
  double ode_h_last = 0.0;
  // Flow-matching panels (spec.process = Flow; flow_panel_step.hpp): τ of states 0..K (1 down to
  // 0) and the velocity field; empty for diffusion panels.
  std::vector<double> flow_tau;
  diffusion::VelocityField velocity;

  bool is_flow() const { return spec.process == diffusion::ProcessFamily::Flow; }
  bool ok() const { return error.empty(); }
  int K() const { return static_cast<int>(steps.size()); }
  bool finished() const { return ok() && states_done == K() + 1; }
};

// `inner`, holding `owner` (a model, training points) alive as long as the denoiser lives: the
// make_*_denoiser functions keep references.
template <class Owner>
diffusion::Denoiser holding(diffusion::Denoiser inner, std::shared_ptr<Owner> owner) {
  return [inner = std::move(inner), owner = std::move(owner)](const torch::Tensor& x_t,
                                                              const diffusion::SamplingStep& step) {
    return inner(x_t, step);
  };
}

// What a computation decides about its run.
struct RunSpec {
  std::vector<ReversePanelSpec> panels;
  std::uint64_t seed = 0;
  std::int64_t samples = 0;                     // rows of x_T (points or images)
  std::vector<std::int64_t> sample_shape;       // one sample: {2} or {C, H, W}
  torch::ScalarType storage_type = torch::kFloat32;   // of kept states
  std::size_t state_budget = 0;                 // bytes for kept states over all panels
  std::int64_t chunk_rows = 1;                  // rows per denoiser call
  // The panel's denoiser; throws (then that is the panel's error) when it cannot have one.
  std::function<diffusion::Denoiser(const ReversePanelSpec&)> make_denoiser;
  // A flow-matching panel's velocity field; throws like make_denoiser. Unset: such panels fail
  // ("2D reverse view only").
  std::function<diffusion::VelocityField(const ReversePanelSpec&)> make_velocity;
  std::function<std::string(const ReversePanelSpec&, int T)> label;
  std::string step_name;      // where an injected fault fires: "a reverse step"
  std::string states_name;    // what went non-finite: "the cloud"
};

// Sees each chunk of a step right after its prediction: the panel's index, the state stepped
// from, the chunk's rows [begin, begin + rows), their x_t and the prediction.
using ChunkHook = std::function<void(std::size_t panel, int state, std::int64_t begin,
                                     std::int64_t rows, const torch::Tensor& x_t,
                                     const diffusion::Prediction& prediction)>;

class SteppedRun {
 public:
  explicit SteppedRun(torch::Device device) : device_(device) {}

  // Drops any run and starts spec's: x_T is state 0 of every panel that can run; a panel that
  // cannot (its schedule, K, sampler or denoiser) keeps its error and label only.
  void start(RunSpec spec);
  void stop();
  bool has_run() const { return has_run_; }
  bool running() const;   // some panel still has steps to take
  // Takes panel steps until `budget` has passed or `interrupted()` is true (checked between
  // chunks too). Returns the panel steps completed.
  int advance(std::chrono::microseconds budget, const std::function<bool()>& interrupted,
              const ChunkHook& hook = {});

  const std::vector<SteppedPanel>& panels() const { return panels_; }
  int stride() const { return stride_; }
  // The state a panel shows for the cursor t (before striding): t runs over 0..max T of the
  // panels and each panel maps it to its own T by fraction, then shows the state at the smallest
  // visited timestep >= its t (x_0 at t = 0); t < 0 follows the run (the newest state).
  int cursor_state(const SteppedPanel& panel, int t) const;
  // The kept state nearest to `state` on the noisy side, and its tensor.
  std::pair<int, torch::Tensor> kept_state(const SteppedPanel& panel, int state) const;
  // Fills the run's part of a panel's frame for the cursor t; returns the shown (kept) state and
  // its tensor, or nullopt when the panel has no state to show.
  std::optional<std::pair<int, torch::Tensor>> fill_frame(const SteppedPanel& panel, int t,
                                                           SteppedPanelFrame& out) const;

  std::size_t kept_bytes() const;               // memory of the kept states, all panels
  double sample_steps_per_second() const;       // samples x steps per second of compute, this run
  std::int64_t run_panel_steps() const { return run_panel_steps_; }
  std::int64_t steps_taken() const { return steps_taken_; }   // panel steps since construction
  // The next step throws `kind` inside the computation (it becomes the panel's error), or for NaN
  // its result becomes NaN (the real check catches it).
  void arm_fault(FaultKind kind) { fault_.arm(kind); }

 private:
  int max_T() const;
  std::vector<std::int64_t> state_shape() const;
  bool step_panel(std::size_t index, const std::function<bool()>& interrupted, const ChunkHook& hook);
  torch::Tensor ode_rows(SteppedPanel& panel, int k, std::int64_t begin, std::int64_t rows,
                         const torch::Tensor& x_t, const diffusion::Prediction& pred);

  torch::Device device_;
  ArmedFault fault_;
  bool poison_nan_ = false;   // an injected NaN: the next step's result becomes NaN
  std::int64_t steps_taken_ = 0;

  bool has_run_ = false;
  RunSpec spec_;
  std::vector<SteppedPanel> panels_;
  std::optional<diffusion::NoiseSource> noise_;
  int stride_ = 1;
  int next_k_ = 0;                 // the step index being taken across panels
  std::size_t next_panel_ = 0;     // the next panel to step at next_k_
  bool z_ready_ = false;
  torch::Tensor z_;                // z_{next_k_}; undefined when no panel adds noise there
  double compute_seconds_ = 0;
  std::int64_t sample_steps_ = 0;
  std::int64_t run_panel_steps_ = 0;
};

}  // namespace diffuscope::gui
