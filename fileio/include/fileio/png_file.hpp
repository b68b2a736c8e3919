#pragma once
// PNG files: encoded with stb_image_write, written atomically (atomic_file.hpp). The one PNG
// writer of the project: screenshots and exports (renderer, app), the CLI's image grids, the soak
// test's files.
#include <cstdint>
#include <string>

namespace fileio {

// Writes width x height top-down 8-bit pixels with `channels` (1 grey, 2 grey + alpha, 3 RGB,
// 4 RGBA) interleaved values each as a PNG at `path`. Returns "" on success, else a message naming
// `path` and the reason.
std::string write_png(const std::string& path, const std::uint8_t* pixels, int width, int height, int channels);

}  // namespace fileio
