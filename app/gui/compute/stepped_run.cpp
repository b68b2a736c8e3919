// The stepped run of the reverse and Images views (see stepped_run.hpp).
#include "gui/compute/stepped_run.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

#include "diffusion/schedule.hpp"
#include "diffusion/seeding.hpp"
#include "gui/compute/flow_panel_step.hpp"
#include "gui/protocol/worker_failures.hpp"

namespace diffuscope::gui {
namespace {

using Clock = std::chrono::steady_clock;

// The panel's steps, visited timesteps, label and denoiser; throws what makes it unable to run.
void prepare_panel(SteppedPanel& panel, const RunSpec& run) {
  const ReversePanelSpec& spec = panel.spec;
  if (panel.is_flow()) return prepare_flow_panel(panel, run);
  if (!spec.schedule.built) throw std::invalid_argument(spec.schedule.error);
  const diffusion::Schedule& schedule = *spec.schedule.built;
  panel.T = schedule.T();
  const int K = spec.steps == 0 ? schedule.T() : spec.steps;
  if (K < 1 || K > schedule.T())
    throw std::invalid_argument("steps = " + std::to_string(spec.steps) + " must be in 1..T (T = " +
                                std::to_string(schedule.T()) + ")");
  diffusion::validate(spec.sampler);
  panel.steps = diffusion::sampling_steps(schedule, K, spec.spacing);
  for (const auto& step : panel.steps) panel.visited_t.push_back(step.t);
  panel.label = run.label(spec, schedule.T());
  panel.denoiser = run.make_denoiser(spec);
}

}  // namespace

void SteppedRun::start(RunSpec spec) {
  stop();
  spec_ = std::move(spec);
  std::size_t total_states = 0;
  for (const ReversePanelSpec& panel_spec : spec_.panels) {
    SteppedPanel panel;
    panel.spec = panel_spec;
    panel.T = panel_spec.schedule.T;
    try {
      prepare_panel(panel, spec_);
      total_states += static_cast<std::size_t>(panel.K()) + 1;
    } catch (const std::exception& e) {
      panel.error = failure_message(e);
      if (panel.label.empty()) panel.label = spec_.label(panel_spec, panel_spec.schedule.T);
    }
    panels_.push_back(std::move(panel));
  }

  std::int64_t values = spec_.samples;
  for (std::int64_t d : spec_.sample_shape) values *= d;
  const std::size_t state_bytes =
      static_cast<std::size_t>(values) * c10::elementSize(spec_.storage_type);
  const std::size_t all_bytes = state_bytes * total_states;
  const std::size_t budget = std::max<std::size_t>(spec_.state_budget, 1);
  stride_ = static_cast<int>(std::max<std::size_t>(1, (all_bytes + budget - 1) / budget));

  noise_.emplace(diffusion::derive_seed(spec_.seed));
  if (total_states > 0) {
    const torch::Tensor x_T = noise_->normal(state_shape(), device_);
    for (SteppedPanel& panel : panels_) {
      if (!panel.ok()) continue;
      std::vector<std::int64_t> slots_shape = state_shape();
      slots_shape.insert(slots_shape.begin(), panel.K() / stride_ + 1);
      panel.storage = torch::empty(slots_shape, x_T.options().dtype(spec_.storage_type));
      panel.storage[0].copy_(x_T);
      panel.current = x_T;
      panel.states_done = 1;
    }
  }
  has_run_ = true;
}

void SteppedRun::stop() {
  has_run_ = false;
  panels_.clear();
  noise_.reset();
  z_ = torch::Tensor();
  next_k_ = 0;
  next_panel_ = 0;
  z_ready_ = false;
  compute_seconds_ = 0;
  sample_steps_ = 0;
  run_panel_steps_ = 0;
}

bool SteppedRun::running() const {
  if (!has_run_) return false;
  for (const SteppedPanel& panel : panels_)
    if (panel.ok() && !panel.finished()) return true;
  return false;
}

std::vector<std::int64_t> SteppedRun::state_shape() const {
  std::vector<std::int64_t> shape{spec_.samples};
  shape.insert(shape.end(), spec_.sample_shape.begin(), spec_.sample_shape.end());
  return shape;
}

int SteppedRun::advance(std::chrono::microseconds budget, const std::function<bool()>& interrupted,
                        const ChunkHook& hook) {
  if (!running()) return 0;
  torch::NoGradGuard no_grad;
  const auto start = Clock::now();
  int taken = 0;
  while (running()) {
    if (!z_ready_) {
      // z_k is drawn once for all panels, while some panel still adds noise at step k.
      bool needs_noise = false;
      for (const SteppedPanel& panel : panels_) needs_noise |= panel.ok() && next_k_ < panel.K() - 1;
      z_ = needs_noise ? noise_->normal(state_shape(), device_) : torch::Tensor();
      z_ready_ = true;
    }
    while (next_panel_ < panels_.size() &&
           !(panels_[next_panel_].ok() && next_k_ < panels_[next_panel_].K()))
      ++next_panel_;
    if (next_panel_ == panels_.size()) {
      ++next_k_;
      next_panel_ = 0;
      z_ready_ = false;
      continue;
    }
    const auto step_start = Clock::now();
    const bool complete = step_panel(next_panel_, interrupted, hook);
    compute_seconds_ += std::chrono::duration<double>(Clock::now() - step_start).count();
    if (!complete) break;
    ++next_panel_;
    ++taken;
    ++steps_taken_;
    ++run_panel_steps_;
    sample_steps_ += spec_.samples;
    if (Clock::now() - start >= budget || (interrupted && interrupted())) break;
  }
  return taken;
}

// One ODE step of rows [begin, begin + rows) of an ODE panel (ode_step), keeping DPM-Solver++'s
// memory of those rows.
torch::Tensor SteppedRun::ode_rows(SteppedPanel& panel, int k, std::int64_t begin, std::int64_t rows,
                                   const torch::Tensor& x_t, const diffusion::Prediction& pred) {
  const diffusion::OdeSolver solver = *panel.spec.ode_solver;
  if (solver != diffusion::OdeSolver::DpmSolverPP2M)
    return diffusion::ode_step(x_t, pred, panel.steps, static_cast<std::size_t>(k), solver, panel.denoiser,
                               torch::Tensor(), 0.0);
  if (!panel.ode_x0_last.defined()) panel.ode_x0_last = torch::zeros_like(panel.current);
  torch::Tensor memory = panel.ode_x0_last.narrow(0, begin, rows);
  torch::Tensor stepped = diffusion::ode_step(x_t, pred, panel.steps, static_cast<std::size_t>(k), solver,
                                              panel.denoiser, memory, panel.ode_h_last);
  memory.copy_(pred.x0.to(memory.options()));  // read above: this row's next step sees this step's x0_hat
  return stepped;
}

// Returns false when interrupted before the step was complete (it resumes on the next call).
bool SteppedRun::step_panel(std::size_t index, const std::function<bool()>& interrupted,
                            const ChunkHook& hook) {
  SteppedPanel& panel = panels_[index];
  const int k = next_k_;
  const diffusion::SamplingStep& step = panel.steps[static_cast<std::size_t>(k)];
  try {
    if (auto kind = fault_.take()) {
      if (*kind == FaultKind::NaN) poison_nan_ = true;
      else throw_injected_fault(*kind, spec_.step_name);
    }
    const std::int64_t n = panel.current.size(0);
    if (!panel.next.defined()) {
      panel.next = torch::empty_like(panel.current);
      panel.rows_done = 0;
    }
    while (panel.rows_done < n) {
      const std::int64_t begin = panel.rows_done;
      const std::int64_t rows = std::min(spec_.chunk_rows, n - begin);
      const torch::Tensor x_t = panel.current.narrow(0, begin, rows);
      if (panel.is_flow()) {
        diffusion::Prediction flow_pred;
        panel.next.narrow(0, begin, rows).copy_(flow_panel_rows(panel, k, x_t, hook ? &flow_pred : nullptr));
        if (hook) hook(index, k, begin, rows, x_t, flow_pred);
        panel.rows_done = begin + rows;
        if (panel.rows_done < n && interrupted && interrupted()) return false;
        continue;
      }
      const diffusion::Prediction pred = panel.denoiser(x_t, step);
      if (hook) hook(index, k, begin, rows, x_t, pred);
      if (panel.spec.ode_solver) {
        panel.next.narrow(0, begin, rows).copy_(ode_rows(panel, k, begin, rows, x_t, pred));
      } else {
        const torch::Tensor z_rows = z_.defined() ? z_.narrow(0, begin, rows) : torch::Tensor();
        panel.next.narrow(0, begin, rows)
            .copy_(diffusion::reverse_step(x_t, pred, step, panel.spec.sampler, z_rows));
      }
      panel.rows_done = begin + rows;
      if (panel.rows_done < n && interrupted && interrupted()) return false;
    }
    torch::Tensor x = std::move(panel.next);
    panel.next = torch::Tensor();
    if (poison_nan_) {
      x = x * std::numeric_limits<double>::quiet_NaN();
      poison_nan_ = false;
    }
    if (!torch::isfinite(x).all().item<bool>())
      throw std::runtime_error(spec_.states_name + " became non-finite at t = " + std::to_string(step.t));
    const int state = k + 1;
    if (panel.spec.ode_solver && !panel.is_flow()) panel.ode_h_last = diffusion::ode_carried_h(step);
    if (state % stride_ == 0) panel.storage[state / stride_].copy_(x);
    panel.current = x;
    panel.states_done = state + 1;
  } catch (const std::exception& e) {
    panel.next = torch::Tensor();
    panel.error = std::string("step at t = ") + std::to_string(step.t) + ": " + failure_message(e);
  }
  return true;
}

int SteppedRun::max_T() const {
  int m = 0;
  for (const SteppedPanel& panel : panels_) m = std::max(m, panel.T);
  return m;
}

int SteppedRun::cursor_state(const SteppedPanel& panel, int t) const {
  const int newest = panel.states_done - 1;
  if (t < 0) return newest;
  const int max_t = max_T();
  if (max_t > 0 && panel.T != max_t)
    t = static_cast<int>(std::lround(static_cast<double>(t) / max_t * panel.T));
  t = std::clamp(t, 0, panel.T);
  int state = panel.K();  // x_0 at t = 0
  if (t > 0) {
    // The smallest visited timestep >= t: the last index j with visited_t[j] >= t.
    state = 0;
    for (int j = 0; j < panel.K(); ++j)
      if (panel.visited_t[static_cast<std::size_t>(j)] >= t) state = j;
  }
  return std::min(state, newest);
}

std::pair<int, torch::Tensor> SteppedRun::kept_state(const SteppedPanel& panel, int state) const {
  if (state == panel.states_done - 1) return {state, panel.current};
  const int kept = state / stride_ * stride_;
  return {kept, panel.storage[kept / stride_]};
}

std::optional<std::pair<int, torch::Tensor>> SteppedRun::fill_frame(const SteppedPanel& panel, int t,
                                                                    SteppedPanelFrame& out) const {
  out.schedule = panel.spec.schedule;
  out.visited_t = panel.visited_t;
  out.label = panel.label;
  out.error = panel.error;
  out.states_done = panel.states_done;
  out.finished = panel.finished();
  // A panel that failed mid-run still shows the states it reached.
  if (panel.states_done == 0 || !panel.current.defined()) return std::nullopt;
  auto shown = kept_state(panel, cursor_state(panel, t));
  out.shown_state = shown.first;
  out.shown_t = shown.first < panel.K() ? panel.steps[static_cast<std::size_t>(shown.first)].t : 0;
  return shown;
}

std::size_t SteppedRun::kept_bytes() const {
  std::size_t bytes = 0;
  for (const SteppedPanel& panel : panels_)
    if (panel.storage.defined())
      bytes += static_cast<std::size_t>(panel.storage.numel()) * panel.storage.element_size();
  return bytes;
}

double SteppedRun::sample_steps_per_second() const {
  return compute_seconds_ > 0 ? sample_steps_ / compute_seconds_ : 0;
}

}  // namespace diffuscope::gui
