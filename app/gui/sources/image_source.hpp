#pragma once
// Images for the image forward view: decoded from PNG/JPEG files (stb_image), validated and
// shrunk so that the worker's per-frame cost stays small. Torch-free and GL-free: the UI thread
// may call these (e.g. on a dropped file) and hand the result to the worker as a shared_ptr.
#include <cstddef>
#include <string>
#include <vector>

namespace diffuscope::gui {

// An image as the worker and the renderer exchange it: row-major, channels interleaved
// (pixel (x, y), channel c at pixels[(y * width + x) * channels + c]), values in [0, 1].
// channels is 1 (grey) or 3 (RGB).
struct Image {
  int width = 0;
  int height = 0;
  int channels = 0;
  std::vector<float> pixels;

  bool empty() const { return width <= 0 || height <= 0 || pixels.empty(); }
  float at(int x, int y, int c) const {
    return pixels[(static_cast<std::size_t>(y) * width + x) * channels + c];
  }
};

// Limits for files a lecturer may drop on the window.
inline constexpr int kMaxImageFileSide = 16384;                       // pixels, either side
inline constexpr std::size_t kMaxImageDecodedBytes = 100u * 1024 * 1024;  // 8-bit decoded size
inline constexpr int kDefaultMaxImageSide = 256;                       // after resizing

// Either an image or a message for the lecturer (never both; never a crash).
struct ImageLoadResult {
  Image image;
  std::string error;  // empty on success; otherwise names the file and what is wrong
  bool ok() const { return error.empty(); }
};

// Loads a PNG or JPEG (anything stb_image decodes), keeps colour (grey stays 1 channel, RGB 3;
// an alpha channel is composited over black), then shrinks it with resize_to_fit(max_side).
// Errors: missing/unreadable file, not an image, larger than kMaxImageFileSide or
// kMaxImageDecodedBytes, corrupt (a PNG chunk past the end of the file, or data that would make
// the decoder hold more memory than the image's size in its header justifies: see
// image_source.cpp for the bound per format).
ImageLoadResult load_image_file(const std::string& path, int max_side = kDefaultMaxImageSide);

// What the last load_image_file call on this thread let the decoder (stb_image) allocate, in
// bytes: the budget the file's header justified (0: refused before stb_image saw it), the most it
// held at once, and the largest request refused (0: none). For tests and diagnostics.
struct ImageDecodeMemory {
  std::size_t budget_bytes = 0;
  std::size_t peak_bytes = 0;
  std::size_t refused_bytes = 0;
};
ImageDecodeMemory last_image_decode_memory();

// Shrinks so that the long side is at most max_side, keeping the aspect ratio (each side at least
// 1 px) and the channels, with an area (box) filter: each output pixel is the coverage-weighted
// mean of the input pixels under it, so a constant image stays constant. Images already small
// enough are returned unchanged (never enlarged). Throws std::invalid_argument if max_side < 1
// or the image is malformed (pixels.size() != width * height * channels).
Image resize_to_fit(const Image& image, int max_side = kDefaultMaxImageSide);

}  // namespace diffuscope::gui
