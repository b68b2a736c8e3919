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
#include <thread>
#include <vector>

#include "gui/app_state.hpp"
#include "gui/curves_panel.hpp"
#include "gui/fashion_mnist.hpp"
#include "gui/frame_timing.hpp"
#include "gui/image_source.hpp"
#include "gui/image_view.hpp"
#include "gui/images_panel.hpp"
#include "gui/images_state.hpp"
#include "gui/images_view.hpp"
#include "gui/layout.hpp"
#include "gui/marginal_panel.hpp"
#include "gui/points_view.hpp"
#include "gui/reverse_panel.hpp"
#include "gui/reverse_state.hpp"
#include "gui/reverse_view.hpp"
#include "gui/schedule_panel.hpp"
#include "gui/timeline_panel.hpp"
#include "gui/training_panel.hpp"
#include "gui/ui_helpers.hpp"
#include "gui/window.hpp"
#include "gui/worker.hpp"
#include "renderer/screenshot.hpp"
#include "renderer/theme.hpp"

namespace diffuscope::gui {

namespace {

using Clock = std::chrono::steady_clock;

constexpr double kScreenshotTimeoutSeconds = 20.0;
// A reverse run of 1000 steps on a loaded CPU can take a while: the screenshot waits for it (bounded).
constexpr double kReverseScreenshotTimeoutSeconds = 60.0;
// An image run (16 images x 100 U-Net steps take ~3 s on 2 idle CPU threads) on a loaded machine.
constexpr double kImagesScreenshotTimeoutSeconds = 180.0;
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

// "Forward | Reverse | Images" at the top of the left column: the shown view highlighted.
void draw_view_switch(AppState& state) {
  const ImGuiStyle& style = ImGui::GetStyle();
  const float w = std::floor((ImGui::GetContentRegionAvail().x - 2.0f * style.ItemSpacing.x) / 3.0f);
  const struct {
    AppView view;
    const char* label;
    const char* tooltip;
  } views[] = {{AppView::Forward, "Forward", "The forward process: schedules, x_t of points and images."},
               {AppView::Reverse, "Reverse", "The reverse process: denoising N(0, I) into data with the "
                                             "trained network or the exact denoiser; sampler comparisons; training."},
               {AppView::Images, "Images", "The reverse process on images: Fashion-MNIST samples of the learned U-Net "
                                           "denoising from x_T; the selected sample's x̂_0 and ε̂; sampler comparisons."}};
  // On a narrow window at a large UI scale the three labels would be cut ("Forwar"): shrink their
  // font just enough that the widest one fits its button.
  float widest = 0.0f;
  for (const auto& v : views) widest = std::max(widest, ImGui::CalcTextSize(v.label).x);
  const float needed = widest + 2.0f * style.FramePadding.x;
  const float font_scale = needed > w ? std::max(0.6f, w / needed) : 1.0f;
  ImGui::SetWindowFontScale(font_scale);
  for (int i = 0; i < 3; ++i) {
    if (i > 0) ImGui::SameLine();
    const bool shown = state.view == views[i].view;
    if (shown) ImGui::PushStyleColor(ImGuiCol_Button, ImGui::GetColorU32(ImGuiCol_ButtonActive));
    if (ImGui::Button(views[i].label, ImVec2(w, 0.0f))) state.set_view(views[i].view);
    if (shown) ImGui::PopStyleColor();
    item_tooltip(views[i].tooltip);
  }
  ImGui::SetWindowFontScale(1.0f);
  ImGui::Separator();
}

// The reverse view's starting state from the command line (flags were validated by the CLI).
void apply_reverse_options(AppState& state, const GuiOptions& options) {
  if (auto kind = diffusion::parse_dataset2d_kind(options.dataset)) state.dataset = *kind;
  ReversePanelSettings& p0 = state.reverse.panels[0];
  p0.denoiser = options.denoiser == "exact" ? DenoiserKind::Exact : DenoiserKind::Model;
  p0.sampler.sigma = diffusion::parse_sigma_kind(options.sigma).value_or(diffusion::SigmaKind::Small);
  p0.sampler.eta = std::clamp(options.eta, 0.0, 1.0);
  p0.sampler.interpolation = std::clamp(options.interpolation, 0.0, 1.0);
  p0.steps = std::max(0, options.steps);
  p0.family = state.a.params.kind;
  state.reverse.spacing = diffusion::parse_spacing(options.spacing).value_or(diffusion::Spacing::Trailing);
  if (options.reverse_compare == "sigma") apply_reverse_preset(state.reverse, ReversePreset::SigmaComparison, p0.family);
  if (options.reverse_compare == "steps") apply_reverse_preset(state.reverse, ReversePreset::StepsComparison, p0.family);
  if (options.reverse_compare == "denoiser") {
    apply_reverse_preset(state.reverse, ReversePreset::DenoiserComparison, p0.family);
  }
  const std::string overlays = "," + options.overlay + ",";
  if (overlays.find(",score,") != std::string::npos) state.reverse.field = VectorField::Score;
  if (overlays.find(",eps,") != std::string::npos) state.reverse.field = VectorField::Eps;
  state.reverse.predicted_x0 = overlays.find(",x0,") != std::string::npos;
  state.reverse.posterior = overlays.find(",posterior,") != std::string::npos;
  // Paths are on by default; a list without "paths" turns them off.
  state.reverse.trajectories = options.overlay.empty() || overlays.find(",paths,") != std::string::npos;
  // Evenly spread indices: x_T is i.i.d., so these are as good as clicked ones (and reproducible).
  for (int k = 0; k < std::clamp(options.track, 0, kMaxTrackedPoints); ++k) {
    track_point(state.reverse, (2 * k + 1) * state.reverse.n_points / (2 * kMaxTrackedPoints));
  }
  if (!state.reverse.tracked.empty()) state.reverse.picked = state.reverse.tracked.front();
  if (options.view == "reverse") {
    state.set_view(AppView::Reverse);
    state.reverse.cursor.follow = true;
    state.reverse.cursor.final_t = options.t;
  }
}

// The Images view's starting state: the sampler flags shared with the reverse view, its own
// count, K, cursor and selection (flags were validated by the CLI).
void apply_images_options(AppState& state, const GuiOptions& options) {
  ImagesState& im = state.images;
  im.model_path = options.image_model;
  ReversePanelSettings& p0 = im.sampling.panels[0];
  p0.sampler.sigma = diffusion::parse_sigma_kind(options.sigma).value_or(diffusion::SigmaKind::Small);
  p0.sampler.eta = std::clamp(options.eta, 0.0, 1.0);
  p0.sampler.interpolation = std::clamp(options.interpolation, 0.0, 1.0);
  p0.family = state.a.params.kind;
  if (options.images_steps >= 0) p0.steps = options.images_steps;
  if (options.image_count > 0) im.image_count = std::clamp(options.image_count, kMinImageCount, kMaxImageCount);
  im.sampling.spacing = diffusion::parse_spacing(options.spacing).value_or(diffusion::Spacing::Trailing);
  if (options.reverse_compare == "sigma") apply_reverse_preset(im.sampling, ReversePreset::SigmaComparison, p0.family);
  if (options.reverse_compare == "steps") apply_reverse_preset(im.sampling, ReversePreset::StepsComparison, p0.family);
  im.selected = std::clamp(options.image_select, 0, im.image_count - 1);
  if (options.view == "images") {
    state.set_view(AppView::Images);
    im.sampling.cursor.follow = true;
    im.sampling.cursor.final_t = options.image_t >= 0 ? options.image_t : options.t;
  }
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
  const bool reverse_start = options.view != "forward";
  state.set_cursor(options.t >= 0 && !reverse_start ? options.t : std::max(1, state.max_T() / 10));
  apply_reverse_options(state, options);
  apply_images_options(state, options);
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
  ReversePanel reverse_panel;
  ReverseView reverse_view;
  TrainingPanel training_panel;
  ImagesPanel images_panel;
  ImagesView images_view;

  ImageReverseJob last_images_job;
  bool submitted_images = false;
  std::uint64_t last_images_generation = 0;
  std::uint64_t images_run_generation = 0;
  std::uint64_t device_revision = 0;   // of the device the submitted jobs were sent to

  ReverseJob last_reverse_job;
  bool submitted_reverse = false;
  std::uint64_t last_reverse_generation = 0;
  std::uint64_t run_generation = 0;  // generation of the job that (re)started the shown run

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

  if (options.train > 0) {
    state.reverse.training_steps = options.train;
    worker.start_training(make_training_job(state.reverse, state.dataset));
  }

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
    // A new device has no runs and no caches: every job is sent again.
    const DeviceStatus device = worker.device_status();
    if (device.revision != device_revision) {
      if (device_revision != 0) {
        submitted_any = false;
        submitted_reverse = false;
        submitted_images = false;
      }
      device_revision = device.revision;
    }
    if (!device.name.empty()) {
      apply_device_defaults(state.images, device.name.rfind("cuda", 0) == 0, options.image_count > 0,
                            options.images_steps >= 0);
    }
    std::shared_ptr<const ImageReverseFrame> images_frame;
    if (state.view == AppView::Images) {
      images_frame = worker.latest_images();
      const ImageReverseFrame* current =
          images_frame && submitted_images && images_frame->generation >= images_run_generation ? images_frame.get()
                                                                                                : nullptr;
      state.set_cursor(settle_image_cursor(state.images.sampling.cursor, current, state.t, state.max_T()));
    }
    // The reverse view's cursor follows its run until the lecturer touches the timeline. Frames
    // of a run that was replaced do not count.
    std::shared_ptr<const ReverseFrame> reverse_frame;
    if (state.view == AppView::Reverse) {
      reverse_frame = worker.latest_reverse();
      const ReverseFrame* current =
          reverse_frame && reverse_frame->generation >= run_generation ? reverse_frame.get() : nullptr;
      state.set_cursor(settle_cursor(state.reverse.cursor, current, state.t, state.max_T()));
    }
    bool timeline_touched = false;
    {
      const int t_before = state.t;
      const bool playing_before = state.playback.playing;
      handle_timeline_keys(state);
      state.set_cursor(plays_down(state.view)
                           ? advance_playback_down(state.playback, state.t, state.max_T(), dt)
                           : advance_playback(state.playback, state.t, state.max_T(), dt));
      timeline_touched = state.t != t_before || state.playback.playing != playing_before;
    }

    const renderer::Palette& palette =
        renderer::palette(state.light_theme ? renderer::ThemeKind::Light : renderer::ThemeKind::Dark);
    const float fb_w = ImGui::GetIO().DisplaySize.x;
    const float fb_h = ImGui::GetIO().DisplaySize.y;
    const AppView view_before = state.view;
    std::shared_ptr<const ForwardFrame> frame;

    if (state.view == AppView::Forward) {
      const WindowLayout layout =
          compute_layout(fb_w, fb_h, ImGui::GetFontSize(), timeline_panel_height(), state.compare);
      layout_hint = layout;

      if (begin_panel("Schedule", layout.schedule, kPanelFlags)) {
        draw_view_switch(state);
        if (state.view == AppView::Forward) schedule_panel.draw(state, palette);
      }
      ImGui::End();
      state.refresh_schedules();  // same frame: everything below sees the new schedule

      // The worker: send the current state when it changed; show the newest frame.
      const ForwardJob job = make_forward_job(state);
      if (!submitted_any || !same_job(job, last_job)) {
        last_generation = worker.submit(job);
        last_job = job;
        submitted_any = true;
      }
      frame = worker.latest();

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
    } else if (state.view == AppView::Images) {
      const ReverseLayout layout = compute_images_layout(fb_w, fb_h, ImGui::GetFontSize(), timeline_panel_height());
      if (begin_panel("Images controls", layout.controls, kPanelFlags)) {
        draw_view_switch(state);
        if (state.view == AppView::Images) images_panel.draw_controls(state, schedule_panel, palette);
      }
      ImGui::End();
      state.refresh_schedules();
      if (begin_panel("Image grids", layout.clouds, kFixedPanelFlags)) images_view.draw(state, images_frame, palette);
      ImGui::End();
      if (begin_panel("Selected sample and compare", layout.side, kPanelFlags)) {
        images_view.draw_selected(state, images_frame, 0.5f * layout.side.h, palette);
        ImGui::Separator();
        ImGui::TextUnformatted("Compare");
        images_panel.draw_compare(state, palette);
        ImGui::Separator();
        const std::string request =
            draw_device_selector(device, ImGui::CalcTextSize("sampler").x + 0.8f * ImGui::GetFontSize());
        if (!request.empty()) worker.set_device(request);
      }
      ImGui::End();
      if (begin_panel("Timeline", layout.timeline, kFixedPanelFlags)) {
        const int t_before = state.t;
        const bool playing_before = state.playback.playing;
        draw_timeline_panel(state);
        timeline_touched = timeline_touched || state.t != t_before || state.playback.playing != playing_before;
      }
      ImGui::End();
      draw_notifications(state, PanelRect{layout.clouds.x, layout.clouds.y, layout.clouds.w, 0}, palette);

      if (timeline_touched) {
        state.images.sampling.cursor.follow = false;
        state.images.sampling.cursor.final_t = -1;
      }
      // As the reverse view: a changed sampler, schedule, count, seed or model restarts the run
      // (followed again); a moved cursor or selection only changes what is shown. The first job
      // waits until the worker knows its device (the defaults depend on it).
      if (state.view == AppView::Images && state.images.device_defaults_applied) {
        ImageReverseJob job = make_image_job(state.images, state.a.good_params(), state.t);
        const bool restart = !submitted_images || restarts_image_run(job, last_images_job);
        if (restart && submitted_images && !state.images.sampling.cursor.follow) {
          state.images.sampling.cursor.follow = true;
          state.playback.playing = false;
          job.t = -1;
        }
        if (restart || !same_image_job(job, last_images_job)) {
          last_images_generation = worker.submit_images(job);
          if (restart) images_run_generation = last_images_generation;
          last_images_job = job;
          submitted_images = true;
        }
      }
    } else {
      const ReverseLayout layout = compute_reverse_layout(fb_w, fb_h, ImGui::GetFontSize(), timeline_panel_height());
      if (begin_panel("Reverse controls", layout.controls, kPanelFlags)) {
        draw_view_switch(state);
        if (state.view == AppView::Reverse) reverse_panel.draw_controls(state, schedule_panel, palette);
      }
      ImGui::End();
      state.refresh_schedules();
      if (begin_panel("Clouds", layout.clouds, kFixedPanelFlags)) reverse_view.draw(state, reverse_frame, palette);
      ImGui::End();
      TrainingActions training;
      if (begin_panel("Compare and training", layout.side, kFixedPanelFlags)) {
        ImGui::TextUnformatted("Compare");
        reverse_panel.draw_compare(state, palette);
        ImGui::Separator();
        training = training_panel.draw(state, worker.latest_training(), palette);
        ImGui::Separator();
        const std::string request =
            draw_device_selector(device, ImGui::CalcTextSize("sampler").x + 0.8f * ImGui::GetFontSize());
        if (!request.empty()) worker.set_device(request);
      }
      ImGui::End();
      if (training.start) worker.start_training(make_training_job(state.reverse, state.dataset));
      if (training.stop) worker.stop_training();
      if (begin_panel("Timeline", layout.timeline, kFixedPanelFlags)) {
        const int t_before = state.t;
        const bool playing_before = state.playback.playing;
        draw_timeline_panel(state);
        timeline_touched = timeline_touched || state.t != t_before || state.playback.playing != playing_before;
      }
      ImGui::End();
      draw_notifications(state, PanelRect{layout.clouds.x, layout.clouds.y, layout.clouds.w, 0}, palette);

      if (timeline_touched) {
        state.reverse.cursor.follow = false;  // scrubbing, stepping or playing: the lecturer's t
        state.reverse.cursor.final_t = -1;
      }
      // The worker: a changed sampler, schedule, dataset or model restarts the run (followed again);
      // a moved cursor or overlay only updates the shown state. Unchanged jobs are not sent.
      if (state.view == AppView::Reverse) {
        ReverseJob job = make_reverse_job(state.reverse, state.a.good_params(), state.dataset,
                                          worker.model_revision(state.dataset), state.t);
        const bool restart = !submitted_reverse || restarts_run(job, last_reverse_job);
        if (restart && submitted_reverse && !state.reverse.cursor.follow) {
          state.reverse.cursor.follow = true;
          state.playback.playing = false;
          job.t = -1;
        }
        if (restart || !same_reverse_job(job, last_reverse_job)) {
          last_reverse_generation = worker.submit_reverse(job);
          if (restart) run_generation = last_reverse_generation;
          last_reverse_job = job;
          submitted_reverse = true;
        }
      }
    }
    if (view_before == AppView::Reverse && state.view != AppView::Reverse) {
      worker.stop_reverse();  // nobody looks at it: free the worker for the forward views
      submitted_reverse = false;
    }
    if (view_before == AppView::Images && state.view != AppView::Images) {
      worker.stop_images();   // frees its kept states and the worker's time
      submitted_images = false;
    }

    const Clock::time_point built = Clock::now();
    window->render(palette.clear_color);

    const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
    bool ready = frame && frame->generation == last_generation;
    double timeout_seconds = kScreenshotTimeoutSeconds;
    if (state.view == AppView::Reverse) {
      // The picture must show the intended t: the run finished and, with --t, the cursor moved there.
      ready = reverse_frame && submitted_reverse && reverse_frame->generation == last_reverse_generation &&
              reverse_frame->generation >= run_generation && run_settled(*reverse_frame) &&
              state.reverse.cursor.final_t < 0;
      timeout_seconds = kReverseScreenshotTimeoutSeconds;
    }
    if (state.view == AppView::Images) {
      // The run finished (or failed with a message) and, with --image-t, the cursor moved there.
      ready = images_frame && submitted_images && images_frame->generation == last_images_generation &&
              images_frame->generation >= images_run_generation && image_run_settled(*images_frame) &&
              state.images.sampling.cursor.final_t < 0;
      timeout_seconds = kImagesScreenshotTimeoutSeconds;
    }
    if (screenshot) {
      if (ready) ++frames_since_ready;
      const bool timed_out = elapsed > timeout_seconds;
      if (frames_since_ready >= std::max(1, options.screenshot_frames) || timed_out) {
        if (timed_out && !ready && !warned_timeout) {
          std::cerr << "diffuscope: warning: the worker's frame did not arrive within "
                    << timeout_seconds << " s; writing the screenshot anyway\n";
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
    // Headless (Xvfb has no vsync): while waiting for the worker, do not spin a core it needs.
    if (screenshot && !ready) std::this_thread::sleep_for(std::chrono::milliseconds(30));
    if (bench && bench_frame > kBenchWarmupFrames) {
      gl_timing.add(std::chrono::duration<double, std::milli>(Clock::now() - built).count());
    }
  }

  points_view.release();
  reverse_view.release();
  images_view.release();
  image_view.release();
  return exit_code;
}

}  // namespace diffuscope::gui
