// `diffuscope train`: trains the 2D epsilon-prediction model on one dataset, printing progress
// lines to stdout, and saves the EMA weights as a checkpoint whose metadata records how it was
// made (the command line included).
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>

#include <CLI/CLI.hpp>
#include <torch/types.h>

#include "cli/choices.hpp"
#include "cli/command.hpp"
#include "cli/sampling.hpp"
#include "cli/usage_error.hpp"
#include "diffusion/checkpoint.hpp"
#include "diffusion/device.hpp"
#include "diffusion/point_model.hpp"
#include "diffusion/point_training.hpp"

namespace diffuscope::cli {

namespace {

struct TrainFlags {
  std::string name;
  std::int64_t steps = 0;
  std::string out;
  std::uint64_t seed = 0;
  int batch = diffusion::PointTrainingConfig{}.batch_size;
  double learning_rate = diffusion::PointTrainingConfig{}.learning_rate;
  int threads = 0;
  std::string device = "auto";
  std::int64_t progress_every = 0;  // 0: about 20 lines per run
};

// Refuses an --out that cannot be written before any training time is spent on it.
void check_output_path(const std::string& out) {
  namespace fs = std::filesystem;
  const fs::path path(out);
  if (out.empty() || path.filename().empty()) throw UsageError("--out must name a file, got '" + out + "'");
  std::error_code error;
  if (fs::is_directory(path, error)) throw UsageError("--out '" + out + "' is a folder; name a file in it");
  const fs::path folder = path.has_parent_path() ? path.parent_path() : fs::path(".");
  if (!fs::is_directory(folder, error)) {
    throw UsageError("--out '" + out + "': folder '" + folder.string() + "' does not exist");
  }
  // The checkpoint is written next to PATH and renamed over it, so the folder must be writable.
  if (::access(folder.c_str(), W_OK) != 0) {
    throw UsageError("--out '" + out + "': folder '" + folder.string() + "' is not writable");
  }
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

int run_train(const TrainFlags& flags, const std::string& command_line) {
  const diffusion::Dataset2DKind kind = parse_dataset_flag(flags.name);
  if (flags.steps < 1) throw UsageError("--steps must be at least 1, got " + std::to_string(flags.steps));
  if (!std::isfinite(flags.learning_rate) || flags.learning_rate <= 0) {
    throw UsageError("--lr must be a finite number > 0");
  }
  if (flags.progress_every < 0) throw UsageError("--progress-every must be >= 0 (0: about 20 lines)");
  check_output_path(flags.out);
  const int threads = diffusion::configure_threads(flags.threads);
  const torch::Device device = device_from_flag(flags.device);

  diffusion::PointTrainingConfig config;
  config.dataset = kind;
  config.batch_size = flags.batch;
  config.learning_rate = flags.learning_rate;
  config.planned_steps = flags.steps;
  config.seed = flags.seed;
  diffusion::validate(config);  // std::invalid_argument naming the field: exit code 2
  const diffusion::PointModelConfig model_config;
  const std::int64_t every =
      flags.progress_every > 0 ? flags.progress_every : std::max<std::int64_t>(1, flags.steps / 20);

  std::cout << "train: " << flags.name << ", " << flags.steps << " steps, batch " << config.batch_size
            << ", lr " << config.learning_rate << ", seed " << config.seed << "; model "
            << model_config.architecture() << " (" << model_config.parameter_count() << " parameters); "
            << device.str() << " (" << threads << (threads == 1 ? " thread" : " threads") << ")\n"
            << std::flush;
  try {
    diffusion::PointTrainer trainer(model_config, config, device);
    const auto start = std::chrono::steady_clock::now();
    auto last_line = start;
    std::int64_t last_line_step = 0;
    while (trainer.steps_done() < flags.steps) {
      trainer.step();
      const std::int64_t done = trainer.steps_done();
      if (done % every != 0 && done != flags.steps) continue;
      // Steps per second since the previous line: what the machine does now, not on average.
      const double interval = std::max(seconds_since(last_line), 1e-9);
      std::ostringstream line;
      line << "step " << done << '/' << flags.steps << "  loss " << std::fixed << std::setprecision(4)
           << trainer.recent_loss() << "  steps/s " << std::setprecision(1)
           << static_cast<double>(done - last_line_step) / interval << "  elapsed " << seconds_since(start)
           << " s\n";
      std::cout << line.str() << std::flush;
      last_line = std::chrono::steady_clock::now();
      last_line_step = done;
    }
    const double training_seconds = seconds_since(start);

    const diffusion::PointCheckpointMetadata metadata =
        diffusion::point_checkpoint_metadata(trainer, command_line);
    diffusion::PointModel ema = trainer.ema_model();
    diffusion::save_point_model(flags.out, ema, metadata);
    std::ostringstream done;
    done << "saved " << flags.out << ": " << metadata.steps << " steps in " << std::fixed << std::setprecision(1)
         << training_seconds << " s, final loss " << std::setprecision(4) << metadata.final_loss << '\n';
    std::cout << done.str() << std::flush;
  } catch (const c10::Error& e) {
    throw std::runtime_error(e.what_without_backtrace());  // LibTorch's backtrace helps nobody here
  }
  return 0;
}

}  // namespace

Command add_train_command(CLI::App& app, const std::string& command_line) {
  auto flags = std::make_shared<TrainFlags>();
  CLI::App* parser = app.add_subcommand(
      "train",
      "Train the 2D noise-prediction model (conditioned on log-SNR, so it serves every schedule and "
      "T) on one dataset and save its averaged (EMA) weights as a checkpoint. Progress lines "
      "(step, mean loss of the last 100 batches, steps/s, elapsed) go to stdout");
  parser->add_option("--name", flags->name, "Dataset: " + dataset_names())->required();
  parser->add_option("--steps", flags->steps, "Optimisation steps (>= 1)")->required();
  parser->add_option("--out", flags->out, "Checkpoint file to write (replaced atomically)")->required();
  parser->add_option("--seed", flags->seed, "Random seed (weights, data, noise)")->capture_default_str();
  parser->add_option("--batch", flags->batch, "Points per batch")
      ->capture_default_str()
      ->check(CLI::Range(1, 1'000'000));
  parser->add_option("--lr", flags->learning_rate, "Adam learning rate")->capture_default_str();
  parser->add_option("--threads", flags->threads, "LibTorch CPU threads (0: half the hardware threads)")
      ->capture_default_str()
      ->check(CLI::Range(0, 1024));
  parser->add_option("--device", flags->device, "auto, cpu or cuda")->capture_default_str();
  parser->add_option("--progress-every", flags->progress_every,
                     "Print a progress line every K steps (0: about 20 lines)")
      ->capture_default_str();
  return {parser, [flags, command_line] { return run_train(*flags, command_line); }};
}

}  // namespace diffuscope::cli
