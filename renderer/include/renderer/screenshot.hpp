#pragma once
// Screenshots: read back a framebuffer and write it as a PNG (fileio::write_png: atomically).
#include <cstdint>
#include <string>
#include <vector>

namespace renderer {

// Reads the lower-left width x height pixels of the currently bound read framebuffer (the default
// framebuffer's back buffer, normally: call before swapping buffers) as top-down RGBA8 rows.
// Needs the GL context current.
std::vector<std::uint8_t> read_framebuffer_rgba(int width, int height);

// read_framebuffer_rgba + fileio::write_png as opaque RGB. Returns "" on success, else a message
// naming the path.
std::string save_framebuffer_png(const std::string& path, int width, int height);

}  // namespace renderer
