#include "gui/shell/gui_app.hpp"

#define GLFW_INCLUDE_NONE
#include <GLFW/glfw3.h>

#include <imgui.h>
#include <imgui_internal.h>   // ErrorCheckEndFrameRecover: a frame that threw is closed cleanly

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <stdexcept>
#include <string>

#include "gui/lecture/command_line_scene.hpp"
#include "gui/views/common/equation_panel.hpp"
#include "gui/views/common/help_overlay.hpp"
#include "gui/state/images_state.hpp"
#include "gui/lecture/key_bindings.hpp"
#include "gui/views/common/presenter_readout.hpp"
#include "gui/state/layout.hpp"
#include "gui/state/reverse_state.hpp"
#include "gui/state/shown_moment.hpp"
#include "gui/lecture/scene.hpp"
#include "gui/lecture/scene_library.hpp"
#include "gui/views/common/timeline_panel.hpp"
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

renderer::ThemeKind theme_of(const AppState& state) {
  return state.light_theme ? renderer::ThemeKind::Light : renderer::ThemeKind::Dark;
}

}  // namespace

GuiApp::GuiApp(const GuiOptions& options) : options_(options), export_(options) {
  if (!options.screenshot_path.empty()) screenshot_.emplace(options.screenshot_path, options.screenshot_frames);
  if (SessionDriver::has_session(options)) session_.emplace(options);
  const char* fault = std::getenv(kInjectUiFaultVariable);
  inject_ui_fault_ = fault && std::string(fault) == "1";
  const char* frame_log = std::getenv("DIFFUSCOPE_FRAME_LOG");
  frame_log_ = frame_log && std::string(frame_log) == "1";
}

GuiApp::~GuiApp() = default;

int GuiApp::run() {
  if (!start()) return exit_code_;
  int failed_frames_in_a_row = 0;
  // The worker wakes a loop sleeping in frame_due() when it publishes (glfwPostEmptyEvent is
  // thread-safe); the count tells the next frame that the news came.
  worker_->set_on_publish([this] {
    worker_news_.fetch_add(1, std::memory_order_relaxed);
    glfwPostEmptyEvent();
  });
  while (!window_->should_close()) {
    if (!frame_due()) continue;
    ++frame_number_;
    try {
      run_frame();
      if (!tick_.capturing) failed_frames_in_a_row = 0;
    } catch (const std::exception& e) {
      recover_imgui_frame();
      if (++failed_frames_in_a_row > kMaxFailedFramesInARow) throw;
      // Shown in the window and, headless, echoed to stderr like every notification.
      state_.notify(WarningLevel::Warning, std::string("a frame failed and was skipped: ") + e.what(), 30.0);
    }
    // After the frame: news from the worker or input seen by it starts the settling frames again.
    ++frames_since_event_;
    const std::uint64_t news = worker_news_.load(std::memory_order_relaxed);
    if (news != worker_news_seen_ || tick_.input_seen) frames_since_event_ = 0;
    worker_news_seen_ = news;
  }
  worker_->set_on_publish({});
  if (session_) {
    const int session_code = session_->finish();
    if (exit_code_ == 0) exit_code_ = session_code;
  }
  forward_.release();
  reverse_.release();
  images_.release();
  return exit_code_;
}

// The starting state: the flags (as a scene), then the --scene file, which replaces them, then
// --presenter and --image, which win over it. Then the window and the worker.
bool GuiApp::start() {
  for (const std::string& warning : apply_command_line(state_, options_).warnings) {
    state_.notify(WarningLevel::Warning, "command line: " + warning, 30.0);
  }
  if (!renderer::parse_theme(options_.theme)) {
    state_.notify(WarningLevel::Warning, "unknown theme \"" + options_.theme + "\": using dark");
  }
  deck_.set_folder(shipped_scenes_dir());
  if (!options_.scene.empty()) {
    if (!load_scene(state_, fashion_set_, options_.scene, true)) {
      exit_code_ = 1;
      return false;
    }
    deck_.loaded(options_.scene);
    menu_.set_scene_path(options_.scene);
  }
  if (options_.presenter) state_.presenter = true;

  WindowConfig config;
  config.width = options_.width;
  config.height = options_.height;
  config.vsync = !options_.bench;
  config.ignore_mouse = screenshot_.has_value();
  config.ui_scale = state_.ui_scale;
  config.theme = theme_of(state_);
  try {
    window_ = std::make_unique<Window>(config);
  } catch (const WindowError& e) {
    std::cerr << "diffuscope: " << e.what() << "\n";
    exit_code_ = 1;
    return false;
  }
  // The image: --image if given and readable, else the scene's, else Fashion-MNIST (problems are
  // reported in the window).
  if (!options_.image_path.empty()) {
    if (!load_user_image(state_, options_.image_path) && !state_.image) load_fashion(state_, fashion_set_, 0);
  } else if (!state_.image) {
    load_fashion(state_, fashion_set_, 0);
  }

  worker_ = std::make_unique<Worker>(options_.device, options_.threads);
  start_time_ = previous_frame_ = Clock::now();
  if (options_.train > 0) {
    state_.reverse.training_steps = options_.train;
    worker_->start_training(with_drawing(make_training_job(state_.reverse, state_.dataset), state_));
  }
  if (session_) session_->start(state_);
  // Headless runs: notifications already echoed to stderr (the start-up scene's were printed).
  echoed_notifications_ = state_.notifications_posted;
  return true;
}

// One frame: inputs, what was asked last frame, keys, the worker's news, the view, the strips and
// overlays, then rendering (or an export's capture) and the headless drivers.
void GuiApp::run_frame() {
  begin_frame();
  take_inputs();
  carry_out_lecture_actions();
  export_.start_from_command_line(state_, *window_);
  handle_keys();
  run_session_step();
  settle_worker();
  advance_timeline();
  draw_view();
  draw_overlays();
  reverse_.after_frame(tick_.view_before, state_.view, *worker_);
  images_.after_frame(tick_.view_before, state_.view, *worker_);
  const bool ready = view_ready();
  render_and_capture(ready);
  echo_notifications();
  if (tick_.capturing) return;  // nothing was shown: no screenshot, no swap
  finish_shown_frame(ready);
}

void GuiApp::begin_frame() {
  tick_ = FrameTick{};
  tick_.capturing = export_.capturing();
  // The scale is capped by the size the frame is laid out at (an export's, else the window's as of
  // the last frame: fonts are rebuilt between frames): effective_ui_scale.
  const ImVec2 shown = tick_.capturing ? ImVec2(static_cast<float>(export_.session().settings().width),
                                                static_cast<float>(export_.session().settings().height))
                                       : ImGui::GetIO().DisplaySize;
  window_->set_ui_scale(effective_ui_scale(state_.ui_scale, shown.x, shown.y));
  window_->set_theme(theme_of(state_));
  if (tick_.capturing) {
    window_->begin_frame(export_.session().settings().width, export_.session().settings().height);
  } else {
    window_->begin_frame();
  }
  note_input(ImGui::GetIO());
  tick_.view_before = state_.view;
  tick_.now = Clock::now();
  tick_.frame_ms = std::chrono::duration<double, std::milli>(tick_.now - previous_frame_).count();
  previous_frame_ = tick_.now;
  tick_.dt = std::max(0.0, static_cast<double>(ImGui::GetIO().DeltaTime));
  forward_.new_frame();
}

// Input this frame took from GLFW's queue (polled in begin_frame, after the loop's wait): the
// frames after it must run too (hover, layout, what this frame asks of the next).
void GuiApp::note_input(const ImGuiIO& io) {
  bool seen = io.MouseDelta.x != 0.0f || io.MouseDelta.y != 0.0f || io.MouseWheel != 0.0f || io.MouseWheelH != 0.0f ||
              !io.InputQueueCharacters.empty() || io.KeyCtrl || io.KeyShift || io.KeyAlt || io.KeySuper;
  for (bool down : io.MouseDown) seen = seen || down;
  for (bool down : io.KeysDown) seen = seen || down;
  const bool mouse_valid = ImGui::IsMousePosValid(&io.MousePos);
  seen = seen || mouse_valid != last_mouse_valid_ || io.DisplaySize.x != last_display_size_.x ||
         io.DisplaySize.y != last_display_size_.y;
  last_mouse_valid_ = mouse_valid;
  last_display_size_ = io.DisplaySize;
  tick_.input_seen = seen;
}

RedrawInputs GuiApp::redraw_inputs() const {
  RedrawInputs in;
  in.headless = screenshot_.has_value() || session_.has_value() || export_.active();
  in.playing = state_.playback.playing;
  in.worker_busy = worker_->busy();
  if (state_.view == AppView::Reverse) {
    const auto frame = worker_->latest_reverse();
    in.run_streaming = frame && frame->running;
  } else if (state_.view == AppView::Images) {
    const auto frame = worker_->latest_images();
    in.run_streaming = frame && frame->running;
  }
  if (const auto training = worker_->latest_training(); training && training->running) in.run_streaming = true;
  const LectureActions& next = pending_lecture_;
  in.work_pending = !next.load_scene.empty() || !next.save_scene.empty() || next.start_export || next.cancel_export ||
                    next.toggle_fullscreen || next.quit;
  in.frames_since_event = frames_since_event_;
  for (const Notification& n : state_.notifications) {
    if (in.next_notification_seconds < 0.0 || n.seconds_left < in.next_notification_seconds) {
      in.next_notification_seconds = n.seconds_left;
    }
  }
  return in;
}

bool GuiApp::frame_due() {
  const RedrawDecision decision = decide_redraw(redraw_inputs());
  if (decision.render_now) return true;
  // Woken by an event (input, resize, the worker's news): the settling frames run. A deadline
  // (a banner's end, the safety net): one frame.
  frames_since_event_ = window_->wait_events(decision.wait_seconds) ? 0 : kSettleFrames - 1;
  return false;
}

void GuiApp::drop_path(const std::string& path) {
  if (is_scene_file(path)) {
    pending_lecture_.load_scene = path;
  } else if (is_point_csv_file(path)) {
    load_drawing_csv(state_, path);  // a bad file is named in a notification; the data stay
  } else {
    load_user_image(state_, path);
  }
}

void GuiApp::take_inputs() {
  if (std::string w = window_->take_font_warning(); !w.empty()) state_.notify(WarningLevel::Warning, w, 30.0);
  for (const std::string& path : window_->take_dropped_paths()) drop_path(path);
  if (const int step = forward_.take_fashion_step(); step != 0) {
    load_fashion(state_, fashion_set_, std::max(0, state_.fashion_index + step));
  }
  for (std::string& e : worker_->take_errors()) state_.notify(WarningLevel::Warning, std::move(e));
  state_.age_notifications(screenshot_ ? 0.0 : tick_.dt);
}

void GuiApp::carry_out_lecture_actions() {
  LectureActions actions = std::move(pending_lecture_);
  pending_lecture_ = {};
  if (actions.quit) window_->request_close();
  if (actions.toggle_fullscreen) window_->toggle_fullscreen();
  if (!actions.load_scene.empty() && load_scene(state_, fashion_set_, actions.load_scene, false)) {
    deck_.loaded(actions.load_scene);
    menu_.set_scene_path(actions.load_scene);
  }
  if (!actions.save_scene.empty()) {
    const std::string error = save_scene_file(actions.save_scene, state_);
    if (error.empty()) {
      state_.notify(WarningLevel::Info, "saved the scene to " + actions.save_scene, 6.0);
      deck_.loaded(actions.save_scene);
      menu_.set_scene_path(actions.save_scene);
    } else {
      state_.notify(WarningLevel::Warning, error, 30.0);
    }
  }
  if (actions.export_drawing) export_drawing_csv(state_);
  if (actions.cancel_export) export_.cancel();
  if (actions.start_export) export_.start(actions.export_settings, actions.export_content, state_);
}

// Keys: every press since the last frame, each handled once, in order (a clicker's tap falls
// between two frames; polling ImGui would miss it). None while an export runs (Esc cancels it) or
// while the screenshot is taken: those presses are dropped, not kept for later.
void GuiApp::handle_keys() {
  const std::vector<KeyEvent> events = window_->take_key_presses();
  if (export_.active()) {
    for (const KeyEvent& e : events) {
      if (e.key == keys::kEscape && !e.repeat) pending_lecture_.cancel_export = true;
    }
    return;
  }
  if (screenshot_) return;
  const int t_before = state_.t;
  const bool playing_before = state_.playback.playing;
  for (const KeyPress& press : presses_from_events(events, ImGui::GetIO().WantTextInput)) {
    if (apply_timeline_press(state_, press)) continue;  // Space, ←/→, Home/End
    switch (press.action) {
      case KeyAction::ToggleHelp: state_.show_help = !state_.show_help; break;
      case KeyAction::ToggleFullscreen: pending_lecture_.toggle_fullscreen = true; break;
      case KeyAction::TogglePresenter: state_.presenter = !state_.presenter; break;
      case KeyAction::ToggleEquations: state_.show_equations = !state_.show_equations; break;
      case KeyAction::NextScene:
        if (auto path = deck_.next()) pending_lecture_.load_scene = *path;
        break;
      case KeyAction::PreviousScene:
        if (auto path = deck_.previous()) pending_lecture_.load_scene = *path;
        break;
      case KeyAction::GoToScene:
        if (auto path = deck_.number(press.scene)) {
          pending_lecture_.load_scene = *path;
        } else {
          state_.notify(WarningLevel::Warning, "no scene " + std::to_string(press.scene) + " in " + deck_.folder(), 5.0);
        }
        break;
      case KeyAction::SaveScene: menu_.show_save(); break;
      case KeyAction::OpenScene: menu_.show_open(); break;
      case KeyAction::Export: menu_.show_export(); break;
      case KeyAction::CloseOverlay:
        // Esc backs out one level: help, a dialog, presenter mode, full screen.
        if (state_.show_help) {
          state_.show_help = false;
        } else if (menu_.any_open()) {
          menu_.close_all();
        } else if (state_.presenter) {
          state_.presenter = false;
        } else if (window_->fullscreen()) {
          pending_lecture_.toggle_fullscreen = true;
        }
        break;
      default: break;  // the timeline's keys: carried out above
    }
  }
  tick_.timeline_touched = state_.t != t_before || state_.playback.playing != playing_before;
}

void GuiApp::run_session_step() {
  if (!session_) return;
  const double seconds = std::chrono::duration<double>(tick_.now - start_time_).count();
  const SessionStep step = session_->before_frame(state_, *worker_, *window_, seconds);
  for (const std::string& path : step.drop_paths) drop_path(path);
  if (!step.load_scene.empty()) pending_lecture_.load_scene = step.load_scene;
  session_->rest_mouse(*window_, forward_.last_layout());
}

void GuiApp::settle_worker() {
  // A new device has no runs and no caches: every job is sent again.
  device_ = worker_->device_status();
  if (device_watch_.moved(device_.revision)) {
    forward_.lane().reset();
    reverse_.lane().reset();
    images_.lane().reset();
  }
  if (!device_.name.empty()) {
    apply_device_defaults(state_.images, device_.name.rfind("cuda", 0) == 0, options_.image_count > 0,
                          options_.images_steps >= 0);
  }
  // Headless captures show a run's end as soon as it has settled; a lecture plays it from x_T.
  const bool jump_to_end = screenshot_.has_value() || session_.has_value() || export_.active() ||
                           export_.from_command_line();
  state_.reverse.cursor.jump_to_end = jump_to_end;
  state_.images.sampling.cursor.jump_to_end = jump_to_end;
  images_.settle(state_, *worker_);
  reverse_.settle(state_, *worker_);
  export_.drive_cursor(state_);
  // The forward picture this frame shows, picked up before the timeline advances, as the run
  // views' are above (shown_moment.hpp).
  forward_.settle(state_, *worker_);
}

// Playback never runs ahead of the pictures: the cursor moves on only once the picture on screen
// answers it, and time spent waiting is spent on a longer step (shown_moment.hpp).
void GuiApp::advance_timeline() {
  const ShownMoment moment = shown_moment(state_);
  // A run view's cursor that follows its run plays it from x_T (the run's playback, not a touch);
  // a key pressed this frame has already made it the lecturer's.
  if (ReverseCursor* cursor = state_.run_cursor(); cursor && cursor->follow) {
    if (!tick_.timeline_touched && !hold_playback_for_picture(state_.playback, moment, tick_.dt)) {
      state_.set_cursor(advance_replay(state_.playback, *cursor, state_.t, state_.max_T(), tick_.dt));
    }
    return;
  }
  const int t_before = state_.t;
  const bool playing_before = state_.playback.playing;
  state_.set_cursor(
      advance_shown_playback(state_.playback, moment, state_.max_T(), tick_.dt, plays_down(state_.view)));
  // Keys (handle_keys, earlier this frame) or playback moved the cursor.
  tick_.timeline_touched = tick_.timeline_touched || state_.t != t_before ||
                           state_.playback.playing != playing_before;
}

// The frame around the views (menu bar, readout, equations, timeline), the view's screen and the
// strips under it.
// Presenter mode and "views" exports hide the controls; a one-view export draws one panel over
// the whole frame.
void GuiApp::draw_view() {
  const bool capturing = tick_.capturing;
  const ExportContent content = capturing ? export_.session().content() : ExportContent::Window;
  const bool presenter_layout = capturing ? content == ExportContent::Views : state_.presenter;
  const bool solo = capturing && content == ExportContent::OneView;
  float menu_height = 0.0f;
  if (!capturing && !state_.presenter) {
    menu_height = menu_.draw_menu_bar(state_, deck_, window_->fullscreen(), pending_lecture_);
  }
  const FrameLayout frame_layout = compute_frame_layout(
      ImGui::GetIO().DisplaySize.x, ImGui::GetIO().DisplaySize.y, menu_height,
      presenter_layout && !solo ? presenter_readout_height() : 0.0f,
      state_.show_equations && !solo ? equation_panel_height(state_) : 0.0f, solo ? 0.0f : timeline_panel_height());
  tick_.palette = &renderer::palette(theme_of(state_));  // this frame's, whatever its panels switch to
  ScreenFrame f{state_, *worker_, schedule_controls_, *tick_.palette, device_, frame_layout};
  f.presenter_layout = presenter_layout;
  f.capturing = capturing;
  f.solo = solo;
  f.solo_view = solo ? export_.session().settings().view : -1;
  f.timeline_touched = tick_.timeline_touched;
  if (state_.view == AppView::Forward) {
    forward_.draw(f, inject_ui_fault_ && frame_number_ == kInjectedUiFaultFrame);
  } else if (state_.view == AppView::Images) {
    images_.draw(f);
  } else {
    reverse_.draw(f);
  }
  // The strips under the views.
  if (begin_panel("Readout", frame_layout.readout, kFixedPanelFlags)) {
    draw_presenter_readout(state_, window_->fonts(), f.palette);
  }
  ImGui::End();
  if (begin_panel("Equations", frame_layout.equations, kPanelFlags)) draw_equation_panel(state_, f.palette);
  ImGui::End();
}

// What floats over the views (never in an exported picture).
void GuiApp::draw_overlays() {
  if (tick_.capturing) return;
  draw_help_overlay(state_, *tick_.palette, &window_->fonts());
  menu_.draw_dialogs(state_, deck_, export_.session(), window_->framebuffer_width(), window_->framebuffer_height(),
                     pending_lecture_);
}

bool GuiApp::view_ready() const {
  if (state_.view == AppView::Reverse) return reverse_.ready(state_);
  if (state_.view == AppView::Images) return images_.ready(state_);
  return forward_.ready();
}

void GuiApp::render_and_capture(bool ready) {
  const renderer::Palette& palette = *tick_.palette;
  if (tick_.capturing) {
    export_.capture(state_, *window_, palette);
  } else {
    window_->render(palette.clear_color);
    export_.after_shown_frame(ready, state_);
  }
  export_.report_result(state_, *window_);
  if (export_.failed()) exit_code_ = 1;
}

// Headless runs (screenshots, exports, bench, soak) have nobody looking at the window: what it
// says in its banner goes to stderr too.
void GuiApp::echo_notifications() {
  if (!screenshot_ && !export_.from_command_line() && !session_) return;
  for (const Notification& n : state_.notifications) {
    if (n.serial <= echoed_notifications_) continue;
    std::cerr << "diffuscope: " << (n.level == WarningLevel::Warning ? "warning: " : "") << n.text << "\n";
  }
  echoed_notifications_ = state_.notifications_posted;
}

void GuiApp::finish_shown_frame(bool ready) {
  if (screenshot_) {
    const double elapsed = std::chrono::duration<double>(Clock::now() - start_time_).count();
    const double timeout = state_.view == AppView::Reverse  ? ReverseScreen::kScreenshotTimeoutSeconds
                           : state_.view == AppView::Images ? ImagesScreen::kScreenshotTimeoutSeconds
                                                            : ScreenshotDriver::kForwardTimeoutSeconds;
    screenshot_->after_render(ready, elapsed, timeout, *window_);
    if (screenshot_->failed()) exit_code_ = 1;
  }
  window_->swap();
  if (window_->drew_last_frame()) worker_->note_ui_frame();
  if (frame_log_) {
    const double at = std::chrono::duration<double>(tick_.now - start_time_).count();
    std::fprintf(stderr, "diffuscope: frame %ld built at %.3f s, %s\n", frame_number_, at,
                 window_->drew_last_frame() ? "rasterised" : "nothing rasterised");
  }
  if (session_) session_->pace(tick_.now);
  if (screenshot_) screenshot_->pace(ready);
  if (session_) {
    FrameObservation seen;
    seen.submitted_forward_generation = forward_.submitted_this_frame();
    seen.drawn_forward_generation = forward_.drawn_generation();
    seen.curves_revision = state_.view == AppView::Forward ? forward_.curves_revision() : 0;
    session_->after_frame(tick_.frame_ms, seen, *worker_);
  }
}

}  // namespace diffuscope::gui
