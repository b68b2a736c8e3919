#include "renderer/screenshot.hpp"

#include <epoxy/gl.h>

#include <cstdio>
#include <cstring>

#include "fileio/png_file.hpp"

namespace renderer {

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
  return fileio::write_png(path, rgb.data(), width, height, 3);
}

}  // namespace renderer
