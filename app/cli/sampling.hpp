#pragma once
// Sampling from the command line, shared by `sample` and `evaluate`: the reverse-process flags
// (schedule, K, spacing, sigma, or --sigma ode with an ODE --solver), the two denoisers (exact over
// training points, or a learned checkpoint), and one timed run.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <torch/types.h>

#include "cli/schedule_flags.hpp"
#include "diffusion/checkpoint.hpp"
#include "diffusion/datasets2d.hpp"
#include "diffusion/exact_denoiser.hpp"
#include "diffusion/noise.hpp"
#include "diffusion/ode_solver_kind.hpp"
#include "diffusion/reverse_config.hpp"
#include "diffusion/sampler.hpp"
#include "diffusion/sampling_steps.hpp"

namespace CLI {
class App;
}

namespace diffuscope::cli {

struct ReverseFlags {
  int steps = 0;  // 0: every step of the schedule
  std::string spacing = "trailing";
  std::string sigma = "small";
  double eta = 0.0;
  double interpolation = 0.5;
  std::string solver;  // with --sigma ode: euler, heun or dpmpp2m ("": euler)
  ScheduleFlags schedule;
};

// Adds --steps, --spacing, --sigma, --eta, --interpolation, --solver and the schedule flags.
void add_reverse_flags(CLI::App& command, ReverseFlags& flags);

// The checked flags: the steps to visit and how sigma is chosen. Throws UsageError naming the flag.
struct ReversePlan {
  std::vector<diffusion::SamplingStep> steps;
  diffusion::ReverseConfig config;  // with --sigma ode: DDIM eta = 0 (only its clipping is used)
  std::string schedule_name;  // e.g. "linear, T = 1000"
  std::optional<diffusion::OdeSolver> ode_solver;  // set for --sigma ode: the probability-flow ODE
  // Network evaluations of one run over `steps`.
  int network_evaluations() const;
  // "sigma small", "sigma ddim", "probability-flow ODE, heun": for the speed and summary lines.
  std::string sampler_description() const;
};
ReversePlan reverse_plan(const ReverseFlags& flags);

// --device auto|cpu|cuda. Throws UsageError when the name is unknown or CUDA is absent.
torch::Device device_from_flag(const std::string& request);

// A denoiser and whatever it refers to, kept alive together.
struct DenoiserChoice {
  diffusion::Denoiser denoiser;
  std::string description;  // for the speed line: "exact denoiser over 2000 training points"
  std::shared_ptr<diffusion::ExactDenoiser> exact;              // set for the unconditional exact denoiser
  std::optional<diffusion::PointCheckpointMetadata> model_info;  // set for a learned model
  // Denoiser evaluations per sampler call: 2 with classifier-free guidance (null class and class),
  // so the NFE reported counts both.
  int evaluations_per_step = 1;
};

// The ideal denoiser of make_dataset2d(kind, train_n, data_seed).
DenoiserChoice exact_denoiser_choice(diffusion::Dataset2DKind kind, int train_n, std::uint64_t data_seed,
                                     const torch::Device& device, const diffusion::ReverseConfig& config);
// The ideal denoiser of `train` (a dataset's or a file's points). With class_id = kNullClass it is
// unconditional; otherwise classifier-free guidance at scale `guidance` between it and the exact
// denoiser of class_id's points (diffusion/guidance.hpp). Throws std::invalid_argument for a class
// without points or a scale outside [0, 10].
DenoiserChoice exact_denoiser_choice(const diffusion::LabelledPoints2D& train, int class_id, double guidance,
                                     const torch::Device& device, const diffusion::ReverseConfig& config);

// A learned model: the file at `model_path`, or the shipped checkpoint for `kind` when it is empty
// (which must then be a model of `kind`). Throws diffusion::CheckpointError naming the file.
DenoiserChoice model_denoiser_choice(diffusion::Dataset2DKind kind, const std::string& model_path,
                                     const torch::Device& device, const diffusion::ReverseConfig& config);

// A learned model with classes: --class class_id (kNullClass: none) and --guidance w. The file at
// `model_path`, or, when it is empty and a class is given, the shipped conditional model of `kind`
// (shipped_conditional_model_path; missing: UsageError naming the file and how to train one).
// A class with an unconditional model is a UsageError; a conditional model without a class
// samples its null class (unconditional). Guidance: two network evaluations a step.
DenoiserChoice model_denoiser_choice(diffusion::Dataset2DKind kind, const std::string& model_path,
                                     const torch::Device& device, const diffusion::ReverseConfig& config,
                                     int class_id, double guidance);

// "exact" or "model"; anything else is a UsageError listing both.
enum class DenoiserKind { Exact, Model };
DenoiserKind parse_denoiser_flag(const std::string& name);

// n samples from x_T ~ N(0, I), x_T and every z drawn from NoiseSource(noise_seed(seed)): equal
// seeds give common random numbers across denoisers and sigma choices.
// With tracked_paths > 0 the first min(n, tracked_paths) samples' trajectories (x_T and every
// step's state) are recorded and `curvature` is their mean path length over endpoint distance
// (trajectory_curvature.hpp); the copies count in `seconds`, so benchmarks pass 0.
struct TimedSamples {
  std::vector<float> xy;  // interleaved x, y
  double seconds = 0;     // the reverse loop only (device work included)
  int network_evaluations = 0;
  double curvature = 0;   // NaN unless tracked_paths > 0
  int tracked_paths = 0;
};
// The first `tracked_paths` rows (at most n) of every state a sampler passes through, kept on the
// CPU, and their curvature: the mean path length / endpoint distance (trajectory_curvature.hpp).
// Shared by the DDPM/ODE and the flow samplers' --curvature.
class TrackedPaths {
 public:
  TrackedPaths(int n, int tracked_paths);
  int tracked() const { return tracked_; }
  void keep(const torch::Tensor& x);   // x [n, 2]: x_T first, then each step's state
  double curvature() const;            // NaN without tracked rows or states
 private:
  int tracked_ = 0;
  std::vector<torch::Tensor> states_;
};

TimedSamples run_timed_reverse(const DenoiserChoice& denoiser, const ReversePlan& plan, int n,
                               std::uint64_t seed, const torch::Device& device, int tracked_paths = 0);

// One run of the plan's sampler from x_T: run_reverse, or run_ode for --sigma ode (which draws no
// noise). Shared by the 2D and the image commands.
struct PlanRun {
  torch::Tensor x;
  int network_evaluations = 0;
};
PlanRun run_plan(const torch::Tensor& x_T, const ReversePlan& plan, const diffusion::Denoiser& denoiser,
                 diffusion::NoiseSource& noise, const diffusion::StepCallback& on_step = nullptr);

}  // namespace diffuscope::cli
