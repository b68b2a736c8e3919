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
#include "cli/flow_sampling.hpp"
#include "cli/image_sampling.hpp"
#include "cli/point_source.hpp"
#include "cli/sampling.hpp"
#include "cli/usage_error.hpp"
#include "diffusion/device.hpp"
#include "diffusion/guidance.hpp"

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
  bool curvature = false;
  ReverseFlags reverse;
  std::string process = "ddpm";  // --process: ddpm or flow (flow_sampling.hpp)
  std::string flow_solver;       // --solver, when no ODE --solver exists to share
  const CLI::App* parser = nullptr;  // for flow_plan: which flags were typed
  // Which flags were typed, for the --name / --data checks (set when the parser is built).
  const CLI::Option* denoiser_option = nullptr;
  const CLI::Option* n_option = nullptr;
  const CLI::Option* train_n_option = nullptr;
  // --from FILE.csv instead of --name; --class C and --guidance W (classifier-free guidance).
  std::string from;
  int class_id = 0;
  double guidance = 1.0;
  const CLI::Option* from_option = nullptr;
  const CLI::Option* class_option = nullptr;
  const CLI::Option* guidance_option = nullptr;
};

bool has_class_flags(const SampleFlags& flags) {
  return flags.class_option->count() > 0 || flags.guidance_option->count() > 0;
}

// --class C and --guidance W, checked before any work: kNullClass (unconditional) without --class.
// With --denoiser model the conditional model's own classes are checked again when it is loaded.
int sample_class(const SampleFlags& flags, const PointSource& source) {
  const bool has_class = flags.class_option->count() > 0;
  if (flags.guidance_option->count() > 0 && !has_class)
    throw UsageError("--guidance needs --class C (the class to guide towards)");
  if (!has_class) return diffusion::kNullClass;
  if (!(flags.guidance >= 0.0 && flags.guidance <= diffusion::kMaxGuidanceScale)) {  // NaN too
    std::ostringstream message;
    message << "--guidance must be in [0, " << diffusion::kMaxGuidanceScale
            << "] (0: unconditional, 1: conditional, > 1: guided), got " << flags.guidance;
    throw UsageError(message.str());
  }
  check_class_flag(flags.class_id, source);
  return flags.class_id;
}

constexpr int kDefaultImageCount = 64;
// Paths whose curvature --curvature reports: enough for a stable mean, cheap to record per step.
constexpr int kCurvaturePaths = 256;

// The --curvature line of stderr, for the DDPM/ODE and the flow samplers alike.
std::string curvature_line(const TimedSamples& samples) {
  std::ostringstream line;
  line << "trajectory curvature: " << std::fixed << std::setprecision(4) << samples.curvature
       << " (mean path length / endpoint distance of the first " << samples.tracked_paths
       << " samples' paths from x_T; 1 = straight)\n";
  return line.str();
}

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
  if (flags.curvature) throw UsageError("--curvature is for 2D points (--name)");
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

// --process flow: integrate the exact or the learned velocity field from x_1 ~ N(0, I).
int run_flow_sample(const SampleFlags& flags) {
  if (!flags.data.empty()) throw UsageError("--process flow is for 2D points (--name or --from); images sample with DDPM");
  if (!flags.out.empty() || flags.no_clip) throw UsageError("--out and --no-clip are for --data images");
  const DenoiserKind denoiser_kind = parse_denoiser_flag(flags.denoiser);
  if (denoiser_kind == DenoiserKind::Exact && !flags.model.empty())
    throw UsageError("--model needs --denoiser model (the exact velocity field has no weights)");
  const PointSource source = resolve_point_source(flags.name, flags.from_option, flags.from);
  if (source.is_file() && flags.train_n_option->count() > 0)
    throw UsageError("--train-n is for --name; with --from the exact velocity uses every point of the file");
  if (source.is_file() && denoiser_kind == DenoiserKind::Model && flags.model.empty())
    throw UsageError("--from with --denoiser model needs --model FILE (a flow model from `diffuscope train "
                     "--process flow --from FILE.csv`; the shipped models are of the named datasets)");
  // Names the shipped checkpoint only when --model is empty, which a file source refused above.
  const diffusion::Dataset2DKind kind = source.kind().value_or(diffusion::Dataset2DKind::Moons);
  const FlowPlan plan = flow_plan(*flags.parser, flags.reverse);
  const int threads = diffusion::configure_threads(flags.threads);
  const torch::Device device = device_from_flag(flags.device);
  TimedSamples samples;
  std::string description;
  try {
    const VelocityChoice velocity = denoiser_kind == DenoiserKind::Exact
                                        ? exact_velocity_choice(source.points(flags.train_n, flags.seed), device)
                                        : model_velocity_choice(kind, flags.model, device);
    description = velocity.description;
    if (velocity.model_info && source.kind() && velocity.model_info->dataset != diffusion::to_string(kind))
      std::cerr << "sample: note: the model was trained on '" << velocity.model_info->dataset
                << "', not on --name " << flags.name << '\n';
    samples = run_timed_flow(velocity, plan, flags.n, flags.seed, device, flags.curvature ? kCurvaturePaths : 0);
  } catch (const c10::Error& e) {
    throw std::runtime_error(e.what_without_backtrace());
  }
  write_xy_csv(std::cout, samples.xy);
  const double point_evaluations = static_cast<double>(flags.n) * plan.nfe();
  std::ostringstream line;
  line << "sample: " << flags.n << " points, flow matching " << plan.description() << " in " << std::fixed
       << std::setprecision(3) << samples.seconds << " s = " << std::scientific << std::setprecision(3)
       << point_evaluations / std::max(samples.seconds, 1e-9) << " point-evaluations/s on " << device.str()
       << " (" << threads << (threads == 1 ? " thread" : " threads") << "), " << description << '\n';
  if (flags.curvature) line << curvature_line(samples);
  if (flags.evaluate && source.is_file()) {  // no fresh draws of a file: its own points are the reference
    line << "sliced Wasserstein distance to the data: " << std::fixed << std::setprecision(4)
         << sliced_wasserstein(samples.xy, source.points(0, 0).xy) << " (" << kSwdDirections << " directions, "
         << flags.n << " samples vs " << source.description() << ")\n";
  } else if (flags.evaluate) {
    const double distance = sliced_wasserstein(samples.xy, fresh_data(kind, flags.n, flags.seed, 0));
    line << "sliced Wasserstein distance to fresh data: " << std::fixed << std::setprecision(4) << distance
         << " (" << kSwdDirections << " directions, " << flags.n << " vs " << flags.n << " fresh "
         << flags.name << " points, seed " << fresh_data_seed(flags.seed, 0) << ")\n";
  }
  std::cerr << line.str();
  return 0;
}

int run_sample(const SampleFlags& flags) {
  const bool from_given = from_flag_given(flags.from_option);
  if (has_class_flags(flags) && parse_process_flag(flags.process) == diffusion::ProcessFamily::Flow)
    throw UsageError("--class and --guidance are for --process ddpm (the conditional models are DDPM models)");
  if (!flags.data.empty() && (from_given || has_class_flags(flags)))
    throw UsageError("--from, --class and --guidance are for 2D points; --data samples images unconditionally");
  if (parse_process_flag(flags.process) == diffusion::ProcessFamily::Flow) return run_flow_sample(flags);
  if (!flags.flow_solver.empty()) throw UsageError("--solver " + flags.flow_solver + " is for --process flow here");
  if (!flags.name.empty() && !flags.data.empty()) {
    throw UsageError("--name (2D points) and --data (images) cannot be used together; give one of them");
  }
  if (flags.name.empty() && !from_given && flags.data.empty()) {
    throw UsageError("give --name DATASET (" + dataset_names() + ") or --from FILE.csv for 2D points, or --data " +
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
  const PointSource source = resolve_point_source(flags.name, flags.from_option, flags.from);
  if (source.is_file() && flags.train_n_option->count() > 0)
    throw UsageError("--train-n is for --name; with --from the exact denoiser uses every point of the file");
  if (source.is_file() && denoiser_kind == DenoiserKind::Model && flags.model.empty())
    throw UsageError("--from with --denoiser model needs --model FILE (the shipped models are of the named datasets)");
  const int class_id = sample_class(flags, source);
  // Names the shipped checkpoint only when --model is empty, which a file source refused above.
  const diffusion::Dataset2DKind model_kind = source.kind().value_or(diffusion::Dataset2DKind::Moons);
  const ReversePlan plan = reverse_plan(flags.reverse);
  const int threads = diffusion::configure_threads(flags.threads);
  const torch::Device device = device_from_flag(flags.device);

  TimedSamples samples;
  std::string description;
  try {
    const DenoiserChoice denoiser =
        denoiser_kind == DenoiserKind::Exact
            ? exact_denoiser_choice(source.points(flags.train_n, flags.seed), class_id, flags.guidance, device,
                                    plan.config)
            : model_denoiser_choice(model_kind, flags.model, device, plan.config, class_id, flags.guidance);
    description = denoiser.description;
    if (denoiser.model_info && source.kind() && denoiser.model_info->dataset != diffusion::to_string(*source.kind())) {
      std::cerr << "sample: note: the model was trained on '" << denoiser.model_info->dataset
                << "', not on --name " << flags.name << '\n';
    }
    samples =
        run_timed_reverse(denoiser, plan, flags.n, flags.seed, device, flags.curvature ? kCurvaturePaths : 0);
  } catch (const c10::Error& e) {
    throw std::runtime_error(e.what_without_backtrace());  // LibTorch's backtrace helps nobody here
  }
  write_xy_csv(std::cout, samples.xy);

  const double point_steps = static_cast<double>(flags.n) * static_cast<double>(plan.steps.size());
  const double point_evaluations = static_cast<double>(flags.n) * samples.network_evaluations;
  const double seconds = std::max(samples.seconds, 1e-9);
  std::ostringstream line;
  line << "sample: " << flags.n << " points x " << plan.steps.size() << " steps (NFE "
       << samples.network_evaluations << ") in " << std::fixed << std::setprecision(3) << samples.seconds
       << " s = " << std::scientific << std::setprecision(3) << point_steps / seconds << " point-steps/s, "
       << point_evaluations / seconds << " point-evaluations/s on " << device.str() << " (" << threads
       << (threads == 1 ? " thread" : " threads") << "), " << plan.sampler_description() << ", " << description
       << '\n';
  if (flags.curvature) line << curvature_line(samples);
  if (flags.evaluate && source.is_file()) {  // no fresh draws of a file: its own points are the reference
    const std::vector<float> reference = source.points(0, 0).xy;
    line << "sliced Wasserstein distance to the data: " << std::fixed << std::setprecision(4)
         << sliced_wasserstein(samples.xy, reference) << " (" << kSwdDirections << " directions, " << flags.n
         << " samples vs " << source.description() << ")\n";
  } else if (flags.evaluate) {
    const double distance = sliced_wasserstein(samples.xy, fresh_data(model_kind, flags.n, flags.seed, 0));
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
                     "Checkpoint made by `diffuscope train` (default: assets/models/NAME.ckpt, "
                     "assets/models/NAME-flow.ckpt with --process flow, or assets/models/fashion-mnist.ckpt with --data)");
  parser->add_option("--name", flags->name, "2D training dataset: " + dataset_names());
  flags->from_option = add_from_flag(*parser, flags->from);
  flags->class_option = parser->add_option(
      "--class", flags->class_id,
      "Sample class C (numbered from 0; `diffuscope dataset --classes` shows them) with classifier-free "
      "guidance: eps_w = eps_null + w (eps_c - eps_null); with --denoiser model the shipped conditional model "
      "of --name (assets/models/NAME-cond.ckpt) or a conditional --model FILE");
  flags->guidance_option = parser->add_option(
      "--guidance", flags->guidance,
      "Guidance scale w in [0, 10] with --class: 0 unconditional, 1 conditional (default), > 1 guided");
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
  parser->add_flag("--curvature", flags->curvature,
                   "Also print (stderr) the trajectories' curvature: the mean ratio of path length to "
                   "endpoint distance over the first " + std::to_string(kCurvaturePaths) +
                   " samples (1 = straight; the ODE solvers' paths are nearly straight, DDPM's zig-zag)");
  add_reverse_flags(*parser, flags->reverse);
  add_process_flag(*parser, flags->process);
  add_flow_solver_flag(*parser, flags->flow_solver);
  flags->parser = parser;
  return {parser, [flags] { return run_sample(*flags); }};
}

}  // namespace diffuscope::cli
