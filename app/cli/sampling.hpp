#pragma once
// Sampling from the command line, shared by `sample` and `evaluate`: the reverse-process flags
// (schedule, K, spacing, sigma), the two denoisers (exact over training points, or a learned
// checkpoint), and one timed reverse run.
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
  ScheduleFlags schedule;
};

// Adds --steps, --spacing, --sigma, --eta, --interpolation and the schedule flags.
void add_reverse_flags(CLI::App& command, ReverseFlags& flags);

// The checked flags: the steps to visit and how sigma is chosen. Throws UsageError naming the flag.
struct ReversePlan {
  std::vector<diffusion::SamplingStep> steps;
  diffusion::ReverseConfig config;
  std::string schedule_name;  // e.g. "linear, T = 1000"
};
ReversePlan reverse_plan(const ReverseFlags& flags);

// --device auto|cpu|cuda. Throws UsageError when the name is unknown or CUDA is absent.
torch::Device device_from_flag(const std::string& request);

// A denoiser and whatever it refers to, kept alive together.
struct DenoiserChoice {
  diffusion::Denoiser denoiser;
  std::string description;  // for the speed line: "exact denoiser over 2000 training points"
  std::shared_ptr<diffusion::ExactDenoiser> exact;              // set for the exact denoiser
  std::optional<diffusion::PointCheckpointMetadata> model_info;  // set for a learned model
};

// The ideal denoiser of make_dataset2d(kind, train_n, data_seed).
DenoiserChoice exact_denoiser_choice(diffusion::Dataset2DKind kind, int train_n, std::uint64_t data_seed,
                                     const torch::Device& device, const diffusion::ReverseConfig& config);

// A learned model: the file at `model_path`, or the shipped checkpoint for `kind` when it is empty
// (which must then be a model of `kind`). Throws diffusion::CheckpointError naming the file.
DenoiserChoice model_denoiser_choice(diffusion::Dataset2DKind kind, const std::string& model_path,
                                     const torch::Device& device, const diffusion::ReverseConfig& config);

// "exact" or "model"; anything else is a UsageError listing both.
enum class DenoiserKind { Exact, Model };
DenoiserKind parse_denoiser_flag(const std::string& name);

// n samples from x_T ~ N(0, I), x_T and every z drawn from NoiseSource(noise_seed(seed)): equal
// seeds give common random numbers across denoisers and sigma choices.
struct TimedSamples {
  std::vector<float> xy;  // interleaved x, y
  double seconds = 0;     // the reverse loop only (device work included)
};
TimedSamples run_timed_reverse(const DenoiserChoice& denoiser, const ReversePlan& plan, int n,
                               std::uint64_t seed, const torch::Device& device);

}  // namespace diffuscope::cli
