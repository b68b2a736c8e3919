// `diffuscope sample`: run the reverse process from x_T ~ N(0, I) with a denoiser (the exact one
// over training points, or a learned model), print the final samples, and report the speed (and
// optionally the distance to fresh data) on stderr. With --data (images) instead of --name (2D
// points): sample a batch with the learned image model, write it as a PNG grid, print the speed.
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
#include "cli/image_sampling.hpp"
#include "cli/sampling.hpp"
#include "cli/usage_error.hpp"
#include "diffusion/device.hpp"

namespace diffuscope::cli {

namespace {

struct SampleFlags {
  std::string denoiser = "exact";
  std::string model;  // "": the shipped checkpoint for --name
  std::string name;
  std::string data;  // images: "fashion-mnist"
  std::string out;   // images: the PNG grid
  bool no_clip = false;
  int n = 1000;
  int train_n = 2000;
  std::uint64_t seed = 0;
  std::string device = "auto";
  int threads = 0;
  bool evaluate = false;
  ReverseFlags reverse;
  // Which flags were typed, for the --name / --data checks (set when the parser is built).
  const CLI::Option* denoiser_option = nullptr;
  const CLI::Option* n_option = nullptr;
  const CLI::Option* train_n_option = nullptr;
};

constexpr int kDefaultImageCount = 64;

// --data: the flags that only make sense for 2D points are refused, naming them.
int run_image_sample_command(const SampleFlags& flags) {
  check_image_dataset_flag(flags.data);
  if (flags.denoiser_option->count() > 0 && flags.denoiser != "model") {
    throw UsageError("--denoiser " + flags.denoiser +
                     " is for 2D points (--name); --data samples with the learned image model (--model)");
  }
  if (flags.train_n_option->count() > 0) {
    throw UsageError("--train-n is for the exact 2D denoiser (--name); --data uses the learned image model");
  }
  if (flags.evaluate) throw UsageError("--evaluate is for 2D points (--name); it has no image measure");
  if (flags.out.empty()) throw UsageError("--data needs --out PNG: the file the sample grid is written to");
  const ReversePlan plan = reverse_plan(flags.reverse);
  const int threads = diffusion::configure_threads(flags.threads);
  const torch::Device device = device_from_flag(flags.device);
  ImageSampleRequest request;
  request.data = flags.data;
  request.model_path = flags.model;
  request.out = flags.out;
  request.n = flags.n_option->count() > 0 ? flags.n : kDefaultImageCount;
  request.seed = flags.seed;
  request.clip_x0 = !flags.no_clip;
  return run_image_sample(request, plan, device, threads);
}

int run_sample(const SampleFlags& flags) {
  if (!flags.name.empty() && !flags.data.empty()) {
    throw UsageError("--name (2D points) and --data (images) cannot be used together; give one of them");
  }
  if (flags.name.empty() && flags.data.empty()) {
    throw UsageError("give --name DATASET for 2D points (" + dataset_names() + ") or --data " +
                     image_dataset_names() + " for images");
  }
  if (!flags.data.empty()) return run_image_sample_command(flags);
  if (!flags.out.empty()) {
    throw UsageError("--out is for --data images; 2D samples are printed to stdout as CSV");
  }
  if (flags.no_clip) throw UsageError("--no-clip is for --data images (2D samples are never clipped)");

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
      "give common random numbers across --sigma/--steps/--denoiser choices. "
      "With --data fashion-mnist instead of --name: sample N images (default 64) with the learned "
      "image model, write them as a PNG grid to --out, and print the time and image-steps per "
      "second to stdout");
  flags->denoiser_option = parser->add_option("--denoiser", flags->denoiser,
                     "exact: E[x_0 | x_t] over the training points (the ideal denoiser); "
                     "model: a learned network (--model, or the shipped one for --name)")
      ->capture_default_str();
  parser->add_option("--model", flags->model,
                     "Checkpoint made by `diffuscope train` (default: assets/models/NAME.ckpt, or "
                     "assets/models/fashion-mnist.ckpt with --data)");
  parser->add_option("--name", flags->name, "2D training dataset: " + dataset_names());
  parser->add_option("--data", flags->data,
                     "Image dataset: " + image_dataset_names() + " (instead of --name; needs --out)");
  parser->add_option("--out", flags->out,
                     "With --data: the PNG file the grid of samples is written to (replaced atomically)");
  parser->add_flag("--no-clip", flags->no_clip,
                   "With --data: do not clamp the predicted x0_hat to the data range [-1, 1] at each step");
  flags->n_option = parser->add_option("--n", flags->n, "Number of samples (64 by default with --data)")
      ->capture_default_str()
      ->check(CLI::Range(1, 10'000'000));
  flags->train_n_option = parser->add_option("--train-n", flags->train_n,
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
