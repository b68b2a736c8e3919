#pragma once
// --bench and --soak in the frame loop: a SessionScript (session_script.hpp) edits the state before
// each frame and is told what the frame showed after it; this carries out the rest of its steps
// (resizes, training, quitting), rests the bench's mouse on the curves, paces the soak, and prints
// and writes the report at the end. UI thread only.
#include <chrono>
#include <string>

#include "gui/state/app_state.hpp"
#include "gui/lecture/gui_options.hpp"
#include "gui/state/layout.hpp"
#include "gui/harness/session_script.hpp"

namespace diffuscope::gui {

class Window;
class Worker;

class SessionDriver {
 public:
  // The options ask for --bench or --soak (see has_session).
  explicit SessionDriver(const GuiOptions& options);
  static bool has_session(const GuiOptions& options) { return options.bench || options.soak_seconds > 0.0; }

  // The bench plays the reverse timeline in a loop.
  void start(AppState& state) const;
  // Before the panels: the script's edits; resizes, training and quitting are carried out here,
  // the files it drops and the scene it loads are returned for the loop's inputs.
  SessionStep before_frame(AppState& state, Worker& worker, Window& window, double seconds_since_start);
  // The bench rests the mouse on the ᾱ plot, so that its hover readout is drawn every frame too.
  void rest_mouse(Window& window, const WindowLayout& layout) const;
  // A soak acts per frame: at most ~60 frames a second, so that an X server without vsync does
  // not make the loop spin a core the worker needs.
  void pace(std::chrono::steady_clock::time_point frame_start) const;
  // After the frame was shown: `seen` holds what the UI drew; the worker's figures are added here.
  void after_frame(double frame_ms, FrameObservation seen, Worker& worker);
  // After the loop: prints the report, writes it to --bench-out / --soak-out. Returns the exit code
  // (1 when the report could not be written, else the script's: 0 when every bar passed).
  int finish();

 private:
  bool bench_;
  bool soak_;
  std::string out_path_;
  SessionScript script_;
};

}  // namespace diffuscope::gui
