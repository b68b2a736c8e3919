// The lecture window: builds the UI state, the worker and the panels, and runs the frame loop
// (also headless: --screenshot writes a PNG and exits; --bench prints frame times and exits).
#include "gui/gui_main.hpp"
#define GLFW_INCLUDE_NONE
#include <GLFW/glfw3.h>

#include <imgui.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "gui/app_state.hpp"
#include "gui/curves_panel.hpp"
#include "gui/fashion_mnist.hpp"
#include "gui/frame_timing.hpp"
#include "gui/image_source.hpp"
#include "gui/image_view.hpp"
#include "gui/layout.hpp"
#include "gui/marginal_panel.hpp"
#include "gui/points_view.hpp"
#include "gui/schedule_panel.hpp"
#include "gui/timeline_panel.hpp"
#include "gui/ui_helpers.hpp"
#include "gui/window.hpp"
#include "gui/worker.hpp"
#include "renderer/screenshot.hpp"
#include "renderer/theme.hpp"

namespace diffuscope::gui {

namespace {

using Clock = std::chrono::steady_clock;

constexpr double kScreenshotTimeoutSeconds = 20.0;
constexpr int kBenchWarmupFrames = 30;
constexpr int kBenchFrames = 300;

std::string file_name(const std::string& path) {
  const auto slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// Fashion-MNIST test images for browsing. Start-up reads image 0 alone (fast); the first step to
// another image reads the whole set once (~8 MB of gzip), so later steps cost nothing on the UI thread.
struct FashionMnistSet {
  IdxImages images;
  std::vector<std::uint8_t> labels;
  bool whole_set = false;  // all images read, not just image 0
};

// Loads Fashion-MNIST test image `index` (clamped to the set) into the state, or reports why not.
void load_fashion(AppState& state, FashionMnistSet& set, int index) {
  if (index >= set.images.count && !set.whole_set) {
    const bool whole_set = index > 0;
    IdxImagesResult images = read_idx_images(kFashionMnistTestImages, whole_set ? 0 : 1);
    if (!images.ok()) {
      state.notify(WarningLevel::Warning, images.error, 30.0);
      return;
    }
    set.images = std::move(images.images);
    set.whole_set = whole_set;
    // Labels only name the class: without them the image still shows.
    IdxLabelsResult labels = read_idx_labels(kFashionMnistTestLabels, set.images.count);
    set.labels = labels.ok() ? std::move(labels.labels) : std::vector<std::uint8_t>{};
  }
  if (set.images.count == 0) return;
  index = std::clamp(index, 0, set.images.count - 1);
  std::string name = "Fashion-MNIST #" + std::to_string(index);
  std::string short_name = "#" + std::to_string(index);
  if (static_cast<std::size_t>(index) < set.labels.size()) {
    const std::string class_name(fashion_mnist_class_name(set.labels[static_cast<std::size_t>(index)]));
    name += " (" + class_name + ")";
    short_name += " " + class_name;
  }
  state.image_short_name = std::move(short_name);
  state.image = std::make_shared<const Image>(set.images.image(index));
  state.image_name = std::move(name);
  state.image_is_fashion = true;
  state.fashion_index = index;
}

// Loads a user image (--image or a dropped file); on failure keeps the current image.
bool load_user_image(AppState& state, const std::string& path) {
  ImageLoadResult r = load_image_file(path);
  if (!r.ok()) {
    state.notify(WarningLevel::Warning, r.error);
    return false;
  }
  const Image& image = r.image;
  state.image_name = file_name(path) + " (" + std::to_string(image.width) + "×" +
                     std::to_string(image.height) + ")";
  state.image = std::make_shared<const Image>(std::move(r.image));
  state.image_short_name.clear();
  state.image_is_fashion = false;
  return true;
}

constexpr ImGuiWindowFlags kPanelFlags =
    ImGuiWindowFlags_NoTitleBar | ImGuiWindowFlags_NoResize | ImGuiWindowFlags_NoMove |
    ImGuiWindowFlags_NoCollapse | ImGuiWindowFlags_NoSavedSettings |
    ImGuiWindowFlags_NoBringToFrontOnFocus;
constexpr ImGuiWindowFlags kFixedPanelFlags =
    kPanelFlags | ImGuiWindowFlags_NoScrollbar | ImGuiWindowFlags_NoScrollWithMouse;

bool begin_panel(const char* name, const PanelRect& r, ImGuiWindowFlags flags) {
  ImGui::SetNextWindowPos(ImVec2(r.x, r.y));
  ImGui::SetNextWindowSize(ImVec2(r.w, r.h));
  return ImGui::Begin(name, nullptr, flags);
}

// Messages (worker errors, bad dropped files, missing fonts) in a banner over the top of the
// right-hand area: visible, never modal, each dismissable.
void draw_notifications(AppState& state, const PanelRect& area, const renderer::Palette& palette) {
  if (state.notifications.empty()) return;
  const float font = ImGui::GetFontSize();
  ImGui::SetNextWindowPos(ImVec2(area.x + 0.5f * font, area.y + 0.5f * font));
  ImGui::SetNextWindowSize(ImVec2(area.w - font, 0.0f));
  ImGui::SetNextWindowBgAlpha(0.94f);
  const ImGuiWindowFlags flags = ImGuiWindowFlags_NoTitleBar | ImGuiWindowFlags_NoResize |
                                 ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoSavedSettings |
                                 ImGuiWindowFlags_NoFocusOnAppearing | ImGuiWindowFlags_NoScrollbar |
                                 ImGuiWindowFlags_AlwaysAutoResize;
  if (ImGui::Begin("##notifications", nullptr, flags)) {
    int dismiss = -1;
    for (std::size_t i = 0; i < state.notifications.size(); ++i) {
      const Notification& n = state.notifications[i];
      ImGui::PushID(static_cast<int>(i));
      if (ImGui::SmallButton("×")) dismiss = static_cast<int>(i);
      ImGui::SameLine();
      colored_wrapped_text(n.level == WarningLevel::Warning ? palette.warning_text
                                                            : ImGui::GetColorU32(ImGuiCol_Text),
                           n.text);
      ImGui::PopID();
    }
    if (dismiss >= 0) state.notifications.erase(state.notifications.begin() + dismiss);
  }
  ImGui::End();
}

}  // namespace

int run_gui(const GuiOptions& options) {
  const bool screenshot = !options.screenshot_path.empty();
  const bool bench = options.bench;

  AppState state;
  state.ui_scale = std::clamp(options.ui_scale, kMinUiScale, kMaxUiScale);
  const auto theme = renderer::parse_theme(options.theme);
  state.light_theme = theme && *theme == renderer::ThemeKind::Light;
  if (options.compare || options.scene == "compare-cosine-linear") {
    state.a.params.kind = diffusion::ScheduleKind::Linear;
    state.a.refresh();
    state.set_compare(true);  // B = cosine against linear A
    state.coefficient_tab = 1;  // SNR on a log axis shows linear against cosine best
  }
  if (options.process == "markov") state.process = ForwardProcess::Markov;
  if (options.process == "naive") state.process = ForwardProcess::Naive;
  // Start where the moons are still recognisable through the noise (ᾱ_t ≈ 0.9 for linear).
  state.set_cursor(options.t >= 0 ? options.t : std::max(1, state.max_T() / 10));
  if (!theme) state.notify(WarningLevel::Warning, "unknown theme \"" + options.theme + "\": using dark");

  WindowConfig config;
  config.width = options.width;
  config.height = options.height;
  config.vsync = !bench;
  config.ignore_mouse = screenshot;
  config.ui_scale = state.ui_scale;
  config.theme = state.light_theme ? renderer::ThemeKind::Light : renderer::ThemeKind::Dark;
  std::unique_ptr<Window> window;
  try {
    window = std::make_unique<Window>(config);
  } catch (const WindowError& e) {
    std::cerr << "diffuscope: " << e.what() << "\n";
    return 1;
  }

  // The image: --image if given and readable, else Fashion-MNIST (both report problems in the window).
  FashionMnistSet fashion_set;
  if (options.image_path.empty() || !load_user_image(state, options.image_path)) load_fashion(state, fashion_set, 0);

  Worker worker(options.device, options.threads);
  PointsView points_view;
  ImageView image_view;
  CurvesPanel curves_panel;
  MarginalPanel marginal_panel;
  SchedulePanel schedule_panel;

  ForwardJob last_job;
  bool submitted_any = false;
  std::uint64_t last_generation = 0;
  FrameTiming timing;        // whole frames (what the audience sees)
  FrameTiming build_timing;  // UI logic and ImGui draw lists, up to rendering
  FrameTiming gl_timing;     // GL rendering and the buffer swap (llvmpipe rasterises here)
  const Clock::time_point start = Clock::now();
  Clock::time_point previous_frame = start;
  int frames_since_ready = 0;
  int bench_frame = 0;
  int exit_code = 0;
  bool warned_timeout = false;
  ImageViewActions pending_actions;
  WindowLayout layout_hint;  // last frame's layout (bench: where to put the mouse)

  if (bench) {
    state.playback.playing = true;
    state.playback.loop = true;
  }

  while (!window->should_close()) {
    window->set_ui_scale(state.ui_scale);
    window->set_theme(state.light_theme ? renderer::ThemeKind::Light : renderer::ThemeKind::Dark);
    window->begin_frame();
    const Clock::time_point now = Clock::now();
    const double frame_ms = std::chrono::duration<double, std::milli>(now - previous_frame).count();
    previous_frame = now;
    const double dt = std::max(0.0, static_cast<double>(ImGui::GetIO().DeltaTime));

    // Inputs from outside ImGui: font problems, dropped files, browsing Fashion-MNIST.
    if (std::string w = window->take_font_warning(); !w.empty()) state.notify(WarningLevel::Warning, w, 30.0);
    for (const std::string& path : window->take_dropped_paths()) load_user_image(state, path);
    if (pending_actions.fashion_step != 0) {
      load_fashion(state, fashion_set, std::max(0, state.fashion_index + pending_actions.fashion_step));
      pending_actions = {};
    }
    for (std::string& e : worker.take_errors()) state.notify(WarningLevel::Warning, std::move(e));
    state.age_notifications(screenshot ? 0.0 : dt);

    if (bench) {
      // A slider being dragged: β_T moves every frame (and the schedule is recomputed).
      state.a.params.kind = diffusion::ScheduleKind::Linear;
      state.a.params.beta_end = 0.02 * (1.0 + 0.5 * std::sin(0.05 * bench_frame));
      // ...while the mouse rests on the ᾱ plot, so the hover readout is drawn every frame too.
      glfwSetCursorPos(window->handle(), layout_hint.curves.x + 0.3 * layout_hint.curves.w,
                       layout_hint.curves.y + 0.5 * layout_hint.curves.h);
    }
    handle_timeline_keys(state);
    state.set_cursor(advance_playback(state.playback, state.t, state.max_T(), dt));

    const renderer::Palette& palette =
        renderer::palette(state.light_theme ? renderer::ThemeKind::Light : renderer::ThemeKind::Dark);
    const float fb_w = ImGui::GetIO().DisplaySize.x;
    const float fb_h = ImGui::GetIO().DisplaySize.y;
    const WindowLayout layout =
        compute_layout(fb_w, fb_h, ImGui::GetFontSize(), timeline_panel_height(), state.compare);
    layout_hint = layout;

    if (begin_panel("Schedule", layout.schedule, kPanelFlags)) schedule_panel.draw(state, palette);
    ImGui::End();
    state.refresh_schedules();  // same frame: everything below sees the new schedule

    // The worker: send the current state when it changed; show the newest frame.
    const ForwardJob job = make_forward_job(state);
    if (!submitted_any || !same_job(job, last_job)) {
      last_generation = worker.submit(job);
      last_job = job;
      submitted_any = true;
    }
    const std::shared_ptr<const ForwardFrame> frame = worker.latest();

    if (begin_panel("Curves", layout.curves, kFixedPanelFlags)) curves_panel.draw(state, palette);
    ImGui::End();
    if (begin_panel("Marginal", layout.marginal, kFixedPanelFlags)) marginal_panel.draw(state, frame.get(), palette);
    ImGui::End();
    if (begin_panel("Points", layout.points, kFixedPanelFlags)) points_view.draw(state, frame.get(), palette);
    ImGui::End();
    if (begin_panel("Image", layout.images, kFixedPanelFlags)) pending_actions = image_view.draw(state, frame.get(), palette);
    ImGui::End();
    if (begin_panel("Timeline", layout.timeline, kFixedPanelFlags)) draw_timeline_panel(state);
    ImGui::End();
    draw_notifications(state, PanelRect{layout.curves.x, layout.curves.y, fb_w - layout.curves.x, 0}, palette);

    const Clock::time_point built = Clock::now();
    window->render(palette.clear_color);

    const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
    const bool ready = frame && frame->generation == last_generation;
    if (screenshot) {
      if (ready) ++frames_since_ready;
      const bool timed_out = elapsed > kScreenshotTimeoutSeconds;
      if (frames_since_ready >= std::max(1, options.screenshot_frames) || timed_out) {
        if (timed_out && !ready && !warned_timeout) {
          std::cerr << "diffuscope: warning: the worker's frame did not arrive within "
                    << kScreenshotTimeoutSeconds << " s; writing the screenshot anyway\n";
          warned_timeout = true;
        }
        const std::string error = renderer::save_framebuffer_png(
            options.screenshot_path, window->framebuffer_width(), window->framebuffer_height());
        if (!error.empty()) {
          std::cerr << "diffuscope: " << error << "\n";
          exit_code = 1;
        } else {
          std::cout << "wrote " << options.screenshot_path << " (" << window->framebuffer_width() << "x"
                    << window->framebuffer_height() << ")\n";
        }
        window->request_close();
      }
    }
    if (bench) {
      ++bench_frame;
      if (bench_frame > kBenchWarmupFrames) {
        timing.add(frame_ms);
        build_timing.add(std::chrono::duration<double, std::milli>(built - now).count());
      }
      if (timing.count() >= kBenchFrames) {
        const FrameTimeSummary s = timing.summary();
        const FrameTimeSummary b = build_timing.summary();
        const FrameTimeSummary g = gl_timing.summary();
        std::printf("bench: %d frames at %dx%d while playing and dragging β_T: frame time median %.2f ms, "
                    "p95 %.2f ms, max %.2f ms (UI build median %.2f ms, GL render + swap median %.2f ms)\n",
                    s.frames, window->framebuffer_width(), window->framebuffer_height(), s.median_ms,
                    s.p95_ms, s.max_ms, b.median_ms, g.median_ms);
        std::fflush(stdout);
        window->request_close();
      }
    }
    window->swap();
    if (bench && bench_frame > kBenchWarmupFrames) {
      gl_timing.add(std::chrono::duration<double, std::milli>(Clock::now() - built).count());
    }
  }

  points_view.release();
  image_view.release();
  return exit_code;
}

}  // namespace diffuscope::gui
