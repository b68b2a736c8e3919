#include "gui/shell/screenshot_driver.hpp"

#include <algorithm>
#include <chrono>
#include <iostream>
#include <thread>
#include <utility>

#include "gui/shell/window.hpp"
#include "renderer/screenshot.hpp"

namespace diffuscope::gui {

ScreenshotDriver::ScreenshotDriver(std::string path, int frames_after_ready)
    : path_(std::move(path)), frames_after_ready_(std::max(1, frames_after_ready)) {}

void ScreenshotDriver::after_render(bool ready, double elapsed_seconds, double timeout_seconds, Window& window) {
  if (ready) ++frames_since_ready_;
  const bool timed_out = elapsed_seconds > timeout_seconds;
  if (frames_since_ready_ < frames_after_ready_ && !timed_out) return;
  if (timed_out && !ready && !warned_timeout_) {
    std::cerr << "diffuscope: warning: the worker's frame did not arrive within " << timeout_seconds
              << " s; writing the screenshot anyway\n";
    warned_timeout_ = true;
  }
  const std::string error = window.save_screenshot(path_);
  if (!error.empty()) {
    std::cerr << "diffuscope: " << error << "\n";
    failed_ = true;
  } else {
    std::cout << "wrote " << path_ << " (" << window.framebuffer_width() << "x" << window.framebuffer_height()
              << ")\n";
  }
  window.request_close();
}

void ScreenshotDriver::pace(bool ready) const {
  if (!ready) std::this_thread::sleep_for(std::chrono::milliseconds(30));
}

}  // namespace diffuscope::gui
