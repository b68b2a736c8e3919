#pragma once
// Animated GIF export (giflib). Frames are top-down RGBA8 images, quantised to at most 256 colours
// each (a local colour table per frame) without dithering, so UI text stays crisp. A frame with at
// most 256 distinct colours is stored exactly. Alpha is ignored: GIF frames are written opaque.
//
// The file is written atomically (fileio::AtomicFile): everything goes to a temporary file in the
// same folder, which finish() renames over `path`. Until then an existing `path` is untouched;
// cancel(), a failed write or destroying an unfinished writer removes the temporary file.
#include <cstdint>
#include <memory>
#include <string>

namespace renderer {

class GifWriter {
 public:
  GifWriter();
  ~GifWriter();  // unfinished: removes the temporary file
  GifWriter(const GifWriter&) = delete;
  GifWriter& operator=(const GifWriter&) = delete;
  GifWriter(GifWriter&&) noexcept;
  GifWriter& operator=(GifWriter&&) noexcept;

  // Starts a GIF of width x height pixels (1..65535 each) whose frames each show for
  // delay_centiseconds (clamped to 0..65535); loop = true repeats forever (NETSCAPE2.0 extension),
  // false plays once. Returns "" on success, else a message naming the path and the reason.
  std::string open(const std::string& path, int width, int height, int delay_centiseconds, bool loop);

  // Appends one frame: top-down RGBA8 rows, width x height equal to open()'s. Returns "" or a
  // message; after a write error the writer is failed and every later call returns that error.
  std::string add_frame(const std::uint8_t* rgba, int width, int height);

  // Writes the trailer, closes and renames the temporary file over the target. A GIF needs at
  // least one frame. Returns "" on success, else a message (the temporary file is removed).
  std::string finish();

  // Closes and removes the temporary file; the target path is left as it was.
  void cancel();

  int frame_count() const;
  bool is_open() const;  // open() succeeded and neither finish() nor cancel() has run

 private:
  struct State;
  std::unique_ptr<State> state_;
};

}  // namespace renderer
