#include "cli/sampling.hpp"

#include <chrono>
#include <cmath>
#include <stdexcept>

#include <CLI/CLI.hpp>

#include "cli/choices.hpp"
#include "cli/seeds.hpp"
#include "cli/usage_error.hpp"
#include "diffusion/assets.hpp"
#include "diffusion/device.hpp"
#include "diffusion/model_denoiser.hpp"
#include "diffusion/noise.hpp"
#include "diffusion/schedule.hpp"

namespace diffuscope::cli {

void add_reverse_flags(CLI::App& command, ReverseFlags& flags) {
  command.add_option("--steps", flags.steps, "Sampling steps K, 1..T (default: T, every step)")
      ->check(CLI::Range(1, diffusion::kMaxTimesteps));
  command.add_option("--spacing", flags.spacing, "Which K of the T steps to visit: " + spacing_names())
      ->capture_default_str();
  command.add_option("--sigma", flags.sigma,
                     "Reverse noise: small (beta_tilde), large (beta), interpolated, ddim")
      ->capture_default_str();
  command.add_option("--eta", flags.eta, "DDIM eta in [0, 1] (0: deterministic)")->capture_default_str();
  command.add_option("--interpolation", flags.interpolation,
                     "interpolated: v in [0, 1], log sigma^2 = v log beta + (1 - v) log beta_tilde")
      ->capture_default_str();
  add_schedule_flags(command, flags.schedule, /*kind_required=*/false);
}

namespace {

diffusion::ReverseConfig reverse_config(const ReverseFlags& flags) {
  std::optional<diffusion::SigmaKind> sigma = diffusion::parse_sigma_kind(flags.sigma);
  if (!sigma) {
    throw UsageError("unknown --sigma '" + flags.sigma + "'; valid choices: small, large, interpolated, ddim");
  }
  if (!std::isfinite(flags.eta)) throw UsageError("--eta must be a finite number in [0, 1]");
  if (!std::isfinite(flags.interpolation)) {
    throw UsageError("--interpolation must be a finite number in [0, 1]");
  }
  diffusion::ReverseConfig config;
  config.sigma = *sigma;
  config.eta = flags.eta;
  config.interpolation = flags.interpolation;
  diffusion::validate(config);
  return config;
}

}  // namespace

ReversePlan reverse_plan(const ReverseFlags& flags) {
  const diffusion::Schedule schedule(to_schedule_params(flags.schedule));
  if (flags.steps != 0 && (flags.steps < 1 || flags.steps > schedule.T())) {
    throw UsageError("--steps must be in 1..T (T = " + std::to_string(schedule.T()) + "), got " +
                     std::to_string(flags.steps));
  }
  const diffusion::Spacing spacing = parse_spacing_flag(flags.spacing);
  ReversePlan plan;
  plan.config = reverse_config(flags);
  plan.steps = diffusion::sampling_steps(schedule, flags.steps == 0 ? schedule.T() : flags.steps, spacing);
  plan.schedule_name = std::string(diffusion::to_string(schedule.params().kind)) + ", T = " +
                       std::to_string(schedule.T());
  return plan;
}

torch::Device device_from_flag(const std::string& request) {
  check_device_flag(request);
  try {
    return diffusion::pick_device(request);
  } catch (const std::exception& e) {  // "cuda" asked for on a machine or LibTorch without it
    throw UsageError(std::string("--device ") + request + ": " + e.what());
  }
}

DenoiserKind parse_denoiser_flag(const std::string& name) {
  if (name == "exact") return DenoiserKind::Exact;
  if (name == "model") return DenoiserKind::Model;
  throw UsageError("unknown --denoiser '" + name +
                   "'; valid denoisers: exact (the ideal denoiser of the training points), "
                   "model (a learned checkpoint)");
}

DenoiserChoice exact_denoiser_choice(diffusion::Dataset2DKind kind, int train_n, std::uint64_t data_seed,
                                     const torch::Device& device, const diffusion::ReverseConfig& config) {
  diffusion::Dataset2D train = diffusion::make_dataset2d(kind, train_n, data_seed);
  torch::Tensor points =
      torch::from_blob(train.xy.data(), {train.size(), 2}, torch::kFloat32).clone().to(device);
  DenoiserChoice choice;
  choice.exact = std::make_shared<diffusion::ExactDenoiser>(points);
  const diffusion::Denoiser inner = diffusion::make_exact_denoiser(*choice.exact, config);
  // make_exact_denoiser holds the ExactDenoiser by reference; the copy of the shared pointer
  // inside this function keeps it alive as long as the Denoiser.
  std::shared_ptr<diffusion::ExactDenoiser> keep = choice.exact;
  choice.denoiser = [inner, keep](const torch::Tensor& x_t, const diffusion::SamplingStep& step) {
    return inner(x_t, step);
  };
  choice.description = "exact denoiser over " + std::to_string(train_n) + " training points";
  return choice;
}

DenoiserChoice model_denoiser_choice(diffusion::Dataset2DKind kind, const std::string& model_path,
                                     const torch::Device& device, const diffusion::ReverseConfig& config) {
  const bool shipped = model_path.empty();
  const std::string path = shipped ? diffusion::shipped_point_model_path(kind) : model_path;
  diffusion::LoadedPointModel loaded =
      diffusion::load_point_model(path, device, shipped ? std::string(diffusion::to_string(kind)) : "");
  DenoiserChoice choice;
  choice.denoiser = diffusion::make_model_denoiser(loaded.model, loaded.metadata.target, config);
  choice.description = "learned model " + path + " (" + std::string(diffusion::to_string(loaded.metadata.target)) +
                       "-prediction)";
  choice.model_info = loaded.metadata;
  return choice;
}

TimedSamples run_timed_reverse(const DenoiserChoice& denoiser, const ReversePlan& plan, int n,
                               std::uint64_t seed, const torch::Device& device) {
  torch::NoGradGuard no_grad;
  diffusion::NoiseSource noise(noise_seed(seed));
  const torch::Tensor x_T = noise.normal({n, 2}, device);
  const auto start = std::chrono::steady_clock::now();
  // Copying to the CPU waits for the device, so the time covers all the work.
  const torch::Tensor samples =
      diffusion::run_reverse(x_T, plan.steps, denoiser.denoiser, plan.config, noise)
          .to(torch::kCPU, torch::kFloat32)
          .contiguous();
  TimedSamples result;
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const float* data = samples.data_ptr<float>();
  result.xy.assign(data, data + samples.numel());
  return result;
}

}  // namespace diffuscope::cli
