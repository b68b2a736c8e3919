#include "cli/sampling.hpp"

#include <chrono>
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>
#include <sstream>
#include <stdexcept>

#include <CLI/CLI.hpp>

#include "cli/choices.hpp"
#include "cli/seeds.hpp"
#include "cli/usage_error.hpp"
#include "diffusion/assets.hpp"
#include "diffusion/device.hpp"
#include "diffusion/guidance.hpp"
#include "diffusion/model_denoiser.hpp"
#include "diffusion/noise.hpp"
#include "diffusion/ode_solver.hpp"
#include "diffusion/schedule.hpp"
#include "diffusion/trajectory_curvature.hpp"

namespace diffuscope::cli {

void add_reverse_flags(CLI::App& command, ReverseFlags& flags) {
  command.add_option("--steps", flags.steps, "Sampling steps K, 1..T (default: T, every step)")
      ->check(CLI::Range(1, diffusion::kMaxTimesteps));
  command.add_option("--spacing", flags.spacing, "Which K of the T steps to visit: " + spacing_names())
      ->capture_default_str();
  command.add_option("--sigma", flags.sigma,
                     "Reverse noise: small (beta_tilde), large (beta), interpolated, ddim; or ode: no noise, "
                     "solve the probability-flow ODE with --solver")
      ->capture_default_str();
  command.add_option("--solver", flags.solver,
                     "With --sigma ode: euler (= DDIM eta 0, 1 network evaluation per step), heun (2 per "
                     "step, 2nd order) or dpmpp2m (DPM-Solver++(2M), 1 per step, 2nd order); default euler. "
                     "The number of network evaluations (NFE) goes to stderr");
  command.add_option("--eta", flags.eta, "DDIM eta in [0, 1] (0: deterministic)")->capture_default_str();
  command.add_option("--interpolation", flags.interpolation,
                     "interpolated: v in [0, 1], log sigma^2 = v log beta + (1 - v) log beta_tilde")
      ->capture_default_str();
  add_schedule_flags(command, flags.schedule, /*kind_required=*/false);
}

namespace {

constexpr const char* kOdeSigmaName = "ode";

std::string ode_solver_names() {
  std::string names;
  for (const diffusion::OdeSolver solver : diffusion::all_ode_solvers())
    names += (names.empty() ? "" : ", ") + std::string(diffusion::to_string(solver));
  return names;
}

// --sigma ode takes a --solver (euler when none is typed); any other --sigma refuses one.
std::optional<diffusion::OdeSolver> ode_solver_flag(const ReverseFlags& flags) {
  if (flags.sigma != kOdeSigmaName) {
    if (!flags.solver.empty())
      throw UsageError("--solver " + flags.solver + " needs --sigma ode (the probability-flow ODE) or --process "
                       "flow; --sigma " + flags.sigma + " samples with the stochastic reverse process");
    return std::nullopt;
  }
  if (flags.solver.empty()) return diffusion::OdeSolver::Euler;
  if (const std::optional<diffusion::OdeSolver> solver = diffusion::parse_ode_solver(flags.solver)) return solver;
  throw UsageError("unknown --solver '" + flags.solver + "'; valid ODE solvers: " + ode_solver_names());
}

diffusion::ReverseConfig reverse_config(const ReverseFlags& flags) {
  // The ODE solvers use only the denoiser's prediction (and the config's clipping); DDIM with
  // eta = 0 is their Euler method, so that is the config they carry.
  std::optional<diffusion::SigmaKind> sigma =
      flags.sigma == kOdeSigmaName ? diffusion::SigmaKind::DDIM : diffusion::parse_sigma_kind(flags.sigma);
  if (!sigma) {
    throw UsageError("unknown --sigma '" + flags.sigma + "'; valid choices: small, large, interpolated, ddim, ode");
  }
  if (!std::isfinite(flags.eta)) throw UsageError("--eta must be a finite number in [0, 1]");
  if (!std::isfinite(flags.interpolation)) {
    throw UsageError("--interpolation must be a finite number in [0, 1]");
  }
  diffusion::ReverseConfig config;
  config.sigma = *sigma;
  config.eta = flags.sigma == kOdeSigmaName ? 0.0 : flags.eta;
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
  plan.ode_solver = ode_solver_flag(flags);
  plan.steps = diffusion::sampling_steps(schedule, flags.steps == 0 ? schedule.T() : flags.steps, spacing);
  plan.schedule_name = std::string(diffusion::to_string(schedule.params().kind)) + ", T = " +
                       std::to_string(schedule.T());
  return plan;
}

int ReversePlan::network_evaluations() const {
  return ode_solver ? diffusion::ode_network_evaluations(*ode_solver, steps) : static_cast<int>(steps.size());
}

std::string ReversePlan::sampler_description() const {
  if (ode_solver) return "probability-flow ODE, " + std::string(diffusion::to_string(*ode_solver));
  return "sigma " + std::string(diffusion::to_string(config.sigma));
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
  return exact_denoiser_choice(diffusion::make_labelled_dataset2d(kind, train_n, data_seed), diffusion::kNullClass,
                               0.0, device, config);
}

DenoiserChoice exact_denoiser_choice(const diffusion::LabelledPoints2D& train, int class_id, double guidance,
                                     const torch::Device& device, const diffusion::ReverseConfig& config) {
  torch::Tensor points =
      torch::tensor(train.xy, torch::TensorOptions().dtype(torch::kFloat32)).reshape({train.size(), 2}).to(device);
  const int train_n = train.size();
  DenoiserChoice choice;
  if (class_id != diffusion::kNullClass) {
    auto conditional = std::make_shared<diffusion::ConditionalExactDenoiser>(points, train.class_id, train.num_classes);
    choice.denoiser = diffusion::make_guided_exact_denoiser(conditional, class_id, guidance, config);
    std::ostringstream description;
    description << "exact denoiser over " << train_n << " training points, class " << class_id << " ("
                << conditional->class_size(class_id) << " points), guidance w = " << guidance
                << " (two denoiser evaluations a step)";
    choice.description = description.str();
    choice.evaluations_per_step = 2;
    return choice;
  }
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
  // A conditional checkpoint (e.g. evaluate --model NAME-cond.ckpt) samples its null class: say so.
  choice.description = "learned model " + path + " (" + std::string(diffusion::to_string(loaded.metadata.target)) +
                       "-prediction" +
                       (loaded.metadata.model.num_classes > 0 ? ", conditional, sampled with the null class" : "") + ")";
  choice.model_info = loaded.metadata;
  return choice;
}

DenoiserChoice model_denoiser_choice(diffusion::Dataset2DKind kind, const std::string& model_path,
                                     const torch::Device& device, const diffusion::ReverseConfig& config,
                                     int class_id, double guidance) {
  if (class_id == diffusion::kNullClass && model_path.empty()) return model_denoiser_choice(kind, model_path, device, config);
  const bool shipped = model_path.empty();
  const std::string path = shipped ? diffusion::shipped_conditional_model_path(kind) : model_path;
  const std::string name(diffusion::to_string(kind));
  if (shipped && !std::filesystem::exists(path))
    throw UsageError("no shipped conditional model for " + name + " (looked for " + path +
                     "); give --model FILE, or train one: diffuscope train --conditional --name " + name +
                     " --steps 20000 --out " + path);
  diffusion::LoadedPointModel loaded = diffusion::load_point_model(path, device, shipped ? name : "");
  const int classes = loaded.metadata.model.num_classes;
  const std::string target(diffusion::to_string(loaded.metadata.target));
  DenoiserChoice choice;
  choice.model_info = loaded.metadata;
  if (class_id == diffusion::kNullClass) {
    // A conditional model without --class: its null class, the unconditional half it also learned.
    choice.denoiser = classes > 0 ? diffusion::make_model_denoiser(loaded.model, loaded.metadata.target, config,
                                                                   diffusion::kNullClass)
                                  : diffusion::make_model_denoiser(loaded.model, loaded.metadata.target, config);
    choice.description = "learned model " + path + " (" + target + "-prediction" +
                         (classes > 0 ? ", conditional, sampled with the null class" : "") + ")";
    return choice;
  }
  if (classes == 0)
    throw UsageError(path + " holds an unconditional model (trained without classes); --class needs a "
                            "conditional one (diffuscope train --conditional)");
  if (class_id < 0 || class_id >= classes)
    throw UsageError("--class " + std::to_string(class_id) + " is outside the model's classes 0.." +
                     std::to_string(classes - 1) + " (" + path + ")");
  choice.denoiser = diffusion::make_guided_model_denoiser(loaded.model, loaded.metadata.target, config, class_id,
                                                          guidance);
  choice.evaluations_per_step = 2;
  std::ostringstream description;
  description << "learned conditional model " << path << " (" << target << "-prediction, " << classes
              << " classes), class " << class_id << ", guidance w = " << guidance
              << " (two network evaluations a step: null class and class)";
  choice.description = description.str();
  return choice;
}

PlanRun run_plan(const torch::Tensor& x_T, const ReversePlan& plan, const diffusion::Denoiser& denoiser,
                 diffusion::NoiseSource& noise, const diffusion::StepCallback& on_step) {
  PlanRun run;
  if (plan.ode_solver) {
    const diffusion::OdeRun ode = diffusion::run_ode(x_T, plan.steps, denoiser, *plan.ode_solver, on_step);
    run.x = ode.x;
    run.network_evaluations = ode.network_evaluations;
  } else {
    run.x = diffusion::run_reverse(x_T, plan.steps, denoiser, plan.config, noise, on_step);
    run.network_evaluations = static_cast<int>(plan.steps.size());
  }
  return run;
}

TrackedPaths::TrackedPaths(int n, int tracked_paths) : tracked_(std::max(0, std::min(n, tracked_paths))) {}

void TrackedPaths::keep(const torch::Tensor& x) {
  if (tracked_ > 0) states_.push_back(x.slice(0, 0, tracked_).to(torch::kCPU, torch::kFloat32));
}

double TrackedPaths::curvature() const {
  if (tracked_ == 0 || states_.empty()) return std::numeric_limits<double>::quiet_NaN();
  // Path-major, as mean_path_length_ratio reads it: [tracked, states, 2].
  const torch::Tensor paths = torch::stack(states_).permute({1, 0, 2}).contiguous();
  const std::vector<float> values(paths.data_ptr<float>(), paths.data_ptr<float>() + paths.numel());
  return diffusion::mean_path_length_ratio(values, static_cast<std::size_t>(tracked_), 2);
}

TimedSamples run_timed_reverse(const DenoiserChoice& denoiser, const ReversePlan& plan, int n,
                               std::uint64_t seed, const torch::Device& device, int tracked_paths) {
  torch::NoGradGuard no_grad;
  diffusion::NoiseSource noise(noise_seed(seed));
  const torch::Tensor x_T = noise.normal({n, 2}, device);
  TrackedPaths paths(n, tracked_paths);
  diffusion::StepCallback on_step;
  if (paths.tracked() > 0) {
    paths.keep(x_T);
    on_step = [&](const torch::Tensor& x, const diffusion::SamplingStep&, int) {
      paths.keep(x);
      return true;
    };
  }
  const auto start = std::chrono::steady_clock::now();
  // Copying to the CPU waits for the device, so the time covers all the work.
  const PlanRun run = run_plan(x_T, plan, denoiser.denoiser, noise, on_step);
  const torch::Tensor samples = run.x.to(torch::kCPU, torch::kFloat32).contiguous();
  TimedSamples result;
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  result.network_evaluations = run.network_evaluations * denoiser.evaluations_per_step;
  const float* data = samples.data_ptr<float>();
  result.xy.assign(data, data + samples.numel());
  result.curvature = paths.curvature();
  result.tracked_paths = paths.tracked();
  return result;
}

}  // namespace diffuscope::cli
