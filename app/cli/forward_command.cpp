// `diffuscope forward`: a 2D dataset noised to step t, by the closed form, by t Markov steps, or
// by the lecture notes' naive variance-exploding process; or, with --process flow, moved to tau on
// the flow-matching path x_tau = (1 - tau) x_0 + tau eps.
#include <cmath>
#include <cstdint>
#include <iostream>
#include <memory>
#include <string>

#include <CLI/CLI.hpp>
#include <torch/types.h>

#include "cli/choices.hpp"
#include "cli/command.hpp"
#include "cli/csv.hpp"
#include "cli/flow_sampling.hpp"
#include "cli/point_source.hpp"
#include "cli/schedule_flags.hpp"
#include "cli/seeds.hpp"
#include "cli/usage_error.hpp"
#include "diffusion/datasets2d.hpp"
#include "diffusion/device.hpp"
#include "diffusion/forward_process.hpp"
#include "diffusion/noise.hpp"
#include "diffusion/schedule.hpp"

namespace diffuscope::cli {

namespace {

// How an unknown --process lists the valid words (the table's words come after it).
constexpr const char* kForwardProcessWhat = "processes: ddpm, flow, and the DDPM variants";

struct ForwardFlags {
  std::string name;
  std::string from;  // --from FILE.csv instead of --name
  int n = 1000;
  int t = 0;
  std::uint64_t seed = 0;
  std::string process = "closed";
  double naive_beta = 0.01;
  double tau = 0;  // --process flow
  ScheduleFlags schedule;
  // Which flags were typed (set when the parser is built).
  const CLI::App* parser = nullptr;
  const CLI::Option* t_option = nullptr;
  const CLI::Option* tau_option = nullptr;
  const CLI::Option* naive_beta_option = nullptr;
  const CLI::Option* from_option = nullptr;
  const CLI::Option* n_option = nullptr;
};

// x_0: N points of --name, or every point of --from (which refuses --n).
diffusion::LabelledPoints2D forward_x0_points(const ForwardFlags& flags) {
  const PointSource source = resolve_point_source(flags.name, flags.from_option, flags.from);
  if (source.is_file() && flags.n_option->count() > 0)
    throw UsageError("--n is for --name; --from noises every point of the file");
  return source.points(flags.n, flags.seed);
}

// --process flow: one draw of x_tau = (1 - tau) x_0 + tau eps per point (the path's marginal at tau).
int run_flow_forward(const ForwardFlags& flags) {
  diffusion::LabelledPoints2D data = forward_x0_points(flags);
  if (flags.t_option->count() > 0) throw UsageError("--t is a DDPM timestep; the flow path takes --tau in [0, 1]");
  if (flags.naive_beta_option->count() > 0) throw UsageError("--naive-beta is for --process naive");
  refuse_ddpm_flags_for_flow(*flags.parser);
  if (flags.tau_option->count() == 0)
    throw UsageError("--process flow needs --tau in [0, 1] (0: the data, 1: pure noise)");
  if (!(flags.tau >= 0.0 && flags.tau <= 1.0))  // also rejects NaN
    throw UsageError("--tau must be in [0, 1], got " + std::to_string(flags.tau));
  diffusion::configure_threads();
  const torch::Tensor x0 = torch::from_blob(data.xy.data(), {data.size(), 2}, torch::kFloat32);
  diffusion::NoiseSource noise(noise_seed(flags.seed));
  torch::Tensor x;
  try {
    torch::NoGradGuard no_grad;
    x = diffusion::flow_path_sample(x0, noise.normal({data.size(), 2}), flags.tau).to(torch::kCPU).contiguous();
  } catch (const c10::Error& e) {
    throw std::runtime_error(e.what_without_backtrace());
  }
  write_xy_csv(std::cout, x.data_ptr<float>(), x.size(0));
  return 0;
}

torch::Tensor noised(const ForwardFlags& flags, const diffusion::Schedule& schedule,
                     const torch::Tensor& x0, diffusion::NoiseSource& noise) {
  const std::int64_t n = x0.size(0);
  const gui::ForwardProcess process = flags.process == "ddpm" ? gui::ForwardProcess::ClosedForm
                                     : parse_choice_flag<gui::ForwardProcess>("--process", flags.process, kForwardProcessWhat);
  if (process == gui::ForwardProcess::ClosedForm) {
    return diffusion::q_sample(schedule, x0, flags.t, noise.normal({n, 2}));
  }
  if (process == gui::ForwardProcess::Markov) {
    torch::Tensor x = x0;
    for (int s = 1; s <= flags.t; ++s) x = diffusion::q_step(schedule, x, s, noise.normal({n, 2}));
    return x;
  }
  return diffusion::naive_sample(x0, flags.t, flags.naive_beta, noise.normal({n, 2}));
}

int run_forward(const ForwardFlags& flags) {
  if (flags.process == "flow") return run_flow_forward(flags);
  if (flags.tau_option->count() > 0) throw UsageError("--tau is for --process flow; DDPM steps are --t");
  if (flags.t_option->count() == 0) throw UsageError("--t is required (the timestep, 0..T; --tau with --process flow)");
  diffusion::LabelledPoints2D data = forward_x0_points(flags);
  const diffusion::Schedule schedule(to_schedule_params(flags.schedule));
  if (flags.t < 0 || flags.t > schedule.T()) {
    throw UsageError("--t must be in 0..T (T = " + std::to_string(schedule.T()) + "), got " +
                     std::to_string(flags.t));
  }
  if (flags.process != "ddpm") parse_choice_flag<gui::ForwardProcess>("--process", flags.process, kForwardProcessWhat);  // before any work
  if (!(flags.naive_beta > 0.0 && flags.naive_beta < 1.0)) {  // also rejects NaN
    throw UsageError("--naive-beta must be in (0, 1)");
  }
  diffusion::configure_threads();  // default count; the work here is small either way

  torch::Tensor x0 = torch::from_blob(data.xy.data(), {data.size(), 2}, torch::kFloat32);
  diffusion::NoiseSource noise(noise_seed(flags.seed));
  torch::Tensor x_t;
  try {
    torch::NoGradGuard no_grad;
    x_t = noised(flags, schedule, x0, noise).to(torch::kCPU).contiguous();
  } catch (const c10::Error& e) {
    throw std::runtime_error(e.what_without_backtrace());  // LibTorch's backtrace helps nobody here
  }
  write_xy_csv(std::cout, x_t.data_ptr<float>(), x_t.size(0));
  return 0;
}

}  // namespace

Command add_forward_command(CLI::App& app) {
  auto flags = std::make_shared<ForwardFlags>();
  CLI::App* parser = app.add_subcommand(
      "forward",
      "Noise N points of a 2D dataset (or every point of --from FILE.csv) to step t and print x_t as CSV: "
      "x,y. The points use --seed S; "
      "the noise uses a seed derived from S (SplitMix64), so equal seeds give equal output");
  parser->add_option("--name", flags->name, "Dataset: " + dataset_names());
  flags->from_option = add_from_flag(*parser, flags->from);
  flags->n_option = parser->add_option("--n", flags->n, "Number of points")
      ->capture_default_str()
      ->check(CLI::Range(1, 10'000'000));
  flags->t_option = parser->add_option("--t", flags->t, "Timestep, 0..T (0 prints the clean data; required but with --process flow)");
  flags->tau_option = parser->add_option("--tau", flags->tau, "--process flow: the path's time in [0, 1] (0: the data, 1: pure noise)");
  parser->add_option("--seed", flags->seed, "Random seed")->capture_default_str();
  parser->add_option("--process", flags->process,
                     "closed: q(x_t | x_0) in one draw; markov: t steps of q(x_s | x_{s-1}); "
                     "naive: x_t = x_0 + sqrt(t beta) eps (the lecture notes' variance-exploding process); "
                     "ddpm: the same as closed; flow: x_tau = (1 - tau) x_0 + tau eps (flow matching, --tau)")
      ->capture_default_str();
  flags->naive_beta_option = parser->add_option("--naive-beta", flags->naive_beta, "beta of the naive process")
      ->capture_default_str();
  add_schedule_flags(*parser, flags->schedule, /*kind_required=*/false);
  flags->parser = parser;
  return {parser, [flags] { return run_forward(*flags); }};
}

}  // namespace diffuscope::cli
