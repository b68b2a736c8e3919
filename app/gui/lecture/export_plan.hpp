#pragma once
// Export planning (pure values, no GL/ImGui): which timesteps an animation captures, file names
// of a PNG sequence, the GIF frame delay, validation of the export dialog's settings, and the
// progress state machine the UI steps through while capturing frames.
#include <string>
#include <vector>

#include "gui/state/limits.hpp"  // the export sizes and frames

namespace diffuscope::gui {

enum class ExportKind { WindowPng, ViewPng, Gif, PngSequence };
enum class ExportDirection { Down /* t = T -> 0, the reverse process */, Up /* t = 0 -> T, forward */ };

struct ExportSettings {
  ExportKind kind = ExportKind::WindowPng;
  std::string path;
  int width = 1280;  // capture size in pixels (window or view)
  int height = 720;
  ExportDirection direction = ExportDirection::Down;
  int frames = 60;         // Gif / PngSequence: frames captured
  double seconds = 4.0;    // Gif: duration of one pass
  float gif_scale = 1.0f;  // Gif: downscale factor in (0, 1] applied to the captured frames
  int view = 0;            // ViewPng: which view to crop out of the window
};

// The timesteps an animation captures: `frames` values (clamped to 2..T+1) evenly spread over
// [0, T] and rounded to nearest, distinct, starting at T and ending at 0 for Down (0 -> T for Up;
// Up is Down reversed). T < 1 gives {0}.
std::vector<int> export_timesteps(int T, int frames, ExportDirection direction);

// The file name of frame `index` (0-based, as ExportProgress::index()) of a `count`-frame
// sequence: files are numbered 1..count, zero-padded to count's digits (at least 4), before the
// extension: ("out.png", 0, 60) -> "out_0001.png"; ("dir/a.b/x", 9, 60) -> "dir/a.b/x_0010".
std::string sequence_frame_path(const std::string& path, int index, int count);

// Per-frame GIF delay for `frames` frames lasting `seconds` in all: rounded to whole centiseconds,
// at least 2 (browsers show 0 and 1 as 10) and at most 65535 (the field is 16 bits).
int gif_delay_centiseconds(double seconds, int frames);

// "" when the settings can be exported, else one message naming the parameter: empty path, path
// is a folder, folder missing or not writable, extension (.png or .gif as the kind needs), size
// outside 64..7680 x 64..4320, frames outside 2..10000, seconds not positive, gif_scale outside
// (0, 1], negative view.
std::string validate_export(const ExportSettings& settings);

// The UI's state machine for an animation export: one timestep per captured frame, cancellable.
// The UI sets t = next_t(), renders, writes the frame, calls frame_written(); it stops when done().
class ExportProgress {
 public:
  explicit ExportProgress(std::vector<int> timesteps);
  bool done() const;       // no frame left to capture: all written, or cancelled
  bool cancelled() const;  // cancel() came before the last frame was written
  int next_t() const;      // the timestep to capture next; -1 when done()
  int index() const;       // frames written so far (= the index of the next frame)
  int count() const;       // frames in the plan
  float fraction() const;  // index() / count(), 1 for an empty plan
  void frame_written();    // ignored when done()
  void cancel();           // ignored once every frame has been written

 private:
  std::vector<int> timesteps_;
  int index_ = 0;
  bool cancelled_ = false;
};

}  // namespace diffuscope::gui
