#include "cli/flow_sampling.hpp"

#include <chrono>
#include <filesystem>
#include <stdexcept>

#include <CLI/CLI.hpp>

#include "cli/seeds.hpp"
#include "cli/usage_error.hpp"
#include "diffusion/assets.hpp"
#include "diffusion/noise.hpp"

namespace diffuscope::cli {

void add_process_flag(CLI::App& command, std::string& process) {
  command.add_option("--process", process,
                     "ddpm: the diffusion process (schedule, sigma); flow: flow matching / rectified flow, "
                     "x_tau = (1 - tau) x_0 + tau eps with velocity eps - x_0; sampling integrates it from tau = 1 "
                     "to 0 over K uniform steps tau_k = k / K (default K = " + std::to_string(kDefaultFlowSteps) +
                     ") with --solver euler or heun (default euler); shipped flow models: assets/models/NAME-flow.ckpt")
      ->capture_default_str();
}

diffusion::ProcessFamily parse_process_flag(const std::string& process) {
  if (const auto parsed = diffusion::parse_process_family(process)) return *parsed;
  throw UsageError("unknown --process '" + process + "'; valid processes: ddpm, flow");
}

void refuse_ddpm_flags_for_flow(const CLI::App& command) {
  for (const char* name : {"--sigma", "--eta", "--interpolation", "--spacing", "--class", "--guidance"}) {
    const CLI::Option* option = command.get_option_no_throw(name);
    if (option != nullptr && option->count() > 0)
      throw UsageError(std::string(name) + " is for --process ddpm; with --process flow the sampler integrates a "
                       "velocity field (--steps K, --solver euler|heun) and takes no other sampler flags");
  }
  for (const CLI::Option* option : command.get_options()) {
    if (option->get_group() == "Schedule" && option->count() > 0)
      throw UsageError(option->get_name() + " sets the DDPM schedule; flow matching has none (its path is "
                       "x_tau = (1 - tau) x_0 + tau eps on a uniform tau grid)");
  }
}

std::string FlowPlan::description() const {
  return std::string(diffusion::to_string(solver)) + ", " + std::to_string(steps) + " steps (NFE " +
         std::to_string(nfe()) + "), tau_k = k / K";
}

void add_flow_solver_flag(CLI::App& command, std::string& solver) {
  if (command.get_option_no_throw("--solver") != nullptr) return;  // the probability-flow ODE's
  command.add_option("--solver", solver, "--process flow: euler or heun (default euler)");
}

FlowPlan flow_plan(const CLI::App& command, const ReverseFlags& reverse) {
  refuse_ddpm_flags_for_flow(command);
  FlowPlan plan;
  if (reverse.steps != 0) plan.steps = reverse.steps;
  const CLI::Option* option = command.get_option_no_throw("--solver");
  if (option != nullptr && option->count() > 0) {
    const std::string name = option->as<std::string>();
    const auto solver = diffusion::parse_ode_solver(name);
    if (!solver || !diffusion::is_flow_solver(*solver))
      throw UsageError("--solver '" + name + "' is not a flow-matching solver; with --process flow use euler or heun");
    plan.solver = *solver;
  }
  return plan;
}

VelocityChoice exact_velocity_choice(const diffusion::LabelledPoints2D& train, const torch::Device& device) {
  const torch::Tensor points =
      torch::tensor(train.xy, torch::TensorOptions().dtype(torch::kFloat32)).reshape({train.size(), 2}).to(device);
  VelocityChoice choice;
  choice.field = diffusion::make_exact_velocity(std::make_shared<diffusion::ExactVelocity>(points));
  choice.description = "exact velocity over " + std::to_string(train.size()) + " training points";
  return choice;
}

VelocityChoice model_velocity_choice(diffusion::Dataset2DKind kind, const std::string& model_path,
                                     const torch::Device& device) {
  const bool shipped = model_path.empty();
  const std::string path = shipped ? diffusion::shipped_flow_model_path(kind) : model_path;
  std::error_code error;
  if (shipped && !std::filesystem::exists(path, error))
    throw UsageError("no shipped flow model for --name " + std::string(diffusion::to_string(kind)) + " (" + path +
                     " does not exist); give --model FILE from `diffuscope train --process flow`");
  diffusion::LoadedPointModel loaded = diffusion::load_point_model(
      path, device, shipped ? std::string(diffusion::to_string(kind)) : "", diffusion::ProcessFamily::Flow);
  VelocityChoice choice;
  choice.field = diffusion::make_model_velocity(loaded.model);
  choice.description = "learned flow model " + path;
  choice.model_info = loaded.metadata;
  return choice;
}

TimedSamples run_timed_flow(const VelocityChoice& velocity, const FlowPlan& plan, int n, std::uint64_t seed,
                            const torch::Device& device, int tracked_paths) {
  torch::NoGradGuard no_grad;
  diffusion::NoiseSource noise(noise_seed(seed));
  const torch::Tensor x_1 = noise.normal({n, 2}, device);
  TrackedPaths paths(n, tracked_paths);
  diffusion::FlowStepCallback on_step;
  if (paths.tracked() > 0) {
    paths.keep(x_1);
    on_step = [&](const torch::Tensor& x, const diffusion::FlowStep&) {
      paths.keep(x);
      return true;
    };
  }
  const auto start = std::chrono::steady_clock::now();
  // Copying to the CPU waits for the device, so the time covers all the work.
  const diffusion::FlowRun run = diffusion::run_flow(x_1, plan.steps, plan.solver, velocity.field, on_step);
  const torch::Tensor samples = run.x.to(torch::kCPU, torch::kFloat32).contiguous();
  TimedSamples result;
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  result.network_evaluations = run.nfe;
  const float* data = samples.data_ptr<float>();
  result.xy.assign(data, data + samples.numel());
  result.curvature = paths.curvature();
  result.tracked_paths = paths.tracked();
  return result;
}

}  // namespace diffuscope::cli
