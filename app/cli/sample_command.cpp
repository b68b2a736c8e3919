// `diffuscope sample`: run the reverse process from x_T ~ N(0, I) with a denoiser, print the final
// samples, and report the speed on stderr.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <iomanip>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <torch/types.h>

#include "cli/choices.hpp"
#include "cli/command.hpp"
#include "cli/csv.hpp"
#include "cli/schedule_flags.hpp"
#include "cli/seeds.hpp"
#include "cli/usage_error.hpp"
#include "diffusion/datasets2d.hpp"
#include "diffusion/device.hpp"
#include "diffusion/exact_denoiser.hpp"
#include "diffusion/noise.hpp"
#include "diffusion/reverse_process.hpp"
#include "diffusion/sampler.hpp"
#include "diffusion/sampling_steps.hpp"

namespace diffuscope::cli {

namespace {

struct SampleFlags {
  std::string denoiser = "exact";
  std::string name;
  int n = 1000;
  int train_n = 2000;
  int steps = 0;  // 0: every step of the schedule
  std::string spacing = "trailing";
  std::string sigma = "small";
  double eta = 0.0;
  double interpolation = 0.5;
  std::uint64_t seed = 0;
  std::string device = "auto";
  int threads = 0;
  ScheduleFlags schedule;
};

diffusion::ReverseConfig reverse_config(const SampleFlags& flags) {
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

torch::Device chosen_device(const std::string& request) {
  check_device_flag(request);
  try {
    return diffusion::pick_device(request);
  } catch (const std::exception& e) {  // "cuda" asked for on a machine or LibTorch without it
    throw UsageError(std::string("--device ") + request + ": " + e.what());
  }
}

torch::Tensor points_tensor(diffusion::Dataset2D& data, const torch::Device& device) {
  return torch::from_blob(data.xy.data(), {data.size(), 2}, torch::kFloat32).clone().to(device);
}

int run_sample(const SampleFlags& flags) {
  if (flags.denoiser != "exact") {
    throw UsageError("unknown --denoiser '" + flags.denoiser +
                     "'; valid denoisers: exact (the ideal denoiser of the training points)");
  }
  const diffusion::Dataset2DKind kind = parse_dataset_flag(flags.name);
  const diffusion::Schedule schedule(to_schedule_params(flags.schedule));
  if (flags.steps != 0 && (flags.steps < 1 || flags.steps > schedule.T())) {
    throw UsageError("--steps must be in 1..T (T = " + std::to_string(schedule.T()) + "), got " +
                     std::to_string(flags.steps));
  }
  const diffusion::Spacing spacing = parse_spacing_flag(flags.spacing);
  const diffusion::ReverseConfig config = reverse_config(flags);
  const int threads = diffusion::configure_threads(flags.threads);
  const torch::Device device = chosen_device(flags.device);
  const std::vector<diffusion::SamplingStep> steps =
      diffusion::sampling_steps(schedule, flags.steps == 0 ? schedule.T() : flags.steps, spacing);

  torch::Tensor samples;
  double seconds = 0;
  try {
    torch::NoGradGuard no_grad;
    diffusion::Dataset2D train = diffusion::make_dataset2d(kind, flags.train_n, flags.seed);
    const diffusion::ExactDenoiser exact(points_tensor(train, device));
    const diffusion::Denoiser denoiser = diffusion::make_exact_denoiser(exact, config);
    diffusion::NoiseSource noise(noise_seed(flags.seed));
    const torch::Tensor x_T = noise.normal({flags.n, 2}, device);

    const auto start = std::chrono::steady_clock::now();
    // Copying to the CPU waits for the device, so the time covers all the work.
    samples = diffusion::run_reverse(x_T, steps, denoiser, config, noise).to(torch::kCPU).contiguous();
    seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  } catch (const c10::Error& e) {
    throw std::runtime_error(e.what_without_backtrace());  // LibTorch's backtrace helps nobody here
  }
  write_xy_csv(std::cout, samples.data_ptr<float>(), samples.size(0));

  const double point_steps = static_cast<double>(flags.n) * static_cast<double>(steps.size());
  std::ostringstream line;
  line << "sample: " << flags.n << " points x " << steps.size() << " steps in " << std::fixed
       << std::setprecision(3) << seconds << " s = " << std::scientific << std::setprecision(3)
       << point_steps / std::max(seconds, 1e-9) << " point-steps/s on " << device.str() << " ("
       << threads << (threads == 1 ? " thread" : " threads") << "), exact denoiser over "
       << flags.train_n << " training points\n";
  std::cerr << line.str();
  return 0;
}

}  // namespace

Command add_sample_command(CLI::App& app) {
  auto flags = std::make_shared<SampleFlags>();
  CLI::App* parser = app.add_subcommand(
      "sample",
      "Run the reverse process from x_T ~ N(0, I) and print the final samples as CSV: x,y. "
      "Time and point-steps per second (N x steps / seconds) go to stderr. The training points use "
      "--seed S; x_T and every z use one noise stream seeded from S (SplitMix64), so equal seeds "
      "give common random numbers across --sigma/--steps choices");
  parser->add_option("--denoiser", flags->denoiser,
                     "exact: E[x_0 | x_t] over the training points (the ideal denoiser)")
      ->capture_default_str();
  parser->add_option("--name", flags->name, "Training dataset: " + dataset_names())->required();
  parser->add_option("--n", flags->n, "Number of samples")
      ->capture_default_str()
      ->check(CLI::Range(1, 10'000'000));
  parser->add_option("--train-n", flags->train_n,
                     "Training points of the exact denoiser (cost per step is N x train-n)")
      ->capture_default_str()
      ->check(CLI::Range(1, 1'000'000));
  parser->add_option("--steps", flags->steps, "Sampling steps K, 1..T (default: T, every step)")
      ->check(CLI::Range(1, diffusion::kMaxTimesteps));
  parser->add_option("--spacing", flags->spacing,
                     "Which K of the T steps to visit: " + spacing_names())
      ->capture_default_str();
  parser->add_option("--sigma", flags->sigma,
                     "Reverse noise: small (beta_tilde), large (beta), interpolated, ddim")
      ->capture_default_str();
  parser->add_option("--eta", flags->eta, "DDIM eta in [0, 1] (0: deterministic)")->capture_default_str();
  parser->add_option("--interpolation", flags->interpolation,
                     "interpolated: v in [0, 1], log sigma^2 = v log beta + (1 - v) log beta_tilde")
      ->capture_default_str();
  parser->add_option("--seed", flags->seed, "Random seed")->capture_default_str();
  parser->add_option("--device", flags->device, "auto, cpu or cuda")->capture_default_str();
  parser->add_option("--threads", flags->threads, "LibTorch CPU threads (0: half the hardware threads)")
      ->capture_default_str()
      ->check(CLI::Range(0, 1024));
  add_schedule_flags(*parser, flags->schedule, /*kind_required=*/false);
  return {parser, [flags] { return run_sample(*flags); }};
}

}  // namespace diffuscope::cli
