// `diffuscope train`: trains the 2D epsilon-prediction model on one dataset (--name) or the image
// U-Net on Fashion-MNIST (--data), printing progress lines to stdout, and saves the EMA weights as
// a checkpoint whose metadata records how it was made (the command line included). 2D runs print,
// under each progress line, the mean loss per log-SNR band since the previous line (loss_bands.hpp);
// --conditional trains a class-conditional model for classifier-free guidance.
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <limits>
#include <memory>
#include <optional>
#include <sstream>
#include <string>

#include <CLI/CLI.hpp>
#include <torch/types.h>

#include "cli/stopwatch.hpp"
#include "cli/choices.hpp"
#include "cli/point_source.hpp"
#include "cli/image_evaluation.hpp"
#include "cli/image_grid.hpp"
#include "cli/image_sampling.hpp"
#include "cli/command.hpp"
#include "cli/flow_sampling.hpp"
#include "cli/sampling.hpp"
#include "cli/usage_error.hpp"
#include "diffusion/checkpoint.hpp"
#include "diffusion/device.hpp"
#include "diffusion/idx_file.hpp"
#include "diffusion/image_checkpoint.hpp"
#include "diffusion/image_training.hpp"
#include "diffusion/log_snr.hpp"
#include "diffusion/loss_bands.hpp"
#include "diffusion/point_csv.hpp"
#include "diffusion/point_model.hpp"
#include "diffusion/point_training.hpp"

namespace diffuscope::cli {

namespace {

struct TrainFlags {
  std::string name;   // a 2D dataset, or
  std::string data;   // an image dataset ("fashion-mnist")
  std::int64_t steps = 0;
  std::string out;
  std::uint64_t seed = 0;
  int batch = 0;               // 0: the default of the model kind
  double learning_rate = std::numeric_limits<double>::quiet_NaN();  // NaN (not given): the kind's default
  std::int64_t grid_every = 0;  // images: steps between sample grids (0: about 10 per run)
  int grid_images = 16;
  int threads = 0;
  std::string device = "auto";
  std::int64_t progress_every = 0;  // 0: about 20 lines per run
  bool classifier = false;  // --data: train the evaluation classifier instead (image_evaluation.hpp)
  int epochs = 0;
  int train_images = 0;  // --classifier: the first N training images (0: all)
  const CLI::Option* steps_option = nullptr;
  std::string target;               // "": the kind's default (2D: kDefaultPointTarget, images: eps)
  std::string from;                 // images: continue training this checkpoint ("": a fresh model)
  std::string process = "ddpm";     // 2D: ddpm or flow (a flow-matching velocity model)
  bool conditional = false;         // 2D DDPM: a class-conditional model (classifier-free guidance)
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

void check_common_flags(const TrainFlags& flags) {
  if (flags.steps < 1) throw UsageError("--steps must be at least 1, got " + std::to_string(flags.steps));
  if (!std::isnan(flags.learning_rate) && !(std::isfinite(flags.learning_rate) && flags.learning_rate > 0)) {
    throw UsageError("--lr must be a finite number > 0");
  }
  if (flags.progress_every < 0) throw UsageError("--progress-every must be >= 0 (0: about 20 lines)");
  check_output_path(flags.out);
}

std::string progress_line(std::int64_t done, std::int64_t planned, double loss, double steps_per_second,
                          double elapsed) {
  std::ostringstream line;
  line << "step " << done << '/' << planned << "  loss " << std::fixed << std::setprecision(4) << loss
       << "  steps/s " << std::setprecision(steps_per_second < 10 ? 2 : 1) << steps_per_second << "  elapsed "
       << std::setprecision(1) << elapsed << " s\n";
  return line.str();
}

// "<out without .ckpt>-step001000.png": the sample grids sit next to the checkpoint.
std::string grid_path(const std::string& out, std::int64_t step) {
  std::filesystem::path path(out);
  std::ostringstream name;
  name << path.stem().string() << "-step" << std::setw(6) << std::setfill('0') << step << ".png";
  return (path.parent_path() / name.str()).string();
}

// The image U-Net on Fashion-MNIST's 60,000 training images. Every grid_every steps the EMA model
// samples grid_images images (100 respaced DDPM steps of the default linear schedule, fixed seed, so
// successive grids show the same draws improving) into a PNG beside the checkpoint, and saves the
// checkpoint; at the end it saves the checkpoint and a last grid.
int run_image_train(const TrainFlags& flags, const std::string& command_line) {
  if (flags.data != "fashion-mnist")
    throw UsageError("--data '" + flags.data + "' is not an image dataset; the one available is fashion-mnist");
  check_common_flags(flags);
  if (flags.grid_every < 0) throw UsageError("--grid-every must be >= 0 (0: about 10 grids per run)");
  if (flags.grid_images < 1 || flags.grid_images > 256) throw UsageError("--grid-images must be in 1..256");
  diffusion::configure_threads(flags.threads);
  const torch::Device device = device_from_flag(flags.device);

  diffusion::ImageTrainingConfig config;
  if (flags.batch > 0) config.batch_size = flags.batch;
  if (!std::isnan(flags.learning_rate)) config.learning_rate = flags.learning_rate;
  config.planned_steps = flags.steps;
  config.seed = flags.seed;
  if (!flags.target.empty()) config.target = parse_target_flag(flags.target);
  // --from: continue a trained U-Net (its architecture and target; the EMA starts from it).
  std::optional<diffusion::LoadedImageModel> start;
  if (!flags.from.empty()) {
    start = diffusion::load_image_model(flags.from, device);
    if (!flags.target.empty() && config.target != start->metadata.target)
      throw UsageError("--target " + flags.target + " differs from what --from " + flags.from + " predicts (" +
                       std::string(diffusion::to_string(start->metadata.target)) + ")");
    config.target = start->metadata.target;
  }
  diffusion::validate(config);
  const diffusion::ImageModelConfig model_config = start ? start->metadata.model : diffusion::ImageModelConfig{};
  const std::int64_t every =
      flags.progress_every > 0 ? flags.progress_every : std::max<std::int64_t>(1, flags.steps / 20);
  const std::int64_t grid_every =
      flags.grid_every > 0 ? flags.grid_every : std::max<std::int64_t>(1, flags.steps / 10);

  diffusion::IdxImages idx;
  try {
    idx = diffusion::read_idx_images(diffusion::kFashionMnistTrainImages);
  } catch (const diffusion::IdxError& e) {
    throw std::runtime_error(std::string("cannot read the training images: ") + e.what());
  }
  const std::string where = diffusion::device_display_name(device);
  try {
    const torch::Tensor images = diffusion::images_to_tensor(idx);
    diffusion::ImageTrainer trainer = start ? diffusion::ImageTrainer(start->model, config, images, device)
                                            : diffusion::ImageTrainer(model_config, config, images, device);
    std::ostringstream header;
    header << "train: fashion-mnist (" << idx.count << " images, " << idx.rows << "x" << idx.cols << "), "
           << flags.steps << " steps, batch " << config.batch_size << ", lr " << config.learning_rate << ", seed "
           << config.seed << ", target " << diffusion::to_string(config.target) << "; model "
           << model_config.architecture() << " ("
           << diffusion::ImageUNet(model_config)->parameter_count() << " parameters); " << where << "\n";
    std::cout << header.str() << std::flush;

    ReverseFlags grid_flags;
    grid_flags.steps = 100;
    ReversePlan grid_plan = reverse_plan(grid_flags);
    grid_plan.config.clip_x0 = true;

    auto save = [&](double training_seconds) {
      const diffusion::ImageCheckpointMetadata metadata = diffusion::image_checkpoint_metadata(
          trainer, flags.data, idx.rows, idx.cols, where, training_seconds, command_line);
      diffusion::ImageUNet ema = trainer.ema_model();
      diffusion::save_image_model(flags.out, ema, metadata);
      return metadata;
    };
    const auto start = std::chrono::steady_clock::now();
    double sampling_seconds = 0;   // grids and checkpoints are not training time
    auto last_line = start;
    std::int64_t last_line_step = 0;
    while (trainer.steps_done() < flags.steps) {
      trainer.step();
      const std::int64_t done = trainer.steps_done();
      if (done % every == 0 || done == flags.steps) {
        const double interval = std::max(seconds_since(last_line), 1e-9);
        std::cout << progress_line(done, flags.steps, trainer.recent_loss(),
                                   static_cast<double>(done - last_line_step) / interval, seconds_since(start))
                  << std::flush;
        last_line = std::chrono::steady_clock::now();
        last_line_step = done;
      }
      if (done % grid_every == 0 && done != flags.steps) {
        const auto grid_start = std::chrono::steady_clock::now();
        const double trained_seconds = seconds_since(start) - sampling_seconds;
        const TimedImages grid = run_timed_image_reverse(trainer.ema_model(), config.target, grid_plan, flags.grid_images,
                                                         idx.rows, idx.cols, flags.seed, device);
        const std::string path = grid_path(flags.out, done);
        write_image_grid_png(path, grid.images);
        // The checkpoint too, so a long CPU run can be stopped at any grid and still leave a model
        // (its metadata says how many steps it had).
        save(trained_seconds);
        sampling_seconds += seconds_since(grid_start);
        std::cout << "samples at step " << done << ": " << path << "; checkpoint " << flags.out << "\n"
                  << std::flush;
        last_line = std::chrono::steady_clock::now();
      }
    }
    const double training_seconds = seconds_since(start) - sampling_seconds;
    const diffusion::ImageCheckpointMetadata metadata = save(training_seconds);
    const TimedImages final_grid = run_timed_image_reverse(trainer.ema_model(), config.target, grid_plan, flags.grid_images,
                                                           idx.rows, idx.cols, flags.seed, device);
    write_image_grid_png(grid_path(flags.out, trainer.steps_done()), final_grid.images);
    std::cout << "samples at step " << trainer.steps_done() << ": " << grid_path(flags.out, trainer.steps_done())
              << "\n";
    std::ostringstream done;
    done << "saved " << flags.out << ": " << metadata.steps << " steps in " << std::fixed << std::setprecision(1)
         << training_seconds << " s of training (" << sampling_seconds << " s more for sample grids) on " << where
         << ", final loss " << std::setprecision(4) << metadata.final_loss << '\n';
    std::cout << done.str() << std::flush;
  } catch (const c10::Error& e) {
    throw std::runtime_error(e.what_without_backtrace());
  }
  return 0;
}

// --classifier: the Fashion-MNIST classifier of `evaluate --data` (image_evaluation.cpp).
int run_classifier_train_command(const TrainFlags& flags, const std::string& command_line) {
  if (flags.data.empty()) throw UsageError("--classifier needs --data fashion-mnist");
  if (flags.steps_option->count() > 0) throw UsageError("--classifier trains for --epochs E, not --steps");
  if (flags.epochs < 1) throw UsageError("--classifier needs --epochs E (>= 1)");
  ClassifierTrainRequest request;
  request.data = flags.data;
  request.out = flags.out;
  request.epochs = flags.epochs;
  request.max_images = flags.train_images;
  request.batch = flags.batch;
  if (!std::isnan(flags.learning_rate) && !(std::isfinite(flags.learning_rate) && flags.learning_rate > 0))
    throw UsageError("--lr must be a finite number > 0");
  request.learning_rate = std::isnan(flags.learning_rate) ? 0.0 : flags.learning_rate;  // 0: the default
  request.seed = flags.seed;
  request.command_line = command_line;
  diffusion::configure_threads(flags.threads);
  return run_classifier_train(request, device_from_flag(flags.device));
}

int run_train(const TrainFlags& flags, const std::string& command_line) {
  const diffusion::ProcessFamily process = parse_process_flag(flags.process);
  const bool flow = process == diffusion::ProcessFamily::Flow;
  if (flow && (flags.classifier || !flags.data.empty()))
    throw UsageError("--process flow trains a 2D velocity model (--name); the image models are DDPM only");
  if (flow && !flags.target.empty())
    throw UsageError("--target is for --process ddpm; a flow model predicts the velocity eps - x_0");
  if (flags.conditional && (flags.classifier || !flags.data.empty() || flow))
    throw UsageError("--conditional trains a 2D DDPM model (--name or --from FILE.csv) with classes; "
                     "not the image models or --process flow");
  if (flags.classifier) return run_classifier_train_command(flags, command_line);
  if (flags.epochs > 0 || flags.train_images > 0)
    throw UsageError("--epochs and --train-images are for --classifier; diffusion models train for --steps");
  if (flags.steps_option->count() == 0) throw UsageError("--steps is required");
  // Without --data, --from names a CSV file of 2D points to train on (with --data: a checkpoint).
  const bool points_from_file = flags.data.empty() && !flags.from.empty();
  if (points_from_file && !flags.name.empty())
    throw UsageError("--name (a named dataset) and --from cannot be used together: without --data, --from names a "
                     "CSV file of 2D points to train on instead of --name (--from continues an image model only "
                     "with --data)");
  if (!points_from_file && flags.name.empty() == flags.data.empty())
    throw UsageError("give either --name (a 2D dataset: " + dataset_names() +
                     ") or --from FILE.csv (2D points) or --data fashion-mnist (images), only one");
  if (!flags.data.empty()) return run_image_train(flags, command_line);
  const PointSource source =
      points_from_file ? read_point_source_file(flags.from) : PointSource::named(parse_dataset_flag(flags.name));
  check_common_flags(flags);
  const int threads = diffusion::configure_threads(flags.threads);
  const torch::Device device = device_from_flag(flags.device);

  diffusion::PointTrainingConfig config;
  if (source.kind()) {
    config.dataset = *source.kind();
  } else {
    config.data_points = source.points(0, 0).xy;  // the checkpoint records the dataset as "drawn"
  }
  if (flags.batch > 0) config.batch_size = flags.batch;
  if (!std::isnan(flags.learning_rate)) config.learning_rate = flags.learning_rate;
  config.planned_steps = flags.steps;
  config.seed = flags.seed;
  if (!flags.target.empty()) config.target = parse_target_flag(flags.target);
  config.process = process;
  config.conditional = flags.conditional;
  if (flags.conditional && source.is_file()) {
    const diffusion::LabelledPoints2D labelled = source.points(0, 0);
    config.data_classes = labelled.class_id;
    config.data_num_classes = labelled.num_classes;
  }
  diffusion::validate(config);  // std::invalid_argument naming the field: exit code 2
  diffusion::PointModelConfig model_config;
  if (flags.conditional) model_config.num_classes = source.num_classes();
  const std::int64_t every =
      flags.progress_every > 0 ? flags.progress_every : std::max<std::int64_t>(1, flags.steps / 20);

  std::cout << "train: " << source.description() << ", " << flags.steps << " steps, batch " << config.batch_size
            << ", lr " << config.learning_rate << ", seed " << config.seed
            << (flow ? std::string(", flow matching (velocity eps - x_0)")
                     : ", target " + std::string(diffusion::to_string(config.target)))
            << (flags.conditional ? ", conditional on " + std::to_string(model_config.num_classes) +
                                        " classes (label dropout " + std::to_string(config.label_dropout).substr(0, 4) + ")"
                                  : std::string())
            << "; model "
            << model_config.architecture() << " (" << model_config.parameter_count() << " parameters); "
            << device.str() << " (" << threads << (threads == 1 ? " thread" : " threads") << ")\n"
            << std::flush;
  try {
    diffusion::PointTrainer trainer(model_config, config, device);
    // The loss of every group of points since the previous line, by the log-SNR it was trained at.
    diffusion::LogSnrLossBands bands(diffusion::kModelLogSnrMin, diffusion::kModelLogSnrMax);
    const auto start = std::chrono::steady_clock::now();
    auto last_line = start;
    std::int64_t last_line_step = 0;
    while (trainer.steps_done() < flags.steps) {
      trainer.step();
      bands.add(trainer.last_batch_groups().log_snr, trainer.last_batch_groups().loss);
      const std::int64_t done = trainer.steps_done();
      if (done % every != 0 && done != flags.steps) continue;
      // Steps per second since the previous line: what the machine does now, not on average.
      const double interval = std::max(seconds_since(last_line), 1e-9);
      std::cout << progress_line(done, flags.steps, trainer.recent_loss(),
                                 static_cast<double>(done - last_line_step) / interval, seconds_since(start))
                << "  by log-SNR band " << bands.summary() << '\n'
                << std::flush;
      bands.clear();
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
      "Train a noise-prediction model (conditioned on log-SNR, so it serves every schedule and T) and "
      "save its averaged (EMA) weights as a checkpoint: the 2D model on one point dataset (--name) or "
      "the image U-Net on Fashion-MNIST (--data fashion-mnist, with sample grids written as PNG next to "
      "--out). Progress lines (step, mean loss of the last 100 batches, steps/s, elapsed) go to stdout");
  auto* name = parser->add_option("--name", flags->name, "2D dataset: " + dataset_names());
  parser->add_option("--data", flags->data, "Image dataset: fashion-mnist")->excludes(name);
  flags->steps_option = parser->add_option("--steps", flags->steps, "Optimisation steps (>= 1; required)");
  parser->add_option("--out", flags->out, "Checkpoint file to write (replaced atomically)")->required();
  parser->add_option("--seed", flags->seed, "Random seed (weights, data, noise)")->capture_default_str();
  parser->add_option("--batch", flags->batch,
                     "Points or images per batch (default " +
                         std::to_string(diffusion::PointTrainingConfig{}.batch_size) + " points, " +
                         std::to_string(diffusion::ImageTrainingConfig{}.batch_size) + " images)")
      ->check(CLI::Range(1, 1'000'000));
  parser->add_option("--lr", flags->learning_rate,
                     "Adam learning rate (default " + std::to_string(diffusion::PointTrainingConfig{}.learning_rate) +
                         " points, " + std::to_string(diffusion::ImageTrainingConfig{}.learning_rate) + " images)");
  parser->add_option("--grid-every", flags->grid_every,
                     "Images: write a PNG grid of samples every K steps (0: about 10 per run)")
      ->capture_default_str();
  parser->add_option("--grid-images", flags->grid_images, "Images: samples per grid")->capture_default_str();
  parser->add_option("--threads", flags->threads, "LibTorch CPU threads (0: half the hardware threads)")
      ->capture_default_str()
      ->check(CLI::Range(0, 1024));
  parser->add_option("--device", flags->device, "auto, cpu or cuda")->capture_default_str();
  parser->add_option("--target", flags->target,
                     "What the network predicts: eps, x0 or v (default: v for 2D datasets, eps for images)");
  parser->add_option("--from", flags->from,
                     "With --data: continue training this image checkpoint (its architecture and target). "
                     "Without: a CSV file of 2D points to train on instead of --name (x,y[,class], at most " +
                         std::to_string(diffusion::kMaxPointCsvPoints) + " points; recorded as dataset 'drawn')");
  add_process_flag(*parser, flags->process);
  parser->add_flag("--conditional", flags->conditional,
                   "2D: train a class-conditional model for classifier-free guidance (classes of --name, "
                   "or the class column of --from FILE.csv; 10 % of the groups of points get the null class)");
  parser->add_flag("--classifier", flags->classifier,
                   "With --data fashion-mnist: train the classifier whose features `evaluate --data` "
                   "measures (for --epochs E), and print its test accuracy");
  parser->add_option("--epochs", flags->epochs, "With --classifier: passes over the training images")
      ->check(CLI::Range(1, 1000));
  parser->add_option("--train-images", flags->train_images,
                     "With --classifier: train on the first N training images only (default: all)")
      ->check(CLI::Range(1, 1'000'000));
  parser->add_option("--progress-every", flags->progress_every,
                     "Print a progress line every K steps (0: about 20 lines)")
      ->capture_default_str();
  return {parser, [flags, command_line] { return run_train(*flags, command_line); }};
}

}  // namespace diffuscope::cli
