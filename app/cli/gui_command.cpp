#include "cli/gui_command.hpp"

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>

#include <CLI/CLI.hpp>

#include "cli/choices.hpp"
#include "cli/usage_error.hpp"
#include "diffusion/datasets2d.hpp"
#include "diffusion/reverse_config.hpp"
#include "diffusion/sampling_steps.hpp"

namespace diffuscope::cli {

namespace {

constexpr int kMinWidth = 320, kMaxWidth = 7680;   // up to 8K projectors
constexpr int kMinHeight = 240, kMaxHeight = 4320;

struct GuiFlags {
  gui::GuiOptions options;
  std::string size;  // "WxH"; empty keeps the default
};

}  // namespace

void parse_window_size(const std::string& text, int& width, int& height) {
  int w = 0, h = 0;
  char trailing = 0;
  if (std::sscanf(text.c_str(), "%dx%d%c", &w, &h, &trailing) != 2) {
    throw UsageError("--size must look like 1280x800 (width x height in pixels), got '" + text + "'");
  }
  if (w < kMinWidth || w > kMaxWidth || h < kMinHeight || h > kMaxHeight) {
    throw UsageError("--size must be between " + std::to_string(kMinWidth) + "x" +
                     std::to_string(kMinHeight) + " and " + std::to_string(kMaxWidth) + "x" +
                     std::to_string(kMaxHeight) + ", got '" + text + "'");
  }
  width = w;
  height = h;
}

void validate_gui_options(const gui::GuiOptions& options) {
  check_device_flag(options.device);
  if (options.threads < 0) throw UsageError("--threads must be >= 0 (0: half the hardware threads)");
  if (!(options.ui_scale >= 1.0f && options.ui_scale <= 3.0f)) {  // also rejects NaN
    throw UsageError("--ui-scale must be in [1, 3]");
  }
  if (options.screenshot_frames < 1) throw UsageError("--frames must be >= 1");
  if (options.theme != "dark" && options.theme != "light") {
    throw UsageError("unknown --theme '" + options.theme + "'; valid themes: dark, light");
  }
  if (options.process != "closed" && options.process != "markov" && options.process != "naive") {
    throw UsageError("unknown --process '" + options.process + "'; valid processes: closed, markov, naive");
  }
  if (options.t < -1) throw UsageError("--t must be >= 0 (it is clamped to T)");
  if (options.view != "forward" && options.view != "reverse" && options.view != "images") {
    throw UsageError("unknown --view '" + options.view + "'; valid views: forward, reverse, images");
  }
  if (options.image_count != 0 && (options.image_count < 1 || options.image_count > 64)) {
    throw UsageError("--image-count must be in [1, 64] (0: 16 on the CPU, 64 on CUDA)");
  }
  if (options.images_steps < -1) throw UsageError("--images-steps must be >= 1 (0: every step, K = T)");
  if (options.image_t < -1) throw UsageError("--image-t must be >= 0 (it is clamped to T)");
  if (options.image_select < 0 || options.image_select > 63) {
    throw UsageError("--image-select must be in [0, 63] (and below --image-count)");
  }
  if (options.image_count > 0 && options.image_select >= options.image_count) {
    throw UsageError("--image-select must be below --image-count (" + std::to_string(options.image_count) + ")");
  }
  if (!options.dataset.empty() && !diffusion::parse_dataset2d_kind(options.dataset)) {
    throw UsageError("unknown --dataset '" + options.dataset + "'; valid datasets: " + dataset_names());
  }
  if (options.denoiser != "model" && options.denoiser != "exact") {
    throw UsageError("unknown --denoiser '" + options.denoiser + "'; valid denoisers: model, exact");
  }
  if (!diffusion::parse_sigma_kind(options.sigma)) {
    throw UsageError("unknown --sigma '" + options.sigma + "'; valid choices: small, large, interpolated, ddim");
  }
  if (!(options.eta >= 0.0 && options.eta <= 1.0)) throw UsageError("--eta must be in [0, 1]");
  if (!(options.interpolation >= 0.0 && options.interpolation <= 1.0)) {
    throw UsageError("--interpolation must be in [0, 1]");
  }
  if (options.steps < 0) throw UsageError("--steps must be >= 1 (0: every step, K = T)");
  if (!diffusion::parse_spacing(options.spacing)) {
    throw UsageError("unknown --spacing '" + options.spacing + "'; valid spacings: " + spacing_names());
  }
  if (!options.reverse_compare.empty() && options.reverse_compare != "sigma" &&
      options.reverse_compare != "steps" && options.reverse_compare != "denoiser") {
    throw UsageError("unknown --reverse-compare '" + options.reverse_compare +
                     "'; valid presets: sigma, steps, denoiser");
  }
  {
    std::size_t begin = 0;
    int fields = 0;
    while (!options.overlay.empty() && begin <= options.overlay.size()) {
      const std::size_t comma = std::min(options.overlay.find(',', begin), options.overlay.size());
      const std::string item = options.overlay.substr(begin, comma - begin);
      if (item != "score" && item != "eps" && item != "x0" && item != "paths" && item != "posterior") {
        throw UsageError("unknown --overlay '" + item +
                         "'; valid overlays (comma-separated): score, eps, x0, paths, posterior");
      }
      if ((item == "score" || item == "eps") && ++fields > 1) {
        throw UsageError("--overlay: choose one of score and eps");
      }
      begin = comma + 1;
    }
  }
  if (options.track < 0 || options.track > 8) throw UsageError("--track must be in [0, 8]");
  if (options.train != 0 && (options.train < 100 || options.train > 1000000)) {
    throw UsageError("--train must be in [100, 1000000] steps (or 0: no training at start)");
  }
  namespace fs = std::filesystem;
  std::error_code error;
  if (!options.image_path.empty() && !fs::is_regular_file(options.image_path, error)) {
    throw UsageError("--image '" + options.image_path + "' is not a readable file");
  }
  if (!options.screenshot_path.empty()) {
    const fs::path folder = fs::path(options.screenshot_path).parent_path();
    if (!folder.empty() && !fs::is_directory(folder, error)) {
      throw UsageError("--screenshot: folder '" + folder.string() + "' does not exist");
    }
  }
}

Command add_gui_command(CLI::App& app, GuiLauncher launch_gui) {
  auto flags = std::make_shared<GuiFlags>();
  gui::GuiOptions& o = flags->options;
  CLI::App* parser = app.add_subcommand(
      "gui", "Open the lecture window (the default when no command is given)");
  parser->add_option("--device", o.device, "Where the worker computes: auto, cpu or cuda")
      ->capture_default_str();
  parser->add_option("--threads", o.threads, "LibTorch CPU threads (0: half the hardware threads)")
      ->capture_default_str();
  parser->add_option("--size", flags->size, "Window size WxH, e.g. 1280x800 (default 1600x900)");
  parser->add_option("--ui-scale", o.ui_scale, "Text and widget scale, 1 to 3 (projectors: 1.5-2)")
      ->capture_default_str();
  parser->add_option("--theme", o.theme, "dark or light (high contrast, for projectors)")
      ->capture_default_str();
  parser->add_option("--image", o.image_path, "PNG/JPG to show in the image view (default: Fashion-MNIST)");
  parser->add_option("--scene", o.scene, "Start from a lecture scene preset");
  parser->add_option("--process", o.process, "2D forward process: closed, markov or naive")
      ->capture_default_str();
  parser->add_option("--t", o.t,
                     "Initial cursor t, clamped to 0..T (default: T/10); reverse view: the t shown "
                     "once the run has finished (default: follow it to t = 0)");
  parser->add_flag("--compare", o.compare, "Start with the second schedule (B) shown");
  parser->add_option("--view", o.view, "Start in the forward, reverse or images view")->capture_default_str();
  parser->add_option("--image-model", o.image_model,
                     "Images view and x̂_0 in the forward view: image checkpoint (default: the shipped "
                     "assets/models/fashion-mnist.ckpt)");
  parser->add_option("--image-count", o.image_count, "Images view: samples per grid, 1-64 (default 16 on CPU, 64 on CUDA)");
  parser->add_option("--images-steps", o.images_steps,
                     "Images view: sampling steps K (0: every step; default 100 on CPU, T on CUDA)");
  parser->add_option("--image-t", o.image_t,
                     "Images view: the t shown once the run has finished (default: follow it to t = 0)");
  parser->add_option("--image-select", o.image_select, "Images view: the sample shown with its x̂_0 and ε̂ (default 0)");
  parser->add_option("--dataset", o.dataset, "2D dataset: " + dataset_names() + " (default moons)");
  parser->add_option("--denoiser", o.denoiser, "Reverse view: model (trained network) or exact")
      ->capture_default_str();
  parser->add_option("--sigma", o.sigma, "Reverse and images views: small (β̃), large (β), interpolated or ddim")
      ->capture_default_str();
  parser->add_option("--eta", o.eta, "Reverse view: DDIM's η in [0, 1]")->capture_default_str();
  parser->add_option("--interpolation", o.interpolation, "Reverse view: v in [0, 1] for --sigma interpolated")
      ->capture_default_str();
  parser->add_option("--steps", o.steps, "Reverse view: sampling steps K (0: every step)")->capture_default_str();
  parser->add_option("--spacing", o.spacing, "Reverse view: " + spacing_names())->capture_default_str();
  parser->add_option("--reverse-compare", o.reverse_compare,
                     "Reverse view preset: sigma (β̃ | β | DDIM η=0 | DDIM η=1), steps or denoiser");
  parser->add_option("--overlay", o.overlay,
                     "Reverse view overlays, comma-separated: score or eps (arrows), x0, paths, posterior "
                     "(default: paths)");
  parser->add_option("--track", o.track, "Reverse view: track this many points (0-8) from the start");
  parser->add_option("--train", o.train, "Start training the dataset's model in the window (planned steps)");
  parser->add_option("--screenshot", o.screenshot_path, "Render, write this PNG and exit");
  parser->add_option("--frames", o.screenshot_frames,
                     "Frames to render before the screenshot or benchmark ends")
      ->capture_default_str();
  parser->add_flag("--bench", o.bench, "Print frame-time statistics and exit");

  auto run = [flags, launch_gui]() -> int {
    gui::GuiOptions options = flags->options;
    if (!flags->size.empty()) parse_window_size(flags->size, options.width, options.height);
    validate_gui_options(options);
    if (launch_gui == nullptr) {
      std::cerr << "diffuscope: this build has no GUI (configured with -DDIFFUSCOPE_GUI=OFF)\n";
      return 2;
    }
    return launch_gui(options);
  };
  return {parser, run};
}

}  // namespace diffuscope::cli
