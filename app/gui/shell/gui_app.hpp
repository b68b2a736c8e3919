#pragma once
// The lecture window's state and its frame loop. Everything that outlives a frame lives here: the
// UI state, the window, the worker, the three screens (one per view: its panels and its worker
// lane), the lecture menu and scene deck, and the headless drivers (screenshot, export, bench and
// soak), which sit beside the loop and are called at fixed points of each frame. UI thread only.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>

#include "gui/state/app_state.hpp"
#include "gui/state/redraw_policy.hpp"
#include "gui/shell/export_driver.hpp"
#include "gui/views/forward/forward_screen.hpp"
#include "gui/lecture/gui_options.hpp"
#include "gui/views/images/images_screen.hpp"
#include "gui/protocol/job_lane.hpp"
#include "gui/lecture/lecture_inputs.hpp"
#include "gui/views/common/lecture_menu.hpp"
#include "gui/views/reverse/reverse_screen.hpp"
#include "gui/lecture/scene_deck.hpp"
#include "gui/views/forward/schedule_controls.hpp"
#include "gui/shell/screenshot_driver.hpp"
#include "gui/shell/session_driver.hpp"
#include "gui/shell/window.hpp"
#include "gui/protocol/worker.hpp"
#include "renderer/theme.hpp"

namespace diffuscope::gui {

class GuiApp {
 public:
  explicit GuiApp(const GuiOptions& options);
  ~GuiApp();
  GuiApp(const GuiApp&) = delete;
  GuiApp& operator=(const GuiApp&) = delete;

  // Opens the window and runs frames until it is closed. Returns the process exit code.
  int run();

 private:
  using Clock = std::chrono::steady_clock;

  // What one frame measured and decided before its panels.
  struct FrameTick {
    bool capturing = false;           // an export frame, rendered offscreen
    AppView view_before = AppView::Forward;
    Clock::time_point now;
    double frame_ms = 0.0;            // since the previous frame began
    double dt = 0.0;                  // ImGui's, for playback
    bool timeline_touched = false;    // keys or playback moved the cursor
    bool input_seen = false;          // the pointer, a button, the wheel, a key or the size changed
    const renderer::Palette* palette = nullptr;  // the theme's when the panels began
  };

  bool start();                       // state, scene, window, image, worker; false: exit_code_ says why
  void run_frame();
  void begin_frame();
  void take_inputs();                 // fonts, dropped files, Fashion-MNIST steps, worker errors
  void carry_out_lecture_actions();   // what keys, the menu and dialogs asked for last frame
  void handle_keys();
  void run_session_step();            // bench and soak: the script's edits for this frame
  void settle_worker();               // device changes, the runs' cursors, an export's cursor
  void advance_timeline();
  void draw_view();                   // the frame layout, the current view's screen, the strips
  void draw_overlays();               // help and dialogs
  bool view_ready() const;            // the current view shows what a screenshot or export waits for
  void render_and_capture(bool ready);
  void echo_notifications();
  void finish_shown_frame(bool ready);  // screenshot, swap, pacing, the script's observation
  // Render on demand: true when a frame is due now; otherwise sleeps until an event, the worker's
  // news or a deadline (redraw_policy.hpp) and returns false (the loop asks again).
  bool frame_due();
  RedrawInputs redraw_inputs() const;
  void note_input(const ImGuiIO& io);   // sets tick_.input_seen
  void drop_path(const std::string& path);

  const GuiOptions& options_;
  AppState state_;
  FashionMnistSet fashion_set_;
  SceneDeck deck_;
  LectureMenu menu_;
  LectureActions pending_lecture_;    // from keys, the menu and dialogs; carried out next frame
  std::unique_ptr<Window> window_;
  std::unique_ptr<Worker> worker_;
  DeviceStatus device_;               // read at the top of each frame
  DeviceWatch device_watch_;
  ScheduleControls schedule_controls_;
  ForwardScreen forward_;
  ReverseScreen reverse_;
  ImagesScreen images_;
  ExportDriver export_;
  std::optional<ScreenshotDriver> screenshot_;
  std::optional<SessionDriver> session_;
  std::uint64_t echoed_notifications_ = 0;  // headless runs: notifications already on stderr
  Clock::time_point start_time_;
  Clock::time_point previous_frame_;
  FrameTick tick_;
  long frame_number_ = 0;
  // Render on demand: frames run since the last event; the worker's publications (its hook
  // counts them from the worker thread) and the one last seen by a frame.
  int frames_since_event_ = 0;
  std::atomic<std::uint64_t> worker_news_{0};
  std::uint64_t worker_news_seen_ = 0;
  ImVec2 last_display_size_{0.0f, 0.0f};
  bool last_mouse_valid_ = false;
  bool inject_ui_fault_ = false;
  bool frame_log_ = false;   // DIFFUSCOPE_FRAME_LOG=1: a stderr line per frame built (render-on-demand tests)
  int exit_code_ = 0;
};

}  // namespace diffuscope::gui
