#pragma once
// Screenshots: read back a framebuffer and write a PNG (stb_image_write) atomically.
#include <cstdint>
#include <string>
#include <vector>

namespace renderer {

// Reads the lower-left width x height pixels of the currently bound read framebuffer (the default
// framebuffer's back buffer, normally: call before swapping buffers) as top-down RGBA8 rows.
// Needs the GL context current.
std::vector<std::uint8_t> read_framebuffer_rgba(int width, int height);

// Writes top-down pixels (channels 1..4) as a PNG to `path` via a temporary file in the same
// directory that is then renamed over `path`. Returns "" on success, else a message naming the
// path and the reason.
std::string write_png(const std::string& path, const std::uint8_t* pixels, int width, int height,
                      int channels);

// read_framebuffer_rgba + write_png (alpha forced to 255). Returns "" on success, else a message.
std::string save_framebuffer_png(const std::string& path, int width, int height);

}  // namespace renderer
