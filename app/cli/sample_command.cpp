// `diffuscope sample`: run the reverse process from x_T ~ N(0, I) with a denoiser (the exact one
// over training points, or a learned model), print the final samples, and report the speed (and
// optionally the distance to fresh data) on stderr.
#include <algorithm>
#include <cstdint>
#include <iomanip>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>

#include <CLI/CLI.hpp>
#include <torch/types.h>

#include "cli/choices.hpp"
#include "cli/command.hpp"
#include "cli/csv.hpp"
#include "cli/evaluation.hpp"
#include "cli/sampling.hpp"
#include "cli/usage_error.hpp"
#include "diffusion/device.hpp"

namespace diffuscope::cli {

namespace {

struct SampleFlags {
  std::string denoiser = "exact";
  std::string model;  // "": the shipped checkpoint for --name
  std::string name;
  int n = 1000;
  int train_n = 2000;
  std::uint64_t seed = 0;
  std::string device = "auto";
  int threads = 0;
  bool evaluate = false;
  ReverseFlags reverse;
};

int run_sample(const SampleFlags& flags) {
  const DenoiserKind denoiser_kind = parse_denoiser_flag(flags.denoiser);
  if (denoiser_kind == DenoiserKind::Exact && !flags.model.empty()) {
    throw UsageError("--model needs --denoiser model (the exact denoiser has no weights)");
  }
  const diffusion::Dataset2DKind kind = parse_dataset_flag(flags.name);
  const ReversePlan plan = reverse_plan(flags.reverse);
  const int threads = diffusion::configure_threads(flags.threads);
  const torch::Device device = device_from_flag(flags.device);

  TimedSamples samples;
  std::string description;
  try {
    const DenoiserChoice denoiser =
        denoiser_kind == DenoiserKind::Exact
            ? exact_denoiser_choice(kind, flags.train_n, flags.seed, device, plan.config)
            : model_denoiser_choice(kind, flags.model, device, plan.config);
    description = denoiser.description;
    if (denoiser.model_info && denoiser.model_info->dataset != diffusion::to_string(kind)) {
      std::cerr << "sample: note: the model was trained on '" << denoiser.model_info->dataset
                << "', not on --name " << flags.name << '\n';
    }
    samples = run_timed_reverse(denoiser, plan, flags.n, flags.seed, device);
  } catch (const c10::Error& e) {
    throw std::runtime_error(e.what_without_backtrace());  // LibTorch's backtrace helps nobody here
  }
  write_xy_csv(std::cout, samples.xy);

  const double point_steps = static_cast<double>(flags.n) * static_cast<double>(plan.steps.size());
  std::ostringstream line;
  line << "sample: " << flags.n << " points x " << plan.steps.size() << " steps in " << std::fixed
       << std::setprecision(3) << samples.seconds << " s = " << std::scientific << std::setprecision(3)
       << point_steps / std::max(samples.seconds, 1e-9) << " point-steps/s on " << device.str() << " ("
       << threads << (threads == 1 ? " thread" : " threads") << "), " << description << '\n';
  if (flags.evaluate) {
    const double distance = sliced_wasserstein(samples.xy, fresh_data(kind, flags.n, flags.seed, 0));
    line << "sliced Wasserstein distance to fresh data: " << std::fixed << std::setprecision(4) << distance
         << " (" << kSwdDirections << " directions, " << flags.n << " vs " << flags.n << " fresh "
         << flags.name << " points, seed " << fresh_data_seed(flags.seed, 0) << ")\n";
  }
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
      "give common random numbers across --sigma/--steps/--denoiser choices");
  parser->add_option("--denoiser", flags->denoiser,
                     "exact: E[x_0 | x_t] over the training points (the ideal denoiser); "
                     "model: a learned network (--model, or the shipped one for --name)")
      ->capture_default_str();
  parser->add_option("--model", flags->model,
                     "Checkpoint made by `diffuscope train` (default: assets/models/NAME.ckpt)");
  parser->add_option("--name", flags->name, "Training dataset: " + dataset_names())->required();
  parser->add_option("--n", flags->n, "Number of samples")
      ->capture_default_str()
      ->check(CLI::Range(1, 10'000'000));
  parser->add_option("--train-n", flags->train_n,
                     "Training points of the exact denoiser (cost per step is N x train-n)")
      ->capture_default_str()
      ->check(CLI::Range(1, 1'000'000));
  parser->add_option("--seed", flags->seed, "Random seed")->capture_default_str();
  parser->add_option("--device", flags->device, "auto, cpu or cuda")->capture_default_str();
  parser->add_option("--threads", flags->threads, "LibTorch CPU threads (0: half the hardware threads)")
      ->capture_default_str()
      ->check(CLI::Range(0, 1024));
  parser->add_flag("--evaluate", flags->evaluate,
                   "Also print (stderr) the sliced Wasserstein distance of the samples to N fresh "
                   "points of the dataset");
  add_reverse_flags(*parser, flags->reverse);
  return {parser, [flags] { return run_sample(*flags); }};
}

}  // namespace diffuscope::cli
