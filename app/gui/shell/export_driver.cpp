#include "gui/shell/export_driver.hpp"

#include <iostream>
#include <vector>

#include "gui/views/common/lecture_menu.hpp"
#include "gui/shell/window.hpp"

namespace diffuscope::gui {

ExportDriver::ExportDriver(const GuiOptions& options)
    : options_(options),
      from_command_line_(!options.export_png.empty() || !options.export_gif.empty() ||
                         !options.export_sequence.empty()) {}

void ExportDriver::restart_wait() { progress_time_ = Clock::now(); }

void ExportDriver::start(const ExportSettings& settings, ExportContent content, AppState& state) {
  const std::string error = session_.start(settings, content, state.max_T(), state.t);
  if (!error.empty()) state.notify(WarningLevel::Warning, "export: " + error, 30.0);
  ready_frames_ = capture_phase_ = 0;
  restart_wait();
}

void ExportDriver::start_from_command_line(AppState& state, Window& window) {
  if (!from_command_line_ || started_from_command_line_) return;
  const GuiOptions& o = options_;
  ExportSettings settings;
  ExportContent content = o.export_content == "views" ? ExportContent::Views : ExportContent::Window;
  std::string error;
  if (!o.export_png.empty()) {
    settings.kind = ExportKind::WindowPng;
    settings.path = o.export_png;
    if (!o.export_view.empty()) {
      settings.kind = ExportKind::ViewPng;
      content = ExportContent::OneView;
      settings.view = one_view_index(state.view, o.export_view);
      if (settings.view < 0) {
        error = "--export-view " + o.export_view + " is not a view of the " + view_name(state.view) + " view";
      }
    }
  } else {
    settings.kind = o.export_gif.empty() ? ExportKind::PngSequence : ExportKind::Gif;
    settings.path = o.export_gif.empty() ? o.export_sequence : o.export_gif;
  }
  settings.width = o.export_width > 0 ? o.export_width : window.framebuffer_width();
  settings.height = o.export_height > 0 ? o.export_height : window.framebuffer_height();
  settings.frames = o.export_frames;
  settings.seconds = o.export_seconds;
  settings.direction = o.export_direction == "up" ? ExportDirection::Up : ExportDirection::Down;
  if (error.empty()) error = session_.start(settings, content, state.max_T(), state.t);
  started_from_command_line_ = true;
  restart_wait();
  if (!error.empty()) {
    std::cerr << "diffuscope: " << error << "\n";
    failed_ = true;
    window.request_close();
  }
}

void ExportDriver::drive_cursor(AppState& state) const {
  if (!session_.active()) return;
  state.playback.playing = false;
  state.set_cursor(session_.next_t());
  state.reverse.cursor = ReverseCursor{false, -1};
  state.images.sampling.cursor = ReverseCursor{false, -1};
}

void ExportDriver::capture(AppState& state, Window& window, const renderer::Palette& palette) {
  std::string error;
  const std::vector<std::uint8_t> pixels = window.render_offscreen(palette.clear_color, &error);
  if (++capture_phase_ < 2 && !pixels.empty()) return;
  capture_phase_ = 0;
  ready_frames_ = 0;
  restart_wait();
  if (error.empty()) {
    error = session_.add_frame(pixels, session_.settings().width, session_.settings().height);
  } else {
    session_.cancel();
  }
  if (!error.empty()) state.notify(WarningLevel::Warning, "export: " + error, 30.0);
}

void ExportDriver::after_shown_frame(bool ready, AppState& state) {
  if (!session_.active()) return;
  ready_frames_ = ready && state.t == session_.next_t() ? ready_frames_ + 1 : 0;
  const double waited = std::chrono::duration<double>(Clock::now() - progress_time_).count();
  if (waited <= kFrameTimeoutSeconds) return;
  session_.cancel();
  state.notify(WarningLevel::Warning, "export: the worker's frame for t = " + std::to_string(state.t) +
                                          " did not arrive within " +
                                          std::to_string(static_cast<int>(kFrameTimeoutSeconds)) + " s",
               30.0);
  if (from_command_line_) failed_ = true;
}

void ExportDriver::report_result(AppState& state, Window& window) {
  if (session_.active()) return;
  const std::string result = session_.take_result();
  if (result.empty()) return;
  const bool wrote = result.rfind("wrote", 0) == 0;
  state.notify(wrote ? WarningLevel::Info : WarningLevel::Warning, result, 12.0);
  if (!from_command_line_) return;
  (wrote ? std::cout : std::cerr) << (wrote ? "" : "diffuscope: ") << result << "\n";
  if (!wrote) failed_ = true;
  window.request_close();
}

}  // namespace diffuscope::gui
