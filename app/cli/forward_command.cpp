// `diffuscope forward`: a 2D dataset noised to step t, by the closed form, by t Markov steps, or
// by the lecture notes' naive variance-exploding process.
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

struct ForwardFlags {
  std::string name;
  int n = 1000;
  int t = 0;
  std::uint64_t seed = 0;
  std::string process = "closed";
  double naive_beta = 0.01;
  ScheduleFlags schedule;
};

torch::Tensor noised(const ForwardFlags& flags, const diffusion::Schedule& schedule,
                     const torch::Tensor& x0, diffusion::NoiseSource& noise) {
  const std::int64_t n = x0.size(0);
  const gui::ForwardProcess process = parse_choice_flag<gui::ForwardProcess>("--process", flags.process, "processes");
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
  const diffusion::Dataset2DKind kind = parse_dataset_flag(flags.name);
  const diffusion::Schedule schedule(to_schedule_params(flags.schedule));
  if (flags.t < 0 || flags.t > schedule.T()) {
    throw UsageError("--t must be in 0..T (T = " + std::to_string(schedule.T()) + "), got " +
                     std::to_string(flags.t));
  }
  parse_choice_flag<gui::ForwardProcess>("--process", flags.process, "processes");  // before any work
  if (!(flags.naive_beta > 0.0 && flags.naive_beta < 1.0)) {  // also rejects NaN
    throw UsageError("--naive-beta must be in (0, 1)");
  }
  diffusion::configure_threads();  // default count; the work here is small either way

  diffusion::Dataset2D data = diffusion::make_dataset2d(kind, flags.n, flags.seed);
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
      "Noise N points of a 2D dataset to step t and print x_t as CSV: x,y. The points use --seed S; "
      "the noise uses a seed derived from S (SplitMix64), so equal seeds give equal output");
  parser->add_option("--name", flags->name, "Dataset: " + dataset_names())->required();
  parser->add_option("--n", flags->n, "Number of points")
      ->capture_default_str()
      ->check(CLI::Range(1, 10'000'000));
  parser->add_option("--t", flags->t, "Timestep, 0..T (0 prints the clean data)")->required();
  parser->add_option("--seed", flags->seed, "Random seed")->capture_default_str();
  parser->add_option("--process", flags->process,
                     "closed: q(x_t | x_0) in one draw; markov: t steps of q(x_s | x_{s-1}); "
                     "naive: x_t = x_0 + sqrt(t beta) eps (the lecture notes' variance-exploding process)")
      ->capture_default_str();
  parser->add_option("--naive-beta", flags->naive_beta, "beta of the naive process")
      ->capture_default_str();
  add_schedule_flags(*parser, flags->schedule, /*kind_required=*/false);
  return {parser, [flags] { return run_forward(*flags); }};
}

}  // namespace diffuscope::cli
