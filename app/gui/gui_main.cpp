// The lecture window: builds the UI state, the worker and the panels, and runs the frame loop
// (also headless: --screenshot writes a PNG and exits; --bench prints frame times and exits).
#include "gui/gui_main.hpp"
#define GLFW_INCLUDE_NONE
#include <GLFW/glfw3.h>

#include <imgui.h>
#include <imgui_internal.h>   // ErrorCheckEndFrameRecover: a frame that threw is closed cleanly

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cmath>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "gui/app_state.hpp"
#include "gui/curves_panel.hpp"
#include "gui/equation_panel.hpp"
#include "gui/export_plan.hpp"
#include "gui/export_session.hpp"
#include "gui/help_overlay.hpp"
#include "gui/fashion_mnist.hpp"
#include "gui/image_source.hpp"
#include "gui/image_view.hpp"
#include "gui/images_panel.hpp"
#include "gui/images_state.hpp"
#include "gui/images_view.hpp"
#include "gui/key_bindings.hpp"
#include "gui/layout.hpp"
#include "gui/lecture_menu.hpp"
#include "gui/marginal_panel.hpp"
#include "gui/points_view.hpp"
#include "gui/presenter_readout.hpp"
#include "gui/reverse_panel.hpp"
#include "gui/reverse_state.hpp"
#include "gui/reverse_view.hpp"
#include "gui/scene.hpp"
#include "gui/scene_deck.hpp"
#include "gui/scene_library.hpp"
#include "gui/session_script.hpp"
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

// A frame that throws is skipped and reported, not the end of the lecture; this many failing
// frames in a row mean the state itself is broken, and the app exits with the error.
constexpr int kMaxFailedFramesInARow = 120;
// DIFFUSCOPE_INJECT_UI_FAULT=1 throws once, in the third frame with a panel open (tests).
constexpr const char* kInjectUiFaultVariable = "DIFFUSCOPE_INJECT_UI_FAULT";
constexpr int kInjectedUiFaultFrame = 3;

// Closes what a frame that threw left open (windows, ID/style stacks) and ends the ImGui frame,
// so the next frame starts clean.
void recover_imgui_frame() {
  ImGuiContext* context = ImGui::GetCurrentContext();
  if (!context || !context->WithinFrameScope) return;
  ImGui::ErrorCheckEndFrameRecover(nullptr);
  ImGui::EndFrame();
}

using Clock = std::chrono::steady_clock;

constexpr double kScreenshotTimeoutSeconds = 20.0;
// A reverse run of 1000 steps on a loaded CPU can take a while: the screenshot waits for it (bounded).
constexpr double kReverseScreenshotTimeoutSeconds = 60.0;
// An image run (16 images x 100 U-Net steps take ~3 s on 2 idle CPU threads) on a loaded machine.
constexpr double kImagesScreenshotTimeoutSeconds = 180.0;

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
  state.image_path.clear();
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
  std::error_code error;
  const std::filesystem::path absolute = std::filesystem::absolute(path, error);
  state.image_path = error ? path : absolute.string();
  return true;
}

constexpr ImGuiWindowFlags kPanelFlags =
    ImGuiWindowFlags_NoTitleBar | ImGuiWindowFlags_NoResize | ImGuiWindowFlags_NoMove |
    ImGuiWindowFlags_NoCollapse | ImGuiWindowFlags_NoSavedSettings |
    ImGuiWindowFlags_NoBringToFrontOnFocus;
constexpr ImGuiWindowFlags kFixedPanelFlags =
    kPanelFlags | ImGuiWindowFlags_NoScrollbar | ImGuiWindowFlags_NoScrollWithMouse;

// Every begin_panel is followed by ImGui::End(). A panel with no room (hidden in presenter mode or
// by a one-view export) is begun off screen, drawn nothing into, and reported as not shown.
bool begin_panel(const char* name, const PanelRect& r, ImGuiWindowFlags flags) {
  if (r.w < 1.0f || r.h < 1.0f) {
    ImGui::SetNextWindowPos(ImVec2(-100000.0f, -100000.0f));
    ImGui::SetNextWindowSize(ImVec2(1.0f, 1.0f));
    ImGui::Begin(name, nullptr, flags | ImGuiWindowFlags_NoInputs | ImGuiWindowFlags_NoBackground);
    return false;
  }
  ImGui::SetNextWindowPos(ImVec2(r.x, r.y));
  ImGui::SetNextWindowSize(ImVec2(r.w, r.h));
  return ImGui::Begin(name, nullptr, flags);
}

// Loads a scene into the state: its image (Fashion-MNIST or a file), its messages in the banner
// (and on stderr when asked, for the command line). Returns false when nothing could be applied.
bool load_scene(AppState& state, FashionMnistSet& fashion_set, const std::string& path, bool to_stderr) {
  const SceneLoad loaded = load_scene_file(path, state);
  if (!loaded.ok) {
    state.notify(WarningLevel::Warning, loaded.error, 30.0);
    if (to_stderr) std::cerr << "diffuscope: " << loaded.error << "\n";
    return false;
  }
  if (loaded.image) {
    if (loaded.image->fashion) {
      load_fashion(state, fashion_set, loaded.image->fashion_index);
    } else if (!load_user_image(state, loaded.image->path)) {
      state.notify(WarningLevel::Warning, "the scene's image " + loaded.image->path +
                                              " could not be shown; showing Fashion-MNIST instead", 30.0);
      load_fashion(state, fashion_set, 0);
    }
  }
  for (const std::string& warning : loaded.warnings) {
    const std::string text = file_name(path) + ": " + warning;
    state.notify(WarningLevel::Warning, text, 30.0);
    if (to_stderr) std::cerr << "diffuscope: warning: " << text << "\n";
  }
  return true;
}

bool is_scene_file(const std::string& path) {
  std::string extension = std::filesystem::path(path).extension().string();
  for (char& c : extension) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return extension == ".json";
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
  if (options.reverse_compare == "target") apply_reverse_preset(state.reverse, ReversePreset::TargetComparison, p0.family);
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
  if (options.compare) {
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

  // A scene sets the whole lecture state (the flags above only give the defaults it replaces).
  FashionMnistSet fashion_set;
  SceneDeck deck;
  LectureMenu menu;
  deck.set_folder(shipped_scenes_dir());
  if (!options.scene.empty()) {
    if (!load_scene(state, fashion_set, options.scene, true)) return 1;
    deck.loaded(options.scene);
    menu.set_scene_path(options.scene);
  }
  if (options.presenter) state.presenter = true;

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

  // The image: --image if given and readable, else the scene's, else Fashion-MNIST (problems are
  // reported in the window).
  if (!options.image_path.empty()) {
    if (!load_user_image(state, options.image_path) && !state.image) load_fashion(state, fashion_set, 0);
  } else if (!state.image) {
    load_fashion(state, fashion_set, 0);
  }

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
  // A forward job that failed (out of memory, an injected fault) is sent once more when the worker
  // has gone idle without its frame; a second failure stays reported until something changes.
  bool forward_retried = false;
  std::uint64_t last_generation = 0;
  const Clock::time_point start = Clock::now();
  Clock::time_point previous_frame = start;
  int frames_since_ready = 0;
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
  // --bench and --soak: a scripted session drives the state; the loop carries out its steps.
  std::optional<SessionScript> script;
  if (bench) script = SessionScript::bench();
  if (options.soak_seconds > 0) {
    SoakPlan plan;
    plan.seconds = options.soak_seconds;
    plan.seed = options.soak_seed;
    script = SessionScript::soak(plan);
  }

  // Exports: frames are rendered offscreen at the export's size once the worker has delivered the
  // frame for the export's t (two offscreen frames per t: the first lets views size their textures).
  ExportSession export_session;
  LectureActions pending_lecture;    // from keys, the menu and dialogs; carried out next frame
  int export_ready_frames = 0;       // window frames in a row that showed the export's t, ready
  int capture_phase = 0;             // offscreen frames rendered for the export's current t
  Clock::time_point export_progress_time = start;
  const bool cli_export =
      !options.export_png.empty() || !options.export_gif.empty() || !options.export_sequence.empty();
  bool cli_export_started = false;
  // Headless runs: notifications already echoed to stderr (the start-up scene's were printed).
  std::uint64_t echoed_notifications = state.notifications_posted;
  constexpr double kExportFrameTimeoutSeconds = 180.0;

  int failed_frames_in_a_row = 0;
  long frame_number = 0;
  const bool inject_ui_fault = [] {
    const char* value = std::getenv(kInjectUiFaultVariable);
    return value && std::string(value) == "1";
  }();
  while (!window->should_close()) {
    ++frame_number;
    try {
      window->set_ui_scale(state.ui_scale);
      window->set_theme(state.light_theme ? renderer::ThemeKind::Light : renderer::ThemeKind::Dark);
      const bool capturing = export_session.active() && export_ready_frames >= 2;
      if (capturing) {
        window->begin_frame(export_session.settings().width, export_session.settings().height);
      } else {
        window->begin_frame();
      }
      const AppView view_before = state.view;
      const Clock::time_point now = Clock::now();
      const double frame_ms = std::chrono::duration<double, std::milli>(now - previous_frame).count();
      previous_frame = now;
      const double dt = std::max(0.0, static_cast<double>(ImGui::GetIO().DeltaTime));

      // Inputs from outside ImGui: font problems, dropped files, browsing Fashion-MNIST.
      if (std::string w = window->take_font_warning(); !w.empty()) state.notify(WarningLevel::Warning, w, 30.0);
      for (const std::string& path : window->take_dropped_paths()) {
        if (is_scene_file(path)) {
          pending_lecture.load_scene = path;
        } else {
          load_user_image(state, path);
        }
      }
      if (pending_actions.fashion_step != 0) {
        load_fashion(state, fashion_set, std::max(0, state.fashion_index + pending_actions.fashion_step));
        pending_actions = {};
      }
      for (std::string& e : worker.take_errors()) state.notify(WarningLevel::Warning, std::move(e));
      state.age_notifications(screenshot ? 0.0 : dt);

      // What keys, the menu and dialogs asked for last frame.
      {
        LectureActions actions = std::move(pending_lecture);
        pending_lecture = {};
        if (actions.quit) window->request_close();
        if (actions.toggle_fullscreen) window->toggle_fullscreen();
        if (!actions.load_scene.empty() && load_scene(state, fashion_set, actions.load_scene, false)) {
          deck.loaded(actions.load_scene);
          menu.set_scene_path(actions.load_scene);
        }
        if (!actions.save_scene.empty()) {
          const std::string error = save_scene_file(actions.save_scene, state);
          if (error.empty()) {
            state.notify(WarningLevel::Info, "saved the scene to " + actions.save_scene, 6.0);
            deck.loaded(actions.save_scene);
            menu.set_scene_path(actions.save_scene);
          } else {
            state.notify(WarningLevel::Warning, error, 30.0);
          }
        }
        if (actions.cancel_export) export_session.cancel();
        if (actions.start_export) {
          const std::string error =
              export_session.start(actions.export_settings, actions.export_content, state.max_T(), state.t);
          if (!error.empty()) state.notify(WarningLevel::Warning, "export: " + error, 30.0);
          export_ready_frames = capture_phase = 0;
          export_progress_time = Clock::now();
        }
      }
      if (cli_export && !cli_export_started) {
        ExportSettings settings;
        ExportContent content = options.export_content == "views" ? ExportContent::Views : ExportContent::Window;
        std::string error;
        if (!options.export_png.empty()) {
          settings.kind = ExportKind::WindowPng;
          settings.path = options.export_png;
          if (!options.export_view.empty()) {
            settings.kind = ExportKind::ViewPng;
            content = ExportContent::OneView;
            settings.view = one_view_index(state.view, options.export_view);
            if (settings.view < 0) {
              error = "--export-view " + options.export_view + " is not a view of the " + view_name(state.view) +
                      " view";
            }
          }
        } else {
          settings.kind = options.export_gif.empty() ? ExportKind::PngSequence : ExportKind::Gif;
          settings.path = options.export_gif.empty() ? options.export_sequence : options.export_gif;
        }
        settings.width = options.export_width > 0 ? options.export_width : window->framebuffer_width();
        settings.height = options.export_height > 0 ? options.export_height : window->framebuffer_height();
        settings.frames = options.export_frames;
        settings.seconds = options.export_seconds;
        settings.direction = options.export_direction == "up" ? ExportDirection::Up : ExportDirection::Down;
        if (error.empty()) error = export_session.start(settings, content, state.max_T(), state.t);
        cli_export_started = true;
        export_progress_time = Clock::now();
        if (!error.empty()) {
          std::cerr << "diffuscope: " << error << "\n";
          exit_code = 1;
          window->request_close();
        }
      }
      // Keys: none while an export runs (Esc cancels it) or while the screenshot is taken.
      if (export_session.active()) {
        if (!capturing && ImGui::IsKeyPressed(GLFW_KEY_ESCAPE, false)) pending_lecture.cancel_export = true;
      } else if (!screenshot) {
        for (const KeyPress& press : pressed_keys()) {
          switch (press.action) {
            case KeyAction::ToggleHelp: state.show_help = !state.show_help; break;
            case KeyAction::ToggleFullscreen: pending_lecture.toggle_fullscreen = true; break;
            case KeyAction::TogglePresenter: state.presenter = !state.presenter; break;
            case KeyAction::ToggleEquations: state.show_equations = !state.show_equations; break;
            case KeyAction::NextScene:
              if (auto path = deck.next()) pending_lecture.load_scene = *path;
              break;
            case KeyAction::PreviousScene:
              if (auto path = deck.previous()) pending_lecture.load_scene = *path;
              break;
            case KeyAction::GoToScene:
              if (auto path = deck.number(press.scene)) {
                pending_lecture.load_scene = *path;
              } else {
                state.notify(WarningLevel::Warning, "no scene " + std::to_string(press.scene) + " in " + deck.folder(), 5.0);
              }
              break;
            case KeyAction::SaveScene: menu.show_save(); break;
            case KeyAction::OpenScene: menu.show_open(); break;
            case KeyAction::Export: menu.show_export(); break;
            case KeyAction::CloseOverlay:
              // Esc backs out one level: help, a dialog, presenter mode, full screen.
              if (state.show_help) {
                state.show_help = false;
              } else if (menu.any_open()) {
                menu.close_all();
              } else if (state.presenter) {
                state.presenter = false;
              } else if (window->fullscreen()) {
                pending_lecture.toggle_fullscreen = true;
              }
              break;
            default: break;  // the timeline's keys: handled by handle_timeline_keys
          }
        }
      }

      std::uint64_t submitted_this_frame = 0;  // the forward job's generation, when one was sent
      if (script) {
        WorkerSnapshot snapshot;
        snapshot.forward_busy = worker.busy();
        if (auto r = worker.latest_reverse()) snapshot.reverse_running = r->running;
        if (auto tr = worker.latest_training()) snapshot.training_running = tr->running;
        if (auto im = worker.latest_images()) snapshot.images_running = im->running;
        const SessionStep step =
            script->before_frame(state, std::chrono::duration<double>(now - start).count(), snapshot);
        if (step.resize_to) glfwSetWindowSize(window->handle(), step.resize_to->width, step.resize_to->height);
        for (const std::string& path : step.drop_paths) {
          if (is_scene_file(path)) {
            pending_lecture.load_scene = path;
          } else {
            load_user_image(state, path);
          }
        }
        if (!step.load_scene.empty()) pending_lecture.load_scene = step.load_scene;
        if (step.start_training) worker.start_training(make_training_job(state.reverse, state.dataset));
        if (step.stop_training) worker.stop_training();
        if (step.quit) window->request_close();
      }
      if (bench) {
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
        state.images.sampling.shown_t =
            current && !current->panels.empty() && current->panels[0].states_done > 0 ? current->panels[0].shown_t : -1;
      }
      // The reverse view's cursor follows its run until the lecturer touches the timeline. Frames
      // of a run that was replaced do not count.
      std::shared_ptr<const ReverseFrame> reverse_frame;
      if (state.view == AppView::Reverse) {
        reverse_frame = worker.latest_reverse();
        const ReverseFrame* current =
            reverse_frame && reverse_frame->generation >= run_generation ? reverse_frame.get() : nullptr;
        state.set_cursor(settle_cursor(state.reverse.cursor, current, state.t, state.max_T()));
        state.reverse.shown_t =
            current && !current->panels.empty() && current->panels[0].states_done > 0 ? current->panels[0].shown_t : -1;
      }
      if (export_session.active()) {
        // The export drives the cursor; the runs stop following (they are settled when captured).
        state.playback.playing = false;
        state.set_cursor(export_session.next_t());
        state.reverse.cursor = ReverseCursor{false, -1};
        state.images.sampling.cursor = ReverseCursor{false, -1};
      }
      bool timeline_touched = false;
      {
        const int t_before = state.t;
        const bool playing_before = state.playback.playing;
        if (!export_session.active()) handle_timeline_keys(state);
        state.set_cursor(plays_down(state.view)
                             ? advance_playback_down(state.playback, state.t, state.max_T(), dt)
                             : advance_playback(state.playback, state.t, state.max_T(), dt));
        timeline_touched = state.t != t_before || state.playback.playing != playing_before;
      }

      const renderer::Palette& palette =
          renderer::palette(state.light_theme ? renderer::ThemeKind::Light : renderer::ThemeKind::Dark);
      const float fb_w = ImGui::GetIO().DisplaySize.x;
      const float fb_h = ImGui::GetIO().DisplaySize.y;
      std::shared_ptr<const ForwardFrame> frame;

      // The frame around the views: menu bar, readout, equations, timeline. Presenter mode and
      // "views" exports hide the controls; a one-view export draws one panel over the whole frame.
      const ExportContent content = capturing ? export_session.content() : ExportContent::Window;
      const bool presenter_layout = capturing ? content == ExportContent::Views : state.presenter;
      const bool solo = capturing && content == ExportContent::OneView;
      const int solo_view = solo ? export_session.settings().view : -1;
      float menu_height = 0.0f;
      if (!capturing && !state.presenter) {
        menu_height = menu.draw_menu_bar(state, deck, window->fullscreen(), pending_lecture);
      }
      const FrameLayout frame_layout = compute_frame_layout(
          fb_w, fb_h, menu_height, presenter_layout && !solo ? presenter_readout_height() : 0.0f,
          state.show_equations && !solo ? equation_panel_height(state) : 0.0f, solo ? 0.0f : timeline_panel_height());
      const PanelRect whole{0.0f, 0.0f, fb_w, fb_h};
      // Keeps only panel `keep` of `panels` (sized to the whole frame) for a one-view export.
      auto keep_only = [&](std::initializer_list<PanelRect*> panels, int keep) {
        int i = 0;
        for (PanelRect* r : panels) *r = i++ == keep ? whole : PanelRect{};
      };

      if (state.view == AppView::Forward) {
        WindowLayout layout = compute_layout(frame_layout.body.w, frame_layout.body.h, ImGui::GetFontSize(), 0.0f,
                                             state.compare, !presenter_layout);
        shift_down(layout, frame_layout.body.y);
        layout.timeline = frame_layout.timeline;
        if (solo) keep_only({&layout.curves, &layout.points, &layout.marginal, &layout.images, &layout.schedule, &layout.timeline}, solo_view);
        if (!capturing) layout_hint = layout;

        if (begin_panel("Schedule", layout.schedule, kPanelFlags)) {
          draw_view_switch(state);
          if (state.view == AppView::Forward) schedule_panel.draw(state, palette);
        }
        if (inject_ui_fault && frame_number == kInjectedUiFaultFrame)
          throw std::runtime_error("injected fault (DIFFUSCOPE_INJECT_UI_FAULT) in a frame");
        ImGui::End();
        state.refresh_schedules();  // same frame: everything below sees the new schedule

        // The worker: send the current state when it changed; show the newest frame.
        const ForwardJob job = make_forward_job(state);
        if (!submitted_any || !same_job(job, last_job)) {
          last_generation = worker.submit(job);
          submitted_this_frame = last_generation;
          last_job = job;
          submitted_any = true;
          forward_retried = false;
        } else if (!forward_retried && !worker.busy()) {
          const auto published = worker.latest();
          if (!published || published->generation < last_generation) {
            last_generation = worker.submit(job);
            submitted_this_frame = last_generation;
            forward_retried = true;
          }
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
        if (!capturing) {
          draw_notifications(state, PanelRect{layout.curves.x, layout.curves.y, fb_w - layout.curves.x, 0}, palette);
        }
      } else if (state.view == AppView::Images) {
        ReverseLayout layout = compute_images_layout(frame_layout.body.w, frame_layout.body.h, ImGui::GetFontSize(),
                                                     0.0f, !presenter_layout);
        shift_down(layout, frame_layout.body.y);
        layout.timeline = frame_layout.timeline;
        if (solo) keep_only({&layout.clouds, &layout.side, &layout.controls, &layout.timeline}, solo_view);
        if (begin_panel("Images controls", layout.controls, kPanelFlags)) {
          draw_view_switch(state);
          if (state.view == AppView::Images) images_panel.draw_controls(state, schedule_panel, palette);
        }
        ImGui::End();
        state.refresh_schedules();
        if (begin_panel("Image grids", layout.clouds, kFixedPanelFlags)) images_view.draw(state, images_frame, palette);
        ImGui::End();
        const bool side_controls = !presenter_layout && !solo;
        const bool side_shown =
            begin_panel("Selected sample and compare", layout.side, side_controls ? kPanelFlags : kFixedPanelFlags);
        if (side_shown) {
          images_view.draw_selected(state, images_frame, side_controls ? 0.5f * layout.side.h : 0.9f * layout.side.h,
                                    palette);
        }
        if (side_shown && side_controls) {
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
        if (!capturing) draw_notifications(state, PanelRect{layout.clouds.x, layout.clouds.y, layout.clouds.w, 0}, palette);

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
        ReverseLayout layout = compute_reverse_layout(frame_layout.body.w, frame_layout.body.h, ImGui::GetFontSize(),
                                                      0.0f, !presenter_layout);
        shift_down(layout, frame_layout.body.y);
        layout.timeline = frame_layout.timeline;
        if (solo) keep_only({&layout.clouds, &layout.side, &layout.controls, &layout.timeline}, solo_view);
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
        if (!capturing) draw_notifications(state, PanelRect{layout.clouds.x, layout.clouds.y, layout.clouds.w, 0}, palette);

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
      // The strips under the views; then what floats over them (never in an exported picture).
      if (begin_panel("Readout", frame_layout.readout, kFixedPanelFlags)) {
        draw_presenter_readout(state, window->fonts(), palette);
      }
      ImGui::End();
      if (begin_panel("Equations", frame_layout.equations, kPanelFlags)) draw_equation_panel(state, palette);
      ImGui::End();
      if (!capturing) {
        draw_help_overlay(state, palette, &window->fonts());
        menu.draw_dialogs(state, deck, export_session, window->framebuffer_width(), window->framebuffer_height(),
                          pending_lecture);
      }

      if (view_before == AppView::Reverse && state.view != AppView::Reverse) {
        worker.stop_reverse();  // nobody looks at it: free the worker for the forward views
        submitted_reverse = false;
      }
      if (view_before == AppView::Images && state.view != AppView::Images) {
        worker.stop_images();   // frees its kept states and the worker's time
        submitted_images = false;
      }

      const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
      bool ready = frame && frame->generation == last_generation && !frame->a.x0_hat_pending &&
                   !frame->b.x0_hat_pending;
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

      if (capturing) {
        // An export frame: rendered offscreen, not shown; the second one for this t is kept.
        std::string error;
        const std::vector<std::uint8_t> pixels = window->render_offscreen(palette.clear_color, &error);
        if (++capture_phase >= 2 || pixels.empty()) {
          capture_phase = 0;
          export_ready_frames = 0;
          export_progress_time = Clock::now();
          if (error.empty()) {
            error = export_session.add_frame(pixels, export_session.settings().width, export_session.settings().height);
          } else {
            export_session.cancel();
          }
          if (!error.empty()) state.notify(WarningLevel::Warning, "export: " + error, 30.0);
        }
      } else {
        window->render(palette.clear_color);
        if (export_session.active()) {
          export_ready_frames = ready && state.t == export_session.next_t() ? export_ready_frames + 1 : 0;
          const double waited = std::chrono::duration<double>(Clock::now() - export_progress_time).count();
          if (waited > kExportFrameTimeoutSeconds) {
            export_session.cancel();
            state.notify(WarningLevel::Warning, "export: the worker's frame for t = " + std::to_string(state.t) +
                                                    " did not arrive within " +
                                                    std::to_string(static_cast<int>(kExportFrameTimeoutSeconds)) + " s",
                         30.0);
            if (cli_export) exit_code = 1;
          }
        }
      }
      if (!export_session.active()) {
        const std::string result = export_session.take_result();
        if (!result.empty()) {
          const bool wrote = result.rfind("wrote", 0) == 0;
          state.notify(wrote ? WarningLevel::Info : WarningLevel::Warning, result, 12.0);
          if (cli_export) {
            (wrote ? std::cout : std::cerr) << (wrote ? "" : "diffuscope: ") << result << "\n";
            if (!wrote) exit_code = 1;
            window->request_close();
          }
        }
      }
      // Headless runs (screenshots, exports, bench, soak) have nobody looking at the window: what
      // it says in its banner goes to stderr too.
      if (screenshot || cli_export || script) {
        for (const Notification& n : state.notifications) {
          if (n.serial <= echoed_notifications) continue;
          std::cerr << "diffuscope: " << (n.level == WarningLevel::Warning ? "warning: " : "") << n.text << "\n";
        }
        echoed_notifications = state.notifications_posted;
      }
      if (capturing) continue;   // nothing was shown: no screenshot, no swap

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
      window->swap();
      // A soak acts per frame: at most ~60 frames a second, so that an X server without vsync does
      // not make the loop spin a core the worker needs.
      if (options.soak_seconds > 0.0) {
        const double frame_seconds = std::chrono::duration<double>(Clock::now() - now).count();
        if (frame_seconds < 1.0 / 60.0) {
          std::this_thread::sleep_for(std::chrono::duration<double>(1.0 / 60.0 - frame_seconds));
        }
      }
      // Headless (Xvfb has no vsync): while waiting for the worker, do not spin a core it needs.
      if (screenshot && !ready) std::this_thread::sleep_for(std::chrono::milliseconds(30));
      if (script) {
        FrameObservation seen;
        seen.submitted_forward_generation = submitted_this_frame;
        seen.drawn_forward_generation = frame ? frame->generation : 0;
        const std::shared_ptr<const ForwardFrame> latest = worker.latest();
        seen.latest_forward_generation = latest ? latest->generation : 0;
        seen.forward_compute_ms = latest ? latest->compute_ms : 0.0;
        seen.curves_revision = state.view == AppView::Forward ? curves_panel.drawn_revision() : 0;
        if (auto r = worker.latest_reverse()) seen.reverse_point_steps_per_second = r->point_steps_per_second;
        if (auto tr = worker.latest_training()) seen.training_steps_per_second = tr->steps_per_second;
        if (auto im = worker.latest_images()) seen.image_steps_per_second = im->image_steps_per_second;
        script->after_frame(frame_ms, seen);
      }
      failed_frames_in_a_row = 0;
    } catch (const std::exception& e) {
      recover_imgui_frame();
      if (++failed_frames_in_a_row > kMaxFailedFramesInARow) throw;
      // Shown in the window and, headless, echoed to stderr like every notification.
      state.notify(WarningLevel::Warning, std::string("a frame failed and was skipped: ") + e.what(), 30.0);
    }
  }

  if (script) {
    std::cout << script->report_text() << std::flush;
    const std::string& out = bench ? options.bench_out : options.soak_out;
    if (!out.empty()) {
      const std::string error = write_report_file(out, script->report_json());
      if (!error.empty()) {
        std::cerr << "diffuscope: " << error << "\n";
        exit_code = 1;
      } else {
        std::cout << "wrote " << out << "\n";
      }
    }
    if (exit_code == 0) exit_code = script->exit_code();
  }
  points_view.release();
  reverse_view.release();
  images_view.release();
  image_view.release();
  return exit_code;
}

}  // namespace diffuscope::gui
