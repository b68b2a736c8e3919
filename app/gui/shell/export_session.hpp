#pragma once
// An export under way: which t each frame shows, the GIF or PNG files being written, progress and
// Cancel. The frame loop renders each frame offscreen at the chosen size and hands its pixels here.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "gui/lecture/export_plan.hpp"
#include "renderer/image_resample.hpp"

namespace renderer {
class GifWriter;
}

namespace diffuscope::gui {

// What the frame loop captures for an export.
enum class ExportContent {
  Window,   // the window as shown (controls included), without menu bar, dialogs and banners
  Views,    // the presenter layout: the views, the readout, the equations and the timeline
  OneView,  // one panel alone filling the frame (ExportSettings::view picks it)
};

class ExportSession {
 public:
  ExportSession();
  ~ExportSession();
  ExportSession(const ExportSession&) = delete;
  ExportSession& operator=(const ExportSession&) = delete;

  // Checks the settings and opens the output (a GIF's temp file). A single PNG shows current_t;
  // GIFs and sequences scrub over 0..T. Returns "" when started, else why not.
  std::string start(const ExportSettings& settings, ExportContent content, int T, int current_t);
  bool active() const { return active_; }
  const ExportSettings& settings() const { return settings_; }
  ExportContent content() const { return content_; }

  // The t the next frame must show.
  int next_t() const;
  // One frame's pixels (top-down RGBA8, settings().width x height). Writes it (a PNG atomically, or
  // a GIF frame); after the last frame finishes the file. Returns "" or a message (export stopped).
  std::string add_frame(const std::vector<std::uint8_t>& rgba, int width, int height);
  void cancel();                 // stops; a GIF's temp file is removed, an existing target untouched

  float fraction() const;        // 0..1
  std::string progress_text() const;   // "frame 12 of 60"
  // After the export ended: "wrote out.gif (60 frames, 1600x900) in 3.2 s", "cancelled", or "".
  std::string take_result();

 private:
  std::string finish();

  bool active_ = false;
  ExportSettings settings_;
  ExportContent content_ = ExportContent::Window;
  std::unique_ptr<ExportProgress> progress_;
  std::unique_ptr<renderer::GifWriter> gif_;
  renderer::ImageSize gif_size_;   // the GIF's frames: the export size scaled by gif_scale
  std::vector<std::string> written_;
  std::string result_;
  double started_seconds_ = 0.0;
};

}  // namespace diffuscope::gui
