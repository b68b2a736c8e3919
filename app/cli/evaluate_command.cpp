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
#include <vector>

#include <CLI/CLI.hpp>
#include <torch/types.h>

#include "cli/choices.hpp"
#include "cli/class_evaluation.hpp"
#include "cli/command.hpp"
#include "cli/evaluation.hpp"
#include "cli/flow_sampling.hpp"
#include "cli/image_evaluation.hpp"
#include "cli/point_source.hpp"
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
  std::string process = "ddpm";  // --process: ddpm or flow (flow_sampling.hpp)
  std::string flow_solver;       // --solver, when no ODE --solver exists to share
  const CLI::App* parser = nullptr;  // for flow_plan: which flags were typed
  const CLI::Option* n_option = nullptr;
  const CLI::Option* train_n_option = nullptr;
  std::string from;  // --from FILE.csv instead of --name
  const CLI::Option* from_option = nullptr;
  // --per-class: a conditional model per class and guidance scale (class_evaluation.hpp).
  bool per_class = false;
  int class_id = 0;
  std::vector<double> guidance{0.0, 1.0, 3.0, 7.0};
  const CLI::Option* class_option = nullptr;
  const CLI::Option* guidance_option = nullptr;
};

struct Row {
  std::string denoiser;
  double distance = 0;
  Stragglers far;
  double seconds = 0;
};

// The exact and the learned rows (in that order), each sampled by `sample` and measured against
// the reference draw; one loop for the DDPM and the flow process.
template <class Choice, class Seed, class Sample>
void add_sampled_rows(std::vector<Row>& rows, const Choice& exact, const Choice& model,
                      const std::vector<float>& reference, diffusion::Dataset2DKind kind, Seed seed, Sample sample) {
  for (const auto& [label, choice] : {std::pair<const char*, const Choice*>{"exact", &exact},
                                      std::pair<const char*, const Choice*>{"model", &model}}) {
    const TimedSamples samples = sample(*choice);
    rows.push_back({label, sliced_wasserstein(samples.xy, reference), stragglers(kind, samples.xy, seed), samples.seconds});
  }
}

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

// --process flow: the rows of run_evaluate for the exact and the learned velocity fields (the
// shipped assets/models/NAME-flow.ckpt unless --model), integrated with --solver over --steps K.
int run_flow_evaluate(const EvaluateFlags& flags) {
  if (!flags.data.empty()) throw UsageError("--process flow is for 2D points (--name); images sample with DDPM");
  if (flags.name.empty())
    throw UsageError("--process flow needs --name DATASET (" + dataset_names() + ") or --from FILE.csv");
  if (!flags.classifier.empty()) throw UsageError("--classifier is for --data images; 2D points need none");
  const diffusion::Dataset2DKind kind = parse_dataset_flag(flags.name);
  const FlowPlan plan = flow_plan(*flags.parser, flags.reverse);
  const int threads = diffusion::configure_threads(flags.threads);
  const torch::Device device = device_from_flag(flags.device);
  std::vector<Row> rows;
  std::string model_description;
  try {
    const std::vector<float> reference = fresh_data(kind, flags.n, flags.seed, 0);
    const std::vector<float> second_draw = fresh_data(kind, flags.n, flags.seed, 1);
    rows.push_back({"data", sliced_wasserstein(second_draw, reference), stragglers(kind, second_draw, flags.seed), 0});
    // The model first: a missing or DDPM checkpoint fails before any sampling.
    const VelocityChoice model = model_velocity_choice(kind, flags.model, device);
    model_description = model.description;
    const VelocityChoice exact =
        exact_velocity_choice(diffusion::make_labelled_dataset2d(kind, flags.train_n, flags.seed), device);
    add_sampled_rows(rows, exact, model, reference, kind, flags.seed, [&](const VelocityChoice& choice) {
      return run_timed_flow(choice, plan, flags.n, flags.seed, device);
    });
  } catch (const c10::Error& e) {
    throw std::runtime_error(e.what_without_backtrace());
  }
  std::ostringstream table;
  table << "denoiser,solver,steps,nfe,sliced_wasserstein,beyond_0.3,max_distance,seconds\n";
  for (const Row& row : rows) {
    const bool sampled = row.denoiser != "data";
    table << row.denoiser << ',' << (sampled ? diffusion::to_string(plan.solver) : "") << ','
          << (sampled ? std::to_string(plan.steps) : "") << ',' << (sampled ? std::to_string(plan.nfe()) : "")
          << ',' << std::fixed << std::setprecision(6) << row.distance << ',' << row.far.share_beyond << ','
          << row.far.max_distance << ',' << std::setprecision(3) << row.seconds << '\n';
  }
  std::cout << table.str();
  std::cerr << "evaluate: " << flags.n << " samples vs " << flags.n << " fresh " << flags.name << " points (seed "
            << fresh_data_seed(flags.seed, 0) << "), " << kSwdDirections << " directions; flow matching, "
            << plan.description() << "; exact velocity over " << flags.train_n << " training points; "
            << model_description << "; " << device.str() << " (" << threads
            << (threads == 1 ? " thread" : " threads") << ")\n";
  return 0;
}

// --from FILE.csv: the file's points are the reference (there is no fresh draw of a file, so no
// `data` row) and the exact denoiser's training set; the model is --model's.
int run_evaluate_from_file(const EvaluateFlags& flags) {
  if (!flags.name.empty())
    throw UsageError("--name (a named dataset) and --from (a CSV file of points) cannot be used together; give one");
  if (!flags.data.empty())
    throw UsageError("--from (2D points) and --data (images) cannot be used together; give one");
  if (!flags.classifier.empty()) throw UsageError("--classifier is for --data images; 2D points need none");
  if (flags.train_n_option->count() > 0)
    throw UsageError("--train-n is for --name; with --from the exact denoiser uses every point of the file");
  const bool flow = parse_process_flag(flags.process) == diffusion::ProcessFamily::Flow;
  if (!flow && !flags.flow_solver.empty()) throw UsageError("--solver " + flags.flow_solver + " is for --process flow here");
  const PointSource source = read_point_source_file(flags.from);
  if (flags.model.empty())
    throw UsageError(std::string("--from needs --model FILE (a model trained with `diffuscope train ") +
                     (flow ? "--process flow " : "") + "--from FILE.csv`): the shipped models are of the named datasets");
  const diffusion::LabelledPoints2D points = source.points(0, 0);
  const int threads = diffusion::configure_threads(flags.threads);
  const torch::Device device = device_from_flag(flags.device);
  std::ostringstream table;
  table << "denoiser,sliced_wasserstein,beyond_0.3,max_distance,seconds\n";
  const auto add_row = [&](const char* label, const TimedSamples& samples) {
    const Stragglers far = stragglers_from(points.xy, samples.xy);
    table << label << ',' << std::fixed << std::setprecision(6) << sliced_wasserstein(samples.xy, points.xy) << ','
          << far.share_beyond << ',' << far.max_distance << ',' << std::setprecision(3) << samples.seconds << '\n';
  };
  std::string sampler_description, model_description;
  try {
    // Moons only fills the parameter: --model is set, so no shipped checkpoint is looked up.
    if (flow) {
      const FlowPlan plan = flow_plan(*flags.parser, flags.reverse);
      sampler_description = "flow matching, " + plan.description() + "; exact velocity over the file's points";
      const VelocityChoice model = model_velocity_choice(diffusion::Dataset2DKind::Moons, flags.model, device);
      model_description = model.description;
      add_row("exact", run_timed_flow(exact_velocity_choice(points, device), plan, flags.n, flags.seed, device));
      add_row("model", run_timed_flow(model, plan, flags.n, flags.seed, device));
    } else {
      const ReversePlan plan = reverse_plan(flags.reverse);
      sampler_description = plan.schedule_name + ", " + std::to_string(plan.steps.size()) + " sampling steps, " +
                            plan.sampler_description() + "; exact denoiser over the file's points";
      const DenoiserChoice model = model_denoiser_choice(diffusion::Dataset2DKind::Moons, flags.model, device, plan.config);
      model_description = model.description;
      const DenoiserChoice exact = exact_denoiser_choice(points, diffusion::kNullClass, 0.0, device, plan.config);
      add_row("exact", run_timed_reverse(exact, plan, flags.n, flags.seed, device));
      add_row("model", run_timed_reverse(model, plan, flags.n, flags.seed, device));
    }
  } catch (const c10::Error& e) {
    throw std::runtime_error(e.what_without_backtrace());
  }
  std::cout << table.str();
  std::cerr << "evaluate: " << flags.n << " samples vs the " << source.description() << " (no data row: a file "
            << "has no fresh draw); " << sampler_description << "; " << model_description << "; " << device.str()
            << " (" << threads << (threads == 1 ? " thread" : " threads") << ")\n";
  return 0;
}

// --per-class: the conditional model of --name (--model, or the shipped NAME-cond.ckpt).
int run_per_class_evaluate(const EvaluateFlags& flags) {
  if (from_flag_given(flags.from_option) || !flags.data.empty() || flags.name.empty())
    throw UsageError("--per-class evaluates a conditional model of a named 2D dataset: give --name DATASET");
  if (parse_process_flag(flags.process) == diffusion::ProcessFamily::Flow)
    throw UsageError("--per-class is for --process ddpm (conditional models are DDPM models)");
  if (flags.train_n_option->count() > 0) throw UsageError("--train-n is for the exact denoiser; --per-class has none");
  ClassEvaluateRequest request;
  request.kind = parse_dataset_flag(flags.name);
  request.model_path = flags.model;
  request.guidance = flags.guidance;
  if (flags.class_option->count() > 0) request.only_class = flags.class_id;
  request.n = flags.n;
  request.seed = flags.seed;
  const ReversePlan plan = reverse_plan(flags.reverse);
  const int threads = diffusion::configure_threads(flags.threads);
  try {
    return run_class_evaluate(request, plan, device_from_flag(flags.device), threads);
  } catch (const c10::Error& e) {
    throw std::runtime_error(e.what_without_backtrace());
  }
}

int run_evaluate(const EvaluateFlags& flags) {
  if (flags.per_class) return run_per_class_evaluate(flags);
  if (flags.class_option->count() > 0 || flags.guidance_option->count() > 0)
    throw UsageError("--class and --guidance are for --per-class (a conditional model's classes)");
  if (from_flag_given(flags.from_option)) return run_evaluate_from_file(flags);
  if (parse_process_flag(flags.process) == diffusion::ProcessFamily::Flow) return run_flow_evaluate(flags);
  if (!flags.flow_solver.empty()) throw UsageError("--solver " + flags.flow_solver + " is for --process flow here");
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
    add_sampled_rows(rows, exact, model, reference, kind, flags.seed, [&](const DenoiserChoice& choice) {
      return run_timed_reverse(choice, plan, flags.n, flags.seed, device);
    });
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
            << " directions; " << plan.schedule_name << ", " << plan.steps.size() << " sampling steps (NFE "
            << plan.network_evaluations() << "), " << plan.sampler_description() << "; exact denoiser over " << flags.train_n
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
  flags->from_option = add_from_flag(*parser, flags->from);
  parser->add_option("--data", flags->data,
                     "Image dataset: " + image_dataset_names() +
                         " (instead of --name): CSV images,steps,sigma,n,frechet_distance,seconds, the Frechet "
                         "distance to the test images in a classifier's features of N training images (the "
                         "floor) and of N samples of the learned model (--n default " +
                         std::to_string(kDefaultImageEvaluateCount) + ")");
  parser->add_option("--classifier", flags->classifier,
                     "With --data: the classifier checkpoint (default: assets/models/fashion-mnist-classifier.ckpt)");
  parser->add_option("--model", flags->model,
                     "Checkpoint made by `diffuscope train` (default: assets/models/NAME.ckpt, or "
                     "assets/models/NAME-flow.ckpt with --process flow)");
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
  add_process_flag(*parser, flags->process);
  add_flow_solver_flag(*parser, flags->flow_solver);
  parser->add_flag("--per-class", flags->per_class,
                   "2D: evaluate the conditional model of --name (--model, default assets/models/NAME-cond.ckpt) "
                   "per class and guidance scale: CSV guidance,class,sliced_wasserstein,class_accuracy,seconds "
                   "(distance to the class's fresh points; accuracy: share of samples whose nearest fresh "
                   "labelled point has the class); `data` rows are the floor, `mean` rows average the classes");
  flags->class_option = parser->add_option("--class", flags->class_id, "With --per-class: only class C");
  flags->guidance_option =
      parser->add_option("--guidance", flags->guidance, "With --per-class: the guidance scales w (default 0 1 3 7)");
  flags->parser = parser;
  return {parser, [flags] { return run_evaluate(*flags); }};
}

}  // namespace diffuscope::cli
