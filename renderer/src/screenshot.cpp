#include "renderer/screenshot.hpp"

#include <epoxy/gl.h>
#include <stb_image_write.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <unistd.h>

namespace renderer {
namespace {

void append_bytes(void* context, void* data, int size) {
  auto* buffer = static_cast<std::vector<std::uint8_t>*>(context);
  const auto* bytes = static_cast<const std::uint8_t*>(data);
  buffer->insert(buffer->end(), bytes, bytes + size);
}

}  // namespace

std::vector<std::uint8_t> read_framebuffer_rgba(int width, int height) {
  std::vector<std::uint8_t> pixels;
  if (width <= 0 || height <= 0) return pixels;
  GLint previous_pack = 4;
  glGetIntegerv(GL_PACK_ALIGNMENT, &previous_pack);
  glPixelStorei(GL_PACK_ALIGNMENT, 1);
  pixels.resize(static_cast<std::size_t>(width) * static_cast<std::size_t>(height) * 4);
  glReadPixels(0, 0, width, height, GL_RGBA, GL_UNSIGNED_BYTE, pixels.data());
  glPixelStorei(GL_PACK_ALIGNMENT, previous_pack);
  // GL rows run bottom-up; PNG rows top-down.
  const std::size_t row = static_cast<std::size_t>(width) * 4;
  std::vector<std::uint8_t> swap(row);
  for (int y = 0; y < height / 2; ++y) {
    std::uint8_t* a = pixels.data() + static_cast<std::size_t>(y) * row;
    std::uint8_t* b = pixels.data() + static_cast<std::size_t>(height - 1 - y) * row;
    std::memcpy(swap.data(), a, row);
    std::memcpy(a, b, row);
    std::memcpy(b, swap.data(), row);
  }
  return pixels;
}

std::string write_png(const std::string& path, const std::uint8_t* pixels, int width, int height,
                      int channels) {
  if (path.empty()) return "cannot write PNG: the output path is empty";
  if (pixels == nullptr || width <= 0 || height <= 0) {
    return "cannot write PNG '" + path + "': no image (" + std::to_string(width) + "x" +
           std::to_string(height) + ")";
  }
  if (channels < 1 || channels > 4) {
    return "cannot write PNG '" + path + "': channels = " + std::to_string(channels) + " (expected 1..4)";
  }
  std::vector<std::uint8_t> encoded;
  if (stbi_write_png_to_func(append_bytes, &encoded, width, height, channels, pixels, width * channels) == 0 ||
      encoded.empty()) {
    return "cannot write PNG '" + path + "': PNG encoding failed";
  }

  // Temp file in the same directory, then rename: readers never see a half-written PNG.
  static std::atomic<int> counter{0};
  const std::string temp = path + ".tmp." + std::to_string(::getpid()) + "." + std::to_string(counter++);
  std::FILE* file = std::fopen(temp.c_str(), "wb");
  if (file == nullptr) {
    return "cannot write PNG '" + path + "': cannot create '" + temp + "': " + std::strerror(errno);
  }
  std::size_t written = std::fwrite(encoded.data(), 1, encoded.size(), file);
  int write_errno = errno;
  bool closed = std::fclose(file) == 0;
  if (written != encoded.size() || !closed) {
    std::remove(temp.c_str());
    return "cannot write PNG '" + path + "': writing '" + temp + "' failed: " +
           std::strerror(written != encoded.size() ? write_errno : errno);
  }
  if (std::rename(temp.c_str(), path.c_str()) != 0) {
    int rename_errno = errno;
    std::remove(temp.c_str());
    return "cannot write PNG '" + path + "': rename failed: " + std::strerror(rename_errno);
  }
  return {};
}

std::string save_framebuffer_png(const std::string& path, int width, int height) {
  if (width <= 0 || height <= 0) {
    return "cannot save screenshot '" + path + "': framebuffer size " + std::to_string(width) + "x" +
           std::to_string(height);
  }
  // Drop errors left by earlier calls so that the check below is about the read-back.
  for (int i = 0; i < 16 && glGetError() != GL_NO_ERROR; ++i) {
  }
  std::vector<std::uint8_t> rgba = read_framebuffer_rgba(width, height);
  if (GLenum gl_error = glGetError(); gl_error != GL_NO_ERROR) {
    char code[16];
    std::snprintf(code, sizeof code, "0x%04X", gl_error);
    return "cannot save screenshot '" + path + "': glReadPixels failed (GL error " + code + ")";
  }
  // Opaque RGB: the window's alpha channel is meaningless in a screenshot.
  std::vector<std::uint8_t> rgb(static_cast<std::size_t>(width) * static_cast<std::size_t>(height) * 3);
  for (std::size_t i = 0, n = static_cast<std::size_t>(width) * static_cast<std::size_t>(height); i < n; ++i) {
    rgb[i * 3 + 0] = rgba[i * 4 + 0];
    rgb[i * 3 + 1] = rgba[i * 4 + 1];
    rgb[i * 3 + 2] = rgba[i * 4 + 2];
  }
  return write_png(path, rgb.data(), width, height, 3);
}

}  // namespace renderer
