#pragma once
// --screenshot: once the view shows the worker's finished picture (for a few frames, --frames),
// or at the view's timeout with a warning, writes the window as a PNG and closes it. UI thread.
#include <string>

namespace diffuscope::gui {

class Window;

class ScreenshotDriver {
 public:
  // Forward frames arrive within this; the reverse and Images screens allow their runs longer.
  static constexpr double kForwardTimeoutSeconds = 20.0;

  ScreenshotDriver(std::string path, int frames_after_ready);
  // After a frame was rendered into the window (before the swap): ready, whether the view shows
  // what was asked; elapsed and timeout in seconds since the loop started.
  void after_render(bool ready, double elapsed_seconds, double timeout_seconds, Window& window);
  // After the swap: while waiting for the worker, Xvfb (no vsync) must not spin a core it needs.
  void pace(bool ready) const;
  bool failed() const { return failed_; }

 private:
  std::string path_;
  int frames_after_ready_;
  int frames_since_ready_ = 0;
  bool warned_timeout_ = false;
  bool failed_ = false;
};

}  // namespace diffuscope::gui
