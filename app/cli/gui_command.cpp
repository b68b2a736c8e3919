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
  parser->add_option("--t", o.t, "Initial cursor t, clamped to 0..T (default: T/10)");
  parser->add_flag("--compare", o.compare, "Start with the second schedule (B) shown");
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
