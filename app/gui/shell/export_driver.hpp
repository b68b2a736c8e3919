#pragma once
// Drives exports from the frame loop, those started in the Export dialog and the command line's
// (--export-png / --export-gif / --export-sequence, which end the program): once the window has
// shown the export's t with the worker's frame ready, two frames are rendered offscreen at the
// export's size (the first lets views size their textures) and the second is kept. A frame that
// does not arrive in time stops the export with a message. UI thread only.
#include <chrono>
#include <string>

#include "gui/state/app_state.hpp"
#include "gui/shell/export_session.hpp"
#include "gui/lecture/gui_options.hpp"
#include "renderer/theme.hpp"

namespace diffuscope::gui {

class Window;

class ExportDriver {
 public:
  static constexpr double kFrameTimeoutSeconds = 180.0;

  explicit ExportDriver(const GuiOptions& options);
  bool from_command_line() const { return from_command_line_; }
  bool active() const { return session_.active(); }
  const ExportSession& session() const { return session_; }
  // This frame is an export frame, rendered offscreen and not shown.
  bool capturing() const { return session_.active() && ready_frames_ >= 2; }

  // From the Export dialog (a problem is posted in the window).
  void start(const ExportSettings& settings, ExportContent content, AppState& state);
  void cancel() { session_.cancel(); }
  // The command line's export, once, in the first frame (the window's size is known then). A
  // problem is printed and closes the window.
  void start_from_command_line(AppState& state, Window& window);
  // While an export runs it drives the cursor; the runs stop following (they are settled when captured).
  void drive_cursor(AppState& state) const;
  // An export frame: renders offscreen and, on the second frame for this t, hands the pixels over.
  void capture(AppState& state, Window& window, const renderer::Palette& palette);
  // A frame shown in the window: counts those that showed the export's t ready; stops an export
  // whose worker frame did not come in time.
  void after_shown_frame(bool ready, AppState& state);
  // After the export ended: its result in the window (and, from the command line, on stdout or
  // stderr, closing the window).
  void report_result(AppState& state, Window& window);
  // A command-line export failed (the program's exit code is 1).
  bool failed() const { return failed_; }

 private:
  using Clock = std::chrono::steady_clock;
  void restart_wait();

  const GuiOptions& options_;
  const bool from_command_line_;
  bool started_from_command_line_ = false;
  ExportSession session_;
  int ready_frames_ = 0;    // window frames in a row that showed the export's t, ready
  int capture_phase_ = 0;   // offscreen frames rendered for the export's current t
  Clock::time_point progress_time_ = Clock::now();
  bool failed_ = false;
};

}  // namespace diffuscope::gui
