// `diffuscope evaluate`: how close each denoiser's samples come to the data, as the sliced
// Wasserstein distance to one fresh draw of the dataset. Three rows: `data` (a second,
// independent fresh draw: the floor set by finite samples), `exact` (the ideal denoiser of the
// training points) and `model` (a learned checkpoint), all with the same schedule, sampler, x_T and
// z (common random numbers).
#include <chrono>
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
#include "cli/evaluation.hpp"
#include "cli/image_evaluation.hpp"
#include "cli/sampling.hpp"
#include "cli/usage_error.hpp"
#include "diffusion/device.hpp"

namespace diffuscope::cli {

namespace {

struct EvaluateFlags {
  std::string name;
  std::string model;  // "": the shipped checkpoint for --name
  int n = 2000;
  int train_n = 2000;
  std::uint64_t seed = 0;
  std::string device = "auto";
  int threads = 0;
  ReverseFlags reverse;
  // Images (--data): image_evaluation.hpp. Which flags were typed, for the --name / --data checks.
  std::string data;
  std::string classifier;  // "": the shipped classifier
  const CLI::Option* n_option = nullptr;
  const CLI::Option* train_n_option = nullptr;
};

struct Row {
  std::string denoiser;
  double distance = 0;
  Stragglers far;
  double seconds = 0;
};

// --data: the Fréchet distance of image samples (image_evaluation.cpp).
int run_evaluate_images(const EvaluateFlags& flags) {
  if (flags.train_n_option->count() > 0)
    throw UsageError("--train-n is for the exact 2D denoiser (--name); --data evaluates the learned image model");
  ImageEvaluateRequest request;
  request.data = flags.data;
  request.model_path = flags.model;
  request.classifier_path = flags.classifier;
  request.n = flags.n_option->count() > 0 ? flags.n : kDefaultImageEvaluateCount;
  request.seed = flags.seed;
  const ReversePlan plan = reverse_plan(flags.reverse);
  const int threads = diffusion::configure_threads(flags.threads);
  return run_image_evaluate(request, plan, device_from_flag(flags.device), threads);
}

int run_evaluate(const EvaluateFlags& flags) {
  if (flags.name.empty() == flags.data.empty())
    throw UsageError("give either --name DATASET (2D points: " + dataset_names() + ") or --data " +
                     image_dataset_names() + " (images), not both");
  if (!flags.data.empty()) return run_evaluate_images(flags);
  if (!flags.classifier.empty()) throw UsageError("--classifier is for --data images; 2D points need none");
  const diffusion::Dataset2DKind kind = parse_dataset_flag(flags.name);
  const ReversePlan plan = reverse_plan(flags.reverse);
  const int threads = diffusion::configure_threads(flags.threads);
  const torch::Device device = device_from_flag(flags.device);

  std::vector<Row> rows;
  std::string model_description;
  try {
    const std::vector<float> reference = fresh_data(kind, flags.n, flags.seed, 0);
    {
      const auto start = std::chrono::steady_clock::now();
      const std::vector<float> second_draw = fresh_data(kind, flags.n, flags.seed, 1);
      const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      rows.push_back({"data", sliced_wasserstein(second_draw, reference), stragglers(kind, second_draw, flags.seed),
                      seconds});
    }
    // The model is loaded first so that a bad checkpoint fails before minutes of exact sampling.
    const DenoiserChoice model = model_denoiser_choice(kind, flags.model, device, plan.config);
    model_description = model.description;
    const DenoiserChoice exact = exact_denoiser_choice(kind, flags.train_n, flags.seed, device, plan.config);
    for (const auto& [label, choice] : {std::pair<const char*, const DenoiserChoice*>{"exact", &exact},
                                        std::pair<const char*, const DenoiserChoice*>{"model", &model}}) {
      const TimedSamples samples = run_timed_reverse(*choice, plan, flags.n, flags.seed, device);
      rows.push_back({label, sliced_wasserstein(samples.xy, reference), stragglers(kind, samples.xy, flags.seed),
                      samples.seconds});
    }
  } catch (const c10::Error& e) {
    throw std::runtime_error(e.what_without_backtrace());
  }

  std::ostringstream table;
  table << "denoiser,sliced_wasserstein,beyond_0.3,max_distance,seconds\n";
  for (const Row& row : rows) {
    table << row.denoiser << ',' << std::fixed << std::setprecision(6) << row.distance << ','
          << row.far.share_beyond << ',' << row.far.max_distance << ','
          << std::setprecision(3) << row.seconds << '\n';
  }
  std::cout << table.str();
  std::cerr << "evaluate: " << flags.n << " samples vs " << flags.n << " fresh " << flags.name
            << " points (seed " << fresh_data_seed(flags.seed, 0) << "), " << kSwdDirections
            << " directions; " << plan.schedule_name << ", " << plan.steps.size() << " sampling steps, sigma "
            << diffusion::to_string(plan.config.sigma) << "; exact denoiser over " << flags.train_n
            << " training points; " << model_description << "; " << device.str() << " (" << threads
            << (threads == 1 ? " thread" : " threads") << ")\n";
  return 0;
}

}  // namespace

Command add_evaluate_command(CLI::App& app) {
  auto flags = std::make_shared<EvaluateFlags>();
  CLI::App* parser = app.add_subcommand(
      "evaluate",
      "Sliced Wasserstein distance (128 directions) of samples to a fresh draw of the dataset, as "
      "CSV: denoiser,sliced_wasserstein,beyond_0.3,max_distance,seconds (beyond_0.3: share of samples "
      "farther than 0.3 from a dense fresh draw of the data; max_distance: the farthest one's distance). Rows: data (a second fresh draw: the floor for N "
      "points), exact (the ideal denoiser of --train-n points), model (the learned checkpoint). "
      "All rows share the schedule, sampler, x_T and every z. With --data fashion-mnist instead of "
      "--name: the Frechet distance (FID-like) to the test images in a shipped classifier's features, "
      "for N training images (the floor) and N samples of the image model");
  parser->add_option("--name", flags->name, "Dataset: " + dataset_names());
  parser->add_option("--data", flags->data,
                     "Image dataset: " + image_dataset_names() +
                         " (instead of --name): CSV images,steps,sigma,n,frechet_distance,seconds, the Frechet "
                         "distance to the test images in a classifier's features of N training images (the "
                         "floor) and of N samples of the learned model (--n default " +
                         std::to_string(kDefaultImageEvaluateCount) + ")");
  parser->add_option("--classifier", flags->classifier,
                     "With --data: the classifier checkpoint (default: assets/models/fashion-mnist-classifier.ckpt)");
  parser->add_option("--model", flags->model,
                     "Checkpoint made by `diffuscope train` (default: assets/models/NAME.ckpt)");
  flags->n_option = parser->add_option("--n", flags->n, "Samples per row (and points per fresh draw)")
      ->capture_default_str()
      ->check(CLI::Range(1, 1'000'000));
  flags->train_n_option = parser->add_option("--train-n", flags->train_n, "Training points of the exact denoiser")
      ->capture_default_str()
      ->check(CLI::Range(1, 1'000'000));
  parser->add_option("--seed", flags->seed, "Random seed (training points of the exact denoiser, "
                                            "x_T and z, and the fresh draws)")
      ->capture_default_str();
  parser->add_option("--device", flags->device, "auto, cpu or cuda")->capture_default_str();
  parser->add_option("--threads", flags->threads, "LibTorch CPU threads (0: half the hardware threads)")
      ->capture_default_str()
      ->check(CLI::Range(0, 1024));
  add_reverse_flags(*parser, flags->reverse);
  return {parser, [flags] { return run_evaluate(*flags); }};
}

}  // namespace diffuscope::cli
