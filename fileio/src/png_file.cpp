#include "fileio/png_file.hpp"

#include <stb_image_write.h>

#include <string_view>
#include <vector>

#include "fileio/atomic_file.hpp"

namespace fileio {
namespace {

void append_bytes(void* context, void* data, int size) {
  auto* buffer = static_cast<std::vector<char>*>(context);
  const auto* bytes = static_cast<const char*>(data);
  buffer->insert(buffer->end(), bytes, bytes + size);
}

}  // namespace

std::string write_png(const std::string& path, const std::uint8_t* pixels, int width, int height, int channels) {
  if (path.empty()) return "cannot write PNG: the output path is empty";
  if (pixels == nullptr || width <= 0 || height <= 0) {
    return "cannot write PNG '" + path + "': no image (" + std::to_string(width) + "x" + std::to_string(height) + ")";
  }
  if (channels < 1 || channels > 4) {
    return "cannot write PNG '" + path + "': channels = " + std::to_string(channels) + " (expected 1..4)";
  }
  std::vector<char> encoded;
  if (stbi_write_png_to_func(append_bytes, &encoded, width, height, channels, pixels, width * channels) == 0 ||
      encoded.empty()) {
    return "cannot write PNG '" + path + "': PNG encoding failed";
  }
  return write_file_atomically(path, std::string_view(encoded.data(), encoded.size()));
}

}  // namespace fileio
