#include "cli/gui_command.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include <CLI/CLI.hpp>

#include "cli/choices.hpp"
#include "cli/gui_sampler_flags.hpp"
#include "cli/usage_error.hpp"
#include "diffusion/assets.hpp"
#include "diffusion/datasets2d.hpp"
#include "diffusion/reverse_config.hpp"
#include "diffusion/sampling_steps.hpp"
#include "gui/protocol/image_jobs.hpp"
#include "gui/state/limits.hpp"

namespace diffuscope::cli {

namespace {

// 1, 2.5, 3: a limit as the messages print it.
std::string shortest_text(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%g", value);
  return buffer;
}

constexpr int kMinWidth = 320, kMaxWidth = 7680;   // up to 8K projectors
constexpr int kMinHeight = 240, kMaxHeight = 4320;

struct GuiFlags {
  gui::GuiOptions options;
  std::string size;  // "WxH"; empty keeps the default
  std::string export_size;  // "WxH"; empty: the window's size
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
  if (!(options.ui_scale >= gui::kMinUiScale && options.ui_scale <= gui::kMaxUiScale)) {  // also rejects NaN
    throw UsageError("--ui-scale must be in [" + shortest_text(gui::kMinUiScale) + ", " + shortest_text(gui::kMaxUiScale) + "]");
  }
  if (options.screenshot_frames < 1) throw UsageError("--frames must be >= 1");
  if (options.theme != "dark" && options.theme != "light") {
    throw UsageError("unknown --theme '" + options.theme + "'; valid themes: dark, light");
  }
  validate_gui_process_flags(options);
  if (options.b_flow && (options.process == "markov" || options.process == "naive")) {
    throw UsageError("--b-flow needs the closed-form process (not --process " + options.process +
                     "): flow matching's path is drawn in closed form only");
  }
  if (options.t < -1) throw UsageError("--t must be >= 0 (it is clamped to T)");
  parse_choice_flag<gui::AppView>("--view", options.view, "views");
  if (options.image_count != 0 && (options.image_count < gui::kMinImageCount || options.image_count > gui::kMaxImageCount)) {
    throw UsageError("--image-count must be in [" + std::to_string(gui::kMinImageCount) + ", " +
                     std::to_string(gui::kMaxImageCount) + "] (0: " + std::to_string(gui::kDefaultImageCountCpu) +
                     " on the CPU, " + std::to_string(gui::kDefaultImageCountCuda) + " on CUDA)");
  }
  if (options.images_steps < -1) throw UsageError("--images-steps must be >= 1 (0: every step, K = T)");
  if (options.image_t < -1) throw UsageError("--image-t must be >= 0 (it is clamped to T)");
  if (options.image_select < 0 || options.image_select > gui::kMaxImageCount - 1) {
    throw UsageError("--image-select must be in [0, " + std::to_string(gui::kMaxImageCount - 1) +
                     "] (and below --image-count)");
  }
  if (options.image_count > 0 && options.image_select >= options.image_count) {
    throw UsageError("--image-select must be below --image-count (" + std::to_string(options.image_count) + ")");
  }
  if (!options.dataset.empty() && !diffusion::parse_dataset2d_kind(options.dataset)) {
    throw UsageError("unknown --dataset '" + options.dataset + "'; valid datasets: " + dataset_names());
  }
  parse_choice_flag<gui::DenoiserKind>("--denoiser", options.denoiser, "denoisers");
  if (!(options.eta >= 0.0 && options.eta <= 1.0)) throw UsageError("--eta must be in [0, 1]");
  if (!(options.interpolation >= 0.0 && options.interpolation <= 1.0)) {
    throw UsageError("--interpolation must be in [0, 1]");
  }
  if (options.steps < 0) throw UsageError("--steps must be >= 1 (0: every step, K = T)");
  if (!diffusion::parse_spacing(options.spacing)) {
    throw UsageError("unknown --spacing '" + options.spacing + "'; valid spacings: " + spacing_names());
  }
  if (!options.reverse_compare.empty()) {
    parse_choice_flag<gui::ReversePreset>("--reverse-compare", options.reverse_compare, "presets");
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
  if (options.track < 0 || options.track > gui::kMaxTrackedPoints) {
    throw UsageError("--track must be in [0, " + std::to_string(gui::kMaxTrackedPoints) + "]");
  }
  if (options.train != 0 && (options.train < gui::kMinTrainingSteps || options.train > gui::kMaxTrainingSteps)) {
    throw UsageError("--train must be in [" + std::to_string(gui::kMinTrainingSteps) + ", " +
                     std::to_string(gui::kMaxTrainingSteps) + "] steps (or 0: no training at start)");
  }
  namespace fs = std::filesystem;
  std::error_code error;
  if (!options.image_path.empty() && !fs::is_regular_file(options.image_path, error)) {
    throw UsageError("--image '" + options.image_path + "' is not a readable file");
  }
  const std::pair<const char*, const std::string*> outputs[] = {{"--screenshot", &options.screenshot_path},
                                                                {"--export-png", &options.export_png},
                                                                {"--bench-out", &options.bench_out},
                                                                {"--soak-out", &options.soak_out},
                                                                {"--export-gif", &options.export_gif},
                                                                {"--export-sequence", &options.export_sequence}};
  for (const auto& [flag, path] : outputs) {
    if (path->empty()) continue;
    const fs::path folder = fs::path(*path).parent_path();
    if (!folder.empty() && !fs::is_directory(folder, error)) {
      throw UsageError(std::string(flag) + ": folder '" + folder.string() + "' does not exist");
    }
  }
  const int exports = !options.screenshot_path.empty() + !options.export_png.empty() + !options.export_gif.empty() +
                      !options.export_sequence.empty() + options.bench + (options.soak_seconds > 0.0);
  if (exports > 1) {
    throw UsageError("choose one of --screenshot, --export-png, --export-gif, --export-sequence, --bench and --soak");
  }
  if (!(options.soak_seconds >= 0.0 && options.soak_seconds <= 86400.0)) {
    throw UsageError("--soak must be in [0, 86400] seconds");
  }
  if (!options.bench_out.empty() && !options.bench) throw UsageError("--bench-out needs --bench");
  if (!options.soak_out.empty() && !(options.soak_seconds > 0.0)) throw UsageError("--soak-out needs --soak SECONDS");
  if (!options.export_png.empty() && fs::path(options.export_png).extension() != ".png") {
    throw UsageError("--export-png must name a .png file, got '" + options.export_png + "'");
  }
  if (!options.export_view.empty() &&
      std::none_of(std::begin(gui::kOneViews), std::end(gui::kOneViews),
                   [&](const gui::OneView& v) { return v.key == options.export_view; })) {
    throw UsageError("unknown --export-view '" + options.export_view + "'; valid views: " + gui::one_view_key_list());
  }
  if (!options.export_view.empty() && options.export_png.empty()) {
    throw UsageError("--export-view needs --export-png (one view is exported as a PNG)");
  }
  if (!options.export_gif.empty() && fs::path(options.export_gif).extension() != ".gif") {
    throw UsageError("--export-gif must name a .gif file, got '" + options.export_gif + "'");
  }
  if (!options.export_sequence.empty() && fs::path(options.export_sequence).extension() != ".png") {
    throw UsageError("--export-sequence must name a .png file (frames get _0001, _0002, ...), got '" +
                     options.export_sequence + "'");
  }
  if (options.export_frames < 2 || options.export_frames > 10001) {
    throw UsageError("--export-frames must be in [2, 10001] (it is clamped to T + 1)");
  }
  if (!(options.export_seconds >= 0.1 && options.export_seconds <= 600.0)) {
    throw UsageError("--export-seconds must be in [0.1, 600]");
  }
  if (options.export_direction != "down" && options.export_direction != "up") {
    throw UsageError("unknown --export-direction '" + options.export_direction + "'; valid: down (T to 0), up (0 to T)");
  }
  if (options.export_content != "window" && options.export_content != "views") {
    throw UsageError("unknown --export-content '" + options.export_content + "'; valid: window, views");
  }
}

std::string resolve_scene(const std::string& name) {
  namespace fs = std::filesystem;
  std::error_code error;
  if (fs::is_regular_file(name, error)) return name;
  const bool looks_like_path = name.find('/') != std::string::npos || fs::path(name).extension() == ".json";
  const fs::path folder = fs::path(diffusion::assets_dir()) / "scenes";
  std::vector<std::string> shipped;
  for (fs::directory_iterator it(folder, error), end; !error && it != end; it.increment(error)) {
    if (it->path().extension() == ".json") shipped.push_back(it->path().stem().string());
  }
  std::sort(shipped.begin(), shipped.end());
  if (!looks_like_path) {
    // "3", "03", "03-linear-vs-cosine" or "linear-vs-cosine".
    std::string number = name;
    if (!number.empty() && number.size() < 2 && std::isdigit(static_cast<unsigned char>(number[0]))) number = "0" + number;
    for (const std::string& stem : shipped) {
      const auto dash = stem.find('-');
      const std::string prefix = stem.substr(0, dash);
      const std::string rest = dash == std::string::npos ? "" : stem.substr(dash + 1);
      if (stem == name || prefix == number || rest == name) return (folder / (stem + ".json")).string();
    }
  }
  std::string list;
  for (const std::string& stem : shipped) list += (list.empty() ? "" : ", ") + stem;
  throw UsageError("--scene '" + name + "' is neither a readable file nor a shipped scene" +
                   (list.empty() ? std::string(" (no scenes found in ") + folder.string() + ")"
                                 : "; shipped scenes: " + list));
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
  parser->add_option("--scene", o.scene,
                     "Start from a scene: a .json file, or a shipped scene's number or name (e.g. 3 or "
                     "03-linear-vs-cosine; see assets/scenes)");
  parser->add_flag("--presenter", o.presenter, "Start in presenter mode (controls hidden; P toggles)");
  parser->add_option("--export-png", o.export_png, "Write a PNG of the window (or of --export-view) and exit");
  parser->add_option("--export-view", o.export_view,
                     "Export one view alone: curves, points, marginal, image (forward view), clouds "
                     "(reverse), grids, selected (images)");
  parser->add_option("--export-size", flags->export_size,
                     "Render exports at WxH, independent of the window (default: the window's size)");
  parser->add_option("--export-gif", o.export_gif,
                     "Write an animated GIF of the views scrubbed over t (T -> 0) and exit");
  parser->add_option("--export-sequence", o.export_sequence,
                     "Write the same frames as a PNG sequence (out.png -> out_0001.png, ...) and exit");
  parser->add_option("--export-frames", o.export_frames, "Exports: frames, 2 to T + 1")->capture_default_str();
  parser->add_option("--export-seconds", o.export_seconds, "GIF export: duration in seconds")
      ->capture_default_str();
  parser->add_option("--export-direction", o.export_direction, "Exports: down (t = T to 0) or up (0 to T)")
      ->capture_default_str();
  parser->add_option("--export-content", o.export_content,
                     "Exports: window (as shown) or views (the views, timeline and readout, no controls)")
      ->capture_default_str();
  parser->add_option("--process", o.process,
                     "2D forward process: closed, markov or naive; flow: the reverse view's panel 0 "
                     "integrates flow matching's velocity (--solver euler or heun, --steps K)")
      ->capture_default_str();
  parser->add_option("--t", o.t,
                     "Initial cursor t, clamped to 0..T (default: T/10); reverse view: the t shown "
                     "once the run has finished (default: follow it to t = 0)");
  parser->add_flag("--compare", o.compare, "Start with the second schedule (B) shown");
  parser->add_flag("--b-flow", o.b_flow,
                   "Start comparing A with flow matching's path as B: x_τ = (1 − τ)·x₀ + τ·ε, τ = t/T, on A's ε "
                   "(closed-form process only; implies --compare)");
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
  parser->add_option("--sigma", o.sigma,
                     "Reverse and images views: small (β̃), large (β), interpolated, ddim, or ode (the "
                     "probability-flow ODE, --solver)")
      ->capture_default_str();
  parser->add_option("--eta", o.eta, "Reverse view: DDIM's η in [0, 1]")->capture_default_str();
  parser->add_option("--interpolation", o.interpolation, "Reverse view: v in [0, 1] for --sigma interpolated")
      ->capture_default_str();
  parser->add_option("--steps", o.steps, "Reverse view: sampling steps K (0: every step)")->capture_default_str();
  parser->add_option("--spacing", o.spacing, "Reverse view: " + spacing_names())->capture_default_str();
  parser->add_option("--solver", o.solver,
                     "--sigma ode: euler, heun or dpmpp2m (default heun); --process flow: euler or heun "
                     "(default euler)");
  parser->add_option("--reverse-compare", o.reverse_compare,
                     "Reverse view preset: sigma (β̃ | β | DDIM η=0 | DDIM η=1), steps, denoiser, target "
                     "(ε-, x₀- and v-models, DDIM η=0, K=50) or ode (DDPM, DDIM η=0, Heun and "
                     "DPM-Solver++(2M) at about 10 network evaluations) or guidance (one class at "
                     "classifier-free guidance w = 0, 1, 3, 7) or flow (DDPM, DDIM η=0, flow matching "
                     "Euler and Heun at about 10 network evaluations)");
  parser->add_option("--overlay", o.overlay,
                     "Reverse view overlays, comma-separated: score or eps (arrows), x0, paths, posterior "
                     "(default: paths)");
  parser->add_option("--track", o.track, "Reverse view: track this many points (0-8) from the start");
  parser->add_option("--train", o.train, "Start training the dataset's model in the window (planned steps); with a drawing as the data (a drawn scene), the drawing's model");
  parser->add_option("--screenshot", o.screenshot_path, "Render, write this PNG and exit");
  parser->add_option("--frames", o.screenshot_frames,
                     "Frames to render before the screenshot or benchmark ends")
      ->capture_default_str();
  parser->add_flag("--bench", o.bench,
                   "Run a scripted session (sliders, schedules, training, reverse playback), print "
                   "frame-time and latency figures and exit");
  parser->add_option("--bench-out", o.bench_out, "--bench: also write the figures to this JSON file");
  parser->add_option("--soak", o.soak_seconds,
                     "Random interaction for this many seconds (extremes, scenes, resizes, training, "
                     "dropped files); print memory growth and responsiveness and exit");
  parser->add_option("--soak-seed", o.soak_seed, "--soak: the random seed")->capture_default_str();
  parser->add_option("--soak-out", o.soak_out, "--soak: also write the figures to this JSON file");

  auto run = [flags, launch_gui]() -> int {
    gui::GuiOptions options = flags->options;
    if (!flags->size.empty()) parse_window_size(flags->size, options.width, options.height);
    if (!flags->export_size.empty()) {
      try {
        parse_window_size(flags->export_size, options.export_width, options.export_height);
      } catch (const UsageError& e) {
        throw UsageError(std::string("--export-size: ") + e.what());
      }
    }
    validate_gui_options(options);
    if (!options.scene.empty()) options.scene = resolve_scene(options.scene);
    if (launch_gui == nullptr) {
      std::cerr << "diffuscope: this build has no GUI (configured with -DDIFFUSCOPE_GUI=OFF)\n";
      return 2;
    }
    return launch_gui(options);
  };
  return {parser, run};
}

}  // namespace diffuscope::cli
