#pragma once
// Flow matching from the command line (diffusion/flow_matching.hpp), shared by `sample`, `evaluate`,
// `forward` and `train`: the --process flag, the flow plan (--steps K on the uniform tau grid,
// --solver euler|heun), the refusal of flags that only mean something for DDPM, the two velocity
// fields (exact over training points, or a learned flow checkpoint) and one timed run.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <torch/types.h>

#include "cli/sampling.hpp"
#include "diffusion/checkpoint.hpp"
#include "diffusion/datasets2d.hpp"
#include "diffusion/flow_matching.hpp"
#include "diffusion/ode_solver_kind.hpp"
#include "diffusion/process_family.hpp"

namespace CLI {
class App;
}

namespace diffuscope::cli {

// Adds --process ddpm|flow (default ddpm) to `command`, bound to `process`.
void add_process_flag(CLI::App& command, std::string& process);
// "ddpm" or "flow"; anything else is a UsageError naming --process.
diffusion::ProcessFamily parse_process_flag(const std::string& process);

// Throws a UsageError naming the first of these flags typed on `command` (those that exist there):
// the reverse-process and schedule flags (--sigma, --eta, --interpolation, --spacing, the
// "Schedule" group, --class, --guidance), which flow matching has no use for.
void refuse_ddpm_flags_for_flow(const CLI::App& command);

// Sampling steps K when --steps is not given with --process flow.
inline constexpr int kDefaultFlowSteps = 50;

struct FlowPlan {
  int steps = kDefaultFlowSteps;
  diffusion::OdeSolver solver = diffusion::OdeSolver::Euler;
  int nfe() const { return diffusion::flow_nfe(solver, steps); }
  std::string description() const;  // "euler, 50 steps (NFE 50), tau_k = k / K"
};
// Adds --solver to `command` unless it has one already (the probability-flow ODE's, sampling.hpp),
// bound to `solver`: call after add_reverse_flags. flow_plan reads whichever --solver there is.
void add_flow_solver_flag(CLI::App& command, std::string& solver);
// The checked plan: K from reverse.steps (0: kDefaultFlowSteps), the solver from the --solver typed
// on `command` (default euler; dpmpp2m and other names are UsageErrors). Also refuses the DDPM
// flags (refuse_ddpm_flags_for_flow).
FlowPlan flow_plan(const CLI::App& command, const ReverseFlags& reverse);

// A velocity field and what it refers to, kept alive together.
struct VelocityChoice {
  diffusion::VelocityField field;
  std::string description;  // "exact velocity over 2000 training points"
  std::optional<diffusion::PointCheckpointMetadata> model_info;  // set for a learned model
};
// The exact field of `train`'s points (the exact denoiser's: make_labelled_dataset2d(kind, train_n,
// seed) for a named dataset, every point of a --from file).
VelocityChoice exact_velocity_choice(const diffusion::LabelledPoints2D& train, const torch::Device& device);
// A learned flow model: the file at `model_path`, or assets/models/<kind>-flow.ckpt when it is
// empty (a missing shipped file is a UsageError naming it; a DDPM file is a CheckpointError).
VelocityChoice model_velocity_choice(diffusion::Dataset2DKind kind, const std::string& model_path,
                                     const torch::Device& device);

// n samples by integrating from x_1 ~ N(0, I), drawn from NoiseSource(noise_seed(seed)) as
// run_timed_reverse draws x_T: equal seeds start both processes from the same noise.
// tracked_paths > 0: the curvature of the first rows' paths (TrackedPaths), as run_timed_reverse.
TimedSamples run_timed_flow(const VelocityChoice& velocity, const FlowPlan& plan, int n, std::uint64_t seed,
                            const torch::Device& device, int tracked_paths = 0);

}  // namespace diffuscope::cli
